"""A purchase order run from the dashboard in a real browser (issue 22): the owner creates a
draft, adds two lines, orders it, receives it in two deliveries, and sees the stock on the item's
page; nothing needs the API after the items exist."""

from __future__ import annotations

import re
import secrets

from tests.browser.conftest import api, sign_in


def test_a_purchase_order_is_made_ordered_and_received_in_two_parts(page, served, admin_password, expect,
                                                                   off_host_requests):
    tag = secrets.token_hex(3).upper()
    lamp, shade = f"LAMP-{tag}", f"SHADE-{tag}"
    with api(served) as client:
        for sku, name in ((lamp, "Brass lamp"), (shade, "Linen shade")):
            assert client.post("/v1/items", json={"sku": sku, "name": name, "unit_cost": "4.20"}).status_code == 201
    sign_in(page, served, "owner@example.com", admin_password)

    page.goto(f"{served.url}/purchase-orders")
    page.get_by_role("link", name="New purchase order").click()
    page.get_by_label(re.compile("^Supplier")).fill(f"Lumen {tag}")
    page.get_by_role("button", name="Create draft").dblclick()  # a double click makes one
    expect(page.get_by_role("status")).to_contain_text("Created the draft")
    for sku, quantity in ((lamp, "10"), (shade, "4")):
        page.get_by_label(re.compile("^Item")).fill(sku)
        page.get_by_label(re.compile("^Quantity")).fill(quantity)
        page.get_by_role("button", name="Add line").click()
        expect(page.get_by_role("status")).to_contain_text(f"Added {sku}")
    page.get_by_role("button", name="Order", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Ordered")

    page.get_by_label(f"Arrived now of {lamp}").fill("6")
    page.get_by_label(f"Arrived now of {shade}").fill("")
    page.get_by_role("button", name="Receive").click()
    expect(page.get_by_role("status")).to_contain_text(f"Received: {lamp} +6.")
    expect(page.locator(".facts")).to_contain_text("Partly received")
    expect(page.get_by_label(f"Arrived now of {lamp}")).to_have_value("4")  # what is still open
    page.get_by_role("button", name="Receive").click()
    expect(page.get_by_role("status")).to_contain_text(f"Received: {lamp} +4, {shade} +4.")
    expect(page.locator(".facts")).to_contain_text("Received")
    expect(page.get_by_role("button", name="Receive")).to_have_count(0)

    page.get_by_role("link", name=lamp).first.click()  # the line, then its movements
    expect(page.locator("main h1")).to_contain_text(lamp)
    expect(page.locator(".facts")).to_contain_text("10")
    assert page.locator("main").get_by_text("Brass lamp").count() >= 1
    assert off_host_requests == []
