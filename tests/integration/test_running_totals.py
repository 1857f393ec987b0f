"""The dashboard's running totals (migration 0011: per location and by status, kept by triggers)
always equal what they sum, on both databases: after every kind of change that moves them
(stock in and out, fractional quantities, costs that change, items deleted and restored), after
being folded, under many concurrent writers and folds, and beyond 64 bits of value. Each step is
judged by `storekeeper check`, which recounts them from the levels and items, and the stock value
by the exact valuation report."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from storekeeper.persistence import totals
from storekeeper.services import dashboard
from storekeeper.services.check import check
from tests.concurrency import adjust, at_once, new_item, new_location, receive


def ok(r):
    assert r.status_code in (200, 201, 204), r.text
    return r.json() if r.status_code != 204 else None


def assert_totals_hold(db, workspace, api) -> dict:
    """check() finds nothing, the overview's figures equal the API's own answers; the value."""
    _, mismatches = check(db, workspace.id)
    assert [str(m) for m in mismatches] == []
    report = ok(api.get("/v1/reports/valuation"))
    value = dashboard.stock_value(db, workspace.id)
    assert value["value"] == Decimal(str(report["total_value"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert value["uncosted_levels"] == report["uncosted_levels"]
    figures = dashboard.stock_by_location(db, workspace.id, [row["location"] for row in report["by_location"]])
    for row in report["by_location"]:
        assert figures[row["location"]][0] == row["levels"]
    counts = dashboard.status_counts(db, workspace.id)
    listed = {}
    for status in ("normal", "low", "critical", "out_of_stock"):
        listed[status] = ok(api.get("/v1/items", params={"status": status, "limit": 1, "include_total": "true"}))
    for status, page in listed.items():
        assert counts[status] == page["meta"]["total"], status
    return value


def test_a_random_day_of_changes_keeps_every_total_equal_to_what_it_sums(db, workspace):
    api = workspace.api
    rnd = random.Random(20261203)
    places = [new_location(api, name) for name in ("Main", "Shop", "Van")]
    skus = []
    for n in range(12):
        fields = {"reorder_point": rnd.choice([0, 5, 20])}
        if n % 3:
            fields["unit_cost"] = str(Decimal(rnd.randint(1, 99999)) / 100)
        if n % 4 == 0:
            fields["unit"] = "kg"
        skus.append(new_item(api, f"T-{n}", **fields))
    deleted: set[str] = set()
    for step in range(160):
        item = rnd.choice(skus)
        place = rnd.choice(places)
        kind = rnd.random()
        fractional = skus.index(item) % 4 == 0
        quantity = (Decimal(rnd.randint(1, 40_000)) / 1000) if fractional else Decimal(rnd.randint(1, 40))
        if item in deleted:
            if kind < 0.5:
                ok(api.post(f"/v1/items/{item}/restore"))
                deleted.discard(item)
            continue
        if kind < 0.35:  # a receipt at a cost moves the average cost of the stock already there
            change = {"delta": str(quantity)}
            if rnd.random() < 0.7:
                change["unit_cost"] = str(Decimal(rnd.randint(1, 500_000)) / 1000)
            ok(adjust(api, item, place, "receipt", **change))
        elif kind < 0.6:
            r = adjust(api, item, place, "sale", delta=str(-quantity))
            assert r.status_code in (201, 409, 422), r.text
        elif kind < 0.7:
            ok(adjust(api, item, place, "count", set=str(quantity if rnd.random() < 0.8 else 0)))
        elif kind < 0.8:
            r = api.post("/v1/stock/transfers", json={"item": item, "from": place,
                                                      "to": rnd.choice([p for p in places if p != place]),
                                                      "quantity": str(quantity)})
            assert r.status_code in (201, 409, 422), r.text
        elif kind < 0.88:
            cost = None if rnd.random() < 0.2 else str(Decimal(rnd.randint(0, 90_000)) / 100)
            ok(api.patch(f"/v1/items/{item}", json={"unit_cost": cost}))
        elif kind < 0.93:
            ok(api.delete(f"/v1/items/{item}"))
            deleted.add(item)
        else:
            ok(api.patch(f"/v1/items/{item}", json={"reorder_point": rnd.choice([0, 3, 50])}))
        if step % 20 == 19:
            assert_totals_hold(db, workspace, api)
            if step % 40 == 19:
                with db.write() as conn:
                    totals.fold(conn, workspace.id)
    before = assert_totals_hold(db, workspace, api)
    assert before["value"] > 0
    with db.read() as conn:
        _, rows = totals.by_location(conn, workspace.id)
    assert rows > len(places)  # many change rows since the last fold ...
    with db.write() as conn:
        totals.fold(conn, workspace.id)
    with db.read() as conn:
        kept, rows = totals.by_location(conn, workspace.id)
    # ... folded into one per location and unit (pieces and kilograms apart), the same sums
    assert rows == sum(len(t.on_hand) for t in kept.values()) <= 2 * len(places)
    assert assert_totals_hold(db, workspace, api) == before


def test_the_worker_folds_and_a_reader_folds_what_the_worker_has_not(db, workspace):
    api = workspace.api
    place = new_location(api, "Main", is_default=True)
    item = new_item(api, "LAMP", unit_cost="2.50")
    for _ in range(30):
        receive(api, item, place, 1)
    with db.read() as conn:
        _, rows = totals.by_location(conn, workspace.id)
    assert rows == 30
    with db.read() as conn:  # (the test database holds other tests' workspaces too)
        assert workspace.id not in totals.workspaces_to_fold(conn)  # few rows: left for later
    for _ in range(80):
        receive(api, item, place, 1)
    with db.read() as conn:
        assert workspace.id in totals.workspaces_to_fold(conn)
    assert dashboard.fold_totals(db) >= 1
    with db.read() as conn:
        kept, rows = totals.by_location(conn, workspace.id)
        statuses, status_rows = totals.by_status(conn, workspace.id)
    assert rows == 1 and kept[place].on_hand == {"pcs": 110} and kept[place].value == Decimal("275")
    assert status_rows == 1 and statuses == {"normal": 1}
    old = totals.FOLD_AFTER_ROWS
    totals.FOLD_AFTER_ROWS = 10
    try:
        for _ in range(12):
            receive(api, item, place, 1)
        assert dashboard.stock_value(db, workspace.id)["value"] == Decimal("305.00")
    finally:
        totals.FOLD_AFTER_ROWS = old
    with db.read() as conn:
        _, rows = totals.by_location(conn, workspace.id)
    assert rows == 1


def test_a_value_beyond_64_bits_is_kept_exactly(db, workspace):
    api = workspace.api
    place = new_location(api, "Vault")
    # 10**9 units at 123,456,789.1234 each: 1.2 * 10**17 money, 1.2 * 10**29 in 10**-12. (An
    # average cost is kept to 4 places.)
    gold = new_item(api, "GOLD", unit_cost="123456789.1234")
    dust = new_item(api, "DUST", unit="g", unit_cost="0.0001")
    ok(adjust(api, gold, place, "receipt", delta="1000000000"))
    ok(adjust(api, dust, place, "receipt", delta="0.000001"))
    ok(adjust(api, gold, place, "sale", delta="-0.5"))
    value = assert_totals_hold(db, workspace, api)
    exact = Decimal("999999999.5") * Decimal("123456789.1234") + Decimal("0.000001") * Decimal("0.0001")
    assert value["value"] == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    with db.read() as conn:
        kept, _ = totals.by_location(conn, workspace.id)
    assert kept[place].value == exact


def test_many_concurrent_writers_and_folds_lose_and_double_count_nothing(db, workspace):
    """32 clients at once: receipts, sales, transfers between two locations (each writer takes
    its two levels in its own order), cost changes and folds. Afterwards the totals equal what
    they sum, and no writer failed or deadlocked."""
    api = workspace.api
    here, there = new_location(api, "Here"), new_location(api, "There")
    things = [new_item(api, f"C-{n}", unit_cost=f"{n + 1}.25", reorder_point=30) for n in range(4)]
    for item in things:
        receive(api, item, here, 100)
        receive(api, item, there, 100)

    def writer(n):
        def call():
            item = things[n % len(things)]
            if n % 8 == 7:
                with db.write() as conn:
                    totals.fold(conn, workspace.id)
                return 201
            if n % 8 == 6:
                return api.patch(f"/v1/items/{item}", json={"unit_cost": f"{n}.5"}).status_code
            if n % 4 == 0:
                return api.post("/v1/stock/transfers", json={
                    "item": item, "from": here if n % 8 else there, "to": there if n % 8 else here,
                    "quantity": "3"}).status_code
            reason, delta = ("receipt", "7") if n % 2 else ("sale", "-9")
            return adjust(api, item, here if n % 3 else there, reason, delta=delta).status_code
        return call

    for _ in range(3):
        codes = at_once([writer(n) for n in range(32)])
        assert set(codes) <= {200, 201}, codes
        assert_totals_hold(db, workspace, api)
