"""Barcode labels: which code a label carries, how many labels a request or a received purchase
order makes, and where each label sits on the sheets of the common label sizes.

Sizes are the makers' own figures (Avery's templates, Brother's and Dymo's roll widths), in
millimetres; a sheet's margins are what is left of the page around its grid, split evenly, which is
how the makers print them. Positions are given in PDF points from the page's bottom-left corner,
the coordinates reportlab (services/labels.py) draws in, so this module decides every length and
the drawing only fills the boxes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from storekeeper.domain.quantities import local_text, round_money

MM = 72 / 25.4  # points per millimetre
INCH = 72.0

# A request may not ask for more than this: a sheet of 65 labels per page makes a 31-page PDF.
MAX_LABELS = 2000
MAX_COPIES = 100  # labels of one item in one request (and of one purchase order line)
MAX_ITEMS = 500  # items named in one request


class LabelRequestInvalid(ValueError):
    """A request for labels that cannot be printed; the message says why, for the person asking,
    and `field` what they should change."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Label:
    sku: str
    name: str
    price: str | None  # as printed, with its currency
    kind: str  # "code128", "ean13" or "qr"
    value: str  # what the code carries


@dataclass(frozen=True)
class LabelSize:
    code: str
    title: str
    page_width: float  # points
    page_height: float
    label_width: float
    label_height: float
    columns: int
    rows: int
    column_gap: float = 0.0
    row_gap: float = 0.0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def left_margin(self) -> float:
        return (self.page_width - self.columns * self.label_width - (self.columns - 1) * self.column_gap) / 2

    @property
    def top_margin(self) -> float:
        return (self.page_height - self.rows * self.label_height - (self.rows - 1) * self.row_gap) / 2

    def positions(self) -> list[tuple[float, float]]:
        """The bottom-left corner of each label of a page, in reading order (rows from the top,
        left to right), as a sheet is filled and read."""
        places = []
        for row in range(self.rows):
            top = self.page_height - self.top_margin - row * (self.label_height + self.row_gap)
            for column in range(self.columns):
                places.append((self.left_margin + column * (self.label_width + self.column_gap),
                               top - self.label_height))
        return places


def _sheet(code: str, title: str, page: tuple[float, float], label: tuple[float, float], grid: tuple[int, int],
           gaps: tuple[float, float], unit: float = MM) -> LabelSize:
    return LabelSize(code, title, page[0] * unit, page[1] * unit, label[0] * unit, label[1] * unit,
                     grid[0], grid[1], gaps[0] * unit, gaps[1] * unit)


A4 = (210.0, 297.0)
LETTER = (8.5, 11.0)

SIZES: dict[str, LabelSize] = {s.code: s for s in (
    _sheet("L7160", "A4, 21 labels of 63.5 x 38.1 mm (Avery L7160)", A4, (63.5, 38.1), (3, 7), (2.5, 0)),
    _sheet("L7163", "A4, 14 labels of 99.1 x 38.1 mm (Avery L7163)", A4, (99.1, 38.1), (2, 7), (2.5, 0)),
    _sheet("L7651", "A4, 65 labels of 38.1 x 21.2 mm (Avery L7651)", A4, (38.1, 21.2), (5, 13), (2.5, 0)),
    _sheet("5160", "US Letter, 30 labels of 2.625 x 1 in (Avery 5160)", LETTER, (2.625, 1.0), (3, 10),
           (0.125, 0), unit=INCH),
    # Rolls: one label a page, the page the label itself, as thermal printers' drivers expect.
    _sheet("62x29", "Roll, 62 x 29 mm (Brother DK-11209)", (62.0, 29.0), (62.0, 29.0), (1, 1), (0, 0)),
    _sheet("57x32", "Roll, 57 x 32 mm (Dymo, Zebra)", (57.0, 32.0), (57.0, 32.0), (1, 1), (0, 0)),
)}
DEFAULT_SIZE = "L7160"
CODES = ("barcode", "qr")


_BY_LOWER = {code.lower(): size for code, size in SIZES.items()}


def label_size(code: str | None) -> LabelSize:
    size = _BY_LOWER.get((code or DEFAULT_SIZE).strip().lower())
    if size is None:
        raise LabelRequestInvalid("size", f"Unknown label size {code!r}: choose one of {', '.join(SIZES)}.")
    return size


def code_choice(code: str | None) -> str:
    choice = (code or "barcode").strip().lower()
    if choice not in CODES:
        raise LabelRequestInvalid("code", f"Unknown code {code!r}: choose barcode or qr.")
    return choice


def price_text(price: Decimal | None, currency: str, separator: str = ".") -> str | None:
    """The price a shelf label shows: to the cent, thousands grouped, in the workspace's marks,
    with its currency's code (`12,50 EUR`)."""
    if price is None:
        return None
    return f"{local_text(f'{round_money(price):,}', separator)} {currency}"


def is_ean13(code: str | None) -> bool:
    """13 digits whose last is the check digit of the first twelve (weights 1 and 3, GS1)."""
    if code is None or len(code) != 13 or not code.isascii() or not code.isdigit():
        return False
    digits = [int(c) for c in code]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == digits[12]


def _code128_can_carry(value: str) -> bool:
    # Code 128 encodes ASCII only; a SKU in another script goes into a QR code (UTF-8) instead.
    return value.isascii() and value.isprintable()


def symbology(barcode: str | None, sku: str, code: str = "barcode") -> tuple[str, str]:
    """(kind, value) of the label's code: a QR code when asked for (or when the text is beyond Code
    128), an EAN-13 when the item's barcode is a valid one (what a till's scanner expects on a
    product), else Code 128 of the item's barcode, else of its SKU."""
    value = barcode or sku
    if code == "qr" or not _code128_can_carry(value):
        return "qr", value
    if is_ean13(barcode):
        return "ean13", value
    return "code128", value


def copies_of(value: str | int | None) -> int:
    if value is None or value == "":
        return 1
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise LabelRequestInvalid("copies", f"Copies must be a whole number from 1 to {MAX_COPIES}, not {value!r}."
                                  ) from None
    if not 1 <= number <= MAX_COPIES:
        raise LabelRequestInvalid("copies", f"Copies must be from 1 to {MAX_COPIES}, not {number}.")
    return number


def received_labels(received: Decimal) -> int:
    """Labels for a purchase order line: one per unit received, a part unit counting as one (2.5
    kg in three bags), and at most MAX_COPIES: a line of 10,000 screws is labelled by the box."""
    if received <= 0:
        return 0
    return min(math.ceil(received), MAX_COPIES)


def check_total(count: int) -> None:
    if count == 0:
        raise LabelRequestInvalid("items", "There is nothing to print: no labels were asked for.")
    if count > MAX_LABELS:
        raise LabelRequestInvalid("copies", f"That is {count:,} labels; at most {MAX_LABELS:,} are printed at once. "
                                  "Ask for fewer items or copies.")


def pages_for(size: LabelSize, count: int) -> int:
    return math.ceil(count / size.per_page)


@dataclass(frozen=True)
class LabelBoxes:
    """Where the parts of one label go, relative to its bottom-left corner (points)."""
    padding: float
    font_size: float
    text_lines: int  # lines of text above the bars, or beside a QR code
    code_x: float
    code_y: float
    code_width: float
    code_height: float
    text_x: float
    text_width: float


def boxes(size: LabelSize, kind: str) -> LabelBoxes:
    """The label's layout: text on top and the bars below across the width; a QR code is square,
    so it sits at the left at full height with the text beside it. Small labels get smaller text
    and fewer lines, never text over the code."""
    width, height = size.label_width, size.label_height
    padding = min(3 * MM, max(1.2 * MM, min(width, height) * 0.07))
    font = 8.0 if height >= 28 * MM else 6.5 if height >= 24 * MM else 5.5
    inner_w, inner_h = width - 2 * padding, height - 2 * padding
    if kind == "qr":
        side = inner_h
        text_x = padding + side + padding
        return LabelBoxes(padding, font, 3, padding, padding, side, side, text_x, width - text_x - padding)
    # Two lines (the name; the SKU and the price) above the bars, whose digits are printed under them.
    text_h = 2 * font * 1.2
    return LabelBoxes(padding, font, 2, padding, padding, inner_w, inner_h - text_h - font * 0.3,
                      padding, inner_w)
