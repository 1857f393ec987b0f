"""The reorder suggestion (SPEC §3 "Reports"): the fewest whole units that bring available plus
incoming above reorder point plus safety stock, and at least the reorder quantity; nothing when
what is there and on its way already does.

short = reorder_point + safety_stock - (available + incoming); short < 0 → 0, else
max(reorder_quantity, floor(short) + 1).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from storekeeper.services.reports import suggested_quantity

D = Decimal


def suggest(available="0", incoming="0", reorder_point="0", safety_stock="0", reorder_quantity="0") -> Decimal:
    return suggested_quantity(D(available), D(incoming), D(reorder_point), D(safety_stock), D(reorder_quantity))


def test_an_item_short_of_its_target_is_suggested_one_unit_more_than_the_shortfall():
    # target 10 + 5 = 15; 3 there → 12 short → 13 brings it to 16, above 15
    assert suggest(available="3", reorder_point="10", safety_stock="5") == 13


def test_a_reorder_quantity_larger_than_the_shortfall_is_what_is_suggested():
    assert suggest(available="3", reorder_point="10", safety_stock="5", reorder_quantity="50") == 50


def test_a_reorder_quantity_smaller_than_the_shortfall_does_not_cap_the_suggestion():
    assert suggest(available="3", reorder_point="10", safety_stock="5", reorder_quantity="4") == 13


def test_stock_exactly_at_the_target_still_needs_one_unit_to_get_above_it():
    assert suggest(available="15", reorder_point="10", safety_stock="5") == 1
    assert suggest(available="15", reorder_point="10", safety_stock="5", reorder_quantity="24") == 24


def test_stock_above_the_target_needs_nothing_whatever_the_reorder_quantity():
    assert suggest(available="15.000001", reorder_point="10", safety_stock="5", reorder_quantity="24") == 0
    assert suggest(available="100", reorder_point="10", safety_stock="5", reorder_quantity="24") == 0


def test_incoming_stock_counts_towards_the_target():
    assert suggest(available="3", incoming="4", reorder_point="10", safety_stock="5") == 9


def test_incoming_that_takes_the_item_above_the_target_leaves_nothing_to_order():
    assert suggest(available="3", incoming="13", reorder_point="10", safety_stock="5", reorder_quantity="20") == 0


def test_incoming_that_only_reaches_the_target_still_leaves_one_unit_to_order():
    assert suggest(available="3", incoming="12", reorder_point="10", safety_stock="5") == 1
    assert suggest(available="3", incoming="12", reorder_point="10", safety_stock="5", reorder_quantity="6") == 6


@pytest.mark.parametrize(
    ("available", "expected"),
    [
        ("12.5", "3"),  # 2.5 short → 3
        ("12.999999", "3"),  # 2.000001 short → 3
        ("13.000001", "2"),  # 1.999999 short → 2
        ("14.5", "1"),  # 0.5 short → 1
        ("14.999999", "1"),  # 0.000001 short → 1
    ],
)
def test_a_fractional_shortfall_is_rounded_up_to_whole_units_above_the_target(available, expected):
    assert suggest(available=available, reorder_point="10", safety_stock="5") == D(expected)


def test_a_fractional_reorder_quantity_is_suggested_as_it_is_when_it_covers_the_shortfall():
    assert suggest(available="14", reorder_point="10", safety_stock="5", reorder_quantity="2.5") == D("2.5")
    assert suggest(available="10", reorder_point="10", safety_stock="5", reorder_quantity="2.5") == 6


def test_an_out_of_stock_item_without_thresholds_is_suggested_one_unit():
    assert suggest() == 1
    assert suggest(reorder_quantity="12") == 12


def test_an_item_without_thresholds_but_with_some_stock_needs_nothing():
    assert suggest(available="0.000001") == 0
    assert suggest(incoming="1") == 0


def test_negative_available_stock_is_a_shortfall_too():
    # oversold by 2 (negative stock allowed, or more reserved than on hand): 2 short of 0 → 3
    assert suggest(available="-2") == 3
    assert suggest(available="-2", reorder_point="4", safety_stock="1") == 8
    assert suggest(available="-2", incoming="2") == 1


def test_safety_stock_alone_sets_the_target():
    assert suggest(available="1", safety_stock="3") == 3


def test_the_suggestion_is_a_decimal():
    assert isinstance(suggest(available="3", reorder_point="10"), Decimal)
    assert isinstance(suggest(available="30", reorder_point="10"), Decimal)


def quantities(min_value: int | str = 0, max_value: int | str = 10**6):
    return st.decimals(min_value=min_value, max_value=max_value, places=6, allow_nan=False, allow_infinity=False)


@given(
    available=quantities(-1000, 10**6),
    incoming=quantities(),
    reorder_point=quantities(),
    safety_stock=quantities(),
    reorder_quantity=quantities(),
)
@example(available=D(15), incoming=D(0), reorder_point=D(10), safety_stock=D(5), reorder_quantity=D(0))
@example(available=D(0), incoming=D(0), reorder_point=D(0), safety_stock=D(0), reorder_quantity=D(0))
@example(available=D("2.5"), incoming=D("2.5"), reorder_point=D(5), safety_stock=D(0), reorder_quantity=D("0.5"))
@example(available=D(1), incoming=D("0.000001"), reorder_point=D(1), safety_stock=D(0), reorder_quantity=D(0))
def test_the_suggestion_is_the_fewest_whole_units_above_the_target_and_at_least_the_reorder_quantity(
        available, incoming, reorder_point, safety_stock, reorder_quantity):
    suggested = suggested_quantity(available, incoming, reorder_point, safety_stock, reorder_quantity)
    target = reorder_point + safety_stock
    there = available + incoming

    assert (suggested == 0) == (there > target)
    if suggested > 0:
        assert there + suggested > target
        assert suggested >= reorder_quantity
        assert suggested == suggested.to_integral_value() or suggested == reorder_quantity
        if suggested > reorder_quantity:
            # the fewest: one whole unit less would not get above the target
            assert there + suggested - 1 <= target
    else:
        assert suggested == 0
