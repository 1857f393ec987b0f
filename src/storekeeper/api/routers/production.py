"""Production orders and their batches (production:read / production:write)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from storekeeper.api.deps import DB, IfMatch, Paging, ProductionRead, ProductionWrite
from storekeeper.api.responses import JSONResponse, no_content, page, resource
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.common import Page
from storekeeper.api.schemas.production import (
    BatchCreate,
    BatchRead,
    ProductionOrderCreate,
    ProductionOrderRead,
    ProductionOrderUpdate,
    ProductionStatus,
    batch_out,
    production_order_out,
)
from storekeeper.services import batches, production
from storekeeper.services.production import ProductionFilters

router = APIRouter(tags=["production"], route_class=StorekeeperRoute)


def _one(row, status: int = 200) -> JSONResponse:
    return resource(production_order_out(row), status=status, version=row["version"])


@router.post("/production-orders", status_code=201, response_model=ProductionOrderRead,
             summary="Create a production order")
def create_production_order(body: ProductionOrderCreate, principal: ProductionWrite, db: DB) -> JSONResponse:
    data = body.model_dump(exclude_unset=True)
    return _one(production.create_production_order(db, principal, data), status=201)


@router.get("/production-orders", response_model=Page[ProductionOrderRead], summary="List production orders")
def list_production_orders(
    principal: ProductionRead,
    db: DB,
    paging: Paging,
    status: Annotated[ProductionStatus | None, Query()] = None,
    assignee: Annotated[str | None, Query(max_length=320, description="A user's id or email")] = None,
    location: Annotated[str | None, Query(max_length=200, description="Location id or name")] = None,
    item: Annotated[str | None, Query(max_length=200, description="Has a line of this item (id or SKU)")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of the name, any case")] = None,
    sort: Annotated[Literal["position", "-position", "created_at", "-created_at", "name", "-name"],
                    Query()] = "position",
) -> JSONResponse:
    filters = ProductionFilters(status=status, assignee=assignee, location=location, item=item, q=q, sort=sort)
    return page(production.list_production_orders(db, principal.workspace_id, filters, paging),
                production_order_out)


@router.get("/production-orders/{order_id}", response_model=ProductionOrderRead, summary="One production order")
def get_production_order(order_id: str, principal: ProductionRead, db: DB) -> JSONResponse:
    return _one(production.get_production_order(db, principal.workspace_id, order_id))


@router.patch("/production-orders/{order_id}", response_model=ProductionOrderRead,
              summary="Change a production order (null unsets a field)")
def update_production_order(order_id: str, body: ProductionOrderUpdate, principal: ProductionWrite, db: DB,
                            version: IfMatch) -> JSONResponse:
    changes = body.model_dump(exclude_unset=True)
    return _one(production.update_production_order(db, principal, order_id, changes, if_match=version))


@router.delete("/production-orders/{order_id}", status_code=204, summary="Delete a production order (soft)")
def delete_production_order(order_id: str, principal: ProductionWrite, db: DB, version: IfMatch):
    production.delete_production_order(db, principal, order_id, if_match=version)
    return no_content()


@router.post("/production-orders/{order_id}/lines/{line_id}/batches", status_code=201, response_model=BatchRead,
             summary="Make some of a line: consume the components, add the output, in one transaction")
def create_batch(order_id: str, line_id: str, body: BatchCreate, principal: ProductionWrite,
                 db: DB) -> JSONResponse:
    row = batches.produce(db, principal, order_id, line_id, body.quantity, note=body.note)
    return JSONResponse(batch_out(row), status_code=201)


@router.get("/batches/{batch_id}", response_model=BatchRead, summary="One batch with its movements")
def get_batch(batch_id: str, principal: ProductionRead, db: DB) -> JSONResponse:
    return JSONResponse(batch_out(batches.get_batch(db, principal.workspace_id, batch_id)))


@router.delete("/batches/{batch_id}", status_code=204,
               summary="Reverse a batch exactly: components back, output out (production_reversal)")
def reverse_batch(batch_id: str, principal: ProductionWrite, db: DB):
    batches.reverse_batch(db, principal, batch_id)
    return no_content()
