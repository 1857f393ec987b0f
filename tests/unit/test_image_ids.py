"""The ids of an item's images (domain/images.py): what a write that sends images keeps."""

from __future__ import annotations

import pytest

from storekeeper.domain.errors import ValidationFailed
from storekeeper.domain.images import count_new, number_new, plan

FRONT = {"id": 7, "url": "https://cdn.example/front.jpg", "alt": "Front"}
BACK = {"id": 8, "url": "https://cdn.example/back.jpg", "alt": None}


def test_images_sent_by_url_keep_the_ids_of_the_items_images_with_that_url():
    kept = plan([FRONT, BACK], [{"url": BACK["url"]}, {"url": FRONT["url"], "alt": "Front, new alt"}], {})
    assert kept == [{**BACK}, {**FRONT, "alt": "Front, new alt"}]


def test_an_image_sent_by_id_alone_keeps_its_url_and_alt_and_one_by_url_its_alt():
    assert plan([FRONT, BACK], [{"id": 7}], {}) == [FRONT]
    assert plan([FRONT], [{"url": FRONT["url"]}], {}) == [FRONT]
    assert plan([FRONT], [{"url": FRONT["url"], "alt": None}], {}) == [{**FRONT, "alt": None}]


def test_a_new_url_is_a_new_image_and_images_left_out_are_dropped():
    kept = plan([FRONT, BACK], [{"url": "https://cdn.example/side.jpg"}, {"id": 8}], {})
    assert kept == [{"id": None, "url": "https://cdn.example/side.jpg", "alt": None}, BACK]


def test_an_id_of_another_items_image_in_the_workspace_adds_that_image():
    assert plan([], [{"id": 40}], {40: "https://cdn.example/shared.jpg"}) == [
        {"id": 40, "url": "https://cdn.example/shared.jpg", "alt": None}]


def test_the_same_url_twice_is_one_kept_image_and_one_new():
    kept = plan([FRONT], [{"url": FRONT["url"]}, {"url": FRONT["url"]}], {})
    assert [image["id"] for image in kept] == [7, None]


def test_a_url_sent_with_its_own_id_is_not_matched_again_by_url():
    kept = plan([FRONT], [{"url": FRONT["url"]}, {"id": 7}], {})
    assert [image["id"] for image in kept] == [None, 7]


@pytest.mark.parametrize(("sent", "field"), [
    ([{"id": 99}], "images[0].id"),  # no such image in the workspace
    ([{"id": 7}, {"id": 7}], "images[1].id"),  # listed twice
    ([{"id": 7, "url": "https://cdn.example/other.jpg"}], "images[0].url"),  # an id keeps its URL
    ([{"alt": "nothing named"}], "images[0]"),
])
def test_a_write_naming_images_wrongly_is_refused_naming_the_field(sent, field):
    with pytest.raises(ValidationFailed) as refused:
        plan([FRONT], sent, {})
    assert field in refused.value.fields


def test_new_images_of_several_items_are_numbered_in_order_up_to_the_counter():
    planned = [[{"id": None, "url": "a"}, {"id": 3, "url": "b"}], [{"id": None, "url": "c"}]]
    assert count_new(planned) == 2
    number_new(planned, 12)
    assert [image["id"] for item in planned for image in item] == [11, 3, 12]
