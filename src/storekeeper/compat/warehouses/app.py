"""The routes of the multi-warehouse API (seed 001), over the same services as /v1.

Its `PUT` sets a level: a count in Storekeeper's ledger (reason `count`) that keeps the
vendor's own reason (`supplier_receipt`) as the movement's label, shown and filtered as the
adjustment's `reason`. A read-only (fulfilment) warehouse changes only with `locations:sync`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from storekeeper.api import codec
from storekeeper.api.deps import DB
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.compat.facade import Dialect, bearer_key, caller, json_response
from storekeeper.compat.warehouses import errors, mapping, schemas
from storekeeper.domain.clock import UTC
from storekeeper.domain.errors import Code, DomainRuleBroken, ValidationFailed
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import inventory, items, locations, stock
from storekeeper.services.inventory import MovementFilters, StockFilters
from storekeeper.services.locations import LocationFilters
from storekeeper.services.stock import Adjustment

# The vendor's scopes, as the Storekeeper scopes they map to (a read-only warehouse also needs
# `locations:sync`, which the ledger checks).
InventoryRead = caller("stock:read", "items:read")
InventoryWrite = caller("stock:write", "items:read")

router = APIRouter(route_class=StorekeeperRoute)
Sku = Annotated[str, "the SKU (or Storekeeper's item id)"]
PAGE = 500  # movements read at a time for a SKU's adjustment history


def _records(db, workspace_id: str, rows: list[dict]) -> list[dict]:
    places = locations.rows_of(db, workspace_id, {p["location"] for row in rows for p in row["locations"]})
    return [mapping.inventory(row, places) for row in rows]


def _record(db, workspace_id: str, sku: str) -> dict:
    return _records(db, workspace_id, [inventory.get_stock(db, workspace_id, sku)])[0]


@router.get("/api/inventory", response_model=schemas.InventoryPage, summary="List Inventory", tags=["inventory"])
def list_inventory(
    principal: InventoryRead, db: DB,
    limit: Annotated[int, Query(ge=1, le=200, description="Results per page (default: 50, max: 200)")] = 50,
    cursor: Annotated[str | None, Query(max_length=512, description="Pagination cursor")] = None,
    status: Annotated[schemas.Status | None, Query(description="Filter: normal, low, critical, out_of_stock")] = None,
    warehouse_id: Annotated[str | None, Query(max_length=200, description="Filter to a specific warehouse")] = None,
    sku: Annotated[str | None, Query(max_length=200, description="Filter to a specific SKU")] = None,
):
    """Stock levels of every SKU across the warehouses. With `warehouse_id`, each record shows
    that warehouse's stock only (and `status` is the status there)."""
    if warehouse_id is not None:
        locations.get_location(db, principal.workspace_id, warehouse_id)  # WAREHOUSE_NOT_FOUND
    page, rows = inventory.list_stock(db, principal.workspace_id,
                                      StockFilters(status=status, location=warehouse_id, sku=sku),
                                      PageRequest(limit=limit, cursor=cursor))
    return json_response(200, {"data": _records(db, principal.workspace_id, rows),
                               "meta": {"total": page.total, "limit": limit, "nextCursor": page.next_cursor}})


@router.get("/api/inventory/warehouses", response_model=schemas.Warehouses, summary="List Warehouses",
            tags=["warehouses"])
def list_warehouses(principal: InventoryRead, db: DB):
    """Returns all configured warehouses for the tenant."""
    rows = locations.list_locations(db, principal.workspace_id, LocationFilters(),
                                    PageRequest(limit=1000, include_total=False)).rows
    return json_response(200, {"data": [mapping.warehouse(row) for row in rows]})


@router.post("/api/inventory/bulk", response_model=schemas.Adjustments, summary="Bulk Inventory Update",
             tags=["inventory"])
def bulk_update(body: schemas.BulkRequest, principal: InventoryWrite, db: DB):
    """Set the stock of up to 500 SKUs at once: all or none (a refusal lists each failing
    update by its index). Answers the adjustments made, in the order of the updates."""
    results = stock.adjust(db, principal, [_count(u.sku, u) for u in body.updates], atomic=True)
    return json_response(200, {"data": [mapping.adjustment(m) for r in results for m in r["movements"]]})


@router.get("/api/inventory/{sku}", response_model=schemas.InventoryRecord, summary="Get Inventory for SKU",
            tags=["inventory"])
def get_inventory(sku: Sku, principal: InventoryRead, db: DB):
    """Returns detailed inventory data for a single SKU."""
    return json_response(200, _record(db, principal.workspace_id, sku))


@router.put("/api/inventory/{sku}", response_model=schemas.InventoryRecord, summary="Update Inventory",
            tags=["inventory"])
def update_inventory(sku: Sku, body: schemas.InventoryUpdate, principal: InventoryWrite, db: DB):
    """Set the stock level for a SKU in a specific warehouse (a count in the ledger, with the
    vendor's reason kept). Answers the updated inventory record."""
    stock.adjust_one(db, principal, _count(sku, body))
    return json_response(200, _record(db, principal.workspace_id, sku))


def _count(sku: str, update: schemas.InventoryUpdate) -> Adjustment:
    if update.quantity < 0:
        raise DomainRuleBroken("The resulting quantity would be negative.", code=Code.NEGATIVE_QUANTITY)
    return Adjustment(item=sku, location=update.warehouse_id, reason="count", set_to=update.quantity,
                      note=update.note, label=update.reason)


@router.get("/api/inventory/{sku}/adjustments", response_model=schemas.Adjustments, summary="Get Adjustment History",
            tags=["inventory"])
def adjustment_history(
    sku: Sku, principal: InventoryRead, db: DB,
    start_date: Annotated[str | None, Query(description="From this date (YYYY-MM-DD, UTC) or moment")] = None,
    end_date: Annotated[str | None, Query(description="To this date (inclusive) or moment")] = None,
    warehouse_id: Annotated[str | None, Query(max_length=200)] = None,
    reason: Annotated[str | None, Query(max_length=64, description="The adjustment's reason, as shown")] = None,
):
    """Returns all stock adjustments for a SKU, oldest first, every one that matches (streamed)."""
    item = items.get_item(db, principal.workspace_id, sku)
    if warehouse_id is not None:
        locations.get_location(db, principal.workspace_id, warehouse_id)
    filters = MovementFilters(item=item["id"], location=warehouse_id, since=_moment(start_date, "start_date"),
                              until=_moment(end_date, "end_date", end=True), shown_reason=reason, order="asc")
    first = inventory.list_movements(db, principal.workspace_id, filters, PageRequest(limit=PAGE, include_total=False))
    return StreamingResponse(_stream(db, principal.workspace_id, filters, first), media_type="application/json")


def _stream(db, workspace_id: str, filters: MovementFilters, page) -> Iterator[bytes]:
    """`{"data": [...]}` a page of movements at a time: a SKU's whole history in flat memory."""
    yield b'{"data":['
    first = True
    while True:
        for row in page.rows:
            yield (b"" if first else b",") + codec.dumps(mapping.adjustment(row))
            first = False
        if not page.has_more:
            break
        page = inventory.list_movements(db, workspace_id, filters,
                                        PageRequest(limit=PAGE, cursor=page.next_cursor, include_total=False))
    yield b"]}"


def _moment(value: str | None, name: str, *, end: bool = False) -> datetime | None:
    """A date (the whole day, UTC; `end_date` includes its day) or an RFC 3339 moment."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day + timedelta(days=1) if end else day, time.min, UTC)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed({name: ["A date (2026-03-12) or a moment (2026-03-12T14:00:00Z)."]}) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


DIALECT = Dialect(
    name="warehouses",
    title="Inventory API (multi-warehouse)",
    version="1",
    description="Stock levels across warehouses and adjustments, as the multi-warehouse inventory API's "
                "document describes them (Storekeeper seed 001). Authenticate with `Authorization: Bearer "
                "<Storekeeper API key>`; `inventory:read` is Storekeeper's `stock:read` + `items:read`, "
                "`inventory:write` its `stock:write`.",
    routers=[router],
    key_from=bearer_key,
    render=errors.render,
)
