"""Production batches: making some of a production order's line in one transaction.

A batch consumes every stocked component of the item's bill of materials (quantity times per-unit
need, converted to the component's unit) at the order's location, as `production_consumption`
movements taking only available stock, and adds the output as a `production_output` movement
costed at what went in: each component at its average cost (its standard cost if it has none
yet); untracked components (labour, a service) add their standard cost without any movement.
If any component of the bill has no cost at all, the output is uncosted and leaves the item's
average as it is. A shortage is one INSUFFICIENT_STOCK listing every short component; nothing
is applied.

Deleting a batch reverses it exactly: `production_reversal` movements give every component
back and take the output out again (only if it is still available). The output's average cost
is not rewound, as with any outgoing stock.

Locking: the order's row, then the output and its components through the ledger, which also
makes the bill of materials stable (editing a bill locks the same items).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from sqlalchemy import select, update

from storekeeper.domain.errors import Conflict, NotFound
from storekeeper.domain.ids import new_id
from storekeeper.domain.stock import ComponentLine, component_need
from storekeeper.persistence.bom import bom_lines
from storekeeper.persistence.counters import take_numbers
from storekeeper.persistence.database import Database
from storekeeper.persistence.rows import fetch
from storekeeper.persistence.tables import items, locations, movements, production_batches, production_order_lines
from storekeeper.services import journal
from storekeeper.services.ledger import Change, Ledger
from storekeeper.services.production import find_order, lines_of, set_order, status_after
from storekeeper.services.stock import check_location, check_stockable, ledger_for

COST_PLACES = Decimal("0.000001")


def _cost_of(ledger: Ledger, lines: list[ComponentLine], quantity: Decimal) -> Decimal | None:
    """The output's unit cost: the components' cost per unit made, or None if one has no cost."""
    total = Decimal(0)
    with localcontext() as ctx:
        ctx.prec = 80
        for line in lines:
            row = ledger.items[line.component_id].row
            cost = ledger.items[line.component_id].average_cost if line.tracked else None
            cost = cost if cost is not None else row["unit_cost"]
            if cost is None:
                return None
            total += component_need(line, quantity) * cost
        return (total / quantity).quantize(COST_PLACES, rounding=ROUND_HALF_UP)


def _location(conn, workspace_id: str, location_id: str) -> dict[str, Any]:
    place = conn.execute(select(locations).where(locations.c.workspace_id == workspace_id,
                                                 locations.c.id == location_id)).mappings().one()
    if place["deleted_at"] is not None:
        raise Conflict(f"The order's location {place['name']} was deleted: move the order to another location.")
    return dict(place)


def produce(db: Database, principal, order_id: str, line_id: str, quantity: Decimal,
            note: str | None = None) -> dict[str, Any]:
    """Make `quantity` of a line's item; returns the batch with its movements."""
    workspace_id = principal.workspace_id
    with db.write() as conn:
        order = find_order(conn, workspace_id, order_id, for_update=True)
        if order["status"] == "cancelled":
            raise Conflict("The order is cancelled: nothing more is made on it.")
        lines = lines_of(conn, workspace_id, [order["id"]])[order["id"]]
        line = next((candidate for candidate in lines if candidate["id"] == line_id), None)
        if line is None:
            raise NotFound("production_order_line", line_id)
        place = _location(conn, workspace_id, order["location_id"])
        check_location(principal, place, incoming=True)
        bill = bom_lines(conn, workspace_id, [line["item_id"]]).get(line["item_id"], [])
        ledger = ledger_for(conn, principal)
        ledger.lock({line["item_id"], *(c.component_id for c in bill)}, live_only=False)
        if bom_lines(conn, workspace_id, [line["item_id"]]).get(line["item_id"], []) != bill:
            raise Conflict("The bill of materials changed while this batch was made; try again.")
        output = ledger.items[line["item_id"]].row
        _check_makeable(output, bill, ledger)
        batch_id = new_id("batch")
        common = {"reference_type": "production_order", "reference_id": order["id"], "batch_id": batch_id,
                  "note": note}
        unit_cost = _cost_of(ledger, bill, quantity)
        ledger.apply_all([Change(c.component_id, place["id"], "production_consumption", "out",
                                 delta=-component_need(c, quantity), within_available=True, **common)
                          for c in bill if c.tracked])
        ledger.apply(Change(output["id"], place["id"], "production_output", "in", delta=quantity,
                            unit_cost=unit_cost, **common))
        moved = ledger.flush()
        batch = {"workspace_id": workspace_id, "id": batch_id, "order_id": order["id"], "line_id": line["id"],
                 "item_id": output["id"], "location_id": place["id"], "quantity": quantity, "unit_cost": unit_cost,
                 "created_at": ledger.now, "reversed_at": None}
        take_numbers(conn, workspace_id, production_batches, [batch])
        conn.execute(production_batches.insert().values(batch))
        line["produced_quantity"] += quantity
        _finish(conn, order, line, lines, ledger, batch_id, reversal=False)
        return {**batch, "sku": output["sku"], "movements": moved}


def _check_makeable(output: dict[str, Any], bill: list[ComponentLine], ledger: Ledger) -> None:
    if output["deleted_at"] is not None:
        raise Conflict(f"{output['sku']} is in the trash: restore it to make it.")
    check_stockable(output)
    if not bill:
        raise Conflict(f"{output['sku']} has no bill of materials: give it its components first "
                       f"(PUT /v1/items/{output['id']}/components).")
    gone = sorted(ledger.items[c.component_id].row["sku"] for c in bill if c.deleted)
    if gone:
        raise Conflict(f"{', '.join(gone)} in the bill of {output['sku']} {'is' if len(gone) == 1 else 'are'} "
                       "in the trash: restore or replace them.")


def _finish(conn, order: dict[str, Any], line: dict[str, Any], lines: list[dict[str, Any]], ledger: Ledger,
            batch_id: str, *, reversal: bool) -> None:
    conn.execute(update(production_order_lines)
                 .where(production_order_lines.c.workspace_id == order["workspace_id"],
                        production_order_lines.c.id == line["id"])
                 .values(produced_quantity=line["produced_quantity"]))
    after = set_order(conn, order, status_after(order, lines, ledger.now, reversal=reversal))
    journal.order_event(conn, "production_order", "batch_reversed" if reversal else "batch_created", order, after,
                        batch=batch_id, line=line["id"], produced_quantity=line["produced_quantity"])


def makers(db: Database, workspace_id: str, batch_ids: list[str]) -> dict[str, str | None]:
    """{batch id: the id of the user who made it, or None when a key without a user (or the
    system) did}: the actor of its output movement, which the ledger recorded with it."""
    if not batch_ids:
        return {}
    with db.read() as conn:
        rows = conn.execute(select(movements.c.batch_id, movements.c.actor_type, movements.c.actor_id).where(
            movements.c.workspace_id == workspace_id, movements.c.batch_id.in_(sorted(set(batch_ids))),
            movements.c.reason == "production_output")).all()
    return {row.batch_id: row.actor_id if row.actor_type == "user" else None for row in rows}


def get_batch(db: Database, workspace_id: str, batch_id: str) -> dict[str, Any]:
    """The batch with its movements; a reversed one too, with its reversal movements. The batch
    of a deleted order is gone with it."""
    with db.read() as conn:
        batch = fetch(conn, production_batches, workspace_id, batch_id, "batch")
        try:
            find_order(conn, workspace_id, batch["order_id"])
        except NotFound:
            raise NotFound("batch", batch_id) from None
        return {**batch, "movements": _movements(conn, workspace_id, batch_id)}


def _movements(conn, workspace_id: str, batch_id: str) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(
        select(movements, items.c.sku)
        .join(items, (items.c.workspace_id == movements.c.workspace_id) & (items.c.id == movements.c.item_id))
        .where(movements.c.workspace_id == workspace_id, movements.c.batch_id == batch_id)
        .order_by(movements.c.sequence)
    ).mappings()]


def reverse_batch(db: Database, principal, batch_id: str) -> list[dict[str, Any]]:
    """Undo a batch: its components come back, its output goes out again. Returns the movements."""
    workspace_id = principal.workspace_id
    with db.write() as conn:
        peek = fetch(conn, production_batches, workspace_id, batch_id, "batch")
        try:
            order = find_order(conn, workspace_id, peek["order_id"], for_update=True)
        except NotFound:
            raise NotFound("batch", batch_id) from None
        batch = fetch(conn, production_batches, workspace_id, batch_id, "batch")
        if batch["reversed_at"] is not None:
            raise NotFound("batch", batch_id)
        made = [m for m in _movements(conn, workspace_id, batch_id) if m["reason"] != "production_reversal"]
        place = _location(conn, workspace_id, batch["location_id"]) if made else None
        if place is not None:
            check_location(principal, place, incoming=False)
        ledger = ledger_for(conn, principal)
        ledger.lock({m["item_id"] for m in made}, live_only=False)
        common = {"reference_type": "production_order", "reference_id": order["id"], "batch_id": batch_id}
        # Outgoing first: the output must still be available; then the components come back.
        ledger.apply_all([Change(m["item_id"], m["location_id"], "production_reversal", "any", delta=-m["delta"],
                                 within_available=m["delta"] > 0, **common)
                          for m in sorted(made, key=lambda m: m["delta"] < 0)])
        moved = ledger.flush()
        conn.execute(update(production_batches)
                     .where(production_batches.c.workspace_id == workspace_id, production_batches.c.id == batch_id)
                     .values(reversed_at=ledger.now))
        lines = lines_of(conn, workspace_id, [order["id"]])[order["id"]]
        line = next(candidate for candidate in lines if candidate["id"] == batch["line_id"])
        line["produced_quantity"] -= batch["quantity"]
        _finish(conn, order, line, lines, ledger, batch_id, reversal=True)
        return moved
