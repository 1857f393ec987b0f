"""The Inventory Manager API's items (seed 003) spoken to a real `storekeeper serve` over HTTP, as
a client written against the vendor's document would: its example requests as fixtures, its
documented answers' shapes and types, every parameter and error; one ledger with /v1."""

from __future__ import annotations

import re
import time

import pytest

from tests.compat.modulus.shapes import ITEM, PREFIX, TIMESTAMP, error, listed, shaped

# The document's "Create Item" example request.
WIDGET = {"name": "Widget Pro X", "sku": "WPX-001", "quantity": 100, "location": "Warehouse A", "reorder_point": 25}


def make(vendor, sku: str, **fields) -> dict:
    r = vendor.post("/v1/items", json={"name": fields.pop("name", sku), "sku": sku, **fields})
    assert r.status_code == 201, r.text
    return r.json()


def test_the_documents_create_request_makes_an_item_with_its_stock_at_its_location(served, vendor, world):
    r = vendor.post("/v1/items", json=WIDGET)
    assert r.status_code == 201, r.text
    item = r.json()
    assert shaped(item, ITEM) and re.match(TIMESTAMP, item["created_at"]) and re.match(TIMESTAMP, item["updated_at"])
    assert {k: item[k] for k in ("name", "sku", "quantity", "location", "barcode", "reorder_point")} == {
        "name": "Widget Pro X", "sku": "WPX-001", "quantity": 100, "location": "Warehouse A", "barcode": None,
        "reorder_point": 25}
    with served.v1() as v1:
        mine = v1.get(f"/v1/items/{item['id']}").json()
        assert (mine["sku"], mine["home_location"]) == ("WPX-001", world["a"])
        [level] = v1.get("/v1/stock", params={"sku": "WPX-001"}).json()["data"][0]["locations"]
        assert (level["location"], level["on_hand"]) == (world["a"], 100)
    assert vendor.get(f"/v1/items/{item['id']}").json() == item


def test_get_item_by_id_and_an_unknown_id(vendor, world):
    item = make(vendor, "GET-1", barcode="4006381333931")
    assert vendor.get(f"/v1/items/{item['id']}").json() == item
    assert error(vendor.get("/v1/items/item_nope")) == (404, "not_found", None)


def test_list_items_answers_data_and_pagination_as_the_document_shows(vendor, world):
    for n in range(3):
        make(vendor, f"PAGE-{n}", name=f"Paged gizmo {n}")
    body = vendor.get("/v1/items", params={"search": "Paged gizmo"}).json()
    assert [i["sku"] for i in listed(body, ITEM)] == ["PAGE-0", "PAGE-1", "PAGE-2"]
    assert body["pagination"] == {"total": 3, "limit": 50, "offset": 0, "has_more": False}
    page = vendor.get("/v1/items", params={"search": "Paged gizmo", "limit": 2, "offset": 1}).json()
    assert [i["sku"] for i in listed(page, ITEM)] == ["PAGE-1", "PAGE-2"]
    assert page["pagination"] == {"total": 3, "limit": 2, "offset": 1, "has_more": False}
    first = vendor.get("/v1/items", params={"search": "Paged gizmo", "limit": 1}).json()
    assert first["pagination"] == {"total": 3, "limit": 1, "offset": 0, "has_more": True}
    whole = vendor.get("/v1/items", params={"limit": 100}).json()
    assert whole["pagination"]["total"] >= 3 and len(whole["data"]) <= 100


def test_list_items_searches_by_name_sku_or_barcode_and_filters_by_location_and_low_stock(served, vendor, world):
    make(vendor, "FIND-SKU-77", name="Sprocket", barcode="777000111222", location="Warehouse B", quantity=3,
         reorder_point=5)
    make(vendor, "FIND-OTHER", name="Cog", location="Warehouse B", quantity=50, reorder_point=5)
    for needle in ("Sprocket", "FIND-SKU-77", "777000111222"):
        assert [i["sku"] for i in vendor.get("/v1/items", params={"search": needle}).json()["data"]] == [
            "FIND-SKU-77"], needle
    at_b = [i["sku"] for i in vendor.get("/v1/items", params={"location": "Warehouse B"}).json()["data"]]
    assert set(at_b) >= {"FIND-SKU-77", "FIND-OTHER"} and "WPX-001" not in at_b
    assert vendor.get("/v1/items", params={"location": world["b"]}).json()["pagination"]["total"] == len(at_b)
    assert vendor.get("/v1/items", params={"location": "Nowhere"}).json()["data"] == []
    low = [i["sku"] for i in vendor.get("/v1/items", params={"location": "Warehouse B", "low_stock": "true"})
           .json()["data"]]
    assert "FIND-SKU-77" in low and "FIND-OTHER" not in low
    assert len(vendor.get("/v1/items", params={"location": "Warehouse B", "low_stock": "false"}).json()["data"]) == \
        len(at_b)


@pytest.mark.parametrize(("params", "field"), [({"limit": 101}, "limit"), ({"limit": 0}, "limit"),
                                                ({"offset": -1}, "offset"), ({"limit": "many"}, "limit"),
                                                ({"low_stock": "perhaps"}, "low_stock")])
def test_bad_paging_and_filters_are_refused_naming_the_parameter(vendor, params, field):
    assert error(vendor.get("/v1/items", params=params)) == (422, "invalid_request", field)


def test_patch_updates_only_the_fields_given(served, vendor, world):
    item = make(vendor, "PATCH-1", barcode="111", reorder_point=4)
    r = vendor.patch(f"/v1/items/{item['id']}", json={"name": "Renamed"})
    assert r.status_code == 200 and shaped(r.json(), ITEM)
    assert {k: r.json()[k] for k in ("name", "sku", "barcode", "reorder_point")} == {
        "name": "Renamed", "sku": "PATCH-1", "barcode": "111", "reorder_point": 4}
    r = vendor.patch(f"/v1/items/{item['id']}", json={"sku": "PATCH-1B", "barcode": None, "reorder_point": None,
                                                      "location": "Warehouse B"})
    assert {k: r.json()[k] for k in ("sku", "barcode", "reorder_point", "location")} == {
        "sku": "PATCH-1B", "barcode": None, "reorder_point": 0, "location": "Warehouse B"}
    with served.v1() as v1:
        assert v1.get(f"/v1/items/{item['id']}").json()["name"] == "Renamed"


def test_a_quantity_is_recorded_as_a_count_at_the_items_home_location(served, vendor, world):
    item = make(vendor, "COUNT-1", quantity=10, location="Warehouse A")
    r = vendor.patch(f"/v1/items/{item['id']}", json={"quantity": 7})
    assert r.status_code == 200 and r.json()["quantity"] == 7
    with served.v1() as v1:
        moves = v1.get("/v1/stock/movements", params={"item": "COUNT-1", "order": "asc"}).json()["data"]
        assert [(m["reason"], m["delta"], m["location"]) for m in moves] == [
            ("initial", 10, world["a"]), ("count", -3, world["a"])]
    same = vendor.patch(f"/v1/items/{item['id']}", json={"quantity": 7, "name": "Counted"})
    assert same.json()["quantity"] == 7 and same.json()["name"] == "Counted"
    with served.v1() as v1:  # a count that changes nothing records nothing
        assert len(v1.get("/v1/stock/movements", params={"item": "COUNT-1"}).json()["data"]) == 2
    moved = vendor.patch(f"/v1/items/{item['id']}", json={"location": "Warehouse B", "quantity": 12})
    assert (moved.json()["location"], moved.json()["quantity"]) == ("Warehouse B", 12)
    with served.v1() as v1:  # counted at its new home, in the same request
        last = v1.get("/v1/stock/movements", params={"item": "COUNT-1"}).json()["data"][0]
        assert (last["reason"], last["delta"], last["location"]) == ("count", 5, world["b"])


def test_put_takes_an_item_as_read_back_and_all_fields_are_optional(vendor, world):
    item = make(vendor, "PUT-1", quantity=5)
    r = vendor.put(f"/v1/items/{item['id']}", json={**item, "name": "Put back", "quantity": 9})
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["quantity"], r.json()["id"]) == ("Put back", 9, item["id"])
    assert vendor.put(f"/v1/items/{item['id']}", json={}).json()["name"] == "Put back"


@pytest.mark.parametrize(("body", "field"), [
    ({"quantity": -1}, "quantity"), ({"quantity": "lots"}, "quantity"), ({"quantity": 1.5}, "quantity"),
    ({"name": None}, "name"), ({"name": ""}, "name"), ({"colour": "red"}, "colour"),
    ({"reorder_point": -2}, "reorder_point")])
def test_bad_fields_are_refused_in_the_documents_envelope_and_change_nothing(vendor, world, body, field):
    item = make(vendor, f"BAD-{field}-{len(str(body))}", quantity=2)
    assert error(vendor.patch(f"/v1/items/{item['id']}", json=body)) == (422, "invalid_request", field)
    assert vendor.get(f"/v1/items/{item['id']}").json() == item


def test_create_refuses_what_the_document_requires_or_forbids(vendor, world):
    assert error(vendor.post("/v1/items", json={"sku": "NO-NAME"})) == (422, "invalid_request", "name")
    assert error(vendor.post("/v1/items", json={"name": "No SKU"})) == (422, "invalid_request", "sku")
    make(vendor, "DUP-1")
    assert error(vendor.post("/v1/items", json={"name": "Again", "sku": "DUP-1"})) == (409, "conflict", "sku")
    assert error(vendor.post("/v1/items", json={"name": "Lost", "sku": "LOST-1", "quantity": 4,
                                                "location": "Atlantis"})) == (404, "not_found", "location")
    assert error(vendor.get("/v1/items/LOST-1")) == (404, "not_found", None)  # nothing half made


def test_a_changed_sku_that_is_taken_and_an_unknown_item_are_refused(vendor, world):
    make(vendor, "TAKEN-1")
    item = make(vendor, "TAKEN-2")
    assert error(vendor.patch(f"/v1/items/{item['id']}", json={"sku": "TAKEN-1"})) == (409, "conflict", "sku")
    assert error(vendor.patch("/v1/items/item_nope", json={"name": "x"})) == (404, "not_found", None)
    assert error(vendor.delete("/v1/items/item_nope")) == (404, "not_found", None)


def test_a_count_below_what_is_elsewhere_is_refused_by_the_negative_stock_guard(served, vendor, world):
    item = make(vendor, "GUARD-1", location="Warehouse A")
    with served.v1() as v1:
        assert v1.post("/v1/stock/adjustments", json={"item": "GUARD-1", "location": world["b"], "reason": "receipt",
                                                      "delta": 10}).status_code == 201
    assert vendor.get(f"/v1/items/{item['id']}").json()["quantity"] == 10  # written through /v1, read here
    status, code, field = error(vendor.patch(f"/v1/items/{item['id']}", json={"quantity": 4, "name": "Half"}))
    assert (status, code, field) == (422, "insufficient_stock", "quantity")
    assert vendor.get(f"/v1/items/{item['id']}").json()["name"] == "GUARD-1"  # nothing of it applied


def test_delete_moves_an_item_to_the_trash_with_an_empty_body_and_it_can_be_restored(served, vendor, world):
    item = make(vendor, "TRASH-1", quantity=6)
    r = vendor.delete(f"/v1/items/{item['id']}")
    assert (r.status_code, r.content) == (204, b"")
    assert error(vendor.get(f"/v1/items/{item['id']}")) == (404, "not_found", None)
    assert "TRASH-1" not in [i["sku"] for i in vendor.get("/v1/items", params={"search": "TRASH-1"}).json()["data"]]
    with served.v1() as v1:
        assert [i["sku"] for i in v1.get("/v1/items", params={"deleted": "true"}).json()["data"]].count("TRASH-1") == 1
    back = vendor.post(f"/v1/items/{item['id']}/restore")
    assert back.status_code == 200 and back.json()["quantity"] == 6 and shaped(back.json(), ITEM)
    assert error(vendor.post("/v1/items/item_nope/restore")) == (404, "not_found", None)


def test_requests_are_json_and_a_body_that_is_not_is_refused(vendor, world):
    item = make(vendor, "JSON-1")
    as_form = vendor.patch(f"/v1/items/{item['id']}", content=b"name=x",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert error(as_form) == (415, "invalid_request", None)
    broken = vendor.post("/v1/items", content=b'{"name": ', headers={"Content-Type": "application/json"})
    assert error(broken) == (400, "invalid_request", None)
    assert error(vendor.get("/v1/nothing-here")) == (404, "not_found", None)
    assert error(vendor.post(f"/v1/items/{item['id']}", json={})) == (405, "method_not_allowed", None)


def test_keys_scopes_and_rate_limit_headers_as_the_document_shows(served, vendor, world):
    r = vendor.get("/v1/items", params={"limit": 1})
    limit, remaining, reset = (int(r.headers[f"x-ratelimit-{h}"]) for h in ("limit", "remaining", "reset"))
    assert limit > 0 and 0 <= remaining <= limit and time.time() - 5 <= reset <= time.time() + 3600
    with served.vendor(PREFIX, {}) as anonymous:
        assert error(anonymous.get("/v1/items")) == (401, "authentication_required", None)
    with served.vendor(PREFIX, {"Authorization": "Bearer sk_live_abc123"}) as stranger:
        assert error(stranger.get("/v1/items")) == (401, "invalid_api_key", None)
    reader = served.key_with("stock:read", "items:read", name="inventory:read")
    with served.vendor(PREFIX, {"Authorization": f"Bearer {reader}"}) as read_only:
        assert read_only.get("/v1/items").status_code == 200
        assert error(read_only.post("/v1/items", json={"name": "x", "sku": "RO-1"}))[:2] == (403, "permission_denied")
    catalogue = served.key_with("items:write", name="catalogue only")
    with served.vendor(PREFIX, {"Authorization": f"Bearer {catalogue}"}) as editor:
        item = editor.post("/v1/items", json={"name": "Catalogue", "sku": "CAT-1"}).json()
        assert editor.patch(f"/v1/items/{item['id']}", json={"name": "Renamed"}).status_code == 200
        assert error(editor.patch(f"/v1/items/{item['id']}", json={"quantity": 3}))[:2] == (403, "permission_denied")
        assert error(editor.post("/v1/items", json={"name": "C", "sku": "CAT-2", "quantity": 1}))[:2] == (
            403, "permission_denied")
