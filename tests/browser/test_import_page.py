"""The dashboard's import page in Chromium against a real `storekeeper serve --demo`: a person
chooses an items file, watches it checked (the page polls the job), imports it with one press,
and sees the items; every page fits a phone's width."""

from __future__ import annotations

import re
import secrets

from tests.browser.conftest import api, sign_in
from tests.waiting import PATIENCE


def test_an_items_file_is_checked_and_imported_from_the_browser(page, served, admin_password, expect, tmp_path,
                                                                off_host_requests):
    tag = secrets.token_hex(3).upper()
    rows = "".join(f"IMP-{tag}-{n},Imported candle {n},pcs,Candles\n" for n in range(120))
    file = tmp_path / "candles.csv"
    file.write_text("sku,name,unit,category\n" + rows, encoding="utf-8")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, served, "owner@example.com", admin_password)
    page.goto(f"{served.url}/import")
    items_form = page.locator('form[action="/import/items"]')
    items_form.locator('input[type="file"]').set_input_files(str(file))
    items_form.get_by_role("button", name="Check the items file").click()
    expect(page.get_by_text("All 120 lines are fine. Nothing has changed yet.")).to_be_visible(
        timeout=PATIENCE * 1000)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.get_by_role("button", name="Import all 120 items").click()
    expect(page.get_by_text(re.compile(r"Created 120 items from candles\.csv"))).to_be_visible(
        timeout=PATIENCE * 1000)
    with api(served) as client:
        found = client.get("/v1/items", params={"q": f"IMP-{tag}", "limit": 200}).json()["data"]
    assert len(found) == 120
    assert off_host_requests == []
