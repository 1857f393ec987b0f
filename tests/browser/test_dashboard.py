"""The dashboard in a real browser (issue 9): Chromium signs in to a real `storekeeper serve
--demo`, finds an item, adjusts its stock through the form, and sees the movement and the chart
change; a viewer is refused the write; every page of the nav renders (a screenshot of each is
left in tests/browser/screenshots/)."""

from __future__ import annotations

import json
import re

import pytest

from tests.browser.conftest import api, sign_in

PAGES = ("/", "/items", "/items/CANDLE-VAN", "/items/CANDLE-VAN/movements", "/items?location=Workshop", "/locations",
         "/purchase-orders", "/production", "/audit-log", "/api-keys", "/webhooks", "/users")


def chart_points(page, selector: str) -> list[float]:
    return json.loads(page.locator(selector).get_attribute("data-chart"))["y"]


def test_sign_in_find_an_item_adjust_it_and_see_the_movement_and_chart(page, served, admin_password, expect,
                                                                      off_host_requests):
    sign_in(page, served, "owner@example.com", admin_password)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.locator("#total-chart-pcs canvas")).to_have_count(1)  # uPlot drew the ledger's 30 days
    expect(page.locator(".card", has_text="stock value")).not_to_contain_text("…")  # loaded by htmx

    page.get_by_role("link", name="Items", exact=True).click()
    page.wait_for_url(f"{served.url}/items")
    page.wait_for_load_state()  # htmx (a deferred script) listens from the load on, not before
    page.get_by_label("Search").fill("vanilla")
    # htmx replaced the rows as I typed (300 ms after the last key)
    expect(page.locator("#item-rows tr")).to_have_count(1)
    assert "q=vanilla" in page.url
    page.get_by_role("link", name="CANDLE-VAN").click()
    expect(page.get_by_role("heading", name=re.compile("Vanilla candle"))).to_be_visible()
    expect(page.locator("#item-chart canvas")).to_have_count(1)
    before = chart_points(page, "#item-chart")
    with api(served) as client:
        on_hand = client.get("/v1/stock/CANDLE-VAN").json()["on_hand"]
        movements = client.get("/v1/stock/movements?item=CANDLE-VAN&limit=1").json()["meta"]["total"]

    page.get_by_role("link", name="Adjust stock").click()
    page.get_by_label("Stock came in").check()
    page.get_by_label(re.compile("^Quantity")).fill("7")
    page.get_by_label("Reason").select_option("receipt")
    page.get_by_label(re.compile("^Unit cost")).fill("3,20")  # the demo keeps euros: a decimal comma
    page.get_by_role("button", name="Record").dblclick()  # a double click records it once
    expect(page.get_by_role("status")).to_contain_text("Recorded: CANDLE-VAN +7")
    expect(page.locator("table.movements tbody tr").first).to_contain_text("+7")
    expect(page.locator("table.movements tbody tr").first).to_contain_text("owner@example.com")
    after = chart_points(page, "#item-chart")
    assert after[-1] == before[-1] + 7 and after[:-1] == before[:-1]
    with api(served) as client:
        assert client.get("/v1/stock/CANDLE-VAN").json()["on_hand"] == on_hand + 7
        assert client.get("/v1/stock/movements?item=CANDLE-VAN&limit=1").json()["meta"]["total"] == movements + 1
    assert off_host_requests == []


def test_a_refused_adjustment_is_explained_in_words(page, served, admin_password, expect):
    sign_in(page, served, "owner@example.com", admin_password)
    page.goto(f"{served.url}/items/JAR-250/adjust")
    page.get_by_label("Stock went out").check()
    page.get_by_label(re.compile("^Quantity")).fill("100000")
    page.get_by_label("Reason").select_option("damage")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("alert")).to_contain_text("The adjustment was not recorded")
    expect(page.get_by_role("alert")).to_contain_text("100000 more cannot go out")


def test_a_viewer_is_refused_a_write(page, served, expect):
    with api(served) as client:
        created = client.post("/v1/users", json={"email": "vera@example.com", "name": "Vera Viewer",
                                                "role": "viewer", "password": "viewer's own password"})
        assert created.status_code in (201, 409), created.text
    sign_in(page, served, "vera@example.com", "viewer's own password")
    page.goto(f"{served.url}/items/CANDLE-VAN")
    expect(page.get_by_role("heading", name=re.compile("Vanilla candle"))).to_be_visible()
    expect(page.get_by_role("link", name="Adjust stock")).to_have_count(0)
    response = page.goto(f"{served.url}/items/CANDLE-VAN/adjust")
    assert response.status == 403
    expect(page.get_by_role("alert")).to_contain_text("As a viewer you may not change stock")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders(page, served, admin_password, expect, off_host_requests, path):
    sign_in(page, served, "owner@example.com", admin_password)
    response = page.goto(f"{served.url}{path}")
    assert response.status == 200, path
    expect(page.locator("main h1")).to_be_visible()
    assert off_host_requests == []
