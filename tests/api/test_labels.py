"""Barcode labels as a PDF (GET/POST /v1/labels, GET /v1/purchase-orders/{order}/labels): a real
PDF, read back with pypdf (not the library that wrote it), with a label per copy, the size's page,
the items' SKUs, names and prices; unknown items and other workspaces' items are 404; items:read
is the scope."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from storekeeper.domain.labels import MM
from tests.factories import error, item
from tests.sql_counting import statements

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def pdf(r) -> PdfReader:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(r.content))


def text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def page_mm(reader: PdfReader, index: int = 0) -> tuple[float, float]:
    box = reader.pages[index].mediabox
    return round(float(box.width) / MM, 1), round(float(box.height) / MM, 1)


def test_a_sheet_of_labels_holds_each_items_sku_name_and_price(api):
    item(api, "LBL-CANDLE", name="Lavender candle", price="12.5", tax_rate=None)
    item(api, "LBL-SOAP", name="Olive soap", barcode="4006381333931", tax_rate=None)
    r = api.get("/v1/labels", params={"items": "LBL-CANDLE,LBL-SOAP", "size": "L7160"})
    reader = pdf(r)
    assert len(reader.pages) == 1 and page_mm(reader) == (210.0, 297.0)
    words = text(reader)
    assert words.count("LBL-CANDLE") == 2  # the SKU above the bars, and the bars' own digits
    assert "LBL-SOAP" in words and "Lavender candle" in words and "Olive soap" in words
    assert "12.50 USD" in words
    assert r.headers["x-labels"] == "2" and r.headers["x-label-pages"] == "1"


def test_a_client_that_asks_for_octets_gets_the_same_pdf_as_octets(api):
    item(api, "LBL-OCTETS", name="Octets")
    r = api.get("/v1/labels", params={"items": "LBL-OCTETS"}, headers={"Accept": "application/octet-stream"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream"
    assert r.content.startswith(b"%PDF-")


def test_copies_fill_as_many_labels_and_pages_as_asked(api):
    item(api, "LBL-C1", name="One")
    item(api, "LBL-C2", name="Two")
    reader = pdf(api.get("/v1/labels?items=LBL-C1&items=LBL-C2&size=L7163&copies=8"))
    assert len(reader.pages) == 2  # 16 labels, 14 a sheet
    assert text(reader).count("LBL-C1") == 2 * 8 and text(reader).count("LBL-C2") == 2 * 8


def test_a_roll_prints_one_label_a_page_of_the_labels_own_size(api):
    item(api, "LBL-ROLL")
    reader = pdf(api.get("/v1/labels", params={"items": "LBL-ROLL", "size": "62x29", "copies": 3}))
    assert len(reader.pages) == 3 and page_mm(reader, 2) == (62.0, 29.0)


def test_us_letter_sheets_are_letter_sized(api):
    item(api, "LBL-US")
    reader = pdf(api.get("/v1/labels", params={"items": "LBL-US", "size": "5160"}))
    assert page_mm(reader) == (215.9, 279.4)


def test_the_body_names_items_by_id_or_sku_with_their_own_copies_and_a_qr_code(api):
    first = item(api, "LBL-B1", name="First")
    item(api, "LBL-B2, with a comma", name="Second")
    body = {"items": [{"item": first["id"], "copies": 2}, {"item": "LBL-B2, with a comma", "copies": 3}],
            "size": "L7651", "code": "qr"}
    r = api.post("/v1/labels", json=body)
    words = text(pdf(r))
    # A QR label prints the SKU once (no digits under bars).
    assert words.count("LBL-B1") == 2 and words.count("LBL-B2, with a comma") == 3
    assert r.headers["x-labels"] == "5"


def test_an_unknown_item_is_404_and_prints_nothing(api):
    item(api, "LBL-KNOWN")
    r = api.get("/v1/labels", params={"items": "LBL-KNOWN,LBL-NOPE"})
    assert error(r) == (404, "ITEM_NOT_FOUND")
    assert "LBL-NOPE" in r.json()["error"]["message"]


def test_another_workspaces_item_is_404(api, other_workspace):
    item(other_workspace.api, "LBL-THEIRS")
    assert error(api.get("/v1/labels", params={"items": "LBL-THEIRS"})) == (404, "ITEM_NOT_FOUND")
    assert error(api.post("/v1/labels", json={"items": [{"item": "LBL-THEIRS"}]})) == (404, "ITEM_NOT_FOUND")


def test_a_deleted_item_prints_no_label(api):
    item(api, "LBL-GONE")
    assert api.delete("/v1/items/LBL-GONE").status_code in (200, 204)
    assert error(api.get("/v1/labels", params={"items": "LBL-GONE"})) == (404, "ITEM_NOT_FOUND")


@pytest.mark.parametrize(("query", "field"), [
    ({"items": "LBL-V", "size": "A5"}, "size"),
    ({"items": "LBL-V", "code": "datamatrix"}, "code"),
    ({"items": "LBL-V", "copies": "0"}, "copies"),
    ({"items": "LBL-V", "copies": "101"}, "copies"),
    ({"items": " , "}, "items"),
    ({}, "items"),
])
def test_bad_requests_are_refused_in_words(api, query, field):
    item(api, "LBL-V")
    r = api.get("/v1/labels", params=query)
    assert r.status_code == 422, r.text
    assert field in r.text


def test_more_labels_than_the_limit_are_refused(api):
    item(api, "LBL-MANY")
    body = {"items": [{"item": "LBL-MANY", "copies": 100}] * 21}
    r = api.post("/v1/labels", json=body)
    assert r.status_code == 422 and "at most 2,000" in r.text


def test_a_read_only_key_prints_labels_and_a_key_without_items_read_is_refused(api, workspace):
    item(api, "LBL-SCOPE")
    read_only = workspace.key_with("items:read", "stock:read", "orders:read", "production:read")
    assert pdf(read_only.get("/v1/labels", params={"items": "LBL-SCOPE"}))
    without = workspace.key_with("stock:write", "orders:write", "production:read")
    assert error(without.get("/v1/labels", params={"items": "LBL-SCOPE"})) == (403, "INSUFFICIENT_SCOPE")
    assert error(without.post("/v1/labels", json={"items": [{"item": "LBL-SCOPE"}]})) == (403, "INSUFFICIENT_SCOPE")


def test_the_number_of_statements_does_not_grow_with_the_items(api):
    skus = [f"LBL-Q{i}" for i in range(30)]
    for sku in skus:
        item(api, sku)
    with statements(api.client.app.state.db) as few:
        pdf(api.get("/v1/labels", params={"items": ",".join(skus[:2])}))
    with statements(api.client.app.state.db) as many:
        pdf(api.get("/v1/labels", params={"items": ",".join(skus)}))
    assert len(many) == len(few)


# Purchase orders


def received_order(api, *lines: tuple[str, str], receive: list[tuple[int, str]]) -> dict:
    order = api.post("/v1/purchase-orders", json={"lines": [{"item": s, "quantity": q} for s, q in lines]}).json()
    assert api.post(f"/v1/purchase-orders/{order['id']}/order").status_code == 200
    if receive:
        r = api.post(f"/v1/purchase-orders/{order['id']}/receive", json={
            "lines": [{"line": order["lines"][i]["id"], "quantity": q} for i, q in receive]})
        assert r.status_code in (200, 201), r.text
    return order


def test_a_received_order_prints_a_label_per_unit_received(api):
    item(api, "LBL-PO-A", name="Screws", unit="pcs")
    item(api, "LBL-PO-B", name="Flour", unit="kg")
    item(api, "LBL-PO-C", name="Nails")
    order = received_order(api, ("LBL-PO-A", "5"), ("LBL-PO-B", "2.5"), ("LBL-PO-C", "4"),
                           receive=[(0, "3"), (1, "2.5")])
    r = api.get(f"/v1/purchase-orders/{order['number']}/labels", params={"size": "57x32"})
    reader = pdf(r)
    assert len(reader.pages) == 3 + 3 and page_mm(reader) == (57.0, 32.0)
    words = text(reader)
    assert words.count("LBL-PO-A") == 2 * 3 and words.count("LBL-PO-B") == 2 * 3 and "LBL-PO-C" not in words


def test_an_order_with_nothing_received_is_refused_in_words(api):
    item(api, "LBL-PO-NONE")
    order = received_order(api, ("LBL-PO-NONE", "2"), receive=[])
    r = api.get(f"/v1/purchase-orders/{order['id']}/labels")
    assert r.status_code == 422 and "has been received yet" in r.json()["error"]["message"]


def test_an_unknown_or_another_workspaces_order_is_404(api, other_workspace):
    item(other_workspace.api, "LBL-PO-THEIRS")
    theirs = received_order(other_workspace.api, ("LBL-PO-THEIRS", "1"), receive=[(0, "1")])
    assert error(api.get(f"/v1/purchase-orders/{theirs['id']}/labels")) == (404, "PURCHASE_ORDER_NOT_FOUND")
    assert error(api.get("/v1/purchase-orders/PO-99999/labels")) == (404, "PURCHASE_ORDER_NOT_FOUND")


def test_order_labels_take_items_read(api, workspace):
    item(api, "LBL-PO-SCOPE")
    order = received_order(api, ("LBL-PO-SCOPE", "1"), receive=[(0, "1")])
    assert pdf(workspace.key_with("items:read").get(f"/v1/purchase-orders/{order['id']}/labels"))
    only_orders = workspace.key_with("orders:read")
    assert error(only_orders.get(f"/v1/purchase-orders/{order['id']}/labels")) == (403, "INSUFFICIENT_SCOPE")
