"""API keys: created and shown once, stored only as a SHA-256 hash, revoked at once.

A key is `sk_` + 32 random base62 characters + the workspace's ULID. The workspace part lets
authentication find the key through the (workspace_id, key_hash) index, as every lookup in the
schema is led by workspace_id. The random part carries 190 bits, so a fast hash is enough: there
is nothing to brute-force that a slow hash would protect.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from storekeeper.domain import scopes as scope_rules
from storekeeper.domain.clock import to_utc, utcnow
from storekeeper.domain.errors import InvalidApiKey, NotFound, ValidationFailed
from storekeeper.domain.ids import is_ulid, new_id
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest, Sort, paginate
from storekeeper.persistence.tables import api_keys, users
from storekeeper.services import journal

_BASE62 = string.ascii_letters + string.digits
_SECRET_LEN = 32
_KEY_LEN = 3 + _SECRET_LEN + 26
PREFIX_LEN = 11  # "sk_" and 8 characters of the secret: enough to tell keys apart in a list


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key, its workspace, its scopes and the user it belongs to, if any."""

    workspace_id: str
    key_id: str
    key_name: str
    key_prefix: str
    scopes: tuple[str, ...]
    user_id: str | None = None
    user_email: str | None = None

    def allows(self, scope: str) -> bool:
        return scope_rules.allows(self.scopes, scope)

    @property
    def actor(self) -> dict[str, str]:
        if self.user_id is not None:
            return {"type": "user", "id": self.user_id, "name": self.user_email or self.user_id}
        return {"type": "api_key", "id": self.key_id, "name": self.key_name}


def generate_key(workspace_id: str) -> str:
    secret = "".join(secrets.choice(_BASE62) for _ in range(_SECRET_LEN))
    return f"sk_{secret}{workspace_id.removeprefix('ws_')}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _workspace_of(key: str) -> str | None:
    if len(key) != _KEY_LEN or not key.startswith("sk_"):
        return None
    tail = key[-26:]
    return f"ws_{tail}" if is_ulid(tail) else None


def _validated_scopes(values: list[str]) -> list[str]:
    try:
        return scope_rules.validate_scopes(values)
    except scope_rules.UnknownScope as exc:
        raise ValidationFailed({"scopes": [str(exc)]}) from None


def resolve_user_id(conn: Connection, workspace_id: str, ref: str) -> str:
    """A user by id or email."""
    cond = users.c.id == ref if ref.startswith("usr_") else users.c.email == ref.strip().lower()
    user_id = conn.execute(
        select(users.c.id).where(users.c.workspace_id == workspace_id, cond, users.c.deleted_at.is_(None))
    ).scalar()
    if user_id is None:
        raise NotFound("user", ref)
    return user_id


def insert_api_key(
    conn: Connection,
    workspace_id: str,
    name: str,
    scopes: list[str],
    *,
    expires_at: datetime | None = None,
    user_id: str | None = None,
) -> tuple[dict[str, Any], str]:
    key = generate_key(workspace_id)
    row = {
        "workspace_id": workspace_id,
        "id": new_id("api_key"),
        "name": name,
        "key_hash": hash_key(key),
        "prefix": key[:PREFIX_LEN],
        "scopes": _validated_scopes(scopes),
        "user_id": user_id,
        "expires_at": to_utc(expires_at) if expires_at else None,
        "revoked_at": None,
        "created_at": utcnow(),
    }
    conn.execute(api_keys.insert().values(row))
    journal.created(conn, "api_key", row)
    return row, key


def create_api_key(
    db: Database,
    workspace_id: str,
    name: str,
    scopes: list[str],
    *,
    expires_at: datetime | None = None,
    user: str | None = None,
) -> tuple[dict[str, Any], str]:
    """Returns the stored key and the secret key itself, which is never retrievable again."""
    if expires_at is not None and to_utc(expires_at) <= utcnow():
        raise ValidationFailed({"expires_at": ["Must be in the future."]})
    with db.write() as conn:
        user_id = resolve_user_id(conn, workspace_id, user) if user else None
        row, key = insert_api_key(conn, workspace_id, name, scopes, expires_at=expires_at, user_id=user_id)
    return row, key


def key_status(row: dict[str, Any], now: datetime | None = None) -> str:
    if row["revoked_at"] is not None:
        return "revoked"
    if row["expires_at"] is not None and row["expires_at"] <= (now or utcnow()):
        return "expired"
    return "active"


def list_api_keys(db: Database, workspace_id: str, page: PageRequest) -> Page:
    stmt = select(api_keys).where(api_keys.c.workspace_id == workspace_id)
    with db.read() as conn:
        return paginate(conn, stmt, Sort("created_at", api_keys.c.created_at, api_keys.c.id), page)


def get_api_key(db: Database, workspace_id: str, key_id: str) -> dict[str, Any]:
    with db.read() as conn:
        row = conn.execute(
            select(api_keys).where(api_keys.c.workspace_id == workspace_id, api_keys.c.id == key_id)
        ).mappings().first()
    if row is None:
        raise NotFound("api_key", key_id)
    return dict(row)


def revoke_api_key(db: Database, workspace_id: str, key_id: str) -> None:
    """Revoking takes effect on the next request: keys are checked against the database on
    every request. Revoking a revoked key changes nothing."""
    with db.write() as conn:
        result = conn.execute(
            update(api_keys)
            .where(api_keys.c.workspace_id == workspace_id, api_keys.c.id == key_id)
            .values(revoked_at=utcnow())
            .where(api_keys.c.revoked_at.is_(None))
        )
        if result.rowcount:
            journal.audit(conn, workspace_id, "api_key.revoked", "api_key", key_id, {"revoked_at": [None, utcnow()]})
        if result.rowcount == 0:
            exists = conn.execute(
                select(api_keys.c.id).where(api_keys.c.workspace_id == workspace_id, api_keys.c.id == key_id)
            ).first()
            if exists is None:
                raise NotFound("api_key", key_id)


# Every request runs it: built once.
_BY_HASH = (
    select(api_keys, users.c.email.label("user_email"))
    .outerjoin(users, (users.c.workspace_id == api_keys.c.workspace_id) & (users.c.id == api_keys.c.user_id))
    .where(api_keys.c.workspace_id == bindparam("ws"), api_keys.c.key_hash == bindparam("hash"))
)


def authenticate(db: Database, key: str) -> Principal:
    workspace_id = _workspace_of(key)
    if workspace_id is None:
        raise InvalidApiKey("The API key is not valid.")
    with db.read() as conn:
        row = conn.execute(_BY_HASH, {"ws": workspace_id, "hash": hash_key(key)}).mappings().first()
    if row is None or key_status(row) != "active":
        raise InvalidApiKey("The API key is unknown, revoked or expired.")
    return Principal(
        workspace_id=row["workspace_id"],
        key_id=row["id"],
        key_name=row["name"],
        key_prefix=row["prefix"],
        scopes=tuple(row["scopes"]),
        user_id=row["user_id"],
        user_email=row["user_email"],
    )
