"""The inventorum dialect's pure mapping and error envelope, on the documents' own examples
(seed 004's products, seed 000's error body)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from storekeeper.api.errors import Problem
from storekeeper.compat.inventorum import errors, images, mapping
from storekeeper.domain.errors import ValidationFailed
from storekeeper.domain.pricing import split_price

D = Decimal
NOW = datetime(2026, 12, 7, tzinfo=UTC)


def item(**fields) -> dict:
    """An item row as services/items returns it, with the defaults of a new one."""
    price, rest = split_price(fields.pop("price", None))
    row = {"id": "itm_1", "number": 12544049, "sku": "SKU-1", "name": "00001 Drink", "description": None,
           "barcode": None, "brand": None, "supplier": None, "category_id": None, "categories": [], "tags": [],
           "attributes": {}, "parent_id": None,
           "reorder_point": D(0), "safety_stock": D(0), "unit_cost": None, "average_cost": None, "price": price,
           "price_rest": rest, "tax_rate_id": "tax_19", "tax_rate_value": D("0.19"), "package_size_value": None,
           "package_size_unit": None, "channels": {}, "metadata": {}, "gift_card": False, "favourite": False,
           "open_price": False, "ad_hoc": False, "on_hand": D(0), "variant_count": 0, "has_variants": False,
           "version": 1, "created_at": NOW, "updated_at": NOW}
    row.update(fields)
    return row


TAXES = {"tax_19": {"id": "tax_19", "number": 4672, "name": "MwSt", "rate": D("0.19")}}


@pytest.mark.parametrize(("value", "text"), [(D(150), "150.00"), (D("0.5"), "0.50"), (D("200.5"), "200.50"),
                                             (D("1.234567"), "1.234567")])
def test_quantities_are_written_with_at_least_two_places(value, text):
    assert mapping.amount(value) == text


def test_prices_are_written_exactly_and_a_variations_to_ten_places():
    assert mapping.price_text(D("4.2016806723")) == "4.2016806723"
    assert mapping.price_text(D(100)) == "100"
    assert mapping.price_text(D("155.89")) == "155.89"
    assert mapping.price_text(D(140), places=10) == "140.0000000000"
    assert mapping.price_text(D("15.99"), places=10) == "15.9900000000"


def test_the_documents_list_entry_from_an_item():
    row = item(on_hand=D(150), price=D("4.2016806723"), metadata={"product_code": "V1"})
    entry = mapping.summary(row, TAXES)
    assert {k: entry[k] for k in ("name", "id", "quantity", "reorder_level", "safety_stock", "price", "tax_type",
                                  "gross_price", "ean", "in_shop", "min_gross_price", "max_gross_price",
                                  "reorder_level_reached", "safety_stock_reached", "inv_id")} == {
        "name": "00001 Drink", "id": 12544049, "quantity": "150.00", "reorder_level": "0.00", "safety_stock": "0.00",
        "price": "4.2016806723", "tax_type": 4672, "gross_price": "5.00", "ean": "", "in_shop": False,
        "min_gross_price": "5.00", "max_gross_price": "5.00", "reorder_level_reached": False,
        "safety_stock_reached": False, "inv_id": "itm_1"}


def test_a_parents_min_and_max_gross_price_are_its_variations():
    variations = [item(id="v1", number=2, price=D(140)), item(id="v2", number=3, price=D(100))]
    entry = mapping.summary(item(price=D(145), has_variants=True, variant_count=2), TAXES, variations)
    assert (entry["gross_price"], entry["min_gross_price"], entry["max_gross_price"]) == ("172.55", "119.00", "166.60")


def test_attributes_are_lists_and_their_string_joins_every_value():
    assert mapping.attribute_lists({"size": "22", "color": ["Red"], "count": 3}) == {
        "size": ["22"], "color": ["Red"], "count": ["3"]}
    # The document's order: shorter names first ("S, pink, 1", "SM, blue, Denim").
    assert mapping.attributes_str({"weight": ["1"], "size": ["S"], "color": ["pink"]}) == "S, pink, 1"
    assert mapping.attributes_str({"color": ["blue"], "material": ["Denim"], "size": ["SM"]}) == "SM, blue, Denim"
    assert mapping.variant_name("T-shirt", {"material": "Denim", "color": "Red", "size": "22"}) == (
        "T-shirt, 22, Red, Denim")
    assert mapping.variant_name("T-shirt", {}) == "T-shirt"


def test_the_base_price_per_litre_of_a_half_litre_bottle():
    row = item(price=D("4.2016806723"), package_size_value=D("0.5"), package_size_unit="l")
    assert mapping.package(row, D("5.00")) == {
        "package_size_value": "0.50", "package_size_unit": "l", "base_price": "10.00", "base_size_value": "1",
        "base_size_unit": "l"}
    assert mapping.package(item(package_size_value=D(3), package_size_unit="pcs"), D("119.00"))["base_price"] == (
        "39.67")
    assert mapping.package(item(), None)["base_price"] is None


def test_a_product_body_becomes_item_fields():
    body = {"quantity": D(200), "reorder_level": D(75), "safety_stock": D(50), "purchase_price": D("10.50"),
            "name": "Pink t-shirt", "brand": "Nike", "tax_type": 59342, "categories": [{"id": 90302}],
            "price": D(100), "attributes": {"weight": ["1"], "size": "S"}, "product_code": "22222222222222",
            "ean": "121312121212", "package_size_value": D(1), "package_size_unit": "pc", "custom_price": True,
            "is_giftcard": False, "custom_sale": False, "is_favourite": True}
    assert mapping.item_fields(body, resolve, {"kept": "yes"}) == {
        "name": "Pink t-shirt", "reorder_point": D(75), "safety_stock": D(50), "price": D(100), "unit_cost": D("10.50"),
        "open_price": True, "gift_card": False, "ad_hoc": False, "favourite": True, "brand": "Nike",
        "tax_rate": "tax_rate#59342", "barcode": "121312121212", "attributes": {"weight": ["1"], "size": ["S"]},
        "categories": ["category#90302"], "package_size": {"value": D(1), "unit": "pcs"},
        "metadata": {"kept": "yes", "product_code": "22222222222222"}}
    assert mapping.item_fields({"categories": [], "ean": "", "product_code": ""}, resolve, {"product_code": "x"}) == {
        "categories": [], "barcode": None, "metadata": {}}
    with pytest.raises(ValidationFailed):
        mapping.item_fields({"package_size_value": D(1)}, resolve)


def resolve(kind: str, number: int) -> str:
    return f"{kind}#{number}"


def test_a_category_shows_its_parents_id_and_a_variations_parent_its_products():
    places = {"cat_1": {"id": "cat_1", "number": 43104, "name": "Drinks", "parent_id": "cat_0"},
              "cat_0": {"id": "cat_0", "number": 39710, "name": "All", "parent_id": None}}
    assert mapping.category(places["cat_1"], places) == {
        "parent": 39710, "hint": "Drinks", "id": 43104, "channel": None, "translations": [], "image": None,
        "name": "Drinks"}
    row = item(parent_id="itm_0", category_id="cat_1", categories=["cat_1"])
    entry = mapping.modified(row, TAXES, places, {"itm_0": 11111114}, verbose=False)
    assert (entry["parent"], entry["categories"]) == (11111114, [{"id": 43104, "hint": "Drinks", "name": "Drinks"}])


def test_the_product_code_is_the_one_given_else_the_sku():
    assert mapping.product_code(item(metadata={"product_code": "V47514"})) == "V47514"
    assert mapping.product_code(item()) == "SKU-1"


def test_the_shop_answer_as_the_document_shows_it():
    row = item(price=D("21.0084033613"), unit_cost=D(10), average_cost=D(10), on_hand=D(1), barcode="40040003B",
               channels={"shop": {"published": True}})
    shown = mapping.shop_product(row)
    assert {k: shown[k] for k in ("price", "gross_price", "purchase_price", "average_purchase_price", "stock",
                                  "reorder", "safety", "tax_rate", "in_shop", "gtin")} == {
        "price": "21.0084033613", "gross_price": "25.00", "purchase_price": "10.0000000000",
        "average_purchase_price": "10.0000000000", "stock": 1, "reorder": 0, "safety": 0, "tax_rate": 19,
        "in_shop": True, "gtin": "40040003B"}
    assert mapping.states(row) == [{"channel": "shop", "details": None, "state": "published"}]


def test_a_stock_adjustments_date_is_dd_mm_yyyy():
    assert mapping.adjustment_date("15.01.2018") == date(2018, 1, 15)
    for wrong in ("2018-01-15", "1.1.2018", "31.02.2018"):
        with pytest.raises(ValueError):
            mapping.adjustment_date(wrong)


def body(response) -> dict:
    return json.loads(response.body)


def test_a_refused_body_is_400_serializer_error_naming_each_field_as_the_document_shows():
    refused = errors.render(Problem(422, "VALIDATION_ERROR", "The request is not valid.", "req_1",
                                    {"tax_type": ["Field required"], "name": ["Field required"]}))
    assert refused.status_code == 400
    assert body(refused) == {"detail": "Serialization error", "error": {
        "fields": {"tax_type": ["This field is required."], "name": ["This field is required."]},
        "description": "Serialization error", "key": "common.serializer_error"}}


def test_a_missing_product_an_unknown_tax_and_other_refusals_in_the_vendors_keys():
    missing = errors.render(Problem(404, "ITEM_NOT_FOUND", "No item 'x' exists."))
    assert (missing.status_code, body(missing)["error"]) == (404, {"fields": {}, "description": None,
                                                                   "key": "product.not_found"})
    tax = errors.render(Problem(404, "TAX_RATE_NOT_FOUND", "No tax rate 'x' exists."))
    assert (tax.status_code, body(tax)["error"]["fields"]) == (400, {"tax_type": ["Invalid tax"]})
    assert body(errors.render(Problem(401, "UNAUTHENTICATED", "An API key is required.")))["error"]["key"] == (
        "common.not_authenticated")
    assert body(errors.render(Problem(409, "INSUFFICIENT_STOCK", "Not enough.")))["error"]["key"] == (
        "inventory.negative_stock")
    assert body(errors.render(Problem(413, "PAYLOAD_TOO_LARGE", "Too large.")))["error"]["key"] == (
        "common.payload_too_large")


def test_meta_gives_each_channel_its_overrides_and_leaves_publishing_as_it_was():
    channels = {"shop": {"published": True, "price": "19.50"}, "pos": {"published": True}}
    changed = mapping.channels_with(channels, {"shop": {"name": "shop name", "price": D(204)},
                                               "ebay": {"description": "ebay desc", "price": None}})
    assert changed == {"shop": {"published": True, "name": "shop name", "price": D(204)},
                       "pos": {"published": True}, "ebay": {"published": False, "description": "ebay desc"}}
    shown = mapping.meta(item(channels={"shop": {"published": True, "name": "shop name", "price": "204.00"}}), 8)
    assert shown == {"shop": {"channel": None, "description": None, "gross_price": "242.76", "id": None,
                              "images": None, "name": "shop name", "price": "204.0000000000"}}
    ebay = {"published": False, "images": [{"id": 763101, "url": "https://cdn.example/e.png", "alt": None}]}
    assert mapping.meta(item(channels={"ebay": ebay}), 10)["ebay"]["images"] == [
        {"id": 763101, "urls": dict.fromkeys(images.SIZES, "https://cdn.example/e.png"), "type": 0, "new": True}]
    assert mapping.channels_with({}, {"ebay": {"images": [{"id": 763101, "new": True}]}}) == {
        "ebay": {"published": False, "images": [{"id": 763101}]}}
