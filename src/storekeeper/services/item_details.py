"""What the representation of one item adds to a list row: its levels per location (a parent's
summed from its variants, a bundle's made up by its components), its variants and its bill of
materials. A fixed number of queries per item, and for a page of items (`page_details`, the
levels and bills that the Inventora dialect shows in its lists) a fixed number for the page."""

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


def _located(conn: Connection, workspace_id: str, quantities: dict[Any, tuple[Decimal, Decimal]]) -> list:
    """Per-location quantities {location id: (on_hand, reserved)} with the locations' names, by
    name; or, keyed {(item id, location id): …}, [((item id, location id), level)] by name."""
    if not quantities:
        return []
    paired = isinstance(next(iter(quantities)), tuple)
    wanted = sorted({key[1] for key in quantities} if paired else set(quantities))
    places = {p.id: p for p in conn.execute(
        select(locations.c.id, locations.c.name, locations.c.type)
        .where(locations.c.workspace_id == workspace_id, locations.c.id.in_(wanted),
               locations.c.deleted_at.is_(None)))}
    found = []
    for key, (on_hand, reserved) in quantities.items():
        place = places.get(key[1] if paired else key)
        if place is not None:
            found.append((key, {"location_id": place.id, "location_name": place.name, "location_type": place.type,
                                "on_hand": on_hand, "reserved": reserved}))
    found.sort(key=lambda pair: (pair[1]["location_name"], pair[1]["location_id"]))
    return found if paired else [level for _key, level in found]


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


def _bills(workspace_id: str, item_ids: list[str]):
    """Bills of materials with what each component shows of itself: its SKU, name, unit, stock,
    reorder point and standard cost."""
    component = _COMPONENT
    return (
        select(item_components.c.item_id, item_components.c.component_id, item_components.c.quantity,
               item_components.c.unit, component.c.sku, component.c.name, component.c.unit.label("component_unit"),
               component.c.deleted_at.label("component_deleted_at"), component.c.kind.label("component_kind"),
               component.c.number.label("component_number"),
               component.c.tracking.label("component_tracking"), component.c.on_hand.label("component_on_hand"),
               component.c.reorder_point.label("component_reorder_point"),
               component.c.unit_cost.label("component_unit_cost"))
        .join(component, and_(component.c.workspace_id == item_components.c.workspace_id,
                              component.c.id == item_components.c.component_id))
        .where(item_components.c.workspace_id == workspace_id, item_components.c.item_id.in_(item_ids))
        .order_by(item_components.c.item_id, item_components.c.position)
    )


def component_rows(conn: Connection, workspace_id: str, item_id: str) -> list[dict[str, Any]]:
    """The item's bill of materials with each component's SKU, name and unit (and its stock,
    reorder point and standard cost)."""
    return [dict(r) for r in conn.execute(_bills(workspace_id, [item_id])).mappings()]


def page_details(conn: Connection, workspace_id: str, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """{item id: {"locations", "components"}} for a page of items, as item_details gives them
    for one (without the variants), in at most seven queries whatever the page's size."""
    ids = [row["id"] for row in rows]
    located = _located(conn, workspace_id, {(item_id, loc): level
                                            for item_id, levels in _page_quantities(conn, workspace_id, rows).items()
                                            for loc, level in levels.items()})
    details: dict[str, dict[str, Any]] = {item_id: {"locations": [], "components": []} for item_id in ids}
    for (item_id, _loc), level in located:
        details[item_id]["locations"].append(level)
    if ids:
        for r in conn.execute(_bills(workspace_id, ids)).mappings():
            details[r["item_id"]]["components"].append(dict(r))
    return details


def _page_quantities(conn: Connection, workspace_id: str, rows: list[dict[str, Any]]
                     ) -> dict[str, dict[str, tuple[Decimal, Decimal]]]:
    """{item id: {location id: (on_hand, reserved)}}: a parent's summed from its variants, a
    bundle's made up by its components."""
    ids = [row["id"] for row in rows]
    parents = [row["id"] for row in rows if row["has_variants"]]
    bundles = [row["id"] for row in rows if row["tracking"] == Tracking.BUNDLE and not row["has_variants"]]
    plain = sorted(set(ids) - set(parents) - set(bundles))
    quantities: dict[str, dict[str, tuple[Decimal, Decimal]]] = {item_id: {} for item_id in ids}
    if plain:
        due = due_reserved(conn, workspace_id, plain)
        for r in conn.execute(select(stock_levels.c.item_id, stock_levels.c.location_id, stock_levels.c.on_hand,
                                     stock_levels.c.reserved)
                              .where(stock_levels.c.workspace_id == workspace_id, stock_levels.c.item_id.in_(plain))):
            reserved = r.reserved - due.get((r.item_id, r.location_id), Decimal(0))
            quantities[r.item_id][r.location_id] = (r.on_hand, reserved)
    if parents:
        for r in conn.execute(
            select(items.c.parent_id, stock_levels.c.location_id,
                   func.sum(stock_levels.c.on_hand, type_=Micros()).label("on_hand"),
                   func.sum(stock_levels.c.reserved, type_=Micros()).label("reserved"))
            .join(items, and_(items.c.workspace_id == stock_levels.c.workspace_id,
                              items.c.id == stock_levels.c.item_id))
            .where(stock_levels.c.workspace_id == workspace_id, items.c.parent_id.in_(parents),
                   items.c.deleted_at.is_(None))
            .group_by(items.c.parent_id, stock_levels.c.location_id)
        ):
            quantities[r.parent_id][r.location_id] = (r.on_hand, r.reserved)
    for bundle_id, derived in bundle_stock(conn, workspace_id, bundles).items():
        quantities[bundle_id] = {loc: (oh, oh - av) for loc, (oh, av) in derived.items()}
    return quantities
