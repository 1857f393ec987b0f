"""Numbers as people type them on the dashboard (issue 19, item 13): the workspace's currency
decides the decimal mark, the other mark and spaces group thousands in threes, nothing else is
guessed, and the messages say what is wrong (the mark, the SPEC's limit, the places)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storekeeper.domain.quantities import (
    MAX_ABS,
    InvalidQuantity,
    decimal_separator,
    format_quantity,
    local_text,
    parse_local_decimal,
)


@pytest.mark.parametrize(("currency", "mark"), [("EUR", ","), ("eur", ","), ("SEK", ","), ("BRL", ","),
                                                ("USD", "."), ("GBP", "."), ("CHF", "."), ("JPY", "."),
                                                (None, ".")])
def test_the_currency_decides_the_decimal_mark(currency, mark):
    assert decimal_separator(currency) == mark
    assert decimal_separator(currency, "auto") == mark


@pytest.mark.parametrize(("currency", "setting", "mark"), [("EUR", ".", "."), ("USD", ",", ","), ("EUR", ",", ","),
                                                           ("USD", None, ".")])
def test_the_workspace_setting_decides_over_the_currency(currency, setting, mark):
    assert decimal_separator(currency, setting) == mark


@pytest.mark.parametrize(("text", "mark", "expected"), [
    ("2,5", ",", "2.5"), ("3,50", ",", "3.5"), ("1.000", ",", "1000"), ("1,000", ",", "1"),
    ("1.234.567,891", ",", "1234567.891"), ("1 234,5", ",", "1234.5"), ("1\u202f234,5", ",", "1234.5"),
    (",5", ",", "0.5"), ("-3", ",", "-3"), ("+4,", ",", "4"), ("  7  ", ",", "7"),
    ("2.5", ".", "2.5"), ("1,000", ".", "1000"), ("1,234,567.5", ".", "1234567.5"), ("1 000", ".", "1000"),
    ("1000000000000", ".", "1000000000000"), ("-1.000.000.000.000", ",", "-1000000000000"),
    ("0,1000000", ",", "0.1"),
])
def test_the_workspaces_marks_read_as_its_people_write_them(text, mark, expected):
    assert parse_local_decimal(text, mark) == Decimal(expected)


@pytest.mark.parametrize(("text", "mark", "message"), [
    ("2.5", ",", "'2.5' is not a number here: decimals take a comma (2,5), and a point only separates thousands "
                 "(1.000)."),
    ("2,5", ".", "'2,5' is not a number here: decimals take a point (2.5), and a comma only separates thousands "
                 "(1,000)."),
    ("1,0000", ".", "not a number here"), ("12.34.567", ",", "not a number here"), ("1.000 000", ",", "not a number"),
    ("two", ".", "'two' is not a number."), ("", ",", "not a number"), ("-", ".", "not a number"),
    ("1e3", ".", "not a number"), ("\u0663", ".", "not a number"), ("NaN", ".", "not a number"),
    ("99999999999999999999999", ".", "'99999999999999999999999' is too large: at most 1,000,000,000,000 either way."),
    ("1000000000000,5", ",", "is too large: at most 1.000.000.000.000 either way."),
    ("-1000000000001", ".", "is too large"),
    ("0.0000001", ".", "'0.0000001' has more than 6 decimal places."),
])
def test_anything_else_is_refused_saying_what_is_wrong(text, mark, message):
    with pytest.raises(InvalidQuantity) as refused:
        parse_local_decimal(text, mark)
    assert message in str(refused.value)


@given(st.decimals(min_value=-MAX_ABS, max_value=MAX_ABS, places=6, allow_nan=False, allow_infinity=False),
       st.sampled_from([",", "."]))
def test_a_quantity_written_in_a_workspaces_marks_reads_back_the_same(value, mark):
    assert parse_local_decimal(local_text(format_quantity(value), mark), mark) == value


@given(st.text(max_size=30), st.sampled_from([",", "."]))
def test_any_text_either_reads_within_the_limits_or_is_refused_cleanly(text, mark):
    try:
        value = parse_local_decimal(text, mark)
    except InvalidQuantity:
        return
    assert value.copy_abs() <= MAX_ABS and value == value.quantize(Decimal("0.000001"))
