"""The adjust form in Chromium (issue 19, item 11): what happened decides the reasons offered, at
once with JavaScript and through the server without it, so a shop's first sale and first count
are recorded from a fresh page without touching the reason."""

from __future__ import annotations

import re
import secrets

from tests.browser.conftest import api, sign_in


def new_item(served) -> str:
    """An item of this test's own with 20 on hand at the default location."""
    sku = f"ADJ-{secrets.token_hex(3).upper()}"
    with api(served) as client:
        assert client.post("/v1/items", json={"sku": sku, "name": f"Mug {sku}"}).status_code == 201
        assert client.post("/v1/stock/adjustments", json={"item": sku, "reason": "receipt", "delta": 20}
                           ).status_code == 201
    return sku


def movements(served, sku: str) -> list[tuple[str, float, float]]:
    with api(served) as client:
        data = client.get(f"/v1/stock/movements?item={sku}&limit=5").json()["data"]
    return [(m["reason"], m["delta"], m["after"]) for m in data]


def reason_codes(page) -> list[str]:
    return page.locator("select[name=reason] option").evaluate_all("options => options.map(o => o.value)")


def test_a_sale_and_a_count_are_recorded_from_a_fresh_page(page, served, admin_password, expect, off_host_requests):
    sku = new_item(served)
    sign_in(page, served, "owner@example.com", admin_password)

    page.goto(f"{served.url}/items/{sku}/adjust")
    expect(page.get_by_label("Reason")).to_have_value("receipt")
    expect(page.get_by_role("button", name=re.compile("Show the reasons"))).to_have_count(0)  # the script is on
    page.get_by_label("Stock went out").check()
    expect(page.get_by_label("Reason")).to_have_value("sale")  # at once, no round trip
    assert "receipt" not in reason_codes(page) and "count" not in reason_codes(page)
    expect(page.get_by_label(re.compile("^Unit cost"))).to_be_hidden()
    page.get_by_label(re.compile("^Quantity")).fill("3")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text(f"Recorded: {sku} -3")

    page.goto(f"{served.url}/items/{sku}/adjust")
    page.get_by_label("I counted it").check()
    expect(page.get_by_label("Reason")).to_have_value("count")
    assert reason_codes(page)[0] == "count" and "sale" not in reason_codes(page)
    page.get_by_label(re.compile("^Quantity")).fill("12")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text(f"Recorded: {sku} -5")
    assert movements(served, sku)[:2] == [("count", -5, 12), ("sale", -3, 17)]
    assert off_host_requests == []


def test_without_javascript_the_server_offers_the_reasons_of_what_happened(browser, served, admin_password, expect):
    sku = new_item(served)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, served, "owner@example.com", admin_password)
        page.goto(f"{served.url}/items/{sku}/adjust")
        page.get_by_label("Stock went out").check()
        page.get_by_role("button", name=re.compile("Show the reasons")).click()
        expect(page.get_by_label("Reason")).to_have_value("sale")
        expect(page.get_by_label("Stock went out")).to_be_checked()
        page.get_by_label(re.compile("^Quantity")).fill("2")
        page.get_by_role("button", name="Record").click()
        expect(page.get_by_role("status")).to_contain_text(f"Recorded: {sku} -2")

        # Switching without asking: the server says why in words and offers the right reasons.
        page.goto(f"{served.url}/items/{sku}/adjust")
        page.get_by_label("I counted it").check()
        page.get_by_label(re.compile("^Quantity")).fill("15")
        page.get_by_role("button", name="Record").click()
        expect(page.get_by_role("alert")).to_contain_text("Receipt does not fit stock that was counted")
        expect(page.get_by_label("Reason")).to_have_value("count")
        page.get_by_role("button", name="Record").click()
        expect(page.get_by_role("status")).to_contain_text(f"Recorded: {sku} -3")
        assert movements(served, sku)[:2] == [("count", -3, 15), ("sale", -2, 18)]
    finally:
        context.close()
