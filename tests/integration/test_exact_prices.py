"""Net prices to 10 decimal places (migration 0023): kept exactly on both databases, and a
schema stepped back before it keeps each price's first 6 places."""

from __future__ import annotations

from decimal import Decimal

from alembic import command
from sqlalchemy import select

from storekeeper.config import Settings
from storekeeper.persistence import migrate
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import items as items_table
from storekeeper.services import items, workspaces


def test_a_ten_place_price_survives_the_database_and_a_downgrade_keeps_six_places(new_database_url):
    url = new_database_url("exact_prices")
    db = Database(url, Settings(database_url=url))
    try:
        migrate.upgrade(db)
        with db.write() as conn:
            workspace = workspaces.insert_workspace(conn, "Prices")["workspace_id"]
        item = items.create_item(db, workspace, {"sku": "NET-1", "name": "Drink", "price": Decimal("4.2016806723")})
        assert items.get_item(db, workspace, item["id"])["price_rest"] == 6723

        command.downgrade(migrate.alembic_config(db), "0021")
        with db.read() as conn:
            price = conn.execute(select(items_table.c.price).where(items_table.c.id == item["id"])).scalar_one()
        assert price == Decimal("4.20168")

        migrate.upgrade(db)
        row = items.get_item(db, workspace, item["id"])
        assert (row["price"], row["price_rest"]) == (Decimal("4.20168"), 0)
    finally:
        db.dispose()
