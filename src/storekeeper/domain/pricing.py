"""Prices: gross from net and tax rate, and the EU unit price (price per kg, l, m, m² or piece)."""

from __future__ import annotations

from decimal import Decimal

from storekeeper.domain.quantities import round_money
from storekeeper.domain.units import BY_CODE, PRICING_BASE, resolve_unit


def gross_price(price: Decimal | None, rate: Decimal | None) -> Decimal | None:
    """price * (1 + rate), rounded half-up to 2 places; the net price when there is no rate."""
    if price is None:
        return None
    return round_money(price * (1 + (rate or Decimal(0))))


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
