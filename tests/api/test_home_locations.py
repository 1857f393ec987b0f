"""An item's home location (`home_location`): where its stock goes when a change names no
location — adjustments (single and bulk), initial stock, reservations — before the workspace's
default location; a location named in the request still wins. The rules that keep a home live
and active, the `?home_location=` filter, and the statements an adjustment costs."""

from __future__ import annotations

from storekeeper.services.check import check
from tests.factories import error, item, location
from tests.sql_counting import statements


def ok(r) -> dict:
    assert r.status_code in (200, 201), r.text
    return r.json()


def adjust(api, sku: str, delta, **body) -> dict:
    return ok(api.post("/v1/stock/adjustments", json={"item": sku, "reason": "receipt" if delta > 0 else "sale",
                                                      "delta": delta, **body}))


def at(api, sku: str) -> dict[str, float]:
    """on_hand per location name."""
    return {level["name"]: level["on_hand"] for level in ok(api.get(f"/v1/stock/{sku}"))["locations"]}


def default_location(api) -> dict:
    return next(place for place in ok(api.get("/v1/locations"))["data"] if place["is_default"])


# Setting it


def test_an_item_takes_its_home_location_by_name_or_id_and_shows_its_id(api):
    shop = location(api, "Shop", type="store")
    assert item(api, "LAMP", home_location="Shop")["home_location"] == shop["id"]
    assert item(api, "ROPE", home_location=shop["id"])["home_location"] == shop["id"]
    assert item(api, "NAIL")["home_location"] is None
    assert ok(api.get("/v1/items/LAMP"))["home_location"] == shop["id"]


def test_a_patch_changes_or_clears_the_home_location(api):
    location(api, "Shop")
    back = location(api, "Back room")
    lamp = item(api, "LAMP", home_location="Shop")
    moved = ok(api.patch("/v1/items/LAMP", json={"home_location": "Back room"}))
    assert (moved["home_location"], moved["version"]) == (back["id"], lamp["version"] + 1)
    same = ok(api.patch("/v1/items/LAMP", json={"home_location": back["id"]}))
    assert same["version"] == moved["version"]  # the same place by its id: nothing changed
    cleared = ok(api.patch("/v1/items/LAMP", json={"home_location": None}))
    assert cleared["home_location"] is None


def test_an_unknown_or_another_workspaces_location_is_not_found(api, other_workspace):
    theirs = location(other_workspace.api, "Their shop")
    for ref in ("Nowhere", theirs["id"]):
        assert error(api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp", "home_location": ref})) == (
            404, "LOCATION_NOT_FOUND")
    item(api, "ROPE")
    assert error(api.patch("/v1/items/ROPE", json={"home_location": "Nowhere"})) == (404, "LOCATION_NOT_FOUND")
    assert ok(api.get("/v1/items", params={"sku": "LAMP"}))["data"] == []  # nothing half made


def test_an_inactive_location_cannot_become_a_home(api):
    location(api, "Closed", is_active=False)
    r = api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp", "home_location": "Closed"})
    assert error(r) == (409, "INVALID_STATE")
    assert "inactive" in r.json()["error"]["message"]
    item(api, "ROPE")
    assert error(api.patch("/v1/items/ROPE", json={"home_location": "Closed"})) == (409, "INVALID_STATE")


def test_an_empty_home_location_is_a_validation_error(api):
    r = api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp", "home_location": ""})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "home_location" in r.json()["error"]["fields"]


def test_variants_take_their_parents_home_unless_they_name_their_own(api):
    shop = location(api, "Shop")
    back = location(api, "Back room")
    tee = ok(api.post("/v1/items", json={"sku": "TEE", "name": "T-shirt", "home_location": "Shop", "variants": [
        {"sku": "TEE-S", "attributes": {"size": "S"}},
        {"sku": "TEE-M", "attributes": {"size": "M"}, "home_location": "Back room"},
        {"sku": "TEE-L", "attributes": {"size": "L"}, "home_location": None}]}))
    assert tee["home_location"] == shop["id"]
    homes = {v["sku"]: v["home_location"] for v in ok(api.get("/v1/items/TEE/variants"))["data"]}
    assert homes == {"TEE-S": shop["id"], "TEE-M": back["id"], "TEE-L": None}
    added = ok(api.post("/v1/items/TEE/variants", json={"sku": "TEE-XL", "attributes": {"size": "XL"}}))
    assert added["home_location"] == shop["id"]
    r = api.post("/v1/items", json={"sku": "CAP", "name": "Cap", "variants": [
        {"sku": "CAP-S", "attributes": {"size": "S"}, "home_location": "Nowhere"}]})
    assert error(r) == (404, "LOCATION_NOT_FOUND")


# Where stock goes


def test_an_adjustment_without_a_location_goes_to_the_items_home(api):
    location(api, "Shop")
    item(api, "LAMP", home_location="Shop")
    item(api, "ROPE")
    moved = adjust(api, "LAMP", 5)
    assert moved["movement"]["location"] == moved["level"]["location"] == location_id(api, "Shop")
    adjust(api, "LAMP", -2)
    adjust(api, "ROPE", 3)
    assert at(api, "LAMP") == {"Shop": 3}
    assert at(api, "ROPE") == {default_location(api)["name"]: 3}


def test_a_location_named_in_the_request_wins_over_the_home(api):
    location(api, "Shop")
    main = default_location(api)
    item(api, "LAMP", home_location="Shop")
    adjust(api, "LAMP", 4, location=main["name"])
    ok(api.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "count", "set": 9, "location": main["id"]}))
    assert at(api, "LAMP") == {main["name"]: 9}


def test_a_count_without_a_location_counts_the_home(api):
    location(api, "Shop")
    item(api, "LAMP", home_location="Shop")
    ok(api.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "count", "set": 7}))
    assert at(api, "LAMP") == {"Shop": 7}


def test_a_bulk_sends_each_item_to_its_own_home(workspace, api):
    location(api, "Shop")
    location(api, "Back room")
    main = default_location(api)
    item(api, "LAMP", home_location="Shop")
    item(api, "ROPE", home_location="Back room")
    item(api, "NAIL")
    body = {"adjustments": [{"item": "LAMP", "reason": "receipt", "delta": 2},
                            {"item": "ROPE", "reason": "receipt", "delta": 3},
                            {"item": "NAIL", "reason": "receipt", "delta": 4},
                            {"item": "LAMP", "reason": "receipt", "delta": 5, "location": "Back room"}]}
    results = ok(api.post("/v1/stock/adjustments/bulk", json=body))["results"]
    assert [r["movement"]["location"] for r in results] == [
        location_id(api, "Shop"), location_id(api, "Back room"), main["id"], location_id(api, "Back room")]
    assert (at(api, "LAMP"), at(api, "ROPE"), at(api, "NAIL")) == (
        {"Shop": 2, "Back room": 5}, {"Back room": 3}, {main["name"]: 4})
    assert check(workspace.db, workspace.id)[1] == []


def test_a_home_that_refuses_fails_only_its_own_entry_of_a_non_atomic_bulk(workspace, api):
    location(api, "FBA", read_only=True)  # external stock: only keys with locations:sync change it
    location(api, "Shop")
    item(api, "LAMP", home_location="FBA")
    item(api, "ROPE", home_location="Shop")
    body = {"atomic": False, "adjustments": [{"item": "LAMP", "reason": "receipt", "delta": 1},
                                             {"item": "ROPE", "reason": "receipt", "delta": 1}]}
    results = ok(workspace.key_with("stock:write").post("/v1/stock/adjustments/bulk", json=body))["results"]
    assert [(r["ok"], r.get("error", {}).get("code")) for r in results] == [(False, "READONLY_LOCATION"), (True, None)]
    assert (at(api, "LAMP"), at(api, "ROPE")) == ({}, {"Shop": 1})


def test_initial_stock_without_a_location_goes_to_the_home(api):
    location(api, "Shop")
    main = default_location(api)
    ok(api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp", "home_location": "Shop", "initial_stock": [
        {"quantity": 6}, {"quantity": 1, "location": main["name"]}]}))
    assert at(api, "LAMP") == {"Shop": 6, main["name"]: 1}
    ok(api.post("/v1/items", json={"sku": "TEE", "name": "T-shirt", "home_location": "Shop", "variants": [
        {"sku": "TEE-S", "attributes": {"size": "S"}, "initial_stock": [{"quantity": 2}]},
        {"sku": "TEE-M", "attributes": {"size": "M"}, "home_location": None, "initial_stock": [{"quantity": 3}]}]}))
    assert (at(api, "TEE-S"), at(api, "TEE-M")) == ({"Shop": 2}, {main["name"]: 3})
    ok(api.post("/v1/items/TEE/variants", json={"sku": "TEE-L", "attributes": {"size": "L"},
                                                  "initial_stock": [{"quantity": 4}]}))
    assert at(api, "TEE-L") == {"Shop": 4}


def test_a_transfer_that_leaves_out_an_end_starts_or_ends_at_the_home(api):
    shop = location(api, "Shop")
    main = default_location(api)
    item(api, "LAMP", home_location="Shop")
    adjust(api, "LAMP", 5)
    moved = ok(api.post("/v1/stock/transfers", json={"item": "LAMP", "to": main["name"], "quantity": 2}))
    assert (moved["from"], moved["to"]) == (shop["id"], main["id"])
    back = ok(api.post("/v1/stock/transfers", json={"item": "LAMP", "from": main["name"], "quantity": 1}))
    assert (back["from"], back["to"]) == (main["id"], shop["id"])
    assert at(api, "LAMP") == {"Shop": 4, main["name"]: 1}
    r = api.post("/v1/stock/transfers", json={"item": "LAMP", "quantity": 1})  # home to home
    assert error(r) == (422, "VALIDATION_ERROR")


def test_a_reservation_without_a_location_holds_stock_at_the_home(api):
    shop = location(api, "Shop")
    main = default_location(api)
    item(api, "LAMP", home_location="Shop")
    adjust(api, "LAMP", 3)
    adjust(api, "LAMP", 3, location=main["name"])
    reservation = ok(api.post("/v1/reservations", json={"item": "LAMP", "quantity": 3}))
    assert reservation["location"] == shop["id"]
    r = api.post("/v1/reservations", json={"item": "LAMP", "quantity": 1})
    assert error(r) == (422, "INSUFFICIENT_STOCK")  # the home has nothing left; the default's stock is not taken
    assert ok(api.post("/v1/reservations", json={"item": "LAMP", "quantity": 1,
                                                  "location": main["name"]}))["location"] == main["id"]


def test_a_bundle_without_a_location_gives_its_components_at_its_own_home(api):
    location(api, "Shop")
    item(api, "CANDLE")
    item(api, "MATCHES")
    item(api, "GIFT", tracking="bundle", home_location="Shop")
    ok(api.put("/v1/items/GIFT/components", json=[{"item": "CANDLE", "quantity": 1}, {"item": "MATCHES",
                                                                                       "quantity": 2}]))
    adjust(api, "CANDLE", 5, location="Shop")
    adjust(api, "MATCHES", 10, location="Shop")
    adjust(api, "GIFT", -2)
    assert (at(api, "CANDLE"), at(api, "MATCHES")) == ({"Shop": 3}, {"Shop": 6})


def test_routing_by_home_costs_the_statements_naming_the_location_costs(api, db):
    location(api, "Shop")
    item(api, "LAMP", home_location="Shop")
    item(api, "ROPE")
    adjust(api, "LAMP", 1)
    adjust(api, "ROPE", 1)

    def statements_of(**body) -> int:
        with statements(db) as seen:
            adjust(api, **body)
        return len(seen)

    named = statements_of(sku="LAMP", delta=1, location="Shop")
    assert statements_of(sku="LAMP", delta=1) == named
    assert statements_of(sku="ROPE", delta=1) == named


# The location's side


def test_a_home_location_cannot_be_deleted_or_deactivated_while_items_call_it_home(api):
    shop = location(api, "Shop")
    item(api, "LAMP", home_location="Shop")
    item(api, "ROPE", home_location="Shop")
    r = api.delete(f"/v1/locations/{shop['id']}")
    assert error(r) == (409, "LOCATION_NOT_EMPTY")
    assert r.json()["error"]["items"] == 2 and "home location of 2 items" in r.json()["error"]["message"]
    r = api.patch(f"/v1/locations/{shop['id']}", json={"is_active": False})
    assert error(r) == (409, "INVALID_STATE")
    assert ok(api.get(f"/v1/locations/{shop['id']}"))["is_active"] is True
    ok(api.patch("/v1/items/LAMP", json={"home_location": None}))
    ok(api.patch("/v1/items/ROPE", json={"home_location": None}))
    assert ok(api.patch(f"/v1/locations/{shop['id']}", json={"is_active": False}))["is_active"] is False
    assert api.delete(f"/v1/locations/{shop['id']}").status_code == 204


def test_items_in_the_trash_lose_a_home_that_is_deleted(api):
    shop = location(api, "Shop")
    item(api, "LAMP", home_location="Shop")
    assert api.delete("/v1/items/LAMP").status_code == 204
    assert api.delete(f"/v1/locations/{shop['id']}").status_code == 204  # trashed items do not hold it
    restored = ok(api.post("/v1/items/LAMP/restore"))
    assert restored["home_location"] is None
    assert adjust(api, "LAMP", 1)["movement"]["location"] == default_location(api)["id"]


def test_an_item_restored_after_its_home_was_deactivated_loses_it(workspace, api):
    shop = location(api, "Shop")
    back = location(api, "Back room")
    item(api, "LAMP", home_location="Shop")
    item(api, "ROPE", home_location="Back room")
    assert api.delete("/v1/items/LAMP").status_code == 204
    ok(api.patch(f"/v1/locations/{shop['id']}", json={"is_active": False}))
    assert ok(api.post("/v1/items/LAMP/restore"))["home_location"] is None
    assert api.delete("/v1/items/ROPE").status_code == 204
    assert ok(api.post("/v1/items/ROPE/restore"))["home_location"] == back["id"]  # still a usable home
    assert check(workspace.db, workspace.id)[1] == []


# The filter


def test_items_are_filtered_by_their_home_location(api):
    shop = location(api, "Shop")
    location(api, "Back room")
    item(api, "LAMP", home_location="Shop")
    item(api, "ROPE", home_location="Back room")
    item(api, "NAIL")
    for ref in ("Shop", shop["id"]):
        assert [i["sku"] for i in ok(api.get("/v1/items", params={"home_location": ref}))["data"]] == ["LAMP"]
    page = ok(api.get("/v1/items", params={"home_location": "Nowhere"}))
    assert (page["data"], page["meta"]["total"]) == ([], 0)


def location_id(api, name: str) -> str:
    return ok(api.get(f"/v1/locations/{name}"))["id"]
