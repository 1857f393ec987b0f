"""GET /v1/stock and GET /v1/stock/{item} over HTTP: a row per stocked item with its levels per
location, the filters, paging, and stock as at a past moment rebuilt from the ledger."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from tests.factories import error, item, location
from tests.sql_counting import statements


def adjust(api, sku: str, delta, location: str | None = None, reason: str = "correction", **fields) -> dict:
    r = api.post("/v1/stock/adjustments", json={"item": sku, "location": location, "reason": reason, "delta": delta,
                                                **fields})
    assert r.status_code == 201, r.text
    return r.json()["movement"]


def rows(api, **params) -> list[dict]:
    r = api.get("/v1/stock", params=params)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def on_hand_by_sku(api, **params) -> dict[str, object]:
    return {row["sku"]: row["on_hand"] for row in rows(api, **params)}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def moment_between() -> str:
    """A time strictly after everything written so far and strictly before anything written next."""
    time.sleep(0.01)
    moment = now_iso()
    time.sleep(0.01)
    return moment


def test_a_stock_row_has_the_items_numbers_and_one_entry_per_location(api):
    main = location(api, "Main", is_default=True)
    shop = location(api, "Shop", type="store")
    widget = item(api, "W-1", unit="kg", reorder_point=5, safety_stock=2)
    adjust(api, "W-1", 10, "Main")
    adjust(api, "W-1", "1.5", "Shop")
    assert api.post("/v1/reservations", json={"item": "W-1", "location": "Main", "quantity": 4}).status_code == 201
    [row] = rows(api)
    assert row == {
        "item": widget["id"], "sku": "W-1", "name": "Item W-1", "unit": "kg",
        "on_hand": 11.5, "reserved": 4, "available": 7.5, "incoming": 0,
        "safety_stock": 2, "reorder_point": 5, "status": "normal",
        "locations": [
            {"location": main["id"], "name": "Main", "type": "warehouse", "on_hand": 10, "reserved": 4,
             "available": 6, "status": "normal"},
            {"location": shop["id"], "name": "Shop", "type": "store", "on_hand": 1.5, "reserved": 0,
             "available": 1.5, "status": "critical"},
        ],
        # The item's, moved by the reservation (its latest change) though its version was not.
        "updated_at": api.get("/v1/items/W-1").json()["updated_at"],
    }
    assert api.get("/v1/items/W-1").json()["version"] == widget["version"]
    assert api.get("/v1/stock/W-1").json() == row
    assert api.get(f"/v1/stock/{widget['id']}").json() == row


def test_only_live_items_with_stock_or_made_of_stock_are_listed_in_sku_order(api):
    location(api, "Main", is_default=True)
    item(api, "B")
    item(api, "A")
    item(api, "SERVICE", tracking="none")
    item(api, "BUNDLE", tracking="bundle")
    item(api, "GONE")
    api.post("/v1/items", json={"sku": "TEE", "name": "Tee", "variants": [{"sku": "TEE-M"}]})
    assert api.delete("/v1/items/GONE").status_code == 204
    adjust(api, "B", 1)
    assert [(row["sku"], row["on_hand"], row["status"], row["locations"]) for row in rows(api)] == [
        ("A", 0, "out_of_stock", []),
        ("B", 1, "normal", [rows(api, sku="B")[0]["locations"][0]]),
        ("BUNDLE", 0, "out_of_stock", []),
        ("TEE-M", 0, "out_of_stock", []),
    ]


def test_one_item_is_found_by_id_or_sku_and_an_unknown_one_is_not_found(api, other_workspace):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    theirs = item(other_workspace.api, "T-1")
    assert api.get("/v1/stock/W-1").json()["incoming"] == 0
    assert error(api.get("/v1/stock/NOPE")) == (404, "ITEM_NOT_FOUND")
    assert error(api.get(f"/v1/stock/{theirs['id']}")) == (404, "ITEM_NOT_FOUND")
    assert error(api.get("/v1/stock/T-1")) == (404, "ITEM_NOT_FOUND")


def test_a_deleted_item_has_no_stock_row(api):
    location(api, "Main", is_default=True)
    widget = item(api, "W-1")
    api.delete("/v1/items/W-1")
    assert error(api.get(f"/v1/stock/{widget['id']}")) == (404, "ITEM_NOT_FOUND")


def test_a_deleted_location_no_longer_shows_but_its_past_stock_does(api):
    location(api, "Main", is_default=True)
    back = location(api, "Back")
    item(api, "W-1")
    adjust(api, "W-1", 5, "Main")
    adjust(api, "W-1", 2, "Back")
    adjust(api, "W-1", -2, "Back")
    assert [level["name"] for level in api.get("/v1/stock/W-1").json()["locations"]] == ["Back", "Main"]
    then = now_iso()
    assert api.delete(f"/v1/locations/{back['id']}").status_code == 204
    assert [level["name"] for level in api.get("/v1/stock/W-1").json()["locations"]] == ["Main"]
    assert [level["name"] for level in rows(api)[0]["locations"]] == ["Main"]
    assert rows(api, location=back["id"]) == []
    past = api.get("/v1/stock/W-1", params={"as_of": then}).json()
    assert [(level["name"], level["on_hand"]) for level in past["locations"]] == [("Back", 0), ("Main", 5)]


def test_the_location_filter_shows_only_that_locations_quantities_and_items(api):
    location(api, "Main", is_default=True)
    shop = location(api, "Shop")
    item(api, "A", reorder_point=5)
    item(api, "B")
    item(api, "C")
    adjust(api, "A", 10, "Main")
    adjust(api, "A", 3, "Shop")
    adjust(api, "B", 7, "Main")
    for ref in ("Shop", shop["id"]):
        [row] = rows(api, location=ref)
        assert (row["sku"], row["on_hand"], row["available"], row["status"]) == ("A", 3, 3, "low")
        assert [level["name"] for level in row["locations"]] == ["Shop"]
    assert on_hand_by_sku(api, location="Main") == {"A": 10, "B": 7}
    assert rows(api, location="Nowhere") == []


def test_sku_q_and_category_filters(api):
    location(api, "Main", is_default=True)
    tools = api.post("/v1/categories", json={"name": "Tools"}).json()
    item(api, "HAM-1", name="Claw Hammer", category=tools["id"])
    item(api, "SAW-1", name="Hand saw", barcode="4006381333931")
    item(api, "NAIL-1", name="Nails")
    assert on_hand_by_sku(api, sku="SAW-1") == {"SAW-1": 0}
    assert on_hand_by_sku(api, sku="saw-1") == {}
    assert set(on_hand_by_sku(api, q="HAMMER")) == {"HAM-1"}
    assert set(on_hand_by_sku(api, q="nail")) == {"NAIL-1"}
    assert set(on_hand_by_sku(api, q="333")) == {"SAW-1"}
    assert set(on_hand_by_sku(api, q="%")) == set()
    assert set(on_hand_by_sku(api, category=tools["id"])) == {"HAM-1"}


def test_status_and_low_stock_filters_follow_the_ledger(api):
    location(api, "Main", is_default=True)
    for sku in ("NORMAL", "LOW", "CRITICAL", "OUT"):
        item(api, sku, reorder_point=10, safety_stock=5)
    adjust(api, "NORMAL", 11)
    adjust(api, "LOW", 10)
    adjust(api, "CRITICAL", 5)
    adjust(api, "OUT", 5)
    adjust(api, "OUT", -5)
    for status, sku in [("normal", "NORMAL"), ("low", "LOW"), ("critical", "CRITICAL"), ("out_of_stock", "OUT")]:
        assert [(row["sku"], row["status"]) for row in rows(api, status=status)] == [(sku, status)]
    assert set(on_hand_by_sku(api, low_stock="true")) == {"LOW", "CRITICAL", "OUT"}
    assert set(on_hand_by_sku(api, low_stock="false")) == {"NORMAL"}


def test_reserved_stock_lowers_the_status(api):
    location(api, "Main", is_default=True)
    item(api, "W-1", reorder_point=10, safety_stock=5)
    adjust(api, "W-1", 20)
    api.post("/v1/reservations", json={"item": "W-1", "quantity": 16})
    assert [row["sku"] for row in rows(api, status="critical")] == ["W-1"]
    assert rows(api, status="critical")[0]["available"] == 4


def test_the_status_filter_at_a_location_is_the_status_there(api):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    item(api, "W-1", reorder_point=10, safety_stock=5)
    adjust(api, "W-1", 50, "Main")
    adjust(api, "W-1", 3, "Shop")
    [row] = rows(api, location="Shop", status="critical")
    assert (row["on_hand"], row["status"]) == (3, "critical")
    assert rows(api, location="Shop", status="normal") == []
    assert [row["status"] for row in rows(api, location="Shop", low_stock="true")] == ["critical"]
    assert [row["status"] for row in rows(api, location="Main", status="normal")] == ["normal"]


@pytest.mark.parametrize("params", [{"status": "empty"}, {"low_stock": "maybe"}, {"as_of": "yesterday"}])
def test_invalid_filters_are_refused(api, params):
    assert error(api.get("/v1/stock", params=params)) == (422, "VALIDATION_ERROR")


def test_a_repeated_filter_is_refused(api):
    assert error(api.get("/v1/stock?sku=A&sku=B")) == (422, "VALIDATION_ERROR")


def test_cursor_pages_return_every_row_once(api):
    location(api, "Main", is_default=True)
    skus = [f"P-{n:02}" for n in range(7)]
    for sku in reversed(skus):
        item(api, sku)
        adjust(api, sku, 1)
    seen, cursor = [], None
    while True:
        body = api.get("/v1/stock", params={"limit": 3, **({"cursor": cursor} if cursor else {})}).json()
        assert body["meta"]["total"] == 7
        seen += [row["sku"] for row in body["data"]]
        assert all(row["on_hand"] == 1 for row in body["data"])
        if not body["meta"]["has_more"]:
            break
        cursor = body["meta"]["next_cursor"]
    assert seen == skus


def test_a_page_of_stock_costs_the_same_statements_for_few_items_as_for_many(api, db):
    location(api, "Main", is_default=True)
    location(api, "Shop")

    def stock_page_statements(first: int, last: int) -> int:
        for n in range(first, last):
            item(api, f"S-{n:03}")
            adjust(api, f"S-{n:03}", 5, "Main")
            adjust(api, f"S-{n:03}", 1, "Shop")
        api.post("/v1/reservations", json={"item": f"S-{first:03}", "quantity": 1})
        api.get("/v1/stock")
        with statements(db) as seen:
            assert len(api.get("/v1/stock").json()["data"]) == last
        return len(seen)

    assert 0 < stock_page_statements(0, 2) == stock_page_statements(2, 30)


def test_include_total_false_skips_the_count(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    body = api.get("/v1/stock", params={"include_total": "false"}).json()
    assert "total" not in body["meta"]
    assert len(body["data"]) == 1


def test_reading_stock_needs_stock_read(workspace):
    location(workspace.api, "Main", is_default=True)
    item(workspace.api, "W-1")
    assert error(workspace.key_with("items:read").get("/v1/stock")) == (403, "INSUFFICIENT_SCOPE")
    assert error(workspace.key_with("items:read").get("/v1/stock/W-1")) == (403, "INSUFFICIENT_SCOPE")
    assert workspace.key_with("stock:read").get("/v1/stock/W-1").status_code == 200
    assert workspace.key_with("stock:write").get("/v1/stock").status_code == 200


# As at a past moment


def test_as_of_shows_the_stock_of_that_moment(api):
    location(api, "Main", is_default=True)
    shop = location(api, "Shop")
    item(api, "W-1")
    item(api, "W-2")
    before_anything = moment_between()
    adjust(api, "W-1", 10, "Main")
    adjust(api, "W-2", 2, "Main")
    first = moment_between()
    adjust(api, "W-1", -4, "Main")
    adjust(api, "W-1", 1, "Shop")
    second = moment_between()
    adjust(api, "W-1", 100, "Shop")

    assert on_hand_by_sku(api, as_of=before_anything) == {"W-1": 0, "W-2": 0}
    assert on_hand_by_sku(api, as_of=first) == {"W-1": 10, "W-2": 2}
    assert on_hand_by_sku(api, as_of=second) == {"W-1": 7, "W-2": 2}
    assert on_hand_by_sku(api) == {"W-1": 107, "W-2": 2}
    row = api.get("/v1/stock/W-1", params={"as_of": second}).json()
    assert [(level["name"], level["on_hand"], level["reserved"], level["available"]) for level in row["locations"]] \
        == [("Main", 6, 0, 6), ("Shop", 1, 0, 1)]
    assert on_hand_by_sku(api, as_of=second, location=shop["id"]) == {"W-1": 1}
    assert api.get("/v1/stock/W-1", params={"as_of": first}).json()["on_hand"] == 10


def test_as_of_counts_a_backdated_movement_at_the_time_it_occurred(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    adjust(api, "W-1", 5, occurred_at="2025-01-10T12:00:00Z")
    adjust(api, "W-1", 3, occurred_at="2025-01-05T12:00:00Z")
    assert on_hand_by_sku(api, as_of="2025-01-01T00:00:00Z") == {"W-1": 0}
    assert on_hand_by_sku(api, as_of="2025-01-07T00:00:00Z") == {"W-1": 3}
    assert on_hand_by_sku(api, as_of="2025-01-10T12:00:00Z") == {"W-1": 8}
    assert on_hand_by_sku(api, as_of="2025-01-10T13:00:00+01:00") == {"W-1": 8}
    assert on_hand_by_sku(api, as_of="2025-01-10T12:30:00+01:00") == {"W-1": 3}


def test_as_of_shows_no_reserved_stock_and_the_status_of_the_on_hand_then(api):
    location(api, "Main", is_default=True)
    item(api, "W-1", reorder_point=10)
    adjust(api, "W-1", 8)
    then = moment_between()
    adjust(api, "W-1", 20)
    api.post("/v1/reservations", json={"item": "W-1", "quantity": 25})
    row = api.get("/v1/stock", params={"as_of": then}).json()["data"][0]
    assert (row["on_hand"], row["reserved"], row["available"], row["status"]) == (8, 0, 8, "low")
    now = api.get("/v1/stock/W-1").json()
    assert (now["on_hand"], now["reserved"], now["available"], now["status"]) == (28, 25, 3, "low")


@pytest.mark.parametrize("other", [{"status": "low"}, {"low_stock": "true"}, {"low_stock": "false"}])
def test_as_of_cannot_be_combined_with_a_status_filter(api, other):
    r = api.get("/v1/stock", params={"as_of": "2025-01-01T00:00:00Z", **other})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "as_of" in r.json()["error"]["fields"]


def test_as_of_sees_a_transfer_move_stock_between_locations(api):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    item(api, "W-1")
    adjust(api, "W-1", 10, "Main")
    before = moment_between()
    assert api.post("/v1/stock/transfers", json={"item": "W-1", "to": "Shop", "quantity": 4}).status_code == 201
    past = api.get("/v1/stock/W-1", params={"as_of": before}).json()
    assert [(level["name"], level["on_hand"]) for level in past["locations"]] == [("Main", 10)]
    after = api.get("/v1/stock/W-1", params={"as_of": now_iso()}).json()
    assert [(level["name"], level["on_hand"]) for level in after["locations"]] == [("Main", 6), ("Shop", 4)]
