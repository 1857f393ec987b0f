"""Stock rules without a database: which way a reason may move stock, and the moving weighted
average cost of receipts (SPEC §3 "Stock and the ledger")."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from storekeeper.domain.stock import BUILTIN_REASONS, SYSTEM_REASONS, Direction, direction_allows, moving_average_cost

D = Decimal


@pytest.mark.parametrize(("direction", "delta", "allowed"), [
    (Direction.IN, D("0.000001"), True),
    (Direction.IN, D(0), False),
    (Direction.IN, D("-0.000001"), False),
    (Direction.OUT, D("-0.000001"), True),
    (Direction.OUT, D(0), False),
    (Direction.OUT, D("0.000001"), False),
    (Direction.ANY, D(5), True),
    (Direction.ANY, D(-5), True),
    (Direction.ANY, D(0), True),
])
def test_a_direction_allows_only_changes_its_way(direction, delta, allowed):
    assert direction_allows(direction, delta) is allowed
    assert direction_allows(direction.value, delta) is allowed


def test_directions_given_as_the_stored_strings_behave_like_the_enum():
    assert direction_allows("in", D(1)) and not direction_allows("in", D(-1))
    assert direction_allows("out", D(-1)) and not direction_allows("out", D(1))
    assert direction_allows("any", D(-1)) and direction_allows("any", D(1))


def test_counts_and_corrections_go_either_way_and_the_rest_one_way():
    two_way = {code for code, (_name, direction) in BUILTIN_REASONS.items() if direction == Direction.ANY}
    assert two_way == {"count", "correction"}
    assert SYSTEM_REASONS["transfer_out"][1] == Direction.OUT
    assert SYSTEM_REASONS["transfer_in"][1] == Direction.IN
    assert not set(BUILTIN_REASONS) & set(SYSTEM_REASONS)


def test_the_first_receipt_sets_the_average_to_its_cost():
    assert moving_average_cost(D(0), None, D(10), D("2.00")) == D("2.0000")


def test_receipts_are_weighted_by_quantity():
    assert moving_average_cost(D(10), D("2.00"), D(30), D("3.00")) == D("2.7500")
    assert moving_average_cost(D(1), D("1.00"), D(2), D("2.00")) == D("1.6667")
    assert moving_average_cost(D(2), D("1.00"), D(1), D("2.00")) == D("1.3333")


def test_the_average_is_rounded_half_up_to_four_places():
    assert moving_average_cost(D(1), D("0.0001"), D(1), D("0.0000")) == D("0.0001")  # 0.00005
    assert moving_average_cost(D(1), D("0.0003"), D(1), D("0.0000")) == D("0.0002")  # 0.00015
    assert moving_average_cost(D(0), None, D(1), D("0.123449")) == D("0.1234")
    assert moving_average_cost(D(0), None, D(1), D("0.12345")) == D("0.1235")


def test_stock_below_zero_carries_no_value_so_the_receipt_sets_the_cost():
    assert moving_average_cost(D(-5), D("10.00"), D(10), D("2.00")) == D("2.0000")


def test_stock_without_a_known_cost_takes_the_cost_of_the_receipt():
    assert moving_average_cost(D(50), None, D(1), D("3.10")) == D("3.1000")


def test_a_free_receipt_lowers_the_average():
    assert moving_average_cost(D(3), D("4.00"), D(1), D(0)) == D("3.0000")


def test_fractional_quantities_weigh_exactly():
    assert moving_average_cost(D("0.000001"), D("1000000"), D("0.000001"), D(0)) == D("500000.0000")
    assert moving_average_cost(D("2.5"), D("1.20"), D("0.5"), D("3.00")) == D("1.5000")


def _exact(on_hand: Decimal, average: Decimal, received: Decimal, cost: Decimal) -> Decimal:
    on_hand_, received_ = Fraction(on_hand), Fraction(received)
    mean = (on_hand_ * Fraction(average) + received_ * Fraction(cost)) / (on_hand_ + received_)
    scaled = mean * 10_000
    whole = scaled.numerator // scaled.denominator
    return D(whole + (scaled - whole >= Fraction(1, 2))).scaleb(-4)


@pytest.mark.parametrize(("on_hand", "average", "received", "cost"), [
    # A tie at the fifth place that 28 significant digits (Decimal's default) round the wrong way.
    (D("399911193968.6"), D("339760085955.1424"), D(370), D("339760139997.195689")),
    (D("999999999999.999999"), D("999999999999.9999"), D("0.000001"), D("999999999999.999999")),
    (D("123456789012.345678"), D("98765.4321"), D("987654321098.765432"), D("0.000001")),
])
def test_the_average_is_exact_for_the_largest_quantities_and_costs(on_hand, average, received, cost):
    assert moving_average_cost(on_hand, average, received, cost) == _exact(on_hand, average, received, cost)
