"""`storekeeper check`'s rules for the dashboard's running totals (migrations 0011, 0012, 0028;
persistence/totals.py): per location, by status and per day, each = what it sums of the levels,
items and movements. One query per rule and one read of the kept sums per workspace that has any."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, and_, func, select, type_coerce

from storekeeper.persistence import totals as kept_totals
from storekeeper.persistence.tables import items, movements, stock_levels
from storekeeper.persistence.types import Micros
from storekeeper.services.mismatches import Mismatch
from storekeeper.services.mismatches import scoped as _scoped

ZERO = Decimal(0)


def running_totals(conn, workspace_id: str | None) -> list[Mismatch]:
    """Every running total = what it sums."""
    return _by_location(conn, workspace_id) + _by_status(conn, workspace_id) + _by_day(conn, workspace_id)


def _by_location(conn, workspace_id: str | None) -> list[Mismatch]:
    """Per location: the live items with stock, their on-hand per unit, its value (multiplied
    here exactly, per cost) and the levels without a cost."""
    found = []
    on_hand = type_coerce(stock_levels.c.on_hand, BigInteger)
    cost = type_coerce(func.coalesce(items.c.average_cost, items.c.unit_cost), BigInteger)
    expected: dict[tuple[str, str], list] = {}
    rows = conn.execute(_scoped(
        select(stock_levels.c.workspace_id, stock_levels.c.location_id, cost.label("cost"), items.c.unit,
               func.count().label("levels"), func.sum(on_hand).label("on_hand"))
        .join(items, and_(items.c.workspace_id == stock_levels.c.workspace_id, items.c.id == stock_levels.c.item_id))
        .where(items.c.deleted_at.is_(None), stock_levels.c.on_hand != 0)
        .group_by(stock_levels.c.workspace_id, stock_levels.c.location_id, cost, items.c.unit),
        stock_levels.c.workspace_id, workspace_id))
    for r in rows:
        sums = expected.setdefault((r.workspace_id, r.location_id), [0, {}, 0, 0])
        sums[0] += r.levels
        sums[1][r.unit] = sums[1].get(r.unit, 0) + int(r.on_hand)
        sums[2] += int(r.on_hand) * int(r.cost) if r.cost is not None else 0
        sums[3] += r.levels if r.cost is None else 0
    for space in _kept_spaces(conn, workspace_id, expected, kept_totals.location_totals):
        kept, _ = kept_totals.by_location(conn, space)
        for location_id in sorted({loc for ws, loc in expected if ws == space} | kept.keys()):
            want = expected.get((space, location_id), [0, {}, 0, 0])
            have = kept.get(location_id, kept_totals.LocationTotals(0, {}, 0, 0))
            on_hand = [(f"location totals: on hand in {unit}", have.on_hand.get(unit, ZERO),
                        Decimal(want[1].get(unit, 0)) / 10**6) for unit in sorted(have.on_hand.keys() | want[1].keys())]
            for rule, recorded, should in (
                    ("location totals: items with stock", Decimal(have.items), Decimal(want[0])),
                    *on_hand,
                    ("location totals: value", have.value, kept_totals.from_pico(want[2])),
                    ("location totals: levels without a cost", Decimal(have.uncosted), Decimal(want[3]))):
                if recorded != should:
                    found.append(Mismatch(space, rule, "", location_id, recorded, should))
    return found


def _by_status(conn, workspace_id: str | None) -> list[Mismatch]:
    found = []
    counted: dict[tuple[str, str], int] = {
        (r.workspace_id, r.status): r.n for r in conn.execute(_scoped(
            select(items.c.workspace_id, items.c.status, func.count().label("n")).where(items.c.deleted_at.is_(None))
            .group_by(items.c.workspace_id, items.c.status), items.c.workspace_id, workspace_id))}
    for space in _kept_spaces(conn, workspace_id, counted, kept_totals.status_totals):
        kept, _ = kept_totals.by_status(conn, space)
        for status in sorted({s for ws, s in counted if ws == space} | kept.keys()):
            if kept.get(status, 0) != counted.get((space, status), 0):
                found.append(Mismatch(space, f"items by status: {status}", "", None,
                                      Decimal(kept.get(status, 0)), Decimal(counted.get((space, status), 0))))
    return found


def _by_day(conn, workspace_id: str | None) -> list[Mismatch]:
    """Per day and unit (of each item now): the net change of on-hand its movements made."""
    found = []
    day = kept_totals.day_of(conn.dialect.name)
    moved: dict[tuple[str, str, str], Decimal] = {
        (r.workspace_id, r.unit, r.day): r.delta for r in conn.execute(_scoped(
            select(movements.c.workspace_id, items.c.unit, day,
                   func.sum(movements.c.delta, type_=Micros()).label("delta"))
            .join(items, and_(items.c.workspace_id == movements.c.workspace_id, items.c.id == movements.c.item_id))
            .group_by(movements.c.workspace_id, items.c.unit, day), movements.c.workspace_id, workspace_id)) if r.delta}
    for space in _kept_spaces(conn, workspace_id, moved, kept_totals.day_totals):
        by_unit, _ = kept_totals.by_day(conn, space)
        kept_days = {(unit, d.isoformat()): delta for unit, days in by_unit.items() for d, delta in days.items()}
        for unit, when in sorted({(u, d) for ws, u, d in moved if ws == space} | kept_days.keys()):
            have = kept_days.get((unit, when), ZERO)
            if have != moved.get((space, unit, when), ZERO):
                found.append(Mismatch(space, f"on-hand change of {when} in {unit} = its movements", "", None,
                                      have, moved.get((space, unit, when), ZERO)))
    return found


def _kept_spaces(conn, workspace_id: str | None, counted: dict[tuple, Any], table) -> list[str]:
    """The workspaces to compare a running total's table in: the one asked for, or every one that
    has rows in it or something it should count (keys of `counted`: (workspace, ...))."""
    if workspace_id:
        return [workspace_id]
    kept = conn.execute(select(table.c.workspace_id).distinct()).scalars()
    return sorted({key[0] for key in counted} | set(kept))
