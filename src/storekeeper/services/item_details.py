"""What the representation of one item adds to a list row: its levels per location (a parent's
summed from its variants, a bundle's made up by its components), its variants and its bill of
materials. A fixed number of queries per item."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, func, select

from storekeeper.domain.stock import Tracking
from storekeeper.persistence.bom import bundle_stock
from storekeeper.persistence.tables import item_components, items, locations, stock_levels
from storekeeper.persistence.types import Micros
from storekeeper.services.inventory import due_reserved

# Self-joins of items; made once, as making an alias copies every column of the table.
_COMPONENT = items.alias("component")


def item_details(conn: Connection, workspace_id: str, row: dict[str, Any]) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if row["has_variants"]:
        details["variants"] = _variants(conn, workspace_id, row["id"])
        details["locations"] = _summed_levels(conn, workspace_id, row["id"])
    elif row["tracking"] == Tracking.BUNDLE:
        details["locations"] = _bundle_levels(conn, workspace_id, row["id"])
    else:
        details["locations"] = _levels(conn, workspace_id, row["id"])
    details["components"] = component_rows(conn, workspace_id, row["id"])
    return details


def _located(conn: Connection, workspace_id: str, quantities: dict[str, tuple[Decimal, Decimal]]) -> list[dict]:
    """Per-location quantities {location id: (on_hand, reserved)} with the locations' names."""
    if not quantities:
        return []
    places = conn.execute(
        select(locations.c.id, locations.c.name, locations.c.type)
        .where(locations.c.workspace_id == workspace_id, locations.c.id.in_(sorted(quantities)),
               locations.c.deleted_at.is_(None))
    ).all()
    return sorted(({"location_id": p.id, "location_name": p.name, "location_type": p.type,
                    "on_hand": quantities[p.id][0], "reserved": quantities[p.id][1]} for p in places),
                  key=lambda level: (level["location_name"], level["location_id"]))


def _levels(conn: Connection, workspace_id: str, item_id: str) -> list[dict[str, Any]]:
    levels = {r.location_id: (r.on_hand, r.reserved) for r in conn.execute(
        select(stock_levels.c.location_id, stock_levels.c.on_hand, stock_levels.c.reserved)
        .where(stock_levels.c.workspace_id == workspace_id, stock_levels.c.item_id == item_id))}
    due = due_reserved(conn, workspace_id, [item_id])
    return _located(conn, workspace_id, {loc: (oh, rs - due.get((item_id, loc), Decimal(0)))
                                         for loc, (oh, rs) in levels.items()})


def _summed_levels(conn: Connection, workspace_id: str, parent_id: str) -> list[dict[str, Any]]:
    """A parent's levels: its live variants' levels summed per location."""
    variant_ids = select(items.c.id).where(items.c.workspace_id == workspace_id, items.c.parent_id == parent_id,
                                           items.c.deleted_at.is_(None))
    rows = conn.execute(
        select(stock_levels.c.location_id, func.sum(stock_levels.c.on_hand, type_=Micros()).label("on_hand"),
               func.sum(stock_levels.c.reserved, type_=Micros()).label("reserved"))
        .where(stock_levels.c.workspace_id == workspace_id, stock_levels.c.item_id.in_(variant_ids))
        .group_by(stock_levels.c.location_id)
    ).all()
    return _located(conn, workspace_id, {r.location_id: (r.on_hand, r.reserved) for r in rows})


def _bundle_levels(conn: Connection, workspace_id: str, bundle_id: str) -> list[dict[str, Any]]:
    derived = bundle_stock(conn, workspace_id, [bundle_id]).get(bundle_id, {})
    return _located(conn, workspace_id, {loc: (oh, oh - av) for loc, (oh, av) in derived.items()})


def _variants(conn: Connection, workspace_id: str, parent_id: str) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(
        select(items.c.id, items.c.number, items.c.sku, items.c.name, items.c.attributes, items.c.on_hand,
               items.c.reserved, items.c.status, items.c.price, items.c.price_rest)
        .where(items.c.workspace_id == workspace_id, items.c.parent_id == parent_id, items.c.deleted_at.is_(None))
        .order_by(items.c.created_at, items.c.id)
    ).mappings()]


def component_rows(conn: Connection, workspace_id: str, item_id: str) -> list[dict[str, Any]]:
    """The item's bill of materials with each component's SKU, name and unit."""
    component = _COMPONENT
    return [dict(r) for r in conn.execute(
        select(item_components.c.component_id, item_components.c.quantity, item_components.c.unit,
               component.c.sku, component.c.name, component.c.unit.label("component_unit"),
               component.c.deleted_at.label("component_deleted_at"))
        .join(component, and_(component.c.workspace_id == item_components.c.workspace_id,
                              component.c.id == item_components.c.component_id))
        .where(item_components.c.workspace_id == workspace_id, item_components.c.item_id == item_id)
        .order_by(item_components.c.position)
    ).mappings()]
