"""Migration 0024 gives the images items already had their ids: numbered per workspace in the
order their items were made, and new images continue after them."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select

from storekeeper.config import Settings
from storekeeper.persistence import migrate
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import items as items_table
from storekeeper.services import items, workspaces


def _images(db: Database, workspace_id: str, sku: str) -> list[dict]:
    with db.read() as conn:
        return conn.execute(select(items_table.c.images).where(
            items_table.c.workspace_id == workspace_id, items_table.c.sku == sku)).scalar_one()


def test_existing_images_are_numbered_and_new_ones_follow(new_database_url):
    url = new_database_url("image_ids")
    db = Database(url, Settings(database_url=url))
    try:
        # Rows written by today's code, then the schema steps back to 0023 (which takes the ids
        # out of the documents again), and forward.
        migrate.upgrade(db)
        with db.write() as conn:
            ws = workspaces.insert_workspace(conn, "Images")["workspace_id"]
            other = workspaces.insert_workspace(conn, "Other")["workspace_id"]
        items.create_item(db, ws, {"sku": "A", "name": "A", "images": [
            {"url": "https://cdn.example/a1.jpg", "alt": "One"}, {"url": "https://cdn.example/a2.jpg"}]})
        items.create_item(db, ws, {"sku": "PLAIN", "name": "No images"})
        items.create_item(db, ws, {"sku": "B", "name": "B", "images": [{"url": "https://cdn.example/a1.jpg"}]})
        items.create_item(db, other, {"sku": "C", "name": "C", "images": [{"url": "https://cdn.example/c.jpg"}]})
        command.downgrade(migrate.alembic_config(db), "0023")
        assert _images(db, ws, "A") == [{"url": "https://cdn.example/a1.jpg", "alt": "One"},
                                        {"url": "https://cdn.example/a2.jpg", "alt": None}]

        migrate.upgrade(db)

        assert _images(db, ws, "A") == [{"id": 1, "url": "https://cdn.example/a1.jpg", "alt": "One"},
                                        {"id": 2, "url": "https://cdn.example/a2.jpg", "alt": None}]
        assert _images(db, ws, "B") == [{"id": 3, "url": "https://cdn.example/a1.jpg", "alt": None}]
        assert _images(db, ws, "PLAIN") == []
        assert _images(db, other, "C") == [{"id": 1, "url": "https://cdn.example/c.jpg", "alt": None}]
        # An id of the migrated images names its image; a new image gets the next number.
        made = items.create_item(db, ws, {"sku": "D", "name": "D", "images": [
            {"id": 2}, {"url": "https://cdn.example/d.jpg"}]})
        assert [(i["id"], i["url"]) for i in made["images"]] == [
            (2, "https://cdn.example/a2.jpg"), (4, "https://cdn.example/d.jpg")]
    finally:
        db.dispose()
