"""A sales channel removed from an item on its edit form (issue 22), through the real app: the
channel leaves the item with its overrides, as PATCH /v1/items/{ref} with `channels` holding the
others removes it; the other channels stay as they were (their images too); the form acts once,
a stale one is refused, and the change is audited as the user."""

from __future__ import annotations

import re
from html import unescape

from tests.web.conftest import sign_in
from tests.web.test_item_channels_and_categories import ITEM, edit_form
from tests.web.test_location_forms import ok


def listed(workspace, channel: str) -> list[str]:
    return [i["sku"] for i in ok(workspace.api.get(f"/v1/items?channel={channel}"))["data"]]


def soap_on_two_channels(workspace) -> dict:
    ok(workspace.api.post("/v1/items", json=ITEM), 201)
    ok(workspace.api.put("/v1/items/SOAP-1/channels/shop", json={"name": "Web soap", "price": "5.00", "images": [
        {"url": "https://img.example/web.jpg", "alt": "On the web"}]}))
    ok(workspace.api.put("/v1/items/SOAP-1/channels/pos", json={"price": "6.50"}))
    return ok(workspace.api.get("/v1/items/SOAP-1"))


def test_a_channel_ticked_remove_leaves_the_item_once_and_the_others_stay(workspace, member, admin):
    before = soap_on_two_channels(workspace)
    fields = edit_form(member, "SOAP-1")
    assert fields["channel.0.code"] == "pos" and 'name="channel.0.remove"' in member.get("/items/SOAP-1/edit").text
    form = {**fields, "channel.0.remove": "on"}
    first, again = member.submit("/items/SOAP-1/edit", form), member.submit("/items/SOAP-1/edit", form)
    assert first.status_code == again.status_code == 303 and first.headers["location"] == again.headers["location"]
    after = ok(workspace.api.get("/v1/items/SOAP-1"))
    assert after["channels"] == {"shop": before["channels"]["shop"]}  # its image keeps its id
    assert after["version"] == before["version"] + 1
    assert listed(workspace, "pos") == [] and listed(workspace, "shop") == ["SOAP-1"]
    assert "channel.1.remove" not in edit_form(member, "SOAP-1")  # one channel row now, then the new one
    entry = ok(workspace.api.get("/v1/audit-log?resource_type=item&action=item.updated"))["data"][0]
    assert entry["actor"]["name"] == member.email
    audit_log = admin.get("/audit-log?resource_type=item")
    assert audit_log.status_code == 200
    said = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(audit_log.text)))
    assert "channels pos, shop → shop" in said, said  # the audit log in words


def test_removing_one_channel_and_changing_another_is_one_save(workspace, member):
    soap_on_two_channels(workspace)
    fields = edit_form(member, "SOAP-1")
    r = member.submit("/items/SOAP-1/edit", {**fields, "channel.0.remove": "on", "channel.1.price": "4.50",
                                             "channel.1.remove": ""})
    assert r.status_code == 303, r.text
    channels = ok(workspace.api.get("/v1/items/SOAP-1"))["channels"]
    assert list(channels) == ["shop"] and channels["shop"]["price"] == "4.50"
    assert channels["shop"]["images"][0]["url"] == "https://img.example/web.jpg"


def test_a_removal_after_someone_elses_change_is_refused_and_changes_nothing(app, workspace, other_workspace,
                                                                             member):
    soap_on_two_channels(workspace)
    fields = edit_form(member, "SOAP-1")
    ok(workspace.api.put("/v1/items/SOAP-1/channels/amazon-de", json={}))
    r = member.submit("/items/SOAP-1/edit", {**fields, "channel.0.remove": "on"})
    assert r.status_code == 409 and "changed by someone else since you opened it" in unescape(r.text)
    assert set(ok(workspace.api.get("/v1/items/SOAP-1"))["channels"]) == {"pos", "shop", "amazon-de"}
    item_id = ok(workspace.api.get("/v1/items/SOAP-1"))["id"]
    stranger = sign_in(app, other_workspace, "admin")
    theirs = {k: v for k, v in fields.items() if k != "csrf_token"}  # the stranger's session's own token
    assert stranger.submit(f"/items/{item_id}/edit", {**theirs, "channel.0.remove": "on"}).status_code == 404
    assert set(ok(workspace.api.get("/v1/items/SOAP-1"))["channels"]) == {"pos", "shop", "amazon-de"}
    # Opened again, the form removes it.
    fresh = edit_form(member, "SOAP-1")
    row = next(k.split(".")[1] for k, v in fresh.items() if k.endswith(".code") and v == "pos")
    assert member.submit("/items/SOAP-1/edit", {**fresh, f"channel.{row}.remove": "on"}).status_code == 303
    assert set(ok(workspace.api.get("/v1/items/SOAP-1"))["channels"]) == {"shop", "amazon-de"}
