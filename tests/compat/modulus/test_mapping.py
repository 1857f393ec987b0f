"""The Inventory Manager API's fields from Storekeeper's rows and back, on the document's own
examples (seed 003): the pure functions of compat/modulus/mapping.py and its error rendering,
no database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal as D

from storekeeper.api.errors import Problem
from storekeeper.compat.modulus import errors, mapping
from storekeeper.persistence.pagination import Page

# The document's "Widget Pro X", as Storekeeper holds it (its home location is "Warehouse A").
WIDGET = {"id": "item_abc123", "name": "Widget Pro X", "sku": "WPX-001", "on_hand": D("248.000000"),
          "home_location_id": "loc_a", "barcode": "012345678901", "reorder_point": D("50.000000"),
          "created_at": datetime(2025, 1, 15, 10, 30, tzinfo=UTC),
          "updated_at": datetime(2025, 1, 20, 14, 22, 0, 417000, tzinfo=UTC)}


def test_an_item_reads_as_the_documents_example():
    assert mapping.item(WIDGET, {"loc_a": "Warehouse A"}) == {
        "id": "item_abc123", "name": "Widget Pro X", "sku": "WPX-001", "quantity": 248, "location": "Warehouse A",
        "barcode": "012345678901", "reorder_point": 50, "created_at": "2025-01-15T10:30:00Z",
        "updated_at": "2025-01-20T14:22:00Z"}


def test_quantities_are_integers_unless_the_item_is_counted_in_fractions():
    assert isinstance(mapping.whole(D("248.000000")), int)
    assert mapping.whole(D("2.500000")) == D("2.5")
    assert mapping.item({**WIDGET, "home_location_id": None}, {})["location"] is None


def test_times_are_written_in_utc_to_the_second_with_a_z():
    assert mapping.timestamp(datetime(2025, 1, 20, 15, 22, 59, 999000, tzinfo=timezone(timedelta(hours=1)))) == \
        "2025-01-20T14:22:59Z"


def test_the_documents_create_request_is_an_item_with_initial_stock_at_its_home_location():
    body = {"name": "Widget Pro X", "sku": "WPX-001", "quantity": 100, "location": "Warehouse A", "reorder_point": 25}
    assert mapping.new_item(body) == {
        "name": "Widget Pro X", "sku": "WPX-001", "reorder_point": D(25), "home_location": "Warehouse A",
        "initial_stock": [{"location": "Warehouse A", "quantity": D(100)}]}
    assert "initial_stock" not in mapping.new_item({"name": "Empty", "sku": "E-1", "quantity": 0})


def test_an_update_gives_only_the_fields_it_names_and_no_reorder_point_is_zero():
    assert mapping.item_fields({"name": "Widget Pro Y"}) == {"name": "Widget Pro Y"}
    assert mapping.item_fields({"reorder_point": None, "location": None}) == {"reorder_point": D(0),
                                                                               "home_location": None}


def test_an_order_request_is_a_purchase_order_whose_lines_keep_only_the_costs_given():
    body = {"supplier": "Acme Supplies", "location": "Warehouse A",
            "line_items": [{"item_id": "item_abc123", "quantity": 100, "unit_cost": D("4.25")},
                           {"item_id": "item_def456", "quantity": 5}]}
    assert mapping.order_fields(body) == {
        "supplier": "Acme Supplies", "location": "Warehouse A",
        "lines": [{"item": "item_abc123", "quantity": D(100), "unit_cost": D("4.25")},
                  {"item": "item_def456", "quantity": D(5)}]}


def test_an_order_reads_with_its_line_items_and_total():
    row = {"id": "po_1", "number": "PO-000001", "supplier": "Acme Supplies", "status": "draft", "location_id": "loc_a",
           "created_at": WIDGET["created_at"], "updated_at": WIDGET["created_at"],
           "lines": [{"id": "pol_1", "item_id": "item_abc123", "sku": "WPX-001", "name": "Widget Pro X",
                      "quantity": D("100.000000"), "received_quantity": D(0), "unit_cost": D("4.250000")},
                     {"id": "pol_2", "item_id": "item_def456", "sku": "G-1", "name": "Gadget",
                      "quantity": D("5.000000"), "received_quantity": D(0), "unit_cost": None}]}
    order = mapping.order(row, {"loc_a": "Warehouse A"})
    assert (order["location"], order["total"], order["created_at"]) == ("Warehouse A", D(425), "2025-01-15T10:30:00Z")
    assert [(line["quantity"], line["unit_cost"]) for line in order["line_items"]] == [(100, D("4.25")), (5, None)]


def test_audit_actions_read_as_create_update_delete_or_restore():
    assert [mapping.audit_action(a) for a in ("item.created", "item.updated", "item.deleted", "item.purged",
                                              "item.restored", "movement.created", "purchase_order.placed")] == [
        "create", "update", "delete", "delete", "restore", "update", "update"]
    assert mapping.AUDIT_FILTERS["update"] == "movement.created|-*.created,-*.deleted,-*.purged,-*.restored"


def test_an_audit_entry_names_the_item_it_is_about():
    base = {"id": "aud_1", "actor_id": "key_1", "actor_name": "admin", "created_at": WIDGET["created_at"]}
    own = mapping.audit_entry({**base, "action": "item.updated", "resource_type": "item", "resource_id": "item_abc123",
                               "changes": '{"name": ["Widget", "Widget Pro X"]}'})
    moved = mapping.audit_entry({**base, "action": "movement.created", "resource_type": "movement",
                                 "resource_id": "mov_1", "changes": {"item": [None, "item_abc123"],
                                                                     "on_hand": ["0", "100"]}})
    assert (own["action"], own["item_id"], own["changes"]) == ("update", "item_abc123",
                                                              {"name": ["Widget", "Widget Pro X"]})
    assert (moved["action"], moved["item_id"], moved["user_id"]) == ("update", "item_abc123", "key_1")


def test_the_pagination_block_is_the_documents():
    page = Page(rows=[], next_cursor=None, has_more=True, limit=50, total=847)
    assert mapping.pagination(page, 0) == {"total": 847, "limit": 50, "offset": 0, "has_more": True}


def test_the_rate_limit_reset_is_a_unix_time():
    assert mapping.reset_at(30, datetime(2021, 12, 31, 23, 59, 30, tzinfo=UTC)) == 1640995200


def body(problem: Problem) -> dict:
    return json.loads(errors.render(problem).body)


def test_a_refused_field_is_rendered_as_the_documents_error_example():
    refused = body(Problem(422, "VALIDATION_ERROR", "The request is not valid.", "req_1",
                           {"quantity": ["Must be a positive integer."]}))
    assert refused == {"error": {"code": "invalid_request",
                                 "message": "The 'quantity' field is not valid: Must be a positive integer.",
                                 "field": "quantity"}}


def test_storekeeper_codes_map_to_the_vendors_snake_case_codes():
    assert body(Problem(404, "ITEM_NOT_FOUND", "No item x.", None))["error"] == {
        "code": "not_found", "message": "No item x.", "field": None}
    assert body(Problem(409, "DUPLICATE_SKU", "Taken.", None))["error"]["field"] == "sku"
    assert body(Problem(422, "NEGATIVE_QUANTITY", "Short.", None))["error"]["code"] == "insufficient_stock"
    assert body(Problem(401, "INVALID_API_KEY", "Bad key.", None))["error"]["code"] == "invalid_api_key"
    assert body(Problem(500, "INTERNAL", "Oops.", None))["error"]["code"] == "internal_error"


def test_a_movement_reads_as_a_transaction_with_the_documents_types():
    movement = {"id": "mov_1", "item_id": "item_abc123", "sku": "WPX-001", "reason": "receipt",
                "delta": D("100.000000"), "after": D("348.000000"), "location_id": "loc_a", "note": "PO 4711",
                "actor_id": "key_1", "occurred_at": datetime(2025, 1, 21, 9, 0, 0, 250000, tzinfo=UTC)}
    assert mapping.transaction(movement, {"loc_a": "Warehouse A"}) == {
        "id": "mov_1", "item_id": "item_abc123", "sku": "WPX-001", "type": "receive", "quantity": 100,
        "quantity_after": 348, "location": "Warehouse A", "note": "PO 4711", "user_id": "key_1",
        "created_at": "2025-01-21T09:00:00Z"}
    assert mapping.transaction({**movement, "reason": "correction"}, {})["type"] == "adjustment"
    assert mapping.transaction({**movement, "reason": "transfer_in"}, {})["type"] == "transfer_in"
    assert all(mapping.TRANSACTION_REASONS[kind] in {"receipt", "correction"} | {kind}
               for kind in mapping.TRANSACTION_REASONS)
