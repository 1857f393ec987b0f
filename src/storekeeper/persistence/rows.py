"""Row helpers every resource uses: fetch one within a workspace, check and bump `version`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, select, update

from storekeeper.domain.clock import utcnow
from storekeeper.domain.errors import NotFound, PreconditionFailed


def fetch(
    conn: Connection,
    table: Table,
    workspace_id: str,
    row_id: str,
    resource: str,
    *,
    for_update: bool = False,
) -> dict[str, Any]:
    """The row, or NotFound — also when it is in the trash or in another workspace."""
    stmt = select(table).where(table.c.workspace_id == workspace_id, table.c.id == row_id)
    if "deleted_at" in table.c:
        stmt = stmt.where(table.c.deleted_at.is_(None))
    if for_update:
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).mappings().first()
    if row is None:
        raise NotFound(resource, row_id)
    return dict(row)


def check_version(row: dict[str, Any], if_match: int | None) -> None:
    if if_match is not None and if_match != row["version"]:
        raise PreconditionFailed(row["version"])


def update_versioned(conn: Connection, table: Table, row: dict[str, Any], values: dict[str, Any], *,
                     touch: bool = False) -> dict[str, Any]:
    """Write `values` (only those that differ), bump `version` and `updated_at`; return the new row.
    Nothing is written when nothing differs, unless `touch` says the resource changed anyway (an
    order whose lines, kept in a table of their own, changed).

    The WHERE on the old version makes a concurrent change of the same row fail loudly instead
    of being overwritten (the caller read the row under a lock or in the same transaction).
    """
    values = {k: v for k, v in values.items() if row.get(k) != v}
    if not values and not touch:
        return row
    values["version"] = row["version"] + 1
    values.setdefault("updated_at", utcnow())  # a caller's own `now`, when a field it sets shows it too
    result = conn.execute(
        update(table)
        .where(table.c.workspace_id == row["workspace_id"], table.c.id == row["id"], table.c.version == row["version"])
        .values(values)
    )
    if result.rowcount != 1:
        raise PreconditionFailed(row["version"] + 1)
    return {**row, **values}
