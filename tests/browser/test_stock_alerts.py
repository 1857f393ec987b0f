"""Stock alerts in a real browser against a real `storekeeper serve --demo` (its own worker):
the admin sets alerts up on the Alerts page, a test email and then a low-stock email reach a real
SMTP server on loopback (aiosmtpd), and the overview lists the item; the page fits a phone."""

from __future__ import annotations

from tests.browser.conftest import api, sign_in
from tests.waiting import wait_until


def test_an_admin_sets_alerts_up_and_a_sale_into_low_stock_is_emailed(page, served, admin_password, expect,
                                                                        smtp_server, off_host_requests):
    sign_in(page, served, "owner@example.com", admin_password)
    page.get_by_role("link", name="Alerts", exact=True).click()
    expect(page.get_by_role("heading", name="Stock alerts by email")).to_be_visible()
    page.get_by_role("textbox", name="Host").fill("127.0.0.1")
    page.get_by_label("Security").select_option("none")
    page.get_by_role("textbox", name="Port").fill(str(smtp_server.port))
    page.get_by_role("textbox", name="From", exact=True).fill("stock@shop.example")
    page.get_by_label("And these addresses").fill("owner@shop.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")

    page.get_by_role("button", name="Send a test email").click()
    expect(page.get_by_role("status")).to_contain_text("Sent a test email to owner@shop.example")
    wait_until(lambda: smtp_server.messages(), "the test email at the loopback SMTP server")

    with api(served) as client:
        r = client.post("/v1/items", json={"sku": "ALERT-BROWSER", "name": "Browser candle", "reorder_point": 5})
        assert r.status_code == 201, r.text
        for reason, delta in (("receipt", 10), ("sale", -7)):
            r = client.post("/v1/stock/adjustments", json={"item": "ALERT-BROWSER", "reason": reason, "delta": delta})
            assert r.status_code == 201, r.text
    # The server's own worker sends it (every 5 s).
    alert = wait_until(lambda: [m for m in smtp_server.messages() if "ALERT-BROWSER" in m.subject],
                       "the low-stock email at the loopback SMTP server")[0]
    assert alert.subject == "Stock alert: Browser candle (ALERT-BROWSER) is low"
    assert f"{served.url}/items/ALERT-BROWSER" in alert.text

    page.goto(f"{served.url}/")
    expect(page.locator("table.current-alerts")).to_contain_text("ALERT-BROWSER")
    page.goto(f"{served.url}/alerts")
    expect(page.locator("table.alerts")).to_contain_text("Sent")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        scroll, client_width = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        wide = page.evaluate("""[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right
            > document.documentElement.clientWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className + ' '
            + (e.textContent || '').slice(0, 40))""")
        assert scroll <= client_width, (width, scroll, client_width, wide)
    assert off_host_requests == []
