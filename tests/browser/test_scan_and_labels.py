"""Barcodes in Chromium (issue 22): a scanner (a keyboard wedge: the code typed fast, then Enter)
in the items page's scan field opens the item, and in the adjust form brings that item's form,
keeping what happened; items ticked on the list download as a PDF of labels with their SKUs."""

from __future__ import annotations

import re
import secrets

from pypdf import PdfReader

from tests.browser.conftest import api, sign_in


def ean13(twelve: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(twelve))
    return twelve + str((10 - total % 10) % 10)


def new_items(served) -> list[tuple[str, str, str]]:
    """Two items of this test's own, (SKU, barcode, name) each, the first with 20 on hand."""
    tag = secrets.token_hex(3).upper()
    made = []
    with api(served) as client:
        for n in range(2):
            sku, barcode = f"SCAN-{tag}-{n}", ean13(f"20{secrets.randbelow(10**10):010d}")
            r = client.post("/v1/items", json={"sku": sku, "name": f"Jar {tag} {n}", "barcode": barcode})
            assert r.status_code == 201, r.text
            made.append((sku, barcode, f"Jar {tag} {n}"))
        assert client.post("/v1/stock/adjustments", json={"item": made[0][0], "reason": "receipt", "delta": 20}
                           ).status_code == 201
    return made


def scan(page, code: str) -> None:
    """As a keyboard-wedge scanner does: the digits a few milliseconds apart, then Enter."""
    page.get_by_placeholder("Barcode or SKU").click()
    page.keyboard.type(code, delay=4)
    page.keyboard.press("Enter")


def test_a_scanned_barcode_opens_its_item(page, served, admin_password, expect, off_host_requests):
    (sku, barcode, _name), _ = new_items(served)
    sign_in(page, served, "owner@example.com", admin_password)
    page.goto(f"{served.url}/items")
    scan(page, barcode)
    expect(page).to_have_url(f"{served.url}/items/{sku}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(sku)
    assert off_host_requests == []


# A scanner's keys as the page receives them when no field has the focus: in one burst, here
# dispatched within one task so that the test does not depend on the machine's speed.
BURST = """(code) => {
  for (const key of [...code, "Enter"]) document.body.dispatchEvent(new KeyboardEvent("keydown", {key, bubbles: true}));
}"""


def test_a_scanners_burst_with_no_field_focused_opens_the_item(page, served, admin_password, expect):
    (sku, barcode, _name), _ = new_items(served)
    sign_in(page, served, "owner@example.com", admin_password)
    page.goto(f"{served.url}/items")
    page.evaluate(BURST, barcode)
    expect(page).to_have_url(f"{served.url}/items/{sku}")


def test_a_scan_in_the_adjust_form_fills_in_the_scanned_item(page, served, admin_password, expect):
    (first, _, _), (second, barcode, name) = new_items(served)
    sign_in(page, served, "owner@example.com", admin_password)
    page.goto(f"{served.url}/items/{first}/adjust")
    page.get_by_label("Stock went out").check()
    scan(page, barcode)
    expect(page).to_have_url(re.compile(rf"/items/{second}/adjust\?mode=out$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.get_by_label("Stock went out")).to_be_checked()
    expect(page.get_by_label("Reason")).to_have_value("sale")


def test_ticked_items_download_as_a_pdf_of_labels(page, served, admin_password, expect):
    (first, _, _), (second, _, _) = new_items(served)
    sign_in(page, served, "owner@example.com", admin_password)
    page.goto(f"{served.url}/items?q={first.rsplit('-', 1)[0]}")
    page.get_by_label(f"Print a label of {first}").check()
    page.get_by_label(f"Print a label of {second}").check()
    page.get_by_role("button", name="Print labels of the ticked items").click()
    expect(page.get_by_label("Items (a SKU a line)")).to_have_value(f"{first}\n{second}")
    page.get_by_label("Label size").select_option("L7651")
    page.get_by_label("Copies of each").fill("3")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the labels (PDF)").click()
    assert download.value.suggested_filename == "labels-L7651.pdf"
    reader = PdfReader(download.value.path())
    text = "\n".join(p.extract_text() for p in reader.pages)
    # Their barcodes are EAN-13s: the SKU is printed once a label, the EAN's digits under the bars.
    assert text.count(first) == 3 and text.count(second) == 3


def ean13_svg(value: str) -> str:
    """An EAN-13 as reportlab draws it on a label, as an SVG image."""
    from reportlab.graphics import renderSVG
    from reportlab.graphics.barcode import createBarcodeDrawing

    return renderSVG.drawToString(createBarcodeDrawing("EAN13", value=value, barWidth=3, barHeight=150))


DETECT = """async (svg) => {
  const img = new Image();
  img.src = "data:image/svg+xml;base64," + btoa(svg);
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.width + 80; canvas.height = img.height + 80;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height); ctx.drawImage(img, 40, 40);
  const native = "BarcodeDetector" in window;
  const detector = await window.storekeeperBarcodeDetector();
  const found = await detector.detect(canvas);
  return {native, found: found.map(f => [f.format, f.rawValue])};
}"""


def test_the_camera_reads_codes_where_the_browser_cannot_with_the_vendored_decoder_from_this_server(
        page, served, admin_password, expect, off_host_requests):
    sign_in(page, served, "owner@example.com", admin_password)
    wasm = []
    page.on("request", lambda r: wasm.append(r.url) if r.url.endswith(".wasm") else None)
    page.goto(f"{served.url}/items")
    expect(page.get_by_role("button", name="Camera")).to_be_visible()
    code = ean13("400638133393")
    result = page.evaluate(DETECT, ean13_svg(code))
    assert result["found"] == [["ean_13", code]]
    if not result["native"]:  # Debian's Chromium has none: the vendored one read it, its .wasm from here
        assert wasm == [f"{served.url}/static/vendor/barcode-detector/zxing_reader.wasm"]
    assert off_host_requests == []
