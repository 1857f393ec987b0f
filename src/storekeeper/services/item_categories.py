"""The categories items are in, in the caller's transaction (rules: domain/categories.py).

An item keeps its categories in its `categories` document (ids, the first one also its
`category_id`), read with the item at no extra statement; `item_categories` mirrors them, so that
`?category=` is an index lookup and a category with items cannot be deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, delete, exists, select, update

from storekeeper.domain.errors import NotFound
from storekeeper.persistence.tables import categories, item_categories, items


def check_exist(conn: Connection, workspace_id: str, rows: Iterable[dict[str, Any]]) -> None:
    """Every category the rows name is one of the workspace's: one statement for any number of
    rows, none when they name no category. NotFound names the first unknown one."""
    rows = list(rows)
    wanted = {c for row in rows for c in row.get("categories") or ()}
    wanted |= {row["category_id"] for row in rows if row.get("category_id")}
    if not wanted:
        return
    found = set(conn.scalars(select(categories.c.id).where(categories.c.workspace_id == workspace_id,
                                                           categories.c.id.in_(sorted(wanted)))))
    missing = next((c for row in rows for c in [row.get("category_id"), *(row.get("categories") or ())]
                    if c and c not in found), None)
    if missing is not None:
        raise NotFound("category", missing)


def insert(conn: Connection, workspace_id: str, rows: Iterable[dict[str, Any]]) -> None:
    """Mirror new items' categories (one statement for them all)."""
    links = [{"workspace_id": workspace_id, "item_id": row["id"], "category_id": c}
             for row in rows for c in row.get("categories") or ()]
    if links:
        conn.execute(item_categories.insert(), links)


def replace(conn: Connection, workspace_id: str, item_id: str, chosen: list[str]) -> None:
    """Mirror an item's categories after a change."""
    conn.execute(delete(item_categories).where(item_categories.c.workspace_id == workspace_id,
                                               item_categories.c.item_id == item_id))
    insert(conn, workspace_id, [{"id": item_id, "categories": chosen}])


def in_category(workspace_id: str, category_id: str) -> ColumnElement[bool]:
    """Items (of the statement's `items`) that are in the category, first or not. The workspace
    is a constant, not correlated, so that a sharded database reads one shard (issue 25)."""
    return exists().where(
        item_categories.c.workspace_id == workspace_id,
        item_categories.c.item_id == items.c.id,
        item_categories.c.category_id == category_id,
    )


def live_item_in(conn: Connection, workspace_id: str, category_id: str) -> bool:
    """Whether an item out of the trash is in the category."""
    return conn.execute(
        select(item_categories.c.item_id)
        .join(items, (items.c.workspace_id == item_categories.c.workspace_id)
              & (items.c.id == item_categories.c.item_id))
        .where(item_categories.c.workspace_id == workspace_id, item_categories.c.category_id == category_id,
               items.c.deleted_at.is_(None))
        .limit(1)
    ).first() is not None


def forget(conn: Connection, workspace_id: str, category_id: str) -> None:
    """Take a category being deleted out of the items (all in the trash) that are in it: their
    next category becomes the first. Three statements however many items."""
    affected = conn.execute(
        select(items.c.id, items.c.categories)
        .join(item_categories, (item_categories.c.workspace_id == items.c.workspace_id)
              & (item_categories.c.item_id == items.c.id))
        .where(item_categories.c.workspace_id == workspace_id, item_categories.c.category_id == category_id)
    ).all()
    if not affected:
        return
    conn.execute(delete(item_categories).where(item_categories.c.workspace_id == workspace_id,
                                               item_categories.c.category_id == category_id))
    rest = [[c for c in row.categories if c != category_id] for row in affected]
    conn.execute(
        update(items).where(items.c.workspace_id == workspace_id, items.c.id == bindparam("item"))
        .values(categories=bindparam("rest"), category_id=bindparam("first")),
        [{"item": row.id, "rest": others, "first": others[0] if others else None}
         for row, others in zip(affected, rest, strict=True)],
    )
