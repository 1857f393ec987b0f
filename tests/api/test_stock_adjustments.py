"""POST /v1/stock/adjustments over HTTP: the body's rules, reasons and their directions, counts,
compare-and-set, the negative-stock guard, locations, costs, exact quantities, and what the
movement and the item show afterwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storekeeper.domain.stock import BUILTIN_REASONS, SYSTEM_REASONS, Direction
from storekeeper.services.check import check
from tests.factories import error, item, location


def adjust(api, **body):
    return api.post("/v1/stock/adjustments", json=body)


def adjusted(api, **body) -> dict:
    r = adjust(api, **body)
    assert r.status_code == 201, r.text
    return r.json()


def on_hand(api, ref: str):
    return api.get(f"/v1/items/{ref}").json()["on_hand"]


def movement_count(api, sku: str) -> int:
    return api.get("/v1/stock/movements", params={"item": sku}).json()["meta"]["total"]


def ledger_explains_the_stock(workspace) -> bool:
    """`storekeeper check`: every level and item equals the sum of its movements, before/after chain."""
    return check(workspace.db, workspace.id)[1] == []


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# The response


def test_a_receipt_returns_its_movement_and_the_new_level(api, workspace):
    main = location(api, "Main", is_default=True)
    widget = item(api, "W-1")
    body = adjusted(api, item="W-1", location="Main", reason="receipt", delta=12)
    movement = body["movement"]
    assert movement["id"].startswith("mov_")
    assert movement == {
        "id": movement["id"],
        "item": widget["id"],
        "sku": "W-1",
        "location": main["id"],
        "reason": "receipt",
        "delta": 12,
        "before": 0,
        "after": 12,
        "unit_cost": None,
        "note": None,
        "label": None,
        "reference": None,
        "transfer": None,
        "bundle": None,
        "batch": None,
        "actor": movement["actor"],
        "occurred_at": movement["created_at"],
        "created_at": movement["created_at"],
        "sequence": movement["sequence"],
    }
    assert body["movements"] == [movement]
    assert movement["actor"]["type"] == "api_key"
    assert movement["actor"]["id"].startswith("key_")
    assert movement["created_at"].endswith("Z")
    assert body["level"] == {
        "item": widget["id"], "location": main["id"], "on_hand": 12, "reserved": 0, "available": 12,
        "status": "normal",
    }


def test_the_item_may_be_named_by_id_and_the_location_by_id(api):
    main = location(api, "Main", is_default=True)
    widget = item(api, "W-1")
    body = adjusted(api, item=widget["id"], location=main["id"], reason="receipt", delta=3)
    assert body["movement"]["item"] == widget["id"]
    assert body["movement"]["location"] == main["id"]


def test_without_a_location_the_adjustment_goes_to_the_default_location(api):
    location(api, "Second")
    item(api, "W-1")
    body = adjusted(api, item="W-1", reason="receipt", delta=5)
    default = api.get("/v1/locations/Main warehouse").json()  # the one a new workspace has
    assert default["is_default"] is True
    assert body["movement"]["location"] == default["id"]
    assert body["level"]["location"] == default["id"]
    moved = location(api, "Third", is_default=True)
    assert adjusted(api, item="W-1", reason="receipt", delta=1)["movement"]["location"] == moved["id"]


def test_without_a_location_in_a_workspace_without_locations_it_is_location_not_found_saying_how_to_make_one(
        workspace_without_locations):
    api = workspace_without_locations.api
    item(api, "W-1")
    r = adjust(api, item="W-1", reason="receipt", delta=5)
    assert error(r) == (404, "LOCATION_NOT_FOUND")
    assert r.json()["error"]["message"] == (
        "The workspace has no default location: create a location with POST /v1/locations (the first one "
        "becomes the default), or name a location in the request.")
    location(api, "First")
    assert adjusted(api, item="W-1", reason="receipt", delta=5)["movement"]["location"] == \
        api.get("/v1/locations/First").json()["id"]


def test_an_unknown_location_is_location_not_found(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    assert error(adjust(api, item="W-1", location="Nowhere", reason="receipt", delta=5)) == (404, "LOCATION_NOT_FOUND")


def test_an_unknown_or_deleted_item_is_item_not_found(api):
    location(api, "Main", is_default=True)
    item(api, "GONE")
    assert api.delete("/v1/items/GONE").status_code == 204
    assert error(adjust(api, item="NOPE", reason="receipt", delta=5)) == (404, "ITEM_NOT_FOUND")
    assert error(adjust(api, item="GONE", reason="receipt", delta=5)) == (404, "ITEM_NOT_FOUND")


def test_another_workspaces_item_and_location_do_not_exist(api, other_workspace):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    theirs = location(other_workspace.api, "Theirs")
    their_item = item(other_workspace.api, "T-1")
    assert error(adjust(api, item=their_item["id"], reason="receipt", delta=1)) == (404, "ITEM_NOT_FOUND")
    assert error(adjust(api, item="W-1", location=theirs["id"], reason="receipt", delta=1)) == (
        404, "LOCATION_NOT_FOUND")
    assert on_hand(other_workspace.api, "T-1") == 0


# The body


@pytest.mark.parametrize("body", [
    {"delta": 1, "set": 1},
    {},
    {"delta": 0},
    {"delta": "0.000000"},
])
def test_exactly_one_of_a_non_zero_delta_and_set_is_required(api, body):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    assert error(adjust(api, item="W-1", reason="correction", **body)) == (422, "VALIDATION_ERROR")
    assert movement_count(api, "W-1") == 0


def test_unknown_fields_are_refused_and_read_only_ones_named(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    assert error(adjust(api, item="W-1", reason="receipt", delta=1, colour="red")) == (422, "VALIDATION_ERROR")
    r = adjust(api, item="W-1", reason="receipt", delta=1, on_hand=5)
    assert error(r) == (422, "READONLY_FIELD")
    assert "on_hand" in r.json()["error"]["fields"]


def test_a_key_without_stock_write_may_not_adjust(workspace):
    location(workspace.api, "Main", is_default=True)
    item(workspace.api, "W-1")
    reader = workspace.key_with("stock:read")
    assert error(adjust(reader, item="W-1", reason="receipt", delta=1)) == (403, "INSUFFICIENT_SCOPE")
    assert on_hand(workspace.api, "W-1") == 0


# Reasons and directions


def _sign(direction: Direction) -> list[tuple[int, bool]]:
    return {Direction.IN: [(3, True), (-1, False)], Direction.OUT: [(-1, True), (3, False)],
            Direction.ANY: [(3, True), (-1, True)]}[direction]


@pytest.mark.parametrize(("reason", "delta", "allowed"), [
    (reason, delta, allowed)
    for reason, (_name, direction) in BUILTIN_REASONS.items()
    for delta, allowed in _sign(direction)
])
def test_a_built_in_reason_accepts_its_direction_and_refuses_the_other(api, reason, delta, allowed):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    adjusted(api, item="W-1", reason="correction", delta=10)
    r = adjust(api, item="W-1", reason=reason, delta=delta)
    if allowed:
        assert r.status_code == 201, r.text
        assert r.json()["movement"]["reason"] == reason
        assert on_hand(api, "W-1") == 10 + delta
    else:
        assert error(r) == (422, "REASON_DIRECTION")
        assert on_hand(api, "W-1") == 10
        assert movement_count(api, "W-1") == 1


def test_the_directions_of_the_built_in_reasons_are_those_of_the_spec():
    assert {code: direction.value for code, (_name, direction) in BUILTIN_REASONS.items()} == {
        "receipt": "in", "return": "in", "initial": "in", "count": "any", "correction": "any",
        "loss": "out", "damage": "out", "theft": "out", "sale": "out",
    }


@pytest.mark.parametrize("reason", sorted(SYSTEM_REASONS))
def test_reasons_written_by_the_system_only_are_refused(api, reason):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    r = adjust(api, item="W-1", reason=reason, delta=1)
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "system" in r.json()["error"]["fields"]["reason"][0]
    assert movement_count(api, "W-1") == 0


def test_an_unknown_reason_is_refused(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    r = adjust(api, item="W-1", reason="gift", delta=1)
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "reason" in r.json()["error"]["fields"]


# Counts (set)


def test_set_writes_a_count_movement_with_the_difference(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    adjusted(api, item="W-1", reason="receipt", delta=10)
    down = adjusted(api, item="W-1", reason="count", set=7)["movement"]
    assert (down["reason"], down["delta"], down["before"], down["after"]) == ("count", -3, 10, 7)
    up = adjusted(api, item="W-1", reason="count", set="12.5")["movement"]
    assert (up["delta"], up["before"], up["after"]) == (5.5, 7, 12.5)
    assert on_hand(api, "W-1") == 12.5


def test_a_count_that_finds_the_recorded_stock_writes_a_movement_of_zero(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    adjusted(api, item="W-1", reason="receipt", delta=4)
    movement = adjusted(api, item="W-1", reason="count", set=4)["movement"]
    assert (movement["delta"], movement["before"], movement["after"]) == (0, 4, 4)
    assert movement_count(api, "W-1") == 2


def test_set_with_a_one_way_reason_must_go_that_way(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    adjusted(api, item="W-1", reason="receipt", delta=10)
    assert error(adjust(api, item="W-1", reason="receipt", set=8)) == (422, "REASON_DIRECTION")
    assert error(adjust(api, item="W-1", reason="sale", set=11)) == (422, "REASON_DIRECTION")
    assert adjusted(api, item="W-1", reason="sale", set=8)["movement"]["delta"] == -2
    assert on_hand(api, "W-1") == 8


def test_a_count_below_zero_is_refused(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    assert error(adjust(api, item="W-1", reason="count", set=-1)) == (422, "NEGATIVE_QUANTITY")


# Compare-and-set


def test_expected_on_hand_that_matches_applies_the_change(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    adjusted(api, item="W-1", reason="receipt", delta=10)
    body = adjusted(api, item="W-1", reason="sale", delta=-4, expected_on_hand=10)
    assert body["level"]["on_hand"] == 6


@pytest.mark.parametrize("change", [{"delta": -4}, {"set": 3}])
def test_expected_on_hand_that_differs_is_stock_changed_and_writes_nothing(api, change):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    adjusted(api, item="W-1", reason="receipt", delta=10)
    r = adjust(api, item="W-1", reason="count", expected_on_hand="9.5", **change)
    assert error(r) == (409, "STOCK_CHANGED")
    assert r.json()["error"]["on_hand"] == 10
    assert r.json()["error"]["expected_on_hand"] == 9.5
    assert on_hand(api, "W-1") == 10
    assert movement_count(api, "W-1") == 1


def test_expected_on_hand_of_zero_holds_for_an_item_never_stocked_there(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    adjusted(api, item="W-1", reason="receipt", delta=2, expected_on_hand=0)
    assert error(adjust(api, item="W-1", reason="receipt", delta=2, expected_on_hand=0)) == (409, "STOCK_CHANGED")


# Negative stock


def test_going_below_zero_is_negative_quantity_and_writes_nothing(api):
    main = location(api, "Main", is_default=True)
    widget = item(api, "W-1")
    adjusted(api, item="W-1", reason="receipt", delta=5)
    r = adjust(api, item="W-1", reason="sale", delta=-6)
    assert error(r) == (422, "NEGATIVE_QUANTITY")
    details = r.json()["error"]
    assert (details["item"], details["location"], details["on_hand"], details["shortage"]) == (
        widget["id"], main["id"], 5, 1)
    assert on_hand(api, "W-1") == 5
    assert movement_count(api, "W-1") == 1
    assert api.get("/v1/stock/W-1").json()["locations"][0]["on_hand"] == 5


def test_the_whole_stock_may_go_out(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    adjusted(api, item="W-1", reason="receipt", delta=5)
    assert adjusted(api, item="W-1", reason="sale", delta=-5)["level"]["on_hand"] == 0


def test_a_workspace_that_allows_negative_stock_may_go_below_zero(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    assert api.patch("/v1/workspace", json={"settings": {"allow_negative_stock": True}}).status_code == 200
    body = adjusted(api, item="W-1", reason="sale", delta=-3)
    assert body["level"]["on_hand"] == -3
    assert body["level"]["status"] == "out_of_stock"
    shown = api.get("/v1/items/W-1").json()
    assert (shown["on_hand"], shown["available"], shown["status"]) == (-3, -3, "out_of_stock")


def test_stock_below_zero_may_be_topped_up_once_negative_stock_is_no_longer_allowed(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    api.patch("/v1/workspace", json={"settings": {"allow_negative_stock": True}})
    adjusted(api, item="W-1", reason="sale", delta=-10)
    api.patch("/v1/workspace", json={"settings": {"allow_negative_stock": False}})
    assert adjusted(api, item="W-1", reason="receipt", delta=4)["level"]["on_hand"] == -6
    assert error(adjust(api, item="W-1", reason="sale", delta=-1)) == (422, "NEGATIVE_QUANTITY")
    assert error(adjust(api, item="W-1", reason="count", set=-5)) == (422, "NEGATIVE_QUANTITY")
    assert on_hand(api, "W-1") == -6
    assert ledger_explains_the_stock(workspace)


def test_a_loss_is_recorded_even_when_it_eats_into_reserved_stock(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    adjusted(api, item="W-1", reason="receipt", delta=10)
    assert api.post("/v1/reservations", json={"item": "W-1", "quantity": 7}).status_code == 201
    level = adjusted(api, item="W-1", reason="loss", delta=-5)["level"]
    assert (level["on_hand"], level["reserved"], level["available"], level["status"]) == (5, 7, -2, "out_of_stock")
    assert error(adjust(api, item="W-1", reason="loss", delta=-6)) == (422, "NEGATIVE_QUANTITY")


# Locations: read-only and inactive


def test_a_read_only_location_is_changed_only_by_a_key_with_locations_sync(workspace):
    api = workspace.api
    location(api, "Main", is_default=True)
    fba = location(api, "FBA", type="external", read_only=True)
    item(api, "W-1")
    writer = workspace.key_with("stock:write")
    r = adjust(writer, item="W-1", location="FBA", reason="receipt", delta=5)
    assert error(r) == (403, "READONLY_LOCATION")
    assert movement_count(api, "W-1") == 0
    syncer = workspace.key_with("stock:write", "locations:sync")
    assert adjusted(syncer, item="W-1", location=fba["id"], reason="receipt", delta=5)["level"]["on_hand"] == 5
    assert adjusted(writer, item="W-1", location="Main", reason="receipt", delta=1)["level"]["on_hand"] == 1


def test_an_admin_key_may_change_a_read_only_location(api):
    location(api, "Main", is_default=True)
    location(api, "FBA", type="external", read_only=True)
    item(api, "W-1")
    assert adjusted(api, item="W-1", location="FBA", reason="receipt", delta=5)["level"]["on_hand"] == 5


def test_an_inactive_location_refuses_incoming_stock_but_lets_stock_go_out(api):
    location(api, "Main", is_default=True)
    closing = location(api, "Closing")
    item(api, "W-1")
    adjusted(api, item="W-1", location="Closing", reason="receipt", delta=10)
    r = api.patch(f"/v1/locations/{closing['id']}", json={"is_active": False})
    assert r.status_code == 200, r.text
    assert error(adjust(api, item="W-1", location="Closing", reason="receipt", delta=1)) == (409, "INVALID_STATE")
    assert error(adjust(api, item="W-1", location="Closing", reason="count", set=11)) == (409, "INVALID_STATE")
    assert adjusted(api, item="W-1", location="Closing", reason="sale", delta=-4)["level"]["on_hand"] == 6
    assert adjusted(api, item="W-1", location="Closing", reason="count", set=0)["movement"]["delta"] == -6
    assert on_hand(api, "W-1") == 0


# Items that hold no stock


@pytest.mark.parametrize(("tracking", "delta"), [("none", 1), ("none", -1), ("bundle", 1)])
def test_an_item_without_stock_of_its_own_is_not_stockable(api, tracking, delta):
    location(api, "Main", is_default=True)
    item(api, "X-1", tracking=tracking)
    api.patch("/v1/workspace", json={"settings": {"allow_negative_stock": True}})
    assert error(adjust(api, item="X-1", reason="correction", delta=delta)) == (422, "NOT_STOCKABLE")
    assert movement_count(api, "X-1") == 0


# Costs


def test_receipts_at_a_unit_cost_keep_a_moving_weighted_average(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    first = adjusted(api, item="W-1", reason="receipt", delta=10, unit_cost="2.00")["movement"]
    assert first["unit_cost"] == "2.00"
    assert api.get("/v1/items/W-1").json()["average_cost"] == "2.00"
    adjusted(api, item="W-1", reason="receipt", delta=30, unit_cost=3)
    assert api.get("/v1/items/W-1").json()["average_cost"] == "2.75"


def test_the_average_cost_is_exact_to_four_places(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    adjusted(api, item="W-1", reason="receipt", delta=1, unit_cost="1.00")
    adjusted(api, item="W-1", reason="receipt", delta=2, unit_cost="2.00")
    assert api.get("/v1/items/W-1").json()["average_cost"] == "1.6667"


def test_stock_going_out_keeps_the_average_cost_and_the_next_receipt_weighs_what_is_left(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    adjusted(api, item="W-1", reason="receipt", delta=10, unit_cost="4.00")
    adjusted(api, item="W-1", reason="sale", delta=-8)
    assert api.get("/v1/items/W-1").json()["average_cost"] == "4.00"
    adjusted(api, item="W-1", reason="receipt", delta=2, unit_cost="1.00")
    assert api.get("/v1/items/W-1").json()["average_cost"] == "2.50"


def test_a_receipt_without_a_unit_cost_is_costed_at_the_standard_cost(api):
    location(api, "Main", is_default=True)
    item(api, "W-1", unit_cost="5.00")
    movement = adjusted(api, item="W-1", reason="receipt", delta=10)["movement"]
    assert movement["unit_cost"] == "5.00"
    adjusted(api, item="W-1", reason="receipt", delta=10, unit_cost="3.00")
    assert api.get("/v1/items/W-1").json()["average_cost"] == "4.00"


def test_a_return_at_a_unit_cost_counts_in_the_average(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    adjusted(api, item="W-1", reason="receipt", delta=1, unit_cost="1.00")
    adjusted(api, item="W-1", reason="return", delta=1, unit_cost="3.00")
    assert api.get("/v1/items/W-1").json()["average_cost"] == "2.00"


def test_stock_without_a_known_cost_takes_the_cost_of_the_first_costed_receipt(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    adjusted(api, item="W-1", reason="correction", delta=5)
    assert api.get("/v1/items/W-1").json()["average_cost"] is None
    adjusted(api, item="W-1", reason="receipt", delta=5, unit_cost="2.00")
    assert api.get("/v1/items/W-1").json()["average_cost"] == "2.00"


@pytest.mark.parametrize("change", [{"reason": "sale", "delta": -1}, {"reason": "count", "set": 3}])
def test_a_unit_cost_on_stock_going_out_is_refused(api, change):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    adjusted(api, item="W-1", reason="receipt", delta=5, unit_cost="1.00")
    r = adjust(api, item="W-1", unit_cost="9.00", **change)
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "unit_cost" in r.json()["error"]["fields"]
    assert on_hand(api, "W-1") == 5
    assert api.get("/v1/items/W-1").json()["average_cost"] == "1.00"


def test_a_negative_unit_cost_is_refused(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    assert error(adjust(api, item="W-1", reason="receipt", delta=5, unit_cost="-1.00")) == (422, "VALIDATION_ERROR")


# When, why and who


def test_occurred_at_in_the_past_is_kept(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    movement = adjusted(api, item="W-1", reason="receipt", delta=1, occurred_at="2024-02-29T10:00:00+01:00")["movement"]
    assert movement["occurred_at"] == "2024-02-29T09:00:00.000Z"
    assert movement["created_at"] > movement["occurred_at"]


def test_occurred_at_in_the_future_is_refused(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    later = iso(datetime.now(UTC) + timedelta(hours=1))
    r = adjust(api, item="W-1", reason="receipt", delta=1, occurred_at=later)
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "occurred_at" in r.json()["error"]["fields"]
    assert movement_count(api, "W-1") == 0


def test_a_clock_a_little_fast_is_tolerated(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    soon = iso(datetime.now(UTC) + timedelta(minutes=1))
    assert adjusted(api, item="W-1", reason="receipt", delta=1, occurred_at=soon)["movement"]["occurred_at"] == soon


def test_the_reference_and_the_note_are_kept_on_the_movement(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    body = adjusted(api, item="W-1", reason="receipt", delta=1, note="Pallet 7 — dented box",
                    reference={"type": "delivery", "id": "DN-0042"})
    assert body["movement"]["note"] == "Pallet 7 — dented box"
    assert body["movement"]["reference"] == {"type": "delivery", "id": "DN-0042"}
    listed = api.get("/v1/stock/movements", params={"item": "W-1"}).json()["data"][0]
    assert listed == body["movement"]


def test_the_actor_is_the_calling_key(workspace):
    location(workspace.api, "Main", is_default=True)
    item(workspace.api, "W-1")
    created = workspace.api.post("/v1/api-keys", json={"name": "Till 3", "scopes": ["stock:write"]}).json()
    till = type(workspace.api)(workspace.api.client, created["key"])
    actor = adjusted(till, item="W-1", reason="receipt", delta=1)["movement"]["actor"]
    assert actor == {"type": "api_key", "id": created["id"], "name": "Till 3"}


def test_the_actor_of_a_users_key_is_the_user_by_email(workspace):
    api = workspace.api
    location(api, "Main", is_default=True)
    item(api, "W-1")
    user = api.post("/v1/users", json={"email": "ana@example.com", "name": "Ana"}).json()
    created = api.post("/v1/api-keys", json={"name": "Ana's key", "scopes": ["stock:write"], "user": user["id"]})
    assert created.status_code == 201, created.text
    anas = type(api)(api.client, created.json()["key"])
    actor = adjusted(anas, item="W-1", reason="receipt", delta=1)["movement"]["actor"]
    assert actor == {"type": "user", "id": user["id"], "name": "ana@example.com"}


# The ledger's numbers


def test_sequence_increases_strictly_and_before_after_and_delta_agree(api, workspace):
    location(api, "Main", is_default=True)
    location(api, "Back")
    item(api, "W-1")
    item(api, "W-2")
    steps = [("W-1", "Main", 10), ("W-2", "Main", 3), ("W-1", "Back", 2), ("W-1", "Main", -4), ("W-1", "Main", 0.5)]
    movements = [adjusted(api, item=sku, location=place, reason="correction", delta=d)["movement"]
                 for sku, place, d in steps]
    sequences = [m["sequence"] for m in movements]
    assert sequences == sorted(set(sequences))
    assert all(m["after"] == m["before"] + m["delta"] for m in movements)
    main_w1 = [m for m in movements if m["sku"] == "W-1" and m["location"] == movements[0]["location"]]
    assert [(m["before"], m["after"]) for m in main_w1] == [(0, 10), (10, 6), (6, 6.5)]
    assert ledger_explains_the_stock(workspace)


def test_the_item_follows_the_ledger_and_its_status_crosses_the_thresholds(api):
    location(api, "Main", is_default=True)
    location(api, "Back")
    item(api, "W-1", reorder_point=10, safety_stock=5)
    assert api.get("/v1/items/W-1").json()["status"] == "out_of_stock"
    seen = []
    for place, delta in [("Main", 15), ("Back", 5), ("Main", -10), ("Back", -4), ("Back", -1), ("Main", -5)]:
        adjusted(api, item="W-1", location=place, reason="correction", delta=delta)
        shown = api.get("/v1/items/W-1").json()
        assert shown["available"] == shown["on_hand"] - shown["reserved"]
        seen.append((shown["on_hand"], shown["status"]))
    assert seen == [(15, "normal"), (20, "normal"), (10, "low"), (6, "low"), (5, "critical"), (0, "out_of_stock")]


def test_the_level_status_is_that_of_the_location(api):
    location(api, "Main", is_default=True)
    location(api, "Back")
    item(api, "W-1", reorder_point=10, safety_stock=5)
    adjusted(api, item="W-1", location="Main", reason="receipt", delta=50)
    body = adjusted(api, item="W-1", location="Back", reason="receipt", delta=4)
    assert body["level"]["status"] == "critical"
    assert api.get("/v1/items/W-1").json()["status"] == "normal"


def test_the_unit_is_locked_once_the_item_has_movements(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    item(api, "W-2")
    assert api.patch("/v1/items/W-2", json={"unit": "kg"}).status_code == 200
    adjusted(api, item="W-1", reason="receipt", delta=1)
    assert error(api.patch("/v1/items/W-1", json={"unit": "kg"})) == (409, "UNIT_LOCKED")
    assert error(api.patch("/v1/items/W-1", json={"tracking": "none"})) == (409, "UNIT_LOCKED")
    assert api.get("/v1/items/W-1").json()["unit"] == "pcs"


# Exact quantities


def test_ten_adjustments_of_a_tenth_give_exactly_one(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    for _ in range(10):
        r = adjust(api, item="W-1", reason="receipt", delta=0.1)
        assert r.status_code == 201
    assert '"on_hand":1,' in api.get("/v1/items/W-1").text.replace(" ", "")
    assert '"after":1,' in r.text.replace(" ", "")


def test_millionths_add_up_exactly(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    for _ in range(3):
        adjusted(api, item="W-1", reason="receipt", delta="0.000001")
    body = adjusted(api, item="W-1", reason="sale", delta=-0.000002)
    assert body["level"]["on_hand"] == 0.000001
    assert '"on_hand":0.000001' in api.get("/v1/items/W-1").text.replace(" ", "")


def test_twelve_digit_quantities_are_exact(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    adjusted(api, item="W-1", reason="receipt", delta=999999999999)
    body = adjusted(api, item="W-1", reason="sale", delta="-0.000001")
    assert '"on_hand":999999999998.999999' in api.get("/v1/items/W-1").text.replace(" ", "")
    assert body["movement"]["before"] == 999999999999


def test_numeric_strings_are_accepted(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    assert adjusted(api, item="W-1", reason="receipt", delta="2.50")["movement"]["delta"] == 2.5
    assert adjusted(api, item="W-1", reason="count", set="1")["movement"]["delta"] == -1.5


@pytest.mark.parametrize("delta", ["0.0000001", 0.1234567, "1e13", 1_000_000_000_001, "NaN", "Infinity", "abc", True])
def test_quantities_out_of_range_or_not_numbers_are_refused(api, delta):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    r = adjust(api, item="W-1", reason="receipt", delta=delta)
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "delta" in r.json()["error"]["fields"]
    assert movement_count(api, "W-1") == 0


def test_on_hand_beyond_the_largest_quantity_is_refused_at_a_location_and_in_all(api):
    location(api, "Main", is_default=True)
    location(api, "Back")
    item(api, "W-1")
    adjusted(api, item="W-1", location="Main", reason="receipt", delta=1_000_000_000_000)
    r = adjust(api, item="W-1", location="Main", reason="receipt", delta=1)
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "delta" in r.json()["error"]["fields"]
    assert error(adjust(api, item="W-1", location="Back", reason="receipt", delta=1)) == (422, "VALIDATION_ERROR")
    assert on_hand(api, "W-1") == 1_000_000_000_000
    assert movement_count(api, "W-1") == 1
