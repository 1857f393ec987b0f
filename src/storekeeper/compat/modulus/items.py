"""Items of the Inventory Manager API (seed 003) over Storekeeper's items, stock and trash."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import Response

from storekeeper.api.deps import DB
from storekeeper.compat.facade import json_response
from storekeeper.compat.modulus import mapping
from storekeeper.compat.modulus.common import ItemsRead, ItemsWrite, Paging, location_names, router
from storekeeper.compat.modulus.schemas import ItemCreate, ItemList, ItemRead, ItemUpdate
from storekeeper.services import item_changes, items, trash
from storekeeper.services.items import ItemFilters

items_router = router("items")
ItemId = Annotated[str, "the item's id"]


def _one(db, workspace_id: str, row: dict[str, Any], status: int = 200) -> Response:
    names = location_names(db, workspace_id, [row.get("home_location_id")])
    return json_response(status, mapping.item(row, names))


@items_router.get("/items", response_model=ItemList, summary="List Items")
def list_items(
    principal: ItemsRead,
    db: DB,
    page: Paging,
    search: Annotated[str | None, Query(max_length=200, description="Search by name, SKU, or barcode")] = None,
    location: Annotated[str | None, Query(max_length=200, description="Filter by location: the items whose home "
                                                                      "location it is (name or id)")] = None,
    low_stock: Annotated[bool | None, Query(description="Return only items below reorder point")] = None,
):
    """Returns a paginated list of all inventory items for your company, oldest first."""
    where = {"home_location": location} if location is not None else {}
    filters = ItemFilters(q=search, low_stock=True if low_stock else None, **where)
    result = items.list_items(db, principal.workspace_id, filters, page)
    names = location_names(db, principal.workspace_id, [row.get("home_location_id") for row in result.rows])
    return json_response(200, {"data": [mapping.item(row, names) for row in result.rows],
                               "pagination": mapping.pagination(result, page.offset or 0)})


@items_router.get("/items/{id}", response_model=ItemRead, summary="Get Item")
def get_item(id: ItemId, principal: ItemsRead, db: DB):  # the document names it id
    """Retrieve a single inventory item by ID (a SKU finds it too)."""
    return _one(db, principal.workspace_id, items.get_item(db, principal.workspace_id, id))


@items_router.post("/items", status_code=201, response_model=ItemRead, summary="Create Item")
def create_item(body: ItemCreate, principal: ItemsWrite, db: DB):
    """Create a new inventory item; a `quantity` is recorded as initial stock at its `location`
    (needs stock:write)."""
    data = mapping.new_item(body.model_dump(exclude_unset=True))
    row = items.create_item(db, principal.workspace_id, data, principal=principal)
    return _one(db, principal.workspace_id, row, status=201)


def _update(id: str, body: ItemUpdate, principal, db) -> Response:
    given = body.model_dump(exclude_unset=True, exclude={"id", "created_at", "updated_at"})
    quantity = given.get("quantity")
    row = item_changes.update_item(db, principal.workspace_id, id, mapping.item_fields(given),
                                   on_hand=Decimal(quantity) if quantity is not None else None, principal=principal)
    return _one(db, principal.workspace_id, row)


@items_router.patch("/items/{id}", response_model=ItemRead, summary="Update Item")
def patch_item(id: ItemId, body: ItemUpdate, principal: ItemsWrite, db: DB):
    """Update an existing inventory item. All fields are optional — only provided fields will be
    updated. A `quantity` is the new total on hand, recorded as a stock count (needs stock:write)."""
    return _update(id, body, principal, db)


@items_router.put("/items/{id}", response_model=ItemRead, summary="Update Item")
def put_item(id: ItemId, body: ItemUpdate, principal: ItemsWrite, db: DB):
    """As PATCH: only provided fields are updated; `id`, `created_at` and `updated_at` are ignored,
    so that an item read can be sent back as it is."""
    return _update(id, body, principal, db)


@items_router.delete("/items/{id}", status_code=204, summary="Delete Item")
def delete_item(id: ItemId, principal: ItemsWrite, db: DB):
    """Soft-delete an inventory item. The item will be moved to trash and can be restored within
    30 days (the workspace's trash retention)."""
    trash.delete_item(db, principal.workspace_id, id)
    return Response(status_code=204)


@items_router.post("/items/{id}/restore", response_model=ItemRead, summary="Restore Item")
def restore_item(id: ItemId, principal: ItemsWrite, db: DB):
    """Bring a deleted item back from the trash within 30 days (the workspace's trash retention).
    Not in the document, which says an item can be restored but not how."""
    item_id = trash.restore_item(db, principal.workspace_id, id)
    return _one(db, principal.workspace_id, items.get_item(db, principal.workspace_id, item_id))
