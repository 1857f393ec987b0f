"""Sales channels (SPEC §3 Items): PUT /v1/items/{ref}/channels/{channel} publishes an item with
optional overrides, DELETE unpublishes it and keeps them, `channels` can be set whole on POST and
PATCH /v1/items, and GET /v1/items?channel= lists exactly what a channel shows."""

from __future__ import annotations

import pytest

from tests.factories import error, item


def publish(api, ref: str, channel: str = "shop", body: dict | None = None, **kwargs):
    if body is None:
        return api.request("PUT", f"/v1/items/{ref}/channels/{channel}", **kwargs)
    return api.put(f"/v1/items/{ref}/channels/{channel}", json=body, **kwargs)


def unpublish(api, ref: str, channel: str = "shop", **kwargs):
    return api.delete(f"/v1/items/{ref}/channels/{channel}", **kwargs)


def published(api, ref: str, channel: str = "shop", body: dict | None = None) -> dict:
    r = publish(api, ref, channel, body)
    assert r.status_code == 200, r.text
    return r.json()


def shown_on(api, channel: str) -> list[str]:
    """The SKUs GET /v1/items?channel= lists, checking that the page's total agrees."""
    r = api.get("/v1/items", params={"channel": channel, "limit": 1000})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["meta"]["total"] == len(body["data"])
    return sorted(row["sku"] for row in body["data"])


def channels_of(api, ref: str) -> dict:
    return api.get(f"/v1/items/{ref}").json()["channels"]


# Publishing


def test_a_put_without_a_body_publishes_the_item_with_no_overrides(api):
    mug = item(api, "CH-MUG-1")
    r = publish(api, mug["id"])
    assert r.status_code == 200, r.text
    assert r.json()["id"] == mug["id"]
    assert r.json()["channels"] == {"shop": {"published": True}}
    assert channels_of(api, "CH-MUG-1") == {"shop": {"published": True}}
    assert shown_on(api, "shop") == ["CH-MUG-1"]


def test_a_put_with_an_empty_body_publishes_too(api):
    item(api, "CH-MUG-2")
    assert published(api, "CH-MUG-2", body={})["channels"] == {"shop": {"published": True}}
    assert shown_on(api, "shop") == ["CH-MUG-2"]


def test_overrides_come_back_in_item_channels_with_the_price_as_a_money_string(api):
    item(api, "CH-MUG-3", price="4.00")
    body = {"name": "Blue mug (web)", "price": 3.5, "description": "Only online"}
    shown = published(api, "CH-MUG-3", body=body)
    expected = {"shop": {"published": True, "name": "Blue mug (web)", "price": "3.50", "description": "Only online"}}
    assert shown["channels"] == expected
    assert channels_of(api, "CH-MUG-3") == expected
    # the item's own fields are untouched by a channel's overrides
    assert (shown["name"], shown["price"], shown["description"]) == ("Item CH-MUG-3", "4.00", None)


def test_only_the_overrides_given_are_stored(api):
    item(api, "CH-MUG-4")
    assert published(api, "CH-MUG-4", body={"price": "3.5"})["channels"] == {
        "shop": {"published": True, "price": "3.50"}}


def test_publishing_on_one_channel_leaves_the_others_alone(api):
    item(api, "CH-MUG-5")
    published(api, "CH-MUG-5", "shop", {"price": "3.50"})
    shown = published(api, "CH-MUG-5", "pos", {"name": "Mug"})
    assert shown["channels"] == {
        "shop": {"published": True, "price": "3.50"}, "pos": {"published": True, "name": "Mug"}}
    assert shown_on(api, "shop") == shown_on(api, "pos") == ["CH-MUG-5"]


def test_republishing_replaces_the_overrides(api):
    item(api, "CH-MUG-6")
    published(api, "CH-MUG-6", body={"name": "Web name", "price": "3.50"})
    shown = published(api, "CH-MUG-6", body={"description": "New text"})
    assert shown["channels"] == {"shop": {"published": True, "description": "New text"}}
    assert published(api, "CH-MUG-6")["channels"] == {"shop": {"published": True}}
    assert channels_of(api, "CH-MUG-6") == {"shop": {"published": True}}


@pytest.mark.parametrize("price", ["-0.01", "abc", "1.1234567"])
def test_a_channel_price_that_is_not_a_non_negative_amount_is_refused(api, price):
    mug = item(api, "CH-MUG-7")
    r = publish(api, "CH-MUG-7", body={"price": price})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert api.get("/v1/items/CH-MUG-7").json()["version"] == mug["version"]
    assert shown_on(api, "shop") == []


def test_an_unknown_field_in_a_publication_is_refused(api):
    item(api, "CH-MUG-8")
    assert error(publish(api, "CH-MUG-8", body={"sku": "OTHER"})) == (422, "VALIDATION_ERROR")
    assert channels_of(api, "CH-MUG-8") == {}


def test_publishing_an_unknown_item_is_item_not_found(api):
    assert error(publish(api, "CH-NOBODY")) == (404, "ITEM_NOT_FOUND")


# Unpublishing


def test_unpublishing_keeps_the_overrides_and_sets_published_false(api):
    item(api, "CH-LAMP-1")
    published(api, "CH-LAMP-1", body={"name": "Lamp (web)", "price": "19.90"})
    r = unpublish(api, "CH-LAMP-1")
    assert r.status_code == 200, r.text
    expected = {"shop": {"published": False, "name": "Lamp (web)", "price": "19.90"}}
    assert r.json()["channels"] == expected
    assert channels_of(api, "CH-LAMP-1") == expected
    assert shown_on(api, "shop") == []


def test_unpublishing_a_channel_the_item_was_never_on_is_404_and_changes_nothing(api):
    lamp = item(api, "CH-LAMP-2")
    published(api, "CH-LAMP-2", "pos")
    r = unpublish(api, "CH-LAMP-2", "shop")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "CHANNEL_NOT_FOUND"
    after = api.get("/v1/items/CH-LAMP-2").json()
    assert after["channels"] == {"pos": {"published": True}}
    assert after["version"] == lamp["version"] + 1  # the publish on pos only


def test_an_unpublished_item_can_be_published_again(api):
    item(api, "CH-LAMP-3")
    published(api, "CH-LAMP-3", body={"price": "2.00"})
    unpublish(api, "CH-LAMP-3")
    assert published(api, "CH-LAMP-3", body={"price": "2.50"})["channels"] == {
        "shop": {"published": True, "price": "2.50"}}
    assert shown_on(api, "shop") == ["CH-LAMP-3"]


# Channel names


@pytest.mark.parametrize("name", ["Shop", "-shop", "_shop", "web.shop", "web%20shop", "s" * 41, "shöp"])
def test_a_channel_name_outside_the_pattern_is_refused(api, name):
    lamp = item(api, "CH-NAME-1")
    assert error(publish(api, "CH-NAME-1", name)) == (422, "VALIDATION_ERROR")
    assert error(unpublish(api, "CH-NAME-1", name)) == (422, "VALIDATION_ERROR")
    assert error(api.get("/v1/items", params={"channel": name.replace("%20", " ")})) == (422, "VALIDATION_ERROR")
    assert api.get("/v1/items/CH-NAME-1").json()["version"] == lamp["version"]


@pytest.mark.parametrize("name", ["0", "s" * 40, "web-shop_2"])
def test_a_channel_name_inside_the_pattern_is_accepted(api, name):
    item(api, "CH-NAME-2")
    assert published(api, "CH-NAME-2", name)["channels"] == {name: {"published": True}}
    assert shown_on(api, name) == ["CH-NAME-2"]


def test_a_channel_name_outside_the_pattern_is_refused_in_an_item_body(api):
    r = api.post("/v1/items", json={"sku": "CH-NAME-3", "name": "x", "channels": {"Web Shop": {}}})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert api.get("/v1/items/CH-NAME-3").status_code == 404
    item(api, "CH-NAME-4")
    assert error(api.patch("/v1/items/CH-NAME-4", json={"channels": {"Web Shop": {}}})) == (422, "VALIDATION_ERROR")
    assert channels_of(api, "CH-NAME-4") == {}


# What a channel lists


def test_a_channel_lists_exactly_the_items_published_on_it(api):
    for sku in ("CH-LIST-A", "CH-LIST-B", "CH-LIST-C", "CH-LIST-D"):
        item(api, sku)
    published(api, "CH-LIST-A", "shop")
    published(api, "CH-LIST-B", "pos")
    published(api, "CH-LIST-C", "shop")
    unpublish(api, "CH-LIST-C", "shop")
    published(api, "CH-LIST-D", "shop", {"price": "1.00"})
    published(api, "CH-LIST-D", "pos")
    assert shown_on(api, "shop") == ["CH-LIST-A", "CH-LIST-D"]
    assert shown_on(api, "pos") == ["CH-LIST-B", "CH-LIST-D"]
    assert shown_on(api, "marketplace") == []


def test_a_channel_list_combines_with_other_filters(api):
    item(api, "CH-LIST-E", tags=["summer"])
    item(api, "CH-LIST-F")
    published(api, "CH-LIST-E")
    published(api, "CH-LIST-F")
    r = api.get("/v1/items", params={"channel": "shop", "tag": "summer"})
    assert [row["sku"] for row in r.json()["data"]] == ["CH-LIST-E"]


def test_channels_given_on_create_publish_the_item(api):
    created = item(api, "CH-NEW-1", channels={"shop": {"price": "4.5"}, "pos": {"published": False, "name": "Till"}})
    expected = {"shop": {"published": True, "price": "4.50"}, "pos": {"published": False, "name": "Till"}}
    assert created["channels"] == expected
    assert channels_of(api, "CH-NEW-1") == expected
    assert shown_on(api, "shop") == ["CH-NEW-1"]
    assert shown_on(api, "pos") == []


def test_channels_given_to_variants_on_create_publish_each_variant(api):
    item(api, "CH-TEE", channels={"shop": {}}, variants=[
        {"sku": "CH-TEE-S", "attributes": {"size": "S"}, "channels": {"shop": {"price": "9.00"}}},
        {"sku": "CH-TEE-M", "attributes": {"size": "M"}},
    ])
    assert shown_on(api, "shop") == ["CH-TEE", "CH-TEE-S"]
    assert channels_of(api, "CH-TEE-S") == {"shop": {"published": True, "price": "9.00"}}


def test_patching_channels_replaces_them_all_and_the_lists_follow(api):
    item(api, "CH-PATCH-1")
    published(api, "CH-PATCH-1", "shop", {"price": "3.00"})
    published(api, "CH-PATCH-1", "pos")
    r = api.patch("/v1/items/CH-PATCH-1", json={"channels": {"pos": {"price": "2"}, "web": {"published": False}}})
    assert r.status_code == 200, r.text
    expected = {"pos": {"published": True, "price": "2.00"}, "web": {"published": False}}
    assert r.json()["channels"] == expected
    assert channels_of(api, "CH-PATCH-1") == expected
    assert shown_on(api, "shop") == []
    assert shown_on(api, "pos") == ["CH-PATCH-1"]
    assert shown_on(api, "web") == []


def test_patching_a_channel_to_unpublished_drops_the_item_from_its_list(api):
    item(api, "CH-PATCH-2")
    published(api, "CH-PATCH-2")
    api.patch("/v1/items/CH-PATCH-2", json={"channels": {"shop": {"published": False, "price": "1"}}})
    assert shown_on(api, "shop") == []
    assert channels_of(api, "CH-PATCH-2") == {"shop": {"published": False, "price": "1.00"}}


def test_patching_channels_to_empty_unpublishes_everywhere(api):
    item(api, "CH-PATCH-3")
    published(api, "CH-PATCH-3", "shop")
    published(api, "CH-PATCH-3", "pos")
    assert api.patch("/v1/items/CH-PATCH-3", json={"channels": {}}).json()["channels"] == {}
    assert shown_on(api, "shop") == shown_on(api, "pos") == []


def test_patching_other_fields_keeps_the_channels(api):
    item(api, "CH-PATCH-4")
    published(api, "CH-PATCH-4", body={"price": "5.00"})
    assert api.patch("/v1/items/CH-PATCH-4", json={"name": "Renamed"}).json()["channels"] == {
        "shop": {"published": True, "price": "5.00"}}
    assert shown_on(api, "shop") == ["CH-PATCH-4"]


def test_a_deleted_item_drops_out_of_the_channel_list_and_a_restored_one_comes_back(api):
    item(api, "CH-TRASH-1")
    item(api, "CH-TRASH-2")
    published(api, "CH-TRASH-1")
    published(api, "CH-TRASH-2")
    assert api.delete("/v1/items/CH-TRASH-1").status_code == 204
    assert shown_on(api, "shop") == ["CH-TRASH-2"]
    assert api.post("/v1/items/CH-TRASH-1/restore").status_code == 200
    assert shown_on(api, "shop") == ["CH-TRASH-1", "CH-TRASH-2"]


def test_a_deleted_parent_takes_its_published_variants_out_of_the_channel_list(api):
    item(api, "CH-TRASH-TEE", variants=[{"sku": "CH-TRASH-TEE-S", "attributes": {"size": "S"}}])
    published(api, "CH-TRASH-TEE-S")
    assert api.delete("/v1/items/CH-TRASH-TEE").status_code == 204
    assert shown_on(api, "shop") == []


def test_a_new_item_reusing_a_deleted_items_sku_is_not_published_by_it(api):
    item(api, "CH-TRASH-3")
    published(api, "CH-TRASH-3")
    api.delete("/v1/items/CH-TRASH-3")
    fresh = item(api, "CH-TRASH-3")
    assert fresh["channels"] == {}
    assert shown_on(api, "shop") == []


# Optimistic concurrency


@pytest.mark.parametrize("change", ["publish", "unpublish"])
def test_a_channel_change_with_a_stale_if_match_is_412_and_changes_nothing(api, change):
    item(api, "CH-CAS-1")
    before = published(api, "CH-CAS-1", body={"price": "3.00"})  # version 2
    stale = {"If-Match": f'"{before["version"] - 1}"'}
    r = publish(api, "CH-CAS-1", body={"price": "9.99"}, headers=stale) if change == "publish" \
        else unpublish(api, "CH-CAS-1", headers=stale)
    assert error(r) == (412, "PRECONDITION_FAILED")
    after = api.get("/v1/items/CH-CAS-1")
    assert after.json()["channels"] == {"shop": {"published": True, "price": "3.00"}}
    assert after.json()["version"] == before["version"]
    assert shown_on(api, "shop") == ["CH-CAS-1"]


def test_a_channel_change_with_the_current_if_match_succeeds_and_bumps_the_version(api):
    created = item(api, "CH-CAS-2")
    r = publish(api, "CH-CAS-2", body={"price": "3.00"}, headers={"If-Match": f'"{created["version"]}"'})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == created["version"] + 1
    assert r.headers["etag"] == f'"{created["version"] + 1}"'
    r = unpublish(api, "CH-CAS-2", headers={"If-Match": r.headers["etag"]})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == created["version"] + 2
    assert r.headers["etag"] == f'"{created["version"] + 2}"'
    assert api.get("/v1/items/CH-CAS-2").headers["etag"] == f'"{created["version"] + 2}"'


def test_patching_channels_honours_if_match(api):
    created = item(api, "CH-CAS-3")
    stale = {"If-Match": f'"{created["version"] + 1}"'}
    assert error(api.patch("/v1/items/CH-CAS-3", json={"channels": {"shop": {}}}, headers=stale)) == (
        412, "PRECONDITION_FAILED")
    assert shown_on(api, "shop") == []
    current = {"If-Match": f'"{created["version"]}"'}
    assert api.patch("/v1/items/CH-CAS-3", json={"channels": {"shop": {}}}, headers=current).status_code == 200
    assert shown_on(api, "shop") == ["CH-CAS-3"]


# Scopes and workspaces


def test_a_read_only_key_cannot_publish_or_unpublish(workspace, api):
    item(api, "CH-SCOPE-1")
    published(api, "CH-SCOPE-1", "pos")
    reader = workspace.key_with("items:read")
    assert error(publish(reader, "CH-SCOPE-1", "shop")) == (403, "INSUFFICIENT_SCOPE")
    assert error(unpublish(reader, "CH-SCOPE-1", "pos")) == (403, "INSUFFICIENT_SCOPE")
    assert channels_of(api, "CH-SCOPE-1") == {"pos": {"published": True}}
    # reading what a channel shows needs no more than items:read
    assert shown_on(reader, "pos") == ["CH-SCOPE-1"]


def test_another_workspaces_item_cannot_be_published_or_unpublished(api, other_workspace):
    theirs = item(other_workspace.api, "CH-THEIRS-1")
    published(other_workspace.api, "CH-THEIRS-1", "shop", {"price": "1.00"})
    for ref in (theirs["id"], "CH-THEIRS-1"):
        assert error(publish(api, ref, "shop", {"price": "0.01"})) == (404, "ITEM_NOT_FOUND")
        assert error(unpublish(api, ref, "shop")) == (404, "ITEM_NOT_FOUND")
    assert channels_of(other_workspace.api, "CH-THEIRS-1") == {"shop": {"published": True, "price": "1.00"}}
    assert shown_on(api, "shop") == []
    assert shown_on(other_workspace.api, "shop") == ["CH-THEIRS-1"]
