"""A quantity a person should confirm (domain/stock.is_unusual): more than 100 times the level."""

from __future__ import annotations

from decimal import Decimal

from storekeeper.domain.stock import is_unusual


def test_more_than_a_hundred_times_the_level_counting_from_one_unit():
    assert not is_unusual(Decimal(100), Decimal(0)) and is_unusual(Decimal("100.5"), Decimal(0))
    assert not is_unusual(Decimal(1200), Decimal(12)) and is_unusual(Decimal(1201), Decimal(12))
    assert is_unusual(Decimal(-5000), Decimal(40)) and not is_unusual(Decimal("0.5"), Decimal("0.01"))
