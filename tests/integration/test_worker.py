"""The background worker: it marks due reservations expired and gives their stock back, and it
purges Idempotency-Key records past their 24 hours — in `storekeeper serve`'s thread, or alone
as `storekeeper worker`.

Reservations are made through the API with an expiry a moment ahead; "time passes" by moving
that expiry into the past in the table, which is all that waiting would change.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select, update

from storekeeper.domain.clock import utcnow
from storekeeper.persistence.tables import idempotency_keys, items, reservations, stock_levels
from storekeeper.services import worker
from storekeeper.services.check import check
from storekeeper.services.reservations import expire_due
from tests.waiting import PATIENCE, wait_until

STOREKEEPER = [sys.executable, "-m", "storekeeper.cli.main"]


def cli(workspace, *args: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if not name.startswith("STOREKEEPER_")}
    env["STOREKEEPER_DATABASE_URL"] = workspace.db.url
    return subprocess.run([*STOREKEEPER, *args], env=env, capture_output=True, text=True, timeout=60)


def ok(r):
    assert r.status_code in (200, 201), r.text
    return r.json()


def stocked(api, *skus: str, quantity: int = 10) -> None:
    if not api.get("/v1/locations").json()["data"]:
        ok(api.post("/v1/locations", json={"name": "Main"}))
    for sku in skus:
        ok(api.post("/v1/items", json={"sku": sku, "name": sku.title()}))
        ok(api.post("/v1/stock/adjustments", json={"item": sku, "reason": "receipt", "delta": quantity}))


def reserve(api, sku: str, quantity, **fields) -> dict:
    return ok(api.post("/v1/reservations", json={"item": sku, "quantity": quantity, **fields}))


def expiring(api, sku: str, quantity) -> dict:
    later = (utcnow() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return reserve(api, sku, quantity, expires_at=later)


def let_expire(workspace, *reservation_ids: str) -> None:
    with workspace.db.write() as conn:
        conn.execute(update(reservations)
                     .where(reservations.c.workspace_id == workspace.id, reservations.c.id.in_(reservation_ids))
                     .values(expires_at=utcnow() - timedelta(seconds=1)))


def stored(workspace, reservation_id: str) -> dict:
    with workspace.db.read() as conn:
        return dict(conn.execute(select(reservations).where(
            reservations.c.workspace_id == workspace.id, reservations.c.id == reservation_id)).mappings().one())


def stored_reserved(workspace, sku: str) -> tuple:
    """(the item's reserved, its levels' reserved) as stored, not as reads compute them."""
    with workspace.db.read() as conn:
        item = conn.execute(select(items.c.id, items.c.reserved).where(
            items.c.workspace_id == workspace.id, items.c.sku == sku)).one()
        levels = conn.execute(select(stock_levels.c.reserved).where(
            stock_levels.c.workspace_id == workspace.id, stock_levels.c.item_id == item.id)).scalars().all()
    return item.reserved, levels


def test_one_round_marks_due_reservations_expired_and_gives_their_stock_back(workspace):
    api = workspace.api
    stocked(api, "LAMP")
    due = expiring(api, "LAMP", 3)
    later = expiring(api, "LAMP", 2)
    forever = reserve(api, "LAMP", 1)
    let_expire(workspace, due["id"])
    assert stored_reserved(workspace, "LAMP") == (6, [6])

    done = worker.run_once(workspace.db)

    assert done["expired_reservation_items"] >= 1
    row = stored(workspace, due["id"])
    assert (row["status"], row["version"]) == ("expired", 2)
    assert row["updated_at"] > row["created_at"]
    assert stored(workspace, later["id"])["status"] == "active"
    assert stored(workspace, forever["id"])["status"] == "active"
    assert stored_reserved(workspace, "LAMP") == (3, [3])
    assert api.get("/v1/stock/LAMP").json()["reserved"] == 3
    assert check(workspace.db, workspace.id)[1] == []


def test_a_partly_fulfilled_reservation_gives_back_only_what_it_still_held(workspace):
    api = workspace.api
    stocked(api, "CABLE")
    reservation = expiring(api, "CABLE", 5)
    ok(api.post(f"/v1/reservations/{reservation['id']}/fulfil", json={"quantity": 2}))
    let_expire(workspace, reservation["id"])
    worker.run_once(workspace.db)
    row = stored(workspace, reservation["id"])
    assert (row["status"], row["fulfilled_quantity"]) == ("expired", 2)
    assert stored_reserved(workspace, "CABLE") == (0, [0])
    assert api.get("/v1/stock/CABLE").json()["on_hand"] == 8
    assert check(workspace.db, workspace.id)[1] == []


def test_released_and_fulfilled_reservations_are_left_alone(workspace):
    api = workspace.api
    stocked(api, "LAMP")
    released = expiring(api, "LAMP", 1)
    fulfilled = expiring(api, "LAMP", 1)
    ok(api.post(f"/v1/reservations/{released['id']}/release"))
    ok(api.post(f"/v1/reservations/{fulfilled['id']}/fulfil"))
    let_expire(workspace, released["id"], fulfilled["id"])
    worker.run_once(workspace.db)
    assert (stored(workspace, released["id"])["status"], stored(workspace, released["id"])["version"]) == (
        "released", 2)
    assert (stored(workspace, fulfilled["id"])["status"], stored(workspace, fulfilled["id"])["version"]) == (
        "fulfilled", 2)
    assert stored_reserved(workspace, "LAMP") == (0, [0])


def test_a_second_round_changes_nothing(workspace):
    api = workspace.api
    stocked(api, "LAMP")
    due = expiring(api, "LAMP", 3)
    let_expire(workspace, due["id"])
    worker.run_once(workspace.db)
    first = stored(workspace, due["id"])
    worker.run_once(workspace.db)
    assert stored(workspace, due["id"]) == first
    assert stored_reserved(workspace, "LAMP") == (0, [0])


def test_every_due_reservation_is_expired_however_many_batches_it_takes(workspace, other_workspace):
    skus = [f"ITEM-{n}" for n in range(5)]
    made = []
    for ws in (workspace, other_workspace):
        stocked(ws.api, *skus)
        mine = [expiring(ws.api, sku, 1)["id"] for sku in skus]
        let_expire(ws, *mine)
        made.append((ws, mine))

    assert expire_due(workspace.db, batch=2) >= 10

    for ws, ids in made:
        assert {stored(ws, rid)["status"] for rid in ids} == {"expired"}
        assert all(stored_reserved(ws, sku) == (0, [0]) for sku in skus)
        assert check(ws.db, ws.id)[1] == []


def test_workers_running_at_once_expire_each_reservation_once(workspace):
    api = workspace.api
    skus = [f"ITEM-{n}" for n in range(4)]
    stocked(api, *skus)
    ids = [expiring(api, sku, 2)["id"] for sku in skus for _ in range(2)]
    let_expire(workspace, *ids)

    with ThreadPoolExecutor(max_workers=4) as pool:
        for future in [pool.submit(worker.run_once, workspace.db) for _ in range(4)]:
            future.result()

    assert {stored(workspace, rid)["status"] for rid in ids} == {"expired"}
    assert {stored(workspace, rid)["version"] for rid in ids} == {2}
    assert all(stored_reserved(workspace, sku) == (0, [0]) for sku in skus)
    assert check(workspace.db, workspace.id)[1] == []


def test_one_round_purges_idempotency_records_past_their_24_hours(workspace):
    api = workspace.api
    stocked(api, "LAMP")
    receipt = {"item": "LAMP", "reason": "receipt", "delta": 1}
    ok(api.post("/v1/stock/adjustments", json=receipt, headers={"Idempotency-Key": "old"}))
    ok(api.post("/v1/stock/adjustments", json=receipt, headers={"Idempotency-Key": "fresh"}))
    with workspace.db.write() as conn:
        conn.execute(update(idempotency_keys)
                     .where(idempotency_keys.c.workspace_id == workspace.id, idempotency_keys.c.key == "old")
                     .values(expires_at=utcnow() - timedelta(seconds=1)))

    assert worker.run_once(workspace.db)["idempotency_keys_purged"] >= 1

    with workspace.db.read() as conn:
        kept = conn.execute(select(idempotency_keys.c.key)
                            .where(idempotency_keys.c.workspace_id == workspace.id)).scalars().all()
    assert kept == ["fresh"]


def test_the_worker_thread_expires_reservations_until_it_is_stopped(workspace):
    api = workspace.api
    stocked(api, "LAMP")
    due = expiring(api, "LAMP", 3)
    let_expire(workspace, due["id"])

    thread, stop = worker.start_thread(workspace.db, interval=0.05)
    try:
        wait_until(lambda: stored(workspace, due["id"])["status"] == "expired", "the reservation expired",
                   interval=0.02)
    finally:
        stop.set()
        thread.join(timeout=PATIENCE)
    assert not thread.is_alive()
    assert stored(workspace, due["id"])["status"] == "expired"
    assert stored_reserved(workspace, "LAMP") == (0, [0])


def test_storekeeper_worker_once_expires_due_reservations_and_exits_0(workspace):
    api = workspace.api
    stocked(api, "LAMP")
    due = expiring(api, "LAMP", 4)
    let_expire(workspace, due["id"])

    result = cli(workspace, "worker", "--once")

    assert result.returncode == 0, result.stderr
    assert "expired_reservation_items" in result.stdout
    assert stored(workspace, due["id"])["status"] == "expired"
    assert stored_reserved(workspace, "LAMP") == (0, [0])
    assert api.get(f"/v1/reservations/{due['id']}").json()["status"] == "expired"
    assert ok(api.post("/v1/reservations", json={"item": "LAMP", "quantity": 10}))["status"] == "active"
    assert check(workspace.db, workspace.id)[1] == []


def test_expiry_needs_no_stock_to_be_written_only_reserved_to_drop(workspace):
    """Expiry changes `reserved` only: no movement is written, on_hand stays."""
    api = workspace.api
    stocked(api, "LAMP")
    due = expiring(api, "LAMP", "2.5")
    let_expire(workspace, due["id"])
    worker.run_once(workspace.db)
    history = api.get("/v1/stock/movements", params={"item": "LAMP"}).json()
    assert [m["reason"] for m in history["data"]] == ["receipt"]
    assert api.get("/v1/stock/LAMP").json()["on_hand"] == 10
