"""What a SKU may contain (issue 19, item 6): characters a person can see and tell apart. Two
SKUs that differ only by an invisible or bidirectional character (U+FEFF, U+202E, U+200B…) would
look identical in every list, so such SKUs are refused wherever a SKU is set: on create, on
PATCH, for variants (nested or on their own route) and in imports (tests/integration)."""

from __future__ import annotations

import json

import pytest

# (label, character): each would make two SKUs look alike, or a SKU look like something else.
REFUSED = [
    ("byte-order mark", "\ufeff"), ("right-to-left override", "\u202e"), ("zero-width space", "\u200b"),
    ("left-to-right mark", "\u200e"), ("left-to-right isolate", "\u2066"), ("soft hyphen", "\u00ad"),
    ("bell", "\x07"), ("escape", "\x1b"), ("newline", "\n"), ("tab", "\t"), ("next line", "\x85"),
    ("lone surrogate", "\ud800"), ("private use", "\ue000"), ("private use, plane 15", "\U000f0000"),
    ("noncharacter U+FFFE", "\ufffe"), ("noncharacter U+FDD0", "\ufdd0"), ("noncharacter U+1FFFF", "\U0001ffff"),
    ("unassigned", "\u0378"), ("no-break space", "\u00a0"), ("ideographic space", "\u3000"),
    ("line separator", "\u2028"), ("paragraph separator", "\u2029"),
]
ACCEPTED = ["Café-Ø 12", "ラーメン-1", "A B", "50%", "A/B", "x?y#z", "'Til", "=SUM", "Deleted", "a..b"]


def post_json(api, path: str, body) -> object:
    """Sent as ASCII JSON (`\\ud800`), so that even a lone surrogate reaches the API as a client sends it."""
    return api.post(path, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"})


def patch_json(api, path: str, body) -> object:
    return api.request("PATCH", path, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"})


def refused(r, field: str = "sku") -> str:
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "VALIDATION_ERROR" and list(error["fields"]) == [field], error
    return error["fields"][field][0]


@pytest.mark.parametrize(("label", "char"), REFUSED, ids=[label for label, _ in REFUSED])
def test_a_sku_with_an_invisible_or_confusable_character_is_refused(api, label, char):
    message = refused(post_json(api, "/v1/items", {"sku": f"LAMP{char}-1", "name": "Lamp"}))
    assert f"U+{ord(char):04X}" in message
    assert api.get("/v1/items").json()["data"] == []


SOME = REFUSED[:6] + REFUSED[11:13]


@pytest.mark.parametrize(("label", "char"), SOME, ids=[label for label, _ in SOME])
def test_the_same_characters_are_refused_on_patch_and_for_variants(api, label, char):
    item = api.post("/v1/items", json={"sku": "SHIRT", "name": "Shirt"}).json()
    refused(patch_json(api, f"/v1/items/{item['id']}", {"sku": f"SHIRT{char}"}))
    assert api.get(f"/v1/items/{item['id']}").json()["sku"] == "SHIRT"
    refused(post_json(api, f"/v1/items/{item['id']}/variants", {"sku": f"SHIRT-S{char}", "attributes": {"size": "S"}}))
    refused(post_json(api, "/v1/items", {"sku": "TEE", "name": "T-shirt", "variants": [
        {"sku": "TEE-S", "attributes": {"size": "S"}}, {"sku": f"TEE-M{char}", "attributes": {"size": "M"}}]}),
        "variants[1].sku")
    assert [i["sku"] for i in api.get("/v1/items").json()["data"]] == ["SHIRT"]


@pytest.mark.parametrize("sku", ACCEPTED)
def test_visible_text_is_a_fine_sku(api, sku):
    r = api.post("/v1/items", json={"sku": sku, "name": "Fine"})
    assert r.status_code == 201, r.text
    assert r.json()["sku"] == sku


@pytest.mark.parametrize("sku", [".", "..", "deleted", "movements"])
def test_a_sku_that_a_url_cannot_name_is_refused(api, sku):
    """`/v1/items/..` is `/v1`, and `GET /v1/items/deleted` is the trash: no URL would reach it."""
    refused(api.post("/v1/items", json={"sku": sku, "name": "Lost"}))
    item = api.post("/v1/items", json={"sku": "FOUND", "name": "Found"}).json()
    refused(api.patch(f"/v1/items/{item['id']}", json={"sku": sku}))


def test_spaces_around_a_sku_are_trimmed_and_spaces_inside_are_kept(api):
    item = api.post("/v1/items", json={"sku": "  BRASS LAMP \u00a0", "name": "Lamp"}).json()
    assert item["sku"] == "BRASS LAMP"
    refused(api.post("/v1/items", json={"sku": "BRASS\u00a0LAMP", "name": "Lamp"}))
