"""The audit log and the snapshots of the Inventory Manager API (seed 003), over Storekeeper's."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query

from storekeeper.api.deps import DB
from storekeeper.api.schemas.common import TimestampIn
from storekeeper.compat.facade import json_response
from storekeeper.compat.modulus import mapping
from storekeeper.compat.modulus.common import AuditRead, Paging, SnapshotsRead, router
from storekeeper.compat.modulus.schemas import AuditList, SnapshotList
from storekeeper.services import feed, snapshots
from storekeeper.services.feed import AuditFilters

history_router = router("audit-log")
snapshots_router = router("snapshots")
Action = Literal["create", "update", "delete", "restore"]


@history_router.get("/audit-log", response_model=AuditList, summary="Audit Log")
def audit_log(
    principal: AuditRead,
    db: DB,
    page: Paging,
    action: Annotated[Action | None, Query(description="Filter by action type: create, update, delete, restore")]
    = None,
    item_id: Annotated[str | None, Query(max_length=200, description="Filter by specific item: its own entries "
                                                                     "and its stock movements'")] = None,
    user_id: Annotated[str | None, Query(max_length=200, description="Filter by user who performed action (a "
                                                                     "user's or an API key's id)")] = None,
    since: Annotated[TimestampIn | None, Query(description="Return entries after this timestamp (ISO 8601)")] = None,
):
    """Retrieve audit log entries showing all changes to your inventory, newest first."""
    filters = AuditFilters(action=mapping.AUDIT_FILTERS[action] if action else None, item=item_id, actor=user_id,
                           since=since)
    result = feed.list_audit(db, principal.workspace_id, filters, page)
    return json_response(200, {"data": [mapping.audit_entry(row) for row in result.rows],
                               "pagination": mapping.pagination(result, page.offset or 0)})


@snapshots_router.get("/snapshots", response_model=SnapshotList, summary="Snapshots")
def list_snapshots(principal: SnapshotsRead, db: DB, page: Paging):
    """List all inventory snapshots (point-in-time copies of every stock level), newest first."""
    result = snapshots.list_snapshots(db, principal.workspace_id, page)
    return json_response(200, {"data": [mapping.snapshot(row) for row in result.rows],
                               "pagination": mapping.pagination(result, page.offset or 0)})
