"""Categories: a tree of names (unique among siblings) that items belong to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, func, select

from storekeeper.domain.clock import utcnow
from storekeeper.domain.errors import Code, Conflict, ValidationFailed
from storekeeper.domain.ids import new_id
from storekeeper.persistence.counters import take_numbers
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest, Sort, paginate
from storekeeper.persistence.rows import check_version, fetch, update_versioned
from storekeeper.persistence.tables import categories
from storekeeper.services import item_categories, journal
from storekeeper.services.common import translate_integrity

MAX_DEPTH = 32


def _duplicate_name():
    return Conflict("A category with this name already exists under the same parent.", code=Code.DUPLICATE_NAME)


_UNIQUE = {"uq_categories_name": _duplicate_name, "categories.name": _duplicate_name}


def _check_name_free(conn: Connection, workspace_id: str, name: str, parent_id: str | None, except_id: str | None):
    stmt = select(categories.c.id).where(
        categories.c.workspace_id == workspace_id,
        categories.c.name == name,
        categories.c.parent_id.is_(None) if parent_id is None else categories.c.parent_id == parent_id,
    )
    if except_id:
        stmt = stmt.where(categories.c.id != except_id)
    if conn.execute(stmt).first():
        raise _duplicate_name()


def _check_parent(
    conn: Connection, workspace_id: str, parent_id: str | None, category_id: str | None, height: int = 0
) -> None:
    """The parent exists and is not the category itself nor one of its descendants, and the
    category with the `height` levels of subcategories below it still fits in MAX_DEPTH levels."""
    depth = 0  # levels from the top down to the parent
    current = parent_id
    while current is not None:
        if current == category_id:
            raise ValidationFailed({"parent": ["A category cannot be inside itself or its own subcategory."]})
        depth += 1
        if depth + 1 + height > MAX_DEPTH:
            raise ValidationFailed({"parent": [f"Categories nest at most {MAX_DEPTH} levels deep."]})
        current = fetch(conn, categories, workspace_id, current, "category")["parent_id"]


def _height(conn: Connection, workspace_id: str, category_id: str) -> int:
    """How many levels of subcategories lie below a category (0 for a leaf)."""
    height = 0
    level = [category_id]
    while level and height <= MAX_DEPTH:
        children = select(categories.c.id).where(
            categories.c.workspace_id == workspace_id, categories.c.parent_id.in_(level)
        )
        level = list(conn.execute(children).scalars())
        if level:
            height += 1
    return height


def create_category(db: Database, workspace_id: str, name: str, parent_id: str | None) -> dict[str, Any]:
    now = utcnow()
    row = {
        "workspace_id": workspace_id,
        "id": new_id("category"),
        "name": name,
        "parent_id": parent_id,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    with db.write() as conn, translate_integrity(_UNIQUE):
        _check_parent(conn, workspace_id, parent_id, None)
        _check_name_free(conn, workspace_id, name, parent_id, None)
        take_numbers(conn, workspace_id, categories, [row])
        conn.execute(categories.insert().values(row))
        journal.created(conn, "category", row)
    return row


def list_categories(
    db: Database, workspace_id: str, page: PageRequest, parent: str | None = None, q: str | None = None
) -> Page:
    """`parent` filters to the children of one category; `parent="null"` to the top level."""
    stmt = select(categories).where(categories.c.workspace_id == workspace_id)
    if parent == "null":
        stmt = stmt.where(categories.c.parent_id.is_(None))
    elif parent is not None:
        stmt = stmt.where(categories.c.parent_id == parent)
    if q:
        stmt = stmt.where(func.lower(categories.c.name).contains(q.lower(), autoescape=True))
    with db.read() as conn:
        return paginate(conn, stmt, Sort("name", categories.c.name, categories.c.id), page)


def get_category(db: Database, workspace_id: str, category_id: str) -> dict[str, Any]:
    with db.read() as conn:
        return fetch(conn, categories, workspace_id, category_id, "category")


def update_category(
    db: Database, workspace_id: str, category_id: str, changes: dict[str, Any], if_match: int | None = None
) -> dict[str, Any]:
    with db.write() as conn, translate_integrity(_UNIQUE):
        row = fetch(conn, categories, workspace_id, category_id, "category", for_update=True)
        check_version(row, if_match)
        parent_id = changes.get("parent_id", row["parent_id"])
        if "parent_id" in changes and parent_id is not None:
            _check_parent(conn, workspace_id, parent_id, category_id, _height(conn, workspace_id, category_id))
        if "name" in changes or "parent_id" in changes:
            _check_name_free(conn, workspace_id, changes.get("name", row["name"]), parent_id, category_id)
        updated = update_versioned(conn, categories, row, changes)
        journal.updated(conn, "category", row, updated)
        return updated


def delete_category(db: Database, workspace_id: str, category_id: str, if_match: int | None = None) -> None:
    with db.write() as conn:
        row = fetch(conn, categories, workspace_id, category_id, "category", for_update=True)
        check_version(row, if_match)
        journal.deleted(conn, "category", row)
        if item_categories.live_item_in(conn, workspace_id, category_id):
            raise Conflict("The category still has items: move them to another category first.")
        child = conn.execute(
            select(categories.c.id)
            .where(categories.c.workspace_id == workspace_id, categories.c.parent_id == category_id)
            .limit(1)
        ).first()
        if child:
            raise Conflict("The category has subcategories: delete or move them first.")
        item_categories.forget(conn, workspace_id, category_id)
        conn.execute(
            delete(categories).where(categories.c.workspace_id == workspace_id, categories.c.id == category_id)
        )


def rows_of(db: Database, workspace_id: str, ids: set[str | None]) -> dict[str, dict[str, Any]]:
    """Categories by id, in one query: what a page of items refers to."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    with db.read() as conn:
        rows = conn.execute(select(categories).where(categories.c.workspace_id == workspace_id,
                                             categories.c.id.in_(wanted)))
        return {row["id"]: dict(row) for row in rows.mappings()}
