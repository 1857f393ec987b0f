"""Numbers over HTTP (issue 21): every read of an item (variants and deleted ones included), a
category, a tax rate, a custom reason, a production order, its lines and batches shows `number`,
its 1, 2, 3 … in the workspace; nobody sets it."""

from __future__ import annotations

import pytest


def ok(r) -> dict:
    assert r.status_code in (200, 201), r.text
    return r.json()


def error(r) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


def test_items_and_their_variants_show_their_numbers_in_every_read(api):
    lamp = ok(api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp"}))
    tee = ok(api.post("/v1/items", json={"sku": "TEE", "name": "Tee", "variants": [
        {"sku": "TEE-S", "attributes": {"size": "S"}}, {"sku": "TEE-M", "attributes": {"size": "M"}}]}))
    tee_l = ok(api.post("/v1/items/TEE/variants", json={"sku": "TEE-L", "attributes": {"size": "L"}}))

    assert (lamp["number"], tee["number"], tee_l["number"]) == (1, 2, 5)
    parent = ok(api.get("/v1/items/TEE"))
    assert [(v["sku"], v["number"]) for v in parent["variants"]] == [("TEE-S", 3), ("TEE-M", 4), ("TEE-L", 5)]
    listed = ok(api.get("/v1/items", params={"sort": "created_at"}))["data"]
    assert [(i["sku"], i["number"]) for i in listed] == [
        ("LAMP", 1), ("TEE", 2), ("TEE-S", 3), ("TEE-M", 4), ("TEE-L", 5)]
    assert [(v["sku"], v["number"]) for v in ok(api.get("/v1/items/TEE/variants"))["data"]] == [
        ("TEE-S", 3), ("TEE-M", 4), ("TEE-L", 5)]
    assert ok(api.patch("/v1/items/LAMP", json={"name": "Desk lamp"}))["number"] == 1

    assert api.delete("/v1/items/LAMP").status_code == 204
    assert [(d["sku"], d["number"]) for d in ok(api.get("/v1/items/deleted"))["data"]] == [("LAMP", 1)]
    assert ok(api.post("/v1/items", json={"sku": "LAMP-2", "name": "New lamp"}))["number"] == 6  # 1 stays LAMP's
    assert ok(api.post(f"/v1/items/{lamp['id']}/restore"))["number"] == 1


def test_production_orders_lines_and_batches_show_their_numbers(api):
    ok(api.post("/v1/items", json={"sku": "WAX", "name": "Wax", "initial_stock": [{"quantity": 50}]}))
    ok(api.post("/v1/items", json={"sku": "CANDLE", "name": "Candle"}))
    ok(api.put("/v1/items/CANDLE/components", json=[{"item": "WAX", "quantity": 1}]))
    order = ok(api.post("/v1/production-orders", json={"lines": [{"item": "CANDLE", "quantity": 5},
                                                                   {"item": "WAX", "quantity": 1}]}))
    line = order["lines"][0]
    batch = ok(api.post(f"/v1/production-orders/{order['id']}/lines/{line['id']}/batches", json={"quantity": 2}))

    assert (order["number"], order["name"], [x["number"] for x in order["lines"]]) == (1, "MO-000001", [1, 2])
    assert batch["number"] == 1
    read = ok(api.get(f"/v1/production-orders/{order['id']}"))
    assert read["lines"][0]["batches"][0]["number"] == 1
    assert ok(api.get(f"/v1/batches/{batch['id']}"))["number"] == 1
    assert ok(api.get("/v1/production-orders"))["data"][0]["number"] == 1


def test_categories_tax_rates_and_custom_reasons_show_their_numbers_in_lists(api):
    for name in ("A", "B"):
        ok(api.post("/v1/categories", json={"name": name}))
    ok(api.post("/v1/tax-rates", json={"name": "VAT", "rate": "0.2"}))
    ok(api.post("/v1/reasons", json={"code": "sample", "name": "Sample", "direction": "out"}))

    assert [c["number"] for c in ok(api.get("/v1/categories"))["data"]] == [1, 2]
    assert [t["number"] for t in ok(api.get("/v1/tax-rates"))["data"]] == [1]
    reasons = ok(api.get("/v1/reasons"))["data"]
    assert {r["code"]: r["number"] for r in reasons if not r["builtin"]} == {"sample": 1}
    assert {r["number"] for r in reasons if r["builtin"]} == {None}


@pytest.mark.parametrize("path, body", [
    ("/v1/items", {"sku": "X", "name": "X", "number": 7}),
    ("/v1/categories", {"name": "X", "number": 7}),
    ("/v1/tax-rates", {"name": "X", "rate": "0.1", "number": 7}),
    ("/v1/reasons", {"code": "x", "name": "X", "direction": "out", "number": 7}),
])
def test_a_number_cannot_be_sent(api, path, body):
    assert error(api.post(path, json=body)) == (422, "READONLY_FIELD")


def test_a_number_cannot_be_changed(api):
    ok(api.post("/v1/items", json={"sku": "X", "name": "X"}))
    assert error(api.patch("/v1/items/X", json={"number": 9})) == (422, "READONLY_FIELD")
    assert ok(api.get("/v1/items/X"))["number"] == 1


def test_each_workspace_counts_its_own(api, other_workspace):
    assert ok(api.post("/v1/items", json={"sku": "A", "name": "A"}))["number"] == 1
    assert ok(other_workspace.api.post("/v1/items", json={"sku": "A", "name": "A"}))["number"] == 1
    assert ok(api.post("/v1/items", json={"sku": "B", "name": "B"}))["number"] == 2
