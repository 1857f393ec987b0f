"""The overview's chart of on-hand over 30 days (issue 9) is the ledger's own answer: each day's
point equals the stock as at that day's end (`GET /v1/stock?as_of=`), including movements
recorded late (backdated), and stays so as new movements arrive (the per-process running totals
are brought up to date from the movements numbered since)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from storekeeper.services import dashboard


def ok(r):
    assert r.status_code in (200, 201), r.text
    return r.json()


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def as_of_total(api, moment: datetime) -> Decimal:
    rows = ok(api.get(f"/v1/stock?as_of={stamp(moment)}&limit=1000"))["data"]
    return sum((Decimal(str(r["on_hand"])) for r in rows), Decimal(0))


def check_series(db, workspace, now: datetime) -> None:
    series = dashboard.on_hand_series(db, workspace.id, days=30, now=now)
    assert len(series) == 30 and series[-1][0] == now.date()
    for day, value in series[:-1]:
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC) - timedelta(milliseconds=1)
        assert value == as_of_total(workspace.api, end), day
    assert series[-1][1] == as_of_total(workspace.api, now)


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
    series = dashboard.on_hand_series(db, workspace.id, days=30, item_id=lamp["id"])
    assert [v for _, v in series[-7:]] == [0, 10, 10, 10, 10, 10, 10]  # received 5 days ago
