"""The ledger under many concurrent clients, on both databases.

Each call runs on a thread of its own, all released together; the app runs its sync endpoints
in a thread pool, so the database sees real concurrent write transactions. A lost update, an
oversell, a deadlock or a 500 fails these tests, and after each one `storekeeper check` must
find every level explained by its movements and reservations.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from storekeeper.services.check import check
from tests.concurrency import adjust, at_once, body, new_item, new_location, receive

CLIENTS = 32


def stock_of(api, item: str) -> dict:
    r = api.get(f"/v1/stock/{item}")
    assert r.status_code == 200, r.text
    return body(r)


def level_of(api, item: str, location: str) -> dict:
    return next(level for level in stock_of(api, item)["locations"] if level["location"] == location)


def history(api, item: str, location: str) -> list[dict]:
    """The level's movements, oldest first."""
    r = api.get("/v1/stock/movements", params={"item": item, "location": location, "order": "asc", "limit": 1000})
    assert r.status_code == 200, r.text
    return body(r)["data"]


def assert_one_unbroken_history(moves: list[dict], start=0):
    """Sequences distinct and increasing; each movement starts where the one before ended.
    Returns where the history ends."""
    sequences = [m["sequence"] for m in moves]
    assert len(set(sequences)) == len(sequences), "two movements share a sequence number"
    assert sequences == sorted(sequences)
    on_hand = Decimal(start)
    for m in moves:
        assert (m["before"], m["after"]) == (on_hand, on_hand + m["delta"]), m
        assert m["after"] >= 0, f"stock went negative: {m}"
        on_hand = m["after"]
    return on_hand


def statuses_and_codes(responses) -> Counter:
    return Counter((r.status_code, r.json()["error"]["code"] if r.status_code >= 400 else None) for r in responses)


@pytest.fixture(autouse=True)
def ledger_explains_every_level(db, workspace):
    yield
    levels, mismatches = check(db, workspace.id)
    assert levels > 0, "the test stocked nothing"
    assert mismatches == [], "\n".join(map(str, mismatches))


@pytest.mark.parametrize("step", ["1", "0.1"])
def test_concurrent_receipts_into_one_level_lose_no_update(api, step):
    location, item = new_location(api, "Dock"), new_item(api, "RECEIVED")
    responses = at_once([lambda: adjust(api, item, location, "receipt", delta=step)] * CLIENTS)

    assert [r.status_code for r in responses] == [201] * CLIENTS, [r.text for r in responses if r.status_code != 201]
    step = Decimal(step)
    assert sorted(body(r)["movement"]["after"] for r in responses) == [step * n for n in range(1, CLIENTS + 1)]
    assert level_of(api, item, location)["on_hand"] == CLIENTS * step
    assert stock_of(api, item)["on_hand"] == CLIENTS * step
    moves = history(api, item, location)
    assert len(moves) == CLIENTS
    assert assert_one_unbroken_history(moves) == CLIENTS * step


def test_a_hundred_concurrent_sales_of_one_against_fifty_sell_exactly_fifty(api):
    location, item = new_location(api, "Shop"), new_item(api, "SOLD")
    receive(api, item, location, 50)
    responses = at_once([lambda: adjust(api, item, location, "sale", delta=-1)] * 100)

    assert statuses_and_codes(responses) == {(201, None): 50, (422, "NEGATIVE_QUANTITY"): 50}
    sold = [body(r) for r in responses if r.status_code == 201]
    assert sorted(s["movement"]["after"] for s in sold) == list(range(50)), "each sale took a unit of its own"
    assert min(s["level"]["on_hand"] for s in sold) == 0
    assert level_of(api, item, location)["on_hand"] == 0
    assert stock_of(api, item)["on_hand"] == 0
    moves = history(api, item, location)
    assert len(moves) == 51
    assert assert_one_unbroken_history(moves) == 0


def test_a_hundred_concurrent_reservations_of_one_against_fifty_reserve_exactly_fifty(api):
    location, item = new_location(api, "Store"), new_item(api, "RESERVED")
    receive(api, item, location, 50)
    reserve = {"item": item, "location": location, "quantity": 1}
    responses = at_once([lambda: api.post("/v1/reservations", json=reserve)] * 100)

    assert statuses_and_codes(responses) == {(201, None): 50, (422, "INSUFFICIENT_STOCK"): 50}
    level = level_of(api, item, location)
    assert (level["on_hand"], level["reserved"], level["available"]) == (50, 50, 0)
    active = api.get("/v1/reservations", params={"item": item, "status": "active"}).json()
    assert active["meta"]["total"] == 50


def test_concurrent_atomic_bulks_touching_the_same_rows_in_opposite_orders_never_deadlock(api):
    threads, rounds = 8, 4
    places = [new_location(api, "North"), new_location(api, "South")]
    goods = sorted(new_item(api, f"BULK-{n}") for n in range(6))
    rows = [(item, place) for item in goods for place in places]

    def bulks(order):
        adjustments = [{"item": item, "location": place, "reason": "receipt", "delta": 1} for item, place in order]
        return [
            api.post("/v1/stock/adjustments/bulk", json={"adjustments": adjustments, "atomic": True})
            for _ in range(rounds)
        ]

    results = at_once([lambda n=n: bulks(rows if n % 2 else rows[::-1]) for n in range(threads)])

    responses = [r for thread in results for r in thread]
    assert [r.status_code for r in responses] == [201] * threads * rounds, [r.text for r in responses]
    for item in goods:
        assert stock_of(api, item)["on_hand"] == 2 * threads * rounds
        for place in places:
            moves = history(api, item, place)
            assert len(moves) == threads * rounds
            assert assert_one_unbroken_history(moves) == threads * rounds


def test_concurrent_transfers_both_ways_keep_the_total_and_never_go_negative(api):
    east, west, item = new_location(api, "East"), new_location(api, "West"), new_item(api, "SHUTTLED")
    receive(api, item, east, 10)
    receive(api, item, west, 10)

    def move(source, target):
        return api.post("/v1/stock/transfers", json={"item": item, "from": source, "to": target, "quantity": 3})

    calls = [lambda n=n: move(east, west) if n % 2 else move(west, east) for n in range(CLIENTS)]
    responses = at_once(calls)

    outcomes = statuses_and_codes(responses)
    assert set(outcomes) <= {(201, None), (422, "INSUFFICIENT_STOCK")}, outcomes
    eastward = sum(1 for n, r in enumerate(responses) if n % 2 == 0 and r.status_code == 201)
    westward = sum(1 for n, r in enumerate(responses) if n % 2 == 1 and r.status_code == 201)
    assert eastward + westward > 0
    east_level, west_level = level_of(api, item, east), level_of(api, item, west)
    assert east_level["on_hand"] == 10 + 3 * eastward - 3 * westward
    assert west_level["on_hand"] == 10 - 3 * eastward + 3 * westward
    assert stock_of(api, item)["on_hand"] == 20
    assert assert_one_unbroken_history(history(api, item, east)) == east_level["on_hand"]
    assert assert_one_unbroken_history(history(api, item, west)) == west_level["on_hand"]


def test_a_receipt_racing_two_sales_lets_the_second_sale_through_only_if_the_receipt_came_first(api):
    location = new_location(api, "Counter")
    goods = [new_item(api, f"RACED-{n}") for n in range(8)]
    for item in goods:
        receive(api, item, location, 5)
    calls = []
    for item in goods:
        calls += [
            lambda item=item: adjust(api, item, location, "receipt", delta=5),
            lambda item=item: adjust(api, item, location, "sale", delta=-5),
            lambda item=item: adjust(api, item, location, "sale", delta=-5),
        ]
    responses = at_once(calls)

    for n, item in enumerate(goods):
        receipt, *sales = responses[3 * n : 3 * n + 3]
        assert receipt.status_code == 201, receipt.text
        outcomes = statuses_and_codes(sales)
        assert outcomes in ({(201, None): 2}, {(201, None): 1, (422, "NEGATIVE_QUANTITY"): 1}), outcomes
        sold = outcomes[(201, None)]
        assert level_of(api, item, location)["on_hand"] == 10 - 5 * sold
        moves = history(api, item, location)
        assert len(moves) == 2 + sold
        assert assert_one_unbroken_history(moves) == 10 - 5 * sold


def test_concurrent_counts_expecting_the_same_on_hand_let_exactly_one_through(api):
    location, item = new_location(api, "Cellar"), new_item(api, "COUNTED")
    receive(api, item, location, 10)
    counts = [11 + n for n in range(CLIENTS)]
    responses = at_once([lambda c=c: adjust(api, item, location, "count", set=c, expected_on_hand=10) for c in counts])

    assert statuses_and_codes(responses) == {(201, None): 1, (409, "STOCK_CHANGED"): CLIENTS - 1}
    winner = next(body(r)["movement"] for r in responses if r.status_code == 201)
    assert winner["before"] == 10
    assert level_of(api, item, location)["on_hand"] == winner["after"]
    assert winner["after"] in counts
    assert len(history(api, item, location)) == 2


def test_two_sales_expecting_the_same_on_hand_let_exactly_one_through_every_time(api):
    location = new_location(api, "Till")
    goods = [new_item(api, f"CAS-{n}") for n in range(8)]
    for item in goods:
        receive(api, item, location, 10)
    sale = {"delta": -1, "expected_on_hand": 10}
    responses = at_once([lambda item=item: adjust(api, item, location, "sale", **sale) for item in goods for _ in "ab"])

    for n, item in enumerate(goods):
        pair = responses[2 * n : 2 * n + 2]
        assert statuses_and_codes(pair) == {(201, None): 1, (409, "STOCK_CHANGED"): 1}
        assert level_of(api, item, location)["on_hand"] == 9
