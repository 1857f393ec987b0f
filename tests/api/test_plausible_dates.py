"""Dates a client records lie from 1970 to 2099 (issue 19, item 13): when a movement happened, when
a purchase order is expected, when a production order is due. Year 0001 or 2150 is a slip, refused
with a 422 that names the field and the range, and nothing is written."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from storekeeper.domain.errors import ValidationFailed
from storekeeper.services import production, purchasing, stock
from storekeeper.services.context import SystemActor
from storekeeper.services.stock import Adjustment
from tests.factories import error, item, location

RANGE = ["Must be a date from 1970-01-01 to 2099-12-31 (UTC)."]
IMPLAUSIBLE = ["0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2100-01-01T00:00:00Z", "0001-01-01T00:30:00+01:00"]


@pytest.fixture
def stocked(api):
    location(api, "Main")
    item(api, "LAMP")
    return api


def refused(r, field: str) -> None:
    assert error(r) == (422, "VALIDATION_ERROR"), r.text
    assert r.json()["error"]["fields"] == {field: RANGE}


@pytest.mark.parametrize("moment", IMPLAUSIBLE)
def test_an_adjustment_that_happened_in_an_implausible_year_is_refused(stocked, moment):
    api = stocked
    refused(api.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "receipt", "delta": 1,
                                                    "occurred_at": moment}), "occurred_at")
    bulk = api.post("/v1/stock/adjustments/bulk", json={"adjustments": [
        {"item": "LAMP", "reason": "receipt", "delta": 1},
        {"item": "LAMP", "reason": "receipt", "delta": 1, "occurred_at": moment}]})
    assert error(bulk) == (422, "VALIDATION_ERROR")
    assert bulk.json()["error"]["fields"] == {"adjustments[1].occurred_at": RANGE}
    assert api.get("/v1/stock/movements", params={"item": "LAMP"}).json()["meta"]["total"] == 0


def test_the_first_and_last_plausible_moments_are_kept(stocked):
    api = stocked
    r = api.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "receipt", "delta": 1,
                                                "occurred_at": "1970-01-01T00:00:00Z"})
    assert r.status_code == 201 and r.json()["movement"]["occurred_at"] == "1970-01-01T00:00:00.000Z"
    order = api.post("/v1/purchase-orders", json={"location": "Main", "expected_at": "2099-12-31T23:59:59Z",
                                                  "lines": [{"item": "LAMP", "quantity": 1}]})
    assert order.status_code == 201 and order.json()["expected_at"] == "2099-12-31T23:59:59.000Z"
    made = api.post("/v1/production-orders", json={"name": "Run", "due": "1970-01-01T00:00:00Z",
                                                   "lines": [{"item": "LAMP", "quantity": 1}]})
    assert made.status_code == 201, made.text


@pytest.mark.parametrize("moment", IMPLAUSIBLE)
def test_a_purchase_order_expected_in_an_implausible_year_is_refused(stocked, moment):
    api = stocked
    refused(api.post("/v1/purchase-orders", json={"location": "Main", "expected_at": moment,
                                                  "lines": [{"item": "LAMP", "quantity": 1}]}), "expected_at")
    assert api.get("/v1/purchase-orders").json()["data"] == []
    order = api.post("/v1/purchase-orders", json={"location": "Main", "lines": [{"item": "LAMP", "quantity": 1}]})
    refused(api.patch(f"/v1/purchase-orders/{order.json()['id']}", json={"expected_at": moment}), "expected_at")
    after = api.get(f"/v1/purchase-orders/{order.json()['id']}").json()
    assert after["expected_at"] is None and after["version"] == order.json()["version"]


@pytest.mark.parametrize("moment", IMPLAUSIBLE)
def test_a_production_order_due_in_an_implausible_year_is_refused(stocked, moment):
    api = stocked
    refused(api.post("/v1/production-orders", json={"name": "Run", "due": moment,
                                                    "lines": [{"item": "LAMP", "quantity": 1}]}), "due")
    assert api.get("/v1/production-orders").json()["data"] == []
    made = api.post("/v1/production-orders", json={"name": "Run", "lines": [{"item": "LAMP", "quantity": 1}]})
    refused(api.patch(f"/v1/production-orders/{made.json()['id']}", json={"due": moment}), "due")
    assert api.get(f"/v1/production-orders/{made.json()['id']}").json()["due"] is None


def test_the_services_refuse_it_whatever_the_entry_point(workspace, stocked):
    """An import or the CLI reaches the services without the API's schemas: the same rule."""
    actor = SystemActor(workspace.id)
    early = datetime(1, 1, 1, tzinfo=UTC)
    with pytest.raises(ValidationFailed) as refused:
        stock.adjust_one(workspace.db, actor, Adjustment(item="LAMP", reason="receipt", delta=Decimal(1),
                                                         occurred_at=early))
    assert refused.value.fields == {"occurred_at": RANGE}
    with pytest.raises(ValidationFailed) as refused:
        purchasing.create_purchase_order(workspace.db, actor, {"location": "Main", "expected_at": early,
                                                               "lines": [{"item": "LAMP", "quantity": Decimal(1)}]})
    assert refused.value.fields == {"expected_at": RANGE}
    with pytest.raises(ValidationFailed) as refused:
        production.create_production_order(workspace.db, actor, {"name": "Run", "due": datetime(2150, 1, 1),
                                                                 "lines": [{"item": "LAMP", "quantity": Decimal(1)}]})
    assert refused.value.fields == {"due": RANGE}
