"""Items through the API (SPEC §3 Items): create, read by id or SKU, partial update, soft delete,
read-only and unknown fields, SKU uniqueness and optimistic concurrency."""

from __future__ import annotations

import pytest


def create(api, sku: str = "SKU-1", **fields) -> dict:
    r = api.post("/v1/items", json={"sku": sku, "name": fields.pop("name", f"Item {sku}"), **fields})
    assert r.status_code == 201, r.text
    return r.json()


def test_a_new_item_gets_the_documented_defaults(api):
    r = api.post("/v1/items", json={"sku": "TEE-1", "name": "T-shirt"})
    assert r.status_code == 201
    item = r.json()
    assert item["id"].startswith("itm_")
    assert (item["sku"], item["name"]) == ("TEE-1", "T-shirt")
    assert (item["unit"], item["kind"], item["tracking"]) == ("pcs", "product", "quantity")
    assert (item["on_hand"], item["reserved"], item["available"], item["incoming"]) == (0, 0, 0, 0)
    assert item["status"] == "out_of_stock"  # nothing is on hand yet
    assert (item["reorder_point"], item["safety_stock"], item["reorder_quantity"]) == (0, 0, 0)
    assert (item["tags"], item["attributes"], item["metadata"], item["images"], item["reorder_urls"]) == (
        [], {}, {}, [], [])
    for field in ("description", "barcode", "brand", "supplier", "category", "parent", "tax_rate", "price",
                  "gross_price", "unit_cost", "average_cost", "package_size", "base_price", "deleted_at"):
        assert item[field] is None, field
    assert item["variant_count"] == 0
    assert item["version"] == 1
    assert item["created_at"].endswith("Z") and item["created_at"] == item["updated_at"]


def test_an_item_without_tracking_is_never_out_of_stock(api):
    assert create(api, "SERVICE-1", tracking="none")["status"] == "normal"


def test_every_field_given_on_create_comes_back(api):
    item = create(
        api, "MUG-1", name="Mug", description="Stoneware, 0.3 l", kind="material", unit="pcs", barcode="4006381333931",
        brand="Acme", supplier="Potter & Co", tags=["kitchen", "gift"], attributes={"colour": "blue", "size": 3},
        reorder_point=5, safety_stock=2, reorder_quantity=24, reorder_urls=["https://supplier.example/mug"],
        unit_cost="2.10", price="6.50", retail_price="7.99", wholesale_price="4.00",
        images=[{"url": "https://cdn.example/mug.jpg", "alt": "A blue mug"}], metadata={"legacy_id": "42"},
    )
    assert item["description"] == "Stoneware, 0.3 l"
    assert (item["kind"], item["barcode"], item["brand"], item["supplier"]) == (
        "material", "4006381333931", "Acme", "Potter & Co")
    assert item["tags"] == ["kitchen", "gift"]
    assert item["attributes"] == {"colour": "blue", "size": 3}
    assert (item["reorder_point"], item["safety_stock"], item["reorder_quantity"]) == (5, 2, 24)
    assert item["reorder_urls"] == ["https://supplier.example/mug"]
    assert (item["unit_cost"], item["price"], item["retail_price"], item["wholesale_price"]) == (
        "2.10", "6.50", "7.99", "4.00")
    image_id = item["images"][0]["id"]
    assert item["images"] == [{"id": image_id, "url": "https://cdn.example/mug.jpg", "alt": "A blue mug"}]
    assert isinstance(item["images"][0]["id"], int)
    assert item["metadata"] == {"legacy_id": "42"}
    one = api.get(f"/v1/items/{item['id']}").json()
    assert one["components"] == []
    assert one | {"locations": None, "components": None} == item | {"locations": None, "components": None}


def test_repeated_tags_are_kept_once(api):
    assert create(api, "TAGS-1", tags=["sale", "red", "sale"])["tags"] == ["sale", "red"]


def test_the_etag_is_the_version(api):
    r = api.post("/v1/items", json={"sku": "ETAG-1", "name": "E"})
    assert r.headers["etag"] == '"1"'
    item_id = r.json()["id"]
    assert api.get(f"/v1/items/{item_id}").headers["etag"] == '"1"'
    r = api.patch(f"/v1/items/{item_id}", json={"name": "E2"})
    assert r.json()["version"] == 2
    assert r.headers["etag"] == '"2"'
    assert api.get("/v1/items/ETAG-1").headers["etag"] == '"2"'


def test_an_item_is_found_by_id_and_by_sku(api):
    item = create(api, "FIND-ME")
    by_id = api.get(f"/v1/items/{item['id']}")
    by_sku = api.get("/v1/items/FIND-ME")
    assert by_id.status_code == by_sku.status_code == 200
    assert by_id.json() == by_sku.json()
    assert by_id.json()["id"] == item["id"]
    assert by_id.json()["locations"] == []  # no stock anywhere yet


def test_a_sku_with_spaces_and_punctuation_is_found_when_url_encoded(api):
    item = create(api, "A B?#&")
    assert api.get("/v1/items/A%20B%3F%23%26").json()["id"] == item["id"]


def test_an_unknown_item_is_item_not_found(api):
    for ref in ("NOPE", "itm_01J0000000000000000000000A"):
        r = api.get(f"/v1/items/{ref}")
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "ITEM_NOT_FOUND"


def test_another_workspaces_item_does_not_exist_here(api, other_workspace):
    theirs = create(other_workspace.api, "SHARED-SKU")
    assert api.get(f"/v1/items/{theirs['id']}").status_code == 404
    assert api.get("/v1/items/SHARED-SKU").status_code == 404
    assert api.patch(f"/v1/items/{theirs['id']}", json={"name": "mine"}).status_code == 404
    assert api.delete(f"/v1/items/{theirs['id']}").status_code == 404
    create(api, "SHARED-SKU")  # SKUs are unique per workspace only
    assert other_workspace.api.get(f"/v1/items/{theirs['id']}").json()["name"] == "Item SHARED-SKU"


def test_a_sku_that_looks_like_an_item_id_is_refused(api):
    r = api.post("/v1/items", json={"sku": "itm_01J0000000000000000000000A", "name": "Confusing"})
    assert r.status_code == 422
    assert "sku" in r.json()["error"]["fields"]
    item = create(api, "PLAIN")
    r = api.patch(f"/v1/items/{item['id']}", json={"sku": "itm_01J0000000000000000000000A"})
    assert r.status_code == 422
    assert "sku" in r.json()["error"]["fields"]


@pytest.mark.parametrize(
    "body",
    [{"name": "No SKU"}, {"sku": "NO-NAME"}, {"sku": "", "name": "x"}, {"sku": "   ", "name": "x"},
     {"sku": "X" * 65, "name": "x"}, {"sku": "X", "name": ""}, {"sku": "X", "name": "x", "kind": "service"},
     {"sku": "X", "name": "x", "tracking": "sometimes"}, {"sku": "X", "name": "x", "tags": "red"},
     {"sku": "X", "name": "x", "reorder_urls": ["not a url"]}],
)
def test_an_invalid_create_is_a_validation_error_naming_the_field(api, body):
    r = api.post("/v1/items", json=body)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["fields"]
    assert api.get("/v1/items").json()["data"] == []


def test_the_sku_is_trimmed_and_then_unique(api):
    assert create(api, "  TRIM-1 ")["sku"] == "TRIM-1"
    assert api.post("/v1/items", json={"sku": "TRIM-1", "name": "again"}).status_code == 409


def test_patch_changes_only_the_fields_it_names(api):
    item = create(api, "PATCH-1", description="Old", brand="Acme", barcode="123", tags=["a"])
    r = api.patch(f"/v1/items/{item['id']}", json={"name": "New name", "tags": ["b", "c"]})
    assert r.status_code == 200
    changed = r.json()
    assert changed["name"] == "New name"
    assert changed["tags"] == ["b", "c"]
    assert (changed["description"], changed["brand"], changed["barcode"]) == ("Old", "Acme", "123")
    assert changed["version"] == 2
    assert changed["updated_at"] >= item["updated_at"]
    assert changed["created_at"] == item["created_at"]
    assert api.get(f"/v1/items/{item['id']}").json()["name"] == "New name"


def test_patch_by_sku_works_like_patch_by_id(api):
    item = create(api, "BY-SKU")
    assert api.patch("/v1/items/BY-SKU", json={"brand": "Acme"}).json()["id"] == item["id"]
    assert api.get(f"/v1/items/{item['id']}").json()["brand"] == "Acme"


def test_a_patch_that_changes_nothing_keeps_the_version(api):
    item = create(api, "SAME-1", brand="Acme")
    for body in ({}, {"brand": "Acme"}, {"unit": "pieces"}):
        r = api.patch(f"/v1/items/{item['id']}", json=body)
        assert r.status_code == 200
        assert r.json()["version"] == 1


def test_null_unsets_every_nullable_field(api):
    category = api.post("/v1/categories", json={"name": "Cups"}).json()["id"]
    rate = api.post("/v1/tax-rates", json={"name": "VAT", "rate": "0.19"}).json()["id"]
    item = create(
        api, "NULLS-1", description="d", barcode="1", brand="b", supplier="s", category=category, tax_rate=rate,
        unit_cost="1", price="2", retail_price="3", wholesale_price="4", package_size={"value": 1, "unit": "kg"},
    )
    nullable = ("description", "barcode", "brand", "supplier", "category", "tax_rate", "unit_cost", "price",
                "retail_price", "wholesale_price", "package_size")
    r = api.patch(f"/v1/items/{item['id']}", json=dict.fromkeys(nullable))
    assert r.status_code == 200, r.text
    cleared = api.get(f"/v1/items/{item['id']}").json()
    for field in (*nullable, "gross_price", "base_price", "base_price_unit"):
        assert cleared[field] is None, field


@pytest.mark.parametrize(
    "field", ["name", "sku", "kind", "tracking", "unit", "tags", "attributes", "reorder_point", "safety_stock",
              "metadata"]
)
def test_null_is_refused_for_a_field_that_cannot_be_empty(api, field):
    item = create(api, "NOTNULL-1")
    r = api.patch(f"/v1/items/{item['id']}", json={field: None})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert field in r.json()["error"]["fields"]
    assert api.get(f"/v1/items/{item['id']}").json()["version"] == 1


READ_ONLY = {
    "id": "itm_01J0000000000000000000000A", "on_hand": 5, "reserved": 1, "available": 4, "incoming": 2,
    "status": "normal", "average_cost": "1.00", "gross_price": "5.00", "base_price": "1.00", "base_price_unit": "kg",
    "variant_count": 3, "locations": [], "version": 7, "created_at": "2026-01-01T00:00:00.000Z",
    "updated_at": "2026-01-01T00:00:00.000Z", "deleted_at": None,
}


@pytest.mark.parametrize("field", sorted(READ_ONLY))
def test_a_read_only_field_in_a_create_is_refused(api, field):
    r = api.post("/v1/items", json={"sku": "RO-1", "name": "x", field: READ_ONLY[field]})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "READONLY_FIELD"
    assert field in r.json()["error"]["fields"]
    assert api.get("/v1/items/RO-1").status_code == 404


def test_quantities_cannot_be_written_through_patch(api):
    item = create(api, "RO-2")
    r = api.patch(f"/v1/items/{item['id']}", json={"name": "ok", "on_hand": 100, "status": "normal"})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "READONLY_FIELD"
    assert set(error["fields"]) == {"on_hand", "status"}
    after = api.get(f"/v1/items/{item['id']}").json()
    assert (after["name"], after["on_hand"], after["version"]) == (item["name"], 0, 1)


def test_unknown_fields_are_refused_not_ignored(api):
    r = api.post("/v1/items", json={"sku": "UNK-1", "name": "x", "colour": "red"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert r.json()["error"]["fields"] == {"colour": ["Unknown field."]}
    item = create(api, "UNK-2")
    r = api.patch(f"/v1/items/{item['id']}", json={"package_size": {"value": 1, "unit": "kg", "gross": True}})
    assert r.status_code == 422
    assert "package_size.gross" in r.json()["error"]["fields"]


def test_a_duplicate_sku_is_refused_on_create(api):
    first = create(api, "DUP-1")
    r = api.post("/v1/items", json={"sku": "DUP-1", "name": "Second"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "DUPLICATE_SKU"
    assert [i["id"] for i in api.get("/v1/items").json()["data"]] == [first["id"]]


def test_a_duplicate_sku_is_refused_on_patch(api):
    create(api, "DUP-A")
    b = create(api, "DUP-B")
    r = api.patch(f"/v1/items/{b['id']}", json={"sku": "DUP-A", "name": "renamed"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "DUPLICATE_SKU"
    unchanged = api.get(f"/v1/items/{b['id']}").json()
    assert (unchanged["sku"], unchanged["name"], unchanged["version"]) == ("DUP-B", "Item DUP-B", 1)


def test_the_sku_can_be_changed_to_a_free_one(api):
    item = create(api, "OLD-SKU")
    assert api.patch(f"/v1/items/{item['id']}", json={"sku": "NEW-SKU"}).json()["sku"] == "NEW-SKU"
    assert api.get("/v1/items/NEW-SKU").json()["id"] == item["id"]
    assert api.get("/v1/items/OLD-SKU").status_code == 404
    create(api, "OLD-SKU")  # the old SKU is free again


def test_delete_moves_the_item_to_the_trash(api):
    item = create(api, "TRASH-1")
    r = api.delete(f"/v1/items/{item['id']}")
    assert r.status_code == 204
    assert r.content == b""
    for ref in (item["id"], "TRASH-1"):
        gone = api.get(f"/v1/items/{ref}")
        assert gone.status_code == 404
        assert gone.json()["error"]["code"] == "ITEM_NOT_FOUND"
    assert api.patch(f"/v1/items/{item['id']}", json={"name": "zombie"}).status_code == 404
    assert api.delete(f"/v1/items/{item['id']}").status_code == 404
    assert api.get("/v1/items").json()["data"] == []
    trash = api.get("/v1/items", params={"deleted": "true"}).json()["data"]
    assert [i["id"] for i in trash] == [item["id"]]
    assert trash[0]["deleted_at"] is not None and trash[0]["deleted_at"].endswith("Z")


def test_delete_by_sku_works_like_delete_by_id(api):
    item = create(api, "TRASH-2")
    assert api.delete("/v1/items/TRASH-2").status_code == 204
    assert api.get(f"/v1/items/{item['id']}").status_code == 404


def test_a_deleted_items_sku_is_free_for_a_new_item(api):
    old = create(api, "REUSE-1", name="Old")
    api.delete(f"/v1/items/{old['id']}")
    new = create(api, "REUSE-1", name="New")
    assert new["id"] != old["id"]
    assert api.get("/v1/items/REUSE-1").json()["id"] == new["id"]
    everything = api.get("/v1/items", params={"deleted": "any", "sku": "REUSE-1"}).json()["data"]
    assert {i["id"]: i["name"] for i in everything} == {old["id"]: "Old", new["id"]: "New"}
    assert [i["id"] for i in api.get("/v1/items", params={"deleted": "true"}).json()["data"]] == [old["id"]]
    # a live item can take a SKU that only trashed items have
    other = create(api, "OTHER-1")
    api.delete(f"/v1/items/{new['id']}")
    assert api.patch(f"/v1/items/{other['id']}", json={"sku": "REUSE-1"}).status_code == 200


def test_a_stale_if_match_is_refused_with_the_current_version(api):
    item = create(api, "CAS-1")
    api.patch(f"/v1/items/{item['id']}", json={"name": "v2"})
    r = api.patch(f"/v1/items/{item['id']}", json={"name": "lost update"}, headers={"If-Match": '"1"'})
    assert r.status_code == 412
    assert r.json()["error"]["code"] == "PRECONDITION_FAILED"
    assert api.get(f"/v1/items/{item['id']}").json()["name"] == "v2"


@pytest.mark.parametrize("if_match", ['"2"', "2", 'W/"2"', "*"])
def test_a_matching_if_match_applies_the_change(api, if_match):
    item = create(api, "CAS-2")
    api.patch(f"/v1/items/{item['id']}", json={"name": "v2"})
    r = api.patch(f"/v1/items/{item['id']}", json={"name": "v3"}, headers={"If-Match": if_match})
    assert r.status_code == 200
    assert r.json()["version"] == 3
    assert r.headers["etag"] == '"3"'


def test_delete_honours_if_match(api):
    item = create(api, "CAS-3")
    r = api.delete(f"/v1/items/{item['id']}", headers={"If-Match": '"9"'})
    assert r.status_code == 412
    assert r.json()["error"]["code"] == "PRECONDITION_FAILED"
    assert api.get(f"/v1/items/{item['id']}").status_code == 200
    assert api.delete(f"/v1/items/{item['id']}", headers={"If-Match": '"1"'}).status_code == 204


def test_reading_items_needs_items_read_and_writing_needs_items_write(workspace):
    reader = workspace.key_with("items:read")
    writer = workspace.key_with("items:write")
    r = reader.post("/v1/items", json={"sku": "SCOPE-1", "name": "x"})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"
    assert writer.post("/v1/items", json={"sku": "SCOPE-1", "name": "x"}).status_code == 201
    assert reader.get("/v1/items/SCOPE-1").status_code == 200
    assert writer.get("/v1/items/SCOPE-1").status_code == 200  # write implies read
    assert workspace.key_with("stock:write").get("/v1/items").status_code == 403
