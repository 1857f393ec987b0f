"""Items (items:read / items:write)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Header, Path, Query

from storekeeper.api.deps import DB, IfMatch, ItemsRead, ItemsWrite, Paging, StockRead
from storekeeper.api.responses import CSV_RESPONSE, JSONResponse, csv_export, no_content, page, resource, wants_csv
from storekeeper.api.routers.stock import MovementQuery
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.common import Page, TimestampIn
from storekeeper.api.schemas.items import (
    ChannelIn,
    ChannelName,
    ComponentIn,
    ComponentRead,
    DeletedItemRead,
    ItemCreate,
    ItemRead,
    ItemUpdate,
    Kind,
    VariantCreate,
    component_out,
    deleted_out,
    item_out,
)
from storekeeper.api.schemas.stock import MovementRead, movement_out
from storekeeper.services import components, exports, inventory, item_changes, items, trash, variants
from storekeeper.services.items import ItemFilters

router = APIRouter(prefix="/items", tags=["items"], route_class=StorekeeperRoute)

ItemRef = Annotated[str, "item id or SKU"]
_STATUS = "(normal|low|critical|out_of_stock)"
STATUSES = rf"^{_STATUS}(,{_STATUS})*$"
ItemSort = Literal["created_at", "-created_at", "updated_at", "-updated_at", "name", "-name", "sku", "-sku", "price",
                   "-price"]


@router.post("", status_code=201, response_model=ItemRead, summary="Create an item")
def create_item(body: ItemCreate, principal: ItemsWrite, db: DB) -> JSONResponse:
    data = body.model_dump(exclude_unset=True, mode="python")
    row = items.create_item(db, principal.workspace_id, data, principal=principal)
    return resource(item_out(row), status=201, version=row["version"])


@router.get("", response_model=Page[ItemRead], summary="List and search items (JSON, or all of them as CSV)",
            responses=CSV_RESPONSE)
def list_items(
    principal: ItemsRead,
    db: DB,
    paging: Paging,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of the name, SKU or barcode, any case")] = None,
    sku: Annotated[str | None, Query(max_length=64)] = None,
    barcode: Annotated[str | None, Query(max_length=128)] = None,
    kind: Annotated[Kind | None, Query()] = None,
    category: Annotated[str | None, Query(max_length=40, description="In this category (among its categories)")] = None,
    parent: Annotated[str | None, Query(max_length=40)] = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    status: Annotated[str | None, Query(pattern=STATUSES, description=(
        "One status, or several separated by commas (any of them): low,critical,out_of_stock"))] = None,
    low_stock: Annotated[bool | None, Query(description="true: status is not normal")] = None,
    ad_hoc: Annotated[bool | None, Query(description="Made up at checkout (or not)")] = None,
    location: Annotated[str | None, Query(max_length=200, description="Has a stock level there (id or name)")] = None,
    home_location: Annotated[str | None, Query(max_length=200,
                                               description="Has it as home location (id or name)")] = None,
    updated_since: Annotated[TimestampIn | None, Query()] = None,
    channel: Annotated[ChannelName | None, Query(description="Published on this sales channel")] = None,
    deleted: Annotated[Literal["false", "true", "any"], Query(description="true: the trash only")] = "false",
    top_level: Annotated[bool | None, Query(
        description="true: no variants (parents and items without variants); false: variants only")] = None,
    sort: Annotated[ItemSort, Query(
        description="price: by net price, items without a price first (last with -price)")] = "created_at",
) -> JSONResponse:
    filters = ItemFilters(
        q=q, sku=sku, barcode=barcode, kind=kind, category=category, parent=parent, tag=tag,
        status=tuple(dict.fromkeys(status.split(","))) if status else None, low_stock=low_stock,
        top_level=top_level, ad_hoc=ad_hoc, location=location, home_location=home_location,
        updated_since=updated_since, channel=channel, deleted=deleted, sort=sort,
    )
    if wants_csv(accept):
        return csv_export(exports.export_items(db, principal.workspace_id, filters), "items.csv")
    return page(items.list_items(db, principal.workspace_id, filters, paging), item_out)


@router.get("/deleted", response_model=Page[DeletedItemRead],
            summary="Items deleted since a moment (for sync clients), oldest first")
def list_deleted_items(
    principal: ItemsRead, db: DB, paging: Paging,
    since: Annotated[TimestampIn | None, Query(description="deleted_at on or after")] = None,
) -> JSONResponse:
    return page(trash.list_deleted(db, principal.workspace_id, since, paging), deleted_out)


@router.get("/{ref}", response_model=ItemRead, summary="One item by id or SKU, with its levels per location")
def get_item(ref: ItemRef, principal: ItemsRead, db: DB) -> JSONResponse:
    row = items.get_item(db, principal.workspace_id, ref)
    return resource(item_out(row), version=row["version"])


@router.patch("/{ref}", response_model=ItemRead, summary="Change an item (quantities are read-only)")
def update_item(ref: ItemRef, body: ItemUpdate, principal: ItemsWrite, db: DB, version: IfMatch) -> JSONResponse:
    changes = body.model_dump(exclude_unset=True, mode="python")
    row = item_changes.update_item(db, principal.workspace_id, ref, changes, if_match=version)
    return resource(item_out(row), version=row["version"])


@router.delete("/{ref}", status_code=204, summary="Move an item to the trash")
def delete_item(ref: ItemRef, principal: ItemsWrite, db: DB, version: IfMatch):
    trash.delete_item(db, principal.workspace_id, ref, if_match=version)
    return no_content()


@router.post("/{ref}/restore", response_model=ItemRead,
             summary="Bring an item (with the variants deleted along with it) back from the trash")
def restore_item(ref: ItemRef, principal: ItemsWrite, db: DB) -> JSONResponse:
    item_id = trash.restore_item(db, principal.workspace_id, ref)
    row = items.get_item(db, principal.workspace_id, item_id)
    return resource(item_out(row), version=row["version"])


@router.get("/{ref}/variants", response_model=Page[ItemRead], summary="A parent's variants")
def list_variants(ref: ItemRef, principal: ItemsRead, db: DB, paging: Paging) -> JSONResponse:
    parent = items.get_item(db, principal.workspace_id, ref)
    filters = ItemFilters(parent=parent["id"])
    return page(items.list_items(db, principal.workspace_id, filters, paging), item_out)


@router.post("/{ref}/variants", status_code=201, response_model=ItemRead,
             summary="Add a variant; the item becomes a parent")
def add_variant(ref: ItemRef, body: VariantCreate, principal: ItemsWrite, db: DB) -> JSONResponse:
    row = variants.add_variant(db, principal, ref, body.model_dump(exclude_unset=True, mode="python"))
    return resource(item_out(row), status=201, version=row["version"])


ChannelPath = Annotated[ChannelName, Path(description="Sales channel name, e.g. shop or pos")]


@router.put("/{ref}/channels/{channel}", response_model=ItemRead,
            summary="Publish on a sales channel, with optional name/price/description overrides")
def publish_item(ref: ItemRef, channel: ChannelPath, principal: ItemsWrite, db: DB, version: IfMatch,
                 body: ChannelIn | None = None) -> JSONResponse:
    entry = body.model_dump(exclude_unset=True, mode="python") if body else {}
    row = item_changes.set_channel(db, principal.workspace_id, ref, channel, entry, if_match=version)
    return resource(item_out(row), version=row["version"])


@router.delete("/{ref}/channels/{channel}", response_model=ItemRead,
               summary="Unpublish from a sales channel (its overrides are kept)")
def unpublish_item(ref: ItemRef, channel: ChannelPath, principal: ItemsWrite, db: DB,
                   version: IfMatch) -> JSONResponse:
    row = item_changes.set_channel(db, principal.workspace_id, ref, channel, None, if_match=version)
    return resource(item_out(row), version=row["version"])


@router.get("/{ref}/components", response_model=list[ComponentRead], summary="The item's bill of materials")
def get_components(ref: ItemRef, principal: ItemsRead, db: DB) -> JSONResponse:
    item, lines = components.get_components(db, principal.workspace_id, ref)
    return resource([component_out(c) for c in lines], version=item["version"])


@router.put("/{ref}/components", response_model=list[ComponentRead],
            summary="Replace the bill of materials: quantities per one unit of the item")
def put_components(ref: ItemRef, principal: ItemsWrite, db: DB, version: IfMatch,
                   body: Annotated[list[ComponentIn], Body(max_length=100)]) -> JSONResponse:
    wanted = [c.model_dump(mode="python") for c in body]
    item, lines = components.put_components(db, principal.workspace_id, ref, wanted, if_match=version)
    return resource([component_out(c) for c in lines], version=item["version"])


@router.get("/{ref}/movements", response_model=Page[MovementRead], summary="The item's movements (stock:read)",
            responses=CSV_RESPONSE)
def list_item_movements(ref: ItemRef, principal: StockRead, db: DB, paging: Paging, filters: MovementQuery,
                        accept: Annotated[str | None, Header(include_in_schema=False)] = None) -> JSONResponse:
    item = items.get_item(db, principal.workspace_id, ref)
    filters = replace(filters, item=item["id"])
    if wants_csv(accept):
        return csv_export(exports.export_movements(db, principal.workspace_id, filters), f"{item['sku']}-movements.csv")
    return page(inventory.list_movements(db, principal.workspace_id, filters, paging), movement_out)
