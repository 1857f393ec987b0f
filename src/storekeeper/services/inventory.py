"""Reading stock: levels per item and location, as now or as at a moment, and the ledger.

A page of stock rows costs a fixed number of queries whatever its size: the page of items,
then their levels, then the reservations that are past due but not yet marked expired (they
no longer count), or, for `as_of`, the sums of their movements up to that moment. A bundle's
levels are what its components make up there (two more queries for a page with bundles); a
variant parent is not a stock row (its variants are), but `GET /v1/stock/{parent}` sums them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, bindparam, case, func, or_, select

from storekeeper.domain.clock import to_utc, utcnow
from storekeeper.domain.errors import NotFound, ValidationFailed
from storekeeper.domain.stock import StockStatus, Tracking, stock_status
from storekeeper.persistence import counters, updates
from storekeeper.persistence.bom import bundle_stock
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest, Sort, paginate
from storekeeper.persistence.tables import item_components, items, locations, movements, reservations, stock_levels
from storekeeper.persistence.types import Micros
from storekeeper.services import item_categories, search
from storekeeper.services.locations import find_location
from storekeeper.services.stock import resolve_items

# Self-joins of items; made once, as making an alias copies every column of the table.
_COMPONENT = items.alias("component")

ZERO = Decimal(0)


@dataclass(frozen=True)
class StockFilters:
    status: str | None = None
    location: str | None = None
    sku: str | None = None
    q: str | None = None
    category: str | None = None
    low_stock: bool | None = None
    as_of: datetime | None = None
    updated_since: datetime | None = None
    # `sku`, or `updated_at` (when its stock or its item last changed: sync clients walk it
    # ascending from their last watermark), either descending with `-`.
    sort: str = "sku"
    kind: str | None = None  # product | material (the dashboard's filter; the API has none)


@dataclass(frozen=True)
class MovementFilters:
    item: str | None = None
    location: str | None = None
    reason: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    reference_type: str | None = None
    reference_id: str | None = None
    transfer: str | None = None
    batch: str | None = None
    label: str | None = None
    # The reason a movement shows where a client's own words are kept (compat/warehouses): its
    # label, else its reason when it has no label.
    shown_reason: str | None = None
    order: str = "desc"


# What a stock row shows of its item: not every column (JSON documents and prices cost a decode
# per row and are not shown).
_ROW_COLUMNS = (items.c.id, items.c.sku, items.c.name, items.c.unit, items.c.tracking, items.c.incoming,
                items.c.safety_stock, items.c.reorder_point, items.c.updated_at)


def _stocked(workspace_id: str, q: str | None = None, *, by_update: bool = False):
    """The stocked items; `by_update`: after their times (updates.BY_UPDATE)."""
    stmt = select(*_ROW_COLUMNS).select_from(updates.BY_UPDATE if by_update else items)
    return stmt.where(
        search.in_workspace(workspace_id, q), items.c.deleted_at.is_(None), items.c.tracking != Tracking.NONE.value,
        ~items.c.has_variants,
    )


# Every stock read runs these: built once with bound parameters (building a statement and
# looking it up in SQLAlchemy's cache costs more than SQLite takes to run it).
_LEVELS_NOW = select(stock_levels.c.item_id, stock_levels.c.location_id, stock_levels.c.on_hand,
                     stock_levels.c.reserved).where(stock_levels.c.workspace_id == bindparam("ws"),
                                                    stock_levels.c.item_id.in_(bindparam("ids", expanding=True)))
_LEVELS_NOW_AT = _LEVELS_NOW.where(stock_levels.c.location_id == bindparam("location"))
_PLACES = select(locations.c.id, locations.c.name, locations.c.type, locations.c.deleted_at).where(
    locations.c.workspace_id == bindparam("ws"), locations.c.id.in_(bindparam("ids", expanding=True)))


def _levels(conn, workspace_id: str, item_ids: list[str], location_id: str | None, as_of: datetime | None,
            bundle_ids: list[str] = ()):
    """{item_id: [level dicts]} for the given items, now or as at `as_of`. Bundles' levels are
    derived from their components' (now only: the ledger has no past of reservations)."""
    if not item_ids:
        return {}
    derived = []
    if bundle_ids and as_of is None:
        for bundle_id, per_place in bundle_stock(conn, workspace_id, bundle_ids).items():
            derived += [{"item_id": bundle_id, "location_id": loc, "on_hand": oh, "reserved": oh - av}
                        for loc, (oh, av) in per_place.items() if location_id is None or loc == location_id]
    item_ids = [i for i in item_ids if i not in set(bundle_ids)]
    if as_of is None:
        rows = [dict(r) for r in conn.execute(_LEVELS_NOW if location_id is None else _LEVELS_NOW_AT,
                                              {"ws": workspace_id, "ids": item_ids, "location": location_id}
                                              ).mappings()]
        due = due_reserved(conn, workspace_id, item_ids)
        for r in rows:
            r["reserved"] -= due.get((r["item_id"], r["location_id"]), ZERO)
    else:
        stmt = (
            select(movements.c.item_id, movements.c.location_id,
                   func.sum(movements.c.delta, type_=Micros()).label("on_hand"))
            .where(movements.c.workspace_id == workspace_id, movements.c.item_id.in_(item_ids),
                   movements.c.occurred_at <= as_of)
            .group_by(movements.c.item_id, movements.c.location_id)
        )
        if location_id is not None:
            stmt = stmt.where(movements.c.location_id == location_id)
        # Reservations are not historized: a past moment shows no reserved stock.
        rows = [{**dict(r), "reserved": ZERO} for r in conn.execute(stmt).mappings()]
    rows += derived
    names = {}
    location_ids = sorted({r["location_id"] for r in rows})
    if location_ids:
        names = {r["id"]: r for r in conn.execute(_PLACES, {"ws": workspace_id, "ids": location_ids}).mappings()}
    result: dict[str, list[dict[str, Any]]] = {}
    for r in sorted(rows, key=lambda r: (names[r["location_id"]]["name"], r["location_id"])):
        place = names[r["location_id"]]
        # A deleted location was empty (LOCATION_NOT_EMPTY); its empty levels stay behind in the
        # table but are no stock now. As at a past moment it still shows what it held then.
        if as_of is None and place["deleted_at"] is not None and not r["on_hand"] and not r["reserved"]:
            continue
        result.setdefault(r["item_id"], []).append(
            {"location": r["location_id"], "name": place["name"], "type": place["type"],
             "on_hand": r["on_hand"], "reserved": r["reserved"]}
        )
    return result


# Built once with bound parameters (ws, ids, now): every stock read runs it.
_DUE_RESERVED = (
    select(reservations.c.item_id, reservations.c.location_id,
           func.sum(reservations.c.quantity - reservations.c.fulfilled_quantity, type_=Micros()).label("due"))
    .where(reservations.c.workspace_id == bindparam("ws"), reservations.c.item_id.in_(bindparam("ids", expanding=True)),
           reservations.c.status == "active", reservations.c.expires_at <= bindparam("now"))
    .group_by(reservations.c.item_id, reservations.c.location_id)
)


def due_reserved(conn, workspace_id: str, item_ids: list[str]) -> dict[tuple[str, str], Decimal]:
    """Reserved stock of reservations past `expires_at` that the worker has not marked yet."""
    rows = conn.execute(_DUE_RESERVED, {"ws": workspace_id, "ids": list(item_ids), "now": utcnow()}).all()
    return {(i, loc): due for i, loc, due in rows}


def _row(item: dict[str, Any], levels: list[dict[str, Any]], as_of: datetime | None = None) -> dict[str, Any]:
    def status(available: Decimal) -> str:
        return stock_status(available, item["safety_stock"], item["reorder_point"], item["tracking"]).value

    for level in levels:
        level["available"] = level["on_hand"] - level["reserved"]
        level["status"] = status(level["available"])
    on_hand = sum((lv["on_hand"] for lv in levels), ZERO)
    reserved = sum((lv["reserved"] for lv in levels), ZERO)
    return {
        "item": item["id"], "sku": item["sku"], "name": item["name"], "unit": item["unit"],
        "on_hand": on_hand, "reserved": reserved, "available": on_hand - reserved,
        # Like reservations, orders are not historized: a past moment shows nothing incoming.
        "incoming": ZERO if as_of is not None else item["incoming"],
        "safety_stock": item["safety_stock"], "reorder_point": item["reorder_point"],
        "status": status(on_hand - reserved), "locations": levels,
        # The item's: it moves with every change of the row (its stock, a parent's variants, what
        # a bundle's components make up, the catalogue fields shown), as `updated_since` filters.
        "updated_at": item["updated_at"],
    }


def _level_status():
    """stock_status() of a stock level, in SQL (items' thresholds are NOT NULL)."""
    available = stock_levels.c.on_hand - stock_levels.c.reserved
    return case(
        (available <= 0, StockStatus.OUT_OF_STOCK.value),
        (available <= items.c.safety_stock, StockStatus.CRITICAL.value),
        (available <= items.c.reorder_point, StockStatus.LOW.value),
        else_=StockStatus.NORMAL.value,
    )


def _bundle_made_up_at(location_id: str):
    """A bundle with stocked components, each of them live and with a level at the location."""
    component = _COMPONENT
    lines = (select(item_components.c.component_id)
             .join(component, and_(component.c.workspace_id == item_components.c.workspace_id,
                                   component.c.id == item_components.c.component_id))
             .where(item_components.c.workspace_id == items.c.workspace_id, item_components.c.item_id == items.c.id,
                    or_(component.c.tracking != Tracking.NONE.value, component.c.deleted_at.is_not(None))))
    missing = lines.where(or_(component.c.deleted_at.is_not(None), ~select(stock_levels.c.item_id).where(
        stock_levels.c.workspace_id == component.c.workspace_id, stock_levels.c.item_id == component.c.id,
        stock_levels.c.location_id == location_id).exists()))
    return and_(items.c.tracking == Tracking.BUNDLE.value, lines.exists(), ~missing.exists())


def _status_conditions(status, filters: StockFilters) -> list:
    conditions = []
    if filters.status is not None:
        conditions.append(status == filters.status)
    if filters.low_stock is True:
        conditions.append(status != StockStatus.NORMAL.value)
    elif filters.low_stock is False:
        conditions.append(status == StockStatus.NORMAL.value)
    return conditions


def list_stock(db: Database, workspace_id: str, filters: StockFilters, page: PageRequest) -> tuple[Page, list]:
    if filters.as_of is not None and (filters.status is not None or filters.low_stock is not None):
        raise ValidationFailed({"as_of": ["Cannot be combined with status or low_stock filters."]})
    by_update = updates.wanted(filters.updated_since, filters.sort)
    stmt = _stocked(workspace_id, filters.q, by_update=by_update)
    if filters.sku is not None:
        stmt = stmt.where(items.c.sku == filters.sku)
    if filters.category is not None:
        stmt = stmt.where(item_categories.in_category(workspace_id, filters.category))
    if filters.kind is not None:
        stmt = stmt.where(items.c.kind == filters.kind)
    if filters.location is None:
        stmt = stmt.where(*_status_conditions(items.c.status, filters))
    if filters.q:
        stmt = stmt.where(search.matches(filters.q))
    if by_update:
        stmt = updates.changed_since(stmt, workspace_id, filters.updated_since)
    as_of = to_utc(filters.as_of) if filters.as_of else None
    with db.read() as conn:
        location_id = None
        if filters.location is not None:
            place = find_location(conn, workspace_id, filters.location)
            location_id = place["id"] if place else "-"
            # The row shows that location's quantities only, so a status filter means the status there.
            has_level = select(stock_levels.c.item_id).where(
                stock_levels.c.workspace_id == items.c.workspace_id, stock_levels.c.item_id == items.c.id,
                stock_levels.c.location_id == location_id,
                *_status_conditions(_level_status(), filters)).exists()
            if filters.status is None and filters.low_stock is None:
                stmt = stmt.where(or_(has_level, _bundle_made_up_at(location_id)))
            else:  # a bundle's status at a location is not stored: status filters see stocked items only
                stmt = stmt.where(has_level)
        # The rows do not depend on `as_of` (only their quantities do).
        unfiltered = page.include_total and filters == StockFilters(as_of=filters.as_of, sort=filters.sort)
        known_total = counters.value(conn, workspace_id, counters.ITEMS_STOCKED) if unfiltered else None
        sort = (updates.update_sort(filters.sort) if updates.is_update_sort(filters.sort)
                else Sort(filters.sort, items.c.sku, items.c.id, descending=filters.sort.startswith("-")))
        result = paginate(conn, stmt, sort, page, known_total)
        levels = _levels(conn, workspace_id, [r["id"] for r in result.rows], location_id, as_of,
                         [r["id"] for r in result.rows if r["tracking"] == Tracking.BUNDLE])
    rows = [_row(item, levels.get(item["id"], []), as_of) for item in result.rows]
    return result, rows


def get_stock(db: Database, workspace_id: str, ref: str, as_of: datetime | None = None) -> dict[str, Any]:
    with db.read() as conn:
        item = resolve_items(conn, workspace_id, {ref}).get(ref)
        if item is None:
            raise NotFound("item", ref)
        at = to_utc(as_of) if as_of else None
        if item["has_variants"]:
            variant_ids = list(conn.execute(select(items.c.id).where(
                items.c.workspace_id == workspace_id, items.c.parent_id == item["id"],
                items.c.deleted_at.is_(None))).scalars())
            per_variant = _levels(conn, workspace_id, variant_ids, None, at)
            return _row(item, _summed([lv for levels in per_variant.values() for lv in levels]), at)
        bundles = [item["id"]] if item["tracking"] == Tracking.BUNDLE else []
        levels = _levels(conn, workspace_id, [item["id"]], None, at, bundles)
    return _row(item, levels.get(item["id"], []), at)


def _summed(levels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Levels of several items summed per location (a parent's, from its variants')."""
    by_place: dict[str, dict[str, Any]] = {}
    for level in levels:
        place = by_place.setdefault(level["location"], {**level, "on_hand": ZERO, "reserved": ZERO})
        place["on_hand"] += level["on_hand"]
        place["reserved"] += level["reserved"]
    return sorted(by_place.values(), key=lambda lv: (lv["name"], lv["location"]))


def list_movements(db: Database, workspace_id: str, filters: MovementFilters, page: PageRequest) -> Page:
    stmt = select(movements, items.c.sku).join(
        items, and_(items.c.workspace_id == movements.c.workspace_id, items.c.id == movements.c.item_id)
    ).where(movements.c.workspace_id == workspace_id)
    for column, value in (("reason", filters.reason), ("reference_type", filters.reference_type),
                          ("reference_id", filters.reference_id), ("transfer_id", filters.transfer),
                          ("batch_id", filters.batch), ("label", filters.label)):
        if value is not None:
            stmt = stmt.where(movements.c[column] == value)
    if filters.shown_reason is not None:
        stmt = stmt.where(or_(movements.c.label == filters.shown_reason,
                              and_(movements.c.label.is_(None), movements.c.reason == filters.shown_reason)))
    if filters.since is not None:
        stmt = stmt.where(movements.c.occurred_at >= to_utc(filters.since))
    if filters.until is not None:
        stmt = stmt.where(movements.c.occurred_at < to_utc(filters.until))
    if filters.actor is not None:
        stmt = stmt.where(or_(movements.c.actor_id == filters.actor, movements.c.actor_name == filters.actor))
    with db.read() as conn:
        if filters.item is not None:
            item = resolve_items(conn, workspace_id, {filters.item}).get(filters.item)
            if item is None:
                # The history of a deleted item stays readable by id.
                item = {"id": filters.item}
            stmt = stmt.where(movements.c.item_id == item["id"])
        if filters.location is not None:
            place = find_location(conn, workspace_id, filters.location)
            stmt = stmt.where(movements.c.location_id == (place["id"] if place else filters.location))
        descending = filters.order == "desc"
        sort = Sort("-sequence" if descending else "sequence", movements.c.sequence, movements.c.id, descending,
                    unique=True)
        unfiltered = page.include_total and filters == MovementFilters(order=filters.order)
        known_total = counters.value(conn, workspace_id, counters.MOVEMENTS) if unfiltered else None
        return paginate(conn, stmt, sort, page, known_total)
