"""Helpers every use case shares."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Table, delete, select
from sqlalchemy.exc import IntegrityError

from storekeeper.domain.clock import utcnow
from storekeeper.domain.errors import StorekeeperError
from storekeeper.persistence.database import Database, violated_constraint
from storekeeper.persistence.tables import workspaces


@contextmanager
def translate_integrity(mapping: dict[str, Callable[[], StorekeeperError]]) -> Iterator[None]:
    """Turn a uniqueness violation into its typed error. Keys match the PostgreSQL constraint
    name or SQLite's `table.column` text. Checks before writing give the friendly error in the
    common case; this catches the race in which two transactions both passed the check."""
    try:
        yield
    except IntegrityError as exc:
        text = violated_constraint(exc)
        for needle, make in mapping.items():
            if needle in text:
                raise make() from None
        raise


def lock_workspace(conn: Connection, workspace_id: str) -> None:
    """Serialize the writes that keep a rule spanning rows of one workspace ("exactly one default
    location"): under READ COMMITTED two of them would both see no default and both insert one.
    Take it first in the transaction, before any row lock, so that lock order is always
    workspace, then rows. On SQLite the write transaction's BEGIN IMMEDIATE already serializes.

    FOR NO KEY UPDATE, not FOR UPDATE: every insert of a row that refers to the workspace (an
    audit row, an event) takes a KEY SHARE lock on it, which FOR UPDATE would wait for — a
    writer holding items and inserting its audit row would deadlock with one holding this lock
    and waiting for the items."""
    conn.execute(select(workspaces.c.workspace_id).where(workspaces.c.workspace_id == workspace_id)
                 .with_for_update(key_share=True))


def purge_expired_rows(db: Database, table: Table) -> int:
    """Delete a table's rows whose `expires_at` has passed, one workspace (and transaction) at a
    time, so that each delete reads the (workspace_id, expires_at) index and holds the write
    lock briefly."""
    from storekeeper.services.workspaces import workspace_ids

    now, purged = utcnow(), 0
    for workspace_id in workspace_ids(db):
        with db.write() as conn:
            purged += conn.execute(delete(table).where(
                table.c.workspace_id == workspace_id, table.c.expires_at <= now)).rowcount
    return purged
