"""Products, materials and their stock-level updates, and locations (seed 002), over the same
services as /v1. Products and materials are items of kind product and material, found by
their number; a write and the read of its answer are one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from storekeeper.api.deps import DB
from storekeeper.api.responses import JSONResponse
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.compat.facade import caller
from storekeeper.compat.inventora import ids, mapping
from storekeeper.compat.inventora.schemas import (
    LocationPage,
    ResourcePage,
    ResourceRead,
    ResourceUpdate,
    StockLevelUpdate,
)
from storekeeper.domain.errors import NotFound
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest
from storekeeper.services import item_changes, items, locations, stock
from storekeeper.services.item_changes import StockedRules
from storekeeper.services.items import ItemFilters
from storekeeper.services.locations import LocationFilters
from storekeeper.services.stock import Adjustment

# The vendor's endpoints, as the Storekeeper scopes they need: a product shows its stock.
CatalogRead = caller("items:read", "stock:read")
CatalogWrite = caller("items:write", "stock:read")
StockWrite = caller("stock:write", "items:read")
LocationsRead = caller("stock:read")

MAX_LIMIT = 1000
Limit = Annotated[int, Query(ge=1, description="Maximum number of results (max: 1000; more is read as 1000)")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Number of results to skip")]
ResourceId = Annotated[int, Path(ge=1, le=ids.MAX_ID)]

# Inventora's rules for a resource with stock: its unitType may change (its quantities keep
# their numbers), its unitPrice only while no stock came in but as initial stock.
INVENTORA_RULES = StockedRules(locked=("tracking",), unit_cost_free_after=frozenset({"initial"}))

router = APIRouter(route_class=StorekeeperRoute)


def paged(result: Page, rows: list[dict[str, Any]], offset: int) -> JSONResponse:
    return JSONResponse({"data": rows, "pagination": mapping.pagination(result.total, offset, result.limit)})


def find_resource(db: Database, workspace_id: str, kind: str, vendor_id: int) -> dict[str, Any]:
    """The item `vendor_id` names with its levels and bill of materials, if it is of `kind`."""
    row = ids.find(db, workspace_id, "item", vendor_id)
    if row["kind"] != kind:
        raise NotFound("item", f"#{vendor_id}")
    return row


def _list(kind: str) -> Callable[..., JSONResponse]:
    def list_resources(principal: CatalogRead, db: DB, limit: Limit = 100, offset: Offset = 0) -> JSONResponse:
        page = PageRequest(limit=min(limit, MAX_LIMIT), offset=offset)
        result = items.list_items(db, principal.workspace_id, ItemFilters(kind=kind), page, details=True)
        return paged(result, [mapping.resource(row) for row in result.rows], offset)

    return list_resources


def _get(kind: str) -> Callable[..., JSONResponse]:
    def get_resource(id: ResourceId, principal: CatalogRead, db: DB) -> JSONResponse:
        return JSONResponse(mapping.resource(find_resource(db, principal.workspace_id, kind, id)))

    return get_resource


def _update(kind: str) -> Callable[..., JSONResponse]:
    def update_resource(id: ResourceId, body: ResourceUpdate, principal: CatalogWrite, db: DB) -> JSONResponse:
        workspace_id = principal.workspace_id
        with db.write(settle_inner=True):
            row = find_resource(db, workspace_id, kind, id)
            changes = mapping.resource_changes(body.model_dump(exclude_unset=True), row["tracking"])
            item_changes.update_item(db, workspace_id, row["id"], changes, rules=INVENTORA_RULES)
            return JSONResponse(mapping.resource(find_resource(db, workspace_id, kind, id)))

    return update_resource


def _update_stock(kind: str) -> Callable[..., JSONResponse]:
    def update_stock_level(id: ResourceId, body: StockLevelUpdate, principal: StockWrite, db: DB) -> JSONResponse:
        workspace_id = principal.workspace_id
        with db.write(settle_inner=True):
            row = find_resource(db, workspace_id, kind, id)
            custom = None
            if body.customStatusId is not None:
                reason = ids.find(db, workspace_id, "reason", body.customStatusId)
                custom = (reason["code"], reason["direction"])
            change = mapping.stock_change(body.updateType, body.quantity, custom)
            stock.adjust_one(db, principal, Adjustment(item=row["id"], location=body.locationName, note=body.notes,
                                                       **change))
            return JSONResponse(mapping.resource(find_resource(db, workspace_id, kind, id)))

    return update_stock_level


def _register(kind: str, plural: str, title: str) -> None:
    """The four endpoints of products (or of materials): the same, for items of their kind."""
    base, one = f"/api/{plural}", f"/api/{plural}/{{id}}"
    for path, endpoint, method, model, name, summary, description in (
        (base, _list(kind), "GET", ResourcePage, f"list_{plural}", f"Get {title}s",
         f"Returns a paginated list of {plural}."),
        (one, _get(kind), "GET", ResourceRead, f"get_{kind}", f"Get {title}", f"Returns a single {kind} by ID."),
        (one, _update(kind), "PATCH", ResourceRead, f"update_{kind}", f"Update {title}",
         f"Updates a {kind}. unitPrice can only be updated if the resource has no stock blocks tied to non-initial "
         "logs. The unitType field cannot be changed to or from bundle."),
        (f"{one}/stock-level-updates", _update_stock(kind), "POST", ResourceRead, f"update_{kind}_stock_level",
         f"Update {title} Stock Level", f"Updates the stock level of a {kind} at a specific location: audit sets "
         "it, restock adds, loss subtracts, custom goes the way of its custom status."),
    ):
        router.add_api_route(path, endpoint, methods=[method], response_model=model, name=name, summary=summary,
                             description=description, tags=[plural])


_register("product", "products", "Product")
_register("material", "materials", "Material")


@router.get("/api/locations", response_model=LocationPage, summary="Get Locations", tags=["locations"])
def list_locations(principal: LocationsRead, db: DB, limit: Limit = 100, offset: Offset = 0) -> JSONResponse:
    """Returns a paginated list of locations."""
    page = PageRequest(limit=min(limit, MAX_LIMIT), offset=offset)
    result = locations.list_locations(db, principal.workspace_id, LocationFilters(), page)
    return paged(result, [mapping.location(row) for row in result.rows], offset)
