"""Migration 0019 (an item's home location, purchase orders that name no location) steps back to
0018 and forward again on both databases without losing an order or a line: an order naming no
location gets the default one, where 0018 received it, and SQLite's rebuilt `purchase_orders`
keeps its lines' foreign keys whole."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, select, text

from storekeeper.config import Settings
from storekeeper.persistence import migrate
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import items, purchase_order_lines, purchase_orders
from storekeeper.services import items as item_service
from storekeeper.services import locations, purchasing, workspaces
from storekeeper.services.context import SystemActor


def orders(db: Database) -> dict[str, str | None]:
    with db.read() as conn:
        return dict(conn.execute(select(purchase_orders.c.number, purchase_orders.c.location_id)).all())


def line_count(db: Database) -> int:
    with db.read() as conn:
        return len(conn.execute(select(purchase_order_lines.c.id)).all())


def test_the_migration_steps_back_and_forth_keeping_every_order_and_line(new_database_url):
    url = new_database_url("home_locations")
    db = Database(url, Settings(database_url=url))
    try:
        # Rows written by today's code at head, then the schema steps back (a later column would
        # break an insert at an old revision).
        migrate.upgrade(db)
        workspace, _key = workspaces.create_workspace(db, "Homes")
        ws = workspace["workspace_id"]
        actor = SystemActor(ws)
        shop = locations.create_location(db, ws, {"name": "Shop"})
        item_service.create_item(db, ws, {"sku": "LAMP", "name": "Lamp", "home_location": "Shop"}, actor)
        with db.read() as conn:
            default = locations.find_location(conn, ws, None)["id"]
        homeless = purchasing.create_purchase_order(db, actor, {"lines": [{"item": "LAMP", "quantity": 2}]})
        shipped = purchasing.create_purchase_order(db, actor, {"location": "Shop",
                                                               "lines": [{"item": "LAMP", "quantity": 3}]})
        assert orders(db) == {homeless["number"]: None, shipped["number"]: shop["id"]}

        command.downgrade(migrate.alembic_config(db), "0018")
        assert orders(db) == {homeless["number"]: default, shipped["number"]: shop["id"]}
        assert line_count(db) == 2
        with db.read() as conn:
            assert "home_location_id" not in {c["name"] for c in inspect(conn).get_columns("items")}

        migrate.upgrade(db)
        assert orders(db) == {homeless["number"]: default, shipped["number"]: shop["id"]}
        assert line_count(db) == 2
        with db.read() as conn:
            assert conn.execute(select(items.c.home_location_id)).scalar_one() is None
            if db.is_sqlite:
                assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        purchasing.update_purchase_order(db, actor, shipped["number"], {"location": None})
        assert orders(db)[shipped["number"]] is None  # the column takes null again
    finally:
        db.dispose()
