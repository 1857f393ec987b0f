"""Exact decimal quantities and money (SPEC §2: at most 6 fractional digits, |q| <= 10^12,
JSON numbers out without exponent or float noise, money as strings with at least 2 places)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storekeeper.domain.quantities import (
    MAX_ABS,
    PRICE_SCALE,
    InvalidQuantity,
    format_money,
    format_quantity,
    from_micros,
    parse_decimal,
    round_money,
    to_micros,
)

# Every value the SPEC accepts: up to 6 fractional digits, within ±10^12.
quantities = st.decimals(min_value=-MAX_ABS, max_value=MAX_ABS, places=6, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        (Decimal("12.5"), "12.5"),
        (7, "7"),
        ("7", "7"),
        ("12.500000", "12.5"),
        ("1.500000", "1.5"),
        (" 2.25 ", "2.25"),
        ("+3", "3"),
        (".5", "0.5"),
        ("5.", "5"),
        ("1e2", "100"),
        ("1.5E+3", "1500"),
        ("0.000001", "0.000001"),
        ("-0.000001", "-0.000001"),
        ("100", "100"),
        ("1000000000000", "1000000000000"),
        ("-1000000000000", "-1000000000000"),
        (0.1, "0.1"),
    ],
)
def test_numbers_and_numeric_strings_parse_to_their_exact_canonical_value(given_value, expected):
    parsed = parse_decimal(given_value)
    assert isinstance(parsed, Decimal)
    assert str(parsed) == expected
    assert format_quantity(parsed) == expected


@pytest.mark.parametrize("zero", ["-0", "0.000000", "-0.0", Decimal("-0"), 0, "0e5"])
def test_every_zero_is_plain_zero_without_sign(zero):
    parsed = parse_decimal(zero)
    assert parsed == 0
    assert str(parsed) == "0"


@pytest.mark.parametrize("value", ["0.0000001", "1.1234567", Decimal("0.0000005"), 0.1234567, "1e-7"])
def test_more_than_six_decimal_places_are_rejected_not_rounded(value):
    with pytest.raises(InvalidQuantity, match="more than 6 decimal places"):
        parse_decimal(value)


def test_trailing_zeros_beyond_six_places_do_not_count_as_precision():
    assert parse_decimal("1.50000000000") == Decimal("1.5")


@pytest.mark.parametrize(
    "value",
    ["1000000000000.000001", "-1000000000000.000001", 10**13, "1e13", Decimal("1E+20"), "1E1000000",
     Decimal("-1E+1000000"), "9" * 64],
)
def test_magnitudes_beyond_ten_to_the_twelfth_are_rejected(value):
    with pytest.raises(InvalidQuantity, match="10\\^12"):
        parse_decimal(value)


@pytest.mark.parametrize(
    "value",
    ["NaN", "nan", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", Decimal("NaN"), Decimal("Infinity"), float("nan"),
     float("inf")],
)
def test_nan_and_infinity_are_rejected(value):
    with pytest.raises(InvalidQuantity, match="finite"):
        parse_decimal(value)


@pytest.mark.parametrize(
    "value",
    [True, False, None, "", "   ", "abc", "1,5", "1_000", "0x10", "1 2", "--1", "1e", [], {}, "1" * 65,
     "\u0661\u0662", "\uff11\uff12"],  # Arabic-Indic and full-width digits
)
def test_booleans_null_and_non_numeric_text_are_rejected(value):
    with pytest.raises(InvalidQuantity, match="must be a number or a numeric string"):
        parse_decimal(value)


def test_the_error_names_what_was_being_parsed():
    with pytest.raises(InvalidQuantity, match=r"^amount "):
        parse_decimal("x", what="amount")


@given(st.text(max_size=70))
def test_any_text_either_parses_within_the_bounds_or_is_refused_cleanly(text):
    try:
        parsed = parse_decimal(text)
    except InvalidQuantity:
        return
    assert abs(parsed) <= MAX_ABS
    assert parsed == parsed.quantize(Decimal("0.000001"))


@given(st.from_regex(r"[-+]?[0-9]{1,20}(\.[0-9]{0,20})?([eE][-+]?[0-9]{1,20})?", fullmatch=True))
def test_any_numeric_text_either_parses_within_the_bounds_or_is_refused_cleanly(text):
    try:
        parsed = parse_decimal(text)
    except InvalidQuantity:
        return
    assert parsed == Decimal(text)
    assert abs(parsed) <= MAX_ABS


@given(quantities)
def test_formatting_then_parsing_gives_back_the_same_quantity(q):
    text = format_quantity(q)
    assert "E" not in text and "e" not in text
    assert parse_decimal(text) == q
    assert format_quantity(parse_decimal(text)) == text


@given(quantities)
def test_a_parsed_quantity_never_carries_trailing_zeros_or_an_exponent(q):
    text = str(parse_decimal(q))
    assert "E" not in text
    if "." in text:
        assert not text.endswith("0")


@given(quantities)
def test_micro_units_round_trip_exactly(q):
    micros = to_micros(q)
    assert isinstance(micros, int)
    assert from_micros(micros) == q
    assert abs(micros) <= 10**18  # fits a signed 64-bit column with room for sums


def test_micro_units_of_known_values():
    assert to_micros(Decimal("1")) == 1_000_000
    assert to_micros(Decimal("0.000001")) == 1
    assert to_micros(Decimal("-2.5")) == -2_500_000
    assert from_micros(None) is None
    assert str(from_micros(12_500_000)) == "12.5"


def test_ten_additions_of_one_tenth_give_exactly_one():
    tenth = parse_decimal(0.1)
    assert sum([tenth] * 10, Decimal(0)) == 1
    assert from_micros(sum(to_micros(tenth) for _ in range(10))) == 1
    assert format_quantity(from_micros(sum(to_micros(tenth) for _ in range(10)))) == "1"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("5.5", "5.50"),
        ("5", "5.00"),
        ("5.500", "5.50"),
        ("0", "0.00"),
        ("-0.5", "-0.50"),
        ("4.201681", "4.201681"),
        ("0.125", "0.125"),
        ("1000000", "1000000.00"),
        ("1E+6", "1000000.00"),
    ],
)
def test_money_is_written_with_at_least_two_places_and_never_an_exponent(amount, expected):
    assert format_money(Decimal(amount)) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.005", "0.01"), ("0.015", "0.02"), ("0.025", "0.03"), ("-0.025", "-0.03"), ("4.994", "4.99")],
)
def test_money_rounds_half_up_not_to_even(amount, expected):
    assert round_money(Decimal(amount)) == Decimal(expected)


def test_a_net_price_keeps_ten_decimal_places_exactly():
    # A net price derived from a round gross one (5.00 at 19 %), as shop systems keep them.
    assert parse_decimal("4.2016806723", what="price", places=PRICE_SCALE) == Decimal("4.2016806723")
    assert format_money(parse_decimal("0.5042016807", places=PRICE_SCALE)) == "0.5042016807"
    assert parse_decimal("1000000000000.0000000000", places=PRICE_SCALE) == MAX_ABS
    with pytest.raises(InvalidQuantity, match="more than 10 decimal places"):
        parse_decimal("4.20168067226", places=PRICE_SCALE)
