"""Exact decimal quantities and money.

Quantities and money are kept as `Decimal` in Python and as integer micro-units (value x 10^6)
in the database, so that sums in SQL are exact on SQLite and PostgreSQL alike: ten additions
of 0.1 give exactly 1. The SPEC caps quantities at 6 fractional digits and |q| <= 10^12, which
keeps every value, and every sum of up to ~9 million of them, inside a signed 64-bit integer.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

SCALE = 6
MICROS = 10**SCALE
MAX_ABS = Decimal(10) ** 12
_QUANTUM = Decimal(1).scaleb(-SCALE)
_CENT = Decimal("0.01")
# Wide enough for any product or sum of 10^12-sized amounts (the default context keeps 28
# digits and would round them).
_WIDE = Context(prec=80)
# What a client means by a numeric string: ASCII digits, optional sign, fraction and exponent.
# Decimal() alone would also take "1_000", "Infinity" and non-ASCII digits (Arabic-Indic, full-width).
_NUMERIC_TEXT = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?", re.ASCII)


class InvalidQuantity(ValueError):
    """A value that is not an exact decimal the SPEC accepts."""


def parse_decimal(value: object, *, what: str = "quantity") -> Decimal:
    """Parse a JSON number (already a Decimal or int) or a numeric string, exactly.

    Rejects booleans, NaN, infinities, more than 6 fractional digits and |value| > 10^12.
    """
    if isinstance(value, bool) or value is None:
        raise InvalidQuantity(f"{what} must be a number or a numeric string")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        # Only reached when a caller bypasses the exact JSON parser; repr() is the shortest
        # decimal that round-trips, which is what the client wrote.
        d = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if text.lower().lstrip("+-") in ("nan", "snan", "inf", "infinity"):
            raise InvalidQuantity(f"{what} must be finite")
        if len(text) > 64 or not _NUMERIC_TEXT.fullmatch(text):
            raise InvalidQuantity(f"{what} must be a number or a numeric string")
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise InvalidQuantity(f"{what} must be a number or a numeric string") from None
    else:
        raise InvalidQuantity(f"{what} must be a number or a numeric string")
    if not d.is_finite():
        raise InvalidQuantity(f"{what} must be finite")
    # copy_abs(), unlike abs(), is exact and ignores the context: abs(Decimal("1E1000000"))
    # raises decimal.Overflow instead of answering.
    if d.copy_abs() > MAX_ABS:
        raise InvalidQuantity(f"{what} must be between -10^12 and 10^12")
    if d != d.quantize(_QUANTUM, rounding=ROUND_HALF_UP):
        raise InvalidQuantity(f"{what} has more than {SCALE} decimal places")
    return normalize(d)


def normalize(d: Decimal) -> Decimal:
    """The canonical form: no trailing zeros, no exponent, no negative zero."""
    if d == 0:
        return Decimal(0)
    d = d.normalize(_WIDE)
    exponent = d.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        d = d.quantize(Decimal(1), context=_WIDE)
    return d


def to_micros(d: Decimal) -> int:
    return int(d.scaleb(SCALE).to_integral_value(rounding=ROUND_HALF_UP))


def from_micros(n: int | None) -> Decimal | None:
    if n is None:
        return None
    units, micros = divmod(n, MICROS)
    if not micros:  # most stored amounts are whole; Decimal(int) is already canonical
        return Decimal(units)
    return normalize(Decimal(n).scaleb(-SCALE))


def round_quantity(d: Decimal) -> Decimal:
    """A computed quantity (a conversion, a share) rounded half-up to the 6 places stored."""
    return normalize(d.quantize(_QUANTUM, rounding=ROUND_HALF_UP))


def format_quantity(d: Decimal) -> str:
    """Plain decimal text for a JSON number: `12.5`, `1`, `-0.000001`, never an exponent."""
    text = str(d)
    # Most amounts arrive canonical (from_micros, parse_quantity): their text is the answer.
    if "E" not in text and ((text[-1] != "0" and "." in text) or ("." not in text and text != "-0")):
        return text
    return format(normalize(d), "f")


def round_money(d: Decimal, places: int = 2) -> Decimal:
    """Round half-up, as tax authorities and the SPEC's gross price do. Exact for any amount
    the API can produce (products and sums of 10^12-sized values have up to ~40 digits, more
    than the default context's 28)."""
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_WIDE)


def exact_product(a: Decimal, b: Decimal) -> Decimal:
    """a times b without the default context's rounding to 28 digits."""
    return _WIDE.multiply(a, b)


def format_money(d: Decimal) -> str:
    """Money as a decimal string with at least two places (`"5.50"`, `"4.201681"`)."""
    d = normalize(d)
    exponent = d.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        d = d.quantize(_CENT, context=_WIDE)
    return format(d, "f")

