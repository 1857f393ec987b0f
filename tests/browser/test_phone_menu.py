"""On a phone the pages' links fold behind Menu (issue 22: they took a third of the screen on every
page): hidden until Menu is tapped, then 44 px rows that go where they say; on a desktop the links
show and Menu does not. A checkbox and CSS, so it works without script too."""

from __future__ import annotations

import re

from tests.browser.conftest import sign_in


def test_a_phone_opens_the_pages_from_menu(phone, served, admin_password, expect):
    page = phone
    sign_in(page, served, "owner@example.com", admin_password)
    page.goto(f"{served.url}/items")
    locations = page.locator("header nav").get_by_role("link", name="Locations")
    expect(locations).to_be_hidden()
    header = page.locator("header.top").bounding_box()
    assert header["height"] <= 140, header  # the brand, Menu and who is signed in: no wall of links
    menu = page.get_by_text("Menu", exact=True)
    box = menu.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, box
    menu.tap()
    expect(locations).to_be_visible()
    rows = page.locator("header nav a").evaluate_all("links => links.map(a => a.getBoundingClientRect().height)")
    assert min(rows) >= 44, rows
    locations.tap()
    expect(page).to_have_url(re.compile(r"/locations$"))
    expect(page.locator("main h1")).to_have_text("Locations")


def test_a_desktop_shows_the_links_and_no_menu(page, served, admin_password, expect):
    sign_in(page, served, "owner@example.com", admin_password)
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    expect(page.locator("header nav").get_by_role("link", name="Locations")).to_be_visible()
