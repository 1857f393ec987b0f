"""The rule of a movement's label (domain.stock.label_problem), without the API: any printable
text of 1 to 64 characters, kept as given; never a control character."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storekeeper.domain.stock import MAX_LABEL, label_problem

PRINTABLE = st.characters(exclude_categories=["Cc", "Cs"])


@given(st.text(PRINTABLE, min_size=1, max_size=MAX_LABEL))
def test_printable_text_up_to_64_characters_is_a_label(label):
    assert label_problem(label) is None


@given(st.text(PRINTABLE, max_size=30), st.characters(categories=["Cc"]), st.text(PRINTABLE, max_size=30))
def test_a_control_character_anywhere_is_refused_and_named(head, char, tail):
    assert label_problem(head + char + tail) == f"Must not contain control characters (U+{ord(char):04X})."


def test_an_empty_or_too_long_label_is_refused():
    assert label_problem("") == "Must not be empty (leave it out for no label)."
    assert label_problem("x" * MAX_LABEL) is None
    assert label_problem("x" * (MAX_LABEL + 1)) == "At most 64 characters."
    assert label_problem("supplier_receipt") is None and label_problem(" cycle count ") is None
