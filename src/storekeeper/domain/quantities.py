"""Exact decimal quantities and money.

Quantities and money are kept as `Decimal` in Python and as integer micro-units (value x 10^6)
in the database, so that sums in SQL are exact on SQLite and PostgreSQL alike: ten additions
of 0.1 give exactly 1. The SPEC caps quantities at 6 fractional digits and |q| <= 10^12, which
keeps every value, and every sum of up to ~9 million of them, inside a signed 64-bit integer.

Net prices are the exception: they are kept to 10 places (`PRICE_SCALE`), so that a net price
derived from a round gross one (5.00 with 19 % tax is 4.2016806723 net) gives that gross price
back, as shop systems that price by the gross keep them. Nothing sums them.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

SCALE = 6
PRICE_SCALE = 10
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


# Currencies whose countries write decimals with a comma (2,5) and group thousands with a point or
# a space (1.000 / 1 000), as their merchants price goods: the euro area, the rest of continental
# Europe but Switzerland, and Latin America's and South-East Asia's that do. Every other currency
# (USD, GBP, CHF, JPY, …) takes a decimal point.
COMMA_CURRENCIES = frozenset({
    "EUR", "DKK", "SEK", "NOK", "ISK", "PLN", "CZK", "HUF", "RON", "BGN", "RSD", "BAM", "MKD", "ALL", "MDL",
    "UAH", "BYN", "RUB", "GEL", "AZN", "KZT", "TRY", "BRL", "ARS", "CLP", "COP", "UYU", "PYG", "BOB", "VES",
    "IDR", "VND",
})
# Spaces that group thousands: the ordinary one, the no-break space and the narrow no-break space.
_GROUP_SPACES = " \u00a0\u202f"
_MARK_NAMES = {",": "comma", ".": "point"}


def decimal_separator(currency: str | None, setting: str | None = "auto") -> str:
    """The decimal mark of a workspace: "," or ".". Its `decimal_mark` setting when it names one
    (a euro shop in Ireland or Malta writes 2.5), else the custom of its currency."""
    if setting in _MARK_NAMES:
        return setting
    return "," if (currency or "").upper() in COMMA_CURRENCIES else "."


def _local_number(separator: str) -> re.Pattern[str]:
    grouping = re.escape("." if separator == "," else ",") + "|[" + _GROUP_SPACES + "]"
    return re.compile(
        rf"(?P<sign>[-+]?)(?P<whole>\d{{1,3}}(?P<group>{grouping})\d{{3}}(?:(?P=group)\d{{3}})*|\d*)"
        rf"(?:{re.escape(separator)}(?P<fraction>\d*))?", re.ASCII)


_LOCAL_NUMBER = {mark: _local_number(mark) for mark in _MARK_NAMES}
_LIMIT_TEXT = {mark: f"{MAX_ABS:,f}".replace(",", "." if mark == "," else ",") for mark in _MARK_NAMES}


def parse_local_decimal(text: str, separator: str = ".") -> Decimal:
    """A number as a person types it where `separator` marks the decimals: the other mark, or a
    space, may group the thousands in threes ("1.234,5" with a comma, "1,234.5" with a point).

    Nothing else is guessed: with a comma, "2.5" is refused rather than read (a slip for 2,5 or
    for 25?), and with a point "1,000" is a thousand, never one. The messages name the value and
    say what is wrong: not a number, the marks of this workspace, too large (the SPEC's 10^12),
    more than 6 decimal places."""
    written = text.strip()
    found = _LOCAL_NUMBER[separator].fullmatch(written)
    if found is None or not (found["whole"] or found["fraction"]):
        other = "." if separator == "," else ","
        if found is None and other in written and any(c.isdigit() for c in written):
            example = "2,5" if separator == "," else "2.5"
            grouped = "1.000" if separator == "," else "1,000"
            raise InvalidQuantity(
                f"{written!r} is not a number here: decimals take a {_MARK_NAMES[separator]} ({example}), and a "
                f"{_MARK_NAMES[other]} only separates thousands ({grouped}).")
        raise InvalidQuantity(f"{written!r} is not a number.")
    whole = re.sub(r"\D", "", found["whole"]).lstrip("0")
    fraction = found["fraction"] or ""
    if len(whole) > len(str(MAX_ABS)):
        raise InvalidQuantity(f"{written!r} is too large: at most {_LIMIT_TEXT[separator]} either way.")
    value = Decimal(f"{found['sign']}{whole or 0}.{fraction or 0}")
    if value.copy_abs() > MAX_ABS:
        raise InvalidQuantity(f"{written!r} is too large: at most {_LIMIT_TEXT[separator]} either way.")
    if len(fraction.rstrip("0")) > SCALE:
        raise InvalidQuantity(f"{written!r} has more than {SCALE} decimal places.")
    return normalize(value)


def local_text(text: str, separator: str) -> str:
    """A number as this module writes it ("1234.5", "1,234.50") in the marks of `separator`."""
    if separator == ".":
        return text
    return text.translate(str.maketrans({".": ",", ",": "."}))


def parse_decimal(value: object, *, what: str = "quantity", places: int = SCALE) -> Decimal:
    """Parse a JSON number (already a Decimal or int) or a numeric string, exactly.

    Rejects booleans, NaN, infinities, more than `places` (6; a net price 10) fractional digits
    and |value| > 10^12.
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
    if d != d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_WIDE):
        raise InvalidQuantity(f"{what} has more than {places} decimal places")
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

