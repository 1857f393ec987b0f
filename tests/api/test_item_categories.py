"""An item in several categories (`categories`, the first of them `category`) over HTTP: lists
filter by any of them, a category in use cannot be deleted, variants take their parent's."""

from __future__ import annotations

from tests.factories import error, item


def categories(api, *names: str) -> list[str]:
    out = []
    for name in names:
        r = api.post("/v1/categories", json={"name": name})
        assert r.status_code == 201, r.text
        out.append(r.json()["id"])
    return out


def skus(r) -> list[str]:
    assert r.status_code == 200, r.text
    return sorted(row["sku"] for row in r.json()["data"])


def test_an_item_is_in_several_categories_the_first_being_its_category(api):
    candles, gifts = categories(api, "Candles", "Gifts")
    made = item(api, "CC-1", categories=[candles, gifts])
    assert (made["category"], made["categories"]) == (candles, [candles, gifts])
    assert api.get("/v1/items/CC-1").json()["categories"] == [candles, gifts]
    only = item(api, "CC-2", category=gifts)
    assert (only["category"], only["categories"]) == (gifts, [gifts])
    assert item(api, "CC-3")["categories"] == []


def test_lists_filter_by_any_of_the_categories(api):
    candles, gifts, soap = categories(api, "Candles", "Gifts", "Soap")
    item(api, "CF-1", categories=[candles, gifts])
    item(api, "CF-2", categories=[gifts])
    item(api, "CF-3", category=soap)
    assert skus(api.get("/v1/items", params={"category": gifts})) == ["CF-1", "CF-2"]
    assert skus(api.get("/v1/items", params={"category": candles})) == ["CF-1"]
    stock = api.get("/v1/stock", params={"category": gifts})
    assert stock.status_code == 200
    assert sorted(row["sku"] for row in stock.json()["data"]) == ["CF-1", "CF-2"]


def test_category_alone_replaces_the_first_and_null_empties_them(api):
    candles, gifts, soap = categories(api, "Candles", "Gifts", "Soap")
    item(api, "CU-1", categories=[candles, gifts])
    r = api.patch("/v1/items/CU-1", json={"category": soap})
    assert r.status_code == 200, r.text
    assert (r.json()["category"], r.json()["categories"]) == (soap, [soap, gifts])
    assert skus(api.get("/v1/items", params={"category": candles})) == []
    assert skus(api.get("/v1/items", params={"category": soap})) == ["CU-1"]
    r = api.patch("/v1/items/CU-1", json={"categories": [gifts, candles]})
    assert (r.json()["category"], r.json()["categories"]) == (gifts, [gifts, candles])
    r = api.patch("/v1/items/CU-1", json={"category": None})
    assert (r.json()["category"], r.json()["categories"]) == (None, [])
    assert skus(api.get("/v1/items", params={"category": gifts})) == []


def test_a_category_that_is_not_the_first_of_categories_is_refused_whole(api):
    candles, gifts = categories(api, "Candles", "Gifts")
    r = api.post("/v1/items", json={"sku": "CX-1", "name": "x", "category": gifts, "categories": [candles, gifts]})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "category" in r.json()["error"]["fields"]
    assert api.get("/v1/items/CX-1").status_code == 404
    item(api, "CX-2", categories=[candles])
    r = api.patch("/v1/items/CX-2", json={"category": None, "categories": [gifts]})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert api.get("/v1/items/CX-2").json()["categories"] == [candles]


def test_an_unknown_or_foreign_category_is_refused_as_the_category_field_is(api, other_workspace):
    (candles,) = categories(api, "Candles")
    (theirs,) = categories(other_workspace.api, "Theirs")
    alone = api.post("/v1/items", json={"sku": "CN-1", "name": "x", "category": theirs})
    listed = api.post("/v1/items", json={"sku": "CN-1", "name": "x", "categories": [candles, theirs]})
    assert error(listed) == error(alone)
    assert listed.status_code in (404, 422)
    assert api.get("/v1/items/CN-1").status_code == 404


def test_a_category_any_live_item_is_in_cannot_be_deleted(api):
    candles, gifts = categories(api, "Candles", "Gifts")
    item(api, "CD-1", categories=[candles, gifts])
    assert error(api.delete(f"/v1/categories/{gifts}")) == (409, "INVALID_STATE")
    assert api.delete("/v1/items/CD-1").status_code == 204
    # In the trash, the item loses the deleted category; its next one becomes the first.
    assert api.delete(f"/v1/categories/{candles}").status_code == 204
    assert api.post("/v1/items/CD-1/restore").status_code == 200
    restored = api.get("/v1/items/CD-1").json()
    assert (restored["category"], restored["categories"]) == (gifts, [gifts])
    assert skus(api.get("/v1/items", params={"category": gifts})) == ["CD-1"]


def test_variants_take_the_parents_categories_unless_they_name_their_own(api):
    candles, gifts, soap = categories(api, "Candles", "Gifts", "Soap")
    r = api.post("/v1/items", json={"sku": "CV", "name": "Candle", "categories": [candles, gifts], "variants": [
        {"sku": "CV-S", "attributes": {"size": "S"}},
        {"sku": "CV-L", "attributes": {"size": "L"}, "category": soap}]})
    assert r.status_code == 201, r.text
    assert api.get("/v1/items/CV-S").json()["categories"] == [candles, gifts]
    assert api.get("/v1/items/CV-L").json()["categories"] == [soap]
    assert skus(api.get("/v1/items", params={"category": gifts})) == ["CV", "CV-S"]
