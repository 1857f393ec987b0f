"""Migration 0025 puts every item in its one category (`categories`, mirrored for filtering),
and stepping back keeps each item's first category."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select

from storekeeper.config import Settings
from storekeeper.persistence import migrate
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import PageRequest
from storekeeper.persistence.tables import item_categories
from storekeeper.persistence.tables import items as items_table
from storekeeper.services import categories, items, workspaces


def test_items_are_in_their_category_after_the_migration(new_database_url):
    url = new_database_url("item_categories")
    db = Database(url, Settings(database_url=url))
    try:
        migrate.upgrade(db)
        with db.write() as conn:
            ws = workspaces.insert_workspace(conn, "Categories")["workspace_id"]
        candles = categories.create_category(db, ws, "Candles", None)["id"]
        gifts = categories.create_category(db, ws, "Gifts", None)["id"]
        items.create_item(db, ws, {"sku": "A", "name": "A", "categories": [candles, gifts]})
        items.create_item(db, ws, {"sku": "B", "name": "B", "category": gifts})
        items.create_item(db, ws, {"sku": "PLAIN", "name": "None"})
        command.downgrade(migrate.alembic_config(db), "0024")
        with db.read() as conn:
            assert dict(conn.execute(select(items_table.c.sku, items_table.c.category_id)).all()) == {
                "A": candles, "B": gifts, "PLAIN": None}

        migrate.upgrade(db)

        with db.read() as conn:
            assert dict(conn.execute(select(items_table.c.sku, items_table.c.categories)).all()) == {
                "A": [candles], "B": [gifts], "PLAIN": []}
            assert conn.execute(select(item_categories.c.category_id)).scalars().all().count(gifts) == 1
        listed = items.list_items(db, ws, items.ItemFilters(category=gifts), PageRequest(limit=10))
        assert [row["sku"] for row in listed.rows] == ["B"]
    finally:
        db.dispose()
