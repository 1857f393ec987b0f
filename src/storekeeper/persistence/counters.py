"""Per-workspace counters: the sequences of movements and of the change feed's events, order
numbers, the numbers of rows (`take_numbers`); and `insert_numbered`, which takes the sequences
as a transaction's last statements. Also the counts of items that triggers keep (migration
0006): the lists' default totals, read instead of counted."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import ColumnElement, Connection, Insert, Table, and_, bindparam, literal_column, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storekeeper.persistence.tables import counters, items

_INSERTS = {"sqlite": sqlite_insert, "postgresql": pg_insert}


def _bumping(dialect_insert):
    return dialect_insert(counters).values(
        workspace_id=bindparam("ws"), name=bindparam("name"), value=bindparam("n")
    ).on_conflict_do_update(
        index_elements=[counters.c.workspace_id, counters.c.name],
        set_={"value": counters.c.value + literal_column("excluded.value")},
    ).returning(counters.c.value)


_BUMP = {dialect: _bumping(dialect_insert) for dialect, dialect_insert in _INSERTS.items()}


def bump(conn: Connection, workspace_id: str, name: str, n: int = 1) -> int:
    """Add n to the workspace's counter `name` (creating it) and return its new value. The row
    stays locked until commit: concurrent bumps of one counter wait for each other."""
    return conn.execute(_BUMP[conn.dialect.name], {"ws": workspace_id, "name": name, "n": n}).scalar_one()


@functools.cache
def _bumping_many(dialect: str, count: int) -> Insert:
    """One statement bumping `count` counters (rows in the order given, which is the order
    PostgreSQL locks them in), returning each counter's name and new value."""
    insert = _INSERTS[dialect](counters).values([
        {"workspace_id": bindparam("ws"), "name": bindparam(f"name{i}"), "value": bindparam(f"n{i}")}
        for i in range(count)])
    return insert.on_conflict_do_update(
        index_elements=[counters.c.workspace_id, counters.c.name],
        set_={"value": counters.c.value + literal_column("excluded.value")},
    ).returning(counters.c.name, counters.c.value)


def bump_all(conn: Connection, workspace_id: str, amounts: list[tuple[str, int]]) -> dict[str, int]:
    """Bump several counters (distinct names) in one statement, in the order given: {name: its
    new value}. A stock change numbers its movements and its events with one statement, not two."""
    if len(amounts) == 1:
        name, n = amounts[0]
        return {name: bump(conn, workspace_id, name, n)}
    if not amounts:
        return {}
    params: dict[str, Any] = {"ws": workspace_id}
    for i, (name, n) in enumerate(amounts):
        params.update({f"name{i}": name, f"n{i}": n})
    return {name: value for name, value in conn.execute(_bumping_many(conn.dialect.name, len(amounts)), params)}


# The counts the triggers of migration 0006 keep, and the items each counts (which the check
# compares with a real count). Their SQL there says the same.
MOVEMENTS = "movements"  # also the number of the workspace's movements (see value())
ITEMS_LIVE = "items_live"  # GET /v1/items, unfiltered
ITEMS_STOCKED = "items_stocked"  # GET /v1/stock, unfiltered
KEPT_COUNTS: dict[str, ColumnElement[bool]] = {
    ITEMS_LIVE: and_(items.c.deleted_at.is_(None), items.c.purged_at.is_(None)),
    ITEMS_STOCKED: and_(items.c.deleted_at.is_(None), items.c.tracking != "none", ~items.c.has_variants),
}

_VALUE = select(counters.c.value).where(counters.c.workspace_id == bindparam("ws"),
                                        counters.c.name == bindparam("name"))


def value(conn: Connection, workspace_id: str, name: str) -> int:
    """The counter's value (0 if it was never bumped). The movements counter is also the number of
    the workspace's movements: they are numbered from 1 without gaps and never deleted."""
    return conn.execute(_VALUE, {"ws": workspace_id, "name": name}).scalar() or 0


def insert_numbered(conn: Connection, workspace_id: str, numbered: list[tuple[str, Table, list[dict[str, Any]]]],
                    plain: list[tuple[Table, list[dict[str, Any]]]] = (), *,
                    reserve: list[tuple[str, int]] = ()) -> dict[str, int]:
    """Insert the rows of each (counter, table, rows) of `numbered`, giving them the next values
    of the workspace's counter as their `sequence` (filled in each row dict too), and the rows
    of `plain` as they are. `reserve` (counter, n) takes n more values of other counters, for
    rows the caller numbers and inserts itself. Returns {counter: its new value}. Counter rows
    are locked in the order of `numbered`, then `reserve`: every caller must take the counters
    it shares with others in the same order.

    The counters stay locked until commit, and every writer of the workspace waits for them, so
    they are taken last: the plain rows go first, then the counters (one statement), then the
    numbered rows, each table in one prebuilt statement (psycopg sends its rows in a pipeline).
    (One statement bumping the counters and inserting every row as data-modifying CTEs held the
    counters for fewer round trips on PostgreSQL, but SQLAlchemy compiled it anew for every
    write: 2-3 ms of CPU for one adjustment, 600 ms for a bulk of 500, and no more adjustments
    a second at 32 clients.)"""
    numbered = [(name, table, rows) for name, table, rows in numbered if rows]
    amounts = [(name, len(rows)) for name, _, rows in numbered] + [(name, n) for name, n in reserve if n]
    for table, rows in plain:
        if rows:
            conn.execute(_insert(table), rows)
    last = bump_all(conn, workspace_id, amounts)
    for name, table, rows in numbered:
        number(rows, last[name])
        conn.execute(_insert(table), rows)
    return last


@functools.cache
def _insert(table: Table) -> Insert:
    """The table's INSERT, built once."""
    return table.insert()


def number(rows: list[dict[str, Any]], last: int, column: str = "sequence") -> None:
    """Number the rows (their `sequence`) up to `last`, a counter's value after taking len(rows)."""
    for offset, row in enumerate(rows):
        row[column] = last - len(rows) + 1 + offset


def take_numbers(conn: Connection, workspace_id: str, table: Table, rows: list[dict[str, Any]]) -> None:
    """Give new rows of a numbered table (tables._number) the workspace's next numbers, in one
    statement however many rows: the counter named after the table, bumped by len(rows). Call
    it right before inserting the rows. Its row stays locked until commit, so the writers that
    add rows to the table wait for each other from here on, and nobody else does: no stock
    change takes these counters. For `items` that adds no wait: the insert's own trigger (0006)
    takes the `items_live` counter a statement later anyway. A rolled-back transaction gives its
    numbers back; a committed row keeps its number, deleted or not, and no row gets it again."""
    if rows:
        number(rows, bump(conn, workspace_id, table.name, len(rows)), "number")
