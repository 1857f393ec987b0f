"""Reading the change feed and the audit log.

The feed is read by sequence (`after`), which the writers take in commit order per workspace,
so a client that stores the last sequence it saw and asks for what comes after never misses an
event nor sees one twice. A key sees the event types its scopes may read. Events older than the
workspace's `event_retention_days` are purged by the worker; `oldest_sequence` tells a client
that fell further behind that it must resynchronize from the resources themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, not_, or_, select, true

from storekeeper.domain.clock import to_utc, utcnow
from storekeeper.domain.errors import Forbidden, ValidationFailed
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest, Sort, paginate
from storekeeper.persistence.tables import audit_log, events, movements, workspaces
from storekeeper.services.workspaces import with_defaults

# Which scope reads which family of events.
FAMILY_SCOPES = {
    "item": "items:read",
    "stock": "stock:read",
    "reservation": "orders:read",
    "purchase_order": "orders:read",
    "production_order": "production:read",
    "snapshot": "stock:read",
}
EVENT_TYPES = (
    "item.created", "item.updated", "item.deleted", "item.restored", "item.published", "item.unpublished",
    "stock.changed", "stock.status_changed",
    "reservation.created", "reservation.released", "reservation.fulfilled", "reservation.expired",
    "purchase_order.created", "purchase_order.updated", "purchase_order.ordered",
    "purchase_order.partially_received", "purchase_order.received", "purchase_order.cancelled",
    "production_order.created", "production_order.updated", "production_order.deleted",
    "production_order.batch_created", "production_order.batch_reversed",
    "snapshot.created", "snapshot.restored",
)
MAX_LIMIT = 1000


def matching(patterns: list[str]):
    """The events whose type matches any of the patterns — exact types, or families with `*`
    (`stock.*`); None (every event) when there are none or one is `*`."""
    if not patterns or any(p in ("*", "") for p in patterns):
        return None
    return or_(*(events.c.type.like(p[:-1] + "%") if p.endswith(".*") else events.c.type == p for p in patterns))


def _family(pattern: str) -> str:
    return pattern.split(".", 1)[0]


def check_patterns(patterns: list[str]) -> None:
    for pattern in patterns:
        known = pattern in EVENT_TYPES or (pattern.endswith(".*") and _family(pattern) in FAMILY_SCOPES) \
            or pattern == "*"
        if not known:
            raise ValidationFailed({"types": [f"Unknown event type {pattern!r}."]})


def list_events(db: Database, principal, after: int, types: list[str] | None, limit: int) -> dict[str, Any]:
    """Events after the sequence `after`, oldest first."""
    types = [t for t in (types or []) if t != "*"]
    check_patterns(types)
    readable = [family for family, scope in FAMILY_SCOPES.items() if principal.allows(scope)]
    if not readable:
        raise Forbidden("Reading the change feed needs a read scope of what it reports (items:read, stock:read, "
                        "orders:read or production:read).")
    denied = sorted({_family(t) for t in types} - set(readable))
    if denied:
        raise Forbidden(f"This API key lacks the scope {FAMILY_SCOPES[denied[0]]!r} for {denied[0]} events.",
                        details={"required_scope": FAMILY_SCOPES[denied[0]]})
    workspace_id = principal.workspace_id
    stmt = (select(events).where(events.c.workspace_id == workspace_id, events.c.sequence > after,
                                 or_(*(events.c.type.like(f"{f}.%") for f in readable)))
            .order_by(events.c.sequence).limit(limit + 1))
    if types:
        stmt = stmt.where(matching(types))
    with db.read() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
        oldest = conn.execute(select(func.min(events.c.sequence)).where(events.c.workspace_id == workspace_id)
                              ).scalar()
    has_more = len(rows) > limit
    rows = rows[:limit]
    return {"rows": rows, "has_more": has_more, "next_after": rows[-1]["sequence"] if rows else after,
            "oldest_sequence": oldest}


def purge_events(db: Database, now: datetime | None = None) -> int:
    """Delete events past each workspace's `event_retention_days`: one statement per distinct
    retention, whatever the number of workspaces. Run by the worker."""
    now = now or utcnow()
    with db.read() as conn:
        by_days: dict[int, list[str]] = {}
        for workspace_id, settings in conn.execute(select(workspaces.c.workspace_id, workspaces.c.settings)):
            by_days.setdefault(int(with_defaults(settings)["event_retention_days"]), []).append(workspace_id)
    purged = 0
    for days, ids in sorted(by_days.items()):
        with db.write() as conn:
            result = conn.execute(delete(events).where(events.c.workspace_id.in_(ids),
                                                       events.c.created_at < now - timedelta(days=days)))
            purged += result.rowcount or 0
    return purged


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None  # actions or patterns, see action_condition
    resource_type: str | None = None
    resource_id: str | None = None
    item: str | None = None  # an item's id: its own entries and its movements'
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _action_matches(pattern: str):
    if "*" not in pattern:
        return audit_log.c.action == pattern
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace("*", "%")
    return audit_log.c.action.like(escaped, escape="\\")


def action_condition(text: str):
    """The audit log's `action` filter: comma-separated actions, where `*` stands for any text
    (`item.*`, `*.deleted`) and a leading `-` leaves entries out (`-movement.*`). An entry is
    listed if it matches one of the others (or there are none) and none of the left-out ones, so
    `-*.created,-*.deleted` is every entry that neither created nor deleted something. `|`
    joins such lists as alternatives: `movement.created|-*.created` is every movement and
    every entry that created nothing."""
    groups = [group for group in text.split("|") if group.strip()] or [""]
    return or_(*(_actions_condition(group) for group in groups)) if len(groups) > 1 else _actions_condition(groups[0])


def _actions_condition(text: str):
    words = [word.strip() for word in text.split(",") if word.strip()]
    wanted = [word for word in words if not word.startswith("-")]
    unwanted = [word[1:] for word in words if word.startswith("-")]
    conditions = []
    if wanted:
        conditions.append(or_(*(_action_matches(word) for word in wanted)))
    if unwanted:
        conditions.append(not_(or_(*(_action_matches(word) for word in unwanted))))
    return and_(*conditions) if conditions else true()


def _about_item(workspace_id: str, item_id: str):
    """Entries of the item itself and of its movements (whose resource is the movement)."""
    moved = select(movements.c.id).where(movements.c.workspace_id == workspace_id, movements.c.item_id == item_id)
    return or_(and_(audit_log.c.resource_type == "item", audit_log.c.resource_id == item_id),
               and_(audit_log.c.resource_type == "movement", audit_log.c.resource_id.in_(moved)))


def list_audit(db: Database, workspace_id: str, filters: AuditFilters, page: PageRequest) -> Page:
    stmt = select(audit_log).where(audit_log.c.workspace_id == workspace_id)
    if filters.action is not None:
        stmt = stmt.where(action_condition(filters.action))
    for column, value in (("resource_type", filters.resource_type), ("resource_id", filters.resource_id)):
        if value is not None:
            stmt = stmt.where(audit_log.c[column] == value)
    if filters.item is not None:
        stmt = stmt.where(_about_item(workspace_id, filters.item))
    if filters.actor is not None:
        stmt = stmt.where(or_(audit_log.c.actor_id == filters.actor, audit_log.c.actor_name == filters.actor))
    if filters.since is not None:
        stmt = stmt.where(audit_log.c.created_at >= to_utc(filters.since))
    if filters.until is not None:
        stmt = stmt.where(audit_log.c.created_at < to_utc(filters.until))
    with db.read() as conn:
        return paginate(conn, stmt, Sort("-created_at", audit_log.c.created_at, audit_log.c.id, True), page)
