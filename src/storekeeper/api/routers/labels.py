"""Barcode labels as a PDF (items:read): for items, or for what a purchase order received."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from storekeeper.api.deps import DB, ItemsRead
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.domain import labels as rules
from storekeeper.domain.errors import ValidationFailed
from storekeeper.services import labels
from storekeeper.services.labels import ItemLabels, LabelSheet

router = APIRouter(tags=["labels"], route_class=StorekeeperRoute)

SizeCode = Literal["L7160", "L7163", "L7651", "5160", "62x29", "57x32"]
CodeKind = Literal["barcode", "qr"]
_SIZES = "; ".join(f"`{s.code}`: {s.title}" for s in rules.SIZES.values())
_BINARY = {"schema": {"type": "string", "format": "binary"}}
# application/octet-stream too, for a client that asks for it (`Accept`): generators such as
# openapi-python-client read that as bytes and know no application/pdf.
PDF = {200: {"content": {"application/pdf": _BINARY, "application/octet-stream": _BINARY},
             "description": "The labels, a PDF"}}
SizeQuery = Annotated[SizeCode, Query(description=f"Label size. {_SIZES}.")]
CodeQuery = Annotated[CodeKind, Query(description="`barcode`: EAN-13 when the item's barcode is a valid one, "
                                                  "else Code 128 of its barcode or SKU; `qr`: a QR code of it.")]


class LabelLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: str = Field(min_length=1, max_length=200, description="Item id or SKU")
    copies: int = Field(1, ge=1, le=rules.MAX_COPIES)


class LabelsCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[LabelLine] = Field(min_length=1, max_length=rules.MAX_ITEMS)
    size: SizeCode = rules.DEFAULT_SIZE
    code: CodeKind = "barcode"


def _pdf(request: Request, sheet: LabelSheet, name: str) -> Response:
    accept = request.headers.get("accept", "")
    octets = "application/octet-stream" in accept and "application/pdf" not in accept
    return Response(sheet.pdf, media_type="application/octet-stream" if octets else "application/pdf", headers={
        "Content-Disposition": f'inline; filename="{name}-{sheet.size.code}.pdf"',
        "X-Labels": str(sheet.labels), "X-Label-Pages": str(sheet.pages)})


def _refs(values: list[str]) -> list[str]:
    """Repeated `items=` and commas within each: `items=A,B&items=C`. A SKU with a comma in it
    is named in the POST body instead."""
    refs = [ref.strip() for value in values for ref in value.split(",") if ref.strip()]
    if not refs:
        raise ValidationFailed({"items": ["Name at least one item by SKU or id: items=SKU1,SKU2."]})
    return refs


@router.get("/labels", response_class=Response, responses=PDF,
            summary="Barcode labels of items, as a PDF (items=SKU1,SKU2, each `copies` times)")
def item_labels(request: Request, principal: ItemsRead, db: DB,
                items: Annotated[list[str], Query(max_length=rules.MAX_ITEMS,
                                                  description="Item SKUs or ids, comma-separated or repeated")],
                size: SizeQuery = rules.DEFAULT_SIZE, code: CodeQuery = "barcode",
                copies: Annotated[int, Query(ge=1, le=rules.MAX_COPIES, description="Labels of each item")] = 1,
                ) -> Response:
    wanted = ItemLabels([(ref, copies) for ref in _refs(items)], size, code)
    return _pdf(request, labels.item_labels(db, principal.workspace_id, wanted), "labels")


@router.post("/labels", response_class=Response, responses=PDF,
             summary="Barcode labels of items, as a PDF, with copies per item")
def item_labels_from_body(request: Request, body: LabelsCreate, principal: ItemsRead, db: DB) -> Response:
    wanted = ItemLabels([(line.item, line.copies) for line in body.items], body.size, body.code)
    return _pdf(request, labels.item_labels(db, principal.workspace_id, wanted), "labels")


@router.get("/purchase-orders/{order}/labels", response_class=Response, responses=PDF,
            summary="Barcode labels of what a purchase order received: one per unit (at most 100 a line)")
def purchase_order_labels(request: Request, order: str, principal: ItemsRead, db: DB,
                          size: SizeQuery = rules.DEFAULT_SIZE, code: CodeQuery = "barcode") -> Response:
    # items:read, as the labels of items: they show the items (names, prices, codes) and what
    # the order received only as their number.
    sheet = labels.purchase_order_labels(db, principal.workspace_id, order, size, code)
    return _pdf(request, sheet, "purchase-order-labels")
