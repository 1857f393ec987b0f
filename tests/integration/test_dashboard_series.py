"""The overview's chart of on-hand over 30 days (issue 9) is the ledger's own answer: each day's
point equals the stock as at that day's end (`GET /v1/stock?as_of=`), including movements
recorded late (backdated), and stays so as new movements arrive. One series per unit: metres of
rope are never added to lamps (issue 22)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from storekeeper.services import dashboard


def ok(r):
    assert r.status_code in (200, 201), r.text
    return r.json()


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def as_of_total(api, moment: datetime, unit: str) -> Decimal:
    units = {r["sku"]: r["unit"] for r in ok(api.get("/v1/items?limit=1000"))["data"]}
    rows = ok(api.get(f"/v1/stock?as_of={stamp(moment)}&limit=1000"))["data"]
    return sum((Decimal(str(r["on_hand"])) for r in rows if units[r["sku"]] == unit), Decimal(0))


def check_series(db, workspace, now: datetime) -> None:
    by_unit = dashboard.on_hand_series(db, workspace.id, days=30, now=now)
    assert list(by_unit) == ["pcs", "m"]  # pieces first
    for unit, series in by_unit.items():
        assert len(series) == 30 and series[-1][0] == now.date()
        for day, value in series[:-1]:
            end = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC) - timedelta(milliseconds=1)
            assert value == as_of_total(workspace.api, end, unit), (unit, day)
        assert series[-1][1] == as_of_total(workspace.api, now, unit)


def test_each_point_is_the_stock_as_at_that_days_end(db, workspace):
    api = workspace.api
    ok(api.post("/v1/locations", json={"name": "Main"}))
    ok(api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp"}))
    ok(api.post("/v1/items", json={"sku": "ROPE", "name": "Rope", "unit": "m"}))
    now = datetime.now(UTC)
    for days_ago, sku, reason, delta in ((45, "LAMP", "receipt", 50), (20, "LAMP", "sale", -3), (20, "ROPE", "receipt",
                                         "12.5"), (9, "LAMP", "sale", -4), (3, "ROPE", "loss", "-0.25"),
                                        (0, "LAMP", "receipt", 6)):
        ok(api.post("/v1/stock/adjustments", json={"item": sku, "reason": reason, "delta": delta,
                                                   "occurred_at": stamp(now - timedelta(days=days_ago))}))
    check_series(db, workspace, datetime.now(UTC))
    # Later movements, one recorded late into the middle of the period: the running totals follow.
    ok(api.post("/v1/stock/adjustments", json={"item": "ROPE", "reason": "receipt", "delta": 2,
                                               "occurred_at": stamp(now - timedelta(days=15))}))
    ok(api.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "sale", "delta": -1}))
    check_series(db, workspace, datetime.now(UTC))


def test_one_items_series_is_its_own(db, workspace):
    api = workspace.api
    ok(api.post("/v1/locations", json={"name": "Main"}))
    lamp = ok(api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp"}))
    ok(api.post("/v1/items", json={"sku": "ROPE", "name": "Rope"}))
    now = datetime.now(UTC)
    ok(api.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "receipt", "delta": 10,
                                               "occurred_at": stamp(now - timedelta(days=5))}))
    ok(api.post("/v1/stock/adjustments", json={"item": "ROPE", "reason": "receipt", "delta": 99}))
    series = dashboard.item_on_hand_series(db, workspace.id, lamp["id"], days=30)
    assert [v for _, v in series[-7:]] == [0, 10, 10, 10, 10, 10, 10]  # received 5 days ago


def test_a_relabelled_unit_moves_the_items_whole_history_to_it(db, workspace):
    """compat/inventora relabels a stocked item's unit (its quantities keep their numbers): the
    item's stock and every day of its history move from the old unit's totals to the new one's,
    and `storekeeper check` recounts the same."""
    from storekeeper.persistence import totals
    from storekeeper.persistence.tables import items
    from storekeeper.services.check import check

    api = workspace.api
    ok(api.post("/v1/items", json={"sku": "WAX", "name": "Wax", "unit_cost": "2"}))
    ok(api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp"}))
    now = datetime.now(UTC)
    for sku, delta, days_ago in (("WAX", 40, 6), ("WAX", -5, 2), ("LAMP", 3, 1)):
        when = stamp(now - timedelta(days=days_ago))
        ok(api.post("/v1/stock/adjustments", json={"item": sku, "reason": "receipt" if delta > 0 else "sale",
                                                   "delta": delta, "occurred_at": when}))
    with db.write() as conn:  # as the inventora facade does: the unit alone
        conn.execute(items.update().where(items.c.workspace_id == workspace.id, items.c.sku == "WAX").values(unit="kg"))
    assert check(db, workspace.id)[1] == []
    by_unit = dashboard.on_hand_series(db, workspace.id, days=30, now=now)
    assert [v for _, v in by_unit["kg"][-8:]] == [0, 40, 40, 40, 40, 35, 35, 35]
    assert [v for _, v in by_unit["pcs"][-3:]] == [0, 3, 3]
    with db.read() as conn:
        kept, _ = totals.by_location(conn, workspace.id)
    (home,) = kept.values()  # the default location
    assert home.on_hand == {"pcs": Decimal(3), "kg": Decimal(35)} and home.value == Decimal(70)
