"""Numbers on the dashboard's forms and pages in the workspace's own marks (issue 19, item 13):
a euro workspace reads and writes decimal commas (2,5 and 3,50), a dollar workspace points and
thousands separators (1,000 is a thousand, never one); a number past the SPEC's limit is called
too large, with the limit, rather than not a number."""

from __future__ import annotations

import re
from html import unescape

from tests.web.conftest import sign_in


def ok(r, status: int = 200):
    assert r.status_code == status, r.text
    return r.json() if r.headers.get("content-type", "").startswith("application/json") else r


def stocked(api, currency: str) -> None:
    ok(api.patch("/v1/workspace", json={"currency": currency}))
    ok(api.post("/v1/locations", json={"name": "Main", "is_default": True}), 201)
    ok(api.post("/v1/locations", json={"name": "Shop"}), 201)
    ok(api.post("/v1/items", json={"sku": "ROPE", "name": "Hemp rope", "unit": "m"}), 201)
    ok(api.post("/v1/stock/adjustments", json={"item": "ROPE", "reason": "receipt", "delta": "10.5"}), 201)


def latest(api) -> dict:
    return ok(api.get("/v1/stock/movements?item=ROPE&limit=1"))["data"][0]


def refusal(r) -> str:
    assert r.status_code == 422, r.text
    return " ".join(unescape(li) for li in re.findall(r"<li>(.*?)</li>", r.text, re.S))


def test_a_euro_workspace_takes_decimal_commas_and_shows_them(workspace, member):
    stocked(workspace.api, "EUR")
    r = member.submit("/items/ROPE/adjust", {"mode": "in", "reason": "receipt", "quantity": "2,5", "unit_cost": "3,50",
                                             "location": "Main"})
    assert r.status_code == 303, r.text
    assert (latest(workspace.api)["delta"], latest(workspace.api)["unit_cost"]) == (2.5, "3.50")
    page = member.client.get(r.headers["location"])
    assert "Recorded: ROPE +2,5" in unescape(page.text)
    assert re.search(r"<dt>On hand</dt><dd>13</dd>", page.text)
    assert re.search(r"<dt>Average cost</dt><dd>3,50</dd>", page.text)
    # A point groups thousands there; a point where a comma belongs is refused, not guessed.
    r = member.submit("/items/ROPE/adjust", {"mode": "set", "reason": "count", "quantity": "1.000,25",
                                             "location": "Main"})
    assert r.status_code == 303 and latest(workspace.api)["after"] == 1000.25
    words = refusal(member.submit("/items/ROPE/adjust", {"mode": "out", "reason": "sale", "quantity": "2.5",
                                                         "location": "Main"}))
    assert "Quantity: '2.5' is not a number here: decimals take a comma (2,5), and a point only separates " \
           "thousands (1.000)." in words
    r = member.submit("/items/ROPE/transfer", {"from": "Main", "to": "Shop", "quantity": "0,75"})
    assert r.status_code == 303, r.text
    assert "Transferred 0,75 of ROPE from Main to Shop." in unescape(member.client.get(r.headers["location"]).text)
    assert ok(workspace.api.get("/v1/stock/ROPE"))["on_hand"] == 1000.25


def test_a_euro_purchase_order_offers_its_open_quantities_with_commas_and_takes_them_back(workspace, member):
    stocked(workspace.api, "EUR")
    order = ok(workspace.api.post("/v1/purchase-orders", json={
        "location": "Main", "lines": [{"item": "ROPE", "quantity": "12.5", "unit_cost": "1.25"}]}), 201)
    ok(workspace.api.post(f"/v1/purchase-orders/{order['id']}/order"))
    page = ok(member.get(f"/purchase-orders/{order['id']}"))
    line = order["lines"][0]["id"]
    assert 'value="12,5"' in page.text and "1,25" in page.text
    fields = {"form_key": re.search(r'name="form_key" value="([^"]+)"', page.text).group(1), f"receive:{line}": "12,5"}
    r = member.submit(f"/purchase-orders/{order['id']}/receive", fields)
    assert r.status_code == 303, r.text
    assert ok(workspace.api.get("/v1/stock/ROPE"))["on_hand"] == 23


def test_a_dollar_workspace_reads_1000_with_a_comma_as_a_thousand_and_refuses_a_decimal_comma(workspace, member):
    stocked(workspace.api, "USD")
    r = member.submit("/items/ROPE/adjust", {"mode": "in", "reason": "receipt", "quantity": "1,000",
                                             "location": "Main"})
    assert r.status_code == 303, r.text
    assert latest(workspace.api)["delta"] == 1000
    words = refusal(member.submit("/items/ROPE/adjust", {"mode": "in", "reason": "receipt", "quantity": "2,5",
                                                         "location": "Main"}))
    assert "Quantity: '2,5' is not a number here: decimals take a point (2.5), and a comma only separates " \
           "thousands (1,000)." in words
    assert ok(workspace.api.get("/v1/stock/ROPE"))["on_hand"] == 1010.5
    assert re.search(r"<dt>On hand</dt><dd>1010.5</dd>", ok(member.get("/items/ROPE")).text)


def test_a_number_past_the_limit_is_too_large_not_not_a_number(workspace, member):
    stocked(workspace.api, "USD")
    cases = {
        "99999999999999999999999": "Quantity: '99999999999999999999999' is too large: at most 1,000,000,000,000 "
                                   "either way.",
        "1000000000000.5": "Quantity: '1000000000000.5' is too large: at most 1,000,000,000,000 either way.",
        "0.0000001": "Quantity: '0.0000001' has more than 6 decimal places.",
        "9" * 80: f"Quantity: '{'9' * 80}' is too large",
    }
    for typed, words in cases.items():
        assert words in refusal(member.submit("/items/ROPE/adjust", {"mode": "in", "reason": "receipt",
                                                                     "quantity": typed, "location": "Main"})), typed
    assert ok(workspace.api.get("/v1/stock/ROPE"))["on_hand"] == 10.5


def test_each_workspace_reads_numbers_in_its_own_marks(app, workspace, other_workspace, member):
    stocked(workspace.api, "EUR")
    stocked(other_workspace.api, "USD")
    theirs = sign_in(app, other_workspace, "member")
    assert member.submit("/items/ROPE/adjust", {"mode": "in", "reason": "receipt", "quantity": "1,5",
                                                "location": "Main"}).status_code == 303
    assert theirs.submit("/items/ROPE/adjust", {"mode": "in", "reason": "receipt", "quantity": "1,5",
                                                "location": "Main"}).status_code == 422
    assert ok(workspace.api.get("/v1/stock/ROPE"))["on_hand"] == 12
    assert ok(other_workspace.api.get("/v1/stock/ROPE"))["on_hand"] == 10.5


def test_a_euro_workspace_that_writes_decimal_points_says_so_in_its_settings(workspace, member):
    """An Irish or Maltese shop keeps euros and writes 2.5: its `decimal_mark` setting wins over
    its currency's custom, on the forms and on the pages."""
    stocked(workspace.api, "EUR")
    settings = ok(workspace.api.patch("/v1/workspace", json={"settings": {"decimal_mark": "."}}))["settings"]
    assert settings["decimal_mark"] == "."
    r = member.submit("/items/ROPE/adjust", {"mode": "in", "reason": "receipt", "quantity": "1,002.5",
                                             "location": "Main"})
    assert r.status_code == 303, r.text
    assert latest(workspace.api)["delta"] == 1002.5
    assert "Recorded: ROPE +1002.5" in unescape(member.client.get(r.headers["location"]).text)
    ok(workspace.api.patch("/v1/workspace", json={"settings": {"decimal_mark": "auto"}}))
    words = refusal(member.submit("/items/ROPE/adjust", {"mode": "in", "reason": "receipt", "quantity": "2.5",
                                                         "location": "Main"}))
    assert "Quantity: '2.5' is not a number here: decimals take a comma (2,5)" in words
    r = workspace.api.patch("/v1/workspace", json={"settings": {"decimal_mark": ";"}})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
