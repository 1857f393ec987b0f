"""The dashboard shows an item's home location on its page, and its adjust form starts at the
home location (where the API puts a change that names none)."""

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
