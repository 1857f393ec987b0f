"""Users signing in to the dashboard: passwords, sessions, and what a role may do.

Passwords are stored as argon2 hashes (argon2-cffi's defaults: argon2id). A session is a cookie
signed (itsdangerous) with its workspace's `session_secret`, holding the user's id, a CSRF token
and a fingerprint of the password hash, so that changing a password ends the user's other
sessions and deleting the user ends all of them. Each request reads the user again: a changed
role applies at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update

from storekeeper.domain import scopes as scope_rules
from storekeeper.domain.errors import ValidationFailed
from storekeeper.persistence.database import Database
from storekeeper.persistence.rows import fetch, update_versioned
from storekeeper.persistence.tables import users, workspaces
from storekeeper.services import journal

_HASHER = PasswordHasher()
# A hash to check a password against when no user has the email given, so that the answer takes
# as long either way (no probing which emails exist by timing).
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))
MIN_PASSWORD = 10
SESSION_SECONDS = 14 * 24 * 3600
_SALT = "storekeeper.session"

# What each role may do, as API scopes (SPEC §2): the dashboard checks them as the API does.
ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    "admin": ("*",),
    "member": ("items:write", "stock:write", "orders:write", "production:write", "audit:read"),
    "viewer": ("items:read", "stock:read", "orders:read", "production:read", "audit:read"),
}


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A user signed in to the dashboard: acts on the services as the API's principals do."""

    workspace_id: str
    user_id: str
    email: str
    name: str | None
    role: str
    csrf: str

    def allows(self, scope: str) -> bool:
        return scope_rules.allows(ROLE_SCOPES[self.role], scope)

    @property
    def actor(self) -> dict[str, str]:
        return {"type": "user", "id": self.user_id, "name": self.email}


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed({"password": [f"At least {MIN_PASSWORD} characters."]})
    return _HASHER.hash(password)


def new_password() -> str:
    """A password to print once (`storekeeper init`, `users password`): 16 url-safe characters."""
    return secrets.token_urlsafe(12)


def set_password(db: Database, workspace_id: str, user_ref: str, password: str) -> dict[str, Any]:
    """Set a user's password (by id or email); the user's sessions end."""
    from storekeeper.services.users import find_user

    hashed = hash_password(password)
    with db.write() as conn:
        found = find_user(conn, workspace_id, user_ref)
        row = fetch(conn, users, workspace_id, found["id"] if found else user_ref, "user", for_update=True)
        updated = update_versioned(conn, users, row, {"password_hash": hashed})
        journal.record(conn, workspace_id, "user.password_changed", "user", row["id"], event=False)
        return updated


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _secret(db: Database, workspace_id: str) -> str:
    with db.read() as conn:
        secret = conn.execute(select(workspaces.c.session_secret).where(
            workspaces.c.workspace_id == workspace_id)).scalar()
    if secret:
        return secret
    with db.write() as conn:
        conn.execute(update(workspaces).where(workspaces.c.workspace_id == workspace_id,
                                              workspaces.c.session_secret.is_(None))
                     .values(session_secret=secrets.token_hex(32)))
        return conn.execute(select(workspaces.c.session_secret).where(
            workspaces.c.workspace_id == workspace_id)).scalar_one()


def _serializer(secret: str, server_secret: str | None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret + (server_secret or ""), salt=_SALT)


def sign_in(db: Database, email: str, password: str, server_secret: str | None = None) -> str | None:
    """A session cookie's value for the user with this email and password, or None. An email
    may belong to users of several workspaces: the one whose password matches signs in."""
    email = email.strip().lower()
    with db.read() as conn:
        candidates = conn.execute(select(users.c.workspace_id, users.c.id, users.c.password_hash).where(
            users.c.email == email, users.c.deleted_at.is_(None), users.c.password_hash.is_not(None))).all()
    for workspace_id, user_id, password_hash in candidates or [(None, None, _DUMMY_HASH)]:
        try:
            _HASHER.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            continue
        if workspace_id is None:
            return None
        payload = {"ws": workspace_id, "uid": user_id, "pw": _fingerprint(password_hash),
                   "csrf": secrets.token_urlsafe(24)}
        return f"{workspace_id}.{_serializer(_secret(db, workspace_id), server_secret).dumps(payload)}"
    return None


def session_user(db: Database, cookie: str | None, server_secret: str | None = None) -> SignedIn | None:
    """The signed-in user a session cookie names, or None (no cookie, a bad or old signature, a
    deleted user, a changed password)."""
    if not cookie or "." not in cookie:
        return None
    workspace_id, _, signed = cookie.partition(".")
    with db.read() as conn:
        secret = conn.execute(select(workspaces.c.session_secret).where(
            workspaces.c.workspace_id == workspace_id)).scalar()
        if not secret:
            return None
        try:
            payload = _serializer(secret, server_secret).loads(signed, max_age=SESSION_SECONDS)
        except BadSignature:
            return None
        if not isinstance(payload, dict) or payload.get("ws") != workspace_id:
            return None
        row = conn.execute(select(users.c.id, users.c.email, users.c.name, users.c.role, users.c.password_hash).where(
            users.c.workspace_id == workspace_id, users.c.id == payload.get("uid"),
            users.c.deleted_at.is_(None))).first()
    if row is None or row.password_hash is None or not hmac.compare_digest(
            _fingerprint(row.password_hash), str(payload.get("pw"))):
        return None
    return SignedIn(workspace_id, row.id, row.email, row.name, row.role, str(payload["csrf"]))
