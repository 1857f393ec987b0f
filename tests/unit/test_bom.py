"""Bills of materials without a database (domain/stock.py): what n units need of a component,
how many whole units a component's stock makes up, and a bundle's levels from its components'.

The need is exact to 6 places and taken on the product before the conversion, so that selling
25 bundles takes exactly what 25 single sales would in sum only when the units agree; and the
units a stock makes up are the most that can still be sold (SPEC §3 Items, bundles).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from storekeeper.domain.stock import ComponentLine, bundle_levels, component_need, levels_before, units_from
from storekeeper.domain.units import UnitMismatch

D = Decimal


def line(quantity, unit="pcs", component_unit=None, *, component="itm_A", tracked=True) -> ComponentLine:
    return ComponentLine(component, D(quantity), unit, component_unit or unit, tracked)


# component_need


def test_a_hundred_grams_of_a_material_kept_in_kilograms_times_25_is_exactly_two_and_a_half_kilograms():
    assert component_need(line("100", "g", "kg"), D(25)) == D("2.5")


def test_the_need_of_a_thousand_fluid_ounces_is_converted_after_multiplying():
    need = component_need(line("1", "floz", "ml"), D(1000))

    # 1000 x 29.5735295625 ml, rounded once; rounding one unit first would give 29573.53.
    assert need == D("29573.529563")


def test_the_need_in_the_components_own_unit_is_the_plain_product():
    assert component_need(line("2.5"), D(4)) == D(10)


def test_the_need_is_rounded_half_up_to_six_places():
    # 1 tsp = 4.92892159375 ml.
    assert component_need(line("1", "tsp", "ml"), D(1)) == D("4.928922")


def test_a_need_across_dimensions_is_a_unit_mismatch():
    with pytest.raises(UnitMismatch):
        component_need(line("1", "g", "ml"), D(1))


# units_from


def test_units_from_is_the_whole_number_of_units_the_stock_makes_up():
    assert units_from(line("2"), D(7)) == 3


def test_units_from_counts_a_unit_whose_need_uses_up_the_stock_exactly():
    assert units_from(line("0.5", "kg", "g"), D(1500)) == 3


def test_units_from_converts_the_stock_to_the_lines_unit():
    # 500 g per unit, 2.4 kg kept: 4 units (2 kg), not 5.
    assert units_from(line("500", "g", "kg"), D("2.4")) == 4


def test_units_from_never_makes_up_a_unit_the_rounded_need_does_not_fit():
    # Each unit needs 29.573530 ml when sold alone; 29.57352 ml is short of it.
    assert units_from(line("1", "floz", "ml"), D("29.57352")) == 0
    assert units_from(line("1", "floz", "ml"), D("29.57353")) == 1


def test_units_from_counts_a_unit_whose_need_rounds_down_to_the_stock():
    # 2 tsp = 9.8578431875 ml, which rounds to 9.857843: exactly what is there, so one sells.
    need_of_one = component_need(line("2", "tsp", "ml"), D(1))
    assert need_of_one == D("9.857843")

    assert units_from(line("2", "tsp", "ml"), D("9.857843")) == 1


@pytest.mark.parametrize("available", ["0", "-1", "-0.000001"])
def test_units_from_no_or_negative_stock_is_zero(available):
    assert units_from(line("1"), D(available)) == 0


def test_units_from_stock_short_of_one_unit_is_zero():
    assert units_from(line("3"), D("2.999999")) == 0


# The property behind both: the most units that can still be sold.

UNIT_PAIRS = [("pcs", "pcs"), ("g", "kg"), ("kg", "g"), ("mg", "g"), ("oz", "g"), ("lb", "kg"),
              ("floz", "ml"), ("tsp", "ml"), ("ml", "l"), ("cup", "floz"), ("cm", "m"), ("in", "mm"),
              ("sqft", "sqm"), ("min", "h")]
six_places = st.decimals(min_value=D("0.000001"), max_value=D(10_000), places=6, allow_nan=False,
                         allow_infinity=False)
stock = st.decimals(min_value=D(-100), max_value=D(1_000_000), places=6, allow_nan=False, allow_infinity=False)


@given(quantity=six_places, units=st.sampled_from(UNIT_PAIRS), available=stock)
@example(quantity=D(2), units=("tsp", "ml"), available=D("9.857843"))
def test_units_from_is_the_largest_count_whose_need_fits_the_available_stock(quantity, units, available):
    component = line(quantity, *units)
    assume(component_need(component, D(1)) > 0)  # a need that rounds to nothing has no largest count

    n = units_from(component, available)

    assert n >= 0 and n == n.to_integral_value()
    assert component_need(component, n) <= max(available, D(0))
    assert component_need(component, n + 1) > available


# bundle_levels

SHOP, DOCK, BACK = "loc_SHOP", "loc_DOCK", "loc_BACK"


def test_a_bundle_makes_up_the_fewest_units_any_tracked_component_allows():
    lines = [line("2", component="itm_A"), line("1", component="itm_B")]
    levels = {"itm_A": {SHOP: (D(10), D(10))}, "itm_B": {SHOP: (D(3), D(3))}}

    assert bundle_levels(lines, levels) == {SHOP: (D(3), D(3))}


def test_a_bundles_available_comes_from_available_and_its_on_hand_from_on_hand():
    lines = [line("2", component="itm_A"), line("1", component="itm_B")]
    # A: 10 on hand, 4 reserved; B: 8 on hand, 1 reserved.
    levels = {"itm_A": {SHOP: (D(10), D(6))}, "itm_B": {SHOP: (D(8), D(7))}}

    assert bundle_levels(lines, levels) == {SHOP: (D(5), D(3))}


def test_a_bundle_is_levelled_per_location():
    lines = [line("1", component="itm_A"), line("1", component="itm_B")]
    levels = {"itm_A": {SHOP: (D(5), D(5)), DOCK: (D(1), D(1))},
              "itm_B": {SHOP: (D(2), D(2)), DOCK: (D(9), D(9))}}

    assert bundle_levels(lines, levels) == {SHOP: (D(2), D(2)), DOCK: (D(1), D(1))}


def test_a_bundle_has_a_level_only_where_every_tracked_component_has_one():
    lines = [line("1", component="itm_A"), line("1", component="itm_B")]
    levels = {"itm_A": {SHOP: (D(5), D(5)), DOCK: (D(4), D(4))}, "itm_B": {SHOP: (D(2), D(2)), BACK: (D(7), D(7))}}

    assert bundle_levels(lines, levels) == {SHOP: (D(2), D(2))}


def test_a_component_without_any_level_leaves_the_bundle_without_levels():
    lines = [line("1", component="itm_A"), line("1", component="itm_B")]

    assert bundle_levels(lines, {"itm_A": {SHOP: (D(5), D(5))}}) == {}


def test_untracked_components_do_not_limit_a_bundle_or_need_a_level():
    lines = [line("1", component="itm_A"), line("5", component="itm_GIFTWRAP", tracked=False)]
    levels = {"itm_A": {SHOP: (D(4), D(4))}}

    assert bundle_levels(lines, levels) == {SHOP: (D(4), D(4))}


def test_a_bundle_without_tracked_components_makes_up_nothing():
    assert bundle_levels([line("1", component="itm_SERVICE", tracked=False)], {}) == {}
    assert bundle_levels([], {}) == {}


def test_a_bundle_with_converted_units_makes_up_whole_units():
    lines = [line("500", "g", "kg", component="itm_WAX"), line("1", component="itm_WICK")]
    levels = {"itm_WAX": {SHOP: (D("2.4"), D("1.6"))}, "itm_WICK": {SHOP: (D(10), D(10))}}

    assert bundle_levels(lines, levels) == {SHOP: (D(4), D(3))}


def test_a_bundle_never_shows_more_available_than_on_hand():
    # Reservations can exceed on-hand stock when it was lowered meanwhile: available is negative.
    lines = [line("1", component="itm_A")]
    levels = {"itm_A": {SHOP: (D(2), D(-3))}}

    on_hand, available = bundle_levels(lines, levels)[SHOP]

    assert (on_hand, available) == (D(2), D(0))


# levels_before: what a bundle made up before a change, to tell whether the change moved it


def test_the_levels_before_a_change_put_back_what_the_written_levels_held():
    now = {"itm_A": {SHOP: (D(3), D(3)), DOCK: (D(5), D(4))}, "itm_B": {SHOP: (D(9), D(9))}}
    written = {("itm_A", SHOP): (D(4), D(4)), ("itm_A", DOCK): None}  # DOCK's level is new

    assert levels_before(now, written) == {"itm_A": {SHOP: (D(4), D(4))}, "itm_B": {SHOP: (D(9), D(9))}}
    assert now["itm_A"] == {SHOP: (D(3), D(3)), DOCK: (D(5), D(4))}  # the levels given are left as they were


def test_levels_of_items_that_are_no_live_component_stay_out_of_the_levels_before():
    assert levels_before({"itm_A": {SHOP: (D(1), D(1))}}, {("itm_GONE", SHOP): (D(2), D(2))}) == {
        "itm_A": {SHOP: (D(1), D(1))}}


def test_a_component_moved_between_locations_changes_the_bundle_with_the_same_total():
    lines = [line("1", component="itm_BOARD"), line("1", component="itm_PIECES")]
    now = {"itm_BOARD": {SHOP: (D(1), D(1)), DOCK: (D(3), D(3))},
           "itm_PIECES": {SHOP: (D(10), D(10)), DOCK: (D(10), D(10))}}
    before = levels_before(now, {("itm_BOARD", SHOP): (D(2), D(2)), ("itm_BOARD", DOCK): (D(2), D(2))})

    assert bundle_levels(lines, before) == {SHOP: (D(2), D(2)), DOCK: (D(2), D(2))}
    assert bundle_levels(lines, now) == {SHOP: (D(1), D(1)), DOCK: (D(3), D(3))}
