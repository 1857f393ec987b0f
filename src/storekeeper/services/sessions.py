"""Users signing in to the dashboard: sessions, and what a role may do.

A session is a row of `sessions` and a cookie naming it, `{workspace}.{token}.{signed}`: a random
token (the row is keyed by its sha256, so the table's contents sign nobody in), then the token, a
CSRF token and a fingerprint of the password hash, signed (itsdangerous) with the workspace's
`session_secret`. Signing out deletes the row, so a copy of the cookie taken before is refused
after; a new password or deleting the user deletes the user's rows, and the fingerprint refuses
a session whatever changed the password. Each request reads the session, its user and the
workspace's key in one statement by primary key: a changed role applies at once.

Signing in is three steps: the `candidates` for an email (a read), the one whose password
`matching` finds (argon2, on the server's password threads: services/passwords.py), and
`start_session` (a write). The password threads never touch the database, so nothing they run
ever waits for a lock that a request holds while it waits for them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import and_, bindparam, delete, insert, select, update

from storekeeper.domain import scopes as scope_rules
from storekeeper.domain.clock import utcnow
from storekeeper.persistence.database import Database
from storekeeper.persistence.rows import fetch, update_versioned
from storekeeper.persistence.tables import sessions, users, workspaces
from storekeeper.services import journal
from storekeeper.services.common import purge_expired_rows
from storekeeper.services.passwords import DUMMY_HASH, hash_password, new_password, password_matches

# `new_password` stays importable from here, where the CLI and the users page have always found it.
__all__ = ["SESSION_SECONDS", "Candidate", "SignedIn", "candidates", "end_user_sessions", "matching", "new_password",
           "purge_expired", "session_user", "set_password", "sign_out", "start_session"]

SESSION_SECONDS = 14 * 24 * 3600
_SALT = "storekeeper.session"

# What each role may do, as API scopes (SPEC §2): the dashboard checks them as the API does.
ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    "admin": ("*",),
    "member": ("items:write", "stock:write", "orders:write", "production:write", "audit:read"),
    "viewer": ("items:read", "stock:read", "orders:read", "production:read", "audit:read"),
}

# The one read of every signed-in request, built once.
_SESSION = (
    select(workspaces.c.session_secret, users.c.id, users.c.email, users.c.name, users.c.role,
           users.c.password_hash)
    .select_from(sessions.join(users, and_(users.c.workspace_id == sessions.c.workspace_id,
                                           users.c.id == sessions.c.user_id))
                 .join(workspaces, workspaces.c.workspace_id == sessions.c.workspace_id))
    .where(sessions.c.workspace_id == bindparam("ws"), sessions.c.id == bindparam("sid"),
           sessions.c.expires_at > bindparam("now"), users.c.deleted_at.is_(None))
)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A user signed in to the dashboard: acts on the services as the API's principals do."""

    workspace_id: str
    user_id: str
    email: str
    name: str | None
    role: str
    csrf: str
    session_id: str  # the key of the session's row, which signing out deletes

    def allows(self, scope: str) -> bool:
        return scope_rules.allows(ROLE_SCOPES[self.role], scope)

    @property
    def actor(self) -> dict[str, str]:
        return {"type": "user", "id": self.user_id, "name": self.email}


def set_password(db: Database, workspace_id: str, user_ref: str, password: str,
                 hasher: Callable[[str], str] = hash_password) -> dict[str, Any]:
    """Set a user's password (by id or email); the user's sessions end. `hasher` is where the
    hash is made: a server passes its password threads' (PasswordWork.hash)."""
    from storekeeper.services.users import find_user

    hashed = hasher(password)
    with db.write() as conn:
        found = find_user(conn, workspace_id, user_ref)
        row = fetch(conn, users, workspace_id, found["id"] if found else user_ref, "user", for_update=True)
        updated = update_versioned(conn, users, row, {"password_hash": hashed})
        end_user_sessions(conn, workspace_id, row["id"])
        journal.record(conn, workspace_id, "user.password_changed", "user", row["id"], event=False)
        return updated


def end_user_sessions(conn, workspace_id: str, user_id: str) -> None:
    """Every session of the user ends, in the caller's transaction."""
    conn.execute(delete(sessions).where(sessions.c.workspace_id == workspace_id, sessions.c.user_id == user_id))


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _session_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _serializer(secret: str, server_secret: str | None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret + (server_secret or ""), salt=_SALT)


def _secret(conn, workspace_id: str) -> str:
    """The workspace's session key, made on first use (in the caller's write transaction)."""
    conn.execute(update(workspaces).where(workspaces.c.workspace_id == workspace_id,
                                          workspaces.c.session_secret.is_(None))
                 .values(session_secret=secrets.token_hex(32)))
    return conn.execute(select(workspaces.c.session_secret).where(
        workspaces.c.workspace_id == workspace_id)).scalar_one()


@dataclass(frozen=True, slots=True)
class Candidate:
    """A user who may sign in with the email given, and the hash to check the password against."""

    workspace_id: str
    user_id: str
    password_hash: str


def candidates(db: Database, email: str) -> list[Candidate]:
    """The users who may sign in with this email: one per workspace that has such a user."""
    with db.read() as conn:
        rows = conn.execute(select(users.c.workspace_id, users.c.id, users.c.password_hash).where(
            users.c.email == email.strip().lower(), users.c.deleted_at.is_(None),
            users.c.password_hash.is_not(None))).all()
    return [Candidate(*row) for row in rows]


def matching(found: list[Candidate], password: str) -> Candidate | None:
    """The candidate whose password this is, or None. A check takes a tenth of a second of a core:
    run this on a password thread (services/passwords.py). With no candidate it checks a dummy
    hash, so that the answer takes as long (no probing which emails exist by timing)."""
    if not found:
        password_matches(DUMMY_HASH, password)
        return None
    return next((candidate for candidate in found if password_matches(candidate.password_hash, password)), None)


def start_session(db: Database, user: Candidate, server_secret: str | None = None) -> str:
    """A new session of the user whose password matched: its row, and the cookie's value."""
    token, now = secrets.token_urlsafe(32), utcnow()
    with db.write() as conn:
        secret = _secret(conn, user.workspace_id)
        conn.execute(insert(sessions).values(workspace_id=user.workspace_id, id=_session_id(token),
                                             user_id=user.user_id, created_at=now,
                                             expires_at=now + timedelta(seconds=SESSION_SECONDS)))
    payload = {"ws": user.workspace_id, "sid": token, "pw": _fingerprint(user.password_hash),
               "csrf": secrets.token_urlsafe(24)}
    return f"{user.workspace_id}.{token}.{_serializer(secret, server_secret).dumps(payload)}"


def session_user(db: Database, cookie: str | None, server_secret: str | None = None) -> SignedIn | None:
    """The signed-in user a session cookie names, or None (no cookie, a bad or old signature, a
    session signed out or expired, a deleted user, a changed password)."""
    workspace_id, _, rest = (cookie or "").partition(".")
    token, _, signed = rest.partition(".")
    if not workspace_id or not token or not signed:
        return None
    session_id = _session_id(token)
    with db.read() as conn:
        row = conn.execute(_SESSION, {"ws": workspace_id, "sid": session_id, "now": utcnow()}).first()
    if row is None or not row.session_secret or row.password_hash is None:
        return None
    try:
        payload = _serializer(row.session_secret, server_secret).loads(signed, max_age=SESSION_SECONDS)
    except BadSignature:
        return None
    if (not isinstance(payload, dict) or payload.get("ws") != workspace_id or payload.get("sid") != token
            or not hmac.compare_digest(_fingerprint(row.password_hash), str(payload.get("pw")))):
        return None
    return SignedIn(workspace_id, row.id, row.email, row.name, row.role, str(payload["csrf"]), session_id)


def sign_out(db: Database, user: SignedIn) -> None:
    """End this session: its cookie, wherever it was copied, signs nobody in any more."""
    with db.write() as conn:
        conn.execute(delete(sessions).where(sessions.c.workspace_id == user.workspace_id,
                                            sessions.c.id == user.session_id))


def purge_expired(db: Database) -> int:
    """Delete sessions past their end. Expired rows sign nobody in already; this keeps the table
    to the live ones."""
    return purge_expired_rows(db, sessions)
