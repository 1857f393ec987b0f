"""The Inventora API (seed 002) spoken to a real `storekeeper serve` over HTTP, as a client written
against its document would: products, materials, their stock-level updates and locations, the
key in its header or query, its error bodies; the document's examples as fixtures, its answers'
shapes and types; one ledger with /v1; idempotency; concurrent writes."""

from __future__ import annotations

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.compat.conftest import roomy
from tests.compat.inventora.document import ERRORS, body, example, identified
from tests.compat.inventora.shapes import (
    HEADER,
    LOCATION,
    PREFIX,
    page_shaped,
    refused,
    resource_shaped,
    shaped,
)
from tests.compat.inventora.world import make_candle, make_locations, make_wax
from tests.waiting import PATIENCE


@pytest.fixture(scope="module")
def world(served):
    """The document's locations and resources, made through /v1: `init`'s default location
    becomes its Main Warehouse."""
    with served.v1() as v1:
        places = make_locations(v1)
        return {**places, "wax": make_wax(v1, "WAX-SOY"), "candle": make_candle(v1, "CANDLE-001")}


@pytest.fixture(scope="module")
def vendor(served):
    with served.vendor(PREFIX, {HEADER: served.key}) as client:
        yield client


def test_get_product_and_material_answer_as_the_documents_examples(vendor, world):
    ids = {"asdf123": world["candle"], "asdf456": world["wax"]}
    product = vendor.get(f"/api/products/{world['candle']}")
    assert product.status_code == 200 and resource_shaped(product.json())
    assert product.json() == identified(example("GET /products/:id"), ids)
    material = vendor.get(f"/api/materials/{world['wax']}")
    assert material.status_code == 200 and resource_shaped(material.json())
    assert material.json() == identified(example("GET /materials/:id"), ids)


def test_lists_answer_with_the_documents_pagination_and_each_kind_apart(vendor, world):
    products = vendor.get("/api/products")
    assert products.status_code == 200 and page_shaped(products.json())
    body = products.json()
    assert all(resource_shaped(row) for row in body["data"])
    assert world["candle"] in {row["id"] for row in body["data"]} and world["wax"] not in {
        row["id"] for row in body["data"]}
    assert body["pagination"] == {"totalCount": len(body["data"]), "offset": 0, "limit": 100}
    ids = {"asdf123": world["candle"], "asdf456": world["wax"]}
    assert next(row for row in body["data"] if row["id"] == world["candle"]) == identified(
        example("GET /products"), ids)["data"][0]
    materials = vendor.get("/api/materials").json()
    assert next(row for row in materials["data"] if row["id"] == world["wax"]) == identified(
        example("GET /materials"), ids)["data"][0]


def test_limit_and_offset_page_through_a_list(served, vendor, world):
    with served.v1() as v1:
        for n in range(3):
            make_wax(v1, f"PAGE-WAX-{n}")
    everything = vendor.get("/api/materials", params={"limit": 1000}).json()
    total = everything["pagination"]["totalCount"]
    assert total >= 4 and len(everything["data"]) == total
    second = vendor.get("/api/materials", params={"limit": 2, "offset": 1}).json()
    assert second["pagination"] == {"totalCount": total, "offset": 1, "limit": 2}
    assert [row["id"] for row in second["data"]] == [row["id"] for row in everything["data"][1:3]]
    assert vendor.get("/api/materials", params={"offset": total}).json()["data"] == []
    # The document's maximum: more is read as 1000, as the vendor caps it.
    assert vendor.get("/api/materials", params={"limit": 5000}).json()["pagination"]["limit"] == 1000
    for bad in ({"limit": 0}, {"limit": "many"}, {"offset": -1}):
        refused(vendor.get("/api/materials", params=bad), 400)


def test_patch_product_with_the_documents_request_answers_its_example(served, vendor, world):
    with served.v1() as v1:
        candle = make_candle(v1, "PATCH-CANDLE")
    r = vendor.patch(f"/api/products/{candle}", json=body("PATCH /products/:id"))
    assert r.status_code == 200, r.text
    assert resource_shaped(r.json())
    assert r.json() == identified(example("PATCH /products/:id"), {"asdf123": candle, "asdf456": world["wax"]})
    assert vendor.get(f"/api/products/{candle}").json() == r.json()
    cleared = vendor.patch(f"/api/products/{candle}", json={"retailPrice": None, "ean": None, "notes": None,
                                                            "reorderURLs": []}).json()
    assert (cleared["retailPrice"], cleared["ean"], cleared["notes"], cleared["reorderURLs"]) == (None, None, None, [])


def test_patch_material_relabels_its_unit_as_the_documents_example_shows(served, vendor, world):
    with served.v1() as v1:
        wax = make_wax(v1, "PATCH-WAX")
    r = vendor.patch(f"/api/materials/{wax}", json=body("PATCH /materials/:id"))
    assert r.status_code == 200, r.text
    # The document's answer: the unit changed, the stock kept its numbers.
    assert r.json() == identified(example("PATCH /materials/:id"), {"asdf456": wax})
    with served.v1() as v1:
        assert v1.get("/v1/items/NEW-MAT-SKU").json()["unit"] == "kg"
        assert v1.get("/v1/items/NEW-MAT-SKU").json()["on_hand"] == 100
    back = vendor.patch(f"/api/materials/{wax}", json={"unitType": "weight.grams"}).json()
    assert (back["unitType"], back["stockLevel"]) == ("weight.grams", 100)


def test_unit_price_is_frozen_once_stock_came_in_other_than_as_initial_stock(served, vendor, world):
    with served.v1() as v1:
        wax = make_wax(v1, "FROZEN-WAX")
    assert vendor.patch(f"/api/materials/{wax}", json={"unitPrice": 3.5}).json()["unitPrice"] == 3.5
    assert vendor.post(f"/api/materials/{wax}/stock-level-updates", json={
        "quantity": 5, "locationName": "Main Warehouse", "updateType": "restock"}).status_code == 200
    message = refused(vendor.patch(f"/api/materials/{wax}", json={"unitPrice": 4, "name": "Renamed"}), 400)
    assert "unitPrice" in message
    after = vendor.get(f"/api/materials/{wax}").json()
    assert (after["unitPrice"], after["name"]) == (3.5, "Soy Wax")  # nothing of the refused change
    assert vendor.patch(f"/api/materials/{wax}", json={"unitPrice": 3.5, "notes": "same price"}).status_code == 200


def test_patch_refuses_what_the_document_forbids_in_its_envelope(served, vendor, world):
    for bad in ({"unitType": "bundles"}, {"unitType": "weight.stone"}, {"name": ""}, {"unitPrice": -1},
                 {"minLevel": "ten"}, {"reorderURLs": ["not a url"]}, {"sku": "WAX-SOY"}):
        refused(vendor.patch(f"/api/products/{world['candle']}", json=bad), 400)
    # A unit of another dimension would break the candle's bill of materials, which uses the wax in lb.
    refused(vendor.patch(f"/api/materials/{world['wax']}", json={"unitType": "length.m"}), 400)
    refused(vendor.patch(f"/api/products/{world['candle']}", content=b"{not json",
                         headers={"Content-Type": "application/json"}), 400)
    assert vendor.get(f"/api/products/{world['candle']}").json()["sku"] == "CANDLE-001"


def test_a_resource_of_the_other_kind_or_an_unknown_id_is_not_found(vendor, world):
    for path in (f"/api/products/{world['wax']}", f"/api/materials/{world['candle']}", "/api/products/999999",
                 f"/api/products/{2**53}"):
        assert refused(vendor.get(path), 404).startswith("Resource not found: #")
    # Ids are numbers: a SKU or another system's id is no id here.
    for path in ("/api/products/CANDLE-001", "/api/materials/asdf456", "/api/products/0", f"/api/products/{2**53 + 1}"):
        assert refused(vendor.get(path), 400).startswith("id: ")
    refused(vendor.patch(f"/api/products/{world['wax']}", json={"name": "x"}), 404)
    refused(vendor.post(f"/api/materials/{world['candle']}/stock-level-updates", json={
        "quantity": 1, "locationName": "Main Warehouse", "updateType": "restock"}), 404)
    assert refused(vendor.get("/api/no-such-thing"), 404)


def test_the_material_stock_level_update_of_the_document_restocks(served, vendor, world):
    with served.v1() as v1:
        wax = make_wax(v1, "RESTOCK-WAX")
    r = vendor.post(f"/api/materials/{wax}/stock-level-updates",
                    json=body("POST /materials/:id/stock-level-updates"))
    assert r.status_code == 200, r.text
    expected = identified(example("POST /materials/:id/stock-level-updates"), {"asdf456": wax})
    assert r.json() == {**expected, "sku": "RESTOCK-WAX"}


def test_update_types_audit_sets_loss_subtracts_and_custom_goes_its_statuss_way(served, vendor, world):
    with served.v1() as v1:
        candle = make_candle(v1, "TYPES-CANDLE")
        gift = v1.post("/v1/reasons", json={"code": "gift", "name": "Gift", "direction": "out"}).json()
        found = v1.post("/v1/reasons", json={"code": "found", "name": "Found", "direction": "in"}).json()
    url = f"/api/products/{candle}/stock-level-updates"
    audit = vendor.post(url, json=body("POST /products/:id/stock-level-updates"))
    assert audit.status_code == 200 and resource_shaped(audit.json())
    assert (audit.json()["stockLevel"], audit.json()["locationStockLevels"]) == (25, {"Main Warehouse": 10,
                                                                                      "Retail Store": 15})
    loss = vendor.post(url, json={"quantity": 4, "locationName": "Retail Store", "updateType": "loss"}).json()
    assert loss["locationStockLevels"]["Retail Store"] == 11
    gave = vendor.post(url, json={"quantity": 2, "locationName": "Retail Store", "updateType": "custom",
                                  "customStatusId": gift["number"], "notes": "for the fair"}).json()
    assert gave["locationStockLevels"]["Retail Store"] == 9
    back = vendor.post(url, json={"quantity": 1.5, "locationName": "Production Floor", "updateType": "custom",
                                  "customStatusId": str(found["number"])}).json()
    assert back["locationStockLevels"] == {"Main Warehouse": 10, "Production Floor": 1.5, "Retail Store": 9}
    assert back["stockLevel"] == 20.5
    with served.v1() as v1:
        moves = v1.get("/v1/stock/movements", params={"item": "TYPES-CANDLE", "order": "asc"}).json()["data"]
    assert [(m["reason"], m["delta"], m["note"]) for m in moves][-4:] == [
        ("count", -20, "Weekly inventory count"), ("loss", -4, None), ("gift", -2, "for the fair"),
        ("found", 1.5, None)]


def test_stock_level_updates_refuse_bad_input_and_negative_stock_and_change_nothing(served, vendor, world):
    with served.v1() as v1:
        wax = make_wax(v1, "GUARD-WAX")
    url = f"/api/materials/{wax}/stock-level-updates"
    base = {"quantity": 1, "locationName": "Main Warehouse", "updateType": "restock"}
    for bad in ({**base, "updateType": "custom"}, {**base, "updateType": "theft"}, {**base, "quantity": 0},
                 {**base, "quantity": "one"}, {**base, "quantity": None}, {"quantity": 1, "updateType": "restock"},
                 {**base, "updateType": "audit", "quantity": -1}, {**base, "updateType": "loss", "quantity": 81}):
        refused(vendor.post(url, json=bad), 400)
    assert refused(vendor.post(url, json={**base, "locationName": "Atlantis"}), 404).startswith("Location not found")
    assert refused(vendor.post(url, json={**base, "updateType": "custom", "customStatusId": 999999}), 404
                   ).startswith("Custom status not found")
    refused(vendor.post(url, json={**base, "updateType": "custom", "customStatusId": "rsn_nope"}), 400)
    assert vendor.get(f"/api/materials/{wax}").json()["stockLevel"] == 100
    with served.v1() as v1:
        assert len(v1.get("/v1/stock/movements", params={"item": "GUARD-WAX"}).json()["data"]) == 2  # initial


def test_locations_answer_as_the_documents_example(vendor, world):
    r = vendor.get("/api/locations")
    assert r.status_code == 200 and page_shaped(r.json())
    rows = r.json()["data"]
    assert all(shaped(row, LOCATION) for row in rows)
    documented = {row["name"]: row for row in example("GET /locations")["data"]}
    by_name = {row["name"]: row for row in rows}
    assert by_name["Main Warehouse"] == {**documented["Main Warehouse"], "id": world["main"]}
    assert by_name["Retail Store"] == {**documented["Retail Store"], "id": world["retail"]}
    assert r.json()["pagination"] == {"totalCount": 3, "offset": 0, "limit": 100}
    one = vendor.get("/api/locations", params={"limit": 1, "offset": 1}).json()
    assert one["data"] == rows[1:2] and one["pagination"] == {"totalCount": 3, "offset": 1, "limit": 1}
    refused(vendor.get("/api/locations", params={"limit": -5}), 400)


def test_the_key_in_the_header_or_the_query_and_the_documents_401_bodies(served, world):
    with served.vendor(PREFIX, {}) as anonymous:
        assert anonymous.get("/api/products").json() == ERRORS[0]
        assert anonymous.get("/api/products").status_code == 401
        for headers in ({HEADER: "sk_wrong"}, {HEADER: "sk_" + "q" * 32 + "01JC0000000000000000000000"}):
            r = anonymous.get("/api/products", headers=headers)
            assert (r.status_code, r.json()) == (401, ERRORS[1])
            assert "bearer" not in r.headers.get("www-authenticate", "").lower()
        assert anonymous.get("/api/products", params={"x-inventora-api-key": served.key}).status_code == 200
        refused(anonymous.get("/api/products", params={"x-inventora-api-key": "sk_nope"}), 401)
        # Storekeeper's own Bearer is not how an Inventora client sends its key.
        assert anonymous.get("/api/products", headers={"Authorization": f"Bearer {served.key}"}).json() == ERRORS[0]
    reader = served.key_with("items:read", "stock:read", name="inventora reader")
    with served.vendor(PREFIX, {HEADER: reader}) as read_only:
        assert read_only.get(f"/api/products/{world['candle']}").status_code == 200
        refused(read_only.post(f"/api/products/{world['candle']}/stock-level-updates", json={
            "quantity": 1, "locationName": "Main Warehouse", "updateType": "restock"}), 403)
        refused(read_only.get("/api/tasks"), 403)


def test_a_key_in_the_query_never_reaches_the_logs(served, world):
    key = served.key_with("items:read", "stock:read", name="query key")
    bogus = "sk_" + "z" * 32 + "01JC0000000000000000000000"
    with served.vendor(PREFIX, {}) as client:
        assert client.get("/api/products", params={"x-inventora-api-key": key}).status_code == 200
        assert client.get("/api/products/999999", params={"x-inventora-api-key": key}).status_code == 404
        assert client.get("/api/products", params={"x-inventora-api-key": key, "limit": 0}).status_code == 400
        assert client.get("/api/tasks", params={"x-inventora-api-key": key}).status_code == 403
        assert client.post(f"/api/products/{world['candle']}/stock-level-updates", content=b"{",
                           params={"x-inventora-api-key": key}).status_code in (400, 403)
        assert client.get("/api/products", params={"x-inventora-api-key": bogus}).status_code == 401
    served.server.wait_for_output(r"GET /compat/inventora/api/products 401")
    output = served.server.output()
    assert "GET /compat/inventora/api/products 200" in output
    for secret in (key, key[11:], bogus):
        assert secret not in output
    assert "x-inventora-api-key=" not in output.lower()


def test_one_ledger_writes_through_the_facade_are_v1s_and_v1s_are_the_facades(served, vendor, world):
    with served.v1() as v1:
        wax = make_wax(v1, "LEDGER-WAX")
    r = vendor.post(f"/api/materials/{wax}/stock-level-updates", json={
        "quantity": 7, "locationName": "Production Floor", "updateType": "loss", "notes": "spilled"})
    assert r.status_code == 200
    assert vendor.patch(f"/api/materials/{wax}", json={"minLevel": 30}).status_code == 200
    with served.v1() as v1:
        item = v1.get("/v1/items/LEDGER-WAX").json()
        assert (item["on_hand"], item["reorder_point"]) == (93, 30)
        [moved] = [m for m in v1.get("/v1/stock/movements", params={"item": "LEDGER-WAX"}).json()["data"]
                   if m["reason"] == "loss"]
        assert (moved["delta"], moved["note"], moved["actor"]["name"]) == (-7, "spilled", "admin")
        events = v1.get("/v1/events", params={"after": 0, "limit": 1000}).json()["data"]
        assert moved["id"] in {e["data"]["movement"]["id"] for e in events if e["type"] == "stock.changed"}
        assert any(e["type"] == "item.updated" and item["id"] in json.dumps(e) for e in events)
        audit = v1.get("/v1/audit-log", params={"resource_id": item["id"]}).json()["data"]
        assert "item.updated" in {entry["action"] for entry in audit}
        assert v1.post("/v1/stock/adjustments", json={"item": "LEDGER-WAX", "location": "Main Warehouse",
                                                      "reason": "receipt", "delta": 12}).status_code == 201
    after = vendor.get(f"/api/materials/{wax}").json()
    assert (after["stockLevel"], after["locationStockLevels"]["Main Warehouse"]) == (105, 92)


def test_a_repeated_update_with_an_idempotency_key_is_replayed_not_applied_twice(served, vendor, world):
    with served.v1() as v1:
        wax = make_wax(v1, "IDEM-WAX")
    url, body = f"/api/materials/{wax}/stock-level-updates", {"quantity": 5, "locationName": "Main Warehouse",
                                                             "updateType": "restock"}
    first = vendor.post(url, json=body, headers={"Idempotency-Key": "inv-idem-1"})
    again = vendor.post(url, json=body, headers={"Idempotency-Key": "inv-idem-1"})
    assert (first.status_code, again.status_code, again.headers.get("idempotent-replayed")) == (200, 200, "true")
    assert again.json() == first.json() and first.json()["stockLevel"] == 105
    assert vendor.get(f"/api/materials/{wax}").json()["stockLevel"] == 105
    loss = {**body, "updateType": "loss", "quantity": 1000}
    no = vendor.post(url, json=loss, headers={"Idempotency-Key": "inv-idem-2"})
    replayed = vendor.post(url, json=loss, headers={"Idempotency-Key": "inv-idem-2"})
    assert refused(no, 400) == refused(replayed, 400)


def test_concurrent_updates_lose_nothing_the_guard_holds_and_the_books_balance(served, world):
    with served.v1() as v1:
        wax = make_wax(v1, "RACE-WAX")  # 80 in the Main Warehouse, 20 on the Production Floor
    clients = 12
    start = threading.Barrier(clients, timeout=PATIENCE)

    def update(n: int) -> int:
        # Half restock the Main Warehouse by 1; half take 3 from the Production Floor's 20.
        body = ({"quantity": 1, "locationName": "Main Warehouse", "updateType": "restock"} if n % 2 else
                {"quantity": 3, "locationName": "Production Floor", "updateType": "loss"})
        with served.vendor(PREFIX, {HEADER: served.key}) as client:
            start.wait()
            return client.post(f"/api/materials/{wax}/stock-level-updates", json=body).status_code

    with ThreadPoolExecutor(max_workers=clients) as pool:
        outcomes = Counter(pool.map(update, range(clients)))
    assert outcomes == {200: clients}
    with served.vendor(PREFIX, {HEADER: served.key}) as client:
        levels = client.get(f"/api/materials/{wax}").json()["locationStockLevels"]
    assert levels == {"Main Warehouse": 86, "Production Floor": 2}
    overdrawn = Counter()
    start = threading.Barrier(clients, timeout=PATIENCE)

    def overdraw(_: int) -> None:
        with served.vendor(PREFIX, {HEADER: served.key}) as client:
            start.wait()
            overdrawn[client.post(f"/api/materials/{wax}/stock-level-updates", json={
                "quantity": 0.5, "locationName": "Production Floor", "updateType": "loss"}).status_code] += 1

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(overdraw, range(clients)))
    assert overdrawn == {200: 4, 400: clients - 4}  # 2 on hand: four halves, never below zero
    with served.vendor(PREFIX, {HEADER: served.key}) as client:
        assert client.get(f"/api/materials/{wax}").json()["locationStockLevels"]["Production Floor"] == 0
    checked = served.server.cli("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_over_the_rate_limit_a_client_gets_429_in_the_documents_envelope(served, world):
    """Last in the module: it narrows the workspace's plan, then gives the room back."""
    hasty = served.key_with("stock:read", name="hasty")
    with served.v1() as v1:
        assert v1.patch("/v1/workspace", json={"settings": {"rate_limit": {"per_second": 0.01, "burst": 2}}}
                        ).status_code == 200
    try:
        with served.vendor(PREFIX, {HEADER: hasty}) as client:
            answers = [client.get("/api/locations") for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert "retry after" in refused(answers[2], 429).lower() and answers[2].headers["retry-after"].isdigit()
    finally:
        with served.v1() as v1:
            roomy(v1)
