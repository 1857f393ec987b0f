"""Stock rules that need no database: status from availability."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum


class StockStatus(StrEnum):
    NORMAL = "normal"
    LOW = "low"
    CRITICAL = "critical"
    OUT_OF_STOCK = "out_of_stock"


class Tracking(StrEnum):
    QUANTITY = "quantity"
    NONE = "none"
    BUNDLE = "bundle"


def stock_status(
    available: Decimal,
    safety_stock: Decimal | None,
    reorder_point: Decimal | None,
    tracking: str = Tracking.QUANTITY,
) -> StockStatus:
    """SPEC §3: out_of_stock if available <= 0, else critical if <= safety_stock,
    else low if <= reorder_point, else normal. Untracked items are never out of stock."""
    if tracking == Tracking.NONE:
        return StockStatus.NORMAL
    if available <= 0:
        return StockStatus.OUT_OF_STOCK
    if safety_stock is not None and available <= safety_stock:
        return StockStatus.CRITICAL
    if reorder_point is not None and available <= reorder_point:
        return StockStatus.LOW
    return StockStatus.NORMAL
