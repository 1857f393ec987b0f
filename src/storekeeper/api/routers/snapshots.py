"""Snapshots (stock:read to read, stock:write to take one, admin to restore)."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import Response
from pydantic import Field

from storekeeper.api.deps import DB, Admin, Paging, StockRead, StockWrite
from storekeeper.api.responses import JSONResponse, page
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.common import Page, Quantity, ReadModel, Timestamp, WriteModel
from storekeeper.api.schemas.stock import MovementRead, movement_out
from storekeeper.domain.quantities import format_quantity
from storekeeper.services import snapshots

router = APIRouter(prefix="/snapshots", tags=["snapshots"], route_class=StorekeeperRoute)


class SnapshotCreate(WriteModel):
    note: str | None = Field(None, max_length=2000)


class SnapshotRead(ReadModel):
    id: str
    note: str | None
    automatic: bool
    sequence: int = Field(description="The last movement the snapshot includes")
    level_count: int
    created_by: str
    restored_at: Timestamp | None
    created_at: Timestamp


class SnapshotLevelRead(ReadModel):
    item: str
    sku: str
    location: str
    location_name: str
    on_hand: Quantity
    reserved: Quantity


class SnapshotWithLevels(SnapshotRead):
    levels: list[SnapshotLevelRead]


class DiffLevelRead(ReadModel):
    item: str
    sku: str | None
    location: str
    location_name: str | None
    snapshot_on_hand: Quantity
    current_on_hand: Quantity
    difference: Quantity = Field(description="current minus snapshot")


class SnapshotDiff(ReadModel):
    snapshot: SnapshotRead
    levels: list[DiffLevelRead]


class SkippedLevel(ReadModel):
    item: str
    location: str
    reason: str


class RestoreRead(ReadModel):
    snapshot: SnapshotRead
    movements: list[MovementRead]
    skipped: list[SkippedLevel]


def snapshot_out(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "note": row["note"], "automatic": row["automatic"], "sequence": row["sequence"],
            "level_count": row["level_count"], "created_by": row["actor_name"], "restored_at": row["restored_at"],
            "created_at": row["created_at"]}


def _level_out(level: dict[str, Any]) -> dict[str, Any]:
    return {"item": level["item_id"], "sku": level["sku"], "location": level["location_id"],
            "location_name": level["location_name"], "on_hand": level["on_hand"], "reserved": level["reserved"]}


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
    if accept and "text/csv" in accept and "application/json" not in accept:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["item", "sku", "location", "location_name", "on_hand", "reserved"])
        for level in row["levels"]:
            writer.writerow([level["item_id"], level["sku"], level["location_id"], level["location_name"],
                             format_quantity(level["on_hand"]), format_quantity(level["reserved"])])
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{snapshot_id}.csv"'})
    return JSONResponse({**snapshot_out(row), "levels": [_level_out(level) for level in row["levels"]]})


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
