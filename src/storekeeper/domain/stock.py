"""Stock rules that need no database: status from availability, reasons and their directions,
a movement's label, moving average cost, and what a bill of materials needs and a bundle makes
up."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from unicodedata import category

from storekeeper.domain.units import convert, ratio


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


class Direction(StrEnum):
    IN = "in"
    OUT = "out"
    ANY = "any"


# SPEC §3 "Stock and the ledger": the built-in reasons a client may use, with their direction.
BUILTIN_REASONS: dict[str, tuple[str, Direction]] = {
    "receipt": ("Receipt", Direction.IN),
    "return": ("Return", Direction.IN),
    "initial": ("Initial stock", Direction.IN),
    "count": ("Stock count", Direction.ANY),
    "correction": ("Correction", Direction.ANY),
    "loss": ("Loss", Direction.OUT),
    "damage": ("Damage", Direction.OUT),
    "theft": ("Theft", Direction.OUT),
    "sale": ("Sale", Direction.OUT),
}
# Written by the system only (transfers, production, snapshot restores).
SYSTEM_REASONS: dict[str, tuple[str, Direction]] = {
    "transfer_out": ("Transfer out", Direction.OUT),
    "transfer_in": ("Transfer in", Direction.IN),
    "production_consumption": ("Production consumption", Direction.OUT),
    "production_output": ("Production output", Direction.IN),
    "production_reversal": ("Production reversal", Direction.ANY),
    "snapshot_restore": ("Snapshot restore", Direction.ANY),
}
# Receipts that carry no unit cost are costed at the item's standard cost.
COSTED_AT_STANDARD = frozenset({"receipt", "initial"})


class ChangeKind(StrEnum):
    """What a person says happened to the stock (the dashboard's adjust form): it came in, went out,
    or was counted (a `set`)."""

    IN = "in"
    OUT = "out"
    COUNT = "set"


# The reason a kind of change starts with: the everyday one of a shop.
DEFAULT_REASON = {ChangeKind.IN: "receipt", ChangeKind.OUT: "sale", ChangeKind.COUNT: "count"}


# A quantity this many times the stock there (at least one unit) is asked about before it is
# recorded: 1000 typed for 10 is the dashboard's likeliest costly slip (issue 22).
UNUSUAL_FACTOR = 100


def is_unusual(quantity: Decimal, level: Decimal) -> bool:
    """Whether a person's change (or count) of `quantity` where `level` is on hand should be
    confirmed first: more than UNUSUAL_FACTOR times the level, or than that many units when the
    level is below one."""
    return abs(quantity) > UNUSUAL_FACTOR * max(abs(level), Decimal(1))


def reason_suits(code: str, direction: str, kind: ChangeKind) -> bool:
    """Whether a reason (built-in or custom, with its direction) fits a kind of change, so that
    the ledger will not refuse its sign: stock that came in takes an `in` reason, stock that went
    out an `out` one, a count one that may go either way (the count finds the sign). `count` is
    for counts only, and reasons that may go either way (`correction`) fit every kind."""
    if code == "count":
        return kind == ChangeKind.COUNT
    if direction == Direction.ANY:
        return True
    return kind != ChangeKind.COUNT and direction == kind.value


def direction_allows(direction: str, delta: Decimal) -> bool:
    """Whether a change of `delta` fits the reason's direction. A count that finds the stock as
    recorded (delta 0) fits any reason that may be used with `set`."""
    if direction == Direction.IN:
        return delta > 0
    if direction == Direction.OUT:
        return delta < 0
    return True


# A movement's free-text label beside its reason: what another system calls the change
# (`supplier_receipt`, `cycle_count`), kept as sent and matched exactly by the lists' filter.
# Reasons are a closed set with a direction each; labels are neither, so they carry no rule but
# their size and printable characters (a control character would break the CSV exports' lines
# and hide itself from a reader).
MAX_LABEL = 64


def label_problem(label: str) -> str | None:
    """Why `label` cannot label a movement, or None if it can."""
    if not label:
        return "Must not be empty (leave it out for no label)."
    if len(label) > MAX_LABEL:
        return f"At most {MAX_LABEL} characters."
    bad = next((char for char in label if category(char) == "Cc"), None)
    if bad is not None:
        return f"Must not contain control characters (U+{ord(bad):04X})."
    return None


AVERAGE_COST_PLACES = Decimal("0.0001")


def moving_average_cost(
    on_hand_before: Decimal, average_before: Decimal | None, received: Decimal, unit_cost: Decimal
) -> Decimal:
    """The moving weighted average after receiving `received` units at `unit_cost`, exact to 4
    places (half-up). Stock below zero carries no value; stock without a known cost takes the
    new cost."""
    base = max(on_hand_before, Decimal(0))
    if average_before is None or base == 0:
        return unit_cost.quantize(AVERAGE_COST_PLACES, rounding=ROUND_HALF_UP)
    # Products of 10^12-sized quantities and costs have up to ~36 digits: the default context's 28
    # would round them (and the quotient) before the half-up rounding to 4 places.
    with localcontext() as ctx:
        ctx.prec = 80
        total = base * average_before + received * unit_cost
        return (total / (base + received)).quantize(AVERAGE_COST_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class ComponentLine:
    """One line of a bill of materials: `quantity` in `unit` per one unit of the item made (or
    of the bundle sold), for a component kept in `component_unit`."""

    component_id: str
    quantity: Decimal
    unit: str
    component_unit: str
    tracked: bool = True  # tracking: none components are always there and never consumed
    deleted: bool = False  # a component in the trash: there is none of it


def component_need(line: ComponentLine, count: Decimal) -> Decimal:
    """How much of the component `count` units use, in the component's own unit, exact to 6
    places. The product comes before the conversion: 25 x 100 g is exactly 2.5 kg."""
    return convert(count * line.quantity, line.unit, line.component_unit)


def units_from(line: ComponentLine, available: Decimal) -> Decimal:
    """The most whole units of the item that `available` of this component makes up: the
    largest n with component_need(n) <= available, so that selling them always succeeds."""
    if available <= 0:
        return Decimal(0)
    with localcontext() as ctx:
        ctx.prec = 60
        n = (available / (line.quantity * ratio(line.unit, line.component_unit))).to_integral_value(ROUND_FLOOR)
    # The need is rounded to 6 places, so the exact quotient may be one off either way.
    while component_need(line, n + 1) <= available:
        n += 1
    while n > 0 and component_need(line, n) > available:
        n -= 1
    return n


def bundle_levels(
    lines: Iterable[ComponentLine], levels: Mapping[str, Mapping[str, tuple[Decimal, Decimal]]]
) -> dict[str, tuple[Decimal, Decimal]]:
    """A bundle's (on_hand, available) per location: the minimum over its tracked components of
    the whole bundles each one's stock there makes up (SPEC §3). `levels` maps a component id to
    {location id: (on_hand, available)}; a component without a level somewhere has none there.
    A bundle without tracked components makes up nothing."""
    tracked = [line for line in lines if line.tracked]
    if not tracked:
        return {}
    places = set.intersection(*(set(levels.get(line.component_id, {})) for line in tracked))
    result = {}
    for place in places:
        on_hand = min(units_from(line, levels[line.component_id][place][0]) for line in tracked)
        available = min(units_from(line, levels[line.component_id][place][1]) for line in tracked)
        result[place] = (on_hand, min(available, on_hand))
    return result


# {(component id, location id): (on_hand, available) before a change, or None for a new level}
LevelsBefore = dict[tuple[str, str], tuple[Decimal, Decimal] | None]


def levels_before(levels: Mapping[str, Mapping[str, tuple[Decimal, Decimal]]],
                  written: LevelsBefore) -> dict[str, dict[str, tuple[Decimal, Decimal]]]:
    """The components' `levels` (as bundle_levels takes them) as they were before the levels in
    `written` changed. Levels of items that `levels` does not hold (not live components) are left
    out, as component_levels leaves them out."""
    before = {component: dict(places) for component, places in levels.items()}
    for (component, place), was in written.items():
        if component not in before:
            continue
        if was is None:
            before[component].pop(place, None)
        else:
            before[component][place] = was
    return before
