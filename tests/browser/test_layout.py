"""No page is wider than a 1280 px window nor a 390 px phone (issues 19 and 22): a user with a
very long email, who recorded stock of an item with the largest quantities and values the API
takes, opens every page; none scrolls sideways (the page's scrollWidth fits its clientWidth). At
1280 px a table too wide for its box scrolls inside it; on a phone the tables reflow, each row a
card, and no table box scrolls either."""

from __future__ import annotations

import secrets

import pytest

from tests.browser.conftest import VIEWPORT, api, sign_in, too_wide

LONG_EMAIL = f"{'quartermaster.of.the.northern.warehouses.' * 4}{secrets.token_hex(3)}@a-very-long-domain-name-" \
             "for-a-very-small-candle-shop.example"
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def huge(served) -> str:
    """An item of its own with 999,999,999,999.999999 on hand, costed near 10^12 a piece (its value
    past 10^23), moved by the long-email user; returns its SKU."""
    sku = f"HUGE-{secrets.token_hex(4).upper()}-{'X' * 40}"
    with api(served) as client:
        user = client.post("/v1/users", json={"email": LONG_EMAIL, "role": "admin", "password": PASSWORD})
        assert user.status_code == 201, user.text
        key = client.post("/v1/api-keys", json={"name": "long", "scopes": ["*"], "user": user.json()["id"]}).json()
        assert client.post("/v1/items", json={
            "sku": sku, "name": "Enormous" + "-candle" * 20, "price": "999999999999.99",
            "unit_cost": "999999999999.99", "reorder_point": "999999999999", "unit": "kg"}).status_code == 201
    with api(served) as client:
        client.headers["Authorization"] = f"Bearer {key['key']}"
        top = client.post("/v1/categories", json={"name": "Candles-and-" * 16 + secrets.token_hex(3)})
        assert top.status_code == 201, top.text
        inner = client.post("/v1/categories", json={"name": "Scented" * 25, "parent": top.json()["id"]})
        assert inner.status_code == 201, inner.text
        assert client.patch(f"/v1/items/{sku}", json={"categories": [top.json()["id"], inner.json()["id"]]}
                            ).status_code == 200
        assert client.put(f"/v1/items/{sku}/channels/{'web-shop-' * 3}x", json={
            "name": "Enormous" + "-candle" * 20, "price": "999999999999.99"}).status_code == 200
        assert client.post("/v1/tax-rates", json={"name": "Reduced" * 25, "rate": "0.075"}).status_code == 201
        assert client.post("/v1/reasons", json={"code": f"damaged_{secrets.token_hex(4)}", "name": "Damaged" * 25,
                                                "direction": "out"}).status_code == 201
        for body in ({"reason": "receipt", "delta": "999999999999.999999", "unit_cost": "999999999999.99"},
                     {"reason": "sale", "delta": "-0.000001"}):
            assert client.post("/v1/stock/adjustments", json={"item": sku, **body}).status_code == 201
    return sku


@pytest.fixture(scope="module")
def orders(served, huge) -> list[str]:
    """A draft purchase order and a production order of the huge item: the pages that change them."""
    with api(served) as client:
        bought = client.post("/v1/purchase-orders", json={"supplier": "S" * 200, "lines": [
            {"item": huge, "quantity": "999999999999", "unit_cost": "999999999999.99"}]})
        assert bought.status_code == 201, bought.text
        made = client.post("/v1/production-orders", json={"lines": [{"item": huge, "quantity": "999999999999"}]})
        assert made.status_code == 201, made.text
    order, line, run = bought.json()["id"], bought.json()["lines"][0]["id"], made.json()["id"]
    return ["/purchase-orders/new", f"/purchase-orders/{order}", f"/purchase-orders/{order}/edit",
            f"/purchase-orders/{order}/lines/{line}", "/production/new", f"/production/{run}",
            f"/production/{run}/edit", f"/production/{run}/cancel", f"/production/{run}/delete"]


def pages(sku: str) -> list[str]:
    return ["/", "/items", f"/items?q={sku}", f"/items/{sku}", f"/items/{sku}/adjust", f"/items/{sku}/transfer",
            f"/items/{sku}/movements", "/items?location=Main%20warehouse", "/locations", "/purchase-orders",
            "/production", "/audit-log", "/api-keys", "/webhooks", "/users", "/import", "/items/new",
            f"/items/{sku}/edit", f"/items/{sku}/components", f"/items/{sku}/variants/new", "/locations/new", "/trash",
            "/categories", "/categories/new", "/tax-rates", "/tax-rates/new", "/reasons", "/reasons/new"]


@pytest.mark.parametrize("width", [1280, 390])
def test_no_page_is_wider_than_the_window(page, served, huge, orders, expect, off_host_requests, width):
    assert page.viewport_size == VIEWPORT == {"width": 1280, "height": 800}
    page.set_viewport_size({"width": width, "height": 800 if width > 500 else 844})
    sign_in(page, served, LONG_EMAIL, PASSWORD)
    # On a phone the tables reflow (static/tables.js): not even a table scrolls sideways there.
    wide, failed = too_wide(page, served, pages(huge) + orders, expect, boxes=width < 500)
    assert wide == {}, f"pages wider than the window (scrollWidth, clientWidth): {wide}"
    assert failed == {}
    if width < 500:  # each row a card of "heading: value" lines
        page.goto(f"{served.url}/items?q={huge}")
        cell = page.locator('table.reflow tbody tr td[data-label="SKU"]').first
        expect(cell).to_contain_text(huge)
        assert cell.evaluate("td => getComputedStyle(td).display") == "grid"
    page.goto(f"{served.url}/items/{huge}")
    expect(page.locator("main")).to_contain_text("999999999999")  # the figures are there, only wrapped
    assert off_host_requests == []
