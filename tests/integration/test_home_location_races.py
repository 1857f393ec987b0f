"""Races around an item's home location, on both databases, with real threads: a location
deleted or deactivated while items take it as home (or come back from the trash with it) either
refuses or leaves no live item at home in a deleted or inactive location; never a 500, never a
deadlock."""

from __future__ import annotations

from storekeeper.services.check import check
from tests.concurrency import at_once, new_item, new_location

ROUNDS = 4
ITEMS = 5


def test_a_location_deleted_while_items_take_it_as_home_is_refused_or_no_ones_home(workspace, api):
    for round_ in range(ROUNDS):
        place = new_location(api, f"Bay {round_}")
        skus = [f"R{round_}-{n}" for n in range(ITEMS)]
        for sku in skus:
            new_item(api, sku)
        calls = [lambda sku=sku, place=place: api.patch(f"/v1/items/{sku}", json={"home_location": place})
                 for sku in skus]
        calls.insert(ITEMS // 2, lambda place=place: api.delete(f"/v1/locations/{place}"))
        responses = at_once(calls)
        deleted = responses.pop(ITEMS // 2)
        assert deleted.status_code in (204, 409), deleted.text
        homed = [r for r in responses if r.status_code == 200]
        assert all(r.status_code in (200, 404) for r in responses), [r.text for r in responses]
        if deleted.status_code == 204:
            assert homed == []  # each took the home before (then no delete) or found it gone
        else:
            assert deleted.json()["error"]["code"] == "LOCATION_NOT_EMPTY" and homed
        assert check(workspace.db, workspace.id)[1] == []


def test_a_location_deactivated_while_items_come_back_from_the_trash_leaves_none_at_home_there(workspace, api):
    for round_ in range(ROUNDS):
        place = new_location(api, f"Dock {round_}")
        skus = [f"T{round_}-{n}" for n in range(ITEMS)]
        for sku in skus:
            new_item(api, sku, home_location=place)
            assert api.delete(f"/v1/items/{sku}").status_code == 204
        calls = [lambda sku=sku: api.post(f"/v1/items/{sku}/restore") for sku in skus]
        calls.insert(ITEMS // 2, lambda place=place: api.patch(f"/v1/locations/{place}", json={"is_active": False}))
        responses = at_once(calls)
        deactivated = responses.pop(ITEMS // 2)
        assert deactivated.status_code in (200, 409), deactivated.text
        assert [r.status_code for r in responses] == [200] * ITEMS, [r.text for r in responses]
        at_home = [r for r in responses if r.json()["home_location"] == place]
        if deactivated.status_code == 200:
            assert at_home == []
        assert check(workspace.db, workspace.id)[1] == []
