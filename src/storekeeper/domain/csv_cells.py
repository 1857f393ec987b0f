"""Text in CSV cells that a spreadsheet must not run as a formula (CSV injection).

A spreadsheet that opens a CSV file reads a cell starting with `=`, `+`, `-` or `@` (and, in
some, a tab or a carriage return) as a formula: an item named `=HYPERLINK("http://…","Invoice")`
becomes a link in the reader's spreadsheet. OWASP's advice is to put a single quote in front of
such a cell: spreadsheets show the rest as text.

The quote is added so that it can be taken away again exactly, which `storekeeper import` does,
so an export reads back unchanged: a cell gets one more quote in front when, after any quotes it
already starts with, its first character is a trigger. `=1` is written `'=1`, `'=1` is written
`''=1`, and reading takes one quote off a cell of that shape and leaves every other cell alone.
So `'Til dawn`, whose quote is not followed by a trigger, is written and read as it is, and a
hand-written cell `=1` (no quote) is read as `=1`.

Numbers (quantities and money, which may be negative) are not text and are never escaped.
"""

from __future__ import annotations

TRIGGERS = frozenset("=+-@\t\r")
QUOTE = "'"


def _starts_a_formula(text: str) -> bool:
    """After its leading quotes, the text starts with a trigger."""
    rest = text.lstrip(QUOTE)
    return bool(rest) and rest[0] in TRIGGERS


def escape_cell(text: str) -> str:
    """The text as a CSV cell that no spreadsheet runs."""
    return QUOTE + text if _starts_a_formula(text) else text


def unescape_cell(cell: str) -> str:
    """The text that `escape_cell` wrote as this cell; any other cell as it is."""
    return cell[1:] if cell.startswith(QUOTE) and _starts_a_formula(cell) else cell
