"""Item fields with rules of their own: units, category and tax rate references, computed prices,
exact quantities and money on the wire, and the status the thresholds give."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.stock_stand_in import put_on_hand


def create(api, sku: str = "SKU-1", **fields) -> dict:
    r = api.post("/v1/items", json={"sku": sku, "name": fields.pop("name", f"Item {sku}"), **fields})
    assert r.status_code == 201, r.text
    return r.json()


def post_raw(api, path: str, text: str):
    """A body written by hand, so that numbers reach the API exactly as a client typed them."""
    return api.post(path, content=text.encode(), headers={"Content-Type": "application/json"})


# Units


@pytest.mark.parametrize(
    ("given", "stored"),
    [("weight.kg", "kg"), ("Pieces", "pcs"), ("volume.liters", "l"), ("weight.lbs", "lb"), ("length.m", "m"),
     ("time.hours", "h"), ("KG", "kg"), ("case", "case")],
)
def test_unit_aliases_are_stored_as_their_code(api, given, stored):
    item = create(api, "UNIT-1", unit=given)
    assert item["unit"] == stored
    assert api.get(f"/v1/items/{item['id']}").json()["unit"] == stored


def test_patching_the_unit_normalizes_the_alias(api):
    item = create(api, "UNIT-2")
    assert api.patch(f"/v1/items/{item['id']}", json={"unit": "volume.liters"}).json()["unit"] == "l"


def test_an_unknown_unit_is_refused(api):
    r = api.post("/v1/items", json={"sku": "UNIT-3", "name": "x", "unit": "furlong"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "furlong" in r.json()["error"]["fields"]["unit"][0]
    item = create(api, "UNIT-4")
    r = api.patch(f"/v1/items/{item['id']}", json={"unit": "furlong"})
    assert r.status_code == 422
    assert api.get(f"/v1/items/{item['id']}").json()["unit"] == "pcs"


def test_the_package_size_unit_is_normalized_and_an_unknown_one_names_its_field(api):
    item = create(api, "PKG-1", package_size={"value": "0.5", "unit": "weight.kg"})
    assert item["package_size"] == {"value": 0.5, "unit": "kg"}
    r = api.post("/v1/items", json={"sku": "PKG-2", "name": "x", "package_size": {"value": 1, "unit": "parsec"}})
    assert r.status_code == 422
    assert list(r.json()["error"]["fields"]) == ["package_size.unit"]


@pytest.mark.parametrize("value", [0, -1, "abc"])
def test_a_package_size_must_be_a_positive_quantity(api, value):
    r = api.post("/v1/items", json={"sku": "PKG-3", "name": "x", "package_size": {"value": value, "unit": "g"}})
    assert r.status_code == 422
    assert "package_size.value" in r.json()["error"]["fields"]


def test_unit_and_tracking_are_locked_once_the_item_has_stock(api, workspace):
    location = api.post("/v1/locations", json={"name": "Main"}).json()["id"]
    item = create(api, "LOCK-1", unit="kg")
    put_on_hand(workspace, item["id"], location, "3")
    for body in ({"unit": "g"}, {"tracking": "none"}):
        r = api.patch(f"/v1/items/{item['id']}", json=body)
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "UNIT_LOCKED"
    # naming the same unit by an alias is no change, so it is allowed
    assert api.patch(f"/v1/items/{item['id']}", json={"unit": "kilograms", "name": "Flour"}).status_code == 200
    assert api.get(f"/v1/items/{item['id']}").json()["unit"] == "kg"


def test_unit_and_tracking_can_change_while_the_item_has_no_stock(api):
    item = create(api, "LOCK-2")
    r = api.patch(f"/v1/items/{item['id']}", json={"unit": "kg", "tracking": "none"})
    assert r.status_code == 200
    assert (r.json()["unit"], r.json()["tracking"]) == ("kg", "none")


# Category and tax rate


def test_an_item_refers_to_a_category_of_its_workspace(api, other_workspace):
    category = api.post("/v1/categories", json={"name": "Mugs"}).json()["id"]
    item = create(api, "CAT-1", category=category)
    assert item["category"] == category
    r = api.post("/v1/items", json={"sku": "CAT-2", "name": "x", "category": "cat_01J0000000000000000000000A"})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "CATEGORY_NOT_FOUND"
    theirs = other_workspace.api.post("/v1/categories", json={"name": "Theirs"}).json()["id"]
    r = api.patch(f"/v1/items/{item['id']}", json={"category": theirs})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "CATEGORY_NOT_FOUND"
    assert api.get(f"/v1/items/{item['id']}").json()["category"] == category


def test_an_unknown_tax_rate_is_tax_rate_not_found(api):
    r = api.post("/v1/items", json={"sku": "TAX-0", "name": "x", "tax_rate": "tax_01J0000000000000000000000A"})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "TAX_RATE_NOT_FOUND"
    item = create(api, "TAX-00")
    r = api.patch(f"/v1/items/{item['id']}", json={"tax_rate": "tax_01J0000000000000000000000A"})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "TAX_RATE_NOT_FOUND"


def test_the_default_tax_rate_applies_when_tax_rate_is_omitted_but_not_when_it_is_null(api):
    standard = api.post("/v1/tax-rates", json={"name": "Standard", "rate": "0.19", "is_default": True}).json()["id"]
    omitted = create(api, "TAX-1", price="4.2016")
    assert omitted["tax_rate"] == standard
    assert omitted["gross_price"] == "5.00"  # 4.2016 * 1.19 = 4.999904, half-up
    explicit_none = create(api, "TAX-2", price="4.2016", tax_rate=None)
    assert explicit_none["tax_rate"] is None
    assert explicit_none["gross_price"] == "4.20"
    reduced = api.post("/v1/tax-rates", json={"name": "Reduced", "rate": "0.07"}).json()["id"]
    chosen = create(api, "TAX-3", price="10", tax_rate=reduced)
    assert (chosen["tax_rate"], chosen["gross_price"]) == (reduced, "10.70")


def test_without_a_default_tax_rate_a_new_item_has_none(api):
    api.post("/v1/tax-rates", json={"name": "Standard", "rate": "0.19"})
    item = create(api, "TAX-4", price="5")
    assert (item["tax_rate"], item["gross_price"]) == (None, "5.00")


def test_the_gross_price_follows_the_price_and_the_rate(api):
    rate = api.post("/v1/tax-rates", json={"name": "VAT", "rate": "0.19"}).json()
    item = create(api, "GROSS-1", price="10", tax_rate=rate["id"])
    assert item["gross_price"] == "11.90"
    assert api.patch(f"/v1/items/{item['id']}", json={"price": "20"}).json()["gross_price"] == "23.80"
    api.patch(f"/v1/tax-rates/{rate['id']}", json={"rate": "0.2"})
    assert api.get(f"/v1/items/{item['id']}").json()["gross_price"] == "24.00"
    assert api.patch(f"/v1/items/{item['id']}", json={"tax_rate": None}).json()["gross_price"] == "20.00"
    assert api.patch(f"/v1/items/{item['id']}", json={"price": None}).json()["gross_price"] is None


def test_a_net_price_keeps_ten_decimal_places_and_gives_back_its_round_gross_price(api):
    rate = api.post("/v1/tax-rates", json={"name": "VAT", "rate": "0.19"}).json()["id"]
    item = create(api, "NET-10", price="4.2016806723", tax_rate=rate)
    assert (item["price"], item["gross_price"]) == ("4.2016806723", "5.00")
    assert api.get(f"/v1/items/{item['id']}").json()["price"] == "4.2016806723"
    # A change in the tenth place alone is a change, and a JSON number keeps its places too.
    body = '{"sku": "NET-10b", "name": "x", "price": 0.5042016807, "tax_rate": "' + rate + '"}'
    r = post_raw(api, "/v1/items", body)
    assert (r.json()["price"], r.json()["gross_price"]) == ("0.5042016807", "0.60")
    patched = api.patch(f"/v1/items/{item['id']}", json={"price": "4.2016806724"}).json()
    assert patched["price"] == "4.2016806724" and patched["version"] == item["version"] + 1
    assert api.get("/v1/items", params={"sku": "NET-10"}).json()["data"][0]["price"] == "4.2016806724"
    top = create(api, "NET-TOP", price="999999999999.9999999999")
    assert api.get(f"/v1/items/{top['id']}").json()["price"] == "999999999999.9999999999"


def test_a_variant_keeps_and_inherits_a_ten_place_price(api):
    parent = create(api, "NETV", price="4.2016806723", variants=[
        {"sku": "NETV-R", "attributes": {"color": "red"}},
        {"sku": "NETV-B", "attributes": {"color": "blue"}, "price": "0.5042016807"}])
    variants = api.get(f"/v1/items/{parent['id']}").json()["variants"]
    assert [v["price"] for v in variants] == ["4.2016806723", "0.5042016807"]
    assert api.get("/v1/items/NETV-R").json()["price"] == "4.2016806723"


def test_a_price_with_more_than_ten_places_is_refused_and_nothing_is_written(api):
    r = api.post("/v1/items", json={"sku": "NET-11", "name": "x", "price": "4.20168067231"})
    assert r.status_code == 422
    assert "more than 10 decimal places" in r.json()["error"]["fields"]["price"][0]
    assert api.get("/v1/items", params={"sku": "NET-11"}).json()["data"] == []


@pytest.mark.parametrize(
    ("package", "base_price", "base_unit"),
    [
        ({"value": 500, "unit": "g"}, "10.00", "kg"),
        ({"value": "250", "unit": "ml"}, "20.00", "l"),
        ({"value": 1, "unit": "tsp"}, "1014.42", "l"),
        ({"value": 4, "unit": "pieces"}, "1.25", "pcs"),
        ({"value": 2, "unit": "case"}, None, None),
    ],
)
def test_the_base_price_is_the_gross_price_per_base_unit(api, package, base_price, base_unit):
    api.post("/v1/tax-rates", json={"name": "VAT", "rate": "0.19", "is_default": True})
    item = create(api, "BASE-1", price="4.2016", package_size=package)
    assert item["gross_price"] == "5.00"
    assert (item["base_price"], item["base_price_unit"]) == (base_price, base_unit)


def test_without_a_package_size_or_price_there_is_no_base_price(api):
    assert create(api, "BASE-2", price="5")["base_price"] is None
    item = create(api, "BASE-3", package_size={"value": 1, "unit": "kg"})
    assert (item["base_price"], item["base_price_unit"]) == (None, None)


# Exact numbers on the wire


def test_money_is_a_string_with_at_least_two_places(api):
    r = api.post("/v1/items", json={"sku": "MONEY-1", "name": "x", "price": 5.5, "unit_cost": "2", "retail_price":
                                    "4.201681", "wholesale_price": "3.10"})
    assert r.status_code == 201
    assert '"price":"5.50"' in r.text
    assert '"unit_cost":"2.00"' in r.text
    assert '"retail_price":"4.201681"' in r.text
    assert '"wholesale_price":"3.10"' in r.text


@pytest.mark.parametrize("price", ["1.12345678901", -1, "-0.01", "five", True, "NaN"])
def test_a_price_that_is_not_a_non_negative_amount_of_at_most_ten_places_is_refused(api, price):
    r = api.post("/v1/items", json={"sku": "MONEY-2", "name": "x", "price": price})
    assert r.status_code == 422
    assert "price" in r.json()["error"]["fields"]


def test_quantities_come_back_as_exact_json_numbers(api):
    r = post_raw(api, "/v1/items", '{"sku": "QTY-1", "name": "x", "reorder_point": 0.1, "safety_stock": "12.500000",'
                                   ' "reorder_quantity": 123456789012.123456}')
    assert r.status_code == 201, r.text
    assert '"reorder_point":0.1,' in r.text
    assert '"safety_stock":12.5,' in r.text
    assert '"reorder_quantity":123456789012.123456,' in r.text
    item = json.loads(r.text, parse_float=Decimal)
    assert item["reorder_quantity"] == Decimal("123456789012.123456")
    again = api.get(f"/v1/items/{item['id']}").text
    assert '"reorder_quantity":123456789012.123456,' in again


def test_a_quantity_in_exponent_notation_is_written_out_plainly(api):
    r = post_raw(api, "/v1/items", '{"sku": "QTY-2", "name": "x", "reorder_point": 1e2, "safety_stock": "2.5E1"}')
    assert r.status_code == 201, r.text
    assert '"reorder_point":100,' in r.text
    assert '"safety_stock":25,' in r.text


@pytest.mark.parametrize(
    "raw", ["1.1234567", '"0.0000001"', "1000000000001", '"1e13"', "-1", "true", '"NaN"', '"Infinity"', '"1_000"',
            "1E1000000"],
)
def test_a_quantity_outside_the_exact_range_is_refused(api, raw):
    r = post_raw(api, "/v1/items", f'{{"sku": "QTY-3", "name": "x", "reorder_point": {raw}}}')
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "reorder_point" in r.json()["error"]["fields"]


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_literals_are_not_json(api, raw):
    r = post_raw(api, "/v1/items", f'{{"sku": "QTY-4", "name": "x", "reorder_point": {raw}}}')
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "MALFORMED_JSON"


def test_the_largest_quantity_is_accepted_exactly(api):
    r = post_raw(api, "/v1/items", '{"sku": "QTY-5", "name": "x", "reorder_point": 1000000000000, '
                                   '"safety_stock": 999999999999.999999}')
    assert r.status_code == 201, r.text
    assert '"reorder_point":1000000000000,' in r.text
    assert '"safety_stock":999999999999.999999,' in r.text


# Status


def test_changing_the_tracking_changes_the_status(api):
    item = create(api, "STAT-1")
    assert item["status"] == "out_of_stock"
    assert api.patch(f"/v1/items/{item['id']}", json={"tracking": "none"}).json()["status"] == "normal"
    assert api.patch(f"/v1/items/{item['id']}", json={"tracking": "quantity"}).json()["status"] == "out_of_stock"


def test_thresholds_do_not_lift_an_item_without_stock_out_of_out_of_stock(api):
    item = create(api, "STAT-2")
    r = api.patch(f"/v1/items/{item['id']}", json={"reorder_point": 5, "safety_stock": 2})
    assert r.json()["status"] == "out_of_stock"


def test_changing_the_thresholds_recomputes_the_status_of_an_item_in_stock(api, workspace):
    location = api.post("/v1/locations", json={"name": "Main"}).json()["id"]
    item = create(api, "STAT-3")
    put_on_hand(workspace, item["id"], location, "10")
    assert api.get(f"/v1/items/{item['id']}").json()["status"] == "normal"
    steps = [
        ({"reorder_point": 10}, "low"),  # available 10 <= reorder point 10
        ({"safety_stock": "9.999999"}, "low"),
        ({"safety_stock": 10}, "critical"),  # available 10 <= safety stock 10
        ({"description": "unrelated"}, "critical"),
        ({"safety_stock": 0, "reorder_point": "9.5"}, "normal"),
    ]
    for body, status in steps:
        r = api.patch(f"/v1/items/{item['id']}", json=body)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == status, body
        assert api.get(f"/v1/items/{item['id']}").json()["status"] == status


def test_a_single_item_shows_its_levels_per_location(api, workspace):
    main = api.post("/v1/locations", json={"name": "Main"}).json()["id"]
    shop = api.post("/v1/locations", json={"name": "Shop", "type": "store"}).json()["id"]
    item = create(api, "LEVELS-1", reorder_point=5)
    put_on_hand(workspace, item["id"], main, "12.5")
    put_on_hand(workspace, item["id"], shop, "2")
    body = api.get(f"/v1/items/{item['id']}").json()
    assert (body["on_hand"], body["available"], body["status"]) == (14.5, 14.5, "normal")
    assert body["locations"] == [
        {"location": main, "name": "Main", "type": "warehouse", "on_hand": 12.5, "reserved": 0, "available": 12.5,
         "status": "normal"},
        {"location": shop, "name": "Shop", "type": "store", "on_hand": 2, "reserved": 0, "available": 2,
         "status": "low"},
    ]


def test_point_of_sale_flags_are_typed_fields_false_by_default_and_changeable(api):
    item = create(api, "FLAGS-1")
    flags = ("gift_card", "favourite", "open_price", "ad_hoc")
    assert [item[f] for f in flags] == [False] * 4
    card = create(api, "FLAGS-2", gift_card=True, open_price=True)
    assert (card["gift_card"], card["open_price"], card["favourite"]) == (True, True, False)
    patched = api.patch(f"/v1/items/{item['id']}", json={"favourite": True}).json()
    assert patched["favourite"] is True and api.get(f"/v1/items/{item['id']}").json()["favourite"] is True
    r = api.patch(f"/v1/items/{item['id']}", json={"gift_card": "yes"})
    assert r.status_code == 422 and list(r.json()["error"]["fields"]) == ["gift_card"]


def test_an_attribute_takes_one_value_or_a_list_of_them(api):
    item = create(api, "ATTR-1", attributes={"color": ["pink"], "size": ["S", "M"], "weight": "1"})
    assert item["attributes"] == {"color": ["pink"], "size": ["S", "M"], "weight": "1"}
    assert api.get(f"/v1/items/{item['id']}").json()["attributes"] == item["attributes"]
    r = api.post("/v1/items", json={"sku": "ATTR-2", "name": "x", "attributes": {"color": [["nested"]]}})
    assert r.status_code == 422


def test_variants_with_list_valued_attributes_must_still_differ(api):
    r = api.post("/v1/items", json={"sku": "ATTR-P", "name": "Tee", "variants": [
        {"sku": "ATTR-P-1", "attributes": {"color": ["red"]}}, {"sku": "ATTR-P-2", "attributes": {"color": ["red"]}}]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "DUPLICATE_VARIANT"
