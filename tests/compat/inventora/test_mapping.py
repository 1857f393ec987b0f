"""The Inventora API's fields from Storekeeper's rows, and its bodies as Storekeeper's changes, on
the document's own examples (seed 002): the pure functions of compat/inventora/mapping.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from storekeeper.compat.inventora import ids, mapping
from storekeeper.compat.inventora.mapping import Refused
from storekeeper.jsoncodec import dumps
from tests.compat.inventora.document import example, identified

CANDLE, WAX = 12, 7  # the items' numbers
IDS = {"asdf123": CANDLE, "asdf456": WAX}


def read(value):
    """What a client reads: the JSON the facade writes, numbers exact."""
    return json.loads(dumps(value), parse_float=D)


def wax_component(quantity=D("0.5"), unit="lb"):
    return {"component_id": "itm_01WAX", "component_number": WAX, "name": "Soy Wax", "sku": "WAX-SOY",
            "component_unit": "lb",
            "component_tracking": "quantity", "component_unit_cost": D("3.25"), "component_on_hand": D(100),
            "component_reorder_point": D(20), "quantity": quantity, "unit": unit, "component_deleted_at": None}


def candle_row(**changes):
    return {"id": "itm_01CANDLE", "number": CANDLE, "name": "Handmade Candle", "sku": "CANDLE-001",
            "on_hand": D(45), "unit": "pcs",
            "tracking": "quantity", "unit_cost": D("5.50"), "reorder_point": D(10), "description": "Vanilla scented",
            "retail_price": D("15.00"), "wholesale_price": D("10.00"), "barcode": "1234567890123",
            "reorder_quantity": D(1), "reorder_urls": ["https://example.com/reorder"],
            "locations": [{"location_name": "Main Warehouse", "on_hand": D(30)},
                          {"location_name": "Retail Store", "on_hand": D(15)}],
            "components": [wax_component()], **changes}


def wax_row():
    return {"id": "itm_01WAX", "number": WAX, "name": "Soy Wax", "sku": "WAX-SOY", "on_hand": D(100), "unit": "lb",
            "tracking": "quantity",
            "unit_cost": D("3.25"), "reorder_point": D(20), "description": "Food grade soy wax", "retail_price": None,
            "wholesale_price": None, "barcode": "9876543210987", "reorder_quantity": D(10),
            "reorder_urls": ["https://supplier.com/wax"],
            "locations": [{"location_name": "Main Warehouse", "on_hand": D(80)},
                          {"location_name": "Production Floor", "on_hand": D(20)}], "components": []}


def test_a_product_reads_as_the_documents_example():
    assert read(mapping.resource(candle_row())) == identified(example("GET /products/:id"), IDS)
    assert read([mapping.resource(candle_row())]) == identified(example("GET /products"), IDS)["data"]


def test_a_material_reads_as_the_documents_example():
    assert read(mapping.resource(wax_row())) == identified(example("GET /materials/:id"), IDS)


def test_a_list_has_the_documents_pagination():
    assert mapping.pagination(150, 0, 100) == example("GET /products")["pagination"]


def test_quantity_used_is_in_the_materials_own_unit():
    used = mapping.material(wax_component(D(250), "g"))
    assert used["quantityUsed"] == D("0.551156") and used["unitType"] == "weight.lbs"


def test_a_deleted_material_leaves_the_bill_but_the_product_stays_produced():
    row = candle_row(components=[{**wax_component(), "component_deleted_at": datetime(2024, 1, 1, tzinfo=UTC)}])
    shown = mapping.resource(row)
    assert shown["materials"] == [] and shown["productionType"] == "produced"


@pytest.mark.parametrize(("tracking", "has_bill", "shown"), [
    ("quantity", True, "produced"), ("quantity", False, "supplied"), ("none", False, "infinite"),
    ("bundle", True, "bundle"), ("serial", False, "supplied")])
def test_production_type_follows_tracking_and_the_bill(tracking, has_bill, shown):
    assert mapping.production_type(tracking, has_bill) == shown


def test_every_unit_type_of_the_document_is_printed_back_as_written():
    for code, name in mapping.UNIT_TYPES.items():
        assert mapping.unit_type(code) == name and mapping.unit_code(name) == code
    assert mapping.unit_type("pcs", "bundle") == "bundles"


def test_a_patch_body_is_the_items_changes():
    body = example("PATCH /products/:id", "request")
    assert mapping.resource_changes(body, "quantity") == {
        "name": "Updated Product Name", "sku": "NEW-SKU", "unit": "pcs", "unit_cost": D("6.00"),
        "reorder_point": 15, "description": "Updated notes", "retail_price": D("18.00"),
        "wholesale_price": D("12.00"), "barcode": "1234567890124", "reorder_quantity": 2,
        "reorder_urls": ["https://example.com/reorder-new"]}
    material = mapping.resource_changes(example("PATCH /materials/:id", "request"), "quantity")
    assert material["unit"] == "kg" and material["retail_price"] is None


def test_unit_type_cannot_change_to_or_from_bundles():
    with pytest.raises(Refused, match="to or from bundle"):
        mapping.resource_changes({"unitType": "bundles"}, "quantity")
    with pytest.raises(Refused, match="to or from bundle"):
        mapping.resource_changes({"unitType": "pieces"}, "bundle")
    assert mapping.resource_changes({"unitType": "bundles", "name": "Kit"}, "bundle") == {"name": "Kit"}


def test_the_update_types_as_adjustments():
    assert mapping.stock_change("audit", D(10)) == {"reason": "count", "set_to": D(10)}
    assert mapping.stock_change("restock", D(50)) == {"reason": "receipt", "delta": D(50)}
    assert mapping.stock_change("loss", D(3)) == {"reason": "loss", "delta": D(-3)}
    assert mapping.stock_change("custom", D(4), ("gift_out", "out")) == {"reason": "gift_out", "delta": D(-4)}
    assert mapping.stock_change("custom", D(4), ("found", "in")) == {"reason": "found", "delta": D(4)}
    assert mapping.stock_change("custom", D(-4), ("fix", "any")) == {"reason": "fix", "delta": D(-4)}


@pytest.mark.parametrize(("update_type", "quantity", "custom"), [
    ("audit", D(-1), None), ("restock", D(0), None), ("loss", D(-2), None), ("custom", D(1), None),
    ("custom", D(0), ("fix", "any")), ("custom", D(-1), ("found", "in"))])
def test_update_types_refuse_quantities_they_cannot_apply(update_type, quantity, custom):
    with pytest.raises(Refused):
        mapping.stock_change(update_type, quantity, custom)


def test_a_location_reads_as_the_documents_example():
    rows = [{"id": "loc_789", "name": "Main Warehouse", "is_default": True, "hide_materials": False,
             "address": {"line1": "123 Storage St", "line2": "Unit 5", "city": "Portland", "region": "OR",
                         "postal_code": "97201", "country": "US"}},
            {"id": "loc_790", "name": "Retail Store", "is_default": False, "hide_materials": True,
             "address": {"line1": "456 Main St", "city": "Portland", "region": "OR", "postal_code": "97202",
                         "country": "US"}}]
    assert [mapping.location(row) for row in rows] == example("GET /locations")["data"]
    assert mapping.location({**rows[0], "address": None})["address1"] is None


def at(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def order_row(batches):
    line = {"id": "prl_01", "number": 1, "item_id": "itm_01CANDLE", "item_number": CANDLE, "quantity": D(50),
            "unit": "pcs", "tracking": "quantity",
            "produced_quantity": sum((b["quantity"] for b in batches), D(0)), "name": "Handmade Candle",
            "sku": "CANDLE-001", "on_hand": D(45), "kind": "product", "batches": batches}
    return {"id": "prd_01", "number": 123, "name": "Produce 50 Candles", "status": "pending", "position": 1,
            "location_id": "loc_789", "assignee_id": "user_456", "due": at("2024-03-15T10:00:00Z"),
            "completed_at": None, "notes": "Rush order for weekend market", "created_at": at("2024-03-01T09:00:00Z"),
            "updated_at": at("2024-03-01T09:00:00Z"), "lines": [line]}


TASK_IDS = {**IDS, "task_123": 123}


def test_a_task_reads_as_the_documents_example():
    # The document's task item and batch are numbered 1: so are these.
    batch = {"id": "bat_01", "number": 1, "quantity": D(25), "created_at": at("2024-03-02T14:30:00Z")}
    shown = read(mapping.task(order_row([batch]), {"bat_01": "user_456"}))
    assert shown == identified(example("GET /tasks/:id"), TASK_IDS)
    assert read(mapping.task(order_row([]), {})) == identified(example("GET /tasks")["data"][0], TASK_IDS)


def test_a_created_batch_reads_as_the_documents_example():
    batch = {"id": "bat_01", "number": 1, "line_id": "prl_01", "quantity": D(25),
             "created_at": at("2024-03-02T14:30:00Z")}
    assert read(mapping.batch_created(batch, 1, None)) == example("POST /tasks/:id/items/:item_id/batches")


def test_timestamps_keep_milliseconds_only_where_there_are_some():
    assert mapping.timestamp(datetime(2024, 3, 2, 14, 30, 0, 123456, tzinfo=UTC)) == "2024-03-02T14:30:00.123Z"
    assert mapping.timestamp(None) is None


def test_a_task_body_is_the_production_orders_fields_and_lines():
    body = identified(example("POST /tasks", "request"), IDS)
    assert mapping.task_changes(body) == {"name": "Produce 50 Candles", "assignee": "user@example.com",
                                          "location": "loc_789", "due": "2024-03-15T10:00:00Z",
                                          "notes": "Rush order for weekend market", "status": "pending"}
    assert mapping.task_lines(body["Items"], {CANDLE: "itm_01CANDLE"}) == [
        {"item": "itm_01CANDLE", "quantity": 50, "unit": "pcs"}]
    patch = mapping.task_changes(example("PATCH /tasks/:id", "request"))
    assert patch["status"] == "in_progress" and patch["assignee"] == "newuser@example.com"


def test_assignee_and_user_id_are_one_field():
    assert mapping.assignee({"UserId": None}) == (True, None)
    assert mapping.assignee({}) == (False, None)
    with pytest.raises(Refused):
        mapping.assignee({"Assignee": "a@example.com", "UserId": "usr_1"})


def test_a_client_sees_the_rows_number_as_its_id():
    assert ids.vendor_id(candle_row()) == CANDLE
    assert ids.vendor_id(wax_component(), "component_number") == WAX
