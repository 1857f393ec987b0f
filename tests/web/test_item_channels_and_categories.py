"""The item form's sales channels and several categories (issue 22), through the real app: what
the form saves is what /v1 then shows, as PUT and DELETE /v1/items/{ref}/channels/{channel} and
`categories` would have made it; refusals in words under their row; an edit refused as a whole
when the item changed since the form was opened."""

from __future__ import annotations

import re
from html import unescape

from tests.web.test_location_forms import field_error, hidden, ok

ITEM = {"sku": "SOAP-1", "name": "Olive soap", "unit": "pcs", "kind": "product", "tracking": "quantity",
        "price": "6.00"}


def edit_form(member, sku: str) -> dict[str, str]:
    """The edit form's fields as the browser would send them untouched (text, ticked boxes)."""
    page = ok(member.get(f"/items/{sku}/edit"))
    form = re.search(r'<form method="post" action="/items/[^"]*/edit".*?</form>', page.text, re.S).group(0)
    fields = {n: unescape(v) for n, v in re.findall(r'<input type="(?:hidden|text)" name="([^"]+)" value="([^"]*)"',
                                                     form)}
    fields.update({n: unescape(v) for n, v in re.findall(r'<textarea name="([^"]+)"[^>]*>([^<]*)</textarea>', form)})
    for name, value in re.findall(r'<input type="checkbox" name="([^"]+)" value="([^"]*)" checked', form):
        fields[name] = f"{fields[name]},{value}" if name in fields else value
    for name, value in re.findall(r'<select name="([^"]+)".*?<option value="([^"]*)" selected', form, re.S):
        fields[name] = value
    return fields


def test_a_new_item_is_published_on_a_channel_with_its_overrides(workspace, member):
    form = hidden(ok(member.get("/items/new")))
    r = member.submit("/items", {**form, **ITEM, "channel.0.code": "shop", "channel.0.published": "on",
                                 "channel.0.name": "Olive soap, 100 g", "channel.0.price": "5.50",
                                 "channel.0.description": "Cold-pressed."})
    assert r.status_code == 303, r.text
    item = ok(workspace.api.get("/v1/items/SOAP-1"))
    assert item["channels"] == {"shop": {"published": True, "name": "Olive soap, 100 g", "price": "5.50",
                                         "description": "Cold-pressed."}}
    assert [i["sku"] for i in ok(workspace.api.get("/v1/items?channel=shop"))["data"]] == ["SOAP-1"]


def test_an_edit_unpublishes_one_channel_and_publishes_a_new_one_as_v1_would(workspace, member):
    ok(workspace.api.post("/v1/items", json={**ITEM, "price": "6.00"}), 201)
    ok(workspace.api.put("/v1/items/SOAP-1/channels/pos", json={"price": "6.50"}))
    ok(workspace.api.put("/v1/items/SOAP-1/channels/shop", json={"name": "Soap (web)"}))
    fields = edit_form(member, "SOAP-1")
    assert fields["channel.0.code"] == "pos" and fields["channel.0.price"] == "6.5"
    assert fields["channel.1.code"] == "shop" and fields["channel.1.published"] == "on"
    del fields["channel.0.published"]  # pos unticked, its price kept
    r = member.submit("/items/SOAP-1/edit", {**fields, "channel.2.code": "amazon-de", "channel.2.published": "on",
                                             "channel.2.price": "7.90"})
    assert r.status_code == 303, r.text
    channels = ok(workspace.api.get("/v1/items/SOAP-1"))["channels"]
    assert channels == {"pos": {"published": False, "price": "6.50"}, "shop": {"published": True, "name": "Soap (web)"},
                        "amazon-de": {"published": True, "price": "7.90"}}
    assert [i["sku"] for i in ok(workspace.api.get("/v1/items?channel=pos"))["data"]] == []
    assert [i["sku"] for i in ok(workspace.api.get("/v1/items?channel=amazon-de"))["data"]] == ["SOAP-1"]
    actions = [e["action"] for e in ok(workspace.api.get("/v1/audit-log?resource_type=item&limit=20"))["data"]]
    assert set(actions[:2]) == {"item.unpublished", "item.published"}  # one event a channel changed
    entry = ok(workspace.api.get("/v1/audit-log?action=item.unpublished"))["data"][0]
    assert entry["actor"]["name"] == member.email


def test_overrides_change_and_an_untouched_channel_stays_as_it_was(workspace, member):
    ok(workspace.api.post("/v1/items", json=ITEM), 201)
    ok(workspace.api.put("/v1/items/SOAP-1/channels/shop", json={"name": "Web soap", "price": "5.00", "images": [
        {"url": "https://img.example/web.jpg", "alt": "On the web"}]}))
    ok(workspace.api.put("/v1/items/SOAP-1/channels/pos", json={}))
    before = ok(workspace.api.get("/v1/items/SOAP-1"))
    fields = edit_form(member, "SOAP-1")
    r = member.submit("/items/SOAP-1/edit", {**fields, "channel.1.price": "4.50", "channel.1.name": ""})
    assert r.status_code == 303, r.text
    after = ok(workspace.api.get("/v1/items/SOAP-1"))
    assert after["channels"]["shop"] == {"published": True, "price": "4.50",
                                         "images": before["channels"]["shop"]["images"]}  # images kept
    assert after["channels"]["pos"] == before["channels"]["pos"]
    assert [e["action"] for e in ok(workspace.api.get("/v1/audit-log?action=item.published"))["data"]].count(
        "item.published") == 3  # the two PUTs and the form's change of shop; pos untouched


def test_a_bad_channel_row_is_refused_in_words_under_it_and_nothing_is_saved(workspace, member):
    ok(workspace.api.post("/v1/items", json=ITEM), 201)
    fields = edit_form(member, "SOAP-1")
    r = member.submit("/items/SOAP-1/edit", {**fields, "name": "Renamed", "channel.0.code": "Web Shop!",
                                             "channel.0.published": "on"})
    assert r.status_code == 422
    assert field_error(r, "channel-0-code").startswith("A channel's name is lower-case letters")
    assert 'name="channel.0.code" value="Web Shop!"' in r.text
    price = member.submit("/items/SOAP-1/edit", {**fields, "channel.0.code": "shop", "channel.0.price": "-2"})
    assert price.status_code == 422 and field_error(price, "channel-0-price")
    nameless = member.submit("/items/SOAP-1/edit", {**fields, "channel.0.code": "", "channel.0.price": "2"})
    assert nameless.status_code == 422 and field_error(nameless, "channel-0-code") == "Name the channel these are for."
    item = ok(workspace.api.get("/v1/items/SOAP-1"))
    assert (item["name"], item["channels"]) == ("Olive soap", {})


def test_a_channel_change_on_a_form_opened_before_someone_elses_edit_is_refused(workspace, member):
    ok(workspace.api.post("/v1/items", json=ITEM), 201)
    fields = edit_form(member, "SOAP-1")
    ok(workspace.api.patch("/v1/items/SOAP-1", json={"price": "7.00"}))  # meanwhile, elsewhere
    r = member.submit("/items/SOAP-1/edit", {**fields, "channel.0.code": "shop", "channel.0.published": "on"})
    assert r.status_code == 409 and "changed by someone else since you opened it" in unescape(r.text)
    assert ok(workspace.api.get("/v1/items/SOAP-1"))["channels"] == {}


def test_several_categories_are_chosen_the_main_one_first(workspace, member):
    ids = {n: ok(workspace.api.post("/v1/categories", json={"name": n}), 201)["id"] for n in ("Bath", "Gifts", "Soap")}
    form = hidden(ok(member.get("/items/new")))
    also = f"{ids['Bath']},{ids['Gifts']}"  # two boxes ticked, as posted_form joins them
    r = member.submit("/items", {**form, **ITEM, "category": ids["Soap"], "categories": also})
    assert r.status_code == 303, r.text
    item = ok(workspace.api.get("/v1/items/SOAP-1"))
    assert (item["category"], item["categories"]) == (ids["Soap"], [ids["Soap"], ids["Bath"], ids["Gifts"]])
    fields = edit_form(member, "SOAP-1")
    assert fields["category"] == ids["Soap"] and set(fields["categories"].split(",")) == {ids["Bath"], ids["Gifts"]}
    fields["categories"] = ids["Gifts"]  # Bath unticked
    ok(member.submit("/items/SOAP-1/edit", fields), 303)
    item = ok(workspace.api.get("/v1/items/SOAP-1"))
    assert item["categories"] == [ids["Soap"], ids["Gifts"]]
    assert [i["sku"] for i in ok(workspace.api.get(f"/v1/items?category={ids['Gifts']}"))["data"]] == ["SOAP-1"]
    fields = {**edit_form(member, "SOAP-1"), "category": ""}
    del fields["categories"]
    ok(member.submit("/items/SOAP-1/edit", fields), 303)
    assert ok(workspace.api.get("/v1/items/SOAP-1"))["categories"] == []


def test_an_edit_keeps_the_order_of_the_items_other_categories(workspace, member):
    ids = [ok(workspace.api.post("/v1/categories", json={"name": n}), 201)["id"] for n in ("A", "B", "C")]
    ok(workspace.api.post("/v1/items", json={**ITEM, "categories": [ids[0], ids[2], ids[1]]}), 201)
    ok(member.submit("/items/SOAP-1/edit", {**edit_form(member, "SOAP-1"), "name": "Renamed"}), 303)
    item = ok(workspace.api.get("/v1/items/SOAP-1"))
    assert (item["name"], item["categories"]) == ("Renamed", [ids[0], ids[2], ids[1]])


def test_categories_are_offered_by_their_path_so_two_of_one_name_differ(workspace, member):
    home = ok(workspace.api.post("/v1/categories", json={"name": "Home"}), 201)
    inner = ok(workspace.api.post("/v1/categories", json={"name": "Candles", "parent": home["id"]}), 201)
    top = ok(workspace.api.post("/v1/categories", json={"name": "Candles"}), 201)
    page = unescape(ok(member.get("/items/new")).text)
    assert f'<option value="{top["id"]}" >Candles</option>' in page
    assert f'<option value="{inner["id"]}" >Home \u203a Candles</option>' in page
    assert f'value="{inner["id"]}" > Home \u203a Candles</span>' in page  # under "Also in" too
