"""Row helpers every resource uses: fetch one within a workspace (by id, or by its number), check
and bump `version`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, select, true, update

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


def _live(table: Table) -> ColumnElement[bool]:
    return table.c.deleted_at.is_(None) if "deleted_at" in table.c else true()


def fetch_by_number(conn: Connection, table: Table, workspace_id: str, number: int, resource: str,
                    *also: ColumnElement[bool], for_update: bool = False) -> dict[str, Any]:
    """The row numbered `number` in the workspace (tables._number; its unique index) meeting
    `also`, or NotFound naming `#number` — also when it is in the trash."""
    stmt = select(table).where(table.c.workspace_id == workspace_id, table.c.number == number, _live(table), *also)
    if for_update:
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).mappings().first()
    if row is None:
        raise NotFound(resource, f"#{number}")
    return dict(row)


def ids_by_number(conn: Connection, table: Table, workspace_id: str, numbers: Iterable[int],
                  *also: ColumnElement[bool]) -> dict[int, str]:
    """{number: id} of the workspace's rows with these numbers, not in the trash and meeting
    `also`, in one query (an IN list on the unique index); a number of no such row is left out."""
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    return dict(conn.execute(select(table.c.number, table.c.id).where(
        table.c.workspace_id == workspace_id, table.c.number.in_(wanted), _live(table), *also)).all())


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
