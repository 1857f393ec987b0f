"""Prices: gross from net and tax rate, and the EU unit price (price per kg, l, m, m² or piece)."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from storekeeper.domain.quantities import PRICE_SCALE, SCALE, exact_product, normalize, round_money
from storekeeper.domain.units import BY_CODE, PRICING_BASE, resolve_unit


def gross_price(price: Decimal | None, rate: Decimal | None) -> Decimal | None:
    """price * (1 + rate), rounded half-up to 2 places; the net price when there is no rate.
    Exact before the rounding: a net price has up to 10 places, 23 digits at 10^12."""
    if price is None:
        return None
    return round_money(exact_product(price, 1 + (rate or Decimal(0))))


# A net price is stored as its first 6 places (a micro-unit column like every amount, which
# sorts) and the rest, places 7 to 10, as an integer of 10^-10 units (0 to 9999): exact on both
# databases, where 10^12 at 10 places would not fit a 64-bit integer.
_SIX = Decimal(1).scaleb(-SCALE)
REST_UNIT = Decimal(1).scaleb(-PRICE_SCALE)


def split_price(price: Decimal | None) -> tuple[Decimal | None, int]:
    """(the price floored to 6 places, its places 7 to 10 as an integer); `price` has at most 10
    places. Floored, so that the stored pair orders as the prices do."""
    if price is None:
        return None, 0
    six = price.quantize(_SIX, rounding=ROUND_FLOOR)
    return normalize(six), int((price - six).scaleb(PRICE_SCALE))


def join_price(six: Decimal | None, rest: int | None) -> Decimal | None:
    """The net price a stored pair (split_price) stands for."""
    if six is None:
        return None
    return normalize(six + rest * REST_UNIT) if rest else six


def unit_price(
    gross: Decimal | None, package_value: Decimal | None, package_unit: str | None
) -> tuple[Decimal, str] | None:
    """The gross price per pricing base unit of the package, e.g. 500 g for 5.00 → (10.00, kg).

    None when there is no price or package size, or the package unit has no fixed size (case).
    """
    if gross is None or package_value is None or package_unit is None or package_value <= 0:
        return None
    unit = resolve_unit(package_unit)
    base = PRICING_BASE.get(unit.dimension)
    if base is None or unit.factor is None:
        return None
    # The exact package size in the base unit: convert() rounds to 6 places, which would skew
    # the price of small packages (1 tsp = 0.00492892159375 l, not 0.004929 l).
    in_base = package_value * unit.factor / BY_CODE[base].factor
    return round_money(gross / in_base), base
