"""An item's quantities follow its reservations the moment they expire, before any worker runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.factories import expire


def test_an_expired_reservation_stops_counting_in_the_item_at_once(workspace, api):
    api.post("/v1/locations", json={"name": "Main"})
    api.post("/v1/items", json={"sku": "EXP-1", "name": "Expiring", "reorder_point": 1})
    api.post("/v1/stock/adjustments", json={"item": "EXP-1", "reason": "receipt", "delta": 5})
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert api.post("/v1/reservations", json={"item": "EXP-1", "quantity": 5, "expires_at": soon}).status_code == 201
    held = api.get("/v1/items/EXP-1").json()
    assert (held["reserved"], held["available"], held["status"]) == (5, 0, "out_of_stock")
    expire(workspace, "EXP-1")
    item = api.get("/v1/items/EXP-1").json()
    assert (item["reserved"], item["available"], item["status"]) == (0, 5, "normal")
    assert [(lv["reserved"], lv["available"]) for lv in item["locations"]] == [(0, 5)]
    listed = api.get("/v1/items", params={"sku": "EXP-1"}).json()["data"][0]
    assert (listed["reserved"], listed["available"]) == (0, 5)


def test_a_deleted_location_no_longer_shows_in_the_items_levels(api):
    api.post("/v1/locations", json={"name": "Main"})
    pop_up = api.post("/v1/locations", json={"name": "Pop-up"}).json()
    api.post("/v1/items", json={"sku": "POP-1", "name": "Pop"})
    api.post("/v1/stock/adjustments", json={"item": "POP-1", "location": "Pop-up", "reason": "receipt", "delta": 2})
    api.post("/v1/stock/adjustments", json={"item": "POP-1", "location": "Pop-up", "reason": "sale", "delta": -2})
    assert api.delete(f"/v1/locations/{pop_up['id']}").status_code == 204
    assert api.get("/v1/items/POP-1").json()["locations"] == []


def test_a_timestamp_outside_utc_years_1_to_9999_is_refused_not_a_crash(api):
    for value in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        r = api.get("/v1/stock/movements", params={"since": value})
        assert (r.status_code, r.json()["error"]["code"]) == (422, "VALIDATION_ERROR"), value
