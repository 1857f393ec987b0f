"""The routes of the multi-warehouse API (seed 001), over the same services as /v1."""

from __future__ import annotations

from fastapi import APIRouter

from storekeeper.api.deps import DB
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.compat.facade import Dialect, bearer_key, caller, json_response
from storekeeper.compat.warehouses import errors, mapping
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import locations
from storekeeper.services.locations import LocationFilters

# The vendor's scopes, as the Storekeeper scopes they map to.
InventoryRead = caller("stock:read", "items:read")
InventoryWrite = caller("stock:write", "items:read")

router = APIRouter(route_class=StorekeeperRoute)


@router.get("/api/inventory/warehouses", summary="List Warehouses", tags=["warehouses"])
def list_warehouses(principal: InventoryRead, db: DB):
    """Returns all configured warehouses for the tenant."""
    rows = locations.list_locations(db, principal.workspace_id, LocationFilters(),
                                    PageRequest(limit=1000, include_total=False)).rows
    return json_response(200, {"data": [mapping.warehouse(row) for row in rows]})


DIALECT = Dialect(
    name="warehouses",
    title="Inventory API (multi-warehouse)",
    version="1",
    description="Stock levels across warehouses and adjustments, as the multi-warehouse inventory API's "
                "document describes them (Storekeeper seed 001). Authenticate with `Authorization: Bearer "
                "<Storekeeper API key>`.",
    routers=[router],
    key_from=bearer_key,
    render=errors.render,
)
