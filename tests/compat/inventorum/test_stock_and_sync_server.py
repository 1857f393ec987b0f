"""The INVENTORUM products API (seeds 000 + 004) over HTTP against a real `storekeeper serve`: a
product's stock (`adjust_inventory`), the sync deltas, shop publishing; one ledger with /v1,
idempotency, the negative-stock guard and races of clients writing at once."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.compat.inventorum.speaking import (
    MODIFIED,
    PREFIX,
    PRODUCT,
    SHOP,
    create,
    refusal,
    shaped,
)
from tests.waiting import PATIENCE


def test_adjust_inventory_with_the_documents_request_and_the_negative_stock_guard(served, vendor, world):
    made = create(vendor, {"name": "00CZJ K900", "tax_type": world["tax"], "quantity": 99})
    r = vendor.put(f"/api/products/{made['id']}/adjust_inventory/",
                   json={"stock": {"quantity": "102", "note": "some reason", "price": "1", "date": "15.01.2018"}},
                   headers={"X-Api-Version": "7"})
    assert r.status_code == 200, r.text
    assert shaped(r.json(), PRODUCT) and r.json()["quantity"] == "201.00"
    lost = vendor.put(f"/api/products/{made['id']}/adjust_inventory/",
                      json={"stock": {"quantity": "-1.5", "note": "Lost packets", "price": "0", "date": "16.01.2018"}})
    assert lost.json()["quantity"] == "199.50"
    with served.v1() as v1:
        moves = v1.get("/v1/stock/movements", params={"item": made["inv_id"], "order": "asc"}).json()["data"]
    assert [(m["reason"], m["delta"], m["unit_cost"], m["note"], m["occurred_at"][:10]) for m in moves[1:]] == [
        ("receipt", 102, "1.00", "some reason", "2018-01-15"), ("correction", -1.5, None, "Lost packets", "2018-01-16")]
    too_much = vendor.put(f"/api/products/{made['id']}/adjust_inventory/",
                          json={"stock": {"quantity": "-1000", "note": "", "price": "0", "date": "16.01.2018"}})
    assert too_much.status_code in (409, 422) and refusal(too_much)[1] == "inventory.negative_stock"
    for wrong in ({"quantity": "1", "note": "", "price": "1", "date": "2018-01-15"},
                  {"quantity": "1", "note": "", "price": "1", "date": "31.02.2018"},
                  {"quantity": "0", "note": "", "price": "1", "date": "15.01.2018"},
                  {"quantity": "1", "price": "1", "date": "15.01.2018"}):
        r = vendor.put(f"/api/products/{made['id']}/adjust_inventory/", json={"stock": wrong})
        assert refusal(r)[:2] == (400, "common.serializer_error"), wrong
    assert vendor.get(f"/api/products/{made['id']}/").json()["quantity"] == "199.50"


def test_delta_modified_lists_catalogue_and_stock_changes_since_a_moment(served, vendor, world):
    made = create(vendor, {"name": "Example product", "tax_type": world["tax"], "quantity": 13, "reorder_level": 5,
                           "price": "0.5042016807", "description": "Lorem ipsum", "product_code": "V47514",
                           "brand": "Venceremos BUND", "ean": "400000000"})
    with served.v1() as v1:
        since = v1.get(f"/v1/items/{made['inv_id']}").json()["updated_at"]
    r = vendor.get("/api/products/delta/modified/", params={"start_date": since, "limit": 100, "page": 1})
    assert r.status_code == 200
    [entry] = [p for p in r.json()["data"] if p["id"] == made["id"]]
    assert shaped(entry, MODIFIED)
    assert (entry["state"], entry["price"], entry["gross_price"], entry["quantity"], entry["product_code"]) == (
        "created", "0.5042016807", "0.60", "13.00", "V47514")
    vendor.put(f"/api/products/{made['id']}/adjust_inventory/",
               json={"stock": {"quantity": "1", "note": "", "price": "0.27", "date": "15.01.2018"}})
    latest = vendor.get("/api/products/delta/modified/", params={"start_date": since, "verbose": "true"}).json()
    [entry] = [p for p in latest["data"] if p["id"] == made["id"]]
    assert (entry["state"], entry["quantity"]) == ("created", "14.00")  # a stock change, no edit
    vendor.put(f"/api/products/{made['id']}/", json={"brand": "Venceremos"})
    edited = vendor.get("/api/products/delta/modified/", params={"start_date": since}).json()["data"]
    assert [p["state"] for p in edited if p["id"] == made["id"]] == ["updated"]
    assert {"meta", "images", "publish_states"} <= set(entry)
    later = vendor.get("/api/products/delta/modified/", params={"start_date": "2999-01-01T00:00:00.000Z"}).json()
    assert later == {"total": 0, "data": []}
    assert refusal(vendor.get("/api/products/delta/modified/", params={"start_date": "yesterday"}))[0] == 400
    assert refusal(vendor.get("/api/products/delta/modified/", params={"limit": 101}))[0] == 400
    assert vendor.get("/api/products/delta/modified/", params={"order_by": "-name", "limit": 5}).status_code == 200
    assert refusal(vendor.get("/api/products/delta/modified/", params={"order_by": "colour"}))[0] == 400


def test_a_custom_sale_is_left_out_of_the_list_but_not_out_of_delta_modified(vendor, world):
    sale = create(vendor, {"name": "Custom sale 7", "tax_type": world["tax"], "custom_sale": True, "price": 3})
    assert sale["custom_sale"] is True
    assert vendor.get("/api/products/", params={"search": "Custom sale 7"}).json() == {"total": 0, "data": []}
    modified = vendor.get("/api/products/delta/modified/", params={"limit": 100, "order_by": "-id"}).json()["data"]
    assert [p["custom_sale"] for p in modified if p["id"] == sale["id"]] == [True]


def test_delete_then_delta_deleted_lists_the_id(vendor, world):
    made = create(vendor, {"name": "Goes away", "tax_type": world["tax"]})
    before = vendor.get("/api/products/delta/deleted/").json()["data"]
    r = vendor.delete(f"/api/products/{made['id']}/", headers={"Accept": "application/json, text/plain, */*"})
    assert r.status_code == 200
    assert refusal(vendor.get(f"/api/products/{made['id']}/"))[:2] == (404, "product.not_found")
    after = vendor.get("/api/products/delta/deleted/", params={"start_date": "2016-12-21T11:32:26.341Z",
                                                               "limit": 1000}).json()
    assert set(after) == {"total", "data"} and made["id"] in after["data"] and made["id"] not in before
    assert refusal(vendor.get("/api/products/delta/deleted/", params={"limit": 1001}))[0] == 400


def test_publishing_to_the_shop_and_back_and_the_in_shop_filter(vendor, world):
    made = create(vendor, {"name": "Dickies Free Bird", "tax_type": world["tax"], "price": "21.0084033613",
                           "purchase_price": 10, "quantity": 1, "ean": "40040003B", "description": "White XL"})
    published = vendor.post(f"/api/products/{made['id']}/shop/")
    assert published.status_code == 200 and shaped(published.json(), SHOP)
    assert {k: published.json()[k] for k in ("price", "gross_price", "in_shop", "stock", "tax_rate", "gtin")} == {
        "price": "21.0084033613", "gross_price": "25.00", "in_shop": True, "stock": 1, "tax_rate": 19,
        "gtin": "40040003B"}
    in_shop = vendor.get("/api/products/", params={"in_shop": "true"}).json()["data"]
    assert made["id"] in [p["id"] for p in in_shop] and all(p["in_shop"] for p in in_shop)
    assert vendor.get(f"/api/products/{made['id']}/").json()["states"] == [
        {"channel": "shop", "details": None, "state": "published"}]
    unpublished = vendor.delete(f"/api/products/{made['id']}/shop/")
    assert unpublished.status_code == 200 and unpublished.json()["in_shop"] is False
    assert made["id"] not in [p["id"] for p in vendor.get("/api/products/", params={"in_shop": "true"}).json()["data"]]
    assert refusal(vendor.post("/api/products/999999/shop/"))[:2] == (404, "product.not_found")


def test_writes_through_the_facade_are_in_v1_its_events_and_audit_log_and_v1s_in_the_facade(served, vendor, world):
    made = create(vendor, {"name": "One ledger", "tax_type": world["tax"], "quantity": 5})
    with served.v1() as v1:
        item = v1.get(f"/v1/items/{made['inv_id']}").json()
        assert (item["name"], item["on_hand"]) == ("One ledger", 5)
        events = v1.get("/v1/events", params={"after": 0, "types": "item.created"}).json()["data"]
        assert made["inv_id"] in {e["data"]["item"]["id"] for e in events}
        audit = v1.get("/v1/audit-log", params={"resource_id": made["inv_id"]}).json()["data"]
        assert "item.created" in {entry["action"] for entry in audit}
        assert v1.post("/v1/stock/adjustments", json={"item": made["inv_id"], "reason": "sale",
                                                      "delta": -2}).status_code == 201
    assert vendor.get(f"/api/products/{made['id']}/").json()["quantity"] == "3.00"


def test_a_repeated_create_with_an_idempotency_key_is_replayed_not_applied_twice(vendor, world):
    body = {"name": "Only once", "tax_type": world["tax"], "quantity": 1}
    first = vendor.post("/api/products/", json=body, headers={"Idempotency-Key": "inv-idem-1"})
    again = vendor.post("/api/products/", json=body, headers={"Idempotency-Key": "inv-idem-1"})
    assert (first.status_code, again.status_code, again.headers.get("idempotent-replayed")) == (201, 201, "true")
    assert first.json()["id"] == again.json()["id"]
    assert vendor.get("/api/products/", params={"search": "Only once"}).json()["total"] == 1


def test_many_clients_taking_stock_at_once_oversell_nothing_and_the_books_balance(served, world):
    headers = {"Authorization": f"Bearer {served.key}", "X-Api-Version": "7"}
    with served.vendor(PREFIX, headers) as client:
        made = create(client, {"name": "Raced", "tax_type": world["tax"], "quantity": 10})
    clients, start = 16, threading.Barrier(16, timeout=PATIENCE)

    def take(_n: int) -> int:
        with served.vendor(PREFIX, headers) as client:
            start.wait()
            return client.put(f"/api/products/{made['id']}/adjust_inventory/", json={
                "stock": {"quantity": "-1", "note": "sold", "price": "0", "date": "15.01.2018"}}).status_code

    with ThreadPoolExecutor(max_workers=clients) as pool:
        outcomes = Counter(pool.map(take, range(clients)))
    assert outcomes[200] == 10 and sum(outcomes.values()) == clients and set(outcomes) - {200} <= {409, 422}
    with served.vendor(PREFIX, headers) as client:
        assert client.get(f"/api/products/{made['id']}/").json()["quantity"] == "0.00"
    checked = served.server.cli("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_repeated_stock_adjustment_with_an_idempotency_key_moves_stock_once(vendor, world):
    made = create(vendor, {"name": "Adjusted once", "tax_type": world["tax"], "quantity": 1})
    body = {"stock": {"quantity": "5", "note": "delivery", "price": "2", "date": "15.01.2018"}}
    path = f"/api/products/{made['id']}/adjust_inventory/"
    first = vendor.put(path, json=body, headers={"Idempotency-Key": "inv-adjust-1"})
    again = vendor.put(path, json=body, headers={"Idempotency-Key": "inv-adjust-1"})
    assert (first.status_code, again.status_code, again.headers.get("idempotent-replayed")) == (200, 200, "true")
    assert vendor.get(f"/api/products/{made['id']}/").json()["quantity"] == "6.00"


def test_many_clients_setting_the_quantity_at_once_end_at_one_of_their_figures(served, world):
    headers = {"Authorization": f"Bearer {served.key}", "X-Api-Version": "7"}
    with served.vendor(PREFIX, headers) as client:
        made = create(client, {"name": "Counted at once", "tax_type": world["tax"], "quantity": 1})
    clients, start = 12, threading.Barrier(12, timeout=PATIENCE)

    def put(n: int) -> int:
        with served.vendor(PREFIX, headers) as client:
            start.wait()
            return client.put(f"/api/products/{made['id']}/", json={"quantity": 10 * (n + 1)}).status_code

    with ThreadPoolExecutor(max_workers=clients) as pool:
        assert Counter(pool.map(put, range(clients))) == {200: clients}
    with served.vendor(PREFIX, headers) as client:
        final = client.get(f"/api/products/{made['id']}/").json()["quantity"]
    with served.v1() as v1:
        moves = v1.get("/v1/stock/movements", params={"item": made["inv_id"], "order": "asc"}).json()["data"]
    # Each count took the difference from the figure the one before it left: the movements chain,
    # and the stock is the last one's figure.
    assert all(a["after"] == b["before"] for a, b in itertools.pairwise(moves))
    assert final == f"{moves[-1]['after']:.2f}" and moves[-1]["after"] in {10 * (n + 1) for n in range(clients)}
    checked = served.server.cli("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
