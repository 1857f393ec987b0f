"""CSV cells a spreadsheet must not run as formulas (issue 19, item 5): the escape is the one
OWASP recommends (a leading single quote), and reading takes it off again exactly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import storekeeper
from storekeeper.domain.csv_cells import TRIGGERS, escape_cell, unescape_cell

# Text biased towards what matters here: quotes, triggers, and anything after them.
_TRICKY = st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", "\t", "\r", "\n", " ", "a", "1", "é", '"']))
TEXT = st.one_of(st.text(), _TRICKY, st.builds(lambda a, b: a + b, _TRICKY, st.text()))


@given(TEXT)
def test_reading_an_escaped_cell_gives_the_text_back(text):
    assert unescape_cell(escape_cell(text)) == text


@given(TEXT, TEXT)
def test_two_texts_are_never_written_as_the_same_cell(a, b):
    if a != b:
        assert escape_cell(a) != escape_cell(b)


@given(TEXT)
def test_no_escaped_cell_starts_a_formula(text):
    cell = escape_cell(text)
    assert not cell or cell[0] not in TRIGGERS


@given(TEXT)
def test_a_cell_that_escape_wrote_is_written_again_as_it_was_read(text):
    cell = escape_cell(text)
    assert escape_cell(unescape_cell(cell)) == cell


@pytest.mark.parametrize(("text", "cell"), [
    ('=HYPERLINK("http://evil.example","Invoice")', '\'=HYPERLINK("http://evil.example","Invoice")'),
    ("+44 20 7946 0000", "'+44 20 7946 0000"),
    ("-handle with care-", "'-handle with care-"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("'=1", "''=1"),
    ("''+1", "'''+1"),
    ("'Til dawn", "'Til dawn"),
    ("''Til dawn", "''Til dawn"),
    ("'", "'"),
    ("", ""),
    ("Brass lamp", "Brass lamp"),
    ("a=1", "a=1"),
])
def test_cells_as_written(text, cell):
    assert escape_cell(text) == cell
    assert unescape_cell(cell) == text


def test_a_hand_written_cell_without_the_quote_reads_as_it_is():
    assert unescape_cell("=1") == "=1"
    assert unescape_cell("-3") == "-3"
    assert unescape_cell("'Til dawn") == "'Til dawn"


def test_every_csv_the_service_writes_is_written_by_one_function():
    """`services/exports.csv_chunks` escapes every cell; a second writer would not."""
    root = Path(storekeeper.__file__).parent
    writers = sorted(str(path.relative_to(root)) for path in root.rglob("*.py")
                     if re.search(r"csv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8")))
    assert writers == ["services/exports.py"]
