"""Purchase orders: stock ordered from a supplier, received in one or several deliveries.

Lifecycle (SPEC §3): `draft` → `ordered` → `partially_received` → `received`, or `cancelled`
before anything was received. Lines change only in `draft`. From `ordered` until received or
cancelled, each line's remaining quantity counts as its item's `incoming` (kept on the item by
the ledger, under the item's lock, in the same transaction as the transition). Receiving writes
one `receipt` movement per line, costed at the line's unit cost (the moving average follows)
and referencing the order, at the location the receipt or else the order names; an order that
names none delivers each line to its item's home location, else the default location (as Odoo's
putaway rules route a receipt per product).

Locking: the order's row first, then its items through the ledger. Nothing locks in the other
order (the ledger never locks orders), so receipts, sales and production cannot deadlock, and
two receipts of one order wait for each other: neither can over-receive.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from sqlalchemy import Connection, and_, bindparam, false, func, or_, select, update

from storekeeper.domain.clock import plausible, utcnow
from storekeeper.domain.errors import Code, Conflict, DomainRuleBroken, NotFound, ValidationFailed
from storekeeper.domain.ids import is_id, new_id
from storekeeper.persistence.counters import bump
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest, Sort, paginate
from storekeeper.persistence.rows import check_version, update_versioned
from storekeeper.persistence.tables import items, purchase_order_lines, purchase_orders
from storekeeper.services import journal
from storekeeper.services.common import translate_integrity
from storekeeper.services.ledger import Change
from storekeeper.services.locations import (
    find_location,
    location_not_found,
    resolve_location,
    resolve_locations,
    stock_location_ref,
)
from storekeeper.services.stock import check_location, check_stockable, ledger_for, resolve_items

MAX_LINES = 500
OPEN = ("ordered", "partially_received")
STATUSES = ("draft", *OPEN, "received", "cancelled")
# Fields that stay editable once the order has been placed; the rest is the order itself.
EDITABLE_WHEN_PLACED = frozenset({"notes", "expected_at"})


class OverReceipt(DomainRuleBroken):
    code = Code.OVER_RECEIPT


@dataclass(frozen=True)
class PurchaseOrderFilters:
    status: str | None = None
    supplier: str | None = None
    location: str | None = None
    item: str | None = None
    q: str | None = None
    sort: str = "-created_at"


SORTS = {"created_at": "created_at", "number": "number"}


def _duplicate_number():
    return Conflict("A purchase order with this number already exists.", code=Code.DUPLICATE_NAME)


_UNIQUE = {"uq_purchase_orders_number": _duplicate_number, "purchase_orders.number": _duplicate_number}


def _number_taken(conn: Connection, workspace_id: str, number: str, except_id: str | None = None) -> bool:
    stmt = select(purchase_orders.c.id).where(purchase_orders.c.workspace_id == workspace_id,
                                              purchase_orders.c.number == number)
    if except_id is not None:
        stmt = stmt.where(purchase_orders.c.id != except_id)
    return conn.execute(stmt).first() is not None


def _next_number(conn: Connection, workspace_id: str) -> str:
    """PO-000001, PO-000002, …; a number a client gave by hand is skipped, not reused."""
    while True:
        number = f"PO-{bump(conn, workspace_id, 'purchase_orders'):06d}"
        if not _number_taken(conn, workspace_id, number):
            return number


def _line_rows(conn: Connection, workspace_id: str, order_id: str, wanted: list[dict[str, Any]],
               existing: dict[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Validated line rows. A line that names the id of one of the order's lines keeps its id."""
    if len(wanted) > MAX_LINES:
        raise ValidationFailed({"lines": [f"At most {MAX_LINES} lines."]})
    found = resolve_items(conn, workspace_id, {w["item"] for w in wanted})
    rows, seen = [], set()
    for position, line in enumerate(wanted):
        item = found.get(line["item"])
        if item is None:
            raise NotFound("item", line["item"])
        check_stockable(item)
        line_id = line.get("id")
        if line_id is not None and (line_id not in (existing or {}) or line_id in seen):
            raise ValidationFailed({f"lines[{position}].id": ["Not a line of this order (or listed twice)."]})
        seen.add(line_id)
        unit_cost = line["unit_cost"] if "unit_cost" in line else item["unit_cost"]
        rows.append({"workspace_id": workspace_id, "id": line_id or new_id("purchase_order_line"),
                     "order_id": order_id, "item_id": item["id"], "quantity": line["quantity"],
                     "received_quantity": Decimal(0), "unit_cost": unit_cost, "position": position})
    return rows


def _lines_of(conn: Connection, workspace_id: str, order_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The lines of these orders with their items' SKUs and units, in order (one query)."""
    result: dict[str, list[dict[str, Any]]] = {order_id: [] for order_id in order_ids}
    if not order_ids:
        return result
    rows = conn.execute(
        select(purchase_order_lines, items.c.sku, items.c.name, items.c.unit)
        .join(items, and_(items.c.workspace_id == purchase_order_lines.c.workspace_id,
                          items.c.id == purchase_order_lines.c.item_id))
        .where(purchase_order_lines.c.workspace_id == workspace_id, purchase_order_lines.c.order_id.in_(order_ids))
        .order_by(purchase_order_lines.c.order_id, purchase_order_lines.c.position)
    ).mappings()
    for row in rows:
        result[row["order_id"]].append(dict(row))
    return result


def _with_lines(conn: Connection, order: dict[str, Any]) -> dict[str, Any]:
    return {**order, "lines": _lines_of(conn, order["workspace_id"], [order["id"]])[order["id"]]}


def _find(conn: Connection, workspace_id: str, ref: str, *, for_update: bool = False) -> dict[str, Any]:
    """The order by id or number; its row locked (PostgreSQL) with `for_update`."""
    condition = purchase_orders.c.number == ref
    if is_id("purchase_order", ref):
        condition = or_(purchase_orders.c.id == ref, condition)
    stmt = select(purchase_orders).where(purchase_orders.c.workspace_id == workspace_id, condition)
    if for_update:
        stmt = stmt.with_for_update()
    rows = conn.execute(stmt).mappings().all()
    if not rows:
        raise NotFound("purchase_order", ref)
    return dict(next((r for r in rows if r["id"] == ref), rows[0]))


def create_purchase_order(db: Database, principal, data: dict[str, Any]) -> dict[str, Any]:
    workspace_id = principal.workspace_id
    now = utcnow()
    with db.write() as conn, translate_integrity(_UNIQUE):
        # No location: each line is received at its item's home location (else the default).
        place = resolve_location(conn, workspace_id, data["location"]) if data.get("location") is not None else None
        number = data.get("number")
        if number is not None and _number_taken(conn, workspace_id, number):
            raise _duplicate_number()
        order = {
            "workspace_id": workspace_id, "id": new_id("purchase_order"), "number": number,
            "supplier": data.get("supplier"), "location_id": place["id"] if place else None, "status": "draft",
            "expected_at": plausible(data.get("expected_at"), "expected_at"),
            "notes": data.get("notes"), "ordered_at": None, "received_at": None, "cancelled_at": None,
            "version": 1, "created_at": now, "updated_at": now,
        }
        lines = _line_rows(conn, workspace_id, order["id"], data.get("lines") or [])
        if order["number"] is None:
            order["number"] = _next_number(conn, workspace_id)
        conn.execute(purchase_orders.insert().values(order))
        if lines:
            conn.execute(purchase_order_lines.insert(), lines)
        journal.order_event(conn, "purchase_order", "created", None, order)
        return _with_lines(conn, order)


def list_purchase_orders(db: Database, workspace_id: str, filters: PurchaseOrderFilters, page: PageRequest) -> Page:
    stmt = select(purchase_orders).where(purchase_orders.c.workspace_id == workspace_id)
    if filters.status is not None:
        stmt = stmt.where(purchase_orders.c.status == filters.status)
    if filters.supplier is not None:
        stmt = stmt.where(purchase_orders.c.supplier == filters.supplier)
    if filters.q:
        needle = filters.q.lower()
        stmt = stmt.where(or_(func.lower(purchase_orders.c.number).contains(needle, autoescape=True),
                              func.lower(purchase_orders.c.supplier).contains(needle, autoescape=True)))
    column = SORTS[filters.sort.lstrip("-")]
    sort = Sort(filters.sort.lstrip("-"), purchase_orders.c[column], purchase_orders.c.id,
                filters.sort.startswith("-"))
    with db.read() as conn:
        if filters.location is not None:
            place = find_location(conn, workspace_id, filters.location)
            # An unknown location receives no order (`== None` would match the orders naming none).
            stmt = stmt.where(purchase_orders.c.location_id == place["id"] if place else false())
        if filters.item is not None:
            item = resolve_items(conn, workspace_id, {filters.item}).get(filters.item)
            stmt = stmt.where(select(purchase_order_lines.c.id).where(
                purchase_order_lines.c.workspace_id == purchase_orders.c.workspace_id,
                purchase_order_lines.c.order_id == purchase_orders.c.id,
                purchase_order_lines.c.item_id == item["id"] if item else false()).exists())
        result = paginate(conn, stmt, sort, page)
        lines = _lines_of(conn, workspace_id, [r["id"] for r in result.rows])
    for row in result.rows:
        row["lines"] = lines[row["id"]]
    return result


def get_purchase_order(db: Database, workspace_id: str, ref: str) -> dict[str, Any]:
    with db.read() as conn:
        return _with_lines(conn, _find(conn, workspace_id, ref))


def _set(conn: Connection, order: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return update_versioned(conn, purchase_orders, order, values, touch=True)


def update_purchase_order(db: Database, principal, ref: str, changes: dict[str, Any],
                          if_match: int | None = None) -> dict[str, Any]:
    workspace_id = principal.workspace_id
    with db.write() as conn, translate_integrity(_UNIQUE):
        order = _find(conn, workspace_id, ref, for_update=True)
        check_version(order, if_match)
        fixed = sorted(set(changes) - EDITABLE_WHEN_PLACED)
        if order["status"] != "draft" and fixed:
            raise Conflict(f"The order is {order['status']}: only {', '.join(sorted(EDITABLE_WHEN_PLACED))} can "
                           f"change once it was placed, not {', '.join(fixed)}.")
        values: dict[str, Any] = {k: changes[k] for k in ("supplier", "notes") if k in changes}
        if "expected_at" in changes:
            values["expected_at"] = plausible(changes["expected_at"], "expected_at")
        if "number" in changes:
            if changes["number"] is None:
                raise ValidationFailed({"number": ["An order keeps its number; give another one."]})
            if _number_taken(conn, workspace_id, changes["number"], except_id=order["id"]):
                raise _duplicate_number()
            values["number"] = changes["number"]
        if "location" in changes:
            values["location_id"] = (resolve_location(conn, workspace_id, changes["location"])["id"]
                                     if changes["location"] is not None else None)
        if "lines" in changes:
            existing = _lines_of(conn, workspace_id, [order["id"]])[order["id"]]
            rows = _line_rows(conn, workspace_id, order["id"], changes["lines"] or [],
                              {line["id"]: line for line in existing})
            conn.execute(purchase_order_lines.delete().where(
                purchase_order_lines.c.workspace_id == workspace_id, purchase_order_lines.c.order_id == order["id"]))
            if rows:
                conn.execute(purchase_order_lines.insert(), rows)
        if values or "lines" in changes:
            before, order = order, _set(conn, order, values)
            journal.order_event(conn, "purchase_order", "updated", before, order, lines_changed="lines" in changes)
        return _with_lines(conn, order)


def place_purchase_order(db: Database, principal, ref: str, if_match: int | None = None) -> dict[str, Any]:
    """draft → ordered: from now on its lines count as incoming."""
    workspace_id = principal.workspace_id
    with db.write() as conn:
        order = _find(conn, workspace_id, ref, for_update=True)
        check_version(order, if_match)
        if order["status"] != "draft":
            raise Conflict(f"The order is {order['status']}: only a draft can be ordered.")
        lines = _lines_of(conn, workspace_id, [order["id"]])[order["id"]]
        if not lines:
            raise Conflict("The order has no lines: add what to order first.")
        ledger = ledger_for(conn, principal)
        ledger.lock({line["item_id"] for line in lines}, live_only=False)
        _check_items_live(ledger, lines)
        for line in lines:
            ledger.expect(line["item_id"], line["quantity"])
        ledger.flush()
        before, order = order, _set(conn, order, {"status": "ordered", "ordered_at": ledger.now})
        journal.order_event(conn, "purchase_order", "ordered", before, order)
        return {**order, "lines": lines}


def _check_items_live(ledger, lines: list[dict[str, Any]]) -> None:
    """The lines' items, locked, are live and still hold stock of their own."""
    gone = sorted({line["sku"] for line in lines if ledger.items[line["item_id"]].row["deleted_at"] is not None})
    if gone:
        raise Conflict(f"{', '.join(gone)} {'is' if len(gone) == 1 else 'are'} in the trash: restore "
                       f"{'it' if len(gone) == 1 else 'them'} first.")
    for line in lines:
        check_stockable(ledger.items[line["item_id"]].row)


def _receipts(order: dict[str, Any], lines: list[dict[str, Any]],
              wanted: list[dict[str, Any]] | None) -> list[tuple[dict[str, Any], Decimal]]:
    """(line, quantity) to receive: what was asked, or everything still open. Every line that
    would receive more than was ordered is one OVER_RECEIPT, nothing received."""
    by_id = {line["id"]: line for line in lines}
    if wanted is None:
        return [(line, line["quantity"] - line["received_quantity"]) for line in lines
                if line["quantity"] > line["received_quantity"]]
    receipts, seen = [], set()
    for index, entry in enumerate(wanted):
        line = by_id.get(entry["line"])
        if line is None:
            raise ValidationFailed({f"lines[{index}].line": [f"{entry['line']!r} is not a line of {order['number']}."]})
        if line["id"] in seen:
            raise ValidationFailed({f"lines[{index}].line": ["Each line at most once per receipt."]})
        seen.add(line["id"])
        receipts.append((line, entry["quantity"]))
    over = [{"line": line["id"], "item": line["item_id"], "sku": line["sku"], "ordered": line["quantity"],
             "received": line["received_quantity"], "remaining": line["quantity"] - line["received_quantity"],
             "quantity": quantity}
            for line, quantity in receipts if line["received_quantity"] + quantity > line["quantity"]]
    if over:
        text = "; ".join(f"{o['sku']}: {o['quantity']} received, {o['remaining']} open" for o in over)
        raise OverReceipt(f"More than ordered: {text}.", details={"lines": over})
    return receipts


def receive_purchase_order(db: Database, principal, ref: str, *, lines: list[dict[str, Any]] | None = None,
                           location: str | None = None,
                           if_match: int | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Receive some lines (or all that is open): a `receipt` movement each, at the line's unit
    cost, and as much less incoming. Returns the order and the movements."""
    workspace_id = principal.workspace_id
    with db.write() as conn:
        order = _find(conn, workspace_id, ref, for_update=True)
        check_version(order, if_match)
        if order["status"] not in OPEN:
            raise Conflict(f"The order is {order['status']}: only an ordered one can be received.")
        named = location if location is not None else order["location_id"]
        current = _lines_of(conn, workspace_id, [order["id"]])[order["id"]]
        receipts = _receipts(order, current, lines)
        if not receipts:
            raise Conflict("Nothing is left to receive on this order.")
        ledger = ledger_for(conn, principal)
        ledger.lock({line["item_id"] for line, _ in receipts}, live_only=False)
        _check_items_live(ledger, [line for line, _ in receipts])
        places = _receiving_places(conn, principal, named, [ledger.items[line["item_id"]].row for line, _ in receipts])
        for line, quantity in receipts:
            place = places[line["item_id"]]
            ledger.apply(Change(line["item_id"], place["id"], "receipt", "in", delta=quantity,
                                unit_cost=line["unit_cost"], reference_type="purchase_order", reference_id=order["id"]))
            ledger.expect(line["item_id"], -quantity)
            line["received_quantity"] += quantity
        moved = ledger.flush()
        conn.execute(
            update(purchase_order_lines)
            .where(purchase_order_lines.c.workspace_id == workspace_id,
                   purchase_order_lines.c.id == bindparam("line_id"))
            .values(received_quantity=bindparam("received")),
            [{"line_id": line["id"], "received": line["received_quantity"]} for line, _ in receipts],
        )
        done = all(line["received_quantity"] >= line["quantity"] for line in current)
        values = {"status": "received", "received_at": ledger.now} if done else {"status": "partially_received"}
        before, order = order, _set(conn, order, values)
        journal.order_event(conn, "purchase_order", order["status"], before, order,
                            received=[{"line": line["id"], "item": line["item_id"], "quantity": quantity}
                                      for line, quantity in receipts])
        return {**order, "lines": current}, moved


def _receiving_places(conn: Connection, principal, named: str | None,
                      rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Where each item is received: the location named (by the receipt or the order), else its
    home location, else the default; every location in one query, each checked for the key."""
    wanted = {row["id"]: stock_location_ref(named, row) for row in rows}
    found = resolve_locations(conn, principal.workspace_id, set(wanted.values()))
    for ref in sorted(set(wanted.values()), key=str):
        if ref not in found:
            raise location_not_found(ref)
        check_location(principal, found[ref], incoming=True)
    return {item_id: found[ref] for item_id, ref in wanted.items()}


def cancel_purchase_order(db: Database, principal, ref: str, if_match: int | None = None) -> dict[str, Any]:
    """Cancel before anything was received; an ordered order's lines stop counting as incoming."""
    workspace_id = principal.workspace_id
    with db.write() as conn:
        order = _find(conn, workspace_id, ref, for_update=True)
        check_version(order, if_match)
        if order["status"] not in ("draft", "ordered"):
            raise Conflict(f"The order is {order['status']}: only an order with nothing received yet can be "
                           "cancelled.")
        lines = _lines_of(conn, workspace_id, [order["id"]])[order["id"]]
        if order["status"] == "ordered":
            ledger = ledger_for(conn, principal)
            ledger.lock({line["item_id"] for line in lines}, live_only=False)
            for line in lines:
                ledger.expect(line["item_id"], -(line["quantity"] - line["received_quantity"]))
            ledger.flush()
        before, order = order, _set(conn, order, {"status": "cancelled", "cancelled_at": utcnow()})
        journal.order_event(conn, "purchase_order", "cancelled", before, order)
        return {**order, "lines": lines}


def total_cost(lines: list[dict[str, Any]]) -> Decimal:
    """What the order costs at its lines' unit costs (lines without a cost count nothing)."""
    with localcontext() as ctx:
        ctx.prec = 80  # exact for 10^12 units at 10^12 each, and their sums
        return sum((line["quantity"] * line["unit_cost"] for line in lines if line["unit_cost"] is not None),
                   Decimal(0))


def open_quantities(conn: Connection, workspace_id: str) -> dict[str, Decimal]:
    """{item id: quantity ordered and not yet received} over open orders — what each item's
    stored `incoming` must equal (storekeeper check)."""
    rows = conn.execute(
        select(purchase_order_lines.c.item_id,
               func.sum(purchase_order_lines.c.quantity - purchase_order_lines.c.received_quantity,
                        type_=purchase_order_lines.c.quantity.type).label("open"))
        .join(purchase_orders, and_(purchase_orders.c.workspace_id == purchase_order_lines.c.workspace_id,
                                    purchase_orders.c.id == purchase_order_lines.c.order_id))
        .where(purchase_order_lines.c.workspace_id == workspace_id, purchase_orders.c.status.in_(OPEN))
        .group_by(purchase_order_lines.c.item_id)
    ).all()
    return {r.item_id: r.open for r in rows}
