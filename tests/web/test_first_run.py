"""A new workspace leads its owner on (issue 22): the overview, the empty items list and the
locations list each say what to do next and link to it, up to the opening stock; no empty list
is a dead end. A viewer is told who can do it instead of being offered forms it may not send."""

from __future__ import annotations

import re
from html import unescape

from tests.web.test_location_forms import ok


def steps(page) -> str:
    found = re.search(r'<section class="next-steps".*?</section>', page.text, re.S)
    return unescape(found.group(0)) if found else ""


def test_an_empty_workspace_leads_from_a_location_to_an_item_to_its_opening_stock(workspace, admin):
    guide = steps(ok(admin.get("/")))
    assert "Your stock is kept at" in guide and 'href="/locations/new"' in guide and 'href="/items/new"' in guide
    assert "/adjust" not in guide  # no item yet: nothing to count
    items = ok(admin.get("/items")).text
    assert "No items yet." in items and 'href="/items/new">New item</a>: add the first thing' in items
    assert "No items match" not in items
    searched = unescape(ok(admin.get("/items?q=nothing-like-this")).text)
    assert "No items match. " in searched and 'href="/items"' in searched

    ok(workspace.api.post("/v1/items", json={"sku": "SOAP", "name": "Soap"}), 201)
    guide = steps(ok(admin.get("/")))
    assert 'href="/items/SOAP/adjust?mode=in&reason=initial"' in guide
    form = ok(admin.get("/items/SOAP/adjust?mode=in&reason=initial"))
    assert re.search(r'<option value="initial" selected', form.text)

    ok(workspace.api.post("/v1/stock/adjustments", json={"item": "SOAP", "reason": "initial", "delta": 4}), 201)
    assert steps(ok(admin.get("/"))) == ""  # under way: the overview is the business's again
    assert "Record its opening stock" not in ok(admin.get("/items/SOAP")).text


def test_a_viewer_of_an_empty_workspace_is_told_who_adds_things(workspace, viewer):
    guide = steps(ok(viewer.get("/")))
    assert "a member or an admin adds locations, items and stock" in guide
    assert "/items/new" not in guide and "/locations/new" not in guide
    assert "A member of the workspace adds them." in ok(viewer.get("/items")).text


def test_a_workspace_without_any_location_is_led_to_make_one(workspace_without_locations, app):
    from tests.web.conftest import sign_in

    owner = sign_in(app, workspace_without_locations, "admin")
    guide = steps(ok(owner.get("/")))
    assert "Your stock is kept at" not in guide
    assert 'href="/locations/new">New location</a>: where you keep stock' in guide
