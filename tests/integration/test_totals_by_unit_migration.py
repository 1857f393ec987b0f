"""Migration 0028 splits the running totals by unit: a database whose totals added kilograms to
pieces (0027) comes out with one sum per unit that `storekeeper check` recounts, and stepping
back restores 0027's sums."""

from __future__ import annotations

from decimal import Decimal

from alembic import command
from sqlalchemy import text

from storekeeper.config import Settings
from storekeeper.persistence import migrate, totals
from storekeeper.persistence.database import Database
from storekeeper.services import items, locations, stock, workspaces
from storekeeper.services.check import check
from storekeeper.services.context import SystemActor
from storekeeper.services.stock import Adjustment


def test_totals_are_split_by_unit_after_the_migration(new_database_url):
    url = new_database_url("totals_by_unit")
    db = Database(url, Settings(database_url=url))
    try:
        migrate.upgrade(db)
        with db.write() as conn:
            ws = workspaces.insert_workspace(conn, "Units")["workspace_id"]
        place = locations.create_location(db, ws, {"name": "Main", "is_default": True})["id"]
        items.create_item(db, ws, {"sku": "CANDLE", "name": "Candle"})
        items.create_item(db, ws, {"sku": "WAX", "name": "Wax", "unit": "kg"})
        for sku, delta in (("CANDLE", "40"), ("WAX", "5.5")):
            stock.adjust_one(db, SystemActor(ws), Adjustment(item=sku, reason="receipt", delta=Decimal(delta)))
        command.downgrade(migrate.alembic_config(db), "0027")
        with db.read() as conn:  # 0027 added them up
            assert conn.execute(text("SELECT sum(on_hand) FROM location_totals")).scalar() == 45_500_000
            assert conn.execute(text("SELECT sum(on_hand) FROM day_totals")).scalar() == 45_500_000

        migrate.upgrade(db)

        assert check(db, ws)[1] == []
        with db.read() as conn:
            kept, _ = totals.by_location(conn, ws)
            by_day, _ = totals.by_day(conn, ws)
        assert kept[place].on_hand == {"pcs": Decimal(40), "kg": Decimal("5.5")}
        assert {unit: sum(days.values()) for unit, days in by_day.items()} == {"pcs": 40, "kg": Decimal("5.5")}
        stock.adjust_one(db, SystemActor(ws), Adjustment(item="WAX", reason="sale", delta=Decimal("-0.5")))
        assert check(db, ws)[1] == []
    finally:
        db.dispose()


def test_check_finds_a_total_kept_under_the_wrong_unit(db, workspace):
    """`storekeeper check` recounts each unit apart: the same on-hand moved from pieces to
    kilograms is two mismatches, though the location's sum of all units is unchanged."""
    api = workspace.api
    assert api.post("/v1/items", json={"sku": "CANDLE", "name": "Candle"}).status_code == 201
    received = api.post("/v1/stock/adjustments", json={"item": "CANDLE", "reason": "receipt", "delta": 5})
    assert received.status_code == 201
    assert check(db, workspace.id)[1] == []
    with db.write() as conn:
        conn.execute(text("UPDATE location_totals SET unit = 'kg' WHERE workspace_id = :ws"), {"ws": workspace.id})
    found = sorted(m.rule for m in check(db, workspace.id)[1])
    assert found == ["location totals: on hand in kg", "location totals: on hand in pcs"]
