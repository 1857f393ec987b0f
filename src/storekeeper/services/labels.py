"""Barcode labels as a PDF: for items named by SKU or id, or for what a purchase order received.

The rules (which code, how many labels, where each sits) are domain/labels.py; this module reads
what the labels show in one read transaction, a fixed number of statements however many labels,
and draws them with reportlab (its barcode package makes Code 128, EAN-13 and QR).

Text that the PDF's built-in Helvetica can print (WinAnsi: Latin-1 and a few more) is set in
it, as labels always were; any other (Łódź, Cyrillic, Greek …), which Helvetica would print as
black boxes, in DejaVu Sans (Debian's fonts-dejavu-core), embedded in the PDF. DejaVu is a
sixth wider, so a long SKU on a small label would be cut where Helvetica fits it whole. Without
the font files everything is Helvetica, and the log says so once.
"""

from __future__ import annotations

import functools
import io
import logging
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.pdfbase.pdfmetrics import registerFont, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import Connection, and_, bindparam, or_, select, union

from storekeeper.domain import labels as rules
from storekeeper.domain.errors import NotFound, ValidationFailed
from storekeeper.domain.ids import is_id
from storekeeper.domain.labels import Label, LabelSize
from storekeeper.domain.pricing import gross_price, join_price
from storekeeper.domain.quantities import decimal_separator
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import items, purchase_order_lines, purchase_orders, tax_rates, workspaces

log = logging.getLogger("storekeeper.labels")

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core
FALLBACK = ("Helvetica", "Helvetica-Bold")

_WORKSPACE = select(workspaces.c.currency, workspaces.c.settings).where(
    workspaces.c.workspace_id == bindparam("ws"))
_LABEL_COLUMNS = (items.c.id, items.c.sku, items.c.name, items.c.barcode, items.c.price, items.c.price_rest,
                  tax_rates.c.rate)
_WITH_RATE = items.outerjoin(tax_rates, and_(tax_rates.c.workspace_id == items.c.workspace_id,
                                             tax_rates.c.id == items.c.tax_rate_id))

# Live items by id or by SKU, each arm read from its own index (an OR of two IN lists may make
# SQLite walk every item of the workspace: docs/development.md).
_ITEMS_BY_REF = select(*_LABEL_COLUMNS).select_from(_WITH_RATE).where(
    items.c.workspace_id == bindparam("ws"), items.c.deleted_at.is_(None),
    items.c.id.in_(union(
        select(items.c.id).where(items.c.workspace_id == bindparam("ws"),
                                 items.c.id.in_(bindparam("ids", expanding=True))),
        select(items.c.id).where(items.c.workspace_id == bindparam("ws"),
                                 items.c.sku.in_(bindparam("refs", expanding=True))),
    )))


@dataclass(frozen=True)
class LabelSheet:
    pdf: bytes
    labels: int
    pages: int
    size: LabelSize


@dataclass(frozen=True)
class ItemLabels:
    """Labels for items: each (ref, copies) in the order given; a ref may be an id or a SKU."""
    items: list[tuple[str, int]]
    size: str | None = None
    code: str | None = None


def _checked(size: str | None, code: str | None) -> tuple[LabelSize, str]:
    try:
        chosen = rules.label_size(size)
        kind = rules.code_choice(code)
    except rules.LabelRequestInvalid as exc:
        raise ValidationFailed({exc.field: [str(exc)]}) from None
    return chosen, kind


def _total(count: int) -> None:
    try:
        rules.check_total(count)
    except rules.LabelRequestInvalid as exc:
        raise ValidationFailed({exc.field: [str(exc)]}, message=str(exc)) from None


def _money(conn: Connection, workspace_id: str):
    currency, settings = conn.execute(_WORKSPACE, {"ws": workspace_id}).one()
    separator = decimal_separator(currency, (settings or {}).get("decimal_mark"))
    return lambda row: rules.price_text(gross_price(join_price(row["price"], row["price_rest"]), row["rate"]),
                                        currency, separator)


def _label(row: dict[str, Any], code: str, price) -> Label:
    kind, value = rules.symbology(row["barcode"], row["sku"], code)
    return Label(sku=row["sku"], name=row["name"], price=price(row), kind=kind, value=value)


def item_labels(db: Database, workspace_id: str, wanted: ItemLabels) -> LabelSheet:
    size, code = _checked(wanted.size, wanted.code)
    if len(wanted.items) > rules.MAX_ITEMS:
        raise ValidationFailed({"items": [f"At most {rules.MAX_ITEMS} items at once."]})
    _total(sum(copies for _, copies in wanted.items))
    refs = {ref for ref, _ in wanted.items}
    with db.read() as conn:
        price = _money(conn, workspace_id)
        rows = conn.execute(_ITEMS_BY_REF, {"ws": workspace_id, "refs": sorted(refs),
                                            "ids": sorted(r for r in refs if is_id("item", r))}).mappings().all()
    by_ref = {r["sku"]: dict(r) for r in rows} | {r["id"]: dict(r) for r in rows}
    labels = []
    for ref, copies in wanted.items:
        row = by_ref.get(ref)
        if row is None:
            raise NotFound("item", ref)
        labels += [_label(row, code, price)] * copies
    return _sheet(labels, size)


def purchase_order_labels(db: Database, workspace_id: str, order_ref: str, size: str | None = None,
                          code: str | None = None) -> LabelSheet:
    """A label per unit each line received (domain.labels.received_labels), lines in order."""
    chosen, kind = _checked(size, code)
    condition = purchase_orders.c.number == order_ref
    if is_id("purchase_order", order_ref):
        condition = or_(purchase_orders.c.id == order_ref, condition)
    with db.read() as conn:
        found = conn.execute(select(purchase_orders.c.id, purchase_orders.c.number).where(
            purchase_orders.c.workspace_id == workspace_id, condition)).mappings().all()
        if not found:
            raise NotFound("purchase_order", order_ref)
        # An id beats a number that happens to look like one, as services/purchasing.py reads them.
        order = next((o for o in found if o["id"] == order_ref), found[0])
        price = _money(conn, workspace_id)
        rows = conn.execute(
            select(*_LABEL_COLUMNS, purchase_order_lines.c.received_quantity)
            .select_from(_WITH_RATE.join(purchase_order_lines, and_(
                purchase_order_lines.c.workspace_id == items.c.workspace_id,
                purchase_order_lines.c.item_id == items.c.id)))
            .where(purchase_order_lines.c.workspace_id == workspace_id,
                   purchase_order_lines.c.order_id == order["id"])
            .order_by(purchase_order_lines.c.position)
        ).mappings().all()
    labels = []
    for row in rows:
        labels += [_label(row, kind, price)] * rules.received_labels(row["received_quantity"] or Decimal(0))
    if not labels:
        raise ValidationFailed({"order": [f"Nothing of purchase order {order['number']} has been received yet: "
                                          "labels are printed for what arrived."]},
                               message=f"Nothing of purchase order {order['number']} has been received yet.")
    _total(len(labels))
    return _sheet(labels, chosen)


@dataclass(frozen=True)
class Faces:
    """The label's fonts: `wide` (regular, bold) for text beyond Helvetica's, None without it."""

    wide: tuple[str, str] | None = None

    def of(self, text: str, *, bold: bool = False) -> str:
        if self.wide is None or _in_helvetica(text):
            return FALLBACK[bold]
        return self.wide[bold]


def _in_helvetica(text: str) -> bool:
    """Whether the standard fonts print every letter of `text` (reportlab sets them in WinAnsi,
    Windows-1252)."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@functools.cache
def faces(directory: Path = FONT_DIR) -> Faces:
    """The label fonts, registered with reportlab once a process: DejaVu Sans from `directory`
    for what Helvetica cannot print, or only Helvetica when its files are missing or unreadable."""
    try:
        for name, file in (("DejaVuSans", "DejaVuSans.ttf"), ("DejaVuSans-Bold", "DejaVuSans-Bold.ttf")):
            registerFont(TTFont(name, str(directory / file)))
    except Exception as exc:  # reportlab's TTFError, or an OSError from reading the file
        log.warning("Labels fall back to Helvetica, which prints only Latin-1 text (names in other scripts come "
                    "out as boxes): could not load DejaVu Sans from %s (%s). Install Debian's fonts-dejavu-core.",
                    directory, exc)
        return Faces()
    return Faces(("DejaVuSans", "DejaVuSans-Bold"))


def _sheet(labels: list[Label], size: LabelSize) -> LabelSheet:
    fonts = faces()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(size.page_width, size.page_height), pageCompression=1)
    canvas.setTitle("Labels")
    canvas.setCreator("Storekeeper")
    places = size.positions()
    for index, label in enumerate(labels):
        if index and index % size.per_page == 0:
            canvas.showPage()
        x, y = places[index % size.per_page]
        _draw(canvas, label, size, x, y, fonts)
    canvas.showPage()
    canvas.save()
    return LabelSheet(buffer.getvalue(), len(labels), rules.pages_for(size, len(labels)), size)


def _fit(text: str, font: str, size: float, width: float) -> str:
    """The text cut with an ellipsis to the width (names run long; a label does not wrap)."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _sku(canvas: Canvas, sku: str, fonts: Faces, size: float, width: float, x: float, y: float) -> None:
    """The SKU is what a person reads the label by: smaller type before it is ever cut."""
    bold = fonts.of(sku, bold=True)
    while size > 4 and stringWidth(sku, bold, size) > width:
        size -= 0.25
    canvas.setFont(bold, size)
    canvas.drawString(x, y, _fit(sku, bold, size, width))


def _draw(canvas: Canvas, label: Label, size: LabelSize, x: float, y: float, fonts: Faces) -> None:
    box = rules.boxes(size, label.kind)
    font = box.font_size
    if label.kind == "qr":
        qr = createBarcodeDrawing("QR", value=label.value, barWidth=box.code_width, barHeight=box.code_height,
                                  barBorder=0)
        renderPDF.draw(qr, canvas, x + box.code_x, y + box.code_y)
        line_y = y + size.label_height - box.padding - font
        _sku(canvas, label.sku, fonts, font, box.text_width, x + box.text_x, line_y)
        for text, bold in ((label.name, False), (label.price or "", True)):
            face = fonts.of(text, bold=bold)
            line_y -= font * 1.3
            canvas.setFont(face, font)
            canvas.drawString(x + box.text_x, line_y, _fit(text, face, font, box.text_width))
        return
    top = y + size.label_height - box.padding - font
    name_face, price_face = fonts.of(label.name), fonts.of(label.price or "", bold=True)
    canvas.setFont(name_face, font)
    canvas.drawString(x + box.text_x, top, _fit(label.name, name_face, font, box.text_width))
    price_width = stringWidth(label.price, price_face, font) if label.price else 0.0
    _sku(canvas, label.sku, fonts, font, box.text_width - price_width - font, x + box.text_x, top - font * 1.2)
    if label.price:
        canvas.setFont(price_face, font)
        canvas.drawRightString(x + box.text_x + box.text_width, top - font * 1.2, label.price)
    _bars(canvas, label, box, x, y)


def _bars(canvas: Canvas, label: Label, box: rules.LabelBoxes, x: float, y: float) -> None:
    """The bars as wide as they can be up to ~0.5 mm a module (wider reads no better and wastes the
    label), centred, with their digits under them."""
    digits = max(4.0, box.font_size - 1)
    if label.kind == "ean13":
        make = lambda bar, height: createBarcodeDrawing(  # noqa: E731
            "EAN13", value=label.value, barWidth=bar, barHeight=height, fontSize=digits, humanReadable=True)
    else:
        make = lambda bar, height: createBarcodeDrawing(  # noqa: E731
            "Code128", value=label.value, barWidth=bar, barHeight=height, fontSize=digits, humanReadable=True,
            lquiet=10 * bar, rquiet=10 * bar)
    probe = make(1.0, box.code_height)
    bar = min(1.4, box.code_width / probe.width)
    height = box.code_height - (probe.height - box.code_height)
    drawing = make(bar, max(height, box.code_height / 2))
    renderPDF.draw(drawing, canvas, x + box.code_x + (box.code_width - drawing.width) / 2, y + box.code_y)
