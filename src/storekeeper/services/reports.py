"""Reports: what the stock is worth, and what to order again.

Valuation multiplies each stock level's on-hand by its item's average cost (its standard cost
while it has no average), exactly, and sums per location and per category; each figure is
rounded to cents only when shown. Stock without any cost is counted apart (`uncosted`), never
as worth 0. Bundles and variant parents hold no stock of their own, so they add nothing; items
in the trash are left out, as in /v1/stock.

Reorder lists the stocked items at or below their reorder point (status low, critical or
out_of_stock) with a suggested quantity: the fewest whole units that bring available plus
incoming above reorder point plus safety stock, and at least the reorder quantity.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, localcontext
from typing import Any

from sqlalchemy import and_, case, func, literal, select

from storekeeper.domain.clock import utcnow
from storekeeper.domain.stock import StockStatus, Tracking, stock_status
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest, Sort, paginate, paginate_parts
from storekeeper.persistence.tables import categories, items, locations, reservations, stock_levels, workspaces
from storekeeper.persistence.types import Micros
from storekeeper.services.locations import find_location

ZERO = Decimal(0)
# Rows read per round trip while valuing: memory stays flat at any number of stock levels.
CHUNK = 5000


@dataclass
class Bucket:
    value: Decimal = ZERO
    levels: int = 0
    uncosted_levels: int = 0


def valuation(db: Database, workspace_id: str, location: str | None = None,
              category: str | None = None) -> dict[str, Any]:
    cost = func.coalesce(items.c.average_cost, items.c.unit_cost)
    stmt = (
        select(stock_levels.c.location_id, items.c.category_id, stock_levels.c.on_hand,
               cost.label("cost"))
        .join(items, and_(items.c.workspace_id == stock_levels.c.workspace_id, items.c.id == stock_levels.c.item_id))
        .where(stock_levels.c.workspace_id == workspace_id, items.c.deleted_at.is_(None),
               stock_levels.c.on_hand != 0)
    )
    if category is not None:
        stmt = stmt.where(items.c.category_id == category)
    by_location: dict[str, Bucket] = {}
    by_category: dict[str | None, Bucket] = {}
    total = Bucket()
    with db.read() as conn:
        currency = conn.execute(select(workspaces.c.currency)
                                .where(workspaces.c.workspace_id == workspace_id)).scalar_one()
        if location is not None:
            place = find_location(conn, workspace_id, location)
            stmt = stmt.where(stock_levels.c.location_id == (place["id"] if place else None))
        with localcontext() as ctx:
            ctx.prec = 80  # products and sums of 10^12-sized amounts stay exact
            for location_id, category_id, on_hand, unit_cost in conn.execute(stmt.execution_options(yield_per=CHUNK)):
                for bucket in (by_location.setdefault(location_id, Bucket()),
                               by_category.setdefault(category_id, Bucket()), total):
                    bucket.levels += 1
                    if unit_cost is None:
                        bucket.uncosted_levels += 1
                    else:
                        bucket.value += on_hand * unit_cost
        place_rows = _names(conn, locations, workspace_id, list(by_location))
        category_rows = _names(conn, categories, workspace_id, [c for c in by_category if c is not None])
    return {
        "currency": currency,
        "total_value": total.value,
        "levels": total.levels,
        "uncosted_levels": total.uncosted_levels,
        "by_location": sorted(
            ({"location": loc, "name": place_rows[loc], **_figures(b)} for loc, b in by_location.items()),
            key=lambda r: (r["name"], r["location"])),
        "by_category": sorted(
            ({"category": cat, "name": category_rows.get(cat), **_figures(b)} for cat, b in by_category.items()),
            key=lambda r: (r["name"] is None, r["name"] or "", r["category"] or "")),
    }


def _figures(bucket: Bucket) -> dict[str, Any]:
    return {"value": bucket.value, "levels": bucket.levels, "uncosted_levels": bucket.uncosted_levels}


def _names(conn, table, workspace_id: str, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(conn.execute(select(table.c.id, table.c.name)
                             .where(table.c.workspace_id == workspace_id, table.c.id.in_(ids))).all())


@dataclass(frozen=True)
class ReorderFilters:
    supplier: str | None = None
    category: str | None = None
    kind: str | None = None
    status: str | None = None


def suggested_quantity(available: Decimal, incoming: Decimal, reorder_point: Decimal, safety_stock: Decimal,
                       reorder_quantity: Decimal) -> Decimal:
    """The fewest whole units that bring available + incoming above reorder point + safety stock,
    and at least the reorder quantity; 0 when what is incoming already does."""
    short = reorder_point + safety_stock - (available + incoming)
    if short < 0:
        return ZERO
    return max(reorder_quantity, short.to_integral_value(ROUND_FLOOR) + 1)


def _due_reserved():
    """Per item: reserved stock of reservations past expires_at that the worker has not marked
    yet. It no longer counts (SPEC), here as in every read."""
    return (
        select(func.coalesce(func.sum(reservations.c.quantity - reservations.c.fulfilled_quantity, type_=Micros()),
                             literal(0, Micros()), type_=Micros()))
        .where(reservations.c.workspace_id == items.c.workspace_id, reservations.c.item_id == items.c.id,
               reservations.c.status == "active", reservations.c.expires_at <= utcnow())
        .scalar_subquery()
    )


def reorder(db: Database, workspace_id: str, filters: ReorderFilters, page: PageRequest) -> Page:
    below = [StockStatus.LOW.value, StockStatus.CRITICAL.value, StockStatus.OUT_OF_STOCK.value]
    wanted = [filters.status] if filters.status else below
    due = _due_reserved()
    available = items.c.on_hand - items.c.reserved + due
    status = case(
        (available <= 0, StockStatus.OUT_OF_STOCK.value),
        (available <= items.c.safety_stock, StockStatus.CRITICAL.value),
        (available <= items.c.reorder_point, StockStatus.LOW.value),
        else_=StockStatus.NORMAL.value,
    )
    # The stored status narrows by index; expired reservations can only make an item better
    # off, so the status they leave is checked on those rows alone.
    stmt = select(items, due.label("due_reserved")).where(
        items.c.workspace_id == workspace_id, items.c.deleted_at.is_(None),
        items.c.tracking == Tracking.QUANTITY.value, ~items.c.has_variants, status.in_(wanted),
    )
    for column, value in (("supplier", filters.supplier), ("category_id", filters.category), ("kind", filters.kind)):
        if value is not None:
            stmt = stmt.where(items.c[column] == value)
    sort = Sort("sku", items.c.sku, items.c.id)
    with db.read() as conn:
        if page.offset:
            result = paginate(conn, stmt.where(items.c.status.in_(below)), sort, page)
        else:
            # A statement per stored status, each a range of ix_items_status_sku in SKU order: one
            # `status IN (…)` walked every item in SKU order until the page filled (264 ms for the
            # overview's ten at a million items; bench.web).
            result = paginate_parts(conn, [stmt.where(items.c.status == s) for s in below], sort, page)
    for row in result.rows:
        row["reserved"] -= row.pop("due_reserved")
        available = row["on_hand"] - row["reserved"]
        row["status"] = stock_status(available, row["safety_stock"], row["reorder_point"]).value
        row["suggested_quantity"] = suggested_quantity(available, row["incoming"], row["reorder_point"],
                                                       row["safety_stock"], row["reorder_quantity"])
    return result
