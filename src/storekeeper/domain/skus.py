"""What a SKU may be: text that a person can read and tell apart from every other SKU, and that
a URL can name.

Refused, by Unicode general category (`unicodedata`, so the categories are those of Python's
Unicode version):

- `Cc` control characters (tab, newline, escape, U+0085) and `Cf` format characters, which are
  invisible (U+200B ZERO WIDTH SPACE, U+FEFF BYTE ORDER MARK, U+00AD SOFT HYPHEN) or reorder the
  text around them (U+202E RIGHT-TO-LEFT OVERRIDE): `LAMP1` and `LAMP1` with a U+200B between
  its letters would look the same.
- `Cs` surrogates (halves of a UTF-16 pair, not characters: no UTF-8 text holds one), `Co`
  private-use characters (no font agrees on what they look like) and `Cn`: unassigned code
  points and the noncharacters (U+FFFE, U+FDD0…).
- `Zl` and `Zp` (line and paragraph separators) and every space but U+0020: U+00A0 NO-BREAK
  SPACE looks exactly like a space. A SKU cannot start or end with a space either (the API and
  imports trim them before this rule sees the SKU).
- `.` and `..`, which HTTP clients resolve as steps in a URL's path rather than send, and the
  words that the API's paths use where an item's SKU would go (`RESERVED`).

Existing SKUs are not checked again: the rule applies where a SKU is set.
"""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 64
_REFUSED_CATEGORIES = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character",
    "Cs": "a surrogate, not a character",
    "Co": "a private-use character",
    "Cn": "an unassigned code point or a noncharacter",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
    "Zs": "a space other than the plain space",
}
# `GET /v1/items/deleted` is the deleted-items feed, `GET /v1/stock/movements` the ledger and the
# dashboard's `/items/new` the new item's form: an item with one of these SKUs could not be read
# by it. tests/api/test_item_refs_in_urls.py checks
# that every literal segment beside an item ref in the route table is here.
RESERVED = frozenset({"deleted", "movements", "new"})
_PATH_STEPS = frozenset({".", ".."})


class InvalidSku(ValueError):
    """A SKU that the rule refuses; the message says why, in words for the person who typed it."""


def _character_problem(char: str) -> str | None:
    category = unicodedata.category(char)
    if category == "Zs" and char == " ":
        return None
    what = _REFUSED_CATEGORIES.get(category)
    if what is None:
        return None
    name = unicodedata.name(char, "")
    return f"A SKU must not contain U+{ord(char):04X}{f' ({name})' if name else ''}, {what}: it could make " \
           "two different SKUs look the same."


def check_sku(sku: str) -> None:
    """Raise InvalidSku unless `sku` is a SKU the rule accepts."""
    if not sku:
        raise InvalidSku("A SKU cannot be empty.")
    if len(sku) > MAX_LENGTH:
        raise InvalidSku(f"A SKU has at most {MAX_LENGTH} characters.")
    if sku != sku.strip():
        raise InvalidSku("A SKU cannot start or end with a space.")
    if sku in _PATH_STEPS:
        raise InvalidSku(f"A SKU cannot be {sku!r}: in a URL it is a step between folders, not a name.")
    if sku in RESERVED:
        raise InvalidSku(f"A SKU cannot be {sku!r}: the API's paths use that word (GET /v1/items/deleted, "
                         "GET /v1/stock/movements).")
    for char in sku:
        problem = _character_problem(char)
        if problem:
            raise InvalidSku(problem)
