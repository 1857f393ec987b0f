"""Items (items:read / items:write)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from storekeeper.api.deps import DB, IfMatch, ItemsRead, ItemsWrite, Paging, StockRead
from storekeeper.api.responses import JSONResponse, no_content, page, resource
from storekeeper.api.routers.stock import MovementQuery
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.common import Page, TimestampIn
from storekeeper.api.schemas.items import ItemCreate, ItemRead, ItemUpdate, Kind, Status, item_out
from storekeeper.api.schemas.stock import MovementRead, movement_out
from storekeeper.services import inventory, items
from storekeeper.services.items import ItemFilters

router = APIRouter(prefix="/items", tags=["items"], route_class=StorekeeperRoute)

ItemRef = Annotated[str, "item id or SKU"]
ItemSort = Literal["created_at", "-created_at", "updated_at", "-updated_at", "name", "-name", "sku", "-sku"]


@router.post("", status_code=201, response_model=ItemRead, summary="Create an item")
def create_item(body: ItemCreate, principal: ItemsWrite, db: DB) -> JSONResponse:
    row = items.create_item(db, principal.workspace_id, body.model_dump(exclude_unset=True, mode="python"))
    return resource(item_out(row), status=201, version=row["version"])


@router.get("", response_model=Page[ItemRead], summary="List and search items")
def list_items(
    principal: ItemsRead,
    db: DB,
    paging: Paging,
    q: Annotated[str | None, Query(max_length=200, description="Part of the name, SKU or barcode, any case")] = None,
    sku: Annotated[str | None, Query(max_length=64)] = None,
    barcode: Annotated[str | None, Query(max_length=128)] = None,
    kind: Annotated[Kind | None, Query()] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    parent: Annotated[str | None, Query(max_length=40)] = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    status: Annotated[Status | None, Query()] = None,
    low_stock: Annotated[bool | None, Query(description="true: status is not normal")] = None,
    location: Annotated[str | None, Query(max_length=200, description="Has a stock level there (id or name)")] = None,
    updated_since: Annotated[TimestampIn | None, Query()] = None,
    deleted: Annotated[Literal["false", "true", "any"], Query(description="true: the trash only")] = "false",
    sort: Annotated[ItemSort, Query()] = "created_at",
) -> JSONResponse:
    filters = ItemFilters(
        q=q, sku=sku, barcode=barcode, kind=kind, category=category, parent=parent, tag=tag, status=status,
        low_stock=low_stock, location=location, updated_since=updated_since, deleted=deleted, sort=sort,
    )
    return page(items.list_items(db, principal.workspace_id, filters, paging), item_out)


@router.get("/{ref}", response_model=ItemRead, summary="One item by id or SKU, with its levels per location")
def get_item(ref: ItemRef, principal: ItemsRead, db: DB) -> JSONResponse:
    row = items.get_item(db, principal.workspace_id, ref)
    return resource(item_out(row), version=row["version"])


@router.patch("/{ref}", response_model=ItemRead, summary="Change an item (quantities are read-only)")
def update_item(ref: ItemRef, body: ItemUpdate, principal: ItemsWrite, db: DB, version: IfMatch) -> JSONResponse:
    changes = body.model_dump(exclude_unset=True, mode="python")
    row = items.update_item(db, principal.workspace_id, ref, changes, if_match=version)
    return resource(item_out(row), version=row["version"])


@router.delete("/{ref}", status_code=204, summary="Move an item to the trash")
def delete_item(ref: ItemRef, principal: ItemsWrite, db: DB, version: IfMatch):
    items.delete_item(db, principal.workspace_id, ref, if_match=version)
    return no_content()


@router.get("/{ref}/movements", response_model=Page[MovementRead], summary="The item's movements (stock:read)")
def list_item_movements(ref: ItemRef, principal: StockRead, db: DB, paging: Paging,
                        filters: MovementQuery) -> JSONResponse:
    item = items.get_item(db, principal.workspace_id, ref)
    filters = replace(filters, item=item["id"])
    return page(inventory.list_movements(db, principal.workspace_id, filters, paging), movement_out)
