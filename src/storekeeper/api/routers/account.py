"""The caller and its workspace."""

from __future__ import annotations

from fastapi import APIRouter

from storekeeper.api.deps import DB, Admin, AnyKey, IfMatch
from storekeeper.api.responses import JSONResponse, resource
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.account import MeRead, WorkspaceRead, WorkspaceUpdate, workspace_out
from storekeeper.services import workspaces

router = APIRouter(tags=["workspace"], route_class=StorekeeperRoute)


@router.get("/me", response_model=MeRead, summary="The calling key, its workspace and rate limit")
def me(principal: AnyKey, db: DB) -> JSONResponse:
    workspace = workspaces.get_workspace(db, principal.workspace_id)
    return JSONResponse(
        {
            "workspace": workspace_out(workspace),
            "key": {
                "id": principal.key_id,
                "name": principal.key_name,
                "prefix": principal.key_prefix,
                "scopes": list(principal.scopes),
                "user": principal.user_id,
            },
            "actor": principal.actor,
            "rate_limit": workspace["settings"]["rate_limit"],
        },
        # The workspace's version: If-Match for PATCH /v1/workspace.
        headers={"ETag": f'"{workspace["version"]}"'},
    )


@router.patch("/workspace", response_model=WorkspaceRead, summary="Change the workspace's name, currency or settings")
def update_workspace(body: WorkspaceUpdate, principal: Admin, db: DB, version: IfMatch) -> JSONResponse:
    changes = body.model_dump(exclude_unset=True)
    row = workspaces.update_workspace(db, principal.workspace_id, changes, if_match=version)
    return resource(workspace_out(row), version=row["version"])
