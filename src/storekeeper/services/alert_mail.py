"""Sending stock alerts by email (run by the worker, never by a stock change's request).

Per workspace with alerts on, each round: lease its due alerts (pending, their retry time come
and, for a daily digest, recorded before the latest digest hour), send them together as one email
to the workspace's recipients, and mark them sent in a short transaction of its own right after
the SMTP server accepted the message. An alert is leased for 10 minutes, so two workers never
send it at once. **The one window for a second email** is a crash (or a lost database) between
the server's acceptance and that commit: the lease then runs out and the alert is sent again.
A failure (refused, unreachable, timed out) leaves the alerts pending for another try after 10 s,
20 s, 40 s … (at most an hour apart); alerts that failed for 24 hours are given up (`failed`).

Where the server may be (domain/alerts.py): before each connection the host is resolved and
every address it has is checked; the connection then goes to an address that was checked, with
the host's name kept for STARTTLS/TLS (SNI and the certificate check), so a DNS answer that
changes between the check and the connection cannot lead it elsewhere. Logs name the workspace,
the host and port and the number of alerts; never the password.
"""

from __future__ import annotations

import ipaddress
import logging
import smtplib
import socket
import ssl
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import and_, delete, or_, select, update

from storekeeper.domain.alerts import Mode, Security, last_digest_at, refusal, why_refused
from storekeeper.domain.clock import utcnow
from storekeeper.domain.ids import new_id
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import alert_settings, items, locations, stock_alerts, stock_levels, users
from storekeeper.services import alerts
from storekeeper.services.alert_messages import compose, compose_test

log = logging.getLogger("storekeeper.alerts")

TIMEOUT_SECONDS = 10.0
LEASE = timedelta(minutes=10)
RETRY_BASE = timedelta(seconds=10)
RETRY_CAP = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)
KEEP = timedelta(days=30)  # sent and given-up alerts, for the Alerts page's list
BATCH = 200

Resolver = Callable[[str, int], list[str]]


def resolve_host(host: str, port: int) -> list[str]:
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


class MailFailed(Exception):
    """The message was not accepted; the text says why (for the alert's `last_error`)."""


def retry_delay(attempts: int) -> timedelta:
    return min(RETRY_BASE * (2 ** min(attempts - 1, 20)), RETRY_CAP)


class _PinnedSMTP(smtplib.SMTP):
    """smtplib.SMTP connecting to a checked address while speaking to the host by its name."""

    def __init__(self, address: str, **kwargs: Any):
        self._address = address
        super().__init__(**kwargs)

    def _get_socket(self, host, port, timeout):
        return socket.create_connection((self._address, port), timeout, self.source_address)


class _PinnedSMTPSSL(smtplib.SMTP_SSL):
    def __init__(self, address: str, **kwargs: Any):
        self._address = address
        super().__init__(**kwargs)

    def _get_socket(self, host, port, timeout):
        raw = socket.create_connection((self._address, port), timeout, self.source_address)
        return self.context.wrap_socket(raw, server_hostname=self._host)


def _checked_addresses(host: str, port: int, allow_loopback: bool, resolve: Resolver) -> list[str]:
    try:
        addresses = resolve(host.strip("[]"), port)
    except OSError as exc:
        raise MailFailed(f"Could not resolve {host}: {exc}") from None
    if not addresses:
        raise MailFailed(f"Could not resolve {host}: no address.")
    for address in addresses:
        if reason := why_refused(ipaddress.ip_address(address.split("%")[0]), allow_loopback=allow_loopback):
            raise MailFailed(f"Refused: {host} resolves to {address}. {refusal(host, reason)} Nothing was sent.")
    return addresses


def _connect(config: dict[str, Any], address: str) -> smtplib.SMTP:
    context = ssl.create_default_context()
    host, port = config["smtp_host"].strip("[]"), config["smtp_port"]
    if config["smtp_security"] == Security.TLS:
        smtp: smtplib.SMTP = _PinnedSMTPSSL(address, timeout=TIMEOUT_SECONDS, context=context)
    else:
        smtp = _PinnedSMTP(address, timeout=TIMEOUT_SECONDS)
    try:
        smtp.connect(host, port)
        if config["smtp_security"] == Security.STARTTLS:
            smtp.starttls(context=context)
        if config["smtp_username"]:
            smtp.login(config["smtp_username"], config["smtp_password"] or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def deliver(config: dict[str, Any], message: EmailMessage, recipients: list[str], *,
            allow_loopback: bool = False, resolve: Resolver = resolve_host) -> None:
    """Hand `message` to the workspace's SMTP server for `recipients`; MailFailed unless it was
    accepted for at least one of them."""
    if not recipients:
        raise MailFailed("No recipients: the chosen users are gone and no address is given.")
    addresses = _checked_addresses(config["smtp_host"], config["smtp_port"], allow_loopback, resolve)
    try:
        for n, address in enumerate(addresses):
            try:
                smtp = _connect(config, address)
                break
            except OSError:
                if n == len(addresses) - 1:
                    raise
        with smtp:
            refused = smtp.send_message(message, to_addrs=recipients)
    except smtplib.SMTPException as exc:
        raise MailFailed(f"{type(exc).__name__}: {_said(exc)}") from None
    except OSError as exc:
        raise MailFailed(f"Could not reach {config['smtp_host']}:{config['smtp_port']}: {exc}") from None
    if refused:
        log.warning("alerts: %s refused %d recipients", config["smtp_host"], len(refused))


def _said(exc: smtplib.SMTPException) -> str:
    """What the server answered, without anything the client sent."""
    code, text = getattr(exc, "smtp_code", None), getattr(exc, "smtp_error", None)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if code is not None:
        return f"{code} {text or ''}".strip()
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"every recipient was refused ({len(exc.recipients)})"
    return str(exc)[:500]


def _recipients(conn, config: dict[str, Any]) -> list[str]:
    emails = []
    if config["recipient_users"]:
        emails = [e for (e,) in conn.execute(select(users.c.email).where(
            users.c.workspace_id == config["workspace_id"], users.c.id.in_(config["recipient_users"]),
            users.c.deleted_at.is_(None)).order_by(users.c.email))]
    return list(dict.fromkeys(emails + list(config["recipient_addresses"])))


def _lease(db: Database, config: dict[str, Any], now: datetime, cutoff: datetime) -> tuple[str, list[dict[str, Any]]]:
    """Lease the workspace's due alerts recorded up to `cutoff`; returns the lease and them."""
    lease = new_id("alert")
    ws = config["workspace_id"]
    free = or_(stock_alerts.c.leased_until.is_(None), stock_alerts.c.leased_until < now)
    # Read first: a digest's alerts wait all day, and a write transaction each round would take
    # SQLite's write lock from the API for nothing.
    with db.read() as conn:
        due = [r for (r,) in conn.execute(select(stock_alerts.c.id).where(
            stock_alerts.c.workspace_id == ws, stock_alerts.c.state == "pending",
            stock_alerts.c.next_attempt_at <= now, stock_alerts.c.created_at <= cutoff, free)
            .order_by(stock_alerts.c.created_at, stock_alerts.c.id).limit(BATCH))]
    if not due:
        return lease, []
    with db.write() as conn:
        # The state and lease conditions again: another worker may have leased them since.
        conn.execute(update(stock_alerts).where(
            stock_alerts.c.workspace_id == ws, stock_alerts.c.id.in_(due), stock_alerts.c.state == "pending", free)
            .values(lease=lease, leased_until=now + LEASE))
    with db.read() as conn:
        found = conn.execute(
            select(stock_alerts, items.c.sku, items.c.name, items.c.unit)
            .join(items, and_(items.c.workspace_id == stock_alerts.c.workspace_id,
                              items.c.id == stock_alerts.c.item_id), isouter=True)
            .where(stock_alerts.c.workspace_id == ws, stock_alerts.c.lease == lease)
            .order_by(stock_alerts.c.created_at, stock_alerts.c.id)).mappings()
        return lease, [dict(r) for r in found]


def _levels(db: Database, workspace_id: str, item_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Each item's stock per location now, in one statement."""
    with db.read() as conn:
        rows = conn.execute(
            select(stock_levels.c.item_id, locations.c.name, stock_levels.c.on_hand, stock_levels.c.reserved)
            .join(locations, and_(locations.c.workspace_id == stock_levels.c.workspace_id,
                                  locations.c.id == stock_levels.c.location_id))
            .where(stock_levels.c.workspace_id == workspace_id, stock_levels.c.item_id.in_(item_ids))
            .order_by(stock_levels.c.item_id, locations.c.name)).all()
    found: dict[str, list[dict[str, Any]]] = {}
    for item_id, name, on_hand, reserved in rows:
        found.setdefault(item_id, []).append({"location": name, "on_hand": on_hand, "available": on_hand - reserved})
    return found


def _finish(db: Database, config: dict[str, Any], lease: str, now: datetime, error: str | None,
            leased: list[dict[str, Any]]) -> None:
    ws = config["workspace_id"]
    mine = and_(stock_alerts.c.workspace_id == ws, stock_alerts.c.lease == lease)
    with db.write() as conn:
        if error is None:
            conn.execute(update(stock_alerts).where(mine).values(
                state="sent", sent_at=utcnow(), lease=None, leased_until=None, last_error=None))
            return
        attempts = max(a["attempts"] for a in leased) + 1
        conn.execute(update(stock_alerts).where(mine).values(
            attempts=attempts, next_attempt_at=now + retry_delay(attempts), lease=None, leased_until=None,
            last_error=error[:1000]))
        conn.execute(update(stock_alerts).where(
            stock_alerts.c.workspace_id == ws, stock_alerts.c.id.in_([a["id"] for a in leased]),
            stock_alerts.c.state == "pending", stock_alerts.c.created_at <= now - GIVE_UP_AFTER)
            .values(state="failed"))


def send_workspace(db: Database, config: dict[str, Any], now: datetime, *, allow_loopback: bool = False,
                   resolve: Resolver = resolve_host) -> int:
    """One round for one workspace; returns how many alerts were sent."""
    cutoff = now if config["mode"] == Mode.IMMEDIATE else last_digest_at(now, config["digest_hour"],
                                                                           config["time_zone"])
    lease, leased = _lease(db, config, now, cutoff)
    if not leased:
        return 0
    with db.read() as conn:
        recipients = _recipients(conn, config)
    levels = _levels(db, config["workspace_id"], sorted({a["item_id"] for a in leased}))
    error = None
    try:
        message = compose(config, leased, levels, digest=config["mode"] == Mode.DIGEST)
        deliver(config, message, recipients, allow_loopback=allow_loopback, resolve=resolve)
    except MailFailed as exc:
        error = str(exc)
    except (ValueError, TypeError) as exc:  # a message the email package refuses: tried again, then given up
        error = f"The email could not be built: {exc}"
    _finish(db, config, lease, now, error, leased)
    log.info("alerts %s: %d alerts to %d recipients via %s:%s: %s", config["workspace_id"], len(leased),
             len(recipients), config["smtp_host"], config["smtp_port"], error or "sent")
    return 0 if error else len(leased)


def send_due(db: Database, now: datetime | None = None, *, allow_loopback: bool = False,
             resolve: Resolver = resolve_host) -> int:
    """Send what is due in every workspace with alerts on; returns how many alerts were sent."""
    now = now or utcnow()
    # Only workspaces with an alert due now or waiting for a digest: one statement a round, an
    # index probe per workspace with alerts on.
    waiting = select(stock_alerts.c.id).where(
        stock_alerts.c.workspace_id == alert_settings.c.workspace_id, stock_alerts.c.state == "pending",
        stock_alerts.c.next_attempt_at <= now).exists()
    with db.read() as conn:
        configs = [dict(r) for r in conn.execute(select(alert_settings).where(alert_settings.c.enabled, waiting)
                                                 .order_by(alert_settings.c.workspace_id)).mappings()]
    sent = 0
    for config in configs:
        try:
            sent += send_workspace(db, config, now, allow_loopback=allow_loopback, resolve=resolve)
        except Exception:  # one workspace's broken settings must not hold up the others
            log.exception("alerts %s: round failed", config["workspace_id"])
    return sent


def send_test(db: Database, workspace_id: str, *, allow_loopback: bool = False,
              resolve: Resolver = resolve_host) -> dict[str, Any]:
    """Send a test email now with the stored settings; says whether the server accepted it."""
    config = alerts.get_settings(db, workspace_id)
    with db.read() as conn:
        recipients = _recipients(conn, config)
    try:
        deliver(config, compose_test(config), recipients, allow_loopback=allow_loopback, resolve=resolve)
    except MailFailed as exc:
        log.info("alerts %s: test email via %s:%s: %s", workspace_id, config["smtp_host"], config["smtp_port"], exc)
        return {"sent": False, "recipients": recipients, "error": str(exc)}
    log.info("alerts %s: test email via %s:%s: sent", workspace_id, config["smtp_host"], config["smtp_port"])
    return {"sent": True, "recipients": recipients, "error": None}



def purge_old(db: Database, now: datetime | None = None) -> int:
    """Delete alerts sent or given up more than 30 days ago; returns how many."""
    with db.write() as conn:
        return conn.execute(delete(stock_alerts).where(stock_alerts.c.state.in_(("sent", "failed")),
                                                       stock_alerts.c.created_at < (now or utcnow()) - KEEP)).rowcount
