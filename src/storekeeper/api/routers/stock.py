"""Stock levels, adjustments, transfers and the movements ledger (stock:read / stock:write)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query

from storekeeper.api.deps import DB, Paging, StockRead, StockWrite
from storekeeper.api.responses import CSV_RESPONSE, JSONResponse, csv_export, page, wants_csv
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.common import Page, TimestampIn
from storekeeper.api.schemas.stock import (
    AdjustmentCreate,
    AdjustmentRead,
    BulkAdjustmentCreate,
    BulkRead,
    MovementRead,
    Status,
    TransferCreate,
    TransferRead,
    adjustment_out,
    bulk_out,
    movement_out,
    transfer_out,
)
from storekeeper.api.schemas.stock import (
    StockRead as StockRowRead,
)
from storekeeper.domain.stock import MAX_LABEL
from storekeeper.services import exports, inventory, stock
from storekeeper.services.inventory import MovementFilters, StockFilters
from storekeeper.services.stock import Adjustment

router = APIRouter(prefix="/stock", tags=["stock"], route_class=StorekeeperRoute)

StockSort = Literal["sku", "-sku", "updated_at", "-updated_at"]
Since = Annotated[TimestampIn | None, Query(description="occurred_at on or after")]
Until = Annotated[TimestampIn | None, Query(description="occurred_at before")]


def _adjustment(body: AdjustmentCreate) -> Adjustment:
    return Adjustment(
        item=body.item, location=body.location, reason=body.reason, delta=body.delta, set_to=body.set,
        note=body.note, unit_cost=body.unit_cost, occurred_at=body.occurred_at,
        reference_type=body.reference.type if body.reference else None,
        reference_id=body.reference.id if body.reference else None, expected_on_hand=body.expected_on_hand,
        label=body.label,
    )


@router.post("/adjustments", status_code=201, response_model=AdjustmentRead, summary="Adjust stock at one location")
def adjust_stock(body: AdjustmentCreate, principal: StockWrite, db: DB) -> JSONResponse:
    movements, level = stock.adjust_one(db, principal, _adjustment(body))
    return JSONResponse(adjustment_out(movements, level), status_code=201)


@router.post(
    "/adjustments/bulk", status_code=201, response_model=BulkRead,
    summary="Up to 500 adjustments: all or nothing (atomic), or each on its own",
    responses={200: {"model": BulkRead, "description": "atomic: false — a result per adjustment"}},
)
def adjust_stock_bulk(body: BulkAdjustmentCreate, principal: StockWrite, db: DB) -> JSONResponse:
    results = stock.adjust(db, principal, [_adjustment(a) for a in body.adjustments], atomic=body.atomic)
    return JSONResponse(bulk_out(body.atomic, results), status_code=201 if body.atomic else 200)


@router.post("/transfers", status_code=201, response_model=TransferRead, summary="Move stock between locations")
def transfer_stock(body: TransferCreate, principal: StockWrite, db: DB) -> JSONResponse:
    row = stock.transfer(
        db, principal, item=body.item, from_location=body.from_, to_location=body.to, quantity=body.quantity,
        note=body.note, reference_type=body.reference.type if body.reference else None,
        reference_id=body.reference.id if body.reference else None, label=body.label,
    )
    return JSONResponse(transfer_out(row), status_code=201)


async def movement_filters(
    item: Annotated[str | None, Query(max_length=200, description="Item id or SKU")] = None,
    location: Annotated[str | None, Query(max_length=200, description="Location id or name")] = None,
    reason: Annotated[str | None, Query(max_length=40)] = None,
    since: Since = None,
    until: Until = None,
    actor: Annotated[str | None, Query(max_length=320, description="Actor id or name (key name, email)")] = None,
    reference_type: Annotated[str | None, Query(max_length=40)] = None,
    reference_id: Annotated[str | None, Query(max_length=100)] = None,
    transfer: Annotated[str | None, Query(max_length=40)] = None,
    batch: Annotated[str | None, Query(max_length=40, description="A production batch's movements")] = None,
    label: Annotated[str | None, Query(max_length=MAX_LABEL, description="Movements with this label (exact)")]
    = None,
    order: Annotated[Literal["desc", "asc"], Query(description="By sequence; newest first by default")] = "desc",
) -> MovementFilters:
    return MovementFilters(item=item, location=location, reason=reason, since=since, until=until, actor=actor,
                           reference_type=reference_type, reference_id=reference_id, transfer=transfer, batch=batch,
                           label=label, order=order)


MovementQuery = Annotated[MovementFilters, Depends(movement_filters)]


@router.get("/movements", response_model=Page[MovementRead], summary="The ledger: every stock movement",
            responses=CSV_RESPONSE)
def list_movements(principal: StockRead, db: DB, paging: Paging, filters: MovementQuery,
                   accept: Annotated[str | None, Header(include_in_schema=False)] = None) -> JSONResponse:
    if wants_csv(accept):
        return csv_export(exports.export_movements(db, principal.workspace_id, filters), "movements.csv")
    return page(inventory.list_movements(db, principal.workspace_id, filters, paging), movement_out)


@router.get("", response_model=Page[StockRowRead], summary="Stock per item with its levels per location",
            responses=CSV_RESPONSE)
def list_stock(
    principal: StockRead,
    db: DB,
    paging: Paging,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    status: Annotated[Status | None, Query()] = None,
    location: Annotated[str | None, Query(max_length=200, description="Only stock at this location")] = None,
    sku: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    low_stock: Annotated[bool | None, Query()] = None,
    as_of: Annotated[TimestampIn | None, Query(description="On hand at that moment, from the ledger")] = None,
    updated_since: Annotated[TimestampIn | None, Query(
        description="Rows whose stock or item changed at or after this moment (their `updated_at`)")] = None,
    sort: Annotated[StockSort, Query(description="`updated_at` ascending walks changes oldest first")] = "sku",
) -> JSONResponse:
    filters = StockFilters(status=status, location=location, sku=sku, q=q, category=category,
                           low_stock=low_stock, as_of=as_of, updated_since=updated_since, sort=sort)
    if wants_csv(accept):
        return csv_export(exports.export_stock(db, principal.workspace_id, filters), "stock.csv")
    result, rows = inventory.list_stock(db, principal.workspace_id, filters, paging)
    by_id = {row["item"]: row for row in rows}
    return page(result, lambda item: by_id[item["id"]])


@router.get("/{item}", response_model=StockRowRead, summary="Stock of one item (id or SKU)")
def get_stock(
    item: str,
    principal: StockRead,
    db: DB,
    as_of: Annotated[TimestampIn | None, Query(description="On hand at that moment, from the ledger")] = None,
) -> JSONResponse:
    return JSONResponse(inventory.get_stock(db, principal.workspace_id, item, as_of))

