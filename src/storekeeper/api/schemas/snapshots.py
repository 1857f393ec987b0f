"""Snapshots as the API shows them: the snapshot, its levels (JSON or CSV), a diff, a restore."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from storekeeper.api.schemas.common import Quantity, ReadModel, Timestamp, WriteModel
from storekeeper.api.schemas.stock import MovementRead


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


def level_out(level: dict[str, Any]) -> dict[str, Any]:
    return {"item": level["item_id"], "sku": level["sku"], "location": level["location_id"],
            "location_name": level["location_name"], "on_hand": level["on_hand"], "reserved": level["reserved"]}

