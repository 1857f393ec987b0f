"""`storekeeper check` (SPEC §3): every level's on_hand is the sum of its movements, its reserved
the sum of its active reservations, every item the sum of its levels, every movement continues
its level's history. After real work it finds nothing; after a deliberate corruption of one row
it names the row and the rule, and the command exits 1.

Corruptions are written straight into the tables (nothing in the product can make them) and
undone when the test ends, so that no other test ever sees a broken ledger.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from storekeeper.persistence.tables import item_categories, item_updates, items, locations, movements, stock_levels
from storekeeper.services import worker
from storekeeper.services.check import check

STOREKEEPER = [sys.executable, "-m", "storekeeper.cli.main"]
ONE = Decimal(1)


def cli(workspace, *args: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if not name.startswith("STOREKEEPER_")}
    env.update(STOREKEEPER_DATABASE_URL=workspace.db.url)
    return subprocess.run([*STOREKEEPER, *args], env=env, capture_output=True, text=True, timeout=60)


def ok(r):
    assert r.status_code in (200, 201), r.text
    return r.json()


def soon(seconds: float) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def wait_until_past(moment: str) -> None:
    due = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.05)


def busy_day(api) -> dict:
    """Receipts, sales, a count, a transfer, and reservations released, fulfilled in part and
    in full, still active, and expired. Returns the ids of what it made."""
    main = ok(api.post("/v1/locations", json={"name": "Main", "is_default": True}))
    shop = ok(api.post("/v1/locations", json={"name": "Shop"}))
    lamp = ok(api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp"}))
    rope = ok(api.post("/v1/items", json={"sku": "ROPE", "name": "Rope", "unit": "m"}))
    for body in ({"item": "LAMP", "reason": "receipt", "delta": 20, "unit_cost": "4.00"},
                 {"item": "ROPE", "reason": "receipt", "delta": "12.5"},
                 {"item": "LAMP", "reason": "sale", "delta": -3},
                 {"item": "ROPE", "reason": "count", "set": "11.25"},
                 {"item": "LAMP", "reason": "damage", "delta": -1}):
        ok(api.post("/v1/stock/adjustments", json=body))
    ok(api.post("/v1/stock/transfers", json={"item": "LAMP", "to": "Shop", "quantity": 6}))
    ok(api.post("/v1/stock/transfers", json={"item": "ROPE", "to": "Shop", "quantity": "0.25"}))

    def reserve(sku: str, quantity, **fields) -> str:
        return ok(api.post("/v1/reservations", json={"item": sku, "quantity": quantity, **fields}))["id"]

    released = reserve("LAMP", 2)
    ok(api.post(f"/v1/reservations/{released}/release"))
    partly = reserve("LAMP", 4, reference={"type": "order", "id": "#7"})
    ok(api.post(f"/v1/reservations/{partly}/fulfil", json={"quantity": 1}))
    wholly = reserve("ROPE", "3")
    ok(api.post(f"/v1/reservations/{wholly}/fulfil"))
    reserve("LAMP", 1, location="Shop")
    expires_at = soon(1)
    by_worker = reserve("LAMP", 2, expires_at=expires_at)
    by_write = reserve("ROPE", 1, expires_at=expires_at)
    wait_until_past(expires_at)
    ok(api.post("/v1/stock/adjustments", json={"item": "ROPE", "reason": "receipt", "delta": 1}))
    return {"main": main["id"], "shop": shop["id"], "lamp": lamp["id"], "rope": rope["id"],
            "expired_by_worker": by_worker, "expired_by_write": by_write}


def stocked(api) -> dict:
    """A smaller ledger to corrupt: two levels of one item, three movements, one reservation."""
    main = ok(api.post("/v1/locations", json={"name": "Main", "is_default": True}))
    shop = ok(api.post("/v1/locations", json={"name": "Shop"}))
    lamp = ok(api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp"}))
    ok(api.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "receipt", "delta": 10}))
    ok(api.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "sale", "delta": -2}))
    ok(api.post("/v1/stock/transfers", json={"item": "LAMP", "to": "Shop", "quantity": 3}))
    ok(api.post("/v1/reservations", json={"item": "LAMP", "quantity": 4}))
    return {"main": main["id"], "shop": shop["id"], "lamp": lamp["id"]}


@contextmanager
def corrupted(workspace, table, where, column: str, by: Decimal = ONE) -> Iterator[None]:
    """Add `by` to one column of the rows `where` selects, and take it away again afterwards."""
    condition = [table.c.workspace_id == workspace.id, *where]
    with workspace.db.write() as conn:
        assert conn.execute(update(table).where(*condition).values({column: table.c[column] + by})).rowcount == 1
    try:
        yield
    finally:
        with workspace.db.write() as conn:
            conn.execute(update(table).where(*condition).values({column: table.c[column] - by}))


def rules(workspace) -> set[tuple[str, str, str | None]]:
    return {(m.rule, m.item_id, m.location_id) for m in check(workspace.db, workspace.id)[1]}


def test_after_a_busy_day_every_level_is_explained_by_its_movements_and_reservations(workspace):
    made = busy_day(workspace.api)
    worker.run_once(workspace.db)

    levels, mismatches = check(workspace.db, workspace.id)
    assert mismatches == []
    assert levels == 4
    for expired in (made["expired_by_worker"], made["expired_by_write"]):
        assert workspace.api.get(f"/v1/reservations/{expired}").json()["status"] == "expired"
    lamp = workspace.api.get("/v1/stock/LAMP").json()
    assert (lamp["on_hand"], lamp["reserved"]) == (15, 4)

    result = cli(workspace, "check", "--workspace", workspace.id)
    assert result.returncode == 0, result.stderr
    assert "OK: 4 stock levels" in result.stdout


def test_due_reservations_not_yet_marked_expired_still_check_out(workspace):
    """Until the worker runs, a due reservation is still `active` in its table and still counted
    in its level's stored `reserved`: the two agree."""
    busy_day(workspace.api)
    assert check(workspace.db, workspace.id)[1] == []


def test_a_workspace_without_stock_checks_out(workspace):
    assert check(workspace.db, workspace.id) == (0, [])
    result = cli(workspace, "check", "--workspace", workspace.id)
    assert result.returncode == 0, result.stderr
    assert "OK: 0 stock levels" in result.stdout


def test_a_level_whose_on_hand_was_changed_behind_the_ledgers_back_is_named(workspace):
    made = stocked(workspace.api)
    level = (stock_levels.c.item_id == made["lamp"], stock_levels.c.location_id == made["shop"])
    with corrupted(workspace, stock_levels, level, "on_hand"):
        assert rules(workspace) == {
            ("on_hand = sum of movements", made["lamp"], made["shop"]),
            ("item on_hand = sum of its levels", made["lamp"], None),
        }
        (mismatch,) = [m for m in check(workspace.db, workspace.id)[1] if m.location_id]
        assert (mismatch.recorded, mismatch.expected) == (4, 3)
        result = cli(workspace, "check", "--workspace", workspace.id)
    assert result.returncode == 1
    assert (f"on_hand = sum of movements: item LAMP ({made['lamp']}) at Shop ({made['shop']}): "
            "recorded 4, expected 3") in result.stderr
    assert "2 mismatch(es)" in result.stderr
    assert rules(workspace) == set()


def test_an_items_on_hand_that_differs_from_its_levels_is_named(workspace):
    made = stocked(workspace.api)
    with corrupted(workspace, items, (items.c.id == made["lamp"],), "on_hand"):
        assert rules(workspace) == {("item on_hand = sum of its levels", made["lamp"], None)}
        result = cli(workspace, "check", "--workspace", workspace.id)
    assert result.returncode == 1
    assert f"item on_hand = sum of its levels: item LAMP ({made['lamp']}): recorded 9, expected 8" in result.stderr


def test_a_level_reserving_more_than_its_active_reservations_is_named(workspace):
    made = stocked(workspace.api)
    level = (stock_levels.c.item_id == made["lamp"], stock_levels.c.location_id == made["main"])
    with corrupted(workspace, stock_levels, level, "reserved", by=Decimal("0.5")):
        assert rules(workspace) == {
            ("reserved = sum of active reservations", made["lamp"], made["main"]),
            ("item reserved = sum of its levels", made["lamp"], None),
        }
        result = cli(workspace, "check", "--workspace", workspace.id)
    assert result.returncode == 1
    assert (f"reserved = sum of active reservations: item LAMP ({made['lamp']}) at Main ({made['main']}): "
            "recorded 4.5, expected 4") in result.stderr


def test_a_movement_whose_before_breaks_the_levels_history_is_named(workspace):
    made = stocked(workspace.api)
    with workspace.db.read() as conn:
        sale = conn.execute(select(movements.c.id, movements.c.sequence).where(
            movements.c.workspace_id == workspace.id, movements.c.reason == "sale")).one()
    with corrupted(workspace, movements, (movements.c.id == sale.id,), "before", by=Decimal(2)):
        assert rules(workspace) == {
            (f"movement #{sale.sequence} continues the level's history", made["lamp"], made["main"]),
        }
        result = cli(workspace, "check", "--workspace", workspace.id)
    assert result.returncode == 1
    assert (f"movement #{sale.sequence} continues the level's history: item LAMP ({made['lamp']}) "
            f"at Main ({made['main']}): recorded 12, expected 10") in result.stderr


def test_check_of_one_workspace_ignores_the_corruption_of_another(workspace, other_workspace):
    made = stocked(workspace.api)
    stocked(other_workspace.api)
    with corrupted(workspace, items, (items.c.id == made["lamp"],), "on_hand"):
        assert check(other_workspace.db, other_workspace.id)[1] == []
        result = cli(other_workspace, "check", "--workspace", other_workspace.id)
    assert result.returncode == 0, result.stderr


def test_check_of_an_unknown_workspace_fails_with_not_found(workspace):
    result = cli(workspace, "check", "--workspace", "ws_01JC0000000000000000000000")
    assert result.returncode == 4
    assert "No workspace" in result.stderr


def _parent_and_bundle(api) -> dict[str, str]:
    api.post("/v1/locations", json={"name": "Main", "is_default": True})
    tee = ok(api.post("/v1/items", json={"sku": "TEE", "name": "Tee", "variants": [
        {"sku": "TEE-M", "attributes": {"size": "M"}, "initial_stock": [{"quantity": 5}]},
        {"sku": "TEE-L", "attributes": {"size": "L"}, "initial_stock": [{"quantity": 3}]}]}))
    kit = ok(api.post("/v1/items", json={"sku": "KIT", "name": "Kit", "tracking": "bundle"}))
    assert api.put("/v1/items/KIT/components", json=[{"item": "TEE-M", "quantity": 2}]).status_code == 200
    ok(api.post("/v1/reservations", json={"item": "KIT", "quantity": 1}))
    return {"tee": tee["id"], "kit": kit["id"]}


def test_parents_and_bundles_check_out_after_variant_sales_and_bundle_reservations(workspace):
    made = _parent_and_bundle(workspace.api)
    ok(workspace.api.post("/v1/stock/adjustments", json={"item": "KIT", "reason": "sale", "delta": -1}))
    kit = workspace.api.get(f"/v1/items/{made['kit']}").json()
    assert (kit["on_hand"], kit["available"]) == (1, 0)  # 3 TEE-M left, 2 of them reserved for the kit
    assert rules(workspace) == set()


def test_a_parent_whose_sums_differ_from_its_variants_is_named(workspace):
    made = _parent_and_bundle(workspace.api)
    with corrupted(workspace, items, (items.c.id == made["tee"],), "on_hand"):
        assert rules(workspace) == {("parent on_hand = sum of its variants", made["tee"], None)}


def test_a_bundle_whose_stored_stock_differs_from_what_its_components_make_up_is_named(workspace):
    made = _parent_and_bundle(workspace.api)
    with corrupted(workspace, items, (items.c.id == made["kit"],), "reserved"):
        assert rules(workspace) == {("bundle reserved = what its components' reservations hold", made["kit"], None)}


def test_an_items_time_that_item_updates_lost_or_keeps_wrong_is_named(workspace):
    """`updated_since` reads item_updates (kept by triggers): an item missing there, or at another
    time, would be missed by sync clients or listed for a change long past."""
    made = stocked(workspace.api)
    lamp = (item_updates.c.workspace_id == workspace.id, item_updates.c.item_id == made["lamp"])
    with workspace.db.read() as conn:
        kept = conn.execute(select(item_updates.c.updated_at).where(*lamp)).scalar_one()
    rule = ("item_updates = the item's updated_at", made["lamp"], None)
    try:
        with workspace.db.write() as conn:
            conn.execute(update(item_updates).where(*lamp).values(updated_at=kept - timedelta(days=1)))
        assert rules(workspace) == {rule}
        result = cli(workspace, "check", "--workspace", workspace.id)
        assert result.returncode == 1
        assert f"item_updates = the item's updated_at: item LAMP ({made['lamp']}): recorded " in result.stderr
        with workspace.db.write() as conn:
            conn.execute(item_updates.delete().where(*lamp))
        assert rules(workspace) == {rule}
    finally:
        with workspace.db.write() as conn:
            conn.execute(item_updates.delete().where(*lamp))
            conn.execute(item_updates.insert().values(workspace_id=workspace.id, item_id=made["lamp"],
                                                      updated_at=kept))
    assert rules(workspace) == set()


def test_an_item_whose_home_location_is_deleted_behind_the_services_back_is_named(workspace):
    api = workspace.api
    shop = ok(api.post("/v1/locations", json={"name": "Shop"}))
    lamp = ok(api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp", "home_location": "Shop"}))
    assert rules(workspace) == set()
    gone = (locations.c.workspace_id == workspace.id, locations.c.id == shop["id"])
    with workspace.db.write() as conn:  # the API refuses it: the location is LAMP's home
        conn.execute(update(locations).where(*gone).values(deleted_at=datetime.now(UTC)))
    try:
        assert rules(workspace) == {("home location is a live, active location", lamp["id"], shop["id"])}
        result = cli(workspace, "check", "--workspace", workspace.id)
    finally:
        with workspace.db.write() as conn:
            conn.execute(update(locations).where(*gone).values(deleted_at=None))
    assert result.returncode == 1
    assert (f"home location is a live, active location: item LAMP ({lamp['id']}) at Shop ({shop['id']})\n"
            in result.stderr)
    assert rules(workspace) == set()


def test_an_items_categories_that_their_mirror_lost_or_misses_are_named(workspace):
    """`?category=` reads item_categories: a category missing there would hide the item from it."""
    api = workspace.api
    candles, gifts = (ok(api.post("/v1/categories", json={"name": name}))["id"] for name in ("Candles", "Gifts"))
    lamp = ok(api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp", "categories": [candles, gifts]}))
    stray = ok(api.post("/v1/categories", json={"name": "Stray"}))["id"]
    assert rules(workspace) == set()
    rule = ("item_categories = the item's categories", lamp["id"], None)
    gifts_link = (item_categories.c.workspace_id == workspace.id, item_categories.c.item_id == lamp["id"],
                  item_categories.c.category_id == gifts)
    first_link = (item_categories.c.workspace_id == workspace.id, item_categories.c.item_id == lamp["id"],
                  item_categories.c.category_id == candles)
    try:
        with workspace.db.write() as conn:
            conn.execute(item_categories.delete().where(*gifts_link))
        assert rules(workspace) == {rule}
        with workspace.db.write() as conn:  # as many rows again, but not the first category's
            conn.execute(item_categories.insert().values(workspace_id=workspace.id, item_id=lamp["id"],
                                                         category_id=gifts))
            conn.execute(item_categories.delete().where(*first_link))
            conn.execute(item_categories.insert().values(workspace_id=workspace.id, item_id=lamp["id"],
                                                         category_id=stray))
        assert rules(workspace) == {rule}
        result = cli(workspace, "check", "--workspace", workspace.id)
        assert result.returncode == 1
        assert f"item_categories = the item's categories: item LAMP ({lamp['id']}): recorded 2" in result.stderr
    finally:
        with workspace.db.write() as conn:
            conn.execute(item_categories.delete().where(item_categories.c.workspace_id == workspace.id,
                                                        item_categories.c.item_id == lamp["id"]))
            conn.execute(item_categories.insert(), [
                {"workspace_id": workspace.id, "item_id": lamp["id"], "category_id": c} for c in (candles, gifts)])
    assert rules(workspace) == set()
