"""What the dashboard's overview and item pages show beyond the API's own reads: counts by
status and on-hand over time, rebuilt from the ledger. Each is a fixed number of statements,
whatever the size of the workspace; the series read only the movements of the period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, select

from storekeeper.domain.clock import utcnow
from storekeeper.domain.stock import StockStatus, Tracking
from storekeeper.persistence import counters
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import items, movements, stock_levels
from storekeeper.persistence.types import Micros

ZERO = Decimal(0)


def status_counts(db: Database, workspace_id: str) -> dict[str, int]:
    """Live stocked items by status (normal, low, critical, out_of_stock), and all live items."""
    stocked = and_(items.c.workspace_id == workspace_id, items.c.deleted_at.is_(None),
                   items.c.tracking != Tracking.NONE.value, ~items.c.has_variants)
    with db.read() as conn:
        counts = {status.value: 0 for status in StockStatus}
        # Each status is its own index range (workspace, status, id): no walk of the workspace.
        for status in StockStatus:
            counts[status.value] = conn.execute(
                select(func.count()).select_from(items).where(stocked, items.c.status == status.value)).scalar_one()
        counts["items"] = counters.value(conn, workspace_id, counters.ITEMS_LIVE)
        counts["stocked"] = counters.value(conn, workspace_id, counters.ITEMS_STOCKED)
    return counts


def _day_starts(days: int, today: date) -> list[datetime]:
    """The end of each of the last `days` days (midnight UTC after it), oldest first; the last is now."""
    return [datetime.combine(today - timedelta(days=days - 1 - n), datetime.min.time(), UTC) + timedelta(days=1)
            for n in range(days)]


def on_hand_series(db: Database, workspace_id: str, days: int = 30, item_id: str | None = None,
                   now: datetime | None = None) -> list[tuple[date, Decimal]]:
    """On hand at the end of each of the last `days` days (today: now), from the ledger: today's
    on-hand, less the movements that occurred after each day's end. One statement for the
    levels, one for the period's movements, summed per day in SQL."""
    now = now or utcnow()
    ends = _day_starts(days, now.date())
    start = ends[0] - timedelta(days=1)
    level_filter = [stock_levels.c.workspace_id == workspace_id]
    movement_filter = [movements.c.workspace_id == workspace_id, movements.c.occurred_at >= start]
    if item_id is not None:
        level_filter.append(stock_levels.c.item_id == item_id)
        movement_filter.append(movements.c.item_id == item_id)
    # For each day's end: what the movements after it added (occurred_at > end), in one pass.
    after = [func.coalesce(func.sum(case((movements.c.occurred_at >= end, movements.c.delta), else_=0)), 0,
                           type_=Micros()).label(f"d{n}") for n, end in enumerate(ends)]
    with db.read() as conn:
        total = conn.execute(select(func.coalesce(func.sum(stock_levels.c.on_hand), 0, type_=Micros()))
                             .where(*level_filter)).scalar_one()
        row = conn.execute(select(*after).where(*movement_filter)).one()
    return [((end - timedelta(days=1)).date(), total - row[n]) for n, end in enumerate(ends)]


def as_chart(series: list[tuple[date, Decimal]]) -> dict[str, Any]:
    """The series for the chart: unix seconds (noon of each day) and floats (a chart's precision)."""
    return {"x": [int(datetime.combine(day, datetime.min.time(), UTC).timestamp()) + 43_200 for day, _ in series],
            "y": [float(value) for _, value in series]}
