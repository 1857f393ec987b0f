"""POST /v1/stock/adjustments/bulk over HTTP: all or nothing by default, each on its own with
`atomic: false`, entries planned one after another on a running state."""

from __future__ import annotations

import pytest

from storekeeper.services.check import check
from tests.factories import error, item, location
from tests.sql_counting import statements


def bulk(api, adjustments: list[dict], **body):
    return api.post("/v1/stock/adjustments/bulk", json={"adjustments": adjustments, **body})


def receive(api, sku: str, quantity, location: str | None = None) -> dict:
    r = api.post("/v1/stock/adjustments", json={"item": sku, "location": location, "reason": "receipt",
                                                "delta": quantity})
    assert r.status_code == 201, r.text
    return r.json()["movement"]


def stock(api, sku: str) -> dict:
    """on_hand per location name, and in all."""
    row = api.get(f"/v1/stock/{sku}").json()
    return {"all": row["on_hand"], **{level["name"]: level["on_hand"] for level in row["locations"]}}


def movement_total(api) -> int:
    return api.get("/v1/stock/movements").json()["meta"]["total"]


def ledger_explains_the_stock(workspace) -> bool:
    """`storekeeper check`: every level and item equals the sum of its movements, before/after chain."""
    return check(workspace.db, workspace.id)[1] == []


def test_an_atomic_bulk_applies_every_adjustment_and_answers_one_result_each(api):
    main = location(api, "Main", is_default=True)
    widget = item(api, "W-1")
    item(api, "W-2")
    r = bulk(api, [
        {"item": "W-1", "reason": "receipt", "delta": 10},
        {"item": "W-2", "reason": "receipt", "delta": 4, "note": "second"},
    ])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["atomic"] is True
    assert [(x["index"], x["ok"]) for x in body["results"]] == [(0, True), (1, True)]
    first = body["results"][0]
    assert set(first) == {"index", "ok", "movement", "movements", "level"}
    assert first["movements"] == [first["movement"]]
    assert (first["movement"]["sku"], first["movement"]["delta"], first["movement"]["location"]) == ("W-1", 10,
                                                                                                     main["id"])
    assert first["level"] == {"item": widget["id"], "location": main["id"], "on_hand": 10, "reserved": 0,
                              "available": 10, "status": "normal"}
    assert body["results"][1]["movement"]["note"] == "second"
    assert stock(api, "W-1")["all"] == 10
    assert stock(api, "W-2")["all"] == 4


def test_the_movements_of_a_bulk_follow_its_order_in_the_sequence(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    item(api, "W-2")
    before = receive(api, "W-1", 1)["sequence"]
    results = bulk(api, [{"item": sku, "reason": "receipt", "delta": 1} for sku in ["W-2", "W-1", "W-2"]]).json()
    assert [x["movement"]["sequence"] for x in results["results"]] == [before + 1, before + 2, before + 3]


def test_a_failing_atomic_bulk_lists_every_failing_index_and_applies_nothing(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    item(api, "W-2")
    receive(api, "W-1", 5)
    last = receive(api, "W-2", 5)["sequence"]
    r = bulk(api, [
        {"item": "W-1", "reason": "receipt", "delta": 3},
        {"item": "W-1", "reason": "sale", "delta": -20},
        {"item": "W-2", "reason": "receipt", "delta": -1},
        {"item": "NOPE", "reason": "receipt", "delta": 1},
        {"item": "W-2", "reason": "transfer_in", "delta": 1},
        {"item": "W-2", "reason": "sale", "delta": -1},
        {"item": "W-2", "location": "Nowhere", "reason": "receipt", "delta": 1},
    ])
    assert error(r) == (422, "BULK_FAILED")
    errors = r.json()["error"]["errors"]
    assert [(e["index"], e["code"]) for e in errors] == [
        (1, "NEGATIVE_QUANTITY"), (2, "REASON_DIRECTION"), (3, "ITEM_NOT_FOUND"), (4, "VALIDATION_ERROR"),
        (6, "LOCATION_NOT_FOUND"),
    ]
    assert all(e["message"] for e in errors)
    assert "reason" in errors[3]["fields"]
    assert stock(api, "W-1")["all"] == 5
    assert stock(api, "W-2")["all"] == 5
    assert movement_total(api) == 2
    assert receive(api, "W-1", 1)["sequence"] == last + 1


def test_atomic_is_the_default(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    r = bulk(api, [{"item": "W-1", "reason": "receipt", "delta": 1}, {"item": "W-1", "reason": "sale", "delta": -2}])
    assert error(r) == (422, "BULK_FAILED")
    assert stock(api, "W-1")["all"] == 0


def test_demand_within_one_bulk_adds_up_so_two_sales_of_six_cannot_both_take_ten(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    receive(api, "W-1", 10)
    sales = [{"item": "W-1", "reason": "sale", "delta": -6}, {"item": "W-1", "reason": "sale", "delta": -6}]
    r = bulk(api, sales)
    assert error(r) == (422, "BULK_FAILED")
    assert [(e["index"], e["code"]) for e in r.json()["error"]["errors"]] == [(1, "NEGATIVE_QUANTITY")]
    assert stock(api, "W-1")["all"] == 10
    r = bulk(api, sales, atomic=False)
    assert [x["ok"] for x in r.json()["results"]] == [True, False]
    assert stock(api, "W-1")["all"] == 4


def test_entries_on_the_same_level_chain_their_before_and_after(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    receive(api, "W-1", 2)
    body = bulk(api, [
        {"item": "W-1", "reason": "receipt", "delta": 5},
        {"item": "W-1", "reason": "sale", "delta": -3},
        {"item": "W-1", "reason": "count", "set": 10},
        {"item": "W-1", "reason": "loss", "delta": "-0.5", "expected_on_hand": 10},
    ]).json()
    movements = [x["movement"] for x in body["results"]]
    assert [(m["before"], m["delta"], m["after"]) for m in movements] == [
        (2, 5, 7), (7, -3, 4), (4, 6, 10), (10, -0.5, 9.5)]
    assert [x["level"]["on_hand"] for x in body["results"]] == [7, 4, 10, 9.5]
    assert stock(api, "W-1")["all"] == 9.5


def test_one_item_named_by_id_and_by_sku_in_one_bulk_is_one_level(api):
    location(api, "Main", is_default=True)
    widget = item(api, "W-1")
    body = bulk(api, [{"item": "W-1", "reason": "receipt", "delta": 3},
                      {"item": widget["id"], "reason": "sale", "delta": -2},
                      {"item": "W-1", "reason": "sale", "delta": -2}], atomic=False).json()
    assert [x["ok"] for x in body["results"]] == [True, True, False]
    assert body["results"][1]["movement"]["before"] == 3
    assert stock(api, "W-1")["all"] == 1


def test_expected_on_hand_in_a_bulk_is_checked_against_the_entries_before_it(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    r = bulk(api, [
        {"item": "W-1", "reason": "receipt", "delta": 5, "expected_on_hand": 0},
        {"item": "W-1", "reason": "receipt", "delta": 5, "expected_on_hand": 0},
    ])
    assert error(r) == (422, "BULK_FAILED")
    assert [(e["index"], e["code"]) for e in r.json()["error"]["errors"]] == [(1, "STOCK_CHANGED")]


def test_a_non_atomic_bulk_applies_the_good_entries_and_reports_the_bad_ones(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    item(api, "W-2")
    receive(api, "W-1", 10)
    r = bulk(api, [
        {"item": "W-1", "reason": "sale", "delta": -6},
        {"item": "W-1", "reason": "sale", "delta": -6},
        {"item": "W-1", "reason": "sale", "delta": -4},
        {"item": "W-2", "reason": "receipt", "delta": 2},
        {"item": "W-2", "reason": "gift", "delta": 2},
    ], atomic=False)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["atomic"] is False
    assert [(x["index"], x["ok"]) for x in body["results"]] == [(0, True), (1, False), (2, True), (3, True),
                                                                (4, False)]
    failed = body["results"][1]
    assert set(failed) == {"index", "ok", "error"}
    assert failed["error"]["index"] == 1
    assert failed["error"]["code"] == "NEGATIVE_QUANTITY"
    assert failed["error"]["message"]
    assert body["results"][4]["error"]["code"] == "VALIDATION_ERROR"
    assert "reason" in body["results"][4]["error"]["fields"]
    assert [m["before"] for m in (body["results"][0]["movement"], body["results"][2]["movement"])] == [10, 4]
    assert stock(api, "W-1")["all"] == 0
    assert stock(api, "W-2")["all"] == 2
    assert movement_total(api) == 4
    assert ledger_explains_the_stock(workspace)


def test_a_non_atomic_bulk_where_everything_fails_writes_nothing(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    r = bulk(api, [{"item": "W-1", "reason": "sale", "delta": -1}, {"item": "NOPE", "reason": "receipt",
                                                                    "delta": 1}], atomic=False)
    assert r.status_code == 200
    assert [x["error"]["code"] for x in r.json()["results"]] == ["NEGATIVE_QUANTITY", "ITEM_NOT_FOUND"]
    assert movement_total(api) == 0


def test_one_bulk_may_touch_many_items_and_locations(api, workspace):
    location(api, "Main", is_default=True)
    back = location(api, "Back")
    location(api, "Shop", type="store")
    for sku in ["A", "B", "C"]:
        item(api, sku)
    body = bulk(api, [
        {"item": "C", "location": "Shop", "reason": "receipt", "delta": 3},
        {"item": "A", "reason": "receipt", "delta": 1},
        {"item": "B", "location": back["id"], "reason": "receipt", "delta": 2},
        {"item": "A", "location": "Back", "reason": "receipt", "delta": 4},
        {"item": "C", "location": "Main", "reason": "receipt", "delta": 5},
        {"item": "A", "location": "Main", "reason": "sale", "delta": -1},
        {"item": "C", "location": "Shop", "reason": "damage", "delta": -1},
    ])
    assert body.status_code == 201, body.text
    assert stock(api, "A") == {"all": 4, "Back": 4, "Main": 0}
    assert stock(api, "B") == {"all": 2, "Back": 2}
    assert stock(api, "C") == {"all": 7, "Main": 5, "Shop": 2}
    assert api.get("/v1/items/C").json()["on_hand"] == 7
    assert ledger_explains_the_stock(workspace)


def test_receipts_in_one_bulk_keep_the_moving_average_cost(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    r = bulk(api, [{"item": "W-1", "reason": "receipt", "delta": 10, "unit_cost": "2.00"},
                   {"item": "W-1", "reason": "receipt", "delta": 30, "unit_cost": "3.00"}])
    assert r.status_code == 201
    assert api.get("/v1/items/W-1").json()["average_cost"] == "2.75"


def test_a_failed_atomic_bulk_leaves_the_average_cost_alone(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    bulk(api, [{"item": "W-1", "reason": "receipt", "delta": 10, "unit_cost": "2.00"}])
    r = bulk(api, [{"item": "W-1", "reason": "receipt", "delta": 10, "unit_cost": "4.00"},
                   {"item": "W-1", "reason": "sale", "delta": -100}])
    assert error(r) == (422, "BULK_FAILED")
    assert api.get("/v1/items/W-1").json()["average_cost"] == "2.00"


def test_a_read_only_location_in_a_bulk_needs_locations_sync(workspace):
    api = workspace.api
    location(api, "Main", is_default=True)
    location(api, "FBA", type="external", read_only=True)
    item(api, "W-1")
    entries = [{"item": "W-1", "reason": "receipt", "delta": 1},
               {"item": "W-1", "location": "FBA", "reason": "receipt", "delta": 1}]
    r = bulk(workspace.key_with("stock:write"), entries)
    assert [(e["index"], e["code"]) for e in r.json()["error"]["errors"]] == [(1, "READONLY_LOCATION")]
    assert bulk(workspace.key_with("stock:write", "locations:sync"), entries).status_code == 201
    assert stock(api, "W-1") == {"all": 2, "FBA": 1, "Main": 1}


def test_a_bulk_costs_the_same_statements_for_two_adjustments_as_for_sixty(api, db):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    skus = [f"B-{n:02}" for n in range(30)]
    for sku in skus:
        item(api, sku)
        receive(api, sku, 1, "Main")

    def statements_of(adjustments: list[dict]) -> int:
        with statements(db) as seen:
            assert bulk(api, adjustments).status_code == 201
        return len(seen)

    few = statements_of([{"item": "B-00", "location": "Shop", "reason": "receipt", "delta": 1, "unit_cost": "1.00"},
                         {"item": "B-01", "location": "Main", "reason": "sale", "delta": -1}])
    many = statements_of([{"item": sku, "location": place, "reason": "receipt", "delta": 1, "unit_cost": "1.00"}
                          for sku in skus for place in ("Main", "Shop")])
    assert 0 < few == many


def test_five_hundred_adjustments_are_accepted_and_five_hundred_and_one_are_not(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    entry = {"item": "W-1", "reason": "receipt", "delta": "0.1"}
    r = bulk(api, [entry] * 501)
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "adjustments" in r.json()["error"]["fields"]
    assert movement_total(api) == 0
    r = bulk(api, [entry] * 500)
    assert r.status_code == 201
    assert '"on_hand":50,' in api.get("/v1/items/W-1").text.replace(" ", "")


@pytest.mark.parametrize("body", [
    {"adjustments": []},
    {},
    {"adjustments": [{"item": "W-1", "reason": "receipt", "delta": 1}], "atomic": "no"},
    {"adjustments": [{"item": "W-1", "reason": "receipt", "delta": 1}], "colour": "red"},
])
def test_a_malformed_bulk_is_refused(api, body):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    r = api.post("/v1/stock/adjustments/bulk", json=body)
    assert error(r) == (422, "VALIDATION_ERROR")
    assert movement_total(api) == 0


def test_an_invalid_entry_refuses_the_whole_request_and_names_its_index(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    r = bulk(api, [{"item": "W-1", "reason": "receipt", "delta": 1},
                   {"item": "W-1", "reason": "receipt", "delta": 1, "set": 2}], atomic=False)
    assert error(r) == (422, "VALIDATION_ERROR")
    assert any(key.startswith("adjustments[1]") for key in r.json()["error"]["fields"])
    assert movement_total(api) == 0
