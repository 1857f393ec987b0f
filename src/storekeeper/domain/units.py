"""Units of measure, their dimensions and exact conversion.

Each unit has a factor to its dimension's base unit (g, m, sqm, ml, s), given exactly as a
decimal from its legal definition (US customary volumes; 1 lb = 453.59237 g). `case` and
`pack` hold a number of pieces that differs per item, so they have no fixed factor: they
convert only to themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from storekeeper.domain.errors import Code, DomainRuleBroken
from storekeeper.domain.quantities import round_quantity


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name: str
    dimension: str
    factor: Decimal | None  # to the dimension's base unit; None: not convertible
    aliases: tuple[str, ...] = ()


def _u(code: str, name: str, dimension: str, factor: str | None, *aliases: str) -> Unit:
    return Unit(code, name, dimension, Decimal(factor) if factor is not None else None, aliases)


_US_GALLON_ML = Decimal("3785.411784")

UNITS: tuple[Unit, ...] = (
    _u("pcs", "pieces", "count", "1", "pieces", "piece", "pc", "ea", "each", "unit", "units", "count.pcs"),
    _u("case", "case", "count", None, "cases"),
    _u("pack", "pack", "count", None, "packs", "package"),
    _u("mg", "milligram", "mass", "0.001", "milligram", "milligrams", "weight.mg"),
    _u("g", "gram", "mass", "1", "gram", "grams", "weight.g", "weight.grams"),
    _u("kg", "kilogram", "mass", "1000", "kilogram", "kilograms", "kilo", "kilos", "weight.kg"),
    _u("oz", "ounce", "mass", "28.349523125", "ounce", "ounces", "weight.oz"),
    _u("lb", "pound", "mass", "453.59237", "lbs", "pound", "pounds", "weight.lb", "weight.lbs"),
    _u("ct", "carat", "mass", "0.2", "carat", "carats", "weight.ct"),
    _u("gr", "grain", "mass", "0.06479891", "grain", "grains", "weight.gr"),
    _u("mm", "millimetre", "length", "1", "millimeter", "millimeters", "millimetre", "length.mm"),
    _u("cm", "centimetre", "length", "10", "centimeter", "centimeters", "centimetre", "length.cm"),
    _u("m", "metre", "length", "1000", "meter", "meters", "metre", "metres", "length.m"),
    _u("in", "inch", "length", "25.4", "inch", "inches", "length.in"),
    _u("ft", "foot", "length", "304.8", "foot", "feet", "length.ft"),
    _u("yd", "yard", "length", "914.4", "yard", "yards", "length.yd"),
    _u("sqcm", "square centimetre", "area", "0.0001", "cm2", "area.sqcm"),
    _u("sqm", "square metre", "area", "1", "m2", "area.sqm"),
    _u("sqin", "square inch", "area", "0.00064516", "in2", "area.sqin"),
    _u("sqft", "square foot", "area", "0.09290304", "ft2", "area.sqft"),
    _u("ml", "millilitre", "volume", "1", "milliliter", "milliliters", "millilitre", "volume.ml"),
    _u("l", "litre", "volume", "1000", "liter", "liters", "litre", "litres", "volume.l", "volume.liters"),
    _u("cm3", "cubic centimetre", "volume", "1", "cc", "volume.cm3"),
    _u("m3", "cubic metre", "volume", "1000000", "volume.m3"),
    _u("tsp", "US teaspoon", "volume", str(_US_GALLON_ML / 768), "teaspoon", "teaspoons", "volume.tsp"),
    _u("tbsp", "US tablespoon", "volume", str(_US_GALLON_ML / 256), "tablespoon", "tablespoons", "volume.tbsp"),
    _u("floz", "US fluid ounce", "volume", str(_US_GALLON_ML / 128), "fl_oz", "fluid_ounce", "volume.floz",
       "volume.oz"),
    _u("cup", "US cup", "volume", str(_US_GALLON_ML / 16), "cups", "volume.cup", "volume.cups"),
    _u("pt", "US pint", "volume", str(_US_GALLON_ML / 8), "pint", "pints", "volume.pt", "volume.pints"),
    _u("qt", "US quart", "volume", str(_US_GALLON_ML / 4), "quart", "quarts", "volume.qt", "volume.quarts"),
    _u("gal", "US gallon", "volume", str(_US_GALLON_ML), "gallon", "gallons", "volume.gal", "volume.gallons",
       "volume.ga"),
    _u("cuin", "cubic inch", "volume", "16.387064", "in3", "volume.cuin"),
    _u("cuft", "cubic foot", "volume", "28316.846592", "ft3", "volume.cuft"),
    _u("cuyd", "cubic yard", "volume", "764554.857984", "yd3", "volume.cuyd"),
    # Lumber: 1 board foot is 1 ft x 1 ft x 1 in = 144 cubic inches, exactly 2,359.737216 ml.
    _u("bdft", "board foot", "volume", "2359.737216", "board_foot", "board_feet", "fbm", "volume.bdft"),
    _u("s", "second", "time", "1", "sec", "second", "seconds", "time.s", "time.seconds"),
    _u("min", "minute", "time", "60", "minute", "minutes", "time.min", "time.minutes"),
    _u("h", "hour", "time", "3600", "hr", "hour", "hours", "time.h", "time.hours"),
    _u("d", "day", "time", "86400", "day", "days", "time.d", "time.days"),
)

BY_CODE: dict[str, Unit] = {u.code: u for u in UNITS}
_LOOKUP: dict[str, Unit] = {}
for _unit in UNITS:
    for _name in (_unit.code, *_unit.aliases):
        _LOOKUP.setdefault(_name.lower(), _unit)

# EU unit pricing shows the price per kg, l, m, m² or piece.
PRICING_BASE = {"mass": "kg", "volume": "l", "length": "m", "area": "sqm", "count": "pcs"}

class UnknownUnit(ValueError):
    pass


class UnitMismatch(DomainRuleBroken):
    code = Code.UNIT_MISMATCH


def resolve_unit(name: str) -> Unit:
    """A unit by its code or any alias, case-insensitively (`weight.lbs` → `lb`)."""
    unit = _LOOKUP.get(name.strip().lower()) if isinstance(name, str) else None
    if unit is None:
        raise UnknownUnit(f"unknown unit {name!r}; GET /v1/units lists the accepted codes")
    return unit


def _convertible(from_unit: str, to_unit: str) -> tuple[Unit, Unit]:
    src, dst = resolve_unit(from_unit), resolve_unit(to_unit)
    if src.code != dst.code and (src.dimension != dst.dimension or src.factor is None or dst.factor is None):
        raise UnitMismatch(f"cannot convert {src.code} ({src.dimension}) to {dst.code} ({dst.dimension})")
    return src, dst


def convert(quantity: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Convert within one dimension, exact to 6 places (half-up)."""
    src, dst = _convertible(from_unit, to_unit)
    if src.code == dst.code:
        return quantity
    return round_quantity(quantity * src.factor / dst.factor)


def ratio(from_unit: str, to_unit: str) -> Decimal:
    """The exact factor that turns a quantity in `from_unit` into `to_unit` (unrounded)."""
    src, dst = _convertible(from_unit, to_unit)
    return Decimal(1) if src.code == dst.code else src.factor / dst.factor
