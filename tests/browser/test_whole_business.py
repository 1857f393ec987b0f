"""The whole business in a real browser, from `storekeeper init` on an empty database (issue 22):
the owner makes a location and an item, imports a CSV of more items, sets up stock alerts,
orders stock on a purchase order and receives it in two deliveries, sells by scanning the item's
barcode, prints its labels, gets the low-stock email from the server's own worker at a real SMTP
server on loopback, and reads all of it in the audit log in words. Nothing after `init` uses the
API or the CLI."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from tests.browser.conftest import initialised, sign_in
from tests.browser.test_scan_and_labels import scan
from tests.waiting import PATIENCE, wait_until

BARCODE = "4006381333931"  # a valid EAN-13
CATALOGUE = "sku,name,unit,category\nWAX-SOY,Soy wax,kg,Materials\nJAR-250,Glass jar 250 ml,pcs,Materials\n"


@pytest.fixture(scope="module")
def shop(browser, tmp_path_factory, new_database_url):
    """A server (with its worker) on a database `storekeeper init` just made, allowed to send
    email to a server on this machine. Yields (the server, init's printout)."""
    with initialised(tmp_path_factory.mktemp("whole-business"), new_database_url("whole_business"),
                     STOREKEEPER_SMTP_ALLOW_LOOPBACK="true") as made:
        yield made


def status(page, expect, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text, timeout=PATIENCE * 1000)


def make_location_and_item(page, served, expect) -> None:
    page.goto(f"{served.url}/locations/new")
    page.get_by_label("Name", exact=True).fill("Shop floor")
    page.get_by_label("Type").select_option("store")
    page.get_by_role("button", name="Create location").click()
    status(page, expect, "Created the location Shop floor.")
    page.goto(f"{served.url}/items/new")
    page.get_by_label(re.compile("^SKU")).fill("CANDLE-LAV")
    page.get_by_label("Name", exact=True).fill("Lavender candle")
    page.get_by_label(re.compile("^Barcode")).fill(BARCODE)
    page.get_by_label(re.compile(r"^Price \(net")).fill("12.50")
    page.get_by_label(re.compile("^Reorder point")).fill("5")
    page.get_by_label(re.compile("^Home location")).select_option(label="Shop floor")
    page.get_by_role("button", name="Create item").click()
    status(page, expect, "Created CANDLE-LAV.")


def import_catalogue(page, served, expect, tmp_path) -> None:
    file = tmp_path / "materials.csv"
    file.write_text(CATALOGUE, encoding="utf-8")
    page.goto(f"{served.url}/import")
    form = page.locator('form[action="/import/items"]')
    form.locator('input[type="file"]').set_input_files(str(file))
    form.get_by_role("button", name="Check the items file").click()
    expect(page.get_by_text("All 2 lines are fine.")).to_be_visible(timeout=PATIENCE * 1000)
    page.get_by_role("button", name="Import all 2 items").click()
    expect(page.get_by_text(re.compile("Created 2 items from materials.csv"))).to_be_visible(timeout=PATIENCE * 1000)


def set_up_alerts(page, served, expect, smtp_server) -> None:
    page.goto(f"{served.url}/alerts")
    page.get_by_role("textbox", name="Host").fill("127.0.0.1")
    page.get_by_label("Security").select_option("none")
    page.get_by_role("textbox", name="Port").fill(str(smtp_server.port))
    page.get_by_role("textbox", name="From", exact=True).fill("stock@candles.example")
    page.get_by_label("And these addresses").fill("owner@candles.example")
    page.get_by_role("button", name="Save").click()
    status(page, expect, "Saved.")


def order_and_receive(page, served, expect) -> None:
    page.goto(f"{served.url}/purchase-orders/new")
    page.get_by_label(re.compile("^Supplier")).fill("Wax & Wicks Ltd")
    page.get_by_role("button", name="Create draft").click()
    status(page, expect, "Created the draft")
    page.get_by_label(re.compile("^Item")).fill("CANDLE-LAV")
    page.get_by_label(re.compile("^Quantity")).fill("10")
    page.get_by_role("button", name="Add line").click()
    status(page, expect, "Added CANDLE-LAV")
    page.get_by_role("button", name="Order", exact=True).click()
    status(page, expect, "Ordered")
    page.get_by_label("Arrived now of CANDLE-LAV").fill("6")
    page.get_by_role("button", name="Receive").click()
    status(page, expect, "Received: CANDLE-LAV +6.")
    page.get_by_role("button", name="Receive").click()  # the rest: what is still open
    status(page, expect, "Received: CANDLE-LAV +4.")


def sell_by_scanning(page, served, expect) -> None:
    page.goto(f"{served.url}/items/JAR-250/adjust")
    page.get_by_label("Stock went out").check()
    scan(page, BARCODE)  # the candle's code: its form comes, still "went out"
    expect(page).to_have_url(re.compile(r"/items/CANDLE-LAV/adjust\?mode=out$"))
    page.get_by_label(re.compile("^Quantity")).fill("6")
    page.get_by_role("button", name="Record").click()
    status(page, expect, "Recorded: CANDLE-LAV -6")


def test_a_shop_is_run_from_the_browser_alone(page, shop, expect, smtp_server, tmp_path, off_host_requests):
    served, printed = shop
    sign_in(page, served, printed["admin_email"], printed["admin_password"])
    make_location_and_item(page, served, expect)
    import_catalogue(page, served, expect, tmp_path)
    set_up_alerts(page, served, expect, smtp_server)
    order_and_receive(page, served, expect)
    sell_by_scanning(page, served, expect)

    page.goto(f"{served.url}/items/CANDLE-LAV")
    expect(page.locator(".facts")).to_contain_text("4")  # 10 received, 6 sold
    page.get_by_role("link", name="Print labels").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the labels (PDF)").click()
    assert "CANDLE-LAV" in "\n".join(p.extract_text() for p in PdfReader(download.value.path()).pages)

    # 4 left against a reorder point of 5: the server's own worker emails the owner.
    email = wait_until(lambda: [m for m in smtp_server.messages() if "CANDLE-LAV" in m.subject],
                       "the low-stock email at the loopback SMTP server")[0]
    assert "Lavender candle" in email.subject and email.recipients == ["owner@candles.example"]

    page.goto(f"{served.url}/audit-log")
    log = page.locator("table.audit")
    for words in ("Item created", "Lavender candle (CANDLE-LAV)", "Location created", "Purchase order ordered",
                  "Purchase order received in full", "Soy wax (WAX-SOY)"):
        expect(log).to_contain_text(words)
    assert off_host_requests == []
