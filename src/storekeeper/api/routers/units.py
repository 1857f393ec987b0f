"""Units of measure."""

from __future__ import annotations

from fastapi import APIRouter

from storekeeper.api.deps import ItemsRead
from storekeeper.api.responses import JSONResponse
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.catalog import UnitList, units_out

router = APIRouter(prefix="/units", tags=["units"], route_class=StorekeeperRoute)


@router.get("", response_model=UnitList, summary="Every unit, its dimension, conversion factor and aliases")
def list_units(principal: ItemsRead) -> JSONResponse:
    return JSONResponse(units_out())
