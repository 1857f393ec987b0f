"""Gross prices (net * (1 + rate), half-up to cents) and EU unit prices (per kg, l, m, m², piece)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storekeeper.domain.pricing import gross_price, join_price, split_price, unit_price

D = Decimal


def test_gross_price_is_net_times_one_plus_rate_rounded_half_up():
    assert gross_price(D("4.2016"), D("0.19")) == D("5.00")  # 4.999904
    assert gross_price(D("10"), D("0.07")) == D("10.70")
    assert gross_price(D("0.125"), D("0")) == D("0.13")  # half-up, not half-even (0.12)
    assert gross_price(D("1.05"), D("0.1")) == D("1.16")  # 1.155 → 1.16


def test_without_a_tax_rate_the_gross_price_is_the_net_price_in_cents():
    assert gross_price(D("4.2016"), None) == D("4.20")
    assert gross_price(D("5"), None) == D("5.00")


def test_without_a_price_there_is_no_gross_price():
    assert gross_price(None, D("0.19")) is None


@pytest.mark.parametrize(
    ("gross", "value", "unit", "expected"),
    [
        ("5.00", "500", "g", ("10.00", "kg")),
        ("5.00", "250", "ml", ("20.00", "l")),
        ("3.00", "1.5", "l", ("2.00", "l")),
        ("12.00", "6", "pcs", ("2.00", "pcs")),
        ("2.50", "50", "cm", ("5.00", "m")),
        ("9.99", "1", "kg", ("9.99", "kg")),
        ("1.00", "3", "m", ("0.33", "m")),
        ("8.00", "2500", "sqcm", ("32.00", "sqm")),
        ("4.00", "1", "lb", ("8.82", "kg")),
        ("5.00", "0.5", "weight.kg", ("10.00", "kg")),
    ],
)
def test_unit_price_is_the_gross_price_per_pricing_base_unit(gross, value, unit, expected):
    assert unit_price(D(gross), D(value), unit) == (D(expected[0]), expected[1])


def test_unit_price_uses_the_exact_package_size_not_one_rounded_to_six_places():
    # 1 US teaspoon = 0.00492892159375 l; rounded to 0.004929 l it would give 200.85.
    assert unit_price(D("0.99"), D("1"), "tsp") == (D("200.86"), "l")
    # 1.5 mg = 0.0000015 kg, which six places would round to 0.000002 kg.
    assert unit_price(D("3.00"), D("1.5"), "mg") == (D("2000000.00"), "kg")


@pytest.mark.parametrize(
    ("gross", "value", "unit"),
    [
        ("5.00", "2", "case"),  # a case has no fixed number of pieces
        ("5.00", "2", "pack"),
        ("5.00", "2", "h"),  # time has no EU pricing base
        (None, "500", "g"),
        ("5.00", None, "g"),
        ("5.00", "500", None),
        ("5.00", "0", "g"),
    ],
)
def test_there_is_no_unit_price_without_a_price_or_a_measurable_package(gross, value, unit):
    assert unit_price(D(gross) if gross else None, D(value) if value else None, unit) is None


def test_unit_prices_at_the_extremes_of_price_and_package_size_do_not_fail():
    top = gross_price(D("1000000000000"), D("1"))
    assert top == D("2000000000000.00")
    assert unit_price(top, D("0.000001"), "mg") == (D("2000000000000000000000000.00"), "kg")
    assert unit_price(D("0.01"), D("1000000000000"), "m3") == (D("0.00"), "l")


def test_a_net_price_of_ten_places_gives_the_round_gross_price_it_came_from():
    assert gross_price(D("4.2016806723"), D("0.19")) == D("5.00")
    assert gross_price(D("0.5042016807"), D("0.19")) == D("0.60")
    # 23 digits times the rate: exact before rounding, where the default context keeps 28 digits.
    assert gross_price(D("999999999999.9999999999"), D("0.190001")) == D("1190001000000.00")


@pytest.mark.parametrize(
    ("price", "six", "rest"),
    [
        ("4.2016806723", "4.201680", 6723),
        ("0.5042016807", "0.504201", 6807),
        ("100", "100", 0),
        ("155.89", "155.89", 0),
        ("0.0000000001", "0", 1),
        ("999999999999.9999999999", "999999999999.999999", 9999),
    ],
)
def test_a_net_price_is_stored_as_six_places_and_the_rest_and_read_back_exactly(price, six, rest):
    assert split_price(D(price)) == (D(six), rest)
    assert join_price(*split_price(D(price))) == D(price)


def test_stored_prices_order_as_the_prices_do():
    prices = [D("4.2016806723"), D("4.20168"), D("4.2016806724"), D("4.201681"), D("0.0000009999")]
    assert sorted(prices, key=split_price) == sorted(prices)
    assert split_price(None) == (None, 0) and join_price(None, 0) is None
