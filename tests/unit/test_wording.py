"""The dashboard's words for the API's codes (domain/wording.py)."""

from __future__ import annotations

from decimal import Decimal

from storekeeper.domain import wording


def test_actions_read_as_what_happened():
    assert wording.action("item.updated") == "Item changed"
    assert wording.action("item.deleted") == "Item moved to the trash"
    assert wording.action("category.deleted") == "Category deleted"  # no trash for categories
    assert wording.action("purchase_order.partially_received") == "Purchase order partly received"
    assert wording.action("something.new") == "something.new"  # an unknown code as it is


def test_reasons_and_fields_in_words():
    assert wording.reason("production_consumption") == "Used in production"
    assert wording.reason("sale") == "Sold"
    assert wording.reason("cycle_count_2") == "cycle count 2"  # a workspace's own reason
    assert (wording.field("reorder_point"), wording.field("category_id")) == ("reorder point", "category")


def test_values_name_their_rows_and_show_money_to_the_cent():
    names = {"cat_1": "Candles", "loc_1": "Main"}
    assert wording.value("category_id", "cat_1", names) == "Candles"
    assert wording.value("home_location", "loc_1", names) == "Main"
    assert wording.value("category_id", "cat_gone", names) == "cat_gone"
    assert wording.value("price", "4.2016806723", names) == "4.20"
    assert wording.value("unit_cost", Decimal("3.1"), names) == "3.10"
    assert wording.value("reorder_point", Decimal("12.000000"), names) == "12"
    assert wording.value("reorder_point", Decimal("2.500"), names) == "2.5"
    assert wording.value("favourite", True, names) == "yes"
    assert wording.value("barcode", None, names) == "none"
    assert wording.value("categories", ["cat_1", "cat_2"], {**names, "cat_2": "Gifts"}) == "Candles, Gifts"


def test_an_items_channels_read_as_their_names():
    channels = {"shop": {"published": True, "name": "Web soap"}, "pos": {"published": False, "price": "6.50"}}
    assert wording.value("channels", channels, {}) == "pos (unpublished), shop"
    assert wording.value("channels", {}, {}) == "none"


def test_numbers_take_the_workspaces_decimal_mark():
    assert wording.value("reorder_point", Decimal("2.5"), {}, ",") == "2,5"
    assert wording.value("price", "1234.5", {}, ",") == "1234,50"
    assert wording.value("sku", "A.B", {}, ",") == "A.B"  # text stays as it is


def test_a_reason_reads_as_words():
    assert wording.value("reason", "transfer_in", {}) == "Moved in"
