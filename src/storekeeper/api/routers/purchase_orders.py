"""Purchase orders (orders:read / orders:write)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from storekeeper.api.deps import DB, IfMatch, OrdersRead, OrdersWrite, Paging
from storekeeper.api.responses import JSONResponse, page, resource
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.common import Page
from storekeeper.api.schemas.purchasing import (
    PurchaseOrderCreate,
    PurchaseOrderRead,
    PurchaseOrderStatus,
    PurchaseOrderUpdate,
    ReceiptRead,
    ReceiveCreate,
    purchase_order_out,
    receipt_out,
)
from storekeeper.services import purchasing
from storekeeper.services.purchasing import PurchaseOrderFilters

router = APIRouter(prefix="/purchase-orders", tags=["purchase orders"], route_class=StorekeeperRoute)

OrderRef = Annotated[str, "id or number"]


def _one(row, status: int = 200) -> JSONResponse:
    return resource(purchase_order_out(row), status=status, version=row["version"])


@router.post("", status_code=201, response_model=PurchaseOrderRead, summary="Create a purchase order (a draft)")
def create_purchase_order(body: PurchaseOrderCreate, principal: OrdersWrite, db: DB) -> JSONResponse:
    data = body.model_dump(exclude_unset=True)
    return _one(purchasing.create_purchase_order(db, principal, data), status=201)


@router.get("", response_model=Page[PurchaseOrderRead], summary="List purchase orders")
def list_purchase_orders(
    principal: OrdersRead,
    db: DB,
    paging: Paging,
    status: Annotated[PurchaseOrderStatus | None, Query()] = None,
    supplier: Annotated[str | None, Query(max_length=200)] = None,
    location: Annotated[str | None, Query(max_length=200, description="Location id or name")] = None,
    item: Annotated[str | None, Query(max_length=200, description="Has a line of this item (id or SKU)")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of the number or supplier, any case")] = None,
    sort: Annotated[Literal["created_at", "-created_at", "number", "-number"], Query()] = "-created_at",
) -> JSONResponse:
    filters = PurchaseOrderFilters(status=status, supplier=supplier, location=location, item=item, q=q, sort=sort)
    return page(purchasing.list_purchase_orders(db, principal.workspace_id, filters, paging), purchase_order_out)


@router.get("/{order}", response_model=PurchaseOrderRead, summary="One purchase order, by id or number")
def get_purchase_order(order: OrderRef, principal: OrdersRead, db: DB) -> JSONResponse:
    return _one(purchasing.get_purchase_order(db, principal.workspace_id, order))


@router.patch("/{order}", response_model=PurchaseOrderRead,
              summary="Change a purchase order (lines in draft only; notes and expected_at always)")
def update_purchase_order(order: OrderRef, body: PurchaseOrderUpdate, principal: OrdersWrite, db: DB,
                          version: IfMatch) -> JSONResponse:
    changes = body.model_dump(exclude_unset=True)
    return _one(purchasing.update_purchase_order(db, principal, order, changes, if_match=version))


@router.post("/{order}/order", response_model=PurchaseOrderRead,
             summary="Place a draft with the supplier: its lines count as incoming")
def place_purchase_order(order: OrderRef, principal: OrdersWrite, db: DB, version: IfMatch) -> JSONResponse:
    return _one(purchasing.place_purchase_order(db, principal, order, if_match=version))


@router.post("/{order}/receive", response_model=ReceiptRead,
             summary="Receive some lines, or all that is open: receipt movements at the lines' unit costs")
def receive_purchase_order(order: OrderRef, principal: OrdersWrite, db: DB, version: IfMatch,
                           body: ReceiveCreate | None = None) -> JSONResponse:
    lines = [e.model_dump() for e in body.lines] if body and body.lines is not None else None
    row, movements = purchasing.receive_purchase_order(
        db, principal, order, lines=lines, location=body.location if body else None, if_match=version)
    return JSONResponse(receipt_out(row, movements), headers={"ETag": f'"{row["version"]}"'})


@router.post("/{order}/cancel", response_model=PurchaseOrderRead,
             summary="Cancel an order before anything was received")
def cancel_purchase_order(order: OrderRef, principal: OrdersWrite, db: DB, version: IfMatch) -> JSONResponse:
    return _one(purchasing.cancel_purchase_order(db, principal, order, if_match=version))
