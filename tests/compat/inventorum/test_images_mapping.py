"""The inventorum dialect's images (compat/inventorum/images.py and the product mapping), on
seed 004's own examples: image 751315 of the "Pink t-shirt" request, 780792 of the T-shirt's
second variation, 217514 of "00001 Club Mate_"."""

from __future__ import annotations

import json

from storekeeper.api.errors import Problem
from storekeeper.compat.inventorum import errors, images, mapping
from tests.compat.inventorum.test_mapping import TAXES, item

URL = "https://app.inventorum.com/uploads/1627/product/pink.png"
SIZES = ["ipad", "thumb", "image", "ipad_retina", "ebay", "thumb_retina", "original"]


def test_v8_and_v10_show_an_image_as_the_documents_images_entry():
    # The document: {"id": 751315, "urls": {"ipad": …, …, "original": …}, "type": 0, "new": true}.
    shown = images.image({"id": 751315, "url": URL, "alt": None}, 8)
    assert shown == {"id": 751315, "urls": dict.fromkeys(SIZES, URL), "type": 0, "new": True}
    assert list(shown["urls"]) == SIZES and images.image({"id": 751315, "url": URL}, 10) == shown


def test_v7_shows_an_image_flat_with_its_own_id():
    assert images.image({"id": 751315, "url": URL}, 7) == {**dict.fromkeys(SIZES, URL), "new": True, "id": 751315}


def test_the_thumbnail_is_the_first_image_with_its_id_negated_as_the_document_writes_it():
    row = {"images": [{"id": 751315, "url": URL}, {"id": 2, "url": "https://x.example/2.png"}]}
    assert images.thumbnail(row) == {**dict.fromkeys(SIZES, URL), "new": True, "id": -751315}
    assert images.thumbnail({"images": []}) is None


def test_a_product_without_images_of_its_own_takes_its_variations_first_image_as_the_document():
    # The T-shirt: the product's `images` are [], its thumbnail is image 780792 of its second variation.
    variations = [{"images": []}, {"images": [{"id": 780792, "url": URL}]}]
    assert images.thumbnail({"images": []}, variations)["id"] == -780792


def test_a_product_answer_shows_its_images_per_version_and_its_variations_too():
    parent = item(images=[{"id": 217514, "url": URL, "alt": None}], has_variants=True, variant_count=1)
    red = item(id="itm_2", number=13, parent_id="itm_1", images=[{"id": 217514, "url": URL, "alt": None}])
    ten = mapping.product(parent, TAXES, {}, [red], 10)
    assert ten["images"] == ten["variations"][0]["images"] == [images.image({"id": 217514, "url": URL}, 10)]
    assert ten["thumbnail"]["id"] == -217514
    seven = mapping.product(parent, TAXES, {}, [red], 7)
    assert seven["images"] == [images.image({"id": 217514, "url": URL}, 7)]
    assert mapping.summary(parent, TAXES)["thumbnail"] == ten["thumbnail"]
    assert mapping.product(item(), TAXES, {})["images"] == [] and mapping.summary(item(), TAXES)["thumbnail"] is None


def test_the_documents_images_request_names_the_workspaces_images_by_id():
    fields = mapping.item_fields({"images": [{"id": 751315, "new": True}]}, lambda kind, value: value)
    assert fields == {"images": [{"id": 751315}]}
    assert mapping.item_fields({"images": []}, lambda kind, value: value) == {"images": []}


def test_an_unknown_image_is_refused_under_the_bodys_images_field():
    response = errors.render(Problem(422, "VALIDATION_ERROR", "The request is not valid.", "req_1",
                                     {"images[0].id": ["No image 99 in this workspace."]}))
    assert response.status_code == 400
    assert json.loads(response.body)["error"] == {
        "description": "Serialization error", "fields": {"images": ["No image 99 in this workspace."]},
        "key": "common.serializer_error"}
