"""What the dashboard's overview and item pages show beyond the API's own reads: counts by
status, the stock's value, per-location figures and on-hand over time (per unit: kilograms are
never added to pieces), from the running totals that triggers keep (persistence/totals.py) and,
for one item, from its own levels and movements.
Each is a fixed number of statements, whatever the size of the workspace."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import bindparam, func, select

from storekeeper.domain.clock import utcnow
from storekeeper.domain.quantities import decimal_separator
from storekeeper.domain.stock import StockStatus
from storekeeper.persistence import counters, totals
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import movements, stock_levels, workspaces
from storekeeper.persistence.types import Micros

ZERO = Decimal(0)


def status_counts(db: Database, workspace_id: str) -> dict[str, int]:
    """Live items by status (normal, low, critical, out_of_stock; an untracked item counts as
    normal, a parent by its variants' sums), and all live items: read from the running totals
    (migration 0011), not counted."""
    counts = {status.value: 0 for status in StockStatus}
    with db.read() as conn:
        kept, rows = totals.by_status(conn, workspace_id)
        counts["items"] = counters.value(conn, workspace_id, counters.ITEMS_LIVE)
    counts.update(kept)
    _fold_if_many(db, workspace_id, rows - len(kept))
    return counts


def _fold_if_many(db: Database, workspace_id: str, unfolded: int) -> None:
    """Fold the running totals a reader found many rows of beyond one per location, status or
    day (the worker keeps them few)."""
    if unfolded > totals.FOLD_AFTER_ROWS:
        with db.write() as conn:
            totals.fold(conn, workspace_id)


def fold_totals(db: Database) -> int:
    """Fold the running totals of the workspaces with more than a few rows; how many. Run by the
    worker."""
    with db.read() as conn:
        workspace_ids = totals.workspaces_to_fold(conn)
    for workspace_id in workspace_ids:
        with db.write() as conn:
            totals.fold(conn, workspace_id)
    return len(workspace_ids)


def on_hand_series(db: Database, workspace_id: str, days: int = 30,
                   now: datetime | None = None) -> dict[str, list[tuple[date, Decimal]]]:
    """{unit: on hand at the end of each of the last `days` days (today: now)} for the units the
    workspace's items have held stock in (pieces alone while there is none): today's on-hand less
    what the movements after each day's end added, from the on-hand change per day and unit the
    movements' trigger keeps (migrations 0012, 0028). Kilograms are never added to pieces."""
    with db.read() as conn:
        by_unit, rows = totals.by_day(conn, workspace_id)
    _fold_if_many(db, workspace_id, rows - sum(len(by_day) for by_day in by_unit.values()))
    ordered = sorted(by_unit, key=totals.unit_order) or ["pcs"]
    return {unit: _series(by_unit.get(unit, {}), days, now) for unit in ordered}


def item_on_hand_series(db: Database, workspace_id: str, item_id: str, days: int = 30,
                        now: datetime | None = None) -> list[tuple[date, Decimal]]:
    """One item's on hand at the end of each of the last `days` days, from its levels and its
    movements of the period (its own index)."""
    first = (now or utcnow()).date() - timedelta(days=days - 1)
    with db.read() as conn:
        total = conn.execute(select(func.coalesce(func.sum(stock_levels.c.on_hand), 0, type_=Micros())).where(
            stock_levels.c.workspace_id == workspace_id, stock_levels.c.item_id == item_id)).scalar_one()
        day = totals.day_of(db.dialect)
        # The item's own movements by its index: SQLite, without statistics, read the period's
        # movements of every item by occurred_at instead (0.3-0.5 s at a million), so the time
        # is compared through coalesce(), which no index serves.
        occurred = func.coalesce(movements.c.occurred_at, movements.c.occurred_at)
        stmt = (select(day, func.sum(movements.c.delta, type_=Micros()))
                .where(movements.c.workspace_id == workspace_id, movements.c.item_id == item_id,
                       occurred >= datetime.combine(first, datetime.min.time(), UTC))
                .group_by(day))
        by_day = {date.fromisoformat(text_day): delta for text_day, delta in conn.execute(stmt)}
    return _series(by_day, days, now, total=total)


def _series(by_day: dict[date, Decimal], days: int, now: datetime | None,
            total: Decimal | None = None) -> list[tuple[date, Decimal]]:
    """On hand at each day's end, walking back from today's `total` (all of `by_day` when None:
    the changes of every day ever) through each later day's change."""
    today = (now or utcnow()).date()
    if total is None:
        total = sum(by_day.values(), ZERO)
    series = []
    later = sum((delta for day, delta in by_day.items() if day > today), ZERO)  # clocks a little ahead
    for n in range(days):
        day = today - timedelta(days=n)
        series.append((day, total - later))
        later += by_day.get(day, ZERO)
    return series[::-1]


def _location_totals(db: Database, workspace_id: str) -> dict[str, totals.LocationTotals]:
    with db.read() as conn:
        kept, rows = totals.by_location(conn, workspace_id)
    _fold_if_many(db, workspace_id, rows - len(kept))
    return kept


def stock_value(db: Database, workspace_id: str) -> dict[str, Any]:
    """The stock's value at average cost (standard cost while there is none), to the cent, from
    the running totals (exact; /v1/reports/valuation is the report per location and category).
    Levels whose item has no cost are counted apart."""
    kept = _location_totals(db, workspace_id)
    currency = workspace_currency(db, workspace_id)
    pico = sum(t.value_pico for t in kept.values())
    value = totals.from_pico(pico).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {"value": value, "uncosted_levels": sum(t.uncosted for t in kept.values()), "currency": currency}


def stock_by_location(db: Database, workspace_id: str,
                      location_ids: list[str]) -> dict[str, tuple[int, dict[str, Decimal]]]:
    """{location id: (live items with stock there, {unit: their on-hand in it})} for those of the
    locations with any, from the running totals."""
    kept = _location_totals(db, workspace_id) if location_ids else {}
    return {location_id: (kept[location_id].items, kept[location_id].on_hand)
            for location_id in location_ids if location_id in kept and kept[location_id].items}


def as_chart(series: list[tuple[date, Decimal]]) -> dict[str, Any]:
    """The series for the chart: unix seconds (noon of each day) and floats (a chart's precision)."""
    return {"x": [int(datetime.combine(day, datetime.min.time(), UTC).timestamp()) + 43_200 for day, _ in series],
            "y": [float(value) for _, value in series]}


_CURRENCY = select(workspaces.c.currency, workspaces.c.settings).where(workspaces.c.workspace_id == bindparam("ws"))


def workspace_currency(db: Database, workspace_id: str) -> str:
    """The workspace's currency, for the sums of money its pages show."""
    return _currency_and_settings(db, workspace_id)[0]


def workspace_decimal_mark(db: Database, workspace_id: str) -> str:
    """The decimal mark its pages write and read numbers with: its `decimal_mark` setting, or
    its currency's custom (domain.quantities)."""
    currency, settings = _currency_and_settings(db, workspace_id)
    return decimal_separator(currency, (settings or {}).get("decimal_mark"))


def _currency_and_settings(db: Database, workspace_id: str) -> tuple[str, dict | None]:
    with db.read() as conn:
        currency, settings = conn.execute(_CURRENCY, {"ws": workspace_id}).one()
    return currency, settings
