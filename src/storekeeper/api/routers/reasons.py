"""Reasons for stock changes: built-in and custom (stock:read / stock:write)."""

from __future__ import annotations

from fastapi import APIRouter

from storekeeper.api.deps import DB, IfMatch, StockRead, StockWrite
from storekeeper.api.responses import JSONResponse, no_content, resource
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.common import Page
from storekeeper.api.schemas.stock import ReasonCreate, ReasonRead, ReasonUpdate, reason_out
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import reasons

router = APIRouter(prefix="/reasons", tags=["reasons"], route_class=StorekeeperRoute)


@router.get("", response_model=Page[ReasonRead], summary="Every reason: built-in ones first, then custom ones")
def list_reasons(principal: StockRead, db: DB) -> JSONResponse:
    custom = reasons.list_reasons(db, principal.workspace_id, PageRequest(limit=reasons.MAX_CUSTOM,
                                                                           include_total=False)).rows
    data = [reason_out(r) for r in reasons.builtin_reasons()] + [reason_out(r) for r in custom]
    return JSONResponse({"data": data, "meta": {"limit": len(data), "total": len(data), "has_more": False,
                                                "next_cursor": None}})


@router.post("", status_code=201, response_model=ReasonRead, summary="Create a custom reason")
def create_reason(body: ReasonCreate, principal: StockWrite, db: DB) -> JSONResponse:
    row = reasons.create_reason(db, principal.workspace_id, body.code, body.name, body.direction)
    return resource(reason_out(row), status=201, version=row["version"])


@router.get("/{reason_id}", response_model=ReasonRead, summary="One custom reason")
def get_reason(reason_id: str, principal: StockRead, db: DB) -> JSONResponse:
    row = reasons.get_reason(db, principal.workspace_id, reason_id)
    return resource(reason_out(row), version=row["version"])


@router.patch("/{reason_id}", response_model=ReasonRead, summary="Rename a custom reason or change its direction")
def update_reason(reason_id: str, body: ReasonUpdate, principal: StockWrite, db: DB, version: IfMatch):
    row = reasons.update_reason(db, principal.workspace_id, reason_id, body.model_dump(exclude_unset=True),
                                if_match=version)
    return resource(reason_out(row), version=row["version"])


@router.delete("/{reason_id}", status_code=204, summary="Delete a custom reason (movements keep its code)")
def delete_reason(reason_id: str, principal: StockWrite, db: DB, version: IfMatch):
    reasons.delete_reason(db, principal.workspace_id, reason_id, if_match=version)
    return no_content()
