"""`/v1/transactions` of the Inventory Manager API (seed 003), which its document sends stock
receipts and adjustments to without describing it, against a real `storekeeper serve`: a receipt
and an adjustment land in the ledger as /v1 shows it, the list filters and pages, and bad input is
refused in the document's envelope with nothing written."""

from __future__ import annotations

import re

from tests.compat.modulus.shapes import PREFIX, TIMESTAMP, error, listed, shaped

OPTIONAL_TEXT = (str, type(None))
TRANSACTION = {"id": str, "item_id": str, "sku": str, "type": str, "quantity": int, "quantity_after": int,
               "location": OPTIONAL_TEXT, "note": OPTIONAL_TEXT, "user_id": OPTIONAL_TEXT, "created_at": str}


def test_a_receipt_and_an_adjustment_are_movements_of_the_ledger(served, vendor, world):
    item = vendor.post("/v1/items", json={"name": "Widget Pro X", "sku": "TX-1", "location": "Warehouse A"}).json()
    r = vendor.post("/v1/transactions", json={"item_id": item["id"], "type": "receive", "quantity": 100,
                                              "note": "PO 4711"})
    assert r.status_code == 201, r.text
    received = r.json()
    assert shaped(received, TRANSACTION) and re.match(TIMESTAMP, received["created_at"])
    assert (received["type"], received["quantity"], received["quantity_after"], received["location"],
            received["note"]) == ("receive", 100, 100, "Warehouse A", "PO 4711")
    r = vendor.post("/v1/transactions", json={"item_id": "TX-1", "quantity": -3, "location": "Warehouse B"})
    assert error(r)[:2] == (422, "insufficient_stock")  # nothing at B
    adjusted = vendor.post("/v1/transactions", json={"item_id": item["id"], "type": "adjustment", "quantity": -4})
    assert adjusted.status_code == 201 and adjusted.json()["quantity_after"] == 96
    assert vendor.get(f"/v1/items/{item['id']}").json()["quantity"] == 96
    with served.v1() as v1:
        moves = v1.get("/v1/stock/movements", params={"item": "TX-1", "order": "asc"}).json()["data"]
    assert [(m["id"], m["reason"], m["delta"], m["location"]) for m in moves] == [
        (received["id"], "receipt", 100, world["a"]), (adjusted.json()["id"], "correction", -4, world["a"])]


def test_the_list_shows_every_change_newest_first_filtered_and_paged(served, vendor, world):
    vendor.post("/v1/items", json={"name": "Listed", "sku": "TX-LIST", "quantity": 5, "location": "Warehouse A"})
    for quantity in (7, -2):
        assert vendor.post("/v1/transactions", json={"item_id": "TX-LIST", "quantity": quantity}).status_code == 201
    with served.v1() as v1:
        assert v1.post("/v1/stock/adjustments", json={"item": "TX-LIST", "reason": "sale",
                                                      "delta": -1}).status_code == 201
    page = listed(vendor.get("/v1/transactions", params={"item_id": "TX-LIST"}).json(), TRANSACTION)
    assert [(t["type"], t["quantity"]) for t in page] == [("sale", -1), ("adjustment", -2), ("adjustment", 7),
                                                           ("initial", 5)]
    sales = vendor.get("/v1/transactions", params={"item_id": "TX-LIST", "type": "sale"}).json()["data"]
    assert [t["quantity"] for t in sales] == [-1]
    second = vendor.get("/v1/transactions", params={"item_id": "TX-LIST", "limit": 2, "offset": 2}).json()
    assert [t["quantity"] for t in second["data"]] == [7, 5]
    assert second["pagination"] == {"total": 4, "limit": 2, "offset": 2, "has_more": False}
    assert vendor.get("/v1/transactions", params={"since": "2099-01-01T00:00:00Z"}).json()["data"] == []


def test_bad_transactions_are_refused_in_the_documents_envelope_and_write_nothing(served, vendor, world):
    vendor.post("/v1/items", json={"name": "Refused", "sku": "TX-BAD", "quantity": 2, "location": "Warehouse A"})
    assert error(vendor.post("/v1/transactions", json={"item_id": "NOPE", "quantity": 1}))[:2] == (404, "not_found")
    assert error(vendor.post("/v1/transactions", json={"item_id": "TX-BAD", "quantity": "1"})) == (
        422, "invalid_request", "quantity")
    assert error(vendor.post("/v1/transactions", json={"item_id": "TX-BAD", "quantity": 1, "type": "gift"})) == (
        422, "invalid_request", "type")
    assert error(vendor.post("/v1/transactions", json={"item_id": "TX-BAD", "quantity": -5}))[:2] == (
        422, "insufficient_stock")
    assert error(vendor.post("/v1/transactions", json={"item_id": "TX-BAD", "type": "receive", "quantity": -1}
                             ))[:2] == (422, "invalid_request")  # a receipt comes in
    assert error(vendor.post("/v1/transactions", json={"item_id": "TX-BAD", "quantity": 0})) == (
        422, "invalid_request", "quantity")
    assert error(vendor.get("/v1/transactions", params={"item_id": "NOPE"}))[:2] == (404, "not_found")
    assert vendor.get("/v1/items/TX-BAD").json()["quantity"] == 2
    reader = served.key_with("stock:read", name="tx reader")
    with served.vendor(PREFIX, {"Authorization": f"Bearer {reader}"}) as read_only:
        assert read_only.get("/v1/transactions").status_code == 200
        assert error(read_only.post("/v1/transactions", json={"item_id": "TX-BAD", "quantity": 1}))[:2] == (
            403, "permission_denied")


def test_a_repeated_transaction_with_an_idempotency_key_is_applied_once(served, vendor, world):
    vendor.post("/v1/items", json={"name": "Once", "sku": "TX-ONCE", "location": "Warehouse A"})
    body = {"item_id": "TX-ONCE", "type": "receive", "quantity": 10}
    first = vendor.post("/v1/transactions", json=body, headers={"Idempotency-Key": "tx-once-1"})
    again = vendor.post("/v1/transactions", json=body, headers={"Idempotency-Key": "tx-once-1"})
    assert (first.status_code, again.status_code, again.json()) == (201, 201, first.json())
    assert vendor.get("/v1/items/TX-ONCE").json()["quantity"] == 10
