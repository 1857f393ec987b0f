"""A product's stock (`adjust_inventory`), the sync deltas (`delta/modified`, `delta/deleted`) and
shop publishing (`POST`/`DELETE …/shop/`) of the inventorum API, over the same services as /v1."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Annotated

from fastapi import APIRouter, Query

from storekeeper.api.deps import DB
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.compat.facade import caller, json_response
from storekeeper.compat.inventorum import ids, mapping, reads, schemas
from storekeeper.compat.inventorum.reads import Version
from storekeeper.domain.errors import ValidationFailed
from storekeeper.services import item_changes, items, stock, trash
from storekeeper.services.items import ItemFilters
from storekeeper.services.stock import Adjustment

Inventories = caller("items:read", "stock:write")
ProductsRead = caller("items:read")
Publishing = caller("items:read", "items:write")

router = APIRouter(route_class=StorekeeperRoute)
ProductId = Annotated[str, "the product's id"]
ModifiedPage = reads.paging(100)
DeletedPage = reads.paging(1000)
MODIFIED_SORTS = {"name": "name", "id": "created_at", "updated_at": "updated_at", "modified": "updated_at"}
StartDate = Annotated[str | None, Query(max_length=40, description="ISO 8601, UTC: 2018-01-25T15:00:56.643Z")]


def _start(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed({"start_date": ["A moment such as 2018-01-25T15:00:56.643Z."]}) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@router.put("/api/products/{product_id}/adjust_inventory/", tags=["inventory"],
            summary="Adjusts stock for a product without variants or for a product variant")
def adjust_inventory(product_id: ProductId, body: schemas.AdjustInventory, principal: Inventories, db: DB,
                     version: Version):
    """A signed quantity: a receipt at the given purchase price (an increase) or a correction (a
    decrease), at the default location, on the given day (midnight UTC), with the note."""
    entry = body.stock
    if entry.quantity == 0:
        raise ValidationFailed({"quantity": ["Ensure this value is not 0."]})
    try:
        day = mapping.adjustment_date(entry.date)
    except ValueError:
        raise ValidationFailed({"date": ["A date as DD.MM.YYYY, such as 20.01.2018."]}) from None
    incoming = entry.quantity > 0
    item_id = ids.storekeeper_id(db, principal.workspace_id, "item", product_id)
    stock.adjust_one(db, principal, Adjustment(
        item=item_id, reason="receipt" if incoming else "correction",
        delta=entry.quantity, unit_cost=entry.price if incoming else None, note=entry.note or None,
        occurred_at=datetime.combine(day, time.min, UTC)))
    row = reads.find(db, principal.workspace_id, product_id)
    return json_response(200, reads.product(db, principal.workspace_id, row, version))


@router.get("/api/products/delta/modified/", tags=["sync"],
            summary="Returns list of all products modified since defined date")
def modified_products(
    principal: ProductsRead, db: DB, version: Version, paging: ModifiedPage, start_date: StartDate = None,
    verbose: Annotated[bool, Query(description="Also meta, images, publish_states")] = False,
    order_by: Annotated[str | None, Query(max_length=100, description="name,-id: the first field sorts")] = None,
):
    """Every product, variation and custom sale whose catalogue fields or stock changed at or
    after `start_date` (all of them without it); by last change, oldest first, by default."""
    sort = reads.order_by(order_by, MODIFIED_SORTS) or "updated_at"
    filters = ItemFilters(updated_since=_start(start_date), sort=sort)
    page = items.list_items(db, principal.workspace_id, filters, paging.request())
    taxes, places = reads.references(db, principal.workspace_id, page.rows)
    parents = ids.numbers_of(db, principal.workspace_id, "item", {r["parent_id"] for r in page.rows})
    variations = reads.page_variations(db, principal.workspace_id, page.rows)
    data = [mapping.modified(r, taxes, places, parents, verbose=verbose, version=version,
                             variant_rows=variations.get(r["id"])) for r in page.rows]
    return json_response(200, reads.page_body(page.total, data))


@router.get("/api/products/delta/deleted/", tags=["sync"],
            summary="Returns list of all products deleted since defined date")
def deleted_products(
    principal: ProductsRead, db: DB, version: Version, paging: DeletedPage, start_date: StartDate = None,
    order_by: Annotated[str | None, Query(max_length=100, description="Deleted first or last: -id, id")] = None,
):
    """The ids of the products deleted at or after `start_date`, in the order they were deleted."""
    reads.order_by(order_by, {"id": "id", "deleted_at": "deleted_at"})  # refuses an unknown field
    page = trash.list_deleted(db, principal.workspace_id, _start(start_date), paging.request())
    return json_response(200, reads.page_body(page.total, [ids.shown(r) for r in page.rows]))


def _publish(db, principal, product_id: str, publish: bool):
    row = reads.find(db, principal.workspace_id, product_id)
    if publish or mapping.in_shop(row):
        row = item_changes.set_channel(db, principal.workspace_id, row["id"], mapping.SHOP, {} if publish else None)
    return json_response(200, mapping.shop_product(row))


@router.post("/api/products/{product_id}/shop/", tags=["shop"],
             summary="Publishes a selected product to the online shop")
def publish(product_id: ProductId, principal: Publishing, db: DB, version: Version):
    return _publish(db, principal, product_id, True)


@router.delete("/api/products/{product_id}/shop/", tags=["shop"],
               summary="Unpublishes a selected product from the online shop")
def unpublish(product_id: ProductId, principal: Publishing, db: DB, version: Version):
    return _publish(db, principal, product_id, False)
