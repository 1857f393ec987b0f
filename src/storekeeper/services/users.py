"""Users of a workspace. A key may belong to a user; the ledger then names the user's email."""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update

from storekeeper.domain.clock import utcnow
from storekeeper.domain.errors import Code, Conflict, ValidationFailed
from storekeeper.domain.ids import new_id
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest, Sort, paginate
from storekeeper.persistence.rows import check_version, fetch, update_versioned
from storekeeper.persistence.tables import api_keys, users
from storekeeper.services import journal
from storekeeper.services.api_keys import key_cache
from storekeeper.services.common import translate_integrity
from storekeeper.services.passwords import hash_password
from storekeeper.services.sessions import end_user_sessions

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Role(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


def _email(value: str) -> str:
    email = value.strip().lower()
    if not _EMAIL_RE.match(email) or len(email) > 320:
        raise ValidationFailed({"email": ["Not a valid email address."]})
    return email


def _duplicate_email():
    return Conflict("A user with this email already exists.", code=Code.DUPLICATE_EMAIL)


def _live(workspace_id: str):
    return (users.c.workspace_id == workspace_id) & users.c.deleted_at.is_(None)


def _lock_admins(conn, workspace_id: str) -> list[str]:
    """The ids of the workspace's live admins, locked in id order until the transaction ends (on
    PostgreSQL; SQLite's write transaction holds the whole database already). Taken before the
    changed user's own row, in one order, so that two admins demoting each other at once neither
    deadlock nor both pass: the second waits, then no longer sees the first as an admin."""
    stmt = select(users.c.id).where(_live(workspace_id), users.c.role == Role.ADMIN.value)
    return list(conn.execute(stmt.order_by(users.c.id).with_for_update()).scalars())


def _keep_an_admin(admins: list[str], row: dict[str, Any]) -> None:
    """Refuse to demote or delete the workspace's last live admin: nobody could manage it then."""
    if row["id"] in admins and len(admins) == 1:
        raise Conflict(f"{row['email']} is the workspace's last admin: make another user an admin first.")


def create_user(db: Database, workspace_id: str, email: str, name: str | None, role: str,
                password: str | None = None, hasher: Callable[[str], str] = hash_password) -> dict[str, Any]:
    """A user of the workspace; with a password, one who can sign in to the dashboard. `hasher`
    makes the password's hash: a server passes its password threads' (services/passwords.py)."""
    now = utcnow()
    row = {
        "workspace_id": workspace_id,
        "id": new_id("user"),
        "email": _email(email),
        "name": name,
        "role": Role(role).value,
        "password_hash": hasher(password) if password is not None else None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
    }
    with db.write() as conn, translate_integrity({"uq_users_email": _duplicate_email, "users.email": _duplicate_email}):
        taken = conn.execute(select(users.c.id).where(_live(workspace_id), users.c.email == row["email"])).first()
        if taken:
            raise _duplicate_email()
        conn.execute(users.insert().values(row))
        journal.created(conn, "user", row)
    return row


def list_users(db: Database, workspace_id: str, page: PageRequest, role: str | None = None) -> Page:
    stmt = select(users).where(_live(workspace_id))
    if role:
        stmt = stmt.where(users.c.role == role)
    with db.read() as conn:
        return paginate(conn, stmt, Sort("created_at", users.c.created_at, users.c.id), page)


def get_user(db: Database, workspace_id: str, user_id: str) -> dict[str, Any]:
    with db.read() as conn:
        return fetch(conn, users, workspace_id, user_id, "user")


def update_user(
    db: Database, workspace_id: str, user_id: str, changes: dict[str, Any], if_match: int | None = None,
    hasher: Callable[[str], str] = hash_password,
) -> dict[str, Any]:
    """Change email, name, role or password (which ends the user's dashboard sessions). The
    workspace's last admin keeps the role (INVALID_STATE)."""
    values = dict(changes)
    if "password" in values:
        values["password_hash"] = hasher(values.pop("password"))
    if "email" in values:
        values["email"] = _email(values["email"])
    if "role" in values:
        values["role"] = Role(values["role"]).value
    demoting = values.get("role", Role.ADMIN.value) != Role.ADMIN.value
    with db.write() as conn, translate_integrity({"uq_users_email": _duplicate_email, "users.email": _duplicate_email}):
        admins = _lock_admins(conn, workspace_id) if demoting else []
        row = fetch(conn, users, workspace_id, user_id, "user", for_update=True)
        check_version(row, if_match)
        if demoting:
            _keep_an_admin(admins, row)
        if values.get("email", row["email"]) != row["email"]:
            taken = conn.execute(
                select(users.c.id).where(_live(workspace_id), users.c.email == values["email"], users.c.id != user_id)
            ).first()
            if taken:
                raise _duplicate_email()
        updated = update_versioned(conn, users, row, values)
        if "password_hash" in values:
            end_user_sessions(conn, workspace_id, user_id)
        if updated["email"] != row["email"]:  # the user's keys act under the new email from now on
            key_cache(db).forget(workspace_id, user_id=user_id)
        journal.updated(conn, "user", row, updated)
        return updated


def delete_user(db: Database, workspace_id: str, user_id: str, if_match: int | None = None) -> None:
    """Soft delete (the ledger keeps naming the user), revoke every key of the user and end the
    user's dashboard sessions. The workspace's last admin is not deleted (INVALID_STATE)."""
    now = utcnow()
    with db.write() as conn:
        admins = _lock_admins(conn, workspace_id)
        row = fetch(conn, users, workspace_id, user_id, "user", for_update=True)
        check_version(row, if_match)
        _keep_an_admin(admins, row)
        journal.deleted(conn, "user", row)
        conn.execute(
            update(users).where(users.c.workspace_id == workspace_id, users.c.id == user_id).values(deleted_at=now)
        )
        conn.execute(
            update(api_keys)
            .where(
                api_keys.c.workspace_id == workspace_id, api_keys.c.user_id == user_id, api_keys.c.revoked_at.is_(None)
            )
            .values(revoked_at=now)
        )
        end_user_sessions(conn, workspace_id, user_id)
        key_cache(db).forget(workspace_id, user_id=user_id)


def find_user(conn, workspace_id: str, ref: str) -> dict[str, Any] | None:
    """A live user by id or email (any case); None if there is none."""
    named = (users.c.id == ref) | (users.c.email == ref.strip().lower())
    rows = conn.execute(select(users).where(_live(workspace_id), named)).mappings().all()
    return dict(next((r for r in rows if r["id"] == ref), rows[0])) if rows else None
