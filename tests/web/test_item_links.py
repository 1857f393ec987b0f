"""The dashboard's links, forms and redirects reach an item whatever its SKU holds (issue 19,
item 9): a `/` stays encoded in its one path segment (`%2F`), and `?`, `#`, `%`, spaces and
non-ASCII letters are escaped, from the items list to the item's page, its forms, the redirect
after a change, and back after signing in."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD

SKUS = ["LAMP/BRASS", "X/movements", "50% off?", "#1 café/ü", "a/adjust"]


def ok(r):
    assert r.status_code in (200, 201), r.text
    return r.json()


def links(page: str, pattern: str) -> list[str]:
    return [html.unescape(found) for found in re.findall(pattern, page)]


def test_every_link_form_and_redirect_of_an_item_keeps_its_sku_in_one_segment(workspace, member):
    ok(workspace.api.post("/v1/locations", json={"name": "Main"}))
    ok(workspace.api.post("/v1/locations", json={"name": "Back/room"}))
    for sku in SKUS:
        ok(workspace.api.post("/v1/items", json={"sku": sku, "name": f"Item {sku}"}))
    listed = links(member.get("/items").text, r'<a href="(/items/[^"?]+)">')
    assert sorted(listed) == sorted(f"/items/{quote(sku, safe='')}" for sku in SKUS)
    for sku in SKUS:
        href = f"/items/{quote(sku, safe='')}"
        page = member.get(href)
        assert page.status_code == 200 and html.escape(sku) in page.text
        assert links(page.text, r'href="(/items/[^"]+/adjust)"') == [f"{href}/adjust"]
        form = member.get(f"{href}/adjust")
        assert form.status_code == 200
        assert links(form.text, r'action="(/items/[^"]+/adjust)"') == [f"{href}/adjust"]
        done = member.submit(f"{href}/adjust", {"mode": "in", "quantity": "2", "location": "Back/room",
                                                "reason": "receipt"})
        assert done.status_code == 303 and done.headers["location"].startswith(f"{href}?done="), done.text
        assert member.get(done.headers["location"]).status_code == 200
        moved = member.submit(f"{href}/transfer", {"from": "Back/room", "to": "Main", "quantity": "1"})
        assert moved.status_code == 303 and moved.headers["location"].startswith(f"{href}?done="), moved.text
        assert ok(workspace.api.get(f"/v1/stock/{quote(sku, safe='')}"))["on_hand"] == 2


def test_signing_in_returns_to_the_item_page_that_asked_for_it(app, workspace, member):
    ok(workspace.api.post("/v1/items", json={"sku": "LAMP/BRASS", "name": "Brass lamp"}))
    browser = TestClient(app)
    r = browser.get("/items/LAMP%2FBRASS?tab=history", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fitems%2FLAMP%252FBRASS%3Ftab%3Dhistory"
    r = browser.post("/login", data={"email": member.email, "password": PASSWORD,
                                     "next": "/items/LAMP%2FBRASS?tab=history"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/items/LAMP%2FBRASS?tab=history"
    assert browser.get(r.headers["location"]).status_code == 200
