"""The INVENTORUM products API (seeds 000 + 004) spoken to a real `storekeeper serve` over HTTP,
as a client written against the vendor's documents would: their example requests as fixtures,
the documented answers' keys and JSON types, paging, versions, errors; one ledger with /v1."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from storekeeper.compat.inventorum.ids import ID_TYPE
from tests.waiting import PATIENCE, wait_until

PREFIX = "/compat/inventorum"
NULL = type(None)
ID = ID_TYPE
# GET /products/ (V6), as the document's list entry shows it.
SUMMARY = {"name": str, "id": ID, "quantity": str, "reorder_level": str, "safety_stock": str, "price": (str, NULL),
           "tax_type": (ID, NULL), "custom_price": bool, "ebay_product_id": NULL, "ebay_url": NULL, "in_shop": bool,
           "shop_url": NULL, "thumbnail": NULL, "variation_count": int, "is_giftcard": bool,
           "gross_price": (str, NULL), "ean": str, "inv_id": (str, NULL), "reorder_level_reached": bool,
           "safety_stock_reached": bool, "min_gross_price": (str, NULL), "max_gross_price": (str, NULL)}
# GET /products/{id}/ (V10) and every write's answer: the list entry and these.
PRODUCT = {**SUMMARY, "attributes": dict, "variations": list, "average_purchase_price": str, "description": str,
           "product_code": (str, NULL), "categories": list, "images": list, "custom_sale": bool,
           "shipping_services": list, "is_favourite": bool, "brand": str, "supplier": str, "meta": dict,
           "purchase_price": str, "states": list, "attributes_str": str, "package_size_value": (str, NULL),
           "package_size_unit": (str, NULL), "base_price": (str, NULL), "base_size_value": (str, NULL),
           "base_size_unit": (str, NULL)}
VARIATION = {"id": ID, "attributes": dict, "quantity": str, "reorder_level": str, "safety_stock": str, "ean": str,
             "price": (str, NULL), "product_code": (str, NULL), "tax_type": (ID, NULL), "name": str, "images": list,
             "meta": dict, "gross_price": (str, NULL), "purchase_price": str, "average_purchase_price": str,
             "attributes_str": str, "inv_id": NULL, "package_size_value": (str, NULL),
             "package_size_unit": (str, NULL), "base_price": (str, NULL), "base_size_value": (str, NULL),
             "base_size_unit": (str, NULL), "is_giftcard": bool}
MODIFIED = {**{k: v for k, v in SUMMARY.items() if k not in (
    "reorder_level_reached", "safety_stock_reached", "min_gross_price", "max_gross_price")},
    "state": str, "parent": (ID, NULL), "custom_sale": bool, "categories": list, "attributes_str": str,
    "description": str, "product_code": (str, NULL), "attributes": dict, "brand": str, "average_purchase_price": str}
SHOP = {"price": (str, NULL), "gross_price": (str, NULL), "purchase_price": (str, NULL), "average_price": NULL,
        "average_purchase_price": (str, NULL), "is_favourite": bool, "stock": (int, float), "reorder": (int, float),
        "safety": (int, float), "images": list, "tax_rate": (int, float, NULL), "address": str,
        "shipping_services": list, "categories": list, "shop_url": NULL, "ebay_url": NULL, "in_shop": bool, "id": ID,
        "name": str, "description": str, "supplier": str, "brand": str, "product_code": (str, NULL), "gtin": str,
        "ebay_product_id": NULL, "custom_price": bool, "is_giftcard": bool, "attributes": list, "tags": list}


def shaped(value: dict, shape: dict) -> bool:
    """`value` has exactly the documented keys, each of its JSON type."""
    assert set(value) == set(shape), (sorted(set(value) - set(shape)), sorted(set(shape) - set(value)))
    for key, kind in shape.items():
        kinds = kind if isinstance(kind, tuple) else (kind,)
        ok = isinstance(value[key], kinds) and (bool in kinds or not isinstance(value[key], bool))
        assert ok, (key, value[key])
    return True


def refusal(r) -> tuple[int, str, dict]:
    body = r.json()
    assert set(body) == {"detail", "error"} and set(body["error"]) == {"description", "fields", "key"}, body
    return r.status_code, body["error"]["key"], body["error"]["fields"]


@pytest.fixture(scope="module")
def world(served):
    """A 19 % tax rate and a category, made through /v1 (the document's ids are theirs)."""
    with served.v1() as v1:
        # Room for the bursts of requests these tests make (a new workspace allows 40 at once);
        # the server reads a workspace's plan anew within seconds.
        plan = {"per_second": 100_000.0, "burst": 100_000}
        assert v1.patch("/v1/workspace", json={"settings": {"rate_limit": plan}}).status_code == 200
        wait_until(lambda: v1.get("/v1/me").headers.get("x-ratelimit-limit") == "100000", "the new rate-limit plan")
        vat = v1.post("/v1/tax-rates", json={"name": "MwSt 19", "rate": "0.19"}).json()
        category = v1.post("/v1/categories", json={"name": "Alben"}).json()
    return {"tax": vat["number"], "category": category["number"]}


@pytest.fixture(scope="module")
def vendor(served):
    headers = {"Authorization": f"Bearer {served.key}", "Accept": "application/json", "X-Api-Version": "8"}
    with served.vendor(PREFIX, headers) as client:
        yield client


def pink_tshirt(world, **changes) -> dict:
    """The document's `POST /products/` request for a product without variants (its images left
    out: Storekeeper keeps no uploaded images)."""
    return {"quantity": 200, "reorder_level": 75, "safety_stock": 50, "purchase_price": 10.50,
            "name": "Pink t-shirt", "brand": "Nike", "tax_type": world["tax"],
            "categories": [{"id": world["category"]}], "price": 100,
            "attributes": {"weight": ["1"], "size": ["S"], "color": ["pink"]},
            "product_code": "22222222222222", "ean": "121312121212", "package_size_value": "1",
            "package_size_unit": "pc", **changes}


def create(vendor, body: dict) -> dict:
    r = vendor.post("/api/products/", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_create_a_product_with_the_documents_request_answers_the_documented_product(vendor, world):
    made = create(vendor, pink_tshirt(world))
    assert shaped(made, PRODUCT)
    assert {k: made[k] for k in ("name", "quantity", "reorder_level", "safety_stock", "price", "gross_price",
                                  "purchase_price", "attributes", "attributes_str", "product_code", "ean", "brand",
                                  "package_size_value", "package_size_unit", "base_price", "base_size_value",
                                  "base_size_unit", "variation_count", "in_shop", "tax_type")} == {
        "name": "Pink t-shirt", "quantity": "200.00", "reorder_level": "75.00", "safety_stock": "50.00",
        "price": "100", "gross_price": "119.00", "purchase_price": "10.50",
        "attributes": {"weight": ["1"], "size": ["S"], "color": ["pink"]}, "attributes_str": "S, pink, 1",
        "product_code": "22222222222222", "ean": "121312121212", "brand": "Nike", "package_size_value": "1.00",
        "package_size_unit": "pc", "base_price": "119.00", "base_size_value": "1", "base_size_unit": "pc",
        "variation_count": 0, "in_shop": False, "tax_type": world["tax"]}
    assert [(c["id"], c["name"]) for c in made["categories"]] == [(world["category"], "Alben")]
    assert vendor.get(f"/api/products/{made['id']}/").json() == made


def test_a_net_price_of_ten_places_round_trips_and_gives_its_round_gross_price(vendor, world):
    made = create(vendor, {"name": "00001 Drink", "tax_type": world["tax"], "price": "4.2016806723", "quantity": 150})
    assert (made["price"], made["gross_price"], made["quantity"]) == ("4.2016806723", "5.00", "150.00")
    again = vendor.get(f"/api/products/{made['id']}/", headers={"X-Api-Version": "10"}).json()
    assert (again["price"], again["gross_price"], again["min_gross_price"]) == ("4.2016806723", "5.00", "5.00")
    changed = vendor.put(f"/api/products/{made['id']}/", json={"price": 0.5042016807}).json()
    assert (changed["price"], changed["gross_price"]) == ("0.5042016807", "0.60")


def test_a_missing_name_and_tax_type_are_refused_as_the_document_shows(vendor, world):
    r = vendor.post("/api/products/", json={"price": 1})
    assert refusal(r) == (400, "common.serializer_error", {"name": ["This field is required."],
                                                          "tax_type": ["This field is required."]})
    assert r.json()["error"]["description"] == "Serialization error"
    r = vendor.post("/api/products/", json={"name": "x", "tax_type": 999999})
    assert refusal(r) == (400, "common.serializer_error", {"tax_type": ["Invalid tax"]})
    not_a_number = vendor.post("/api/products/", json={"name": "x", "tax_type": "MwSt"})
    assert refusal(not_a_number)[:2] == (400, "common.serializer_error") and "tax_type" in refusal(not_a_number)[2]
    too_precise = vendor.post("/api/products/", json={"name": "x", "tax_type": world["tax"], "price": "1.12345678901"})
    assert refusal(too_precise)[:2] == (400, "common.serializer_error")
    assert "price" in refusal(too_precise)[2]


def test_an_unknown_product_is_404_product_not_found(vendor):
    for method, path in (("GET", "/api/products/999999/"), ("GET", "/api/products/itm_01/"),
                         ("GET", "/api/products/0/"), ("GET", "/api/products/99999999999999999999/"),
                         ("PUT", "/api/products/999999/"),
                         ("DELETE", "/api/products/999999/")):
        r = vendor.request(method, path, json={} if method == "PUT" else None)
        assert refusal(r) == (404, "product.not_found", {}), (method, r.text)
        assert r.json()["error"]["description"] is None


def test_the_list_pages_by_page_and_limit_with_total_and_data(served, vendor, world):
    for n in range(3):
        create(vendor, {"name": f"Paged {n}", "tax_type": world["tax"], "product_code": "PAGED"})
    body = vendor.get("/api/products/", params={"limit": 2}).json()
    assert set(body) == {"total", "data"} and len(body["data"]) == 2 and body["total"] >= 3
    assert all(shaped(p, SUMMARY) for p in body["data"])
    pages = [vendor.get("/api/products/", params={"limit": 2, "page": n}).json()["data"] for n in (1, 2)]
    assert not {p["id"] for p in pages[0]} & {p["id"] for p in pages[1]}
    assert len(vendor.get("/api/products/").json()["data"]) == min(40, body["total"])
    assert refusal(vendor.get("/api/products/", params={"limit": 41}))[:2] == (400, "common.serializer_error")
    assert refusal(vendor.get("/api/products/", params={"page": 0}))[:2] == (400, "common.serializer_error")
    moved = vendor.get("/api/products", params={"limit": 1}, follow_redirects=False)
    assert (moved.status_code, moved.headers["location"].split("?")[0]) == (307, served.url + PREFIX + "/api/products/")
    found = vendor.get("/api/products/", params={"search": "paged 1"}).json()
    assert [p["name"] for p in found["data"]] == ["Paged 1"] and found["total"] == 1


def test_v6_filters_by_reorder_and_safety_levels_and_sorts(vendor, world):
    low = create(vendor, {"name": "V6 low", "tax_type": world["tax"], "quantity": 8, "reorder_level": 10,
                          "safety_stock": 3, "product_code": "V6", "price": "4.2016806723"})
    critical = create(vendor, {"name": "V6 critical", "tax_type": world["tax"], "quantity": 2, "reorder_level": 10,
                               "safety_stock": 3, "product_code": "V6", "price": "5.5"})
    v6 = {"X-Api-Version": "6"}
    reorder = vendor.get("/api/products/", params={"filter": "reorder", "search": "V6 "}, headers=v6).json()["data"]
    safety = vendor.get("/api/products/", params={"filter": "safety", "search": "V6 "}, headers=v6).json()["data"]
    assert {p["id"] for p in reorder} == {low["id"], critical["id"]} and [p["id"] for p in safety] == [critical["id"]]
    assert (low["reorder_level_reached"], low["safety_stock_reached"]) == (True, False)
    named = vendor.get("/api/products/", params={"sort": "-name", "search": "V6 "}, headers=v6).json()["data"]
    assert [p["name"] for p in named] == ["V6 low", "V6 critical"]
    assert refusal(vendor.get("/api/products/", params={"filter": "cheap"}, headers=v6))[0] == 400
    by_price = vendor.get("/api/products/", params={"sort": "-price", "search": "V6 "}, headers=v6).json()["data"]
    assert [p["name"] for p in by_price] == ["V6 critical", "V6 low"]
    assert list(refusal(vendor.get("/api/products/", params={"sort": "colour"}, headers=v6))[2]) == ["sort"]


def test_versions_6_7_8_and_10_are_spoken_and_others_refused(vendor):
    for version in ("6", "7", "8", "10"):
        assert vendor.get("/api/products/", params={"limit": 1}, headers={"X-Api-Version": version}).status_code == 200
    status, key, fields = refusal(vendor.get("/api/products/", headers={"X-Api-Version": "9"}))
    assert (status, key, list(fields)) == (400, "common.serializer_error", ["X-Api-Version"])
    assert refusal(vendor.get("/api/products/", headers={"X-Api-Version": "ten"}))[0] == 400


def test_a_product_with_variations_as_the_documents_v8_request(vendor, world):
    body = {"name": "T-shirt", "tax_type": world["tax"], "price": 145.00, "brand": "nike", "variations": [
        {"attributes": {"size": "22", "color": "Red", "material": "Denim"}, "price": 140.00, "quantity": 30,
         "safety_stock": 45, "reorder_level": 40, "purchase_price": 15.99, "tax_type": world["tax"], "ean": "11111",
         "product_code": "99999", "package_size_value": 1, "package_size_unit": "pc"},
        {"attributes": {"size": "50", "color": "Blue", "material": "Leather"}, "quantity": 150, "safety_stock": 5,
         "reorder_level": 10, "purchase_price": 17.99, "price": 100, "tax_type": world["tax"], "ean": "2222222",
         "product_code": "8888888", "package_size_value": 1, "package_size_unit": "pc"}]}
    made = create(vendor, body)
    assert shaped(made, PRODUCT) and all(shaped(v, VARIATION) for v in made["variations"])
    assert (made["quantity"], made["reorder_level"], made["safety_stock"], made["variation_count"]) == (
        "180.00", "40.00", "45.00", 2)
    assert [(v["name"], v["price"], v["gross_price"], v["quantity"], v["attributes"]) for v in made["variations"]] == [
        ("T-shirt, 22, Red, Denim", "140.0000000000", "166.60", "30.00",
         {"size": ["22"], "color": ["Red"], "material": ["Denim"]}),
        ("T-shirt, 50, Blue, Leather", "100.0000000000", "119.00", "150.00",
         {"size": ["50"], "color": ["Blue"], "material": ["Leather"]})]
    assert (made["min_gross_price"], made["max_gross_price"]) == ("119.00", "166.60")
    assert refusal(vendor.post("/api/products/", json=body, headers={"X-Api-Version": "7"}))[0] == 400
    listed = vendor.get("/api/products/", params={"search": "T-shirt, 22"}).json()["data"]
    assert listed == []  # variations are not products of the list


def test_put_changes_only_the_fields_sent_and_quantity_is_a_count_in_the_ledger(served, vendor, world):
    made = create(vendor, pink_tshirt(world, name="Put me", quantity=10))
    r = vendor.put(f"/api/products/{made['id']}/", json={
        "name": "T-shirt", "quantity": 200, "reorder_level": 100, "price": 155.89, "description": "Desc",
        "ean": "aaggagga", "supplier": "Wholesaler inc.", "is_favourite": True, "custom_price": True,
        "attributes": {"color": ["blue"], "material": ["Denim"], "size": ["SM"]}, "variations": []},
        headers={"X-Api-Version": "7"})
    assert r.status_code == 200, r.text
    changed = r.json()
    assert shaped(changed, PRODUCT)
    assert (changed["name"], changed["quantity"], changed["reorder_level"], changed["safety_stock"], changed["price"],
            changed["gross_price"], changed["brand"], changed["is_favourite"], changed["custom_price"],
            changed["attributes_str"]) == (
        "T-shirt", "200.00", "100.00", "50.00", "155.89", "185.51", "Nike", True, True, "SM, blue, Denim")
    with served.v1() as v1:
        item = v1.get(f"/v1/items/{made['inv_id']}").json()
        assert (item["favourite"], item["open_price"], item["barcode"]) == (True, True, "aaggagga")
        moves = v1.get("/v1/stock/movements", params={"item": made["inv_id"], "order": "asc"}).json()["data"]
        assert [(m["reason"], m["delta"]) for m in moves] == [("initial", 10), ("count", 190)]
    meta = {"atalanda": {"description": "atalanda desc", "id": 4586506, "name": "atalanda name", "price": 203},
            "shop": {"description": "shop desc", "name": "shop name", "price": 204},
            "ebay": {"description": "ebay desc", "images": [{"id": 763101, "new": True}], "name": "ebay name",
                     "price": 200}}
    with_meta = vendor.put(f"/api/products/{made['id']}/", json={"meta": meta}).json()
    assert with_meta["meta"]["shop"] == {"channel": None, "description": "shop desc", "gross_price": "242.76",
                                         "id": None, "images": None, "name": "shop name", "price": "204.0000000000"}
    assert set(with_meta["meta"]) == {"atalanda", "shop", "ebay"} and with_meta["in_shop"] is False
    vendor.post(f"/api/products/{made['id']}/shop/")
    kept = vendor.put(f"/api/products/{made['id']}/", json={"meta": {"shop": {"name": None, "price": 10}}}).json()
    assert (kept["in_shop"], kept["meta"]["shop"]["name"], kept["meta"]["shop"]["price"]) == (
        True, None, "10.0000000000")
    assert kept["meta"]["ebay"]["name"] == "ebay name"
    bad = vendor.put(f"/api/products/{made['id']}/", json={"tax_type": 999999,
                                                            "name": "Never"})
    assert refusal(bad) == (400, "common.serializer_error", {"tax_type": ["Invalid tax"]})
    assert vendor.get(f"/api/products/{made['id']}/").json()["name"] == "T-shirt"  # nothing written


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


def test_keys_and_scopes_as_the_vendor_uses_them(served, vendor, world):
    with served.vendor(PREFIX, {}) as anonymous:
        assert refusal(anonymous.get("/api/products/"))[:2] == (401, "common.not_authenticated")
    reader = served.key_with("items:read", name="reader")
    with served.vendor(PREFIX, {"Authorization": f"Bearer {reader}"}) as read_only:
        assert read_only.get("/api/products/").status_code == 200
        r = read_only.post("/api/products/", json={"name": "No", "tax_type": world["tax"]})
        assert refusal(r)[:2] == (403, "common.permission_denied")


def test_put_with_variations_keeps_those_with_an_id_adds_the_others_and_deletes_the_rest(served, vendor, world):
    made = create(vendor, {"name": "Simplest Product", "price": 4.20, "tax_type": world["tax"], "variations": [
        {"attributes": {"size": "22", "color": "Blue", "material": "Denim"}, "quantity": 5},
        {"attributes": {"size": "22", "color": "Red", "material": "Denim"}, "quantity": 7}]})
    blue, red = (v["id"] for v in made["variations"])
    r = vendor.put(f"/api/products/{made['id']}/", json={"name": "Simplest Product", "variations": [
        {"id": blue, "attributes": {"size": "22", "color": "Blue", "material": "Denim"}, "quantity": 9},
        {"attributes": {"size": "22", "color": "Green", "material": "Denim"}, "price": 4.20,
         "tax_type": world["tax"], "quantity": 2}]})
    assert r.status_code == 200, r.text
    changed = r.json()
    assert shaped(changed, PRODUCT) and all(shaped(v, VARIATION) for v in changed["variations"])
    assert changed["id"] == made["id"] and changed["quantity"] == "11.00" and changed["variation_count"] == 2
    assert [(v["id"] == blue, v["name"], v["quantity"]) for v in changed["variations"]] == [
        (True, "Simplest Product, 22, Blue, Denim", "9.00"), (False, "Simplest Product, 22, Green, Denim", "2.00")]
    assert red in vendor.get("/api/products/delta/deleted/").json()["data"]
    assert refusal(vendor.get(f"/api/products/{red}/"))[:2] == (404, "product.not_found")
    with served.v1() as v1:
        blue_item = v1.get(f"/v1/items/{made['inv_id']}").json()["variants"][0]["id"]
    # The document's "Converting one product with variation into a product without variations".
    alone = vendor.put(f"/api/products/{made['id']}/", json={"name": "Renamed", "variations": [{"id": blue}]})
    assert alone.status_code == 200, alone.text
    assert (alone.json()["id"], alone.json()["name"], alone.json()["quantity"], alone.json()["variation_count"]) == (
        blue, "Renamed", "9.00", 0)
    assert made["id"] in vendor.get("/api/products/delta/deleted/").json()["data"]
    assert blue in [p["id"] for p in vendor.get("/api/products/", params={"search": "Renamed"}).json()["data"]]
    with served.v1() as v1:
        moves = v1.get("/v1/stock/movements", params={"item": blue_item, "order": "asc"}).json()
        assert v1.get(f"/v1/items/{blue_item}").json()["parent"] is None
    assert [(m["reason"], m["delta"]) for m in moves["data"]] == [("initial", 5), ("count", 4)]
    checked = served.server.cli("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_put_with_variations_is_refused_whole_without_an_id_or_with_a_stranger(vendor, world):
    made = create(vendor, {"name": "Strict", "tax_type": world["tax"], "variations": [
        {"attributes": {"size": "S"}}, {"attributes": {"size": "M"}}]})
    other = create(vendor, {"name": "Other", "tax_type": world["tax"]})
    for variations in ([{"attributes": {"size": "L"}}], [{"id": other["id"]}],
                       [{"id": made["variations"][0]["id"], "attributes": {"size": "M"}},
                        {"attributes": {"size": "M"}}]):
        r = vendor.put(f"/api/products/{made['id']}/", json={"name": "Never", "variations": variations})
        assert r.status_code in (400, 409), r.text
    after = vendor.get(f"/api/products/{made['id']}/").json()
    assert after["name"] == "Strict" and [v["attributes"] for v in after["variations"]] == [
        {"size": ["S"]}, {"size": ["M"]}]
    for variations in ([{"attributes": {"size": "L"}}], [{"id": made["id"]}, {"attributes": {"size": "L"}}]):
        plain = vendor.put(f"/api/products/{other['id']}/", json={"variations": variations})
        assert refusal(plain)[:2] == (400, "common.serializer_error")
    assert vendor.get(f"/api/products/{other['id']}/").json()["variation_count"] == 0


def test_a_product_given_variations_becomes_one_of_them_under_a_new_product(served, vendor, world):
    """The document's "Adding and removing variations", case 1."""
    original = create(vendor, {"name": "Simplest Product", "price": 4.20, "tax_type": world["tax"], "quantity": 3})
    r = vendor.put(f"/api/products/{original['id']}/", json={"name": "Simplest Product", "variations": [
        {"id": original["id"], "attributes": {"size": "22", "color": "Blue", "material": "Denim"}},
        {"attributes": {"size": "22", "color": "Red", "material": "Denim"}, "price": 4.20, "tax_type": world["tax"],
         "quantity": 4}]})
    assert r.status_code == 200, r.text
    clone = r.json()
    assert shaped(clone, PRODUCT) and clone["id"] != original["id"]
    assert (clone["name"], clone["price"], clone["quantity"], clone["variation_count"]) == (
        "Simplest Product", "4.2", "7.00", 2)
    assert [(v["id"] == original["id"], v["name"], v["quantity"]) for v in clone["variations"]] == [
        (True, "Simplest Product, 22, Blue, Denim", "3.00"), (False, "Simplest Product, 22, Red, Denim", "4.00")]
    listed = [p["id"] for p in vendor.get("/api/products/", params={"search": "Simplest Product"}).json()["data"]]
    assert clone["id"] in listed and original["id"] not in listed
    with served.v1() as v1:
        item = v1.get(f"/v1/items/{original['inv_id']}").json()
        assert (item["parent"], item["on_hand"]) == (clone["inv_id"], 3)
        moves = v1.get("/v1/stock/movements", params={"item": original["inv_id"]}).json()["data"]
        assert [(m["reason"], m["delta"]) for m in moves] == [("initial", 3)]  # its history stays its own
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
