"""item_changes.update_item with `on_hand`: an item's fields and its total on hand changed in one
transaction (what the modulus and inventorum dialects' quantity does), on a real database: the
total is a `count` at the item's home location (else the default), nothing is recorded for a
total it already has, and a refused count leaves the item's fields as they were."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from storekeeper.domain.errors import Forbidden, StockError
from storekeeper.services import api_keys, item_changes
from tests.factories import item, location


def total(workspace, principal, ref: str, changes: dict, on_hand=None) -> dict:
    return item_changes.update_item(workspace.db, workspace.id, ref, changes, on_hand=on_hand, principal=principal)


def principal_of(workspace, *scopes: str):
    if not scopes:
        return api_keys.authenticate(workspace.db, workspace.key)
    _row, key = api_keys.create_api_key(workspace.db, workspace.id, "scoped", list(scopes))
    return api_keys.authenticate(workspace.db, key)


def movements(workspace, sku: str) -> list[tuple]:
    rows = workspace.api.get("/v1/stock/movements", params={"item": sku, "order": "asc"}).json()["data"]
    return [(m["reason"], m["delta"], m["location"]) for m in rows]


def test_a_new_total_is_a_count_of_the_difference_at_the_home_location_with_the_field_changes(workspace):
    home = location(workspace.api, "Home")
    elsewhere = location(workspace.api, "Elsewhere")
    made = item(workspace.api, "RC-1", home_location=home["id"])
    for place, delta in ((home, 10), (elsewhere, 5)):
        r = workspace.api.post("/v1/stock/adjustments", json={"item": "RC-1", "location": place["id"],
                                                              "reason": "receipt", "delta": delta})
        assert r.status_code == 201, r.text
    row = total(workspace, principal_of(workspace), made["id"], {"name": "Recounted"}, on_hand=D(12))
    assert (row["name"], row["on_hand"]) == ("Recounted", D(12))
    assert movements(workspace, "RC-1")[-1] == ("count", -3, home["id"])
    levels = {p["location"]: p["on_hand"] for p in workspace.api.get("/v1/stock", params={"sku": "RC-1"})
              .json()["data"][0]["locations"]}
    assert levels == {home["id"]: 7, elsewhere["id"]: 5}


def test_the_total_it_already_has_records_nothing(workspace):
    made = item(workspace.api, "RC-2", initial_stock=[{"quantity": 4}])
    row = total(workspace, principal_of(workspace), made["id"], {}, on_hand=D(4))
    assert row["on_hand"] == D(4) and [m[:2] for m in movements(workspace, "RC-2")] == [("initial", 4)]


def test_a_count_below_the_stock_elsewhere_is_refused_and_the_fields_stay(workspace):
    home = location(workspace.api, "Home")
    elsewhere = location(workspace.api, "Elsewhere")
    made = item(workspace.api, "RC-3", home_location=home["id"],
                initial_stock=[{"location": elsewhere["id"], "quantity": 8}])
    with pytest.raises(StockError):
        total(workspace, principal_of(workspace), made["id"], {"name": "Never"}, on_hand=D(3))
    assert workspace.api.get("/v1/items/RC-3").json()["name"] == made["name"]
    assert [m[0] for m in movements(workspace, "RC-3")] == ["initial"]


def test_a_total_needs_stock_write_and_nothing_changes_without_it(workspace):
    made = item(workspace.api, "RC-4")
    with pytest.raises(Forbidden):
        total(workspace, principal_of(workspace, "items:write"), made["id"], {"name": "Never"},
                            on_hand=D(1))
    assert workspace.api.get("/v1/items/RC-4").json()["name"] == made["name"]
    row = total(workspace, principal_of(workspace, "items:write"), made["id"], {"name": "Fine"})
    assert row["name"] == "Fine"


def test_a_parent_with_variants_has_no_total_of_its_own_to_count(workspace):
    parent = item(workspace.api, "RC-P", variants=[{"sku": "RC-P-S", "attributes": {"size": "S"}}])
    with pytest.raises(StockError):
        total(workspace, principal_of(workspace), parent["id"], {}, on_hand=D(2))
