"""The stock forms on a phone held in one hand (issue 22), in Chromium at 360 to 430 px with touch:
every control of each stock form is at least 44 x 44 px, its quantity fields open the decimal
keypad at 16 px (iOS zooms into smaller ones), the submit button waits in the lower half of the
screen without scrolling, before and after the first fields are filled, and covers no field at the
end of the page; tapping - and + changes the quantity and the form records it. At 1280 px the
same forms look as they did: no bar fixed over them, no - and + buttons."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

import pytest

from tests.browser.conftest import PHONE, api, context_page, sign_in

# The boxes of a form's controls that a thumb taps: a radio's or a tick box's label (clicking it
# checks the box, so it is the target WCAG 2.5.5 measures), every other visible control itself.
TARGETS = """form => [...form.querySelectorAll("input:not([type=hidden]), select, textarea, button, a")]
  .filter(el => el.offsetParent !== null || getComputedStyle(el).position === "fixed")
  .map(el => {
    const target = ["radio", "checkbox"].includes(el.type) ? el.closest("label") || el : el;
    const box = target.getBoundingClientRect();
    return {name: el.getAttribute("aria-label") || el.name || el.textContent.trim() || el.type,
            width: box.width, height: box.height};
  })"""

FIELDS = """form => [...form.querySelectorAll("input:not([type=hidden]):not([type=radio]), select, textarea")]
  .filter(el => el.offsetParent !== null)
  .map(el => { const b = el.getBoundingClientRect(); return {name: el.name, top: b.top, bottom: b.bottom}; })"""


@dataclass
class Form:
    path: str
    action: str  # the form's action, ending
    submit: str
    sku: str  # whose stock the form changes
    quantity: str  # the label of the quantity field the test taps - and + of
    change: Decimal  # what the recorded form adds to the item's on-hand, - and + tapped as the test does
    done: str  # what the page says once it is recorded
    to: str | None = None  # a transfer's destination


def on_hand(served, sku: str) -> Decimal:
    with api(served) as client:
        return Decimal(str(client.get(f"/v1/stock/{sku}").json()["on_hand"]))


@pytest.fixture
def forms(served) -> list[Form]:
    """An item of this test's own with 20 at the default location, an ordered purchase order of it,
    a candle made of it in a production order: a form of each kind that records stock."""
    tag = secrets.token_hex(3).upper()
    wax, candle, shelf = f"HAND-WAX-{tag}", f"HAND-CANDLE-{tag}", f"Shelf {tag}"
    with api(served) as client:
        assert client.post("/v1/locations", json={"name": shelf}).status_code == 201
        for sku, name in ((wax, "Wax"), (candle, "Candle")):
            assert client.post("/v1/items", json={"sku": sku, "name": f"{name} {tag}"}).status_code == 201
        assert client.put(f"/v1/items/{candle}/components", json=[{"item": wax, "quantity": 1}]).status_code == 200
        assert client.post("/v1/stock/adjustments", json={"item": wax, "reason": "receipt", "delta": 20}
                           ).status_code == 201
        order = client.post("/v1/purchase-orders", json={"supplier": "Lumen", "lines": [
            {"item": wax, "quantity": 10}, {"item": candle, "quantity": 4}]})
        assert order.status_code == 201, order.text
        assert client.post(f"/v1/purchase-orders/{order.json()['id']}/order").status_code == 200
        made = client.post("/v1/production-orders", json={"lines": [{"item": candle, "quantity": 20}]})
        assert made.status_code == 201, made.text
    lines = order.json()["lines"]
    return [
        # Stock came in: 2 typed, + + - makes 3.
        Form(f"/items/{wax}/adjust", "/adjust", "Record", wax, "^Quantity", Decimal(3), "Recorded:"),
        # A transfer moves stock between locations: the item's total stays.
        Form(f"/items/{wax}/transfer", "/transfer", "Transfer", wax, "^Quantity", Decimal(0), "Transferred", to=shelf),
        # Each line starts at what is open (10 of wax): + + - makes 11, past the order, so the
        # test taps - twice more (9).
        Form(f"/purchase-orders/{order.json()['id']}", "/receive", "Receive", wax,
             f"^Arrived now of {lines[0]['sku']}", Decimal(9), "Received:"),
        # A batch of 3 candles takes 3 wax.
        Form(f"/production/{made.json()['id']}", "/batches", "Record batch", wax, "^Quantity", Decimal(-3),
             "Recorded a batch"),
    ]


def stock_form(page, form: Form):
    return page.locator(f'form.one-hand[action$="{form.action}"]')


def too_small(page, form: Form) -> list[dict]:
    boxes = stock_form(page, form).evaluate(TARGETS)
    if form.action == "/adjust":  # the scan field above it, for the next item
        boxes += page.locator("form.scan").evaluate(TARGETS)
    assert len(boxes) >= 3, boxes
    return [b for b in boxes if b["width"] < 44 or b["height"] < 44]


def submit_box(page, form: Form) -> dict:
    return stock_form(page, form).get_by_role("button", name=form.submit, exact=True).bounding_box()


def assert_submit_in_thumbs_reach(page, form: Form) -> None:
    box, height = submit_box(page, form), page.viewport_size["height"]
    assert box and height / 2 <= box["y"] and box["y"] + box["height"] <= height, box
    assert box["width"] >= 44 and box["height"] >= 44, box


# A small Android phone, an iPhone 12 to 14, an iPhone Pro Max.
@pytest.mark.parametrize("size", [(360, 740), (390, 844), (430, 932)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_stock_form_is_usable_with_one_thumb_on_a_phone(phone, served, admin_password, forms, expect,
                                                              off_host_requests, size):
    page = phone
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in(page, served, "owner@example.com", admin_password)
    for form in forms:
        page.goto(f"{served.url}{form.path}")
        quantity = stock_form(page, form).get_by_label(re.compile(form.quantity))
        expect(stock_form(page, form).get_by_role("button", name=re.compile("^One more"))).not_to_have_count(0)
        assert too_small(page, form) == [], form.path
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        assert_submit_in_thumbs_reach(page, form)
        for field in stock_form(page, form).locator("input[data-step]").all():
            assert field.get_attribute("inputmode") == "decimal"
            assert float(field.evaluate("el => getComputedStyle(el).fontSize").removesuffix("px")) >= 16
        if form.action != "/receive":  # the first field left empty has the focus, ready for the thumb,
            expect(quantity).to_be_focused()  # and in the first screen it is not under the bar
            box, bar = quantity.bounding_box(), submit_box(page, form)
            assert box["y"] >= size[1] or box["y"] + box["height"] <= bar["y"], (box, bar)
            quantity.fill("2")

        # + + - : the quantity in the workspace's decimal mark, read back by the server.
        before = on_hand(served, form.sku)
        for name in ("One more", "One more", "One less") + (("One less",) * 2 if form.action == "/receive" else ()):
            quantity.locator("xpath=..").get_by_role("button", name=re.compile(f"^{name}")).tap()
        expect(quantity).to_have_value(str(int(form.change) if form.action == "/receive" else 3))
        assert_submit_in_thumbs_reach(page, form)

        # The last field ends above the bar once the page is scrolled to its end.
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        assert max(f["bottom"] for f in stock_form(page, form).evaluate(FIELDS)) <= submit_box(page, form)["y"]

        if form.to:
            stock_form(page, form).locator("select[name=to]").select_option(form.to)
        stock_form(page, form).get_by_role("button", name=form.submit, exact=True).tap()
        expect(page.get_by_role("status")).to_contain_text(form.done)
        assert on_hand(served, form.sku) == before + form.change, form.path
    assert off_host_requests == []


def test_a_decimal_comma_steps_by_one_and_never_below_nothing(phone, served, admin_password, forms, expect):
    page = phone
    sign_in(page, served, "owner@example.com", admin_password)
    page.goto(f"{served.url}{forms[0].path}")
    quantity = page.get_by_label(re.compile("^Quantity"))
    steps = quantity.locator("xpath=..")
    quantity.fill("2,5")  # the demo keeps euros: a decimal comma
    steps.get_by_role("button", name="One more").tap()
    expect(quantity).to_have_value("3,5")
    quantity.fill("1.000,25")
    steps.get_by_role("button", name="One less").tap()
    expect(quantity).to_have_value("999,25")
    quantity.fill("0,5")
    steps.get_by_role("button", name="One less").tap()
    expect(quantity).to_have_value("0")
    quantity.fill("")
    steps.get_by_role("button", name="One more").tap()
    expect(quantity).to_have_value("1")


# A scanner's keys typed into the field that has the focus, in one burst within one task (as
# test_scan_and_labels.BURST), so that the test does not depend on the machine's speed.
BURST = """(code) => {
  const field = document.activeElement;
  for (const key of [...code, "Enter"]) field.dispatchEvent(new KeyboardEvent("keydown", {key, bubbles: true}));
}"""


def test_a_scan_while_the_quantity_has_the_focus_opens_the_scanned_items_form(phone, served, admin_password,
                                                                               forms, expect):
    page = phone
    other = f"HAND-OTHER-{secrets.token_hex(3).upper()}"
    with api(served) as client:
        assert client.post("/v1/items", json={"sku": other, "name": "Other"}).status_code == 201
    sign_in(page, served, "owner@example.com", admin_password)
    page.goto(f"{served.url}{forms[0].path}")
    page.get_by_label("Stock went out").check()
    page.get_by_label(re.compile("^Quantity")).focus()
    before = on_hand(served, forms[0].sku)
    page.evaluate(BURST, other)
    expect(page).to_have_url(re.compile(rf"/items/{other}/adjust\?mode=out$"))
    assert on_hand(served, forms[0].sku) == before  # the code was no quantity


def test_on_a_desktop_the_stock_forms_look_as_before(page, served, admin_password, forms, expect):
    sign_in(page, served, "owner@example.com", admin_password)
    for form in forms:
        page.goto(f"{served.url}{form.path}")
        submit = stock_form(page, form).get_by_role("button", name=form.submit, exact=True)
        expect(submit).to_be_visible()
        assert submit.evaluate("el => getComputedStyle(el.parentElement).position") == "static"
        expect(stock_form(page, form).locator(".step")).to_have_count(len(stock_form(page, form)
                                                                          .locator("input[data-step]").all()) * 2)
        assert all(not b.is_visible() for b in stock_form(page, form).locator(".step").all())
        button = submit.bounding_box()
        for field in stock_form(page, form).evaluate(FIELDS):
            assert field["bottom"] <= button["y"] or field["top"] >= button["y"] + button["height"], field


@pytest.fixture
def phone_without_script(browser, request, off_host_requests):
    yield from context_page(browser, request, off_host_requests, viewport=PHONE, has_touch=True, is_mobile=True,
                            java_script_enabled=False)


def test_without_javascript_a_phone_records_stock_from_the_bar(phone_without_script, served, admin_password, forms,
                                                               expect):
    page, form = phone_without_script, forms[0]
    sign_in(page, served, "owner@example.com", admin_password)
    page.goto(f"{served.url}{form.path}")
    expect(stock_form(page, form).locator(".step")).to_have_count(0)  # - and + come with the script
    assert too_small(page, form) == []
    assert_submit_in_thumbs_reach(page, form)
    before = on_hand(served, form.sku)
    page.get_by_label(re.compile("^Quantity")).fill("2")
    stock_form(page, form).get_by_role("button", name=form.submit, exact=True).tap()
    expect(page.get_by_role("status")).to_contain_text(form.done)
    assert on_hand(served, form.sku) == before + 2
