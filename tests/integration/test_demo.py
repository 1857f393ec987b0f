"""`storekeeper serve --demo` (issue 8): the sample workspace a first-time user explores.

It is loaded once per test worker, on SQLite and PostgreSQL, through the service layer, and read
back over HTTP with the admin key it comes with, as a user would read it.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from storekeeper.services import workspaces
from storekeeper.services.check import check
from storekeeper.services.demo import DEMO_NAME, load_demo
from tests.conftest import Api


@pytest.fixture(scope="module")
def demo(db, client) -> tuple[str, Api]:
    workspace_id, key = load_demo(db)
    return workspace_id, Api(client, key)


def _get(api: Api, path: str, **params):
    r = api.get(path, params=params)
    assert r.status_code == 200, r.text
    return json.loads(r.text, parse_float=Decimal)  # quantities are exact decimals


def _movements(api: Api) -> list[dict]:
    page = _get(api, "/v1/stock/movements", limit=1000)
    assert not page["meta"]["has_more"], "the demo has more movements than one page holds"
    return page["data"]


def _at(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def test_demo_has_two_warehouses_a_store_a_workshop_and_a_read_only_marketplace_location(demo):
    _ws, api = demo
    places = {p["name"]: p for p in _get(api, "/v1/locations", limit=100)["data"]}
    assert sorted(p["name"] for p in places.values() if p["type"] == "warehouse") == [
        "Hamburg warehouse", "Main warehouse"]
    assert places["Main warehouse"]["is_default"]
    assert places["Berlin store"]["type"] == "store"
    assert places["Workshop"]["type"] == "production"
    marketplace = places["Amazon FBA EU"]
    assert (marketplace["type"], marketplace["read_only"], marketplace["marketplace"]) == (
        "external", True, "amazon_eu")
    candles = _get(api, "/v1/stock/CANDLE-VAN")
    held = {level["name"]: Decimal(level["on_hand"]) for level in candles["locations"]}
    assert held["Hamburg warehouse"] > 0 and held["Amazon FBA EU"] > 0


def test_demo_candles_have_a_bill_of_materials_the_t_shirt_has_variants_and_the_gift_set_is_a_bundle(demo):
    _ws, api = demo
    for candle in ("CANDLE-VAN", "CANDLE-LAV"):
        bill = {line["sku"]: Decimal(line["quantity_in_component_unit"])
                for line in _get(api, f"/v1/items/{candle}/components")}
        assert bill == {"WAX-SOY": Decimal("0.18"), "WICK-COTTON": 1, "JAR-250": 1}
    variants = _get(api, "/v1/items/TSHIRT-LOGO/variants")["data"]
    assert sorted(v["sku"] for v in variants) == ["TSHIRT-LOGO-L", "TSHIRT-LOGO-M", "TSHIRT-LOGO-S"]
    gift_set = _get(api, "/v1/items/GIFT-SET")
    assert gift_set["tracking"] == "bundle"
    assert {line["sku"] for line in _get(api, "/v1/items/GIFT-SET/components")} == {
        "CANDLE-VAN", "CANDLE-LAV", "GIFT-WRAP"}


def test_demo_has_hundreds_of_movements_of_every_kind_over_two_months(demo):
    _ws, api = demo
    moves = _movements(api)
    assert len(moves) >= 300
    moments = [_at(m["occurred_at"]) for m in moves]
    assert max(moments) - min(moments) > timedelta(days=30)
    reasons = Counter(m["reason"] for m in moves)
    assert reasons["sale"] >= 100
    for reason in ("initial", "receipt", "count", "transfer_out", "transfer_in", "production_consumption",
                   "production_output"):
        assert reasons[reason] > 0, reason
    assert reasons["damage"] + reasons["loss"] + reasons["theft"] > 0
    assert any(m["bundle"] for m in moves), "a gift set was sold"
    synced = [m for m in moves if m["location"] == _amazon(api)]
    assert synced and {m["reason"] for m in synced} == {"count"}
    assert {m["actor"]["name"] for m in synced} == {"Amazon sync"}


def _amazon(api: Api) -> str:
    return next(p["id"] for p in _get(api, "/v1/locations", limit=100)["data"] if p["read_only"])


def test_demo_stock_was_never_negative_on_any_day_of_its_history(demo):
    _ws, api = demo
    moves = _movements(api)
    assert all(Decimal(m["after"]) >= 0 for m in moves)
    first = min(_at(m["occurred_at"]) for m in moves)
    for days in range(0, 61, 6):
        as_of = (first + timedelta(days=days)).isoformat().replace("+00:00", "Z")
        for row in _get(api, "/v1/stock", as_of=as_of, limit=1000)["data"]:
            assert all(Decimal(level["on_hand"]) >= 0 for level in row["locations"]), (as_of, row)


def test_demo_has_open_purchase_orders_and_a_production_order_under_way(demo):
    _ws, api = demo
    orders = _get(api, "/v1/purchase-orders", limit=100)["data"]
    assert {"draft", "ordered", "partially_received"} <= {o["status"] for o in orders}
    assert _get(api, "/v1/purchase-orders/PO-000001")["status"] == "partially_received"
    (made,) = _get(api, "/v1/production-orders", limit=100)["data"]
    assert made["status"] == "in_progress"
    assert all(0 < Decimal(line["produced_quantity"]) < Decimal(line["quantity"]) for line in made["lines"])
    assert sum(len(line["batches"]) for line in made["lines"]) >= 2


def test_demo_items_end_in_a_mix_of_statuses_so_the_reorder_report_has_content(demo):
    _ws, api = demo
    statuses = {i["sku"]: i["status"] for i in _get(api, "/v1/items", limit=1000)["data"]}
    assert {"normal", "low", "out_of_stock"} <= set(statuses.values())
    reorder = _get(api, "/v1/reports/reorder", limit=1000)["data"]
    assert len(reorder) >= 3
    assert {row["status"] for row in reorder} >= {"low", "out_of_stock"}
    assert any(Decimal(row["incoming"]) > 0 for row in reorder), "some of what runs low is on order"


def test_the_ledger_explains_every_unit_of_the_demo(db, demo):
    workspace_id, _api = demo
    levels, mismatches = check(db, workspace_id)
    assert levels > 0
    assert mismatches == []


def test_loading_the_demo_again_reuses_its_workspace_with_a_new_key(db, client, demo):
    workspace_id, api = demo
    before = len(_movements(api))
    again, key = load_demo(db)
    assert again == workspace_id
    assert [w["workspace_id"] for w in workspaces.list_workspaces(db) if w["name"] == DEMO_NAME] == [workspace_id]
    assert len(_movements(Api(client, key))) == before
