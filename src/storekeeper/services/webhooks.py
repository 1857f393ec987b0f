"""Webhooks: endpoints told of every event they subscribe to, at least once and in order.

The change feed is the outbox (services/journal.py writes events with the change). Each
endpoint keeps a cursor in it (`delivered_sequence`); the delivery worker (services/delivery.py)
posts the endpoint's next events one after another and moves the cursor past each one it
delivered, so an endpoint sees its events in feed order. A failed delivery is retried with
exponential backoff and holds back the endpoint's later events; after 24 hours of failing the
endpoint is disabled. A new endpoint starts at the end of the feed: it is told of what happens
from now on.

Every request is signed: `Storekeeper-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret,
"<t>.<body>")>`. The secret is shown once, when the endpoint is created.

URLs must point at public addresses unless `allow_private` (the server's
STOREKEEPER_WEBHOOK_ALLOW_PRIVATE): domain/webhook_targets.py has the rule, checked here when a URL
is set and again by the delivery, against what the URL's host resolves to then.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import Connection, func, select

from storekeeper.domain.clock import utcnow
from storekeeper.domain.errors import ValidationFailed
from storekeeper.domain.ids import new_id
from storekeeper.domain.webhook_targets import check_url
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest, Sort, paginate
from storekeeper.persistence.rows import check_version, fetch, update_versioned
from storekeeper.persistence.tables import events, webhook_deliveries, webhooks
from storekeeper.services import journal
from storekeeper.services.feed import check_patterns

MAX_WEBHOOKS = 50


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `Storekeeper-Signature` header's value for a body sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _check(values: dict[str, Any], allow_private: bool) -> None:
    if "url" in values:
        check_url(values["url"], allow_private=allow_private)
    if "events" in values:
        check_patterns(values["events"])


def create_webhook(db: Database, principal, data: dict[str, Any], *, allow_private: bool = False) -> dict[str, Any]:
    """A new endpoint, starting at the end of the feed; the answer holds its secret (only now)."""
    _check(data, allow_private)
    workspace_id = principal.workspace_id
    now = utcnow()
    with db.write() as conn:
        count = conn.execute(select(func.count()).select_from(webhooks).where(
            webhooks.c.workspace_id == workspace_id, webhooks.c.deleted_at.is_(None))).scalar_one()
        if count >= MAX_WEBHOOKS:
            raise ValidationFailed({"url": [f"At most {MAX_WEBHOOKS} webhooks per workspace."]})
        last = conn.execute(select(func.coalesce(func.max(events.c.sequence), 0))
                            .where(events.c.workspace_id == workspace_id)).scalar_one()
        row = {"workspace_id": workspace_id, "id": new_id("webhook"), "url": data["url"],
               "events": list(data.get("events") or []), "secret": f"whsec_{secrets.token_urlsafe(32)}",
               "description": data.get("description"), "is_active": data.get("is_active", True),
               "disabled_reason": None, "delivered_sequence": last, "failing_since": None, "attempts": 0,
               "next_attempt_at": None, "leased_until": None, "version": 1, "created_at": now, "updated_at": now,
               "deleted_at": None}
        conn.execute(webhooks.insert().values(row))
        journal.created(conn, "webhook", row)
        return row


def list_webhooks(db: Database, workspace_id: str, page: PageRequest) -> Page:
    stmt = select(webhooks).where(webhooks.c.workspace_id == workspace_id, webhooks.c.deleted_at.is_(None))
    with db.read() as conn:
        return paginate(conn, stmt, Sort("created_at", webhooks.c.created_at, webhooks.c.id), page)


def get_webhook(db: Database, workspace_id: str, webhook_id: str) -> dict[str, Any]:
    with db.read() as conn:
        return fetch(conn, webhooks, workspace_id, webhook_id, "webhook")


def update_webhook(db: Database, principal, webhook_id: str, changes: dict[str, Any],
                   if_match: int | None = None, *, allow_private: bool = False) -> dict[str, Any]:
    """Change url, events, description or is_active. Turning a disabled endpoint on again
    retries its held-back event at once."""
    _check(changes, allow_private)
    with db.write() as conn:
        row = fetch(conn, webhooks, principal.workspace_id, webhook_id, "webhook", for_update=True)
        check_version(row, if_match)
        values = dict(changes)
        if values.get("is_active") and not row["is_active"]:
            values.update(disabled_reason=None, failing_since=None, attempts=0, next_attempt_at=None)
        updated = update_versioned(conn, webhooks, row, values)
        journal.updated(conn, "webhook", row, updated)
        return updated


def delete_webhook(db: Database, principal, webhook_id: str, if_match: int | None = None) -> None:
    with db.write() as conn:
        row = fetch(conn, webhooks, principal.workspace_id, webhook_id, "webhook", for_update=True)
        check_version(row, if_match)
        update_versioned(conn, webhooks, row, {"deleted_at": utcnow(), "is_active": False})
        journal.deleted(conn, "webhook", row)


def list_deliveries(db: Database, workspace_id: str, webhook_id: str, page: PageRequest) -> Page:
    stmt = select(webhook_deliveries).where(webhook_deliveries.c.workspace_id == workspace_id,
                                            webhook_deliveries.c.webhook_id == webhook_id)
    with db.read() as conn:
        fetch(conn, webhooks, workspace_id, webhook_id, "webhook")
        return paginate(conn, stmt, Sort("-created_at", webhook_deliveries.c.created_at, webhook_deliveries.c.id,
                                         True), page)


def record_delivery(conn: Connection, hook: dict[str, Any], event: dict[str, Any], attempt: int,
                    outcome: dict[str, Any]) -> None:
    conn.execute(webhook_deliveries.insert().values(
        workspace_id=hook["workspace_id"], id=new_id("delivery"), webhook_id=hook["id"], event_id=event["id"],
        event_type=event["type"], sequence=event.get("sequence"), attempt=attempt,
        status="succeeded" if outcome["ok"] else "failed", response_status=outcome.get("status"),
        error=(outcome.get("error") or "")[:1000] or None, duration_ms=outcome.get("duration_ms"),
        created_at=utcnow()))
