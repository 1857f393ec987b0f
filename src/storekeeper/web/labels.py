"""The dashboard's barcode labels and scan field.

Labels: the items ticked on the items list (or named on the labels page, a SKU a line) come to
`/labels`, where the size, the code and the copies are chosen; `/labels.pdf` answers the PDF
(services/labels.py), and a received purchase order's page links `/purchase-orders/{ref}/labels.pdf`.

Scanning: a USB or Bluetooth scanner types the code and Enter into the scan field, which is a
plain GET form to `/scan`, so it works without JavaScript; `/scan` goes to the item whose barcode
(else SKU) it is, or back to its stock form (`to=adjust`). app.js adds the camera where the
browser has a BarcodeDetector.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from storekeeper.api.paths import url_segment
from storekeeper.domain import labels as rules
from storekeeper.domain.errors import NotFound, StorekeeperError
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import items, labels
from storekeeper.services.items import ItemFilters
from storekeeper.services.labels import ItemLabels, LabelSheet
from storekeeper.web.auth import Viewer
from storekeeper.web.common import TEMPLATES, db_of, humanize, not_found, render

router = APIRouter(include_in_schema=False)
TEMPLATES.env.globals["LABEL_SIZES"] = list(rules.SIZES.values())  # a received purchase order's page offers them

Refs = Annotated[list[str], Query(max_length=rules.MAX_ITEMS)]
Text = Annotated[str | None, Query(max_length=20)]
Code = Annotated[str | None, Query(max_length=200)]
# Where a scan may lead: the item's page, or one of its stock forms (the form's own path).
SCAN_TARGETS = {"item": "", "adjust": "/adjust"}
MODES = ("in", "out", "set")


def _refs(values: list[str]) -> list[str]:
    """SKUs from ticked boxes (a value each) and from the page's box (a SKU a line): commas
    may be part of a SKU, so only lines separate them here."""
    return [line.strip() for value in values for line in value.splitlines() if line.strip()]


def _pdf(sheet: LabelSheet, name: str) -> Response:
    return Response(sheet.pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}-{sheet.size.code}.pdf"'})


@router.get("/labels", response_class=HTMLResponse)
def labels_page(request: Request, user: Viewer, items: Refs = [], size: Text = None,  # noqa: B006
                code: Text = None, copies: Text = None):
    return render(request, "labels.html", user, skus="\n".join(_refs(items)),
                  size=size or rules.DEFAULT_SIZE, code_kind=code or "barcode", copies=copies or "1",
                  max_copies=rules.MAX_COPIES, errors=[])


@router.get("/labels.pdf", response_class=Response)
def labels_pdf(request: Request, user: Viewer, items: Refs = [], size: Text = None,  # noqa: B006
               code: Text = None, copies: Text = None):
    refs = _refs(items)
    errors: list[str] = []
    try:
        count = rules.copies_of(copies)
        if not refs:
            errors.append("Items: name at least one item by its SKU, a SKU a line.")
        else:
            sheet = labels.item_labels(db_of(request), user.workspace_id,
                                       ItemLabels([(ref, count) for ref in refs], size, code))
            return _pdf(sheet, "labels")
    except rules.LabelRequestInvalid as exc:
        errors.append(f"{exc.field.capitalize()}: {exc}")
    except NotFound as exc:
        errors.append(f"{exc.message} Check the SKU, or remove it from the list.")
    except StorekeeperError as exc:
        errors += humanize(exc)
    return render(request, "labels.html", user, code=422, skus="\n".join(refs),
                  size=size or rules.DEFAULT_SIZE, code_kind=code or "barcode", copies=copies or "1",
                  max_copies=rules.MAX_COPIES, errors=errors)


@router.get("/purchase-orders/{ref}/labels.pdf", response_class=Response)
def purchase_order_labels_pdf(request: Request, user: Viewer, ref: str, size: Text = None, code: Text = None):
    try:
        sheet = labels.purchase_order_labels(db_of(request), user.workspace_id, ref, size, code)
    except NotFound:
        return not_found(request, user, f"No purchase order {ref!r}.")
    except StorekeeperError as exc:
        return render(request, "labels_refused.html", user, code=422, message=" ".join(humanize(exc)),
                      back=f"/purchase-orders/{url_segment(ref)}")
    return _pdf(sheet, "purchase-order-labels")


def _find_by_code(request: Request, user, code: str) -> list[dict]:
    """The live items whose barcode is the code, else the one whose SKU it is (at most two are
    read: two or more is a choice for the person)."""
    db = db_of(request)
    page = PageRequest(limit=2, include_total=False)
    for filters in (ItemFilters(barcode=code, sort="sku"), ItemFilters(sku=code, sort="sku")):
        found = items.list_items(db, user.workspace_id, filters, page).rows
        if found:
            return found
    return []


@router.get("/scan", response_class=HTMLResponse)
def scan(request: Request, user: Viewer, code: Code = None, to: Text = None, mode: Text = None):
    code = (code or "").strip()
    if not code:
        return render(request, "labels_refused.html", user, code=422,
                      message="Scan a barcode, or type a barcode or SKU, then press Enter.")
    found = _find_by_code(request, user, code)
    if not found:
        return not_found(request, user, f"No item has the barcode or SKU {code!r}.")
    if len(found) > 1:  # a barcode shared by several items: let the person choose among them
        return RedirectResponse(f"/items?{urlencode({'q': code})}", status_code=303)
    target = f"/items/{url_segment(found[0]['sku'])}{SCAN_TARGETS.get(to or 'item', '')}"
    if to == "adjust" and mode in MODES:
        target += f"?{urlencode({'mode': mode})}"
    return RedirectResponse(target, status_code=303)
