"""Labels print names in any script (issue 22): the PDF's text, read back with pypdf, holds a
Polish, a Cyrillic and a Greek name as written, and the fonts embedded are DejaVu Sans, not
Latin-1's Helvetica. Without the font files the labels fall back to Helvetica and say so in the log."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from pypdf import PdfReader

from storekeeper.services import labels
from tests.web.test_labels_and_scan import ok, pdf_text

NAMES = {"LODZ": "Łódź candle", "SVECHA": "Свеча лаванда", "KERI": "Κερί λεβάντας"}


def fonts_of(pdf: bytes) -> set[str]:
    found = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            found.add(str(font.get_object()["/BaseFont"]))
    return found


@pytest.mark.skipif(not (labels.FONT_DIR / "DejaVuSans.ttf").exists(), reason="needs Debian's fonts-dejavu-core")
@pytest.mark.parametrize("code", ["barcode", "qr"])  # the name beside bars, or beside a QR code
def test_names_in_polish_cyrillic_and_greek_print_as_written(viewer, workspace, code):
    for sku, name in NAMES.items():
        ok(workspace.api.post("/v1/items", json={"sku": sku, "name": name}))
    r = viewer.get("/labels.pdf", params={"items": "\n".join(NAMES), "size": "L7163", "code": code})
    text = pdf_text(r)
    for name in NAMES.values():
        assert name in text, (name, text)
    assert any("DejaVuSans" in font for font in fonts_of(r.content)), fonts_of(r.content)


def test_a_latin_1_label_keeps_helvetica_and_embeds_no_font(viewer, workspace):
    ok(workspace.api.post("/v1/items", json={"sku": "SOAP", "name": "Savon à l'olive"}))
    r = viewer.get("/labels.pdf", params={"items": "SOAP", "size": "L7651", "code": "qr"})
    assert "Savon à l'olive" in pdf_text(r)
    assert fonts_of(r.content) == {"/Helvetica", "/Helvetica-Bold"}


def test_without_the_font_files_labels_fall_back_to_helvetica_and_say_so(caplog, tmp_path: Path):
    caplog.set_level(logging.WARNING, logger="storekeeper.labels")
    fonts = labels.faces(tmp_path)
    assert (fonts.of("Łódź candle"), fonts.of("Свеча", bold=True)) == ("Helvetica", "Helvetica-Bold")
    [record] = [r for r in caplog.records if r.name == "storekeeper.labels"]
    assert "fall back to Helvetica" in record.getMessage() and "fonts-dejavu-core" in record.getMessage()
