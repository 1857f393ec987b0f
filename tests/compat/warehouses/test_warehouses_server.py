"""The multi-warehouse API (seed 001) spoken to a real `storekeeper serve` over HTTP, as a client
written against the vendor's document would: its example requests as fixtures, its documented
answers' shapes and types, every endpoint, parameter and error code; one ledger with /v1."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.waiting import PATIENCE

PREFIX = "/compat/warehouses"
NUMBER = (int, float)
RECORD = {"sku": str, "title": str, "total_on_hand": NUMBER, "total_reserved": NUMBER, "total_available": NUMBER,
          "safety_stock": NUMBER, "status": str, "warehouses": list}
LEVEL = {"warehouse_id": str, "name": str, "on_hand": NUMBER, "reserved": NUMBER, "available": NUMBER}
ADJUSTMENT = {"id": str, "sku": str, "warehouse_id": str, "before_quantity": NUMBER, "after_quantity": NUMBER,
              "delta": NUMBER, "reason": str, "note": (str, type(None)), "created_by": str, "created_at": str}


def shaped(value: dict, shape: dict, optional: dict | None = None) -> bool:
    """`value` has exactly the documented keys (plus optional ones), each of its JSON type."""
    optional = optional or {}
    assert set(shape) <= set(value) <= set(shape) | set(optional), (sorted(value), sorted(shape))
    for key, kind in {**shape, **optional}.items():
        if key in value:
            # JSON's true is no number: a bool passes only where the document has one.
            assert isinstance(value[key], kind) and (kind is bool or not isinstance(value[key], bool)), (key, value)
    return True


def error(r) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


@pytest.fixture(scope="module")
def world(served):
    """Two warehouses as the document's (an own one with an address, a read-only FBA one) and
    the document's SKUs, made through /v1."""
    with served.v1() as v1:
        berlin = v1.post("/v1/locations", json={
            "name": "Warehouse A", "address": {"line1": "Industriestraße 1", "postal_code": "12345",
                                               "city": "Berlin", "country": "DE"}}).json()
        fba = v1.post("/v1/locations", json={"name": "FBA EU", "type": "external", "read_only": True,
                                             "marketplace": "amazon_eu", "fulfilment": "FBA"}).json()
        for sku, title in (("SKU-001", "Blue Widget 500ml"), ("SKU-002", "Red Widget 250ml")):
            assert v1.post("/v1/items", json={"sku": sku, "name": title, "safety_stock": 15}).status_code == 201
        assert v1.post("/v1/stock/adjustments", json={"item": "SKU-001", "location": berlin["id"],
                                                      "reason": "receipt", "delta": 350}).status_code == 201
        assert v1.post("/v1/stock/adjustments", json={"item": "SKU-001", "location": fba["id"], "reason": "receipt",
                                                      "delta": 137}).status_code == 201
    return {"berlin": berlin["id"], "fba": fba["id"]}


@pytest.fixture(scope="module")
def vendor(served):
    with served.vendor(PREFIX, {"Authorization": f"Bearer {served.key}"}) as client:
        yield client


def test_list_warehouses_answers_as_the_document_shows(vendor, world):
    r = vendor.get("/api/inventory/warehouses")
    assert r.status_code == 200
    by_name = {w["name"]: w for w in r.json()["data"]}
    assert by_name["Warehouse A"] == {"id": world["berlin"], "name": "Warehouse A", "type": "own", "is_active": True,
                                      "address": "Industriestraße 1, 12345 Berlin, DE"}
    assert by_name["FBA EU"] == {"id": world["fba"], "name": "FBA EU", "type": "FBA", "marketplace": "amazon_eu",
                                 "is_active": True, "is_readonly": True}
    assert by_name["Main warehouse"]["type"] == "own"


def test_list_inventory_answers_records_and_meta_as_the_document_shows(vendor, world):
    r = vendor.get("/api/inventory", params={"sku": "SKU-001"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"data", "meta"} and set(body["meta"]) == {"total", "limit", "nextCursor"}
    [record] = body["data"]
    assert shaped(record, RECORD)
    assert (record["title"], record["total_on_hand"], record["safety_stock"]) == ("Blue Widget 500ml", 487, 15)
    levels = {w["name"]: w for w in record["warehouses"]}
    assert shaped(levels["Warehouse A"], LEVEL) and "type" not in levels["Warehouse A"]
    assert levels["FBA EU"]["type"] == "FBA" and levels["FBA EU"]["on_hand"] == 137
    assert body["meta"] == {"total": 1, "limit": 50, "nextCursor": None}


def test_list_inventory_pages_by_cursor_and_filters_by_status_and_warehouse(vendor, world):
    first = vendor.get("/api/inventory", params={"limit": 1}).json()
    assert len(first["data"]) == 1 and first["meta"]["nextCursor"]
    second = vendor.get("/api/inventory", params={"limit": 1, "cursor": first["meta"]["nextCursor"]}).json()
    assert second["data"][0]["sku"] != first["data"][0]["sku"]
    at_fba = vendor.get("/api/inventory", params={"warehouse_id": world["fba"]}).json()["data"]
    assert [(r["sku"], r["total_on_hand"], [w["name"] for w in r["warehouses"]]) for r in at_fba] == [
        ("SKU-001", 137, ["FBA EU"])]
    assert all(r["status"] == "out_of_stock"
               for r in vendor.get("/api/inventory", params={"status": "out_of_stock"}).json()["data"])
    assert vendor.get("/api/inventory", params={"limit": 201}).status_code == 422
    assert error(vendor.get("/api/inventory", params={"warehouse_id": "wh_nowhere"})) == (404, "WAREHOUSE_NOT_FOUND")


def test_get_inventory_for_a_sku_and_an_unknown_sku(vendor, world):
    r = vendor.get("/api/inventory/SKU-001")
    assert r.status_code == 200 and shaped(r.json(), RECORD) and r.json()["total_on_hand"] == 487
    assert error(vendor.get("/api/inventory/NO-SUCH-SKU")) == (404, "INVENTORY_NOT_FOUND")


def test_update_inventory_with_the_documents_request_sets_the_level_and_keeps_its_reason(served, vendor, world):
    r = vendor.put("/api/inventory/SKU-002", json={"warehouse_id": world["berlin"], "quantity": 500,
                                                   "reason": "supplier_receipt", "note": "PO-2026-0312 received"})
    assert r.status_code == 200, r.text
    assert shaped(r.json(), RECORD) and r.json()["total_on_hand"] == 500
    with served.v1() as v1:
        [movement] = v1.get("/v1/stock/movements", params={"item": "SKU-002"}).json()["data"]
        assert (movement["reason"], movement["label"], movement["delta"], movement["note"]) == (
            "count", "supplier_receipt", 500, "PO-2026-0312 received")
        events = v1.get("/v1/events", params={"after": 0, "types": "stock.changed"}).json()["data"]
        assert movement["id"] in {e["data"]["movement"]["id"] for e in events}
        audited = v1.get("/v1/audit-log", params={"item": movement["item"], "action": "movement.*"}).json()["data"]
        assert [e["action"] for e in audited] == ["movement.created"]
    history = vendor.get("/api/inventory/SKU-002/adjustments").json()["data"]
    assert [shaped(a, ADJUSTMENT) and (a["reason"], a["before_quantity"], a["after_quantity"]) for a in history] == [
        ("supplier_receipt", 0, 500)]
    assert history[0]["created_by"] == "admin"  # the key's name: it belongs to no user


def test_a_negative_level_a_read_only_warehouse_and_an_unknown_one_are_refused_in_the_documents_codes(
        served, vendor, world):
    assert error(vendor.put("/api/inventory/SKU-001", json={"warehouse_id": world["berlin"], "quantity": -1})) == (
        422, "NEGATIVE_QUANTITY")
    writer = served.key_with("stock:write", "items:read", name="shop plugin")  # no locations:sync
    with served.vendor(PREFIX, {"Authorization": f"Bearer {writer}"}) as shop:
        assert error(shop.put("/api/inventory/SKU-001", json={"warehouse_id": world["fba"], "quantity": 100})) == (
            403, "READONLY_WAREHOUSE")
    assert error(vendor.put("/api/inventory/SKU-001", json={"warehouse_id": "wh_gone", "quantity": 1})) == (
        404, "WAREHOUSE_NOT_FOUND")
    assert error(vendor.put("/api/inventory/NOPE", json={"warehouse_id": world["berlin"], "quantity": 1})) == (
        404, "INVENTORY_NOT_FOUND")
    assert vendor.put("/api/inventory/SKU-001", json={"quantity": "lots"}).status_code == 422
    syncing = served.key_with("stock:write", "items:read", "locations:sync", name="marketplace sync")
    with served.vendor(PREFIX, {"Authorization": f"Bearer {syncing}"}) as sync:
        r = sync.put("/api/inventory/SKU-001", json={"warehouse_id": world["fba"], "quantity": 120,
                                                     "reason": "fba_report"})
    assert r.status_code == 200, r.text
    assert {w["name"]: w["on_hand"] for w in r.json()["warehouses"]}["FBA EU"] == 120
    assert vendor.get("/api/inventory/SKU-001").json()["total_on_hand"] == 350 + 120


def test_bulk_update_with_the_documents_request_applies_all_or_nothing(served, vendor, world):
    with served.v1() as v1:
        for sku in ("BULK-1", "BULK-2"):
            assert v1.post("/v1/items", json={"sku": sku, "name": sku}).status_code == 201
    body = {"updates": [
        {"sku": "BULK-1", "warehouse_id": world["berlin"], "quantity": 500, "reason": "supplier_receipt"},
        {"sku": "BULK-2", "warehouse_id": world["berlin"], "quantity": 200, "reason": "cycle_count"}]}
    r = vendor.post("/api/inventory/bulk", json=body)
    assert r.status_code == 200, r.text
    assert [(a["sku"], a["after_quantity"], a["reason"]) for a in r.json()["data"]] == [
        ("BULK-1", 500, "supplier_receipt"), ("BULK-2", 200, "cycle_count")]
    writer = served.key_with("stock:write", "items:read", name="shop plugin")  # no locations:sync
    with served.vendor(PREFIX, {"Authorization": f"Bearer {writer}"}) as shop:
        refused = shop.post("/api/inventory/bulk", json={"updates": [
            {"sku": "BULK-1", "warehouse_id": world["berlin"], "quantity": 1},
            {"sku": "NO-SUCH", "warehouse_id": world["berlin"], "quantity": 1},
            {"sku": "BULK-2", "warehouse_id": world["fba"], "quantity": 1}]})
    assert refused.status_code == 422
    assert [(e["index"], e["code"]) for e in refused.json()["error"]["errors"]] == [
        (1, "INVENTORY_NOT_FOUND"), (2, "READONLY_WAREHOUSE")]
    assert vendor.get("/api/inventory/BULK-1").json()["total_on_hand"] == 500  # nothing applied
    too_many = {"updates": [{"sku": "BULK-1", "warehouse_id": world["berlin"], "quantity": 1}] * 501}
    assert vendor.post("/api/inventory/bulk", json=too_many).status_code == 422


def test_the_adjustment_history_filters_by_dates_warehouse_and_reason_and_shows_v1s_sales(served, vendor, world):
    with served.v1() as v1:
        assert v1.post("/v1/items", json={"sku": "HIST-1", "name": "History"}).status_code == 201
    vendor.put("/api/inventory/HIST-1", json={"warehouse_id": world["berlin"], "quantity": 40, "reason": "cycle_count"})
    with served.v1() as v1:
        assert v1.post("/v1/stock/adjustments", json={"item": "HIST-1", "location": world["berlin"],
                                                      "reason": "sale", "delta": -3}).status_code == 201
    everything = vendor.get("/api/inventory/HIST-1/adjustments").json()["data"]
    assert [(a["reason"], a["delta"]) for a in everything] == [("cycle_count", 40), ("sale", -3)]
    assert [a["reason"] for a in vendor.get("/api/inventory/HIST-1/adjustments",
                                            params={"reason": "sale"}).json()["data"]] == ["sale"]
    assert [a["reason"] for a in vendor.get("/api/inventory/HIST-1/adjustments",
                                            params={"reason": "cycle_count"}).json()["data"]] == ["cycle_count"]
    day = everything[0]["created_at"][:10]
    assert len(vendor.get("/api/inventory/HIST-1/adjustments",
                          params={"start_date": day, "end_date": day}).json()["data"]) == 2
    assert vendor.get("/api/inventory/HIST-1/adjustments", params={"end_date": "2000-01-01"}).json()["data"] == []
    assert vendor.get("/api/inventory/HIST-1/adjustments", params={"warehouse_id": world["fba"]}).json()["data"] == []
    assert vendor.get("/api/inventory/HIST-1/adjustments", params={"start_date": "yesterday"}).status_code == 422
    assert error(vendor.get("/api/inventory/NOPE/adjustments")) == (404, "INVENTORY_NOT_FOUND")


def test_a_repeated_update_with_an_idempotency_key_is_replayed_not_applied_twice(served, vendor, world):
    with served.v1() as v1:
        assert v1.post("/v1/items", json={"sku": "IDEM-1", "name": "Once"}).status_code == 201
    body = {"warehouse_id": world["berlin"], "quantity": 9, "reason": "cycle_count"}
    first = vendor.put("/api/inventory/IDEM-1", json=body, headers={"Idempotency-Key": "wh-idem-1"})
    again = vendor.put("/api/inventory/IDEM-1", json=body, headers={"Idempotency-Key": "wh-idem-1"})
    assert (first.status_code, again.status_code, again.headers.get("idempotent-replayed")) == (200, 200, "true")
    assert len(vendor.get("/api/inventory/IDEM-1/adjustments").json()["data"]) == 1
    refused = vendor.put("/api/inventory/IDEM-1", json={**body, "quantity": -5}, headers={"Idempotency-Key": "k2"})
    replay = vendor.put("/api/inventory/IDEM-1", json={**body, "quantity": -5}, headers={"Idempotency-Key": "k2"})
    assert error(refused) == error(replay) == (422, "NEGATIVE_QUANTITY")


def test_many_clients_setting_levels_at_once_lose_no_update_and_the_books_balance(served, world):
    with served.v1() as v1:
        assert v1.post("/v1/items", json={"sku": "RACE-1", "name": "Raced"}).status_code == 201
    clients, start = 12, threading.Barrier(12, timeout=PATIENCE)

    def put(n: int) -> int:
        with served.vendor(PREFIX, {"Authorization": f"Bearer {served.key}"}) as client:
            start.wait()
            return client.put("/api/inventory/RACE-1", json={"warehouse_id": world["berlin"], "quantity": n + 1,
                                                             "reason": "cycle_count"}).status_code

    with ThreadPoolExecutor(max_workers=clients) as pool:
        assert Counter(pool.map(put, range(clients))) == {200: clients}
    with served.v1() as v1:
        moves = v1.get("/v1/stock/movements", params={"item": "RACE-1", "order": "asc"}).json()["data"]
    # Each count saw the level the one before it left: a chain, never two from the same level.
    assert len(moves) == clients and all(a["after"] == b["before"] for a, b in itertools.pairwise(moves))
    checked = served.server.cli("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_keys_scopes_and_rate_limit_headers_as_the_vendor_uses_them(served, vendor, world):
    assert vendor.get("/api/inventory").headers["x-ratelimit-limit"].isdigit()
    with served.vendor(PREFIX, {}) as anonymous:
        assert error(anonymous.get("/api/inventory")) == (401, "UNAUTHENTICATED")
    reader = served.key_with("stock:read", "items:read", name="reader")
    with served.vendor(PREFIX, {"Authorization": f"Bearer {reader}"}) as read_only:
        assert read_only.get("/api/inventory/SKU-001").status_code == 200
        assert error(read_only.put("/api/inventory/SKU-001", json={"quantity": 1})) == (403, "INSUFFICIENT_SCOPE")
