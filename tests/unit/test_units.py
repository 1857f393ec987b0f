"""Units of measure (SPEC §3 Units): codes and aliases, exact conversion within a dimension."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storekeeper.domain.errors import DomainRuleBroken
from storekeeper.domain.units import BY_CODE, UNITS, UnitMismatch, UnknownUnit, convert, resolve_unit

SPEC_CODES = {
    "count": {"pcs", "case", "pack"},
    "mass": {"mg", "g", "kg", "oz", "lb", "ct", "gr"},
    "length": {"mm", "cm", "m", "in", "ft", "yd"},
    "area": {"sqcm", "sqm", "sqin", "sqft"},
    "volume": {"ml", "l", "cm3", "m3", "tsp", "tbsp", "floz", "cup", "pt", "qt", "gal", "cuin", "cuft", "cuyd"},
    "time": {"s", "min", "h", "d"},
}
# Beyond the SPEC's: units other systems count in (the Inventora dialect's board feet).
MORE_CODES = {"volume": {"bdft"}}


def test_every_unit_the_spec_names_exists_in_its_dimension():
    by_dimension: dict[str, set[str]] = {}
    for unit in UNITS:
        by_dimension.setdefault(unit.dimension, set()).add(unit.code)
    assert by_dimension == {dimension: codes | MORE_CODES.get(dimension, set())
                            for dimension, codes in SPEC_CODES.items()}


# Every unit type of the Inventora API's document (seed 002) but `bundles`, which is no unit.
INVENTORA_UNIT_TYPES = {
    "pieces": "pcs", "cases": "case",
    "weight.lbs": "lb", "weight.oz": "oz", "weight.kg": "kg", "weight.grams": "g", "weight.mg": "mg",
    "weight.ct": "ct", "weight.gr": "gr",
    "length.ft": "ft", "length.yd": "yd", "length.in": "in", "length.m": "m", "length.cm": "cm", "length.mm": "mm",
    "area.sqft": "sqft", "area.sqin": "sqin", "area.sqm": "sqm", "area.sqcm": "sqcm",
    "volume.oz": "floz", "volume.pt": "pt", "volume.qt": "qt", "volume.ga": "gal", "volume.ml": "ml",
    "volume.liters": "l", "volume.bdft": "bdft", "volume.cuin": "cuin", "volume.cuft": "cuft", "volume.cuyd": "cuyd",
    "volume.cm3": "cm3", "volume.m3": "m3", "volume.tsp": "tsp", "volume.tbsp": "tbsp", "volume.cup": "cup",
    "time.seconds": "s", "time.minutes": "min", "time.hours": "h", "time.days": "d",
}


@pytest.mark.parametrize(("name", "code"), sorted(INVENTORA_UNIT_TYPES.items()))
def test_every_unit_type_of_the_inventora_document_is_an_alias(name, code):
    assert resolve_unit(name).code == code


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("weight.lbs", "lb"),
        ("weight.kg", "kg"),
        ("volume.liters", "l"),
        ("length.m", "m"),
        ("time.hours", "h"),
        ("pieces", "pcs"),
        ("piece", "pcs"),
        ("each", "pcs"),
        ("grams", "g"),
        ("liter", "l"),
        ("litre", "l"),
        ("gallons", "gal"),
        ("KG", "kg"),
        (" Weight.LBS ", "lb"),
        ("pcs", "pcs"),
    ],
)
def test_aliases_resolve_to_their_unit_code_in_any_case(name, code):
    assert resolve_unit(name).code == code


def test_every_alias_names_exactly_its_own_unit():
    for unit in UNITS:
        for name in (unit.code, *unit.aliases):
            assert resolve_unit(name).code == unit.code, name


@pytest.mark.parametrize("name", ["furlong", "", "   ", "weight.stone", "k g"])
def test_unknown_units_are_refused(name):
    with pytest.raises(UnknownUnit, match="GET /v1/units"):
        resolve_unit(name)


@pytest.mark.parametrize(
    ("quantity", "source", "target", "expected"),
    [
        ("1", "lb", "g", "453.59237"),
        ("1", "gal", "ml", "3785.411784"),
        ("100", "g", "kg", "0.1"),
        ("1", "kg", "lb", "2.204623"),
        ("16", "oz", "lb", "1"),
        ("1", "oz", "g", "28.349523"),
        ("7000", "gr", "lb", "1"),
        ("5", "ct", "g", "1"),
        ("1", "in", "cm", "2.54"),
        ("1", "ft", "in", "12"),
        ("1", "yd", "m", "0.9144"),
        ("1", "sqft", "sqm", "0.092903"),
        ("1", "sqm", "sqcm", "10000"),
        ("144", "sqin", "sqft", "1"),
        ("1", "gal", "qt", "4"),
        ("1", "qt", "pt", "2"),
        ("1", "pt", "cup", "2"),
        ("1", "cup", "floz", "8"),
        ("1", "floz", "tbsp", "2"),
        ("1", "tbsp", "tsp", "3"),
        ("1", "l", "cm3", "1000"),
        ("1", "m3", "l", "1000"),
        ("1", "cuft", "cuin", "1728"),
        ("1", "cuyd", "cuft", "27"),
        ("1", "d", "h", "24"),
        ("1", "h", "min", "60"),
        ("90", "s", "min", "1.5"),
        ("1", "bdft", "cuin", "144"),
        ("12", "bdft", "cuft", "1"),
        ("1", "bdft", "ml", "2359.737216"),
        ("1", "volume.bdft", "l", "2.359737"),
        ("2.5", "weight.kg", "grams", "2500"),
    ],
)
def test_conversions_are_exact_to_six_places(quantity, source, target, expected):
    result = convert(Decimal(quantity), source, target)
    assert result == Decimal(expected)
    assert "E" not in str(result)


def test_a_conversion_rounds_half_up_at_the_sixth_place():
    # 1 g = 1/453.59237 lb = 0.0022046226… lb
    assert convert(Decimal(1), "g", "lb") == Decimal("0.002205")
    assert convert(Decimal("0.5"), "ml", "m3") == Decimal("0.000001")  # 0.0000005 m3, half up
    assert convert(Decimal("0.4"), "ml", "m3") == 0


def test_converting_to_the_same_unit_returns_the_quantity_unchanged():
    assert convert(Decimal("3.25"), "case", "cases") == Decimal("3.25")
    assert convert(Decimal("3.25"), "kg", "kilograms") == Decimal("3.25")


@pytest.mark.parametrize(("source", "target"), [("case", "pcs"), ("pcs", "case"), ("pack", "case"), ("pack", "pcs")])
def test_case_and_pack_have_no_fixed_size_so_they_do_not_convert(source, target):
    with pytest.raises(UnitMismatch) as info:
        convert(Decimal(1), source, target)
    assert info.value.code == "UNIT_MISMATCH"


@pytest.mark.parametrize(("source", "target"), [("kg", "l"), ("m", "sqm"), ("pcs", "g"), ("h", "m"), ("ml", "cm")])
def test_units_of_different_dimensions_do_not_convert(source, target):
    with pytest.raises(UnitMismatch, match=f"cannot convert {source}"):
        convert(Decimal(1), source, target)


def test_a_unit_mismatch_is_a_domain_rule_answered_with_422():
    assert issubclass(UnitMismatch, DomainRuleBroken)


_CONVERTIBLE = [u for u in UNITS if u.factor is not None]
_PAIRS = [(a.code, b.code) for a in _CONVERTIBLE for b in _CONVERTIBLE if a.dimension == b.dimension]
_quantities = st.decimals(min_value=0, max_value=10**6, places=6, allow_nan=False, allow_infinity=False)


@given(st.sampled_from(_PAIRS), _quantities)
def test_a_conversion_is_the_exact_ratio_rounded_to_six_places(pair, quantity):
    source, target = pair
    exact = quantity * BY_CODE[source].factor / BY_CODE[target].factor
    assert abs(convert(quantity, source, target) - exact) <= Decimal("0.0000005")


@given(st.sampled_from(_PAIRS), _quantities)
def test_converting_to_a_finer_unit_and_back_returns_the_quantity_within_a_millionth(pair, quantity):
    coarse, fine = sorted(pair, key=lambda code: BY_CODE[code].factor, reverse=True)
    there = convert(quantity, coarse, fine)
    back = convert(there, fine, coarse)
    assert abs(back - quantity) <= Decimal("0.000001")


@given(st.sampled_from(_PAIRS), _quantities)
def test_a_round_trip_loses_at_most_the_rounding_of_the_coarser_unit(pair, quantity):
    source, target = pair
    ratio = BY_CODE[target].factor / BY_CODE[source].factor  # source units per target unit
    back = convert(convert(quantity, source, target), target, source)
    assert abs(back - quantity) <= Decimal("0.000001") * max(Decimal(1), ratio)
