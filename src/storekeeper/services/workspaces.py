"""Workspaces: the tenant every other row belongs to."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select, update

from storekeeper.domain.clock import utcnow
from storekeeper.domain.errors import NotFound, PreconditionFailed
from storekeeper.domain.ids import new_id
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import workspaces
from storekeeper.services import journal

DEFAULT_SETTINGS: dict[str, Any] = {
    "allow_negative_stock": False,
    "trash_retention_days": 30,
    "auto_snapshot": "off",
    "event_retention_days": 30,
    "rate_limit": {"per_second": 20, "burst": 40, "per_minute": None, "per_day": None},
}


def with_defaults(settings: dict[str, Any] | None) -> dict[str, Any]:
    merged = copy.deepcopy(DEFAULT_SETTINGS)
    for key, value in (settings or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key].update(value)
        else:
            merged[key] = value
    return merged


def insert_workspace(conn, name: str, currency: str = "USD") -> dict[str, Any]:
    now = utcnow()
    row = {
        "workspace_id": new_id("workspace"),
        "name": name,
        "currency": currency,
        "settings": with_defaults(None),
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    conn.execute(workspaces.insert().values(row))
    return row


def get_workspace(db: Database, workspace_id: str) -> dict[str, Any]:
    with db.read() as conn:
        row = conn.execute(select(workspaces).where(workspaces.c.workspace_id == workspace_id)).mappings().first()
    if row is None:
        raise NotFound("workspace", workspace_id)
    return {**row, "settings": with_defaults(row["settings"])}


def list_workspaces(db: Database) -> list[dict[str, Any]]:
    with db.read() as conn:
        return [dict(r) for r in conn.execute(select(workspaces).order_by(workspaces.c.created_at)).mappings()]


def workspace_ids(db: Database) -> list[str]:
    """Every workspace, for background work that goes through them one by one."""
    with db.read() as conn:
        return list(conn.execute(select(workspaces.c.workspace_id).order_by(workspaces.c.workspace_id)).scalars())


def update_workspace(
    db: Database, workspace_id: str, changes: dict[str, Any], if_match: int | None = None
) -> dict[str, Any]:
    """Change name, currency and settings; `settings` is merged key by key."""
    with db.write() as conn:
        row = conn.execute(
            select(workspaces).where(workspaces.c.workspace_id == workspace_id).with_for_update(key_share=True)
        ).mappings().one()
        if if_match is not None and if_match != row["version"]:
            raise PreconditionFailed(row["version"])
        values: dict[str, Any] = {}
        if "name" in changes:
            values["name"] = changes["name"]
        if "currency" in changes:
            values["currency"] = changes["currency"]
        if "settings" in changes:
            values["settings"] = with_defaults({**with_defaults(row["settings"]), **changes["settings"]})
            if "rate_limit" in changes["settings"]:
                values["settings"]["rate_limit"] = {
                    **with_defaults(row["settings"])["rate_limit"],
                    **changes["settings"]["rate_limit"],
                }
        if values:
            values["version"] = row["version"] + 1
            values["updated_at"] = utcnow()
            conn.execute(update(workspaces).where(workspaces.c.workspace_id == workspace_id).values(values))
            changed = journal.changes_between(dict(row), {**row, **values})
            if changed:
                journal.record(conn, workspace_id, "workspace.updated", "workspace", workspace_id, changes=changed,
                               event=False)
        result = {**row, **values}
    return {**result, "settings": with_defaults(result["settings"])}


def create_workspace(db: Database, name: str, currency: str = "USD") -> tuple[dict[str, Any], str]:
    """A new workspace and its first admin key (all scopes). Returns the workspace and the key."""
    from storekeeper.services.api_keys import insert_api_key

    with db.write() as conn:
        workspace = insert_workspace(conn, name, currency)
        _row, key = insert_api_key(conn, workspace["workspace_id"], "admin", ["*"])
    return workspace, key
