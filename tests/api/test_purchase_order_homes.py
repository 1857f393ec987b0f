"""A purchase order that names no location delivers each line to its item's home location, else
the default location (as putaway rules route a receipt per product); a location named by the
order or by the receipt still takes every line."""

from __future__ import annotations

from storekeeper.services.check import check
from tests.factories import error, item, location
from tests.sql_counting import statements

PO = "/v1/purchase-orders"


def ok(r, status: int = 200) -> dict:
    assert r.status_code == status, r.text
    return r.json()


def placed(api, *skus: str, **fields) -> dict:
    order = ok(api.post(PO, json={"lines": [{"item": sku, "quantity": 5} for sku in skus], **fields}), 201)
    return ok(api.post(f"{PO}/{order['id']}/order"))


def at(api, sku: str) -> dict[str, float]:
    return {level["name"]: level["on_hand"] for level in ok(api.get(f"/v1/stock/{sku}"))["locations"]}


def test_an_order_without_a_location_sends_each_line_to_its_items_home(workspace, api):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    location(api, "Back room")
    item(api, "LAMP", home_location="Shop")
    item(api, "ROPE", home_location="Back room")
    item(api, "NAIL")
    order = placed(api, "LAMP", "ROPE", "NAIL")
    assert order["location"] is None
    receipt = ok(api.post(f"{PO}/{order['id']}/receive", json={}))
    assert len({m["location"] for m in receipt["movements"]}) == 3  # one receipt, three places
    assert ok(api.get(f"{PO}/{order['id']}"))["location"] is None  # the order still names none
    assert (at(api, "LAMP"), at(api, "ROPE"), at(api, "NAIL")) == ({"Shop": 5}, {"Back room": 5}, {"Main": 5})
    assert check(workspace.db, workspace.id)[1] == []


def test_a_location_named_by_the_order_or_the_receipt_takes_every_line(api):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    location(api, "Annex")
    item(api, "LAMP", home_location="Shop")
    item(api, "NAIL")
    order = placed(api, "LAMP", "NAIL", location="Main")
    lamp_line = order["lines"][0]["id"]
    ok(api.post(f"{PO}/{order['id']}/receive", json={"lines": [{"line": lamp_line, "quantity": 2}]}))
    ok(api.post(f"{PO}/{order['id']}/receive", json={"location": "Annex"}))
    assert (at(api, "LAMP"), at(api, "NAIL")) == ({"Main": 2, "Annex": 3}, {"Annex": 5})


def test_an_order_can_stop_naming_a_location_while_a_draft(api):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    item(api, "LAMP", home_location="Shop")
    order = ok(api.post(PO, json={"lines": [{"item": "LAMP", "quantity": 1}], "location": "Main"}), 201)
    assert ok(api.patch(f"{PO}/{order['id']}", json={"location": None}))["location"] is None
    ok(api.post(f"{PO}/{order['id']}/order"))
    ok(api.post(f"{PO}/{order['id']}/receive", json={}))
    assert at(api, "LAMP") == {"Shop": 1}


def test_a_home_the_key_may_not_stock_refuses_the_whole_receipt(workspace, api):
    location(api, "Main", is_default=True)
    location(api, "FBA", read_only=True)  # only keys with locations:sync change its stock
    item(api, "LAMP", home_location="FBA")
    item(api, "NAIL")
    order = placed(api, "LAMP", "NAIL")
    r = workspace.key_with("orders:write", "stock:write").post(f"{PO}/{order['id']}/receive", json={})
    assert error(r) == (403, "READONLY_LOCATION")
    assert (at(api, "LAMP"), at(api, "NAIL")) == ({}, {})
    assert ok(api.get(f"{PO}/{order['id']}"))["status"] == "ordered"


def test_receiving_by_homes_costs_no_statement_per_line(api, db):
    location(api, "Main", is_default=True)
    for n in range(6):
        location(api, f"Bay {n}")
        item(api, f"B{n}", home_location=f"Bay {n}")

    def statements_of(*skus: str) -> int:
        order = placed(api, *skus)
        with statements(db) as seen:
            ok(api.post(f"{PO}/{order['id']}/receive", json={}))
        return len(seen)

    assert statements_of("B0", "B1") == statements_of("B2", "B3", "B4", "B5")
