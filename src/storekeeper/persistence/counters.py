"""Per-workspace counters: the ledger's movement sequence, order numbers."""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storekeeper.persistence.tables import counters


def _insert(conn: Connection):
    return (sqlite_insert if conn.dialect.name == "sqlite" else pg_insert)(counters)


def bump(conn: Connection, workspace_id: str, name: str, n: int = 1) -> int:
    """Add n to the workspace's counter `name` (creating it) and return its new value. The row
    stays locked until commit: concurrent bumps of one counter wait for each other."""
    stmt = _insert(conn).values(workspace_id=workspace_id, name=name, value=n)
    stmt = stmt.on_conflict_do_update(
        index_elements=[counters.c.workspace_id, counters.c.name], set_={"value": counters.c.value + n}
    ).returning(counters.c.value)
    return conn.execute(stmt).scalar_one()


def bump_many(conn: Connection, workspace_id: str, amounts: list[tuple[str, int]]) -> dict[str, int]:
    """`bump` several counters of a workspace in one statement, locking their rows in the order
    given (every caller must give the same order); returns {name: new value}."""
    stmt = _insert(conn).values([{"workspace_id": workspace_id, "name": name, "value": n} for name, n in amounts])
    stmt = stmt.on_conflict_do_update(
        index_elements=[counters.c.workspace_id, counters.c.name],
        set_={"value": counters.c.value + stmt.excluded.value},
    ).returning(counters.c.name, counters.c.value)
    return {name: value for name, value in conn.execute(stmt)}
