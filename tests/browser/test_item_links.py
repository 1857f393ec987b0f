"""A SKU with `/`, `#` and spaces in Chromium (issue 19, item 9): the link from the items list,
the item's page, its adjust form and the redirect back all reach the item, as the browser sends
the dashboard's encoded links to a real `storekeeper serve --demo`."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.waiting import CLIENT_TIMEOUT

SKU = "LAMP/BRASS #1 ü"


@pytest.fixture(scope="module")
def admin_password(served) -> str:
    return served.server.wait_for_output(r"password ([\w-]+)\)").group(1)


def test_an_item_with_a_slash_in_its_sku_is_reached_and_adjusted_from_its_link(page, served, admin_password,
                                                                              expect, off_host_requests):
    with httpx.Client(base_url=served.url, headers={"Authorization": f"Bearer {served.key}"},
                      timeout=CLIENT_TIMEOUT) as api:
        r = api.post("/v1/items", json={"sku": SKU, "name": "Slashed brass lamp"})
        assert r.status_code == 201, r.text
    page.goto(f"{served.url}/login")
    page.get_by_label("Email").fill("owner@example.com")
    page.get_by_label("Password").fill(admin_password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{served.url}/")
    page.goto(f"{served.url}/items?q=slashed")
    page.get_by_role("link", name=SKU).click()
    expect(page.get_by_role("heading", name=re.compile("Slashed brass lamp"))).to_be_visible()
    assert page.url == f"{served.url}/items/LAMP%2FBRASS%20%231%20%C3%BC"
    page.get_by_role("link", name="Adjust stock").click()
    page.get_by_label("Stock came in").check()
    page.get_by_label(re.compile("^Quantity")).fill("4")
    page.get_by_label("Reason").select_option("receipt")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text(f"Recorded: {SKU} +4")
    assert page.url.startswith(f"{served.url}/items/LAMP%2FBRASS%20%231%20%C3%BC?done=")
    assert off_host_requests == []
