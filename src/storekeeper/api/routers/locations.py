"""Locations (stock:read to read, stock:write to change)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from storekeeper.api.deps import DB, IfMatch, Paging, StockRead, StockWrite
from storekeeper.api.responses import JSONResponse, no_content, page, resource
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.catalog import (
    LocationCreate,
    LocationRead,
    LocationType,
    LocationUpdate,
    location_out,
)
from storekeeper.api.schemas.common import Page
from storekeeper.services import locations
from storekeeper.services.locations import LocationFilters

router = APIRouter(prefix="/locations", tags=["locations"], route_class=StorekeeperRoute)

LocationRef = Annotated[str, "id or name"]


@router.post("", status_code=201, response_model=LocationRead, summary="Create a location")
def create_location(body: LocationCreate, principal: StockWrite, db: DB) -> JSONResponse:
    row = locations.create_location(db, principal.workspace_id, body.model_dump(exclude_unset=True, mode="json"))
    return resource(location_out(row), status=201, version=row["version"])


@router.get("", response_model=Page[LocationRead], summary="List locations")
def list_locations(
    principal: StockRead,
    db: DB,
    paging: Paging,
    type: Annotated[LocationType | None, Query()] = None,
    is_active: Annotated[bool | None, Query()] = None,
    read_only: Annotated[bool | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of the name, any case")] = None,
    sort: Annotated[Literal["name", "-name", "created_at", "-created_at"], Query()] = "name",
) -> JSONResponse:
    filters = LocationFilters(type=type, is_active=is_active, read_only=read_only, q=q, sort=sort)
    return page(locations.list_locations(db, principal.workspace_id, filters, paging), location_out)


@router.get("/{location}", response_model=LocationRead, summary="One location, by id or name")
def get_location(location: LocationRef, principal: StockRead, db: DB) -> JSONResponse:
    row = locations.get_location(db, principal.workspace_id, location)
    return resource(location_out(row), version=row["version"])


@router.patch("/{location}", response_model=LocationRead, summary="Change a location")
def update_location(
    location: LocationRef, body: LocationUpdate, principal: StockWrite, db: DB, version: IfMatch
) -> JSONResponse:
    changes = body.model_dump(exclude_unset=True, mode="json")
    row = locations.update_location(db, principal.workspace_id, location, changes, if_match=version)
    return resource(location_out(row), version=row["version"])


@router.delete("/{location}", status_code=204, summary="Delete an empty location other than the default")
def delete_location(location: LocationRef, principal: StockWrite, db: DB, version: IfMatch):
    locations.delete_location(db, principal.workspace_id, location, if_match=version)
    return no_content()
