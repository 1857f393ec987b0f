"""The rules of barcode labels (domain/labels.py): every size's grid lies on its page, the
EAN-13 check digit decides the symbology, and the counts stay within their limits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storekeeper.domain import labels
from storekeeper.domain.labels import MM, SIZES, LabelRequestInvalid

EXPECTED = {  # code: (labels a page, page size in mm, label size in mm)
    "L7160": (21, (210, 297), (63.5, 38.1)),
    "L7163": (14, (210, 297), (99.1, 38.1)),
    "L7651": (65, (210, 297), (38.1, 21.2)),
    "5160": (30, (215.9, 279.4), (66.675, 25.4)),
    "62x29": (1, (62, 29), (62, 29)),
    "57x32": (1, (57, 32), (57, 32)),
}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_each_size_has_the_makers_grid_and_page(code):
    size = SIZES[code]
    per_page, page, label = EXPECTED[code]
    assert size.per_page == per_page == len(size.positions())
    assert (size.page_width / MM, size.page_height / MM) == pytest.approx(page, abs=0.01)
    assert (size.label_width / MM, size.label_height / MM) == pytest.approx(label, abs=0.01)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_every_label_lies_on_the_page_and_none_overlap(code):
    size = SIZES[code]
    boxes = [(x, y, x + size.label_width, y + size.label_height) for x, y in size.positions()]
    for left, bottom, right, top in boxes:
        assert left >= -1e-6 and bottom >= -1e-6
        assert right <= size.page_width + 1e-6 and top <= size.page_height + 1e-6
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap_w = min(a[2], b[2]) - max(a[0], b[0])
            overlap_h = min(a[3], b[3]) - max(a[1], b[1])
            assert overlap_w <= 1e-6 or overlap_h <= 1e-6


def test_sheets_are_filled_in_reading_order_from_the_top_left():
    positions = SIZES["L7160"].positions()
    assert positions[0][0] < positions[1][0] < positions[2][0]
    assert positions[0][1] == positions[2][1] > positions[3][1]
    # Avery's own margins: 7.25 mm at the side, 15.15 mm at the top.
    assert positions[0][0] / MM == pytest.approx(7.25, abs=0.01)
    assert (SIZES["L7160"].page_height - positions[0][1] - SIZES["L7160"].label_height) / MM == pytest.approx(
        15.15, abs=0.01)


@pytest.mark.parametrize("code", sorted(EXPECTED))
@pytest.mark.parametrize("kind", ["code128", "ean13", "qr"])
def test_the_code_and_the_text_fit_inside_each_label(code, kind):
    size = SIZES[code]
    box = labels.boxes(size, kind)
    assert box.code_width > 0 and box.code_height > 0
    assert box.code_x + box.code_width <= size.label_width - box.padding + 1e-6
    assert box.code_y + box.code_height <= size.label_height - box.padding + 1e-6
    assert box.text_x + box.text_width <= size.label_width - box.padding + 1e-6
    if kind == "qr":
        assert box.code_width == box.code_height
        assert box.text_x >= box.code_x + box.code_width
    else:
        text_bottom = size.label_height - box.padding - box.text_lines * box.font_size * 1.2
        assert box.code_y + box.code_height <= text_bottom


@pytest.mark.parametrize("code", ["4006381333931", "5901234123457", "0000000000000", "9780306406157"])
def test_a_valid_ean13_is_printed_as_ean13(code):
    assert labels.is_ean13(code)
    assert labels.symbology(code, "SKU-1") == ("ean13", code)


@pytest.mark.parametrize("code", ["4006381333932", "400638133393", "40063813339310", "400638133393X", "",
                                  "٤٠٠٦٣٨١٣٣٣٩٣١", None])
def test_anything_else_is_not_an_ean13(code):
    assert not labels.is_ean13(code)


def test_a_barcode_that_is_no_ean13_is_printed_as_code128_and_no_barcode_prints_the_sku():
    assert labels.symbology("ABC-123", "SKU-1") == ("code128", "ABC-123")
    assert labels.symbology("4006381333932", "SKU-1") == ("code128", "4006381333932")
    assert labels.symbology(None, "SKU-1") == ("code128", "SKU-1")


def test_qr_when_asked_for_or_when_code128_cannot_carry_the_text():
    assert labels.symbology("4006381333931", "SKU-1", "qr") == ("qr", "4006381333931")
    assert labels.symbology(None, "Kerze-Größe-L") == ("qr", "Kerze-Größe-L")


def test_sizes_and_codes_are_read_in_any_case_and_unknown_ones_refused_in_words():
    assert labels.label_size("l7160") is SIZES["L7160"]
    assert labels.label_size("62X29") is SIZES["62x29"]
    assert labels.label_size(None) is SIZES[labels.DEFAULT_SIZE]
    with pytest.raises(LabelRequestInvalid, match="Unknown label size 'A5'") as caught:
        labels.label_size("A5")
    assert caught.value.field == "size"
    assert labels.code_choice("QR") == "qr"
    with pytest.raises(LabelRequestInvalid, match="choose barcode or qr"):
        labels.code_choice("datamatrix")


def test_a_received_line_gets_a_label_per_unit_a_part_unit_one_more_and_at_most_the_cap():
    assert labels.received_labels(Decimal(0)) == 0
    assert labels.received_labels(Decimal(3)) == 3
    assert labels.received_labels(Decimal("2.5")) == 3
    assert labels.received_labels(Decimal(10_000)) == labels.MAX_COPIES


def test_copies_are_whole_numbers_within_the_limit():
    assert labels.copies_of(None) == 1
    assert labels.copies_of("4") == 4
    for wrong in ("0", "-1", "2.5", "many", str(labels.MAX_COPIES + 1)):
        with pytest.raises(LabelRequestInvalid):
            labels.copies_of(wrong)


def test_a_request_prints_at_least_one_label_and_at_most_the_limit():
    labels.check_total(1)
    labels.check_total(labels.MAX_LABELS)
    with pytest.raises(LabelRequestInvalid, match="nothing to print"):
        labels.check_total(0)
    with pytest.raises(LabelRequestInvalid, match="at most 2,000"):
        labels.check_total(labels.MAX_LABELS + 1)


def test_pages_hold_their_sizes_labels():
    assert labels.pages_for(SIZES["L7160"], 21) == 1
    assert labels.pages_for(SIZES["L7160"], 22) == 2
    assert labels.pages_for(SIZES["62x29"], 5) == 5


def test_the_price_is_printed_to_the_cent_in_the_workspaces_marks_with_its_currency():
    assert labels.price_text(Decimal("1234.5"), "EUR", ",") == "1.234,50 EUR"
    assert labels.price_text(Decimal("4.995"), "USD") == "5.00 USD"
    assert labels.price_text(None, "USD") is None
