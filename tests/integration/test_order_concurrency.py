"""Purchase orders and production under concurrent clients, on both databases.

Production batches consume components and add output, receipts add stock and lower incoming,
and sales, reversals and other orders race them. Each call runs on a thread of its own, all
released together, so the database sees real concurrent write transactions; each race runs
ROUNDS times, in a fresh workspace each. Stock below zero, a component consumed twice, an over-receipt, an
incoming figure that drifts from the open order lines, a deadlock or a 500 fails these tests,
and after each round `storekeeper check` must find every level, every item's incoming and every
line's produced quantity explained.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from storekeeper.services.check import check
from tests.concurrency import adjust, at_once, body, history, new_item, new_location, on_hand_at, receive, shown

ROUNDS = 3
D = Decimal


# Reading


def assert_one_unbroken_history(moves: list[dict]) -> Decimal:
    """Sequences increasing; each movement starts where the one before ended and never goes
    below zero. Returns where the history ends."""
    sequences = [m["sequence"] for m in moves]
    assert sequences == sorted(set(sequences)), "two movements share a sequence number, or are out of order"
    on_hand = D(0)
    for m in moves:
        assert (m["before"], m["after"]) == (on_hand, on_hand + m["delta"]), m
        assert m["after"] >= 0, f"stock went negative: {m}"
        on_hand = m["after"]
    return on_hand


def assert_stock_is_its_history(api, item: str, location: str) -> Decimal:
    on_hand = on_hand_at(api, item, location)
    assert assert_one_unbroken_history(history(api, item, location)) == on_hand
    return on_hand


def outcomes(responses) -> Counter:
    return Counter((r.status_code, r.json()["error"]["code"] if r.status_code >= 400 else None) for r in responses)


@pytest.fixture(autouse=True, params=range(1, ROUNDS + 1), ids=lambda n: f"round {n}")
def ledger_explains_every_level(request, db, workspace):
    """Runs each race ROUNDS times (a fresh workspace each), then checks the whole workspace."""
    yield
    _levels, mismatches = check(db, workspace.id)
    assert mismatches == [], "\n".join(map(str, mismatches))


# Writing


def bill(api, sku: str, components: list[tuple[str, int | str]]) -> None:
    r = api.put(f"/v1/items/{sku}/components", json=[{"item": c, "quantity": q} for c, q in components])
    assert r.status_code == 200, r.text


def production_order(api, item: str, quantity: int | str) -> tuple[str, str]:
    """A new production order of one line; (order id, line id)."""
    r = api.post("/v1/production-orders", json={"lines": [{"item": item, "quantity": quantity}]})
    assert r.status_code == 201, r.text
    order = r.json()
    return order["id"], order["lines"][0]["id"]


def make(api, order: tuple[str, str], quantity: int | str):
    order_id, line_id = order
    return api.post(f"/v1/production-orders/{order_id}/lines/{line_id}/batches", json={"quantity": quantity})


def made(api, order: tuple[str, str], quantity: int | str) -> str:
    r = make(api, order, quantity)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def produced(api, order: tuple[str, str]) -> Decimal:
    r = api.get(f"/v1/production-orders/{order[0]}")
    assert r.status_code == 200, r.text
    return body(r)["lines"][0]["produced_quantity"]


def sell(api, item: str, location: str, quantity: int | str = 1):
    return adjust(api, item, location, "sale", delta=str(-D(quantity)))


def purchase_order(api, lines: list[tuple[str, int | str]], *, place: bool = True, **fields) -> dict:
    r = api.post("/v1/purchase-orders", json={"lines": [{"item": i, "quantity": str(q)} for i, q in lines],
                                              **fields})
    assert r.status_code == 201, r.text
    order = r.json()
    if place:
        r = api.post(f"/v1/purchase-orders/{order['id']}/order")
        assert r.status_code == 200, r.text
        order = r.json()
    return order


def receive_line(api, order: dict, quantity: int | str, line: int = 0):
    return api.post(f"/v1/purchase-orders/{order['id']}/receive",
                    json={"lines": [{"line": order["lines"][line]["id"], "quantity": str(quantity)}]})


def purchase_order_now(api, order: dict) -> dict:
    r = api.get(f"/v1/purchase-orders/{order['id']}")
    assert r.status_code == 200, r.text
    return body(r)


def open_on_orders(api, item: str) -> Decimal:
    """What the open purchase orders' lines of the item still await, read from the orders."""
    r = api.get("/v1/purchase-orders", params={"item": item, "limit": 1000})
    assert r.status_code == 200, r.text
    return sum((line["quantity"] - line["received_quantity"]
                for order in body(r)["data"] if order["status"] in ("ordered", "partially_received")
                for line in order["lines"] if line["item"] == item), D(0))


# (a) two batches racing for the last components


@pytest.mark.parametrize("same_order", [True, False], ids=["one order", "two orders"])
def test_two_batches_racing_for_the_last_components_make_exactly_one(api, same_order):
    shop = new_location(api, "Shop", is_default=True)
    a, b = new_item(api, "LAST-A"), new_item(api, "LAST-B")
    stool = new_item(api, "STOOL")
    receive(api, a, shop, 3)
    receive(api, b, shop, 2)
    bill(api, "STOOL", [(a, 1), (b, 1)])
    first = production_order(api, stool, 4)
    second = first if same_order else production_order(api, stool, 4)

    responses = at_once([lambda: make(api, first, 2), lambda: make(api, second, 2)])

    assert sorted(outcomes(responses).items()) == [((201, None), 1), ((422, "INSUFFICIENT_STOCK"), 1)], \
        [r.text for r in responses]
    [refused] = [r for r in responses if r.status_code == 422]
    shortages = body(refused)["error"]["shortages"]
    # Every short component is listed: 2 of A wanted, 1 left; 2 of B wanted, none left.
    assert sorted((s["item"], s["needed"], s["available"]) for s in shortages) == \
        sorted([(a, 2, 1), (b, 2, 0)])
    assert (assert_stock_is_its_history(api, a, shop), assert_stock_is_its_history(api, b, shop)) == (1, 0)
    assert assert_stock_is_its_history(api, stool, shop) == 2
    assert produced(api, first) + (produced(api, second) if not same_order else 0) == 2


# (b) many batches racing sales of a component


def test_batches_racing_sales_of_a_component_never_use_more_than_there_is(api):
    shop = new_location(api, "Shop", is_default=True)
    threads = 8
    wood, glue = new_item(api, "WOOD"), new_item(api, "GLUE", unit="ml")
    chair = new_item(api, "CHAIR")
    receive(api, wood, shop, 10)
    receive(api, glue, shop, 1000)
    bill(api, "CHAIR", [(wood, 2), (glue, "12.5")])
    orders = [production_order(api, chair, 5) for _ in range(2)]
    calls = []
    for t in range(threads):
        calls.append(lambda t=t: make(api, orders[t % 2], 1))
        calls.append(lambda: sell(api, wood, shop))

    responses = at_once(calls)

    batches, sales = responses[0::2], responses[1::2]
    assert set(outcomes(batches)) <= {(201, None), (422, "INSUFFICIENT_STOCK")}, outcomes(batches)
    assert set(outcomes(sales)) <= {(201, None), (422, "NEGATIVE_QUANTITY")}, outcomes(sales)
    made_ = sum(r.status_code == 201 for r in batches)
    sold = sum(r.status_code == 201 for r in sales)
    # 8 x 2 + 8 x 1 wanted of 10: whichever won, the wood ran out exactly, never below.
    assert 2 * made_ + sold == 10
    assert assert_stock_is_its_history(api, wood, shop) == 0
    assert assert_stock_is_its_history(api, glue, shop) == 1000 - D("12.5") * made_
    assert assert_stock_is_its_history(api, chair, shop) == made_
    assert sum(produced(api, order) for order in orders) == made_
    for r in batches:
        if r.status_code == 201:
            assert sorted((m["item"], m["delta"]) for m in body(r)["movements"]) == \
                sorted([(wood, -2), (glue, D("-12.5")), (chair, 1)])


def test_batches_never_consume_stock_that_concurrent_reservations_hold(api):
    shop = new_location(api, "Shop", is_default=True)
    flour, bread = new_item(api, "FLOUR", unit="kg"), new_item(api, "BREAD")
    receive(api, flour, shop, 6)
    bill(api, "BREAD", [(flour, "0.5")])
    order = production_order(api, bread, 100)
    calls = []
    for _ in range(6):
        calls.append(lambda: make(api, order, 2))  # 1 kg each
        calls.append(lambda: api.post("/v1/reservations", json={"item": flour, "location": shop,
                                                                  "quantity": 1}))

    responses = at_once(calls)

    batches, holds = responses[0::2], responses[1::2]
    assert set(outcomes(batches)) <= {(201, None), (422, "INSUFFICIENT_STOCK")}, outcomes(batches)
    assert set(outcomes(holds)) <= {(201, None), (422, "INSUFFICIENT_STOCK")}, outcomes(holds)
    made_ = sum(r.status_code == 201 for r in batches)
    held = sum(r.status_code == 201 for r in holds)
    assert made_ + held == 6, "each took 1 kg of the 6: all of it, never more"
    level = next(lv for lv in shown(api, flour)["locations"] if lv["location"] == shop)
    assert (level["on_hand"], level["reserved"], level["available"]) == (6 - made_, held, 0)
    assert assert_stock_is_its_history(api, bread, shop) == 2 * made_


def test_batches_racing_a_change_of_the_bill_of_materials_each_consume_one_whole_bill(api):
    shop = new_location(api, "Shop", is_default=True)
    old, new = new_item(api, "OLD-PART"), new_item(api, "NEW-PART")
    gadget = new_item(api, "GADGET")
    receive(api, old, shop, 20)
    receive(api, new, shop, 20)
    bill(api, "GADGET", [(old, 1)])
    order = production_order(api, gadget, 100)
    calls = [lambda: make(api, order, 1) for _ in range(6)]
    calls.insert(3, lambda: api.put("/v1/items/GADGET/components", json=[{"item": new, "quantity": 2}]))

    responses = at_once(calls)

    change, batches = responses[3], responses[:3] + responses[4:]
    assert change.status_code == 200, change.text
    assert set(outcomes(batches)) <= {(201, None), (409, "INVALID_STATE")}, outcomes(batches)
    bills = Counter()
    for r in batches:
        if r.status_code == 201:
            consumed = sorted((m["item"], m["delta"]) for m in body(r)["movements"] if m["item"] != gadget)
            assert consumed in ([(old, -1)], [(new, -2)]), consumed
            bills[consumed[0][0]] += 1
    made_ = sum(bills.values())
    assert assert_stock_is_its_history(api, old, shop) == 20 - bills[old]
    assert assert_stock_is_its_history(api, new, shop) == 20 - 2 * bills[new]
    assert assert_stock_is_its_history(api, gadget, shop) == made_
    assert produced(api, order) == made_


# (c) a receipt racing sales of the same item


def test_a_receipt_racing_sales_of_the_same_item_keeps_every_unit_and_the_incoming(api):
    shop = new_location(api, "Shop", is_default=True)
    mug = new_item(api, "MUG", unit_cost="1.00")
    receive(api, mug, shop, 5)
    order = purchase_order(api, [(mug, 10)], supplier="Acme")
    calls = [lambda: receive_line(api, order, 4)] + [lambda: sell(api, mug, shop)] * 4

    responses = at_once(calls)

    assert [r.status_code for r in responses] == [200, 201, 201, 201, 201], [r.text for r in responses]
    row = shown(api, mug)
    assert (row["on_hand"], row["incoming"]) == (5 + 4 - 4, 6)
    assert assert_stock_is_its_history(api, mug, shop) == 5
    now = purchase_order_now(api, order)
    assert (now["status"], now["lines"][0]["received_quantity"], now["lines"][0]["remaining"]) == \
        ("partially_received", 4, 6)
    assert open_on_orders(api, mug) == 6


def test_the_last_receipt_of_an_order_racing_sales_leaves_nothing_incoming(api):
    shop = new_location(api, "Shop", is_default=True)
    mug = new_item(api, "JUG", unit_cost="1.00")
    receive(api, mug, shop, 5)  # 5 at 1.00
    r = api.post("/v1/purchase-orders", json={"lines": [{"item": mug, "quantity": 10, "unit_cost": "2.00"}]})
    assert r.status_code == 201, r.text
    order = r.json()
    assert api.post(f"/v1/purchase-orders/{order['id']}/order").status_code == 200
    calls = [lambda: api.post(f"/v1/purchase-orders/{order['id']}/receive")] + \
        [lambda: sell(api, mug, shop, 3)] * 3  # 9: more than the 5 there were, less than 15

    responses = at_once(calls)

    receipt, sales = responses[0], responses[1:]
    assert receipt.status_code == 200, receipt.text
    assert set(outcomes(sales)) <= {(201, None), (422, "NEGATIVE_QUANTITY")}, outcomes(sales)
    sold = 3 * sum(r.status_code == 201 for r in sales)
    assert sold >= 3  # at least one sale fits the 5 there were before the receipt
    row = shown(api, mug)
    assert (row["on_hand"], row["incoming"]) == (5 + 10 - sold, 0)
    assert assert_stock_is_its_history(api, mug, shop) == 5 + 10 - sold
    # The moving average weighs the on-hand the receipt found under its lock: all 5 at 1.00 if it
    # came first, else the 2 left after one sale of 3: (5 + 20) / 15 or (2 + 20) / 12.
    [receipt_movement] = body(receipt)["movements"]
    found = receipt_movement["before"]
    assert found in (5, 2), receipt_movement
    assert D(row["average_cost"]) == {5: D("1.6667"), 2: D("1.8333")}[found], (row["average_cost"], found)
    now = purchase_order_now(api, order)
    assert (now["status"], now["lines"][0]["received_quantity"], now["lines"][0]["remaining"]) == \
        ("received", 10, 0)


# (d) receipts of one line racing each other


@pytest.mark.parametrize(
    ("quantities", "allowed"),
    [
        ((6, 6), {(422, "OVER_RECEIPT")}),
        ((10, 10), {(409, "INVALID_STATE")}),
        ((7, 10), {(422, "OVER_RECEIPT"), (409, "INVALID_STATE")}),
    ],
    ids=["partial and partial", "all and all", "partial and all"],
)
def test_two_receipts_of_one_line_that_together_exceed_it_receive_only_one(api, quantities, allowed):
    shop = new_location(api, "Shop", is_default=True)
    box = new_item(api, "BOX", unit_cost="1.00")
    order = purchase_order(api, [(box, 10)])

    responses = at_once([lambda q=q: receive_line(api, order, q) for q in quantities])

    [accepted] = [r for r in responses if r.status_code == 200]
    [refused] = [r for r in responses if r.status_code != 200]
    assert set(outcomes([refused])) <= allowed, refused.text
    got = body(accepted)["purchase_order"]["lines"][0]["received_quantity"]
    assert got in quantities
    if error_code(refused) == "OVER_RECEIPT":
        [over] = body(refused)["error"]["lines"]
        assert (over["ordered"], over["received"], over["remaining"]) == (10, got, 10 - got)
    now = purchase_order_now(api, order)
    assert now["lines"][0]["received_quantity"] == got <= 10
    assert now["status"] == ("received" if got == 10 else "partially_received")
    row = shown(api, box)
    assert (row["on_hand"], row["incoming"]) == (got, 10 - got)
    assert assert_stock_is_its_history(api, box, shop) == got


def error_code(r) -> str:
    return r.json()["error"]["code"]


def test_many_receipts_of_one_line_receive_what_was_ordered_and_no_more(api):
    shop = new_location(api, "Shop", is_default=True)
    nail = new_item(api, "NAIL", unit_cost="0.10")
    order = purchase_order(api, [(nail, 10)])

    responses = at_once([lambda: receive_line(api, order, 3) for _ in range(6)])

    # 3 + 3 + 3 fit in 10; any later one finds 1 open.
    assert outcomes(responses) == Counter({(200, None): 3, (422, "OVER_RECEIPT"): 3}), \
        [r.text for r in responses]
    now = purchase_order_now(api, order)
    assert (now["status"], now["lines"][0]["received_quantity"], now["lines"][0]["remaining"]) == \
        ("partially_received", 9, 1)
    assert (shown(api, nail)["on_hand"], shown(api, nail)["incoming"]) == (9, 1)
    assert assert_stock_is_its_history(api, nail, shop) == 9


# (e) placing, cancelling and receiving orders of one item while it sells


def test_orders_placed_cancelled_and_received_concurrently_leave_incoming_equal_to_the_open_lines(api):
    shop = new_location(api, "Shop", is_default=True)
    tape, glue = new_item(api, "TAPE"), new_item(api, "PASTE")
    receive(api, tape, shop, 20)
    drafts = [purchase_order(api, [(tape, k + 1), (glue, "0.5")], place=False) for k in range(6)]
    placed = purchase_order(api, [(tape, 7)])
    partly = purchase_order(api, [(tape, 11)])
    writes = [lambda d=d: api.post(f"/v1/purchase-orders/{d['id']}/order") for d in drafts]
    writes += [lambda: sell(api, tape, shop, 2) for _ in range(4)]
    writes += [lambda: api.post(f"/v1/purchase-orders/{placed['id']}/cancel"),
               lambda: receive_line(api, partly, 4)]

    responses = at_once(writes)

    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses if r.status_code >= 300]
    # 1 + … + 6 ordered, 7 cancelled, 11 - 4 still open on the partly received order
    tape_row, glue_row = shown(api, tape), shown(api, glue)
    assert (tape_row["incoming"], glue_row["incoming"]) == (21 + 7, 3)
    assert (open_on_orders(api, tape), open_on_orders(api, glue)) == (28, 3)
    assert tape_row["on_hand"] == 20 - 8 + 4
    stocked = {row["sku"]: row["incoming"] for row in body(api.get("/v1/stock", params={"q": "TAPE"}))["data"]}
    assert stocked == {"TAPE": 28}
    assert assert_stock_is_its_history(api, tape, shop) == 16


def test_orders_of_different_variants_placed_and_received_at_once_keep_the_parents_incoming_their_sum(api):
    shop = new_location(api, "Shop", is_default=True)
    sizes = ["S", "M", "L", "XL"]
    r = api.post("/v1/items", json={"sku": "TEE", "name": "Tee", "variants": [
        {"sku": f"TEE-{size}", "attributes": {"size": size}, "initial_stock": [{"quantity": 4}]} for size in sizes]})
    assert r.status_code == 201, r.text
    drafts = [purchase_order(api, [(f"TEE-{size}", 3 + k)], place=False) for k, size in enumerate(sizes)]
    placed = [purchase_order(api, [(f"TEE-{size}", 10)]) for size in sizes]
    writes = [lambda d=d: api.post(f"/v1/purchase-orders/{d['id']}/order") for d in drafts]
    writes += [lambda o=o: receive_line(api, o, 6) for o in placed]
    writes += [lambda size=size: sell(api, f"TEE-{size}", shop) for size in sizes]

    responses = at_once(writes)

    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses if r.status_code >= 300]
    variants = {size: shown(api, f"TEE-{size}") for size in sizes}
    assert {size: (v["on_hand"], v["incoming"]) for size, v in variants.items()} == \
        {size: (4 + 6 - 1, 3 + k + 4) for k, size in enumerate(sizes)}
    parent = shown(api, "TEE")
    assert (parent["on_hand"], parent["incoming"]) == (4 * 9, sum(v["incoming"] for v in variants.values()))
    assert parent["incoming"] == 3 + 4 + 5 + 6 + 4 * 4
    for size in sizes:
        assert open_on_orders(api, variants[size]["id"]) == variants[size]["incoming"]


def test_receipts_and_batches_touching_the_same_items_in_opposite_orders_never_deadlock(api):
    shop = new_location(api, "Shop", is_default=True)
    a, b = new_item(api, "OPP-A"), new_item(api, "OPP-B")
    kit = new_item(api, "OPP-KIT")
    receive(api, a, shop, 8)
    receive(api, b, shop, 8)
    bill(api, "OPP-KIT", [(b, 1), (a, 1)])
    forwards = [purchase_order(api, [(a, 2), (b, 2)]) for _ in range(4)]
    backwards = [purchase_order(api, [(b, 3), (a, 3)]) for _ in range(4)]
    order = production_order(api, kit, 100)
    calls = [lambda o=o: api.post(f"/v1/purchase-orders/{o['id']}/receive") for o in forwards + backwards]
    calls += [lambda: make(api, order, 2) for _ in range(8)]

    responses = at_once(calls)

    receipts, batches = responses[:8], responses[8:]
    assert [r.status_code for r in receipts] == [200] * 8, [r.text for r in receipts if r.status_code != 200]
    assert set(outcomes(batches)) <= {(201, None), (422, "INSUFFICIENT_STOCK")}, outcomes(batches)
    made_ = sum(r.status_code == 201 for r in batches)
    assert made_ >= 4  # the 8 there were before any receipt make 4 batches of 2 at least
    for component in (a, b):
        row = shown(api, component)
        assert (row["on_hand"], row["incoming"]) == (8 + 4 * 2 + 4 * 3 - 2 * made_, 0)
        assert assert_stock_is_its_history(api, component, shop) == row["on_hand"]
    assert assert_stock_is_its_history(api, kit, shop) == 2 * made_
    assert produced(api, order) == 2 * made_


def test_placing_one_draft_twice_at_once_counts_it_incoming_once(api):
    new_location(api, "Shop", is_default=True)
    pen = new_item(api, "PEN")
    draft = purchase_order(api, [(pen, 5)], place=False)

    responses = at_once([lambda: api.post(f"/v1/purchase-orders/{draft['id']}/order") for _ in range(4)])

    assert outcomes(responses) == Counter({(200, None): 1, (409, "INVALID_STATE"): 3}), \
        [r.text for r in responses]
    assert shown(api, pen)["incoming"] == 5


def test_a_cancel_racing_a_receipt_of_the_same_order_lets_only_one_through(api):
    shop = new_location(api, "Shop", is_default=True)
    cup = new_item(api, "CUP")
    order = purchase_order(api, [(cup, 8)])

    responses = at_once([lambda: receive_line(api, order, 3),
                         lambda: api.post(f"/v1/purchase-orders/{order['id']}/cancel")])

    received, cancelled = responses
    now = purchase_order_now(api, order)
    if received.status_code == 200:
        assert error_code(cancelled) == "INVALID_STATE" and cancelled.status_code == 409, cancelled.text
        assert (now["status"], shown(api, cup)["on_hand"], shown(api, cup)["incoming"]) == \
            ("partially_received", 3, 5)
    else:
        assert (received.status_code, error_code(received), cancelled.status_code) == \
            (409, "INVALID_STATE", 200), [received.text, cancelled.text]
        assert (now["status"], shown(api, cup)["on_hand"], shown(api, cup)["incoming"]) == ("cancelled", 0, 0)
    assert_stock_is_its_history(api, cup, shop)


# (f) reversals racing batches and sales


def test_reversing_one_batch_twice_at_once_gives_the_components_back_once(api):
    shop = new_location(api, "Shop", is_default=True)
    leg, lamp = new_item(api, "LEG"), new_item(api, "LAMP")
    receive(api, leg, shop, 12)
    bill(api, "LAMP", [(leg, 3)])
    order = production_order(api, lamp, 4)
    batch = made(api, order, 4)

    responses = at_once([lambda: api.delete(f"/v1/batches/{batch}") for _ in range(3)])

    assert outcomes(responses) == Counter({(204, None): 1, (404, "BATCH_NOT_FOUND"): 2}), \
        [r.text for r in responses if r.status_code != 204]
    assert (assert_stock_is_its_history(api, leg, shop), assert_stock_is_its_history(api, lamp, shop)) == (12, 0)
    assert produced(api, order) == 0
    r = api.get("/v1/stock/movements", params={"batch": batch, "reason": "production_reversal"})
    assert len(r.json()["data"]) == 2


def test_a_reversal_racing_a_batch_for_the_components_it_gives_back_never_goes_negative(api):
    shop = new_location(api, "Shop", is_default=True)
    leg, table = new_item(api, "TLEG"), new_item(api, "TABLE")
    receive(api, leg, shop, 4)
    bill(api, "TABLE", [(leg, 4)])
    order = production_order(api, table, 2)
    first = made(api, order, 1)  # every leg used

    reversal, batch = at_once([lambda: api.delete(f"/v1/batches/{first}"), lambda: make(api, order, 1)])

    assert reversal.status_code == 204, reversal.text
    assert batch.status_code in (201, 422), batch.text
    second = batch.status_code == 201
    if not second:
        assert error_code(batch) == "INSUFFICIENT_STOCK"
    assert assert_stock_is_its_history(api, leg, shop) == (0 if second else 4)
    assert assert_stock_is_its_history(api, table, shop) == (1 if second else 0)
    assert produced(api, order) == (1 if second else 0)


def test_a_reversal_racing_a_sale_of_the_output_lets_only_one_through(api):
    shop = new_location(api, "Shop", is_default=True)
    bead, necklace = new_item(api, "BEAD"), new_item(api, "NECKLACE")
    receive(api, bead, shop, 30)
    bill(api, "NECKLACE", [(bead, 10)])
    order = production_order(api, necklace, 3)
    batch = made(api, order, 3)

    reversal, sale = at_once([lambda: api.delete(f"/v1/batches/{batch}"), lambda: sell(api, necklace, shop)])

    if reversal.status_code == 204:
        assert (sale.status_code, error_code(sale)) == (422, "NEGATIVE_QUANTITY"), sale.text
        expected = {bead: 30, necklace: 0}
        assert produced(api, order) == 0
    else:
        assert (reversal.status_code, error_code(reversal), sale.status_code) == \
            (422, "INSUFFICIENT_STOCK", 201), [reversal.text, sale.text]
        expected = {bead: 0, necklace: 2}
        assert produced(api, order) == 3
        assert api.get(f"/v1/batches/{batch}").json()["reversed_at"] is None
    assert {i: assert_stock_is_its_history(api, i, shop) for i in (bead, necklace)} == expected


def test_reversals_racing_sales_of_the_output_and_new_batches_keep_every_level_explained(api):
    shop = new_location(api, "Shop", is_default=True)
    cord, lace = new_item(api, "CORD", unit="m"), new_item(api, "LACE")
    receive(api, cord, shop, 10)
    bill(api, "LACE", [(cord, "0.5")])
    order = production_order(api, lace, 30)
    batches = [made(api, order, 4) for _ in range(4)]  # 16 laces, 8 m of cord used, 2 m left
    calls = [lambda b=b: api.delete(f"/v1/batches/{b}") for b in batches]
    calls += [lambda: sell(api, lace, shop, 3) for _ in range(3)]
    calls += [lambda: make(api, order, 2) for _ in range(3)]

    responses = at_once(calls)

    reversals, sales, new = responses[:4], responses[4:7], responses[7:]
    assert set(outcomes(reversals)) <= {(204, None), (422, "INSUFFICIENT_STOCK")}, outcomes(reversals)
    assert set(outcomes(sales)) <= {(201, None), (422, "NEGATIVE_QUANTITY")}, outcomes(sales)
    assert set(outcomes(new)) <= {(201, None), (422, "INSUFFICIENT_STOCK")}, outcomes(new)
    reversed_, sold, made_ = (sum(r.status_code < 300 for r in group) for group in (reversals, sales, new))
    assert assert_stock_is_its_history(api, lace, shop) == 16 - 4 * reversed_ - 3 * sold + 2 * made_
    assert assert_stock_is_its_history(api, cord, shop) == 2 + 2 * reversed_ - made_
    assert produced(api, order) == 16 - 4 * reversed_ + 2 * made_
