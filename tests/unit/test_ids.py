"""Prefixed ULIDs (SPEC §2): `itm_` + 26 Crockford base32 characters, sortable by time."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storekeeper.domain.ids import PREFIXES, is_id, is_ulid, new_id, ulid

_CROCKFORD = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


@pytest.mark.parametrize(
    ("kind", "prefix"),
    [("item", "itm_"), ("location", "loc_"), ("movement", "mov_"), ("api_key", "key_"), ("tax_rate", "tax_"),
     ("category", "cat_"), ("snapshot", "snap_"), ("purchase_order_line", "pol_"), ("request", "req_")],
)
def test_an_id_is_its_kinds_prefix_and_a_26_character_ulid(kind, prefix):
    value = new_id(kind)
    assert value.startswith(prefix)
    assert _CROCKFORD.match(value[len(prefix):])
    assert is_id(kind, value)


def test_every_prefix_of_the_spec_is_used():
    spec = {"itm", "loc", "mov", "trf", "res", "po", "pol", "prd", "prl", "bat", "snap", "key", "usr", "tax", "cat",
            "whk", "evt", "rsn"}
    assert spec <= set(PREFIXES.values())


def test_an_id_of_one_kind_is_not_taken_for_another():
    assert not is_id("location", new_id("item"))
    assert not is_id("purchase_order", new_id("purchase_order_line"))


@pytest.mark.parametrize(
    "value", ["itm_", "itm_123", "ITM_01J0000000000000000000000", "itm_01j00000000000000000000000", "SKU-1",
              "itm_81J0000000000000000000000A", "itm_01J000000000000000000000IL"]
)
def test_malformed_ids_are_not_ids(value):
    assert not is_id("item", value)


def test_ids_are_unique():
    assert len({new_id("item") for _ in range(2000)}) == 2000


@given(st.integers(min_value=0, max_value=2**48 - 2), st.integers(min_value=1, max_value=2**20))
def test_a_later_millisecond_always_sorts_after_an_earlier_one(earlier, gap):
    later = min(earlier + gap, 2**48 - 1)
    first, second = ulid(earlier), ulid(later)
    assert is_ulid(first) and is_ulid(second)
    assert first < second


def test_the_time_part_encodes_the_millisecond():
    assert ulid(0)[:10] == "0000000000"
    assert ulid(1)[:10] == "0000000001"
    assert ulid(32)[:10] == "0000000010"
    assert ulid(2**48 - 1)[:10] == "7ZZZZZZZZZ"
