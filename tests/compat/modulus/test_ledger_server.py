"""One ledger under the Inventory Manager API (seed 003), against a real `storekeeper serve`:
its writes show in /v1's stock, movements, change feed and audit log, and /v1's in it; a repeated
write with an Idempotency-Key is replayed, not applied twice; many clients writing at once lose
no update and `storekeeper check` finds the books balanced."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.compat.modulus.shapes import PREFIX, error
from tests.waiting import PATIENCE

CLIENTS = 12


@pytest.fixture(scope="module")
def world(served):
    with served.v1() as v1:
        a = v1.post("/v1/locations", json={"name": "Warehouse A"}).json()
    return {"a": a["id"]}


def test_writes_through_the_facade_show_in_v1_stock_the_feed_and_the_audit_log(served, vendor, world):
    item = vendor.post("/v1/items", json={"name": "Ledger", "sku": "LEDGER-1", "quantity": 12,
                                          "location": "Warehouse A"}).json()
    assert vendor.patch(f"/v1/items/{item['id']}", json={"quantity": 20}).status_code == 200
    with served.v1() as v1:
        [row] = v1.get("/v1/stock", params={"sku": "LEDGER-1"}).json()["data"]
        assert (row["on_hand"], [(p["location"], p["on_hand"]) for p in row["locations"]]) == (20, [(world["a"], 20)])
        moves = v1.get("/v1/stock/movements", params={"item": "LEDGER-1", "order": "asc"}).json()["data"]
        assert [(m["reason"], m["delta"], m["after"]) for m in moves] == [("initial", 12, 12), ("count", 8, 20)]
        feed = v1.get("/v1/events", params={"after": 0, "types": "stock.changed,item.created"}).json()["data"]
        fed = {(e["type"], e["data"]["movement"]["id"] if e["type"] == "stock.changed" else e["resource_id"])
               for e in feed}
        assert {("item.created", item["id"])} | {("stock.changed", m["id"]) for m in moves} <= fed
        audited = v1.get("/v1/audit-log", params={"item": item["id"]}).json()["data"]
        assert Counter(e["action"] for e in audited) == {"item.created": 1, "movement.created": 2}


def test_writes_through_v1_show_in_the_facade(served, vendor, world):
    with served.v1() as v1:
        made = v1.post("/v1/items", json={"sku": "FROM-V1", "name": "From v1", "barcode": "5901234123457",
                                          "home_location": "Warehouse A", "reorder_point": 3}).json()
        assert v1.post("/v1/stock/adjustments", json={"item": "FROM-V1", "reason": "receipt",
                                                      "delta": 9}).status_code == 201
        assert v1.post("/v1/stock/adjustments", json={"item": "FROM-V1", "reason": "sale",
                                                      "delta": -2}).status_code == 201
    seen = vendor.get(f"/v1/items/{made['id']}").json()
    assert {k: seen[k] for k in ("sku", "quantity", "location", "barcode", "reorder_point")} == {
        "sku": "FROM-V1", "quantity": 7, "location": "Warehouse A", "barcode": "5901234123457", "reorder_point": 3}
    assert [e["event"] for e in vendor.get("/v1/audit-log", params={"item_id": made["id"]}).json()["data"]] == [
        "movement.created", "movement.created", "item.created"]
    with served.v1() as v1:
        assert v1.delete(f"/v1/items/{made['id']}").status_code == 204
    assert error(vendor.get(f"/v1/items/{made['id']}")) == (404, "not_found", None)


def test_a_repeated_write_with_an_idempotency_key_is_replayed_not_applied_twice(served, vendor, world):
    body = {"name": "Once", "sku": "IDEM-1", "quantity": 4}
    first = vendor.post("/v1/items", json=body, headers={"Idempotency-Key": "modulus-create-1"})
    again = vendor.post("/v1/items", json=body, headers={"Idempotency-Key": "modulus-create-1"})
    assert (first.status_code, again.status_code, again.headers.get("idempotent-replayed")) == (201, 201, "true")
    assert again.json() == first.json()
    assert vendor.get("/v1/items", params={"search": "IDEM-1"}).json()["pagination"]["total"] == 1
    item_id = first.json()["id"]
    counted = [vendor.patch(f"/v1/items/{item_id}", json={"quantity": 10}, headers={"Idempotency-Key": "count-1"})
               for _ in range(2)]
    assert [r.status_code for r in counted] == [200, 200] and counted[1].headers.get("idempotent-replayed") == "true"
    with served.v1() as v1:
        moves = v1.get("/v1/stock/movements", params={"item": "IDEM-1"}).json()["data"]
    assert sorted(m["reason"] for m in moves) == ["count", "initial"]
    refused = vendor.post("/v1/items", json=body, headers={"Idempotency-Key": "modulus-create-2"})
    replay = vendor.post("/v1/items", json=body, headers={"Idempotency-Key": "modulus-create-2"})
    assert error(refused) == error(replay) == (409, "conflict", "sku")
    reused = vendor.post("/v1/items", json={**body, "sku": "IDEM-2"}, headers={"Idempotency-Key": "modulus-create-1"})
    assert reused.status_code == 422 and set(reused.json()) == {"error"}


def test_many_clients_counting_one_item_at_once_lose_no_update_and_the_books_balance(served, world):
    with served.vendor(PREFIX, {"Authorization": f"Bearer {served.key}"}) as client:
        item = client.post("/v1/items", json={"name": "Raced", "sku": "RACE-1", "location": "Warehouse A"}).json()
    start = threading.Barrier(CLIENTS, timeout=PATIENCE)

    def count(n: int) -> int:
        with served.vendor(PREFIX, {"Authorization": f"Bearer {served.key}"}) as client:
            start.wait()
            return client.patch(f"/v1/items/{item['id']}", json={"quantity": n + 1, "name": f"Raced {n}"}).status_code

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        assert Counter(pool.map(count, range(CLIENTS))) == {200: CLIENTS}
    with served.v1() as v1:
        moves = v1.get("/v1/stock/movements", params={"item": "RACE-1", "order": "asc"}).json()["data"]
        final = v1.get(f"/v1/items/{item['id']}").json()
    # Each count saw the total the one before it left: a chain, never two from the same total.
    assert len(moves) == CLIENTS and moves[0]["before"] == 0
    assert all(a["after"] == b["before"] for a, b in itertools.pairwise(moves))
    assert final["on_hand"] == moves[-1]["after"] and final["name"] == f"Raced {moves[-1]['after'] - 1}"
    checked = served.server.cli("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_many_clients_creating_one_sku_at_once_make_exactly_one_item(served, world):
    start = threading.Barrier(CLIENTS, timeout=PATIENCE)

    def create(n: int) -> int:
        with served.vendor(PREFIX, {"Authorization": f"Bearer {served.key}"}) as client:
            start.wait()
            return client.post("/v1/items", json={"name": f"Twin {n}", "sku": "TWIN-1", "quantity": n + 1}).status_code

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        assert Counter(pool.map(create, range(CLIENTS))) == {201: 1, 409: CLIENTS - 1}
    with served.v1() as v1:
        [row] = v1.get("/v1/stock", params={"sku": "TWIN-1"}).json()["data"]
        moves = v1.get("/v1/stock/movements", params={"item": "TWIN-1"}).json()["data"]
    assert [m["reason"] for m in moves] == ["initial"] and row["on_hand"] == moves[0]["delta"]
    checked = served.server.cli("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
