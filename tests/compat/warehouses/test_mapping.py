"""The multi-warehouse API's fields from Storekeeper's rows, on the document's own examples
(seed 001): the pure functions of compat/warehouses/mapping.py, no database."""

from __future__ import annotations

from decimal import Decimal as D

from storekeeper.compat.warehouses import mapping

# The document's two warehouses, as Storekeeper holds them.
BERLIN = {"id": "wh_01HX...", "name": "Warehouse A", "type": "warehouse", "read_only": False, "marketplace": None,
          "fulfilment": None, "is_active": True,
          "address": {"line1": "Industriestraße 1", "line2": None, "city": "Berlin", "region": None,
                      "postal_code": "12345", "country": "DE"}}
FBA = {"id": "wh_01HY...", "name": "FBA EU", "type": "external", "read_only": True, "marketplace": "amazon_eu",
       "fulfilment": "FBA", "is_active": True, "address": None}


def test_warehouses_read_as_the_documents_example():
    assert [mapping.warehouse(BERLIN), mapping.warehouse(FBA)] == [
        {"id": "wh_01HX...", "name": "Warehouse A", "address": "Industriestraße 1, 12345 Berlin, DE", "type": "own",
         "is_active": True},
        {"id": "wh_01HY...", "name": "FBA EU", "type": "FBA", "marketplace": "amazon_eu", "is_active": True,
         "is_readonly": True},
    ]


def test_an_external_location_without_a_fulfilment_service_is_external_and_a_store_is_own():
    assert mapping.warehouse_type({**FBA, "fulfilment": None}) == "external"
    assert mapping.warehouse_type({**BERLIN, "type": "store"}) == "own"


def test_an_address_on_one_line_leaves_out_what_is_missing():
    assert mapping.one_line({"city": "Hamburg", "country": "DE"}) == "Hamburg, DE"
    assert mapping.one_line({}) is None
    assert mapping.one_line(None) is None


def test_an_inventory_record_reads_as_the_documents_example():
    row = {"sku": "SKU-001", "name": "Blue Widget 500ml", "on_hand": D(487), "reserved": D(23),
           "available": D(464), "safety_stock": D(15), "status": "normal", "locations": [
               {"location": "wh_01HX...", "name": "Warehouse A", "type": "warehouse", "on_hand": D(350),
                "reserved": D(18)},
               {"location": "wh_01HY...", "name": "FBA EU", "type": "external", "on_hand": D(137), "reserved": D(5)}]}
    record = mapping.inventory(row, {"wh_01HX...": BERLIN, "wh_01HY...": FBA})
    assert record == {
        "sku": "SKU-001", "title": "Blue Widget 500ml", "total_on_hand": 487, "total_reserved": 23,
        "total_available": 464, "safety_stock": 15, "status": "normal",
        "warehouses": [
            {"warehouse_id": "wh_01HX...", "name": "Warehouse A", "on_hand": 350, "reserved": 18, "available": 332},
            {"warehouse_id": "wh_01HY...", "name": "FBA EU", "on_hand": 137, "reserved": 5, "available": 132,
             "type": "FBA"},
        ],
    }


def test_an_adjustment_reads_as_the_documents_example_and_shows_the_vendors_reason():
    movement = {"id": "mov_01HX...", "sku": "SKU-001", "location_id": "wh_01HX...", "before": D(450),
                "after": D(500), "delta": D(50), "reason": "count", "label": "supplier_receipt",
                "note": "PO-2026-0312 received", "actor_name": "ops@example.com",
                "occurred_at": "2026-03-12T14:00:00.000Z"}
    assert mapping.adjustment(movement) == {
        "id": "mov_01HX...", "sku": "SKU-001", "warehouse_id": "wh_01HX...", "before_quantity": 450,
        "after_quantity": 500, "delta": 50, "reason": "supplier_receipt", "note": "PO-2026-0312 received",
        "created_by": "ops@example.com", "created_at": "2026-03-12T14:00:00.000Z"}
    assert mapping.adjustment({**movement, "label": None, "reason": "sale"})["reason"] == "sale"
