"""The running totals the triggers of migrations 0011, 0012 and 0028 keep: per location (items
with stock, their on-hand per unit, its value, the levels without a cost), live items by status
and the net change of on-hand per day and unit. Quantities are only ever summed within one unit
(kilograms are never added to pieces); values are money and sum across units. Read as the sums
of a workspace's rows, in one statement whatever the size of the workspace; `fold` replaces the
rows by their sums (the worker does it every few seconds, a reader when it finds many)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext

from sqlalchemy import BigInteger, Connection, String, bindparam, func, select, text, type_coerce

from storekeeper.domain.quantities import from_micros
from storekeeper.persistence.tables import day_totals, location_totals, movements, status_totals

MICRO = 10**6
# A reader that sums more rows than this folds them (after answering): the sums stay a few
# milliseconds when no worker runs, as after an import of a million levels.
FOLD_AFTER_ROWS = 5_000


@dataclass(frozen=True)
class LocationTotals:
    items: int  # live items with stock here (on-hand not 0)
    on_hand: dict[str, Decimal]  # {unit: on-hand of the items in it}, units with any
    value_pico: int  # their value, in 10**-12 of money: exact
    uncosted: int  # levels with stock whose item has no cost

    @property
    def value(self) -> Decimal:
        return from_pico(self.value_pico)


def from_pico(n: int) -> Decimal:
    """10**-12 units as an exact Decimal (up to 80 digits)."""
    with localcontext() as ctx:
        ctx.prec = 80
        return Decimal(n) / 10**12


def _int(value) -> int:
    return int(value or 0)


_BY_LOCATION = (
    select(location_totals.c.location_id,
           func.sum(location_totals.c["items"], type_=BigInteger).label("items"),
           func.sum(location_totals.c.on_hand).label("on_hand"),
           func.sum(location_totals.c.value_units).label("value_units"),
           func.sum(location_totals.c.value).label("value"),
           func.sum(location_totals.c.value_rest).label("value_rest"),
           func.sum(location_totals.c.uncosted, type_=BigInteger).label("uncosted"),
           location_totals.c.unit, func.count().label("rows"))
    .where(location_totals.c.workspace_id == bindparam("ws"))
    .group_by(location_totals.c.location_id, location_totals.c.unit)
)
_BY_STATUS = (
    select(status_totals.c.status, func.sum(status_totals.c["items"], type_=BigInteger).label("items"),
           func.count().label("rows"))
    .where(status_totals.c.workspace_id == bindparam("ws"))
    .group_by(status_totals.c.status)
)


def day_of(dialect: str):
    """A movement's day (UTC) as `YYYY-MM-DD` text, in SQL, as the trigger of 0012 writes it."""
    if dialect == "sqlite":  # stored as naive UTC text, `YYYY-MM-DD HH:MM:SS…`
        return func.substr(type_coerce(movements.c.occurred_at, String), 1, 10).label("day")
    return func.to_char(func.timezone("UTC", movements.c.occurred_at), "YYYY-MM-DD").label("day")


_BY_DAY = (
    select(day_totals.c.unit, day_totals.c.day, func.sum(day_totals.c.on_hand).label("on_hand"),
           func.count().label("rows"))
    .where(day_totals.c.workspace_id == bindparam("ws"))
    .group_by(day_totals.c.unit, day_totals.c.day)
)


def by_day(conn: Connection, workspace_id: str) -> tuple[dict[str, dict[date, Decimal]], int]:
    """({unit: {day: the net change of on-hand its movements made}} for days with any, rows
    summed). All days of a unit together are the workspace's on-hand in it."""
    changes: dict[str, dict[date, Decimal]] = {}
    rows = 0
    for r in conn.execute(_BY_DAY, {"ws": workspace_id}):
        rows += r.rows
        if r.on_hand:
            changes.setdefault(r.unit, {})[date.fromisoformat(r.day)] = from_micros(int(r.on_hand))
    return changes, rows


def by_location(conn: Connection, workspace_id: str) -> tuple[dict[str, LocationTotals], int]:
    """({location id: its totals} for locations with any stock counted, rows summed). The query
    answers a row per location and unit: the counts and the value add up across units, the
    on-hand stays per unit."""
    grouped: dict[str, list] = {}
    rows = 0
    for r in conn.execute(_BY_LOCATION, {"ws": workspace_id}):
        rows += r.rows
        grouped.setdefault(r.location_id, []).append(r)
    totals = {}
    for location_id, units in grouped.items():
        kept = LocationTotals(
            sum(_int(u.items) for u in units),
            {u.unit: from_micros(_int(u.on_hand)) for u in sorted(units, key=lambda u: unit_order(u.unit))
             if _int(u.on_hand)},
            sum((_int(u.value_units) * MICRO + _int(u.value)) * MICRO + _int(u.value_rest) for u in units),
            sum(_int(u.uncosted) for u in units))
        if kept.items or kept.on_hand or kept.value_pico or kept.uncosted:
            totals[location_id] = kept
    return totals, rows


def unit_order(unit: str) -> tuple[bool, str]:
    """Pieces first, then the other units by code: the order pages list per-unit sums in."""
    return unit != "pcs", unit


def by_status(conn: Connection, workspace_id: str) -> tuple[dict[str, int], int]:
    """({status: live items} for statuses with any, rows summed)."""
    counts, rows = {}, 0
    for r in conn.execute(_BY_STATUS, {"ws": workspace_id}):
        rows += r.rows
        if r.items:
            counts[r.status] = int(r.items)
    return counts, rows


# Replace a workspace's rows by their sums. On PostgreSQL in one statement: the rows it deletes
# are exactly the ones it sums, whatever commits meanwhile (rows of transactions still open are
# not seen, and stay for the next fold); two folds at once each sum the rows they deleted. On
# SQLite, whose writers take turns, up to the last row there is.
_FOLD = {
    "postgresql": {
        "location_totals": text(
            "WITH gone AS (DELETE FROM location_totals WHERE workspace_id = :ws RETURNING *),"
            " summed AS (SELECT workspace_id, location_id, unit, sum(items) AS items, sum(on_hand) AS on_hand,"
            " (sum(value_units) * 1000000 + sum(value)) * 1000000 + sum(value_rest) AS pico,"
            " sum(uncosted) AS uncosted FROM gone GROUP BY workspace_id, location_id, unit)"
            " INSERT INTO location_totals (workspace_id, location_id, items, on_hand, value_units, value, value_rest,"
            " uncosted, unit) SELECT workspace_id, location_id, items, on_hand, div(pico, 1000000000000),"
            " div(mod(pico, 1000000000000), 1000000), mod(pico, 1000000), uncosted, unit FROM summed"
            " WHERE items <> 0 OR on_hand <> 0 OR pico <> 0 OR uncosted <> 0"),
        "status_totals": text(
            "WITH gone AS (DELETE FROM status_totals WHERE workspace_id = :ws RETURNING *)"
            " INSERT INTO status_totals (workspace_id, status, items)"
            " SELECT workspace_id, status, sum(items) FROM gone GROUP BY workspace_id, status"
            " HAVING sum(items) <> 0"),
        "day_totals": text(
            "WITH gone AS (DELETE FROM day_totals WHERE workspace_id = :ws RETURNING *)"
            " INSERT INTO day_totals (workspace_id, day, unit, on_hand)"
            " SELECT workspace_id, day, unit, sum(on_hand) FROM gone GROUP BY workspace_id, day, unit"
            " HAVING sum(on_hand) <> 0"),
    },
    "sqlite": {
        "location_totals": [
            # The parts carried over (with truncating / and %, x = x / M * M + x % M whatever the signs).
            text("INSERT INTO location_totals (workspace_id, location_id, items, on_hand, value_units, value,"
                 " value_rest, uncosted, unit)"
                 " SELECT workspace_id, location_id, items, on_hand, units + (micro + rest / 1000000) / 1000000,"
                 " (micro + rest / 1000000) % 1000000, rest % 1000000, uncosted, unit FROM ("
                 " SELECT workspace_id, location_id, unit, sum(items) AS items, sum(on_hand) AS on_hand,"
                 " sum(value_units) AS units, sum(value) AS micro, sum(value_rest) AS rest, sum(uncosted) AS uncosted"
                 " FROM location_totals WHERE workspace_id = :ws AND rowid <= :last GROUP BY location_id, unit)"
                 " WHERE items <> 0 OR on_hand <> 0 OR units <> 0 OR micro <> 0 OR rest <> 0 OR uncosted <> 0"),
            text("DELETE FROM location_totals WHERE workspace_id = :ws AND rowid <= :last"),
        ],
        "status_totals": [
            text("INSERT INTO status_totals (workspace_id, status, items)"
                 " SELECT workspace_id, status, sum(items) FROM status_totals"
                 " WHERE workspace_id = :ws AND rowid <= :last GROUP BY status HAVING sum(items) <> 0"),
            text("DELETE FROM status_totals WHERE workspace_id = :ws AND rowid <= :last"),
        ],
        "day_totals": [
            text("INSERT INTO day_totals (workspace_id, day, unit, on_hand)"
                 " SELECT workspace_id, day, unit, sum(on_hand) FROM day_totals"
                 " WHERE workspace_id = :ws AND rowid <= :last GROUP BY day, unit HAVING sum(on_hand) <> 0"),
            text("DELETE FROM day_totals WHERE workspace_id = :ws AND rowid <= :last"),
        ],
    },
}


def fold(conn: Connection, workspace_id: str) -> None:
    """Replace the workspace's rows of the three tables by one row per location and unit, status,
    and day and unit (none where the sums are all 0). The totals read the same before and after."""
    statements = _FOLD[conn.dialect.name]
    for table in ("location_totals", "status_totals", "day_totals"):
        if conn.dialect.name == "postgresql":
            conn.execute(statements[table], {"ws": workspace_id})
            continue
        last = conn.execute(text(f"SELECT max(rowid) FROM {table} WHERE workspace_id = :ws"),
                            {"ws": workspace_id}).scalar()
        if last is not None:
            for statement in statements[table]:
                conn.execute(statement, {"ws": workspace_id, "last": last})


_TO_FOLD = text(
    "SELECT workspace_id FROM location_totals GROUP BY workspace_id"
    " HAVING count(*) > count(DISTINCT location_id || '/' || unit) + :n"
    " UNION SELECT workspace_id FROM status_totals GROUP BY workspace_id HAVING count(*) > count(DISTINCT status) + :n"
    " UNION SELECT workspace_id FROM day_totals GROUP BY workspace_id"
    " HAVING count(*) > count(DISTINCT day || '/' || unit) + :n")


def workspaces_to_fold(conn: Connection, more_than: int = 100) -> list[str]:
    """The workspaces with more than `more_than` rows to fold in a table (beyond the one per
    location and unit, status, or day and unit that folding leaves)."""
    return list(conn.execute(_TO_FOLD, {"n": more_than}).scalars())
