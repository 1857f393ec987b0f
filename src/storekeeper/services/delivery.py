"""Delivering the change feed to webhook endpoints (run by the worker, never by a request).

Per endpoint, in feed order: lease the endpoint (so that two workers never post its events at
once), read its next events, post them one by one and move its cursor past each delivered one.
The cursor moves in its own short transaction after the receiver answered: a crash between the
two means the event is posted again (at least once; receivers dedupe by `Storekeeper-Event-Id`).
A failure stops the endpoint's round and schedules a retry after 10 s, 20 s, 40 s … (at most an
hour apart); an endpoint that has failed for 24 hours is disabled. Events of types the endpoint
did not subscribe to are stepped over.

Requests time out after 10 s and run on the worker's thread, so a slow or failing receiver
delays only its own later events, never the API.

Where a request may go (domain/webhook_targets.py): before each one the URL's host is resolved and
every address it has is checked; one that is not public (unless `allow_private`) makes the
delivery fail with the reason, and nothing is sent. The request then goes to an address that was
checked, carrying the URL's name in `Host` and, over TLS, in SNI and the certificate check (httpx's
`sni_hostname` request extension): the name is never resolved again, so a DNS answer that changes
between the check and the connection (rebinding) cannot lead it elsewhere. Redirects are not
followed (a 3xx is a failed delivery). Logs show the endpoint's id and `scheme://host[:port]`,
never the rest of its URL, where receivers keep tokens.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import func, or_, select, update

from storekeeper.domain.clock import utcnow
from storekeeper.domain.ids import new_id
from storekeeper.domain.webhook_targets import loggable_url, why_not_public
from storekeeper.jsoncodec import dumps
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import events, webhooks
from storekeeper.services.feed import matching
from storekeeper.services.webhooks import record_delivery, sign

if TYPE_CHECKING:
    import ssl

    import httpx

log = logging.getLogger("storekeeper.webhooks")

TIMEOUT_SECONDS = 10.0
RETRY_BASE = timedelta(seconds=10)
RETRY_CAP = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)
LEASE = timedelta(seconds=60)
BATCH = 100
DEFAULT_PORTS = {"http": 80, "https": 443}

# (host, port) → the host's addresses, in the order to try them.
Resolver = Callable[[str, int], list[str]]


def resolve_host(host: str, port: int) -> list[str]:
    """The system resolver's addresses for `host` (hosts file, DNS, numeric spellings)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


class Undeliverable(Exception):
    """A URL the delivery will not send to; the message says why, for the delivery log."""


def retry_delay(attempts: int) -> timedelta:
    """After the n-th failure in a row: 10 s, 20 s, 40 s, … at most an hour."""
    return min(RETRY_BASE * (2 ** min(attempts - 1, 20)), RETRY_CAP)


def body_of(event: dict[str, Any]) -> bytes:
    """What an endpoint receives: the event as the feed shows it."""
    return dumps({"id": event["id"], "sequence": event.get("sequence"), "type": event["type"],
                  "resource_type": event["resource_type"], "resource_id": event["resource_id"],
                  "created_at": event["created_at"], "data": orjson.Fragment(event["data"])})


def post(client: httpx.Client, hook: dict[str, Any], event: dict[str, Any], attempt: int, *,
         allow_private: bool = False, resolve: Resolver = resolve_host) -> dict[str, Any]:
    body = body_of(event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Storekeeper-Webhooks/1",
        "Storekeeper-Signature": sign(hook["secret"], int(time.time()), body),
        "Storekeeper-Event-Id": event["id"],
        "Storekeeper-Event-Type": event["type"],
        "Storekeeper-Delivery-Attempt": str(attempt),
    }
    started = time.perf_counter()
    import httpx  # here, not at import: the server's workers load it only when they deliver

    try:
        url = httpx.URL(hook["url"])
        addresses = _checked_addresses(url, allow_private, resolve)
        response = _send(client, url, addresses, body, headers)
        ok = 200 <= response.status_code < 300
        outcome = {"ok": ok, "status": response.status_code, "error": None if ok else f"HTTP {response.status_code}"}
    except Undeliverable as exc:
        outcome = {"ok": False, "error": str(exc)}
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        outcome = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    outcome["duration_ms"] = int((time.perf_counter() - started) * 1000)
    log.info("webhook %s: %s %s to %s: %s", hook["id"], event["type"], event["id"], loggable_url(hook["url"]),
             outcome["error"] or f"HTTP {outcome['status']}")
    return outcome


def _checked_addresses(url: httpx.URL, allow_private: bool, resolve: Resolver) -> list[str]:
    """The addresses of the URL's host, every one of them public unless `allow_private`."""
    host = url.raw_host.decode("ascii")
    try:
        addresses = resolve(host, url.port or DEFAULT_PORTS.get(url.scheme, 0))
    except OSError as exc:
        raise Undeliverable(f"Could not resolve {host}: {exc}") from None
    if not addresses:
        raise Undeliverable(f"Could not resolve {host}: no address.")
    if not allow_private:
        for address in addresses:
            if reason := why_not_public(ipaddress.ip_address(address)):
                raise Undeliverable(f"Refused: {host} resolves to {address}, and {reason}; nothing was sent. "
                                    "Webhooks are delivered only to public addresses unless the server allows "
                                    "its own network (STOREKEEPER_WEBHOOK_ALLOW_PRIVATE).")
    return addresses


def _send(client: httpx.Client, url: httpx.URL, addresses: list[str], body: bytes,
          headers: dict[str, str]) -> httpx.Response:
    """POST to the checked addresses in turn (the next one only if the connection failed, as a
    connection to the name would), under the URL's own name."""
    import httpx

    named = {**headers, "Host": url.netloc.decode("ascii")}
    extensions = {"sni_hostname": url.raw_host.decode("ascii")} if url.scheme == "https" else {}

    def to(address: str) -> httpx.Response:
        return client.post(url.copy_with(host=address), content=body, headers=named, extensions=extensions,
                           timeout=TIMEOUT_SECONDS, follow_redirects=False)

    for address in addresses[:-1]:
        try:
            return to(address)
        except httpx.ConnectError:
            pass
    return to(addresses[-1])


@cache
def _tls() -> ssl.SSLContext:
    """The system's trusted CAs, loaded once: a client per endpoint must not load them each time."""
    import httpx

    return httpx.create_ssl_context()


def _client_for_endpoint(client: httpx.Client | None) -> AbstractContextManager[httpx.Client]:
    """The caller's client, or a new one for this endpoint alone: connections are pooled by the
    address they go to, and two endpoints whose names share an address must not share a TLS
    connection whose certificate was checked for the other's name."""
    if client is not None:
        return nullcontext(client)
    import httpx

    return httpx.Client(verify=_tls())


def _lease(db: Database, hook: dict[str, Any], now: datetime) -> bool:
    with db.write() as conn:
        result = conn.execute(
            update(webhooks)
            .where(webhooks.c.workspace_id == hook["workspace_id"], webhooks.c.id == hook["id"],
                   webhooks.c.is_active, webhooks.c.delivered_sequence == hook["delivered_sequence"],
                   or_(webhooks.c.leased_until.is_(None), webhooks.c.leased_until < now))
            .values(leased_until=now + LEASE))
        return result.rowcount == 1


def _save(db: Database, hook: dict[str, Any], values: dict[str, Any]) -> None:
    with db.write() as conn:
        conn.execute(update(webhooks)
                     .where(webhooks.c.workspace_id == hook["workspace_id"], webhooks.c.id == hook["id"])
                     .values(values))


def deliver_endpoint(db: Database, client: httpx.Client, hook: dict[str, Any], now: datetime, *,
                     allow_private: bool = False, resolve: Resolver = resolve_host) -> int:
    """One round for one leased endpoint; returns how many events it delivered."""
    delivered = 0
    cursor = hook["delivered_sequence"]
    with db.read() as conn:
        newest = conn.execute(select(func.coalesce(func.max(events.c.sequence), 0))
                              .where(events.c.workspace_id == hook["workspace_id"])).scalar_one()
        stmt = (select(events).where(events.c.workspace_id == hook["workspace_id"], events.c.sequence > cursor)
                .order_by(events.c.sequence).limit(BATCH))
        subscribed = matching(hook["events"])
        if subscribed is not None:
            stmt = stmt.where(subscribed)
        pending = [dict(r) for r in conn.execute(stmt).mappings()]
    for event in pending:
        attempt = hook["attempts"] + 1
        outcome = post(client, hook, event, attempt, allow_private=allow_private, resolve=resolve)
        with db.write() as conn:
            record_delivery(conn, hook, event, attempt, outcome)
        if not outcome["ok"]:
            failing_since = hook["failing_since"] or now
            values: dict[str, Any] = {"attempts": attempt, "failing_since": failing_since,
                                      "next_attempt_at": now + retry_delay(attempt), "leased_until": None,
                                      "delivered_sequence": cursor}
            if now - failing_since >= GIVE_UP_AFTER:
                values.update(is_active=False, next_attempt_at=None,
                              disabled_reason=f"Deliveries failed for 24 hours (last: {outcome['error']}).")
                log.warning("webhook %s disabled after 24 hours of failures", hook["id"])
            _save(db, hook, values)
            return delivered
        cursor = event["sequence"]
        hook.update(attempts=0, failing_since=None)
        delivered += 1
        # Renewed from the clock, not from the round's start: a long round keeps its endpoint.
        _save(db, hook, {"delivered_sequence": cursor, "attempts": 0, "failing_since": None,
                         "next_attempt_at": None, "leased_until": max(now, utcnow()) + LEASE})
    # Nothing (more) it subscribed to up to the newest event: step over the rest.
    if len(pending) < BATCH:
        cursor = max(cursor, newest)
    _save(db, hook, {"delivered_sequence": cursor, "leased_until": None})
    return delivered


def deliver_due(db: Database, client: httpx.Client | None = None, now: datetime | None = None, *,
                allow_private: bool = False, resolve: Resolver = resolve_host) -> int:
    """Deliver what is due to every active endpoint; returns how many events were delivered.
    `allow_private` is STOREKEEPER_WEBHOOK_ALLOW_PRIVATE; `resolve` stands in for the system
    resolver in tests."""
    now = now or utcnow()
    # Every workspace's due endpoints in one query (few rows: at most 50 per workspace).
    with db.read() as conn:
        hooks = [dict(r) for r in conn.execute(select(webhooks).where(
            webhooks.c.is_active, webhooks.c.deleted_at.is_(None),
            or_(webhooks.c.next_attempt_at.is_(None), webhooks.c.next_attempt_at <= now))
            .order_by(webhooks.c.workspace_id, webhooks.c.id)).mappings()]
    delivered = 0
    for hook in hooks:
        if _lease(db, hook, now):
            with _client_for_endpoint(client) as endpoint_client:
                delivered += deliver_endpoint(db, endpoint_client, hook, now, allow_private=allow_private,
                                              resolve=resolve)
    return delivered


def send_test(db: Database, hook: dict[str, Any], *, allow_private: bool = False,
              resolve: Resolver = resolve_host) -> str:
    """Post a `webhook.test` event to the endpoint from a thread of its own (the request that
    asked does not wait for the receiver); its outcome appears among the deliveries."""
    event = {"id": new_id("event"), "sequence": None, "type": "webhook.test", "resource_type": "webhook",
             "resource_id": hook["id"], "created_at": utcnow(),
             "data": dumps({"webhook": {"id": hook["id"], "url": hook["url"]}}).decode()}

    def run():
        with _client_for_endpoint(None) as client:
            outcome = post(client, hook, event, 1, allow_private=allow_private, resolve=resolve)
        with db.write() as conn:
            record_delivery(conn, hook, event, 1, outcome)

    threading.Thread(target=run, name="storekeeper-webhook-test", daemon=True).start()
    return event["id"]
