"""Stock alerts: a workspace's settings (its SMTP server, who is told, which statuses, when), the
items that alert now (the overview) and the latest alerts with how their sending went.

The alerts themselves are written by the ledger (services/alert_outbox.py) and sent by the worker
(services/alert_mail.py). The SMTP password is stored as given (the worker must send it to the
server) and is never shown back: reads say only whether one is set, and the audit log records
that it changed, never what it is.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, func, literal, select, type_coerce, union_all

from storekeeper.domain.alerts import ALERTING, Mode, Security, check_host, is_email, time_zone
from storekeeper.domain.clock import utcnow
from storekeeper.domain.errors import NotFound, ValidationFailed
from storekeeper.domain.stock import Tracking
from storekeeper.persistence.database import Database
from storekeeper.persistence.rows import check_version
from storekeeper.persistence.tables import alert_settings, items, stock_alerts, users
from storekeeper.persistence.types import Micros
from storekeeper.services import journal

MAX_RECIPIENTS = 50
DEFAULT_PORTS = {Security.NONE: 25, Security.STARTTLS: 587, Security.TLS: 465}
SECRET = "smtp_password"


def get_settings(db: Database, workspace_id: str) -> dict[str, Any]:
    """The workspace's alert settings (with the password: for sending, never for showing), or
    NotFound when it has none yet."""
    with db.read() as conn:
        row = conn.execute(select(alert_settings).where(alert_settings.c.workspace_id == workspace_id)
                           ).mappings().first()
    if row is None:
        raise NotFound("alert_settings")
    return dict(row)


def settings_or_defaults(db: Database, workspace_id: str) -> dict[str, Any]:
    """The workspace's settings, or what a workspace that never set them has: alerts off,
    version 0."""
    try:
        return get_settings(db, workspace_id)
    except NotFound:
        return {"workspace_id": workspace_id, "enabled": False, "smtp_host": None,
                "smtp_port": DEFAULT_PORTS[Security.STARTTLS], "smtp_security": Security.STARTTLS.value,
                "smtp_username": None, SECRET: None, "from_address": None, "recipient_users": [],
                "recipient_addresses": [], "statuses": [s.value for s in ALERTING], "mode": Mode.IMMEDIATE.value,
                "digest_hour": 8, "time_zone": "UTC", "dashboard_url": None, "version": 0, "created_at": None,
                "updated_at": None}


def _text(data: dict[str, Any], name: str, errors: dict[str, list[str]], *, limit: int,
          required: bool = False) -> str | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.setdefault(name, []).append("Required.")
        return None
    if not isinstance(value, str) or len(value.strip()) > limit:
        errors.setdefault(name, []).append(f"Text of at most {limit} characters.")
        return None
    return value.strip()


def _choice(data: dict[str, Any], name: str, choices: tuple[str, ...], default: str,
            errors: dict[str, list[str]]) -> str:
    value = data.get(name) or default
    if value not in choices:
        errors.setdefault(name, []).append(f"One of {', '.join(choices)}.")
    return value


def _number(data: dict[str, Any], name: str, low: int, high: int, default: int, errors: dict[str, list[str]]) -> int:
    value = data.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.setdefault(name, []).append(f"A whole number from {low} to {high}.")
        return default
    return value


def _list(data: dict[str, Any], name: str, errors: dict[str, list[str]]) -> list[str]:
    value = data.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or len(value) > MAX_RECIPIENTS:
        errors.setdefault(name, []).append(f"A list of at most {MAX_RECIPIENTS} texts.")
        return []
    return list(dict.fromkeys(v.strip() for v in value if v.strip()))


def _checked(data: dict[str, Any], allow_loopback: bool) -> dict[str, Any]:
    """The settings to store, each rule checked (every refusal at once, by field)."""
    errors: dict[str, list[str]] = {}
    security = _choice(data, "smtp_security", tuple(Security), Security.STARTTLS, errors)
    values: dict[str, Any] = {
        "enabled": bool(data.get("enabled", True)),
        "smtp_host": _text(data, "smtp_host", errors, limit=253, required=True),
        "smtp_port": _number(data, "smtp_port", 1, 65535, DEFAULT_PORTS.get(security, 587), errors),
        "smtp_security": security,
        "smtp_username": _text(data, "smtp_username", errors, limit=320),
        "from_address": _text(data, "from_address", errors, limit=320, required=True),
        "recipient_addresses": [a.lower() for a in _list(data, "recipient_addresses", errors)],
        "statuses": _list(data, "statuses", errors) if "statuses" in data else [s.value for s in ALERTING],
        "mode": _choice(data, "mode", tuple(Mode), Mode.IMMEDIATE, errors),
        "digest_hour": _number(data, "digest_hour", 0, 23, 8, errors),
        "time_zone": _text(data, "time_zone", errors, limit=64) or "UTC",
        "dashboard_url": _text(data, "dashboard_url", errors, limit=2000),
    }
    if values["smtp_host"] and "smtp_host" not in errors:
        try:
            check_host(values["smtp_host"], allow_loopback=allow_loopback)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if values["from_address"] and not is_email(values["from_address"]):
        errors.setdefault("from_address", []).append(f"{values['from_address']!r} is not an email address.")
    if bad := [a for a in values["recipient_addresses"] if not is_email(a)]:
        errors.setdefault("recipient_addresses", []).append(f"Not email addresses: {', '.join(bad)}.")
    if not values["statuses"] or not set(values["statuses"]) <= {s.value for s in ALERTING}:
        errors.setdefault("statuses", []).append("Choose one or more of low, critical, out_of_stock.")
    if values["dashboard_url"] and not values["dashboard_url"].startswith(("http://", "https://")):
        errors.setdefault("dashboard_url", []).append("An http:// or https:// URL.")
    try:
        time_zone(values["time_zone"])
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if SECRET in data and data[SECRET] is not None and (not isinstance(data[SECRET], str) or len(data[SECRET]) > 500):
        errors.setdefault(SECRET, []).append("Text of at most 500 characters.")
    if errors:
        raise ValidationFailed(errors)
    return values


def _recipient_users(conn, workspace_id: str, refs: list[str]) -> list[str]:
    """User ids for refs that are ids or emails of the workspace's users, in one query."""
    if not refs:
        return []
    lowered = [r.lower() for r in refs]
    found = conn.execute(select(users.c.id, users.c.email).where(
        users.c.workspace_id == workspace_id, users.c.deleted_at.is_(None),
        (users.c.id.in_(refs)) | (users.c.email.in_(lowered)))).all()
    by_ref = {ref: uid for uid, email in found for ref in (uid, email)}
    unknown = [r for r in refs if r not in by_ref and r.lower() not in by_ref]
    if unknown:
        raise ValidationFailed({"recipient_users": [f"No user of this workspace is {', '.join(unknown)}."]})
    return list(dict.fromkeys(by_ref.get(r) or by_ref[r.lower()] for r in refs))


def _redacted(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {**{k: v for k, v in row.items() if k != SECRET}, "password_set": row.get(SECRET) is not None}


def save_settings(db: Database, principal, data: dict[str, Any], *, if_match: int | None = None,
                  allow_loopback: bool = False, base_url: str | None = None) -> dict[str, Any]:
    """Set the workspace's alert settings as a whole. The password: absent keeps the stored one,
    null removes it. `base_url` (where the request came in) is where the emails' links go unless
    `dashboard_url` says otherwise."""
    values = _checked(data, allow_loopback)
    values["dashboard_url"] = (values["dashboard_url"] or base_url or "").rstrip("/") or None
    workspace_id = principal.workspace_id
    with db.write() as conn:
        values["recipient_users"] = _recipient_users(conn, workspace_id, _list(data, "recipient_users", {}))
        if not values["recipient_users"] and not values["recipient_addresses"]:
            raise ValidationFailed({"recipient_users": ["Choose at least one user or address to tell."]})
        if SECRET in data:
            values[SECRET] = data[SECRET] or None
        before = conn.execute(select(alert_settings).where(alert_settings.c.workspace_id == workspace_id)
                              .with_for_update()).mappings().first()
        if before is None:
            now = utcnow()
            row = {"workspace_id": workspace_id, SECRET: None, **values, "version": 1, "created_at": now,
                   "updated_at": now}
            conn.execute(alert_settings.insert().values(row))
            action, before = "alert_settings.created", None
        else:
            before = dict(before)
            check_version(before, if_match)
            row = _update(conn, before, values)
            action = "alert_settings.updated"
        changes = journal.changes_between(_redacted(before), _redacted(row))
        if (before or {}).get(SECRET) != row[SECRET]:  # that it changed, never what it is
            changes["smtp_password"] = ["(set)" if (before or {}).get(SECRET) else None,
                                        "(a new one)" if row[SECRET] else None]
        journal.audit(conn, workspace_id, action, "alert_settings", workspace_id, changes, actor=principal.actor)
        return row


def _update(conn, before: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    # The table's key is the workspace: update_versioned matches rows by id.
    values = {k: v for k, v in values.items() if before.get(k) != v}
    if not values:
        return before
    values.update(version=before["version"] + 1, updated_at=utcnow())
    conn.execute(alert_settings.update().where(alert_settings.c.workspace_id == before["workspace_id"],
                                               alert_settings.c.version == before["version"]).values(values))
    return {**before, **values}


def settings_out(row: dict[str, Any]) -> dict[str, Any]:
    """The settings as shown: everything but the password, which shows only as `password_set`."""
    shown = _redacted(row) or {}
    return {k: shown[k] for k in (
        "enabled", "smtp_host", "smtp_port", "smtp_security", "smtp_username", "password_set", "from_address",
        "recipient_users", "recipient_addresses", "statuses", "mode", "digest_hour", "time_zone", "dashboard_url",
        "version", "created_at", "updated_at")}


def current_alerts(db: Database, workspace_id: str, per_status: int = 10) -> list[dict[str, Any]]:
    """Live items out of stock, critical or low now, of those that hold stock (no parent, no
    bundle: domain/alerts.alerts_about): the first `per_status` of each by SKU, worst first, in one
    statement (each part reads the index on workspace, status and SKU)."""
    available = type_coerce(items.c.on_hand - items.c.reserved, Micros()).label("available")
    parts = []
    for rank, status in enumerate(reversed(ALERTING)):
        parts.append(select(items.c.id, items.c.sku, items.c.name, items.c.status, items.c.on_hand, available,
                            items.c.unit, literal(rank).label("rank"))
                     .where(items.c.workspace_id == workspace_id, items.c.status == status.value,
                            items.c.deleted_at.is_(None), items.c.has_variants.is_(false()),
                            items.c.tracking != Tracking.BUNDLE.value)
                     .order_by(items.c.sku).limit(per_status).subquery())
    every = union_all(*[select(*p.c) for p in parts]).subquery()
    with db.read() as conn:
        return [dict(r) for r in conn.execute(select(every).order_by(every.c.rank, every.c.sku)).mappings()]


def latest_alerts(db: Database, workspace_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """The newest alerts of the outbox with their item's SKU and name and how sending went."""
    stmt = (select(stock_alerts, items.c.sku, items.c.name)
            .join(items, (items.c.workspace_id == stock_alerts.c.workspace_id) & (items.c.id == stock_alerts.c.item_id),
                  isouter=True)
            .where(stock_alerts.c.workspace_id == workspace_id)
            .order_by(stock_alerts.c.created_at.desc(), stock_alerts.c.id.desc()).limit(limit))
    with db.read() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def pending_count(db: Database, workspace_id: str) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(stock_alerts).where(
            stock_alerts.c.workspace_id == workspace_id, stock_alerts.c.state == "pending")).scalar_one()
