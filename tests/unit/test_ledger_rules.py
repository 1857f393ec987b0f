"""The ledger's rules for one change (domain/ledger.py), without a database: what a change does
to a level and to the item's average cost, and each rule's refusal with its code and numbers."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from storekeeper.domain.errors import (
    Code,
    InsufficientStock,
    NegativeStock,
    ReasonDirection,
    StockChanged,
    ValidationFailed,
)
from storekeeper.domain.ledger import ChangeRequest, ItemState, LevelState, RefusedIncoming, plan_change, shortages_of

WAX = ItemState("itm_wax", "WAX", on_hand=D(10), average_cost=D("2.0000"), unit_cost=D("3"))
HERE = LevelState(on_hand=D(6), reserved=D(2))


def plan(change: ChangeRequest, level: LevelState = HERE, item: ItemState = WAX, allow_negative: bool = False):
    return plan_change(item, level, change, allow_negative=allow_negative)


def test_a_sale_takes_from_the_level_and_keeps_the_average_cost():
    done = plan(ChangeRequest("loc", "sale", "out", delta=D(-4)))
    assert (done.delta, done.before, done.after, done.unit_cost, done.average_cost) == (
        D(-4), D(6), D(2), None, D("2.0000"))


def test_a_receipt_at_a_cost_moves_the_average_and_one_without_takes_the_standard_cost():
    bought = plan(ChangeRequest("loc", "receipt", "in", delta=D(10), unit_cost=D("4")))
    assert bought.after == D(16) and bought.average_cost == D("3.0000")  # (10 x 2 + 10 x 4) / 20
    standard = plan(ChangeRequest("loc", "receipt", "in", delta=D(10)))
    assert standard.unit_cost == D("3") and standard.average_cost == D("2.5000")
    found = plan(ChangeRequest("loc", "found", "in", delta=D(1)))  # not a purchase: no cost
    assert found.unit_cost is None and found.average_cost == D("2.0000")


def test_a_count_sets_the_level_and_its_delta_follows():
    counted = plan(ChangeRequest("loc", "count", "any", set_to=D("4.5")))
    assert (counted.delta, counted.after) == (D("-1.5"), D("4.5"))
    same = plan(ChangeRequest("loc", "count", "any", set_to=D(6)))
    assert same.delta == 0  # a count that finds the stock as recorded fits any reason


def test_compare_and_set_refuses_a_level_that_moved():
    with pytest.raises(StockChanged) as refused:
        plan(ChangeRequest("loc", "sale", "out", delta=D(-1), expected_on_hand=D(7)))
    assert refused.value.code == Code.STOCK_CHANGED and refused.value.details == {
        "expected_on_hand": D(7), "on_hand": D(6)}
    assert plan(ChangeRequest("loc", "sale", "out", delta=D(-1), expected_on_hand=D(6))).after == D(5)


@pytest.mark.parametrize(("direction", "delta"), [("in", D(-1)), ("out", D(1)), ("in", D(0))])
def test_a_reason_goes_one_way(direction, delta):
    with pytest.raises(ReasonDirection) as refused:
        plan(ChangeRequest("loc", "r", direction, delta=delta))
    assert refused.value.code == Code.REASON_DIRECTION and refused.value.details == {"reason": "r", "delta": delta}


def test_stock_cannot_go_below_zero_unless_the_workspace_allows_it():
    with pytest.raises(NegativeStock) as refused:
        plan(ChangeRequest("loc", "sale", "out", delta=D(-7)))
    assert refused.value.code == Code.NEGATIVE_QUANTITY and refused.value.details["shortage"] == D(1)
    with pytest.raises(NegativeStock, match="a count cannot set on hand below 0"):
        plan(ChangeRequest("loc", "count", "any", set_to=D(-1)))
    assert plan(ChangeRequest("loc", "sale", "out", delta=D(-7)), allow_negative=True).after == D(-1)
    # Stock already below zero (from when the workspace allowed it) may still be topped up.
    assert plan(ChangeRequest("loc", "receipt", "in", delta=D(1)), LevelState(D(-3))).after == D(-2)


def test_transfers_take_only_what_is_available():
    with pytest.raises(InsufficientStock) as refused:
        plan(ChangeRequest("loc", "transfer_out", "out", delta=D(-5), within_available=True))
    assert refused.value.code == Code.INSUFFICIENT_STOCK
    assert refused.value.shortages == [{"item": "itm_wax", "sku": "WAX", "location": "loc", "needed": D(5),
                                        "available": D(4)}]
    assert plan(ChangeRequest("loc", "transfer_out", "out", delta=D(-4), within_available=True)).after == D(2)


def test_the_caps_and_a_cost_on_outgoing_stock_are_validation_errors():
    with pytest.raises(ValidationFailed) as refused:
        plan(ChangeRequest("loc", "receipt", "in", delta=D(10) ** 12))
    assert list(refused.value.fields) == ["delta"]
    with pytest.raises(ValidationFailed) as refused:
        plan(ChangeRequest("loc", "sale", "out", delta=D(-1), unit_cost=D(1)))
    assert list(refused.value.fields) == ["unit_cost"]


def test_a_count_that_would_add_stock_where_none_may_come_in_is_refused_for_the_caller_to_say_why():
    with pytest.raises(RefusedIncoming):
        plan(ChangeRequest("loc", "count", "any", set_to=D(7), refuses_incoming=True))
    assert plan(ChangeRequest("loc", "count", "any", set_to=D(5), refuses_incoming=True)).after == D(5)


def test_shortages_lists_each_short_level():
    short = shortages_of([(WAX, HERE, "a", D(4)), (WAX, HERE, "b", D(5))])
    assert [s["location"] for s in short] == ["b"] and short[0]["available"] == D(4)
