"""Reports (stock:read)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from storekeeper.api.deps import DB, Paging, StockRead
from storekeeper.api.responses import JSONResponse, page
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.common import Page
from storekeeper.api.schemas.reports import ReorderRowRead, ValuationRead, reorder_out, valuation_out
from storekeeper.services import reports
from storekeeper.services.reports import ReorderFilters

router = APIRouter(prefix="/reports", tags=["reports"], route_class=StorekeeperRoute)


@router.get("/valuation", response_model=ValuationRead,
            summary="Stock value at average cost, by location and by category")
def valuation(
    principal: StockRead,
    db: DB,
    location: Annotated[str | None, Query(max_length=200, description="Only this location (id or name)")] = None,
    category: Annotated[str | None, Query(max_length=40, description="Only items of this category")] = None,
) -> JSONResponse:
    return JSONResponse(valuation_out(reports.valuation(db, principal.workspace_id, location, category)))


@router.get("/reorder", response_model=Page[ReorderRowRead],
            summary="Items at or below their reorder point, with a suggested order quantity")
def reorder(
    principal: StockRead,
    db: DB,
    paging: Paging,
    supplier: Annotated[str | None, Query(max_length=200)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    kind: Annotated[Literal["product", "material"] | None, Query()] = None,
    status: Annotated[Literal["low", "critical", "out_of_stock"] | None, Query()] = None,
) -> JSONResponse:
    filters = ReorderFilters(supplier=supplier, category=category, kind=kind, status=status)
    return page(reports.reorder(db, principal.workspace_id, filters, paging), reorder_out)
