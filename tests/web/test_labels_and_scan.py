"""The dashboard's labels and scan field (issue 22), through the real app: items ticked on the
list become a labels form whose PDF holds their SKUs; a received purchase order offers its
labels; a scanned code leads to its item or to its stock form; bad input is refused in words."""

from __future__ import annotations

import html
import io
import re

from pypdf import PdfReader

from tests.sql_counting import statements


def ok(r):
    assert r.status_code in (200, 201), r.text
    return r.json()


def catalogue(api) -> None:
    ok(api.post("/v1/items", json={"sku": "CANDLE", "name": "Lavender candle", "barcode": "4006381333931",
                                   "price": "12.5", "tax_rate": None}))
    ok(api.post("/v1/items", json={"sku": "SOAP/OLIVE", "name": "Olive soap"}))


def pdf_text(r) -> str:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF-")
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)


def test_the_items_list_offers_a_box_a_row_and_a_print_button_and_a_scan_field(viewer, workspace):
    catalogue(workspace.api)
    page = viewer.get("/items")
    assert page.status_code == 200
    assert re.search(r'<input type="checkbox" name="items" value="CANDLE" form="labels-form"', page.text)
    assert 'id="labels-form"' in page.text and "Print labels of the ticked items" in page.text
    assert 'action="/scan"' in page.text and 'name="code"' in page.text


def test_ticked_items_come_to_the_labels_form_and_its_pdf_holds_their_skus(viewer, workspace):
    catalogue(workspace.api)
    form = viewer.get("/labels", params=[("items", "CANDLE"), ("items", "SOAP/OLIVE")])
    assert form.status_code == 200
    assert re.search(r"<textarea[^>]*>CANDLE\nSOAP/OLIVE</textarea>", form.text)
    r = viewer.get("/labels.pdf", params={"items": "CANDLE\r\nSOAP/OLIVE\n", "size": "L7163", "copies": "2"})
    assert r.headers["content-disposition"] == 'attachment; filename="labels-L7163.pdf"'
    text = pdf_text(r)
    assert text.count("SOAP/OLIVE") == 2 * 2  # above the bars and under them, twice
    assert "Lavender candle" in text and "12.50 USD" in text


def test_an_items_page_links_its_labels(viewer, workspace):
    catalogue(workspace.api)
    assert 'href="/labels?items=CANDLE"' in viewer.get("/items/CANDLE").text


def test_bad_label_requests_are_refused_in_words_and_the_form_kept(viewer, workspace):
    catalogue(workspace.api)
    unknown = viewer.get("/labels.pdf", params={"items": "CANDLE\nNOPE"})
    assert unknown.status_code == 422
    assert "NOPE" in unknown.text and "Check the SKU" in unknown.text
    assert re.search(r"<textarea[^>]*>CANDLE\nNOPE</textarea>", unknown.text)
    for params, words in (({"items": "CANDLE", "size": "A5"}, "Unknown label size"),
                          ({"items": "CANDLE", "copies": "lots"}, "Copies must be a whole number"),
                          ({"items": "CANDLE", "copies": "500"}, "Copies must be from 1 to 100"),
                          ({"items": "  "}, "name at least one item")):
        r = viewer.get("/labels.pdf", params=params)
        assert r.status_code == 422 and words in r.text, (params, r.text)


def test_another_workspaces_item_has_no_label(viewer, other_workspace):
    ok(other_workspace.api.post("/v1/items", json={"sku": "THEIRS", "name": "Not ours"}))
    r = viewer.get("/labels.pdf", params={"items": "THEIRS"})
    assert r.status_code == 422 and "THEIRS" in r.text and "Not ours" not in r.text


def test_a_received_purchase_order_offers_its_labels_a_unit_each(member, workspace):
    api = workspace.api
    catalogue(api)
    order = ok(api.post("/v1/purchase-orders", json={"lines": [{"item": "CANDLE", "quantity": 5},
                                                               {"item": "SOAP/OLIVE", "quantity": 3}]}))
    assert "Print labels" not in member.get(f"/purchase-orders/{order['id']}").text
    ok(api.post(f"/v1/purchase-orders/{order['id']}/order"))
    ok(api.post(f"/v1/purchase-orders/{order['id']}/receive",
                json={"lines": [{"line": order["lines"][0]["id"], "quantity": 3}]}))
    page = member.get(f"/purchase-orders/{order['id']}")
    assert "Print labels" in page.text and f'action="/purchase-orders/{order["id"]}/labels.pdf"' in page.text
    r = member.get(f"/purchase-orders/{order['id']}/labels.pdf", params={"size": "62x29"})
    assert len(PdfReader(io.BytesIO(r.content)).pages) == 3
    assert "CANDLE" in pdf_text(r) and "SOAP/OLIVE" not in pdf_text(r)


def test_an_order_with_nothing_received_says_so(member, workspace):
    catalogue(workspace.api)
    order = ok(workspace.api.post("/v1/purchase-orders", json={"lines": [{"item": "CANDLE", "quantity": 5}]}))
    r = member.get(f"/purchase-orders/{order['id']}/labels.pdf")
    assert r.status_code == 422 and "has been received yet" in r.text
    assert member.get("/purchase-orders/PO-NOPE/labels.pdf").status_code == 404


def test_a_scanned_barcode_or_sku_opens_its_item(viewer, workspace):
    catalogue(workspace.api)
    r = viewer.get("/scan", params={"code": "4006381333931"})
    assert (r.status_code, r.headers["location"]) == (303, "/items/CANDLE")
    r = viewer.get("/scan", params={"code": " SOAP/OLIVE "})
    assert (r.status_code, r.headers["location"]) == (303, "/items/SOAP%2FOLIVE")


def test_a_scan_on_a_stock_form_leads_to_that_items_form_keeping_what_happened(member, workspace):
    catalogue(workspace.api)
    adjust = member.get("/items/CANDLE/adjust?mode=out")
    assert 'action="/scan"' in adjust.text and '<input type="hidden" name="to" value="adjust">' in adjust.text
    r = member.get("/scan", params={"code": "SOAP/OLIVE", "to": "adjust", "mode": "out"})
    assert (r.status_code, r.headers["location"]) == (303, "/items/SOAP%2FOLIVE/adjust?mode=out")


def test_an_unknown_code_says_so_and_a_shared_barcode_lists_its_items(viewer, workspace):
    catalogue(workspace.api)
    ok(workspace.api.post("/v1/items", json={"sku": "CANDLE-2", "name": "Second candle", "barcode": "4006381333931"}))
    missing = viewer.get("/scan", params={"code": "0000"})
    assert missing.status_code == 404 and "No item has the barcode or SKU '0000'" in html.unescape(missing.text)
    empty = viewer.get("/scan", params={"code": ""})
    assert empty.status_code == 422 and "Scan a barcode" in empty.text
    shared = viewer.get("/scan", params={"code": "4006381333931"})
    assert (shared.status_code, shared.headers["location"]) == (303, "/items?q=4006381333931")


def test_a_scan_runs_the_same_statements_whatever_the_catalogue(viewer, workspace, db):
    catalogue(workspace.api)
    with statements(db) as few:
        viewer.get("/scan", params={"code": "SOAP/OLIVE"})
    for n in range(20):
        ok(workspace.api.post("/v1/items", json={"sku": f"FILL-{n}", "name": "Filler", "barcode": f"B{n}"}))
    with statements(db) as many:
        viewer.get("/scan", params={"code": "SOAP/OLIVE"})
    assert len(many) == len(few)
