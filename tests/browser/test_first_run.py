"""The whole first run in a real browser (issue 22): `storekeeper init` on an empty database, then
the owner signs in, is led from the overview to a new location, a new item and its opening
stock, and sees the item's stock; nothing needs the API or the CLI after init. The new pages fit
a 390 px phone screen without scrolling sideways."""

from __future__ import annotations

import re
import secrets

import pytest

from tests.browser.conftest import api, initialised, sign_in, too_wide

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def fresh(browser, tmp_path_factory, new_database_url):
    """A server on a database that `storekeeper init` just made: one workspace, its default
    location, its admin user, nothing else. Yields (the server, init's printout)."""
    with initialised(tmp_path_factory.mktemp("first-run"), new_database_url("first_run")) as made:
        yield made


def test_the_owner_goes_from_an_empty_workspace_to_an_item_with_stock(page, fresh, expect, off_host_requests):
    served, printed = fresh
    sign_in(page, served, printed["admin_email"], printed["admin_password"])
    guide = page.locator("section.next-steps")
    expect(guide).to_contain_text(f"Your stock is kept at {printed['location']['name']}")

    guide.get_by_role("link", name="New location").click()
    page.get_by_label("Name", exact=True).fill("Shop floor")
    page.get_by_label("Type").select_option("store")
    page.get_by_label("City").fill("Kassel")
    page.get_by_role("button", name="Create location").dblclick()  # a double click makes one
    expect(page.get_by_role("status")).to_contain_text("Created the location Shop floor.")
    expect(page.locator("#location-rows")).to_contain_text("Shop floor")
    assert page.locator("#location-rows tr", has_text="Shop floor").count() == 1

    page.get_by_role("link", name="Items", exact=True).click()
    page.get_by_role("link", name="New item").first.click()
    page.get_by_label(re.compile("^SKU")).fill("CANDLE-LAV")
    page.get_by_label("Name", exact=True).fill("Lavender candle")
    page.get_by_label(re.compile(r"^Price \(net")).fill("twelve")
    page.get_by_role("button", name="Create item").click()
    expect(page.locator("#error-price")).to_contain_text("twelve")  # said next to the field
    expect(page.get_by_label(re.compile("^SKU"))).to_have_value("CANDLE-LAV")  # what was typed stays
    page.get_by_label(re.compile(r"^Price \(net")).fill("12.50")
    page.get_by_label(re.compile("^Reorder point")).fill("5")
    page.get_by_label(re.compile("^Home location")).select_option(label="Shop floor")
    page.get_by_role("button", name="Create item").click()
    expect(page.get_by_role("status")).to_contain_text("Created CANDLE-LAV.")

    page.get_by_role("link", name="Record its opening stock").click()
    expect(page.get_by_label("Reason")).to_have_value("initial")
    expect(page.get_by_label("Location")).to_have_value("Shop floor")  # the item's home
    page.get_by_label(re.compile("^Quantity")).fill("24")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded: CANDLE-LAV +24")
    expect(page.locator(".facts")).to_contain_text("24")
    expect(page.locator("table", has_text="Shop floor")).to_contain_text("24")

    page.get_by_role("link", name="Overview").click()
    expect(page.locator("section.next-steps")).to_have_count(0)  # under way: no more steps
    expect(page.locator("table.movements")).to_contain_text("CANDLE-LAV")
    assert off_host_requests == []


def test_the_new_pages_fit_a_phone_screen(page, fresh, expect):
    served, printed = fresh
    page.set_viewport_size(PHONE)
    sign_in(page, served, printed["admin_email"], printed["admin_password"])
    location_id = printed["location"]["id"]
    sku = f"PHONE-{secrets.token_hex(3).upper()}"  # its own, whatever the other test made
    with api(served) as client:
        assert client.post("/v1/items", json={"sku": sku, "name": "A candle with a rather long name"}).is_success
    paths = ["/", "/items", "/items/new", f"/items/{sku}", f"/items/{sku}/edit", f"/items/{sku}/components",
             f"/items/{sku}/variants/new", "/locations", "/locations/new", f"/locations/{location_id}/edit", "/trash"]
    wide, failed = too_wide(page, served, paths, expect)
    page.goto(f"{served.url}/items/new")
    page.get_by_label(re.compile("^SKU")).fill(" ")  # past the browser's own check of required fields
    page.get_by_label("Name", exact=True).fill(" ")
    page.get_by_label(re.compile(r"^Price \(net")).fill("far too much money for a candle")
    page.get_by_role("button", name="Create item").click()  # the refused form, its messages shown
    expect(page.locator("#error-sku")).to_be_visible()
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if width[0] > width[1]:
        wide["/items/new (refused)"] = width
    assert failed == {}
    assert wide == {}, f"pages wider than a 390 px screen (scrollWidth, clientWidth): {wide}"
