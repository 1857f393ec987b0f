"""The Inventora API's tasks and their batches (seed 002) spoken to a real `storekeeper serve`
over HTTP: production orders, their lines and batches in the document's fields; its examples as
fixtures and its shapes; one ledger with /v1; idempotency; concurrent batches."""

from __future__ import annotations

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.compat.inventora.document import body, example, identified
from tests.compat.inventora.shapes import (
    CREATED_BATCH,
    HEADER,
    PREFIX,
    page_shaped,
    refused,
    shaped,
    task_shaped,
)
from tests.compat.inventora.world import make_candle, make_locations, make_wax
from tests.waiting import PATIENCE


@pytest.fixture(scope="module")
def world(served):
    """The document's locations, candle and wax, and its two users."""
    with served.v1() as v1:
        places = make_locations(v1)
        users = {}
        for email in ("user@example.com", "newuser@example.com"):
            made = v1.post("/v1/users", json={"email": email, "name": email.split("@")[0]})
            assert made.status_code == 201, made.text
            users[email] = made.json()["id"]
        return {**places, "users": users, "wax": make_wax(v1, "WAX-SOY"), "candle": make_candle(v1, "CANDLE-001")}


@pytest.fixture(scope="module")
def vendor(served):
    with served.vendor(PREFIX, {HEADER: served.key}) as client:
        yield client


def create(vendor, world, **changes):
    """The document's Create Task request, for its candle in its Main Warehouse."""
    request = identified(body("POST /tasks"), {"asdf123": world["candle"], "loc_789": world["main"]})
    r = vendor.post("/api/tasks", json={**request, **changes})
    assert r.status_code == 201, r.text
    return r.json()


def expected_task(documented: dict, task: dict, world: dict, **ids) -> dict:
    """The document's task with the ids and times this server gave it."""
    expected = identified(documented, {"asdf123": world["candle"], "task_123": task["id"], "loc_789": world["main"],
                                       **ids})
    expected.update(order=task["order"], createdAt=task["createdAt"], updatedAt=task["updatedAt"])
    for item, line in zip(expected["Items"], task["Items"], strict=True):
        item["id"] = line["id"]
        item["Product"]["stockLevel"] = line["Product"]["stockLevel"]
    return expected


def test_create_task_with_the_documents_request_answers_its_example(vendor, world):
    task = create(vendor, world)
    assert task_shaped(task)
    assert task == expected_task(example("POST /tasks"), task, world, user_456=world["users"]["user@example.com"])
    assert task["Items"][0]["Product"]["stockLevel"] == 45
    assert vendor.get(f"/api/tasks/{task['id']}").json() == task
    later = create(vendor, world, name="Another")
    assert later["order"] == task["order"] + 1


def test_a_task_item_may_give_its_quantity_in_another_unit_of_the_products_dimension(served, vendor, world):
    with served.v1() as v1:
        block = v1.post("/v1/items", json={"sku": "WAX-BLOCK", "name": "Wax block", "kind": "product",
                                           "unit": "kg"}).json()["number"]
    task = create(vendor, world, Items=[{"ProductId": block, "quantity": 500, "unitType": "weight.grams"},
                                        {"ProductId": world["candle"], "quantity": 3}])
    assert [(i["ResourceId"], i["quantity"], i["unitType"]) for i in task["Items"]] == [
        (block, 0.5, "weight.kg"), (world["candle"], 3, "pieces")]
    for items in ([{"ProductId": block, "quantity": 1, "unitType": "length.m"}],
                  [{"ProductId": block, "quantity": 1, "unitType": "bundles"}],
                  [{"ProductId": block, "quantity": 0}], [{"ProductId": block}], [], "candles"):
        refused(vendor.post("/api/tasks", json={"name": "Bad", "Items": items}), 400)
    refused(vendor.post("/api/tasks", json={"Items": [{"ProductId": block, "quantity": 1}]}), 400)
    assert refused(vendor.post("/api/tasks", json={"name": "Bad", "Items": [
        {"ProductId": 999999, "quantity": 1}]}), 404) == "Resource not found: #999999"
    refused(vendor.post("/api/tasks", json={"name": "Bad", "Items": [{"ProductId": "CANDLE-001", "quantity": 1}]}), 400)
    as_text = create(vendor, world, Items=[{"ProductId": str(block), "quantity": 1}])  # the document's string type
    assert as_text["Items"][0]["ResourceId"] == block
    assert refused(vendor.post("/api/tasks", json={"name": "Bad", "Assignee": "nobody@example.com", "Items": [
        {"ProductId": block, "quantity": 1}]}), 404).startswith("User not found")
    refused(vendor.post("/api/tasks", json={"name": "Bad", "LocationId": "loc_nowhere", "Items": [
        {"ProductId": block, "quantity": 1}]}), 404)
    refused(vendor.post("/api/tasks", json={"name": "Bad", "status": "cancelled", "Items": [
        {"ProductId": block, "quantity": 1}]}), 400)


def test_patch_task_with_the_documents_request_answers_its_example_and_null_unsets(vendor, world):
    task = create(vendor, world)
    request = identified(body("PATCH /tasks/:id"), {"loc_790": world["retail"]})
    r = vendor.patch(f"/api/tasks/{task['id']}", json=request)
    assert r.status_code == 200, r.text
    changed = r.json()
    assert task_shaped(changed)
    expected = expected_task(example("PATCH /tasks/:id"), changed, world, loc_790=world["retail"],
                             user_789=world["users"]["newuser@example.com"])
    assert changed == expected and changed["createdAt"] == task["createdAt"]
    assert changed["updatedAt"] >= task["updatedAt"]
    unset = vendor.patch(f"/api/tasks/{task['id']}", json={"Assignee": None, "due": None, "notes": None,
                                                           "LocationId": None}).json()
    assert (unset["UserId"], unset["due"], unset["notes"], unset["LocationId"]) == (None, None, None, world["main"])
    by_id = vendor.patch(f"/api/tasks/{task['id']}", json={"UserId": world["users"]["user@example.com"]}).json()
    assert by_id["UserId"] == world["users"]["user@example.com"]
    done = vendor.patch(f"/api/tasks/{task['id']}", json={"status": "done"}).json()
    assert done["status"] == "done" and isinstance(done["completedAt"], str)
    assert vendor.patch(f"/api/tasks/{task['id']}", json={"status": "pending"}).json()["completedAt"] is None
    for bad in ({"name": ""}, {"name": None}, {"status": "paused"}, {"due": "next week"},
                {"Assignee": "user@example.com", "UserId": world["users"]["newuser@example.com"]}):
        refused(vendor.patch(f"/api/tasks/{task['id']}", json=bad), 400)
    refused(vendor.patch(f"/api/tasks/{task['id']}", json={"Assignee": "ghost@example.com"}), 404)
    refused(vendor.patch("/api/tasks/999999", json={"name": "x"}), 404)
    refused(vendor.patch("/api/tasks/task_123", json={"name": "x"}), 400)
    assert vendor.get(f"/api/tasks/{task['id']}").json()["name"] == "Produce 75 Candles"


def test_list_tasks_filters_by_status_and_user_and_pages(vendor, world):
    mine = create(vendor, world, name="Mine", Assignee="newuser@example.com")
    started = create(vendor, world, name="Started", status="in-progress")
    everything = vendor.get("/api/tasks", params={"limit": 1000})
    assert everything.status_code == 200 and page_shaped(everything.json())
    rows = everything.json()["data"]
    assert all(task_shaped(row) for row in rows)
    assert [row["order"] for row in rows] == sorted(row["order"] for row in rows)
    assert everything.json()["pagination"]["totalCount"] == len(rows)
    in_progress = vendor.get("/api/tasks", params={"status": "in-progress"}).json()["data"]
    assert started["id"] in {t["id"] for t in in_progress} and {t["status"] for t in in_progress} == {"in-progress"}
    for who in ("newuser@example.com", world["users"]["newuser@example.com"]):
        assert mine["id"] in {t["id"] for t in vendor.get("/api/tasks", params={"UserId": who}).json()["data"]}
    assert vendor.get("/api/tasks", params={"UserId": "ghost@example.com"}).json()["data"] == []
    page = vendor.get("/api/tasks", params={"limit": 1, "offset": 1}).json()
    assert [t["id"] for t in page["data"]] == [rows[1]["id"]] and page["pagination"]["limit"] == 1
    for bad in ({"status": "paused"}, {"limit": 0}, {"offset": "first"}):
        refused(vendor.get("/api/tasks", params=bad), 400)


def test_batches_make_the_product_use_its_materials_finish_the_task_and_reverse(served, vendor, world):
    task = create(vendor, world, LocationId=world["main"])
    item = task["Items"][0]
    url = f"/api/tasks/{task['id']}/items/{item['id']}/batches"
    r = vendor.post(url, json=body("POST /tasks/:id/items/:item_id/batches"))
    assert r.status_code == 201, r.text
    batch = r.json()
    assert shaped(batch, CREATED_BATCH)
    assert batch == {**example("POST /tasks/:id/items/:item_id/batches"), "id": batch["id"],
                     "TaskResourceId": item["id"], "createdAt": batch["createdAt"], "updatedAt": batch["createdAt"]}
    started = vendor.get(f"/api/tasks/{task['id']}").json()
    assert task_shaped(started) and started["status"] == "in-progress"
    assert started["Items"][0]["Batches"] == [{"id": batch["id"], "UserId": None, "quantity": 25,
                                               "createdAt": batch["createdAt"], "updatedAt": batch["createdAt"]}]
    with served.v1() as v1:
        assert v1.get("/v1/items/CANDLE-001").json()["on_hand"] == 45 + 25
        assert v1.get("/v1/items/WAX-SOY").json()["on_hand"] == 100 - 12.5
    maker = served.key_with("production:write", "production:read", "stock:read", name="maker")
    made = served.server.cli("keys", "create", "--name", "user key", "--user", "user@example.com", "--scope",
                             "production:write", "--json")
    assert made.returncode == 0, made.stderr
    with served.vendor(PREFIX, {HEADER: json.loads(made.stdout)["api_key"]}) as as_user:
        second = as_user.post(url, json={"quantity": 25})
    assert second.status_code == 201, second.text
    assert second.json()["UserId"] == world["users"]["user@example.com"]
    done = vendor.get(f"/api/tasks/{task['id']}").json()
    assert (done["status"], done["Items"][0]["completed"]) == ("done", True) and done["completedAt"]
    assert [b["UserId"] for b in done["Items"][0]["Batches"]] == [None, world["users"]["user@example.com"]]
    with served.vendor(PREFIX, {HEADER: maker}) as production:
        assert production.delete(f"/api/task-batches/{second.json()['id']}").status_code == 204
    reopened = vendor.get(f"/api/tasks/{task['id']}").json()
    assert (reopened["status"], reopened["completedAt"], reopened["Items"][0]["completed"]) == (
        "in-progress", None, False)
    assert [b["id"] for b in reopened["Items"][0]["Batches"]] == [batch["id"]]
    with served.v1() as v1:
        assert v1.get("/v1/items/CANDLE-001").json()["on_hand"] == 45 + 25
        assert v1.get("/v1/items/WAX-SOY").json()["on_hand"] == 100 - 12.5
    refused(vendor.delete(f"/api/task-batches/{second.json()['id']}"), 404)
    refused(vendor.delete("/api/task-batches/999999"), 404)


def test_batches_refuse_what_cannot_be_made_and_change_nothing(served, vendor, world):
    task = create(vendor, world)
    other = create(vendor, world)
    url = f"/api/tasks/{task['id']}/items/{task['Items'][0]['id']}/batches"
    for bad in ({"quantity": 0}, {"quantity": -3}, {"quantity": "lots"}, {}):
        refused(vendor.post(url, json=bad), 400)
    # 80 lb of wax in the Main Warehouse make 160 candles at most.
    shortage = refused(vendor.post(url, json={"quantity": 10_000}), 400)
    assert shortage.startswith("WAX-SOY: 5000") and "available at this location" in shortage
    refused(vendor.post(f"/api/tasks/{other['id']}/items/{task['Items'][0]['id']}/batches", json={"quantity": 1}),
            404)
    refused(vendor.post(f"/api/tasks/999999/items/{task['Items'][0]['id']}/batches",
                        json={"quantity": 1}), 404)
    with served.v1() as v1:
        assert v1.get("/v1/items/WAX-SOY").json()["on_hand"] == 100 - 12.5
    assert vendor.get(f"/api/tasks/{task['id']}").json()["Items"][0]["Batches"] == []


def test_delete_task_is_a_soft_delete_that_keeps_what_it_made(served, vendor, world):
    task = create(vendor, world)
    item = task["Items"][0]
    assert vendor.post(f"/api/tasks/{task['id']}/items/{item['id']}/batches", json={"quantity": 2}).status_code == 201
    with served.v1() as v1:
        before = v1.get("/v1/items/CANDLE-001").json()["on_hand"]
    r = vendor.delete(f"/api/tasks/{task['id']}")
    assert (r.status_code, r.content) == (204, b"")
    refused(vendor.get(f"/api/tasks/{task['id']}"), 404)
    assert task["id"] not in {t["id"] for t in vendor.get("/api/tasks", params={"limit": 1000}).json()["data"]}
    refused(vendor.delete(f"/api/tasks/{task['id']}"), 404)
    with served.v1() as v1:
        assert v1.get("/v1/items/CANDLE-001").json()["on_hand"] == before


def test_one_ledger_tasks_are_v1s_production_orders_and_back(served, vendor, world):
    task = create(vendor, world)
    item = task["Items"][0]
    batch = vendor.post(f"/api/tasks/{task['id']}/items/{item['id']}/batches", json={"quantity": 1}).json()
    with served.v1() as v1:
        [order] = [o for o in v1.get("/v1/production-orders", params={"limit": 200}).json()["data"]
                   if o["number"] == task["id"]]
        assert (order["name"], order["status"], order["lines"][0]["number"]) == (
            task["name"], "in_progress", item["id"])
        moves = v1.get("/v1/stock/movements", params={"item": "CANDLE-001"}).json()["data"]
        [made] = order["lines"][0]["batches"]
        assert made["number"] == batch["id"] and made["id"] in {m["batch"] for m in moves}
        events = v1.get("/v1/events", params={"after": 0, "limit": 1000}).json()["data"]
        assert {"production_order.created", "stock.changed"} <= {e["type"] for e in events}
        assert order["id"] in {e["resource_id"] for e in v1.get("/v1/audit-log").json()["data"]}
        made = v1.post("/v1/production-orders", json={"name": "From v1", "lines": [
            {"item": "CANDLE-001", "quantity": 4}]})
        assert made.status_code == 201, made.text
    shown = vendor.get(f"/api/tasks/{made.json()['number']}").json()
    assert (shown["name"], shown["Items"][0]["quantity"], shown["Items"][0]["ResourceId"]) == (
        "From v1", 4, world["candle"])


def test_a_repeated_create_with_an_idempotency_key_makes_one_task(vendor, world):
    request = identified(body("POST /tasks"), {"asdf123": world["candle"], "loc_789": world["main"]})
    request["name"] = "Idempotent"
    first = vendor.post("/api/tasks", json=request, headers={"Idempotency-Key": "inv-task-1"})
    again = vendor.post("/api/tasks", json=request, headers={"Idempotency-Key": "inv-task-1"})
    assert (first.status_code, again.status_code, again.headers.get("idempotent-replayed")) == (201, 201, "true")
    assert first.json() == again.json()
    named = [t for t in vendor.get("/api/tasks", params={"limit": 1000}).json()["data"] if t["name"] == "Idempotent"]
    assert len(named) == 1


def test_concurrent_batches_use_the_material_exactly_and_the_books_balance(served, world):
    with served.v1() as v1:
        wax = make_wax(v1, "RACE-WAX")  # 80 lb in the Main Warehouse
        candle = make_candle(v1, "RACE-CANDLE", wax="RACE-WAX")
    with served.vendor(PREFIX, {HEADER: served.key}) as client:
        task = create(client, {**world, "candle": candle}, LocationId=world["main"])
    url = f"/api/tasks/{task['id']}/items/{task['Items'][0]['id']}/batches"
    clients = 12
    start = threading.Barrier(clients, timeout=PATIENCE)

    def produce(_: int) -> int:
        with served.vendor(PREFIX, {HEADER: served.key}) as client:
            start.wait()
            return client.post(url, json={"quantity": 20}).status_code  # 10 lb each: 8 fit in 80 lb

    with ThreadPoolExecutor(max_workers=clients) as pool:
        assert Counter(pool.map(produce, range(clients))) == {201: 8, 400: 4}
    with served.vendor(PREFIX, {HEADER: served.key}) as client:
        assert client.get(f"/api/materials/{wax}").json()["locationStockLevels"]["Main Warehouse"] == 0
        assert client.get(f"/api/products/{candle}").json()["stockLevel"] == 45 + 160
    checked = served.server.cli("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
