"""Stock status from availability (SPEC §3): out_of_stock if available <= 0, else critical if
<= safety_stock, else low if <= reorder_point, else normal; untracked items never run out."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storekeeper.domain.stock import StockStatus, Tracking, stock_status

D = Decimal


@pytest.mark.parametrize(
    ("available", "expected"),
    [
        ("-3", StockStatus.OUT_OF_STOCK),
        ("0", StockStatus.OUT_OF_STOCK),
        ("0.000001", StockStatus.CRITICAL),
        ("2", StockStatus.CRITICAL),
        ("2.000001", StockStatus.LOW),
        ("5", StockStatus.LOW),
        ("5.000001", StockStatus.NORMAL),
        ("1000", StockStatus.NORMAL),
    ],
)
def test_status_follows_the_thresholds_with_each_boundary_inclusive(available, expected):
    assert stock_status(D(available), safety_stock=D(2), reorder_point=D(5)) == expected


def test_with_zero_thresholds_anything_on_hand_is_normal():
    assert stock_status(D("0.5"), D(0), D(0)) == StockStatus.NORMAL
    assert stock_status(D(0), D(0), D(0)) == StockStatus.OUT_OF_STOCK


def test_missing_thresholds_are_not_checked():
    assert stock_status(D(1), None, None) == StockStatus.NORMAL
    assert stock_status(D(1), None, D(1)) == StockStatus.LOW


def test_critical_wins_when_the_safety_stock_is_above_the_reorder_point():
    assert stock_status(D(4), safety_stock=D(5), reorder_point=D(3)) == StockStatus.CRITICAL


@pytest.mark.parametrize("available", ["-5", "0", "1", "100"])
def test_an_item_without_tracking_is_always_normal(available):
    assert stock_status(D(available), D(10), D(20), Tracking.NONE) == StockStatus.NORMAL
    assert stock_status(D(available), D(10), D(20), "none") == StockStatus.NORMAL


def test_tracking_by_quantity_is_the_default():
    assert stock_status(D(0), D(0), D(0)) == stock_status(D(0), D(0), D(0), Tracking.QUANTITY)


def test_statuses_are_the_strings_the_api_shows():
    assert [s.value for s in StockStatus] == ["normal", "low", "critical", "out_of_stock"]
    assert StockStatus.OUT_OF_STOCK == "out_of_stock"
