"""Workspaces: the tenant every other row belongs to."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text, update

from storekeeper.domain.clock import utcnow
from storekeeper.domain.errors import NotFound, PreconditionFailed, ValidationFailed, WorkspaceExists
from storekeeper.domain.ids import new_id
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import workspaces
from storekeeper.services import journal
from storekeeper.services.locations import DEFAULT_NAME, insert_default_location

DEFAULT_SETTINGS: dict[str, Any] = {
    "allow_negative_stock": False,
    "trash_retention_days": 30,
    "auto_snapshot": "off",
    "event_retention_days": 30,
    "decimal_mark": "auto",  # the dashboard's: "," or ".", or "auto" for its currency's custom
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


def _insert_new(conn, name: str, currency: str, location: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    from storekeeper.services.api_keys import insert_api_key

    workspace = insert_workspace(conn, name, currency)
    place = insert_default_location(conn, workspace["workspace_id"], location)
    _row, key = insert_api_key(conn, workspace["workspace_id"], "admin", ["*"])
    return workspace, place, key


def create_workspace(db: Database, name: str, currency: str = "USD",
                     location: str = DEFAULT_NAME) -> tuple[dict[str, Any], str]:
    """A new workspace with its default location (SPEC §6: stock can be recorded at once) and its
    first admin key (all scopes). Returns the workspace and the key."""
    with db.write() as conn:
        workspace, _place, key = _insert_new(conn, name, currency, location)
    return workspace, key


FIRST_NAME = "Default"  # the workspace `storekeeper init` makes when it is given no name


@dataclass(frozen=True)
class Provisioned:
    workspace: dict[str, Any]
    location: dict[str, Any]
    api_key: str
    admin: dict[str, Any]
    password: str


def _check_names(name: str | None, currency: str, location: str) -> None:
    problems = {}
    if name is not None and not 0 < len(name) <= 200:
        problems["workspace"] = ["A workspace name has 1 to 200 characters."]
    if not re.fullmatch("[A-Z]{3}", currency):
        problems["currency"] = ["A currency is an ISO 4217 code of three letters, such as EUR."]
    if not 0 < len(location) <= 200:
        problems["location"] = ["A location name has 1 to 200 characters."]
    if problems:
        raise ValidationFailed(problems)


def provision(db: Database, name: str | None, currency: str, admin_email: str,
              location: str = DEFAULT_NAME) -> Provisioned:
    """`storekeeper init`: a workspace, its default location, an admin key and a dashboard admin
    with a new password, all in one transaction. Without a name, only on a database with no
    workspace yet; with a name, unless a workspace already has it. Anything else raises
    WORKSPACE_EXISTS: a script that runs init twice must not get a second workspace and admin,
    and the key and password of the first were shown once and cannot be shown again."""
    from storekeeper.services import sessions, users

    name, currency, location = (name.strip() if name is not None else None), currency.upper(), location.strip()
    _check_names(name, currency, location)
    password = sessions.new_password()
    with db.write() as conn:
        if db.dialect == "postgresql":
            # Two inits at once (replicas starting together) would both see no workspace; SQLite's
            # BEGIN IMMEDIATE already serializes them.
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('storekeeper init'))"))
        existing = [dict(r) for r in conn.execute(
            select(workspaces.c.workspace_id, workspaces.c.name).order_by(workspaces.c.created_at)).mappings()]
        if existing and (name is None or any(w["name"] == name for w in existing)):
            raise WorkspaceExists(name, existing)
        workspace, place, key = _insert_new(conn, name or FIRST_NAME, currency, location)
        admin = users.create_user(db, workspace["workspace_id"], admin_email, "Admin", "admin", password=password)
    return Provisioned(workspace, place, key, admin, password)
