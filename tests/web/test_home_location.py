"""The dashboard shows an item's home location on its page, its adjust form starts at the
home location (where the API puts a change that names none), and a purchase order that names no
location says it is delivered to each item's home."""

from __future__ import annotations

import re
from html import unescape


def ok(r, status: int = 201) -> dict:
    assert r.status_code == status, r.text
    return r.json()


def chosen_location(page) -> str:
    select = re.search(r'<select name="location">(.*?)</select>', page.text, re.S).group(1)
    return unescape(re.search(r'<option value="([^"]+)" selected', select).group(1))


def test_the_item_page_names_the_home_location_or_the_default(workspace, viewer):
    ok(workspace.api.post("/v1/locations", json={"name": "Back & front shop"}))
    ok(workspace.api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp", "home_location": "Back & front shop"}))
    ok(workspace.api.post("/v1/items", json={"sku": "ROPE", "name": "Rope"}))
    page = viewer.get("/items/LAMP")
    assert page.status_code == 200
    assert "<dt>Home location</dt><dd>Back &amp; front shop</dd>" in page.text
    assert "<dt>Home location</dt><dd>The default location</dd>" in viewer.get("/items/ROPE").text


def test_the_adjust_form_starts_at_the_home_location(workspace, member):
    ok(workspace.api.post("/v1/locations", json={"name": "Shop"}))
    ok(workspace.api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp", "home_location": "Shop"}))
    ok(workspace.api.post("/v1/items", json={"sku": "ROPE", "name": "Rope"}))
    assert chosen_location(member.get("/items/LAMP/adjust")) == "Shop"
    assert chosen_location(member.get("/items/ROPE/adjust")) == "Main warehouse"  # the default


def test_a_purchase_order_naming_no_location_shows_it_goes_to_each_items_home(workspace, viewer):
    ok(workspace.api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp"}))
    order = ok(workspace.api.post("/v1/purchase-orders", json={"lines": [{"item": "LAMP", "quantity": 2}]}))
    page = viewer.get(f"/purchase-orders/{order['id']}")
    assert page.status_code == 200
    assert "<dt>Delivered to</dt><dd>Each item's home location</dd>" in page.text
    assert "<td>Items' homes</td>" in viewer.get("/purchase-orders").text
