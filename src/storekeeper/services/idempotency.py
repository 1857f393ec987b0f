"""Idempotency-Key records (SPEC §2): the first response to a key is kept 24 hours per API key
and replayed for a repeat; a repeat with another request is refused; a repeat while the first
is still running is refused too. A key is claimed in its own small transaction before the work
starts; the response is stored by `complete()` inside the very transaction of the change, so a
change is never committed without its record, nor a record without its change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.exc import IntegrityError

from storekeeper.domain.clock import utcnow
from storekeeper.domain.errors import Code, Conflict, DomainRuleBroken, StorekeeperError
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import idempotency_keys
from storekeeper.services.common import purge_expired_rows

KEPT_FOR = timedelta(hours=24)
# A claim whose request died with its process (no response stored) is free again after this.
ABANDONED_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class Claim:
    workspace_id: str
    api_key_id: str
    key: str


@dataclass(frozen=True)
class StoredResponse:
    status: int
    headers: dict[str, str]
    body: str


def _in_use() -> Conflict:
    return Conflict("A request with this Idempotency-Key is still in progress; retry later.",
                    code=Code.IDEMPOTENCY_KEY_IN_USE)


def _where(claim: Claim):
    return ((idempotency_keys.c.workspace_id == claim.workspace_id)
            & (idempotency_keys.c.api_key_id == claim.api_key_id)
            & (idempotency_keys.c.key == claim.key))


def claim(db: Database, claim: Claim, fingerprint: str) -> StoredResponse | None:
    """Claim the key for this request (None), or return the response to replay. Raises
    IDEMPOTENCY_KEY_REUSED (422) for another request, IDEMPOTENCY_KEY_IN_USE (409) while the
    first is running."""
    now = utcnow()
    try:
        with db.write() as conn:
            row = conn.execute(select(idempotency_keys).where(_where(claim)).with_for_update()).mappings().first()
            if row is not None and row["expires_at"] <= now:
                conn.execute(delete(idempotency_keys).where(_where(claim)))
                row = None
            if row is None:
                conn.execute(idempotency_keys.insert().values(
                    workspace_id=claim.workspace_id, api_key_id=claim.api_key_id, key=claim.key,
                    fingerprint=fingerprint, status="in_flight", created_at=now, expires_at=now + KEPT_FOR))
                return None
            if row["fingerprint"] != fingerprint:
                raise DomainRuleBroken(
                    "This Idempotency-Key was used for another request; use a new key for a new request.",
                    code=Code.IDEMPOTENCY_KEY_REUSED)
            if row["status"] == "in_flight":
                if row["created_at"] > now - ABANDONED_AFTER:
                    raise _in_use()
                conn.execute(update(idempotency_keys).where(_where(claim)).values(created_at=now))
                return None
            return StoredResponse(row["response_status"], row["response_headers"] or {}, row["response_body"] or "")
    except IntegrityError:
        raise _in_use() from None  # another request inserted the same key a moment ago


def complete(conn: Connection, claim: Claim, status: int, headers: dict[str, str], body: str) -> None:
    """Store the response; call inside the transaction of the change it answers."""
    conn.execute(update(idempotency_keys).where(_where(claim)).values(
        status="done", response_status=status, response_headers=headers, response_body=body))


def complete_alone(db: Database, claim: Claim, status: int, headers: dict[str, str], body: str) -> None:
    """Store a refusal (4xx): nothing changed, so it needs no transaction of its own change."""
    with db.write() as conn:
        complete(conn, claim, status, headers, body)


def abandon(db: Database, claim: Claim) -> None:
    """Free the key after an unexpected failure, so that a retry runs the request again."""
    with db.write() as conn:
        conn.execute(delete(idempotency_keys).where(_where(claim), idempotency_keys.c.status == "in_flight"))


T = TypeVar("T")
Answer = tuple[int, dict[str, str], str]  # status, headers, body: what a repeat is answered


@dataclass(frozen=True)
class Once(Generic[T]):
    """What `once` did: ran the work (`value`), or found it done before (`replayed`)."""

    value: T | None = None
    replayed: StoredResponse | None = None


def once(db: Database, claim_: Claim, fingerprint: str, work: Callable[[], T], answer: Callable[[T], Answer],
         refusal: Callable[[StorekeeperError], Answer | None] | None = None) -> Once[T]:
    """Run `work()` once per claim: the one place that orchestrates an Idempotency-Key for the
    API, the /compat facades and the dashboard's forms. A repeat gets the stored answer back
    (`replayed`); the first run's work and its answer (`answer(value)`, stored for repeats) commit
    in one write transaction, which the services' own transactions join. A refusal the caller
    answers (`refusal(exc)`: an API's 4xx) is stored alone, so a repeat is refused alike; any
    other failure frees the claim, so that a retry (a corrected form) runs again."""
    stored = claim(db, claim_, fingerprint)
    if stored is not None:
        return Once(replayed=stored)
    try:
        with db.write(settle_inner=True) as conn:
            value = work()
            complete(conn, claim_, *answer(value))
        return Once(value=value)
    except StorekeeperError as exc:
        kept = refusal(exc) if refusal is not None else None
        if kept is not None:
            complete_alone(db, claim_, *kept)
        else:
            abandon(db, claim_)
        raise
    except BaseException:
        abandon(db, claim_)
        raise


def purge_expired(db: Database) -> int:
    """Delete records past their 24 hours."""
    return purge_expired_rows(db, idempotency_keys)

