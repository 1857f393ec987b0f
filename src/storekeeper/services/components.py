"""Bills of materials: what one unit of an item is made of.

A line gives a component and its quantity per unit, in the component's unit or another unit of
the same dimension (100 g of a material kept in kg); across dimensions it is 422 UNIT_MISMATCH.
A bill that would make an item, at any depth, out of itself is 422 BOM_CYCLE. A bundle's
components make up its stock (services/ledger.py refreshes it); any other item's components
are what production consumes.

Edits of bills are serialized per workspace (they are rare), so two edits cannot each close
half of a cycle unseen by the other.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, select, update

from storekeeper.domain.clock import utcnow
from storekeeper.domain.errors import Code, DomainRuleBroken, NotFound, NotStockable, ValidationFailed
from storekeeper.domain.stock import Tracking
from storekeeper.domain.units import UnknownUnit, convert, resolve_unit
from storekeeper.persistence.database import Database
from storekeeper.persistence.rows import check_version
from storekeeper.persistence.tables import item_components, items
from storekeeper.services import journal
from storekeeper.services.common import lock_workspace
from storekeeper.services.context import SystemActor
from storekeeper.services.item_details import component_rows
from storekeeper.services.items import find_item
from storekeeper.services.stock import ledger_for, resolve_items

MAX_COMPONENTS = 100


class BomCycle(DomainRuleBroken):
    code = Code.BOM_CYCLE


def get_components(db: Database, workspace_id: str, ref: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    with db.read() as conn:
        item = find_item(conn, workspace_id, ref)
        return item, component_rows(conn, workspace_id, item["id"])


def _check_item(item: dict[str, Any]) -> None:
    if item["has_variants"]:
        raise NotStockable(f"{item['sku']} is a variant parent: give each variant its own bill of materials.")
    if item["tracking"] == Tracking.NONE:
        raise NotStockable(f"{item['sku']} is not tracked (tracking: none): nothing is made of it or sold from "
                           "components.")


def _lines(conn: Connection, workspace_id: str, item: dict[str, Any], wanted: list[dict[str, Any]]) -> list[dict]:
    """The requested lines, validated, as rows."""
    if len(wanted) > MAX_COMPONENTS:
        raise ValidationFailed({"components": [f"At most {MAX_COMPONENTS} components."]})
    found = resolve_items(conn, workspace_id, {w["item"] for w in wanted})
    rows, seen = [], set()
    for position, line in enumerate(wanted):
        component = found.get(line["item"])
        if component is None:
            raise NotFound("item", line["item"])
        if component["id"] in seen:
            raise ValidationFailed({f"components[{position}].item": [f"{component['sku']} is listed twice."]})
        seen.add(component["id"])
        if component["id"] == item["id"]:
            raise BomCycle(f"{item['sku']} cannot be a component of itself.")
        if component["has_variants"] or component["tracking"] == Tracking.BUNDLE:
            raise NotStockable(f"{component['sku']} has no stock of its own (a variant parent or a bundle): name the "
                               "items that hold the stock.")
        if line["quantity"] <= 0:
            raise ValidationFailed({f"components[{position}].quantity": ["Must be greater than 0."]})
        try:
            unit = resolve_unit(line.get("unit") or component["unit"]).code
        except UnknownUnit as exc:
            raise ValidationFailed({f"components[{position}].unit": [str(exc)]}) from None
        convert(Decimal(1), unit, component["unit"])  # UNIT_MISMATCH across dimensions
        rows.append({"workspace_id": workspace_id, "item_id": item["id"], "component_id": component["id"],
                     "quantity": line["quantity"], "unit": unit, "position": position})
    return rows


def _check_cycle(conn: Connection, workspace_id: str, item: dict[str, Any], component_ids: list[str]) -> None:
    """Whether any new component is, at any depth, made of the item itself."""
    if not component_ids:
        return
    reach = (select(item_components.c.component_id.label("id"))
             .where(item_components.c.workspace_id == workspace_id, item_components.c.item_id.in_(component_ids))
             .cte("reach", recursive=True))
    reach = reach.union(select(item_components.c.component_id)
                        .where(item_components.c.workspace_id == workspace_id, item_components.c.item_id == reach.c.id))
    if conn.execute(select(reach.c.id).where(reach.c.id == item["id"]).limit(1)).first() is not None:
        raise BomCycle(f"{item['sku']} would be made of itself: one of these components contains it.")


def put_components(db: Database, workspace_id: str, ref: str, wanted: list[dict[str, Any]],
                   if_match: int | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Replace the item's bill of materials; bumps the item's version."""
    with db.write() as conn:
        lock_workspace(conn, workspace_id)
        item = find_item(conn, workspace_id, ref)
        _check_item(item)
        rows = _lines(conn, workspace_id, item, wanted)
        new_ids = [r["component_id"] for r in rows]
        _check_cycle(conn, workspace_id, item, new_ids)
        old_ids = list(conn.execute(select(item_components.c.component_id).where(
            item_components.c.workspace_id == workspace_id, item_components.c.item_id == item["id"])).scalars())
        # The components (old and new), then the item: the ledger's lock order. A bundle's
        # stock is recomputed from its new components under these locks.
        ledger = ledger_for(conn, SystemActor(workspace_id))
        ledger.lock({*old_ids, *new_ids, item["id"]}, live_only=False)
        locked = ledger.items[item["id"]].row
        if locked["deleted_at"] is not None:
            raise NotFound("item", ref)
        check_version(locked, if_match)
        old = [{"item": c, "quantity": q, "unit": u} for c, q, u in conn.execute(
            select(item_components.c.component_id, item_components.c.quantity, item_components.c.unit)
            .where(item_components.c.workspace_id == workspace_id, item_components.c.item_id == item["id"])
            .order_by(item_components.c.position))]
        new = [{"item": r["component_id"], "quantity": r["quantity"], "unit": r["unit"]} for r in rows]
        if old != new:
            journal.item_event(conn, "updated", {**locked, "components": old}, {**locked, "components": new})
        conn.execute(delete(item_components).where(item_components.c.workspace_id == workspace_id,
                                                   item_components.c.item_id == item["id"]))
        if rows:
            conn.execute(item_components.insert(), rows)
        conn.execute(update(items).where(items.c.workspace_id == workspace_id, items.c.id == item["id"])
                     .values(version=items.c.version + 1, updated_at=utcnow()))
        if item["tracking"] == Tracking.BUNDLE:
            ledger.refresh = {item["id"]}
        ledger.flush()
        return find_item(conn, workspace_id, item["id"]), component_rows(conn, workspace_id, item["id"])
