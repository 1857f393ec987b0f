"""A movement's free-text `label` beside its reason (what another system calls the change, such
as `supplier_receipt` or `cycle_count`): written by adjustments (single and bulk, `delta` and
`set`), transfers and fulfilments, shown on every movement and in the change feed, matched
exactly by the movement lists' `label` filter, refused when empty, too long or holding control
characters — and no statement dearer than a change without one."""

from __future__ import annotations

import io
from csv import DictReader

import pytest

from storekeeper.domain.errors import ValidationFailed
from storekeeper.services import stock
from storekeeper.services.context import SystemActor
from storekeeper.services.stock import Adjustment
from tests.factories import error, item, location
from tests.sql_counting import statements


def ok(r, status: int = 201) -> dict:
    assert r.status_code == status, r.text
    return r.json()


def adjust(api, **body) -> dict:
    return ok(api.post("/v1/stock/adjustments", json=body))


def listed(api, path: str = "/v1/stock/movements", **params) -> list[dict]:
    return ok(api.get(path, params=params), 200)["data"]


def labels(movements: list[dict]) -> list[str | None]:
    return [m["label"] for m in movements]


@pytest.fixture
def stocked(api):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    item(api, "LAMP")
    item(api, "ROPE", unit="m")
    return api


def test_an_adjustment_keeps_its_label_with_delta_and_with_set(stocked):
    api = stocked
    received = adjust(api, item="LAMP", reason="receipt", delta=10, label="supplier_receipt")
    counted = adjust(api, item="LAMP", reason="count", set=8, label="cycle_count")
    plain = adjust(api, item="LAMP", reason="sale", delta=-1)
    assert received["movement"]["label"] == "supplier_receipt"
    assert (counted["movement"]["label"], counted["movement"]["delta"]) == ("cycle_count", -2)
    assert plain["movement"]["label"] is None
    assert labels(listed(api, order="asc")) == ["supplier_receipt", "cycle_count", None]
    assert labels(listed(api, "/v1/items/LAMP/movements", order="asc")) == ["supplier_receipt", "cycle_count", None]
    # Kept as sent: any printable text up to 64 characters, spaces and other scripts included.
    text = "Wareneingang Lieferant Nr. 7 — Überprüfung 📦".ljust(64, ".")
    assert adjust(api, item="LAMP", reason="receipt", delta=1, label=text)["movement"]["label"] == text
    assert listed(api, limit=1)[0]["label"] == text


def test_a_bulk_keeps_each_entrys_label_atomic_or_not(stocked):
    api = stocked
    body = {"adjustments": [
        {"item": "LAMP", "reason": "receipt", "delta": 5, "label": "supplier_receipt"},
        {"item": "ROPE", "reason": "receipt", "delta": "2.5"},
        {"item": "LAMP", "location": "Shop", "reason": "count", "set": 3, "label": "cycle_count"},
    ]}
    results = ok(api.post("/v1/stock/adjustments/bulk", json=body))["results"]
    assert [r["movement"]["label"] for r in results] == ["supplier_receipt", None, "cycle_count"]
    body = {"atomic": False, "adjustments": [
        {"item": "LAMP", "reason": "sale", "delta": -1, "label": "web_order"},
        {"item": "LAMP", "reason": "sale", "delta": -100, "label": "too_many"},
    ]}
    results = ok(api.post("/v1/stock/adjustments/bulk", json=body), 200)["results"]
    assert results[0]["movement"]["label"] == "web_order" and not results[1]["ok"]
    assert labels(listed(api, order="asc")) == ["supplier_receipt", None, "cycle_count", "web_order"]


def test_both_movements_of_a_transfer_get_its_label(stocked):
    api = stocked
    adjust(api, item="LAMP", reason="receipt", delta=10)
    moved = ok(api.post("/v1/stock/transfers", json={"item": "LAMP", "to": "Shop", "quantity": 4,
                                                     "label": "replenishment"}))
    assert moved["label"] == "replenishment"
    assert [(m["reason"], m["label"]) for m in moved["movements"]] == [
        ("transfer_out", "replenishment"), ("transfer_in", "replenishment")]
    assert labels(listed(api, transfer=moved["id"])) == ["replenishment", "replenishment"]
    unlabelled = ok(api.post("/v1/stock/transfers", json={"item": "LAMP", "to": "Shop", "quantity": 1}))
    assert unlabelled["label"] is None and labels(unlabelled["movements"]) == [None, None]


def test_a_fulfilment_labels_its_sale(stocked):
    api = stocked
    adjust(api, item="LAMP", reason="receipt", delta=10)
    reservation = ok(api.post("/v1/reservations", json={"item": "LAMP", "quantity": 3}))
    done = ok(api.post(f"/v1/reservations/{reservation['id']}/fulfil", json={"quantity": 2, "label": "shipped_dhl"}),
              200)
    assert (done["movement"]["reason"], done["movement"]["label"]) == ("sale", "shipped_dhl")
    rest = ok(api.post(f"/v1/reservations/{reservation['id']}/fulfil"), 200)
    assert rest["movement"]["label"] is None


def test_the_label_filter_matches_exactly_across_items_and_pages(stocked):
    api = stocked
    for n in range(5):
        adjust(api, item="LAMP" if n % 2 else "ROPE", reason="receipt", delta=1, label="cycle_count")
    adjust(api, item="LAMP", reason="receipt", delta=1, label="Cycle_count")
    adjust(api, item="LAMP", reason="receipt", delta=1, label="cycle_count_2")
    adjust(api, item="LAMP", reason="receipt", delta=1)
    every = [m for m in listed(api, limit=100) if m["label"] == "cycle_count"]
    assert len(every) == 5
    page = ok(api.get("/v1/stock/movements", params={"label": "cycle_count", "limit": 2}), 200)
    assert page["meta"]["total"] == 5 and page["meta"]["has_more"]
    seen, cursor = list(page["data"]), page["meta"]["next_cursor"]
    while cursor:
        page = ok(api.get("/v1/stock/movements", params={"label": "cycle_count", "limit": 2, "cursor": cursor}), 200)
        seen += page["data"]
        cursor = page["meta"]["next_cursor"]
    assert seen == every  # newest first, none twice, none missed
    assert [m["sku"] for m in listed(api, "/v1/items/LAMP/movements", label="cycle_count", order="asc")] == [
        "LAMP", "LAMP"]
    assert labels(listed(api, item="ROPE", label="cycle_count")) == ["cycle_count"] * 3
    assert listed(api, label="cycle") == [] and listed(api, label="CYCLE_COUNT") == []
    csv = api.get("/v1/stock/movements", params={"label": "cycle_count"}, headers={"Accept": "text/csv"})
    rows = list(DictReader(io.StringIO(csv.text)))
    # label stays where it was; columns added after it (item_number) come last.
    assert list(rows[0])[-2:] == ["label", "item_number"]
    assert [r["label"] for r in rows] == ["cycle_count"] * 5
    assert error(api.get("/v1/stock/movements", params={"label": "x" * 65})) == (422, "VALIDATION_ERROR")


BAD_LABELS = {
    "empty": "",
    "too long": "x" * 65,
    "a newline": "cycle\ncount",
    "a tab": "cycle\tcount",
    "a NUL": "cycle\x00count",
    "DEL": "cycle\x7f",
    "a C1 control": "cycle\x85count",
}


@pytest.mark.parametrize("label", BAD_LABELS.values(), ids=BAD_LABELS.keys())
def test_a_bad_label_is_refused_with_its_field_and_nothing_is_written(stocked, label):
    api = stocked
    adjust(api, item="LAMP", reason="receipt", delta=10)
    reservation = ok(api.post("/v1/reservations", json={"item": "LAMP", "quantity": 1}))
    attempts = {
        "/v1/stock/adjustments": ({"item": "LAMP", "reason": "receipt", "delta": 1, "label": label}, "label"),
        "/v1/stock/adjustments/bulk": ({"adjustments": [{"item": "LAMP", "reason": "receipt", "delta": 1},
                                                        {"item": "LAMP", "reason": "count", "set": 1,
                                                         "label": label}]}, "adjustments[1].label"),
        "/v1/stock/transfers": ({"item": "LAMP", "to": "Shop", "quantity": 1, "label": label}, "label"),
        f"/v1/reservations/{reservation['id']}/fulfil": ({"label": label}, "label"),
    }
    for path, (body, field) in attempts.items():
        r = api.post(path, json=body)
        assert error(r) == (422, "VALIDATION_ERROR"), (path, r.text)
        assert list(r.json()["error"]["fields"]) == [field], (path, r.text)
    assert len(listed(api)) == 1
    assert ok(api.get(f"/v1/reservations/{reservation['id']}"), 200)["status"] == "active"


def test_the_stock_service_refuses_a_bad_label_itself(db, workspace, stocked):
    """The /compat facades call the services, not /v1: the rule holds there too."""
    principal = SystemActor(workspace.id, "facade")
    for label in ("", "x" * 65, "a\rb"):
        with pytest.raises(ValidationFailed) as refused:
            stock.adjust_one(db, principal, Adjustment(item="LAMP", reason="receipt", delta=1, label=label))
        assert list(refused.value.fields) == ["label"]
        with pytest.raises(ValidationFailed) as refused:
            stock.transfer(db, principal, item="LAMP", from_location="Main", to_location="Shop", quantity=1,
                           label=label)
        assert list(refused.value.fields) == ["label"]
    results = stock.adjust(db, principal, [Adjustment(item="LAMP", reason="receipt", delta=1, label="ok"),
                                           Adjustment(item="LAMP", reason="receipt", delta=1, label="\x1b[31m")],
                           atomic=False)
    assert results[0]["movement"]["label"] == "ok"
    assert (results[1]["ok"], results[1]["error"]["fields"]) == (False, {"label": [
        "Must not contain control characters (U+001B)."]})
    assert labels(listed(stocked)) == ["ok"]


def test_the_change_feed_and_the_audit_log_carry_the_label(stocked):
    api = stocked
    moved = adjust(api, item="LAMP", reason="receipt", delta=3, label="supplier_receipt")["movement"]
    [event] = ok(api.get("/v1/events", params={"types": "stock.changed"}), 200)["data"]
    assert event["data"]["movement"] == moved
    [audited] = ok(api.get("/v1/audit-log", params={"action": "movement.created"}), 200)["data"]
    assert audited["changes"]["label"] == [None, "supplier_receipt"]


def test_a_label_costs_no_statement_more_single_or_bulk(db, stocked):
    api = stocked
    adjust(api, item="LAMP", reason="receipt", delta=1)
    adjust(api, item="ROPE", reason="receipt", delta=1)

    def statements_of(path: str, body: dict) -> int:
        with statements(db) as seen:
            ok(api.post(path, json=body))
        return len(seen)

    single = {"item": "LAMP", "reason": "receipt", "delta": 1}
    assert statements_of("/v1/stock/adjustments", {**single, "label": "supplier_receipt"}) == statements_of(
        "/v1/stock/adjustments", single)
    entries = [{"item": sku, "location": place, "reason": "receipt", "delta": 1}
               for sku in ("LAMP", "ROPE") for place in ("Main", "Shop")]
    mixed = [{**e, "label": f"label-{n}"} if n % 2 else e for n, e in enumerate(entries)]
    statements_of("/v1/stock/adjustments/bulk", {"adjustments": entries})  # every level exists from now on
    plain = statements_of("/v1/stock/adjustments/bulk", {"adjustments": entries})
    assert statements_of("/v1/stock/adjustments/bulk", {"adjustments": mixed}) == plain
    assert statements_of("/v1/stock/transfers", {"item": "LAMP", "to": "Shop", "quantity": 1,
                                                 "label": "replenishment"}) == statements_of(
        "/v1/stock/transfers", {"item": "LAMP", "to": "Shop", "quantity": 1})
