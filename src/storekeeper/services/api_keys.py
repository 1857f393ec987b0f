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
import threading
import time
import weakref
from collections.abc import Callable
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
    """Revoking takes effect on this process's next request (its cached key is dropped) and on
    other processes' within `api_key_cache_seconds`. Revoking a revoked key changes nothing."""
    with db.write() as conn:
        result = conn.execute(
            update(api_keys)
            .where(api_keys.c.workspace_id == workspace_id, api_keys.c.id == key_id)
            .values(revoked_at=utcnow())
            .where(api_keys.c.revoked_at.is_(None))
        )
        if result.rowcount:
            journal.audit(conn, workspace_id, "api_key.revoked", "api_key", key_id, {"revoked_at": [None, utcnow()]})
            key_cache(db).forget(workspace_id, key_ids={key_id})
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


class KeyCache:
    """The keys a process read, by hash, trusted for `Database.key_cache_seconds`: a request with
    a key read less than that ago reads nothing (issue 23: the key's read was a transaction of its
    own on every request). Only active keys are kept; each use checks the key's own expiry. A
    revocation through this process (a key, a user's keys) drops its keys here at once; another
    process, or the CLI, is seen within the TTL. Unknown keys are never kept."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._keys: dict[str, tuple[float, Principal, datetime | None]] = {}
        self._lock = threading.Lock()

    def get(self, key_hash: str) -> Principal | None:
        found = self._keys.get(key_hash)
        if found is None or found[0] <= self._clock():
            return None
        _, principal, expires_at = found
        return None if expires_at is not None and expires_at <= utcnow() else principal

    def keep(self, key_hash: str, principal: Principal, expires_at: datetime | None, ttl: float) -> None:
        with self._lock:
            if len(self._keys) > 10_000:  # keys of a process are few; never an unbounded dict
                self._keys.clear()
            self._keys[key_hash] = (self._clock() + ttl, principal, expires_at)

    def forget(self, workspace_id: str, key_ids: set[str] | None = None, user_id: str | None = None) -> None:
        """Drop the workspace's keys with these ids, or of this user."""
        with self._lock:
            for key_hash, (_, principal, _) in list(self._keys.items()):
                if principal.workspace_id == workspace_id and (
                        (key_ids is not None and principal.key_id in key_ids)
                        or (user_id is not None and principal.user_id == user_id)):
                    del self._keys[key_hash]


_CACHES: weakref.WeakKeyDictionary[Database, KeyCache] = weakref.WeakKeyDictionary()


def key_cache(db: Database) -> KeyCache:
    cache = _CACHES.get(db)
    if cache is None:
        cache = _CACHES.setdefault(db, KeyCache())
    return cache


def authenticate(db: Database, key: str) -> Principal:
    workspace_id = _workspace_of(key)
    if workspace_id is None:
        raise InvalidApiKey("The API key is not valid.")
    key_hash = hash_key(key)
    cache = key_cache(db) if db.key_cache_seconds else None
    if cache is not None and (known := cache.get(key_hash)) is not None:
        return known
    with db.read() as conn:
        row = conn.execute(_BY_HASH, {"ws": workspace_id, "hash": key_hash}).mappings().first()
    if row is None or key_status(row) != "active":
        raise InvalidApiKey("The API key is unknown, revoked or expired.")
    principal = _principal(row)
    if cache is not None:
        cache.keep(key_hash, principal, row["expires_at"], db.key_cache_seconds)
    return principal


def _principal(row) -> Principal:
    return Principal(
        workspace_id=row["workspace_id"],
        key_id=row["id"],
        key_name=row["name"],
        key_prefix=row["prefix"],
        scopes=tuple(row["scopes"]),
        user_id=row["user_id"],
        user_email=row["user_email"],
    )
