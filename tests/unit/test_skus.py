"""The SKU rule of domain/skus.py (issue 19, item 6), without the API: the characters it refuses
by Unicode category, and the ones a SKU is made of."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storekeeper.domain.errors import ValidationFailed
from storekeeper.domain.skus import RESERVED, InvalidSku, check_sku
from storekeeper.services.items import _check_sku

VISIBLE = st.characters(categories=["L", "M", "N", "P", "S"])


@given(st.text(VISIBLE, min_size=1, max_size=20), st.text(VISIBLE, max_size=20))
def test_letters_digits_punctuation_and_symbols_with_single_spaces_between_make_a_sku(head, tail):
    sku = f"{head} {tail}" if tail else head
    if sku not in RESERVED and sku not in (".", ".."):
        check_sku(sku)


@given(st.text(VISIBLE, max_size=10),
       st.characters(categories=["Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"], exclude_characters=" "),
       st.text(VISIBLE, max_size=10))
def test_a_control_format_private_unassigned_or_odd_space_character_anywhere_is_refused(head, char, tail):
    sku = f"X{head}{char}{tail}X"[:64]
    if char not in sku:
        return
    with pytest.raises(InvalidSku, match=f"U\\+{ord(char):04X}"):
        check_sku(sku)


@pytest.mark.parametrize("sku", ["", " LAMP", "LAMP ", "X" * 65, ".", "..", "deleted", "movements"])
def test_what_the_api_trims_or_routes_is_refused_here(sku):
    with pytest.raises(InvalidSku):
        check_sku(sku)


def test_the_services_refuse_it_as_a_validation_error_of_the_sku_field():
    with pytest.raises(ValidationFailed) as refused:
        _check_sku("LAMP\u202e1")
    assert list(refused.value.fields) == ["sku"]
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in refused.value.fields["sku"][0]


def test_the_noncharacters_are_unassigned_to_unicodedata():
    assert {unicodedata.category(c) for c in ("\ufffe", "\uffff", "\ufdd0", "\ufdef", "\U0010ffff")} == {"Cn"}
