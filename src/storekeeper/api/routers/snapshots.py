"""Snapshots (stock:read to read, stock:write to take one, admin to restore)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import Response

from storekeeper.api.deps import DB, Admin, Paging, StockRead, StockWrite
from storekeeper.api.responses import JSONResponse, csv_export, page, wants_csv
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.common import Page
from storekeeper.api.schemas.snapshots import (
    RestoreRead,
    SnapshotCreate,
    SnapshotDiff,
    SnapshotRead,
    SnapshotWithLevels,
    level_out,
    snapshot_out,
)
from storekeeper.api.schemas.stock import movement_out
from storekeeper.services import snapshots
from storekeeper.services.exports import export_snapshot_levels

router = APIRouter(prefix="/snapshots", tags=["snapshots"], route_class=StorekeeperRoute)


@router.post("", status_code=201, response_model=SnapshotRead, summary="Capture every stock level now")
def create_snapshot(principal: StockWrite, db: DB, body: SnapshotCreate | None = None) -> JSONResponse:
    row = snapshots.create_snapshot(db, principal, body.note if body else None)
    return JSONResponse(snapshot_out(row), status_code=201)


@router.get("", response_model=Page[SnapshotRead], summary="List snapshots, newest first")
def list_snapshots(principal: StockRead, db: DB, paging: Paging) -> JSONResponse:
    return page(snapshots.list_snapshots(db, principal.workspace_id, paging), snapshot_out)


@router.get("/{snapshot_id}", response_model=SnapshotWithLevels,
            summary="One snapshot with its levels (JSON, or CSV with Accept: text/csv)",
            responses={200: {"content": {"text/csv": {}}}})
def get_snapshot(snapshot_id: str, principal: StockRead, db: DB,
                 accept: Annotated[str | None, Header()] = None) -> Response:
    row = snapshots.get_snapshot(db, principal.workspace_id, snapshot_id)
    if wants_csv(accept):
        return csv_export(export_snapshot_levels(row["levels"]), f"{snapshot_id}.csv")
    return JSONResponse({**snapshot_out(row), "levels": [level_out(level) for level in row["levels"]]})


@router.get("/{snapshot_id}/diff", response_model=SnapshotDiff,
            summary="The levels whose on-hand differs now from the snapshot")
def diff_snapshot(snapshot_id: str, principal: StockRead, db: DB) -> JSONResponse:
    result = snapshots.diff_snapshot(db, principal.workspace_id, snapshot_id)
    return JSONResponse({"snapshot": snapshot_out(result["snapshot"]), "levels": result["levels"]})


@router.post("/{snapshot_id}/restore", response_model=RestoreRead,
             summary="Set stock back to the snapshot with snapshot_restore count movements (admin)")
def restore_snapshot(snapshot_id: str, principal: Admin, db: DB) -> JSONResponse:
    row = snapshots.restore_snapshot(db, principal, snapshot_id)
    return JSONResponse({"snapshot": snapshot_out(row), "movements": [movement_out(m) for m in row["movements"]],
                         "skipped": row["skipped"]})
