"""Variants added from the dashboard (issue 22), as POST /v1/items/{ref}/variants adds them: the
item becomes a parent, the variant takes the parent's prices unless given its own, each refusal
said in words, once per form."""

from __future__ import annotations

from html import unescape

from tests.web.test_location_forms import field_error, hidden, ok


def test_a_variant_makes_the_item_a_parent_and_takes_its_price_unless_given_one(workspace, member):
    tee = ok(workspace.api.post("/v1/items", json={"sku": "TEE", "name": "Tee", "price": "20"}), 201)
    page = ok(member.get("/items/TEE/variants/new"))
    r = member.submit(f"/items/{tee['id']}/variants", {**hidden(page), "sku": "TEE-S",
                                                       "attributes": "size: S\n\ncolour : blue "})
    assert r.status_code == 303
    assert "Added the variant TEE-S." in unescape(member.client.get(r.headers["location"]).text)
    small = ok(workspace.api.get("/v1/items/TEE-S"))
    assert (small["parent"], small["attributes"], small["price"]) == (tee["id"], {"size": "S", "colour": "blue"},
                                                                       "20.00")
    assert ok(workspace.api.get("/v1/items/TEE"))["has_variants"] is True
    page = ok(member.get("/items/TEE/variants/new"))
    r = member.submit(f"/items/{tee['id']}/variants", {**hidden(page), "sku": "TEE-XL", "attributes": "size: XL",
                                                       "price": "24.5"})
    assert r.status_code == 303
    assert ok(workspace.api.get("/v1/items/TEE-XL"))["price"] == "24.50"
    entry = ok(workspace.api.get("/v1/audit-log?action=item.created"))["data"][0]
    assert entry["actor"]["name"] == member.email


def test_refusals_are_said_in_words_and_a_form_sent_twice_adds_one(workspace, member):
    tee = ok(workspace.api.post("/v1/items", json={"sku": "TEE", "name": "Tee"}), 201)
    form = hidden(ok(member.get("/items/TEE/variants/new")))
    r = member.submit(f"/items/{tee['id']}/variants", {**form, "sku": "", "attributes": "blue", "price": "cheap"})
    assert r.status_code == 422
    assert field_error(r, "sku") == "Give the variant a SKU of its own."
    assert "write it as size: M" in field_error(r, "attributes") and "cheap" in field_error(r, "price")
    sent = {**form, "sku": "TEE-M", "attributes": "size: M"}
    first, second = (member.submit(f"/items/{tee['id']}/variants", sent) for _ in range(2))
    assert first.status_code == second.status_code == 303
    assert ok(workspace.api.get(f"/v1/items?parent={tee['id']}"))["meta"]["total"] == 1
    again = member.submit(f"/items/{tee['id']}/variants", {**hidden(ok(member.get("/items/TEE/variants/new"))),
                                                           "sku": "TEE-M2", "attributes": "size: M"})
    assert again.status_code == 409 and "same attributes" in unescape(again.text)


def test_an_item_with_stock_of_its_own_cannot_become_a_parent_and_says_why(workspace, member, viewer):
    mug = ok(workspace.api.post("/v1/items", json={"sku": "MUG", "name": "Mug"}), 201)
    ok(workspace.api.post("/v1/stock/adjustments", json={"item": "MUG", "reason": "receipt", "delta": 2}), 201)
    r = member.submit(f"/items/{mug['id']}/variants", {**hidden(ok(member.get("/items/MUG/variants/new"))),
                                                       "sku": "MUG-RED", "attributes": "colour: red"})
    assert r.status_code == 409 and "a parent holds no stock" in unescape(r.text)
    assert workspace.api.get("/v1/items/MUG-RED").status_code == 404
    assert viewer.get("/items/MUG/variants/new").status_code == 403
    assert viewer.submit(f"/items/{mug['id']}/variants", {"sku": "X", "attributes": "a: b"}).status_code == 403
