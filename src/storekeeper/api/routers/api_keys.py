"""API keys (admin)."""

from __future__ import annotations

from fastapi import APIRouter

from storekeeper.api.deps import DB, Admin, Paging
from storekeeper.api.idempotency import redact_on_replay
from storekeeper.api.responses import JSONResponse, no_content, page, resource
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.account import ApiKeyCreate, ApiKeyCreated, ApiKeyRead, api_key_out
from storekeeper.api.schemas.common import Page
from storekeeper.services import api_keys

router = APIRouter(prefix="/api-keys", tags=["api keys"], route_class=StorekeeperRoute)


@router.post("", status_code=201, response_model=ApiKeyCreated, summary="Create a key (the secret is shown once)")
@redact_on_replay("key")  # a replay of this request shows "key": null: secrets are never stored
def create_api_key(body: ApiKeyCreate, principal: Admin, db: DB) -> JSONResponse:
    row, key = api_keys.create_api_key(
        db, principal.workspace_id, body.name, list(body.scopes), expires_at=body.expires_at, user=body.user
    )
    return resource({**api_key_out(row), "key": key}, status=201)


@router.get("", response_model=Page[ApiKeyRead], summary="List keys (never their secrets)")
def list_api_keys(principal: Admin, db: DB, paging: Paging) -> JSONResponse:
    return page(api_keys.list_api_keys(db, principal.workspace_id, paging), api_key_out)


@router.get("/{key_id}", response_model=ApiKeyRead, summary="One key")
def get_api_key(key_id: str, principal: Admin, db: DB) -> JSONResponse:
    return resource(api_key_out(api_keys.get_api_key(db, principal.workspace_id, key_id)))


@router.delete("/{key_id}", status_code=204, summary="Revoke a key, effective immediately")
def revoke_api_key(key_id: str, principal: Admin, db: DB):
    api_keys.revoke_api_key(db, principal.workspace_id, key_id)
    return no_content()
