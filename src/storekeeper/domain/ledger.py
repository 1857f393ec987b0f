"""The ledger's rules for one change of on-hand stock, over frozen snapshots, with no database:
compare-and-set, the reason's direction, the caps, negative stock, what is available, and the
cost a receipt brings. `services/ledger.py` holds the running state of a transaction, locks and
writes; it asks `plan_change` what a change does and raises what it refuses (issue 23).

Quantities are Decimals of at most 6 places (domain/quantities.py); money likewise of 4.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from storekeeper.domain.errors import InsufficientStock, NegativeStock, ReasonDirection, StockChanged, ValidationFailed
from storekeeper.domain.quantities import MAX_ABS
from storekeeper.domain.stock import COSTED_AT_STANDARD, direction_allows, moving_average_cost

ZERO = Decimal(0)


@dataclass(frozen=True)
class LevelState:
    """One (item, location) level as the transaction sees it now."""

    on_hand: Decimal = ZERO
    reserved: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


@dataclass(frozen=True)
class ItemState:
    """What the rules need of the item: its totals over every location and its costs."""

    item_id: str
    sku: str
    on_hand: Decimal
    average_cost: Decimal | None
    unit_cost: Decimal | None  # the standard cost


@dataclass(frozen=True)
class ChangeRequest:
    """A change of on-hand at one level: by `delta`, or a count to `set_to`."""

    location_id: str
    reason: str
    direction: str  # in, out or any (domain.stock.Direction)
    delta: Decimal | None = None
    set_to: Decimal | None = None
    unit_cost: Decimal | None = None
    expected_on_hand: Decimal | None = None  # compare-and-set: refused unless on hand is this
    within_available: bool = False  # transfers and fulfilments take only what is not reserved
    refuses_incoming: bool = False  # a count at an inactive location may lower stock only


@dataclass(frozen=True)
class Planned:
    """What the change does: the level from `before` to `after`, the cost it came in at, and
    the item's average cost after it."""

    delta: Decimal
    before: Decimal
    after: Decimal
    unit_cost: Decimal | None
    average_cost: Decimal | None


class RefusedIncoming(Exception):
    """The change would add stock where the request said it must not: the caller raises its own
    error (which location, why)."""


def shortage(item: ItemState, level: LevelState, location_id: str, needed: Decimal) -> dict:
    """A shortage's entry in INSUFFICIENT_STOCK's `details.shortages`."""
    return {"item": item.item_id, "sku": item.sku, "location": location_id, "needed": needed,
            "available": level.available}


def plan_change(item: ItemState, level: LevelState, change: ChangeRequest, *, allow_negative: bool) -> Planned:
    """The change's effect, or the rule it breaks (in this order: the compare-and-set, the
    reason's direction, an incoming count refused, the caps, what is available, negative stock,
    a cost on outgoing stock)."""
    if change.expected_on_hand is not None and change.expected_on_hand != level.on_hand:
        raise StockChanged(expected=change.expected_on_hand, on_hand=level.on_hand)
    delta = change.delta if change.set_to is None else change.set_to - level.on_hand
    if not direction_allows(change.direction, delta):
        raise ReasonDirection(change.reason, change.direction, delta)
    if delta > 0 and change.refuses_incoming:
        raise RefusedIncoming
    after = level.on_hand + delta
    if after.copy_abs() > MAX_ABS or (item.on_hand + delta).copy_abs() > MAX_ABS:
        raise ValidationFailed({"set" if change.set_to is not None else "delta": [
            f"On hand would be {after} here and {item.on_hand + delta} in all; at most 10^12 either way."]})
    if not allow_negative:
        if change.within_available and delta < 0 and -delta > level.available:
            raise InsufficientStock([shortage(item, level, change.location_id, -delta)])
        # Stock already below zero (from when the workspace allowed it) may still be topped up.
        if after < 0 and (delta < 0 or change.set_to is not None):
            raise NegativeStock(item.item_id, item.sku, change.location_id, level.on_hand, delta,
                                counted=change.set_to is not None)
    unit_cost = change.unit_cost
    if unit_cost is not None and delta <= 0:
        raise ValidationFailed({"unit_cost": ["Only incoming stock carries a unit cost."]})
    if unit_cost is None and delta > 0 and change.reason in COSTED_AT_STANDARD:
        unit_cost = item.unit_cost
    average = item.average_cost
    if unit_cost is not None and delta > 0:
        average = moving_average_cost(item.on_hand, item.average_cost, delta, unit_cost)
    return Planned(delta, level.on_hand, after, unit_cost, average)


def shortages_of(wanted: list[tuple[ItemState, LevelState, str, Decimal]]) -> list[dict]:
    """The shortages among (item, level, location, quantity needed from what is available)."""
    return [shortage(item, level, location_id, needed) for item, level, location_id, needed in wanted
            if needed > level.available]
