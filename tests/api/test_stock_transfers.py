"""POST /v1/stock/transfers over HTTP: two movements that move stock between locations
atomically, only from what is available, with the locations' rules at both ends."""

from __future__ import annotations

import pytest

from storekeeper.services.check import check
from tests.factories import error, item, location


def receive(api, sku: str, quantity, location: str | None = None, **fields) -> dict:
    r = api.post("/v1/stock/adjustments", json={"item": sku, "location": location, "reason": "receipt",
                                                "delta": quantity, **fields})
    assert r.status_code == 201, r.text
    return r.json()["movement"]


def ledger_explains_the_stock(workspace) -> bool:
    """`storekeeper check`: every level and item equals the sum of its movements, before/after chain."""
    return check(workspace.db, workspace.id)[1] == []


def transfer(api, **body):
    return api.post("/v1/stock/transfers", json=body)


def transferred(api, **body) -> dict:
    r = transfer(api, **body)
    assert r.status_code == 201, r.text
    return r.json()


def levels(api, sku: str) -> dict:
    row = api.get(f"/v1/stock/{sku}").json()
    return {"all": row["on_hand"], **{level["name"]: level["on_hand"] for level in row["locations"]}}


def movement_total(api) -> int:
    return api.get("/v1/stock/movements").json()["meta"]["total"]


def test_a_transfer_writes_a_movement_out_and_a_movement_in_that_share_its_id(api, workspace):
    main = location(api, "Main", is_default=True)
    shop = location(api, "Shop", type="store")
    widget = item(api, "W-1")
    last = receive(api, "W-1", 10, "Main")["sequence"]
    body = transferred(api, item="W-1", **{"from": "Main"}, to="Shop", quantity=4, note="Restock",
                       reference={"type": "ticket", "id": "T-9"})
    assert body["id"].startswith("trf_")
    assert {k: v for k, v in body.items() if k != "movements"} == {
        "id": body["id"], "item": widget["id"], "sku": "W-1", "from": main["id"], "to": shop["id"], "quantity": 4,
        "note": "Restock", "label": None, "reference": {"type": "ticket", "id": "T-9"},
        "created_at": body["created_at"],
    }
    out, into = body["movements"]
    assert (out["reason"], out["location"], out["delta"], out["before"], out["after"]) == (
        "transfer_out", main["id"], -4, 10, 6)
    assert (into["reason"], into["location"], into["delta"], into["before"], into["after"]) == (
        "transfer_in", shop["id"], 4, 0, 4)
    assert out["transfer"] == into["transfer"] == body["id"]
    assert (out["sequence"], into["sequence"]) == (last + 1, last + 2)
    for movement in (out, into):
        assert movement["note"] == "Restock"
        assert movement["reference"] == {"type": "ticket", "id": "T-9"}
    assert levels(api, "W-1") == {"all": 10, "Main": 6, "Shop": 4}
    assert api.get("/v1/items/W-1").json()["on_hand"] == 10
    assert ledger_explains_the_stock(workspace)


def test_the_movements_of_a_transfer_are_found_by_its_id(api):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    item(api, "W-1")
    receive(api, "W-1", 10)
    first = transferred(api, item="W-1", to="Shop", quantity=1)
    transferred(api, item="W-1", to="Shop", quantity=2)
    found = api.get("/v1/stock/movements", params={"transfer": first["id"], "order": "asc"}).json()["data"]
    assert found == first["movements"]


def test_locations_may_be_named_by_id_and_from_defaults_to_the_default_location(api):
    location(api, "Main", is_default=True)
    shop = location(api, "Shop")
    item(api, "W-1")
    receive(api, "W-1", 5)
    transferred(api, item="W-1", to=shop["id"], quantity="2.5")
    assert levels(api, "W-1") == {"all": 5, "Main": 2.5, "Shop": 2.5}
    transferred(api, item="W-1", **{"from": shop["id"]}, quantity="0.5")
    assert levels(api, "W-1") == {"all": 5, "Main": 3, "Shop": 2}


def test_only_available_stock_can_leave_so_reserved_stock_stays(api, workspace):
    main = location(api, "Main", is_default=True)
    location(api, "Shop")
    widget = item(api, "W-1")
    receive(api, "W-1", 10)
    r = api.post("/v1/reservations", json={"item": "W-1", "quantity": 7})
    assert r.status_code == 201, r.text
    r = transfer(api, item="W-1", to="Shop", quantity=4)
    assert error(r) == (422, "INSUFFICIENT_STOCK")
    assert r.json()["error"]["shortages"] == [
        {"item": widget["id"], "sku": "W-1", "location": main["id"], "needed": 4, "available": 3}]
    assert levels(api, "W-1") == {"all": 10, "Main": 10}
    assert movement_total(api) == 1
    transferred(api, item="W-1", to="Shop", quantity=3)
    assert levels(api, "W-1") == {"all": 10, "Main": 7, "Shop": 3}
    assert ledger_explains_the_stock(workspace)


def test_more_than_is_on_hand_cannot_leave(api):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    item(api, "W-1")
    receive(api, "W-1", 2)
    assert error(transfer(api, item="W-1", to="Shop", quantity=3)) == (422, "INSUFFICIENT_STOCK")
    assert error(transfer(api, item="W-1", **{"from": "Shop"}, to="Main", quantity=1)) == (422, "INSUFFICIENT_STOCK")
    assert levels(api, "W-1") == {"all": 2, "Main": 2}


def test_a_workspace_that_allows_negative_stock_may_transfer_more_than_it_has(api):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    item(api, "W-1")
    api.patch("/v1/workspace", json={"settings": {"allow_negative_stock": True}})
    receive(api, "W-1", 2)
    transferred(api, item="W-1", to="Shop", quantity=3)
    assert levels(api, "W-1") == {"all": 2, "Main": -1, "Shop": 3}


@pytest.mark.parametrize("to", ["Main", "by id"])
def test_a_transfer_to_the_same_location_is_refused(api, to):
    main = location(api, "Main", is_default=True)
    item(api, "W-1")
    receive(api, "W-1", 2)
    r = transfer(api, item="W-1", **{"from": "Main"}, to=main["id"] if to == "by id" else to, quantity=1)
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "to" in r.json()["error"]["fields"]
    assert movement_total(api) == 1


@pytest.mark.parametrize("quantity", [0, -1, "0.0000001", None, "x"])
def test_the_quantity_must_be_a_positive_quantity(api, quantity):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    item(api, "W-1")
    receive(api, "W-1", 2)
    r = transfer(api, item="W-1", to="Shop", quantity=quantity)
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "quantity" in r.json()["error"]["fields"]
    assert movement_total(api) == 1


def test_unknown_items_and_locations_are_not_found(api):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    item(api, "W-1")
    receive(api, "W-1", 2)
    assert error(transfer(api, item="NOPE", to="Shop", quantity=1)) == (404, "ITEM_NOT_FOUND")
    assert error(transfer(api, item="W-1", to="Nowhere", quantity=1)) == (404, "LOCATION_NOT_FOUND")
    assert error(transfer(api, item="W-1", **{"from": "Nowhere"}, to="Shop", quantity=1)) == (
        404, "LOCATION_NOT_FOUND")
    assert movement_total(api) == 1


def test_an_item_without_stock_of_its_own_cannot_be_transferred(api):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    item(api, "SVC", tracking="none")
    assert error(transfer(api, item="SVC", to="Shop", quantity=1)) == (422, "NOT_STOCKABLE")


@pytest.mark.parametrize("end", ["from", "to"])
def test_a_read_only_location_at_either_end_needs_locations_sync(workspace, end):
    api = workspace.api
    location(api, "Main", is_default=True)
    location(api, "FBA", type="external", read_only=True)
    item(api, "W-1")
    receive(api, "W-1", 5, "Main")
    receive(api, "W-1", 5, "FBA")
    ends = {"from": "FBA", "to": "Main"} if end == "from" else {"from": "Main", "to": "FBA"}
    assert error(transfer(workspace.key_with("stock:write"), item="W-1", quantity=1, **ends)) == (
        403, "READONLY_LOCATION")
    assert levels(api, "W-1") == {"all": 10, "FBA": 5, "Main": 5}
    transferred(workspace.key_with("stock:write", "locations:sync"), item="W-1", quantity=1, **ends)
    assert levels(api, "W-1")[ends["to"]] == 6


def test_an_inactive_location_gives_stock_away_but_takes_none(api):
    location(api, "Main", is_default=True)
    old = location(api, "Old")
    item(api, "W-1")
    receive(api, "W-1", 5, "Main")
    receive(api, "W-1", 5, "Old")
    assert api.patch(f"/v1/locations/{old['id']}", json={"is_active": False}).status_code == 200
    assert error(transfer(api, item="W-1", **{"from": "Main"}, to="Old", quantity=1)) == (409, "INVALID_STATE")
    transferred(api, item="W-1", **{"from": "Old"}, to="Main", quantity=5)
    assert levels(api, "W-1") == {"all": 10, "Main": 10, "Old": 0}


def test_a_transfer_leaves_the_average_cost_alone(api):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    item(api, "W-1", unit_cost="9.00")
    receive(api, "W-1", 10, unit_cost="2.00")
    receive(api, "W-1", 30, unit_cost="3.00")
    transferred(api, item="W-1", to="Shop", quantity=20)
    transferred(api, item="W-1", **{"from": "Shop"}, to="Main", quantity=5)
    assert api.get("/v1/items/W-1").json()["average_cost"] == "2.75"


def test_a_transfer_moves_the_status_of_each_location(api):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    item(api, "W-1", reorder_point=5, safety_stock=2)
    receive(api, "W-1", 10)
    transferred(api, item="W-1", to="Shop", quantity=8)
    row = api.get("/v1/stock/W-1").json()
    assert {level["name"]: level["status"] for level in row["locations"]} == {"Main": "critical", "Shop": "normal"}
    assert row["status"] == "normal"


def test_a_transfer_needs_stock_write_and_takes_only_known_fields(workspace):
    api = workspace.api
    location(api, "Main", is_default=True)
    location(api, "Shop")
    item(api, "W-1")
    receive(api, "W-1", 5)
    assert error(transfer(workspace.key_with("stock:read"), item="W-1", to="Shop", quantity=1)) == (
        403, "INSUFFICIENT_SCOPE")
    assert error(transfer(api, item="W-1", from_="Main", to="Shop", quantity=1)) == (422, "VALIDATION_ERROR")
    assert error(transfer(api, item="W-1", to="Shop", quantity=1, movements=[])) == (422, "READONLY_FIELD")
    assert movement_total(api) == 1
