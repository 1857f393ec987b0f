"""Tax rates. An item's gross price is its net price * (1 + rate), rounded half-up to cents.
A new item without an explicit `tax_rate` gets the workspace's default rate, if one is set."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, false, select, update

from storekeeper.domain.clock import utcnow
from storekeeper.domain.errors import Code, Conflict
from storekeeper.domain.ids import new_id
from storekeeper.persistence.counters import take_numbers
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest, Sort, paginate
from storekeeper.persistence.rows import check_version, fetch, update_versioned
from storekeeper.persistence.tables import items, tax_rates
from storekeeper.services import journal
from storekeeper.services.common import lock_workspace, translate_integrity


def _duplicate_name():
    return Conflict("A tax rate with this name already exists.", code=Code.DUPLICATE_NAME)


_UNIQUE = {"uq_tax_rates_name": _duplicate_name, "tax_rates.name": _duplicate_name}


def _check_name_free(conn: Connection, workspace_id: str, name: str, except_id: str | None) -> None:
    stmt = select(tax_rates.c.id).where(tax_rates.c.workspace_id == workspace_id, tax_rates.c.name == name)
    if except_id:
        stmt = stmt.where(tax_rates.c.id != except_id)
    if conn.execute(stmt).first():
        raise _duplicate_name()


def _unset_default(conn: Connection, workspace_id: str) -> None:
    conn.execute(
        update(tax_rates)
        .where(tax_rates.c.workspace_id == workspace_id, tax_rates.c.is_default)
        .values(is_default=false(), updated_at=utcnow(), version=tax_rates.c.version + 1)
    )


def create_tax_rate(db: Database, workspace_id: str, data: dict[str, Any]) -> dict[str, Any]:
    now = utcnow()
    row = {
        "workspace_id": workspace_id,
        "id": new_id("tax_rate"),
        "is_default": False,
        **data,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    with db.write() as conn, translate_integrity(_UNIQUE):
        lock_workspace(conn, workspace_id)  # two new defaults at once would both insert one
        _check_name_free(conn, workspace_id, row["name"], None)
        if row["is_default"]:
            _unset_default(conn, workspace_id)
        take_numbers(conn, workspace_id, tax_rates, [row])
        conn.execute(tax_rates.insert().values(row))
        journal.created(conn, "tax_rate", row)
    return row


def list_tax_rates(db: Database, workspace_id: str, page: PageRequest) -> Page:
    stmt = select(tax_rates).where(tax_rates.c.workspace_id == workspace_id)
    with db.read() as conn:
        return paginate(conn, stmt, Sort("name", tax_rates.c.name, tax_rates.c.id), page)


def get_tax_rate(db: Database, workspace_id: str, tax_rate_id: str) -> dict[str, Any]:
    with db.read() as conn:
        return fetch(conn, tax_rates, workspace_id, tax_rate_id, "tax_rate")


def default_tax_rate_id(conn: Connection, workspace_id: str) -> str | None:
    return conn.execute(
        select(tax_rates.c.id).where(tax_rates.c.workspace_id == workspace_id, tax_rates.c.is_default)
    ).scalar()


def update_tax_rate(
    db: Database, workspace_id: str, tax_rate_id: str, changes: dict[str, Any], if_match: int | None = None
) -> dict[str, Any]:
    with db.write() as conn, translate_integrity(_UNIQUE):
        lock_workspace(conn, workspace_id)
        row = fetch(conn, tax_rates, workspace_id, tax_rate_id, "tax_rate", for_update=True)
        check_version(row, if_match)
        if "name" in changes:
            _check_name_free(conn, workspace_id, changes["name"], tax_rate_id)
        if changes.get("is_default") and not row["is_default"]:
            _unset_default(conn, workspace_id)
        updated = update_versioned(conn, tax_rates, row, changes)
        journal.updated(conn, "tax_rate", row, updated)
        return updated


def delete_tax_rate(db: Database, workspace_id: str, tax_rate_id: str, if_match: int | None = None) -> None:
    with db.write() as conn:
        row = fetch(conn, tax_rates, workspace_id, tax_rate_id, "tax_rate", for_update=True)
        check_version(row, if_match)
        journal.deleted(conn, "tax_rate", row)
        in_use = conn.execute(
            select(items.c.id)
            .where(
                items.c.workspace_id == workspace_id, items.c.tax_rate_id == tax_rate_id, items.c.deleted_at.is_(None)
            )
            .limit(1)
        ).first()
        if in_use:
            raise Conflict("Items still use this tax rate: give them another rate first.")
        conn.execute(
            items.update()
            .where(items.c.workspace_id == workspace_id, items.c.tax_rate_id == tax_rate_id)
            .values(tax_rate_id=None)
        )
        conn.execute(delete(tax_rates).where(tax_rates.c.workspace_id == workspace_id, tax_rates.c.id == tax_rate_id))


def rows_of(db: Database, workspace_id: str, ids: set[str | None]) -> dict[str, dict[str, Any]]:
    """Tax rates by id, in one query: what a page of items refers to."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    with db.read() as conn:
        rows = conn.execute(select(tax_rates).where(tax_rates.c.workspace_id == workspace_id,
                                             tax_rates.c.id.in_(wanted)))
        return {row["id"]: dict(row) for row in rows.mappings()}
