"""Categories (items scopes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from storekeeper.api.deps import DB, IfMatch, ItemsRead, ItemsWrite, Paging
from storekeeper.api.responses import JSONResponse, no_content, page, resource
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.catalog import CategoryCreate, CategoryRead, CategoryUpdate, category_out
from storekeeper.api.schemas.common import Page
from storekeeper.services import categories

router = APIRouter(prefix="/categories", tags=["categories"], route_class=StorekeeperRoute)


@router.post("", status_code=201, response_model=CategoryRead, summary="Create a category")
def create_category(body: CategoryCreate, principal: ItemsWrite, db: DB) -> JSONResponse:
    row = categories.create_category(db, principal.workspace_id, body.name, body.parent)
    return resource(category_out(row), status=201, version=row["version"])


@router.get("", response_model=Page[CategoryRead], summary="List categories")
def list_categories(
    principal: ItemsRead,
    db: DB,
    paging: Paging,
    parent: Annotated[
        str | None, Query(max_length=40, description="A category id, or `null` for top-level ones")
    ] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> JSONResponse:
    return page(categories.list_categories(db, principal.workspace_id, paging, parent=parent, q=q), category_out)


@router.get("/{category_id}", response_model=CategoryRead, summary="One category")
def get_category(category_id: str, principal: ItemsRead, db: DB) -> JSONResponse:
    row = categories.get_category(db, principal.workspace_id, category_id)
    return resource(category_out(row), version=row["version"])


@router.patch("/{category_id}", response_model=CategoryRead, summary="Rename or move a category")
def update_category(category_id: str, body: CategoryUpdate, principal: ItemsWrite, db: DB, version: IfMatch):
    changes = body.model_dump(exclude_unset=True)
    if "parent" in changes:
        changes["parent_id"] = changes.pop("parent")
    row = categories.update_category(db, principal.workspace_id, category_id, changes, if_match=version)
    return resource(category_out(row), version=row["version"])


@router.delete("/{category_id}", status_code=204, summary="Delete an empty category")
def delete_category(category_id: str, principal: ItemsWrite, db: DB, version: IfMatch):
    categories.delete_category(db, principal.workspace_id, category_id, if_match=version)
    return no_content()
