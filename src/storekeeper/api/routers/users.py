"""Users (admin to write; audit:read, which admin implies, to read)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from storekeeper.api.deps import DB, Admin, AuditRead, IfMatch, Paging, Passwords
from storekeeper.api.responses import JSONResponse, no_content, page, resource
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.account import UserCreate, UserRead, UserUpdate, user_out
from storekeeper.api.schemas.common import Page
from storekeeper.services import users

router = APIRouter(prefix="/users", tags=["users"], route_class=StorekeeperRoute)


@router.post("", status_code=201, response_model=UserRead, summary="Create a user")
def create_user(body: UserCreate, principal: Admin, db: DB, passwords: Passwords) -> JSONResponse:
    row = users.create_user(db, principal.workspace_id, body.email, body.name, body.role, password=body.password,
                            hasher=passwords.hash)
    return resource(user_out(row), status=201, version=row["version"])


@router.get("", response_model=Page[UserRead], summary="List users")
def list_users(
    principal: AuditRead,
    db: DB,
    paging: Paging,
    role: Annotated[Literal["admin", "member", "viewer"] | None, Query()] = None,
) -> JSONResponse:
    return page(users.list_users(db, principal.workspace_id, paging, role=role), user_out)


@router.get("/{user_id}", response_model=UserRead, summary="One user")
def get_user(user_id: str, principal: AuditRead, db: DB) -> JSONResponse:
    row = users.get_user(db, principal.workspace_id, user_id)
    return resource(user_out(row), version=row["version"])


@router.patch("/{user_id}", response_model=UserRead, summary="Change a user")
def update_user(user_id: str, body: UserUpdate, principal: Admin, db: DB, version: IfMatch,
                passwords: Passwords) -> JSONResponse:
    row = users.update_user(db, principal.workspace_id, user_id, body.model_dump(exclude_unset=True), if_match=version,
                            hasher=passwords.hash)
    return resource(user_out(row), version=row["version"])


@router.delete("/{user_id}", status_code=204, summary="Delete a user and revoke the user's keys")
def delete_user(user_id: str, principal: Admin, db: DB, version: IfMatch):
    users.delete_user(db, principal.workspace_id, user_id, if_match=version)
    return no_content()
