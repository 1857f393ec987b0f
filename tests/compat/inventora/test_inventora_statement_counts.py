"""A page of the Inventora API's products (with their levels and materials) or tasks (with their
items and batches) costs the same SQL statements for one row as for many: a query per row would
fail these."""

from __future__ import annotations

from tests.sql_counting import statements

PREFIX = "/compat/inventora/api"


def _count(db, client, key: str, path: str, **params) -> tuple[int, dict]:
    with statements(db) as seen:
        r = client.get(PREFIX + path, params=params, headers={"X-Inventora-API-Key": key})
        assert r.status_code == 200, r.text
    return len(seen), r.json()


def _stocked(api, sku: str, kind: str, **fields) -> int:
    r = api.post("/v1/items", json={"sku": sku, "name": sku, "kind": kind, **fields,
                                    "initial_stock": [{"location": "Main", "quantity": 5},
                                                      {"location": "Back", "quantity": 2}]})
    assert r.status_code == 201, r.text
    return r.json()["number"]


def _world(api) -> list[int]:
    for name in ("Main", "Back"):
        assert api.post("/v1/locations", json={"name": name, "is_default": name == "Main"}).status_code == 201
    for m in ("WAX", "WICK"):
        _stocked(api, m, "material", unit="kg")
    products = []
    for p in range(9):
        products.append(_stocked(api, f"CANDLE-{p}", "product"))
        bill = [{"item": "WAX", "quantity": "0.2", "unit": "g"}, {"item": "WICK", "quantity": "0.1"}]
        assert api.put(f"/v1/items/CANDLE-{p}/components", json=bill).status_code == 200
    return products


def test_a_page_of_products_costs_the_same_statements_for_one_as_for_eight(api, client, db, workspace):
    # Nine products: both pages leave rows for a next one.
    _world(api)
    one, first = _count(db, client, workspace.key, "/products", limit=1)
    eight, page = _count(db, client, workspace.key, "/products", limit=8)
    assert one == eight
    assert len(page["data"]) == 8 and all(len(p["materials"]) == 2 for p in page["data"])
    assert page["data"][0]["locationStockLevels"] == {"Back": 2, "Main": 5} == first["data"][0]["locationStockLevels"]


def test_a_page_of_tasks_costs_the_same_statements_for_one_as_for_six(api, client, db, workspace):
    products = _world(api)
    headers = {"X-Inventora-API-Key": workspace.key}
    for t in range(7):
        made = client.post(f"{PREFIX}/tasks", headers=headers, json={"name": f"Task {t}", "Items": [
            {"ProductId": products[t], "quantity": 3}, {"ProductId": products[t + 1], "quantity": 2}]})
        assert made.status_code == 201, made.text
        task = made.json()
        assert client.post(f"{PREFIX}/tasks/{task['id']}/items/{task['Items'][0]['id']}/batches", headers=headers,
                           json={"quantity": 1}).status_code == 201
    one, _ = _count(db, client, workspace.key, "/tasks", limit=1)
    six, page = _count(db, client, workspace.key, "/tasks", limit=6)
    assert one == six
    assert [len(t["Items"][0]["Batches"]) for t in page["data"]] == [1] * 6
