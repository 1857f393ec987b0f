"""The categories an item is in after a write (domain/categories.py): `category` is the first."""

from __future__ import annotations

import pytest

from storekeeper.domain.categories import after_write, settle
from storekeeper.domain.errors import ValidationFailed


def test_a_write_naming_neither_keeps_them():
    assert after_write(["a", "b"], {"name": "x"}) == ["a", "b"]
    assert settle({"name": "x"}, ["a"]) == {"name": "x"}


def test_categories_sent_are_the_list_in_their_order_without_repeats():
    assert after_write(["a"], {"categories": ["c", "b", "c"]}) == ["c", "b"]
    assert settle({"categories": ["c", "b"]}, ["a"]) == {"categories": ["c", "b"], "category_id": "c"}
    assert settle({"categories": []}, ["a"]) == {"categories": [], "category_id": None}


def test_category_alone_replaces_the_first_and_keeps_the_others():
    assert after_write(["a", "b", "c"], {"category_id": "d"}) == ["d", "b", "c"]
    assert after_write(["a", "b", "c"], {"category_id": "c"}) == ["c", "b"]
    assert after_write([], {"category_id": "d"}) == ["d"]


def test_category_null_takes_the_item_out_of_every_category():
    assert settle({"category_id": None}, ["a", "b"]) == {"category_id": None, "categories": []}


def test_both_sent_must_agree():
    assert after_write([], {"category_id": "a", "categories": ["a", "b"]}) == ["a", "b"]
    assert after_write(["x"], {"category_id": None, "categories": []}) == []
    for sent in ({"category_id": "b", "categories": ["a", "b"]}, {"category_id": None, "categories": ["a"]},
                 {"category_id": "a", "categories": []}):
        with pytest.raises(ValidationFailed) as refused:
            after_write([], sent)
        assert "category" in refused.value.fields


def test_at_most_fifty():
    assert len(after_write([], {"categories": [f"c{i}" for i in range(50)]})) == 50
    with pytest.raises(ValidationFailed) as refused:
        after_write([], {"categories": [f"c{i}" for i in range(51)]})
    assert "categories" in refused.value.fields
