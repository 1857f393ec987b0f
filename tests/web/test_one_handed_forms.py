"""The stock forms are marked up for a phone held in one hand (issue 22), through the real app:
each quantity field asks for the phone's decimal keypad, offers no suggestions, says that Enter
sends, and is marked for app.js's - and + buttons in the workspace's own decimal mark; each form
is a one-handed form whose submit button sits in the bar that app.css fixes to a phone's bottom
edge. (tests/browser/test_one_handed.py drives the same forms in Chromium at a phone's size.)"""

from __future__ import annotations

import re

from tests.web.test_orders import ok, purchase_order, stocked

QUANTITY = re.compile(r"<input\b[^>]*\bdata-step\b[^>]*>", re.S)


def form(page, action: str) -> str:
    assert page.status_code == 200, page.text
    found = re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>.*?</form>', page.text, re.S)
    assert found, f"no form to {action}"
    return found.group(0)


def quantity_fields(markup: str) -> list[str]:
    return QUANTITY.findall(markup)


def selected(markup: str, name: str) -> str:
    select = re.search(rf'<select name="{name}">(.*?)</select>', markup, re.S).group(1)
    return re.search(r'<option value="([^"]+)" selected', select).group(1)


def assert_one_handed(markup: str, submit: str, quantities: int, mark: str) -> None:
    opening = markup[:markup.index(">") + 1]
    assert re.search(r'class="[^"]*\bone-hand\b', opening), opening
    fields = quantity_fields(markup)
    assert len(fields) == quantities, fields
    # Each alone in the box app.js puts its - and + in (the field itself never moves).
    assert len(re.findall(r'<span class="stepper"><input\b[^>]*\bdata-step\b[^>]*></span>', markup)) == quantities
    for field in fields:
        for attribute in ('inputmode="decimal"', 'autocomplete="off"', 'enterkeyhint="send"', f'data-mark="{mark}"'):
            assert attribute in field, (attribute, field)
    bar = re.search(r'<(p|div) class="[^"]*\bthumb-bar\b[^"]*">(.*?)</\1>', markup, re.S)
    assert bar and f'<button type="submit">{submit}</button>' in bar.group(2), markup


def test_every_stock_form_is_marked_up_for_one_hand_in_the_workspaces_decimal_mark(workspace, member):
    stocked(workspace.api)
    order = purchase_order(workspace.api)
    made = workshop_in(workspace)
    ok(workspace.api.patch("/v1/workspace", json={"settings": {"decimal_mark": ","}}))

    adjust = form(member.get("/items/LAMP/adjust"), "/items/LAMP/adjust")
    assert_one_handed(adjust, "Record", 1, ",")
    assert re.search(r'name="note"[^>]*autocomplete="off"', adjust) and re.search(
        r'name="unit_cost"[^>]*autocomplete="off"', adjust)
    transfer = form(member.get("/items/LAMP/transfer"), "/items/LAMP/transfer")
    assert_one_handed(transfer, "Transfer", 1, ",")
    # The quantity, typed every time, comes first; From and To start where they most likely are:
    # from where the stock is, to the first other location that takes stock (Amazon, read-only,
    # comes first by name).
    assert transfer.index('name="quantity"') < transfer.index('name="from"') < transfer.index('name="to"')
    assert selected(transfer, "from") == "Main" and selected(transfer, "to") == "Main warehouse"
    receive = form(member.get(f"/purchase-orders/{order['id']}"), f"/purchase-orders/{order['id']}/receive")
    assert_one_handed(receive, "Receive", 2, ",")
    assert [re.search(r'data-step-of="([^"]+)"', f).group(1) for f in quantity_fields(receive)] == ["LAMP", "SHADE"]
    batch = form(member.get(f"/production/{made['id']}"), f"/production/{made['id']}/batches")
    assert_one_handed(batch, "Record batch", 1, ",")


def test_a_point_workspaces_fields_step_with_a_point(workspace, member):
    stocked(workspace.api)
    ok(workspace.api.patch("/v1/workspace", json={"settings": {"decimal_mark": "."}}))
    assert_one_handed(form(member.get("/items/LAMP/adjust"), "/items/LAMP/adjust"), "Record", 1, ".")


def test_the_scan_field_takes_a_scanner_without_suggestions_and_enter_goes(workspace, member):
    stocked(workspace.api)
    for path in ("/items", "/items/LAMP/adjust"):
        page = member.get(path)
        scan = re.search(r'<form class="scan" method="get" action="/scan".*?</form>', page.text, re.S).group(0)
        field = re.search(r'<input name="code"[^>]*>', scan).group(0)
        assert 'autocomplete="off"' in field and 'enterkeyhint="go"' in field and 'spellcheck="false"' in field


def workshop_in(workspace) -> dict:
    """workshop() of test_orders, beside stocked()'s locations: its Main exists already."""
    ok(workspace.api.post("/v1/items", json={"sku": "WAX", "name": "Soy wax", "unit": "kg", "kind": "material"}))
    ok(workspace.api.post("/v1/items", json={"sku": "CANDLE", "name": "Candle"}))
    ok(workspace.api.put("/v1/items/CANDLE/components", json=[{"item": "WAX", "quantity": 250, "unit": "g"}]))
    return ok(workspace.api.post("/v1/production-orders", json={"lines": [{"item": "CANDLE", "quantity": 20}]}))

