"""Tax rates (items scopes)."""

from __future__ import annotations

from fastapi import APIRouter

from storekeeper.api.deps import DB, IfMatch, ItemsRead, ItemsWrite, Paging
from storekeeper.api.responses import JSONResponse, no_content, page, resource
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.catalog import TaxRateCreate, TaxRateRead, TaxRateUpdate, tax_rate_out
from storekeeper.api.schemas.common import Page
from storekeeper.services import tax_rates

router = APIRouter(prefix="/tax-rates", tags=["tax rates"], route_class=StorekeeperRoute)


@router.post("", status_code=201, response_model=TaxRateRead, summary="Create a tax rate")
def create_tax_rate(body: TaxRateCreate, principal: ItemsWrite, db: DB) -> JSONResponse:
    row = tax_rates.create_tax_rate(db, principal.workspace_id, body.model_dump(exclude_unset=True))
    return resource(tax_rate_out(row), status=201, version=row["version"])


@router.get("", response_model=Page[TaxRateRead], summary="List tax rates")
def list_tax_rates(principal: ItemsRead, db: DB, paging: Paging) -> JSONResponse:
    return page(tax_rates.list_tax_rates(db, principal.workspace_id, paging), tax_rate_out)


@router.get("/{tax_rate_id}", response_model=TaxRateRead, summary="One tax rate")
def get_tax_rate(tax_rate_id: str, principal: ItemsRead, db: DB) -> JSONResponse:
    row = tax_rates.get_tax_rate(db, principal.workspace_id, tax_rate_id)
    return resource(tax_rate_out(row), version=row["version"])


@router.patch("/{tax_rate_id}", response_model=TaxRateRead, summary="Change a tax rate")
def update_tax_rate(tax_rate_id: str, body: TaxRateUpdate, principal: ItemsWrite, db: DB, version: IfMatch):
    changes = body.model_dump(exclude_unset=True)
    row = tax_rates.update_tax_rate(db, principal.workspace_id, tax_rate_id, changes, if_match=version)
    return resource(tax_rate_out(row), version=row["version"])


@router.delete("/{tax_rate_id}", status_code=204, summary="Delete a tax rate no item uses")
def delete_tax_rate(tax_rate_id: str, principal: ItemsWrite, db: DB, version: IfMatch):
    tax_rates.delete_tax_rate(db, principal.workspace_id, tax_rate_id, if_match=version)
    return no_content()
