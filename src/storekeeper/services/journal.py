"""The audit log and the change feed: what every write records, in the write's own transaction.

`audit()` records one audit row: the action, the resource, the actor, the field-level changes
`{field: [old, new]}`, the request id and the client's address (from the request being served;
the system when there is none). `emit()` records an event of the change feed, and the ledger's
movements come through `record_movements()`. All three are queued and written as the
transaction's last work (persistence/database.before_commit): movements and events are numbered
then from the workspace's counters, so sequences follow commit order and the counter rows —
which every writer of the workspace takes in turn — stay locked only for the last two
statements and the commit. A change and its events commit together or not at all: the feed is the
webhooks' transactional outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from storekeeper.domain.alerts import alerts_about
from storekeeper.domain.clock import utcnow
from storekeeper.domain.ids import new_id
from storekeeper.domain.stock import stock_status
from storekeeper.persistence.counters import insert_numbered, number
from storekeeper.persistence.database import before_commit, transaction_state
from storekeeper.persistence.tables import audit_log, events, movements, stock_levels
from storekeeper.services import alert_outbox
from storekeeper.services.context import current_request

SYSTEM = {"type": "system", "id": "system", "name": "storekeeper"}
_JOURNAL = "storekeeper_journal"
_EVENTS, _MOVEMENTS, _AUDIT = "storekeeper_events", "storekeeper_movements", "storekeeper_audit"
# Columns that say nothing a reader of the audit log needs: bookkeeping of every row.
_INSERT_EVENTS = events.insert()
_NOT_CHANGES = frozenset({"workspace_id", "version", "updated_at", "created_at", "name_key"})


def _actor(actor: dict[str, str] | None) -> dict[str, str]:
    if actor is not None:
        return actor
    request = current_request()
    return (request.actor if request and request.actor else None) or SYSTEM


def changes_between(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    """{field: [old, new]} for each field that differs (a created resource: [null, value]; a
    deleted one: [value, null])."""
    before, after = before or {}, after or {}
    fields = (set(before) | set(after)) - _NOT_CHANGES
    return {f: [before.get(f), after.get(f)] for f in sorted(fields) if before.get(f) != after.get(f)}


def audit(conn: Connection, workspace_id: str, action: str, resource_type: str, resource_id: str | None,
          changes: dict[str, list[Any]] | None = None, *, actor: dict[str, str] | None = None) -> None:
    """Queue an audit row; written with the transaction's last statements."""
    request = current_request()
    who = _actor(actor)
    _queue(conn, _AUDIT).append({
        "workspace_id": workspace_id, "id": new_id("audit"), "action": action, "resource_type": resource_type,
        "resource_id": resource_id, "actor_type": who["type"], "actor_id": who["id"], "actor_name": who["name"],
        "changes": _plain(changes or {}), "request_id": request.request_id if request else None,
        "ip": request.ip if request else None, "created_at": utcnow(),
    })


def audit_movements(conn: Connection, workspace_id: str, movements: list[dict[str, Any]],
                    actor: dict[str, str]) -> None:
    """One audit row per movement: the level's on_hand before and after (and its label, if any)."""
    request = current_request()
    now = utcnow()
    _queue(conn, _AUDIT).extend({
        "workspace_id": workspace_id, "id": new_id("audit"), "action": "movement.created",
        "resource_type": "movement", "resource_id": m["id"], "actor_type": actor["type"], "actor_id": actor["id"],
        "actor_name": actor["name"],
        "changes": {"item": [None, m["item_id"]], "location": [None, m["location_id"]], "reason": [None, m["reason"]],
                    "on_hand": [m["before"], m["after"]],
                    **({"label": [None, m["label"]]} if m.get("label") is not None else {})},
        "request_id": request.request_id if request else None, "ip": request.ip if request else None,
        "created_at": now,
    } for m in movements)


def emit(conn: Connection, workspace_id: str, type: str, resource_type: str, resource_id: str | None,
         data: dict[str, Any]) -> dict[str, Any]:
    """Queue an event of the change feed; written (and numbered) right before the commit.
    Returns the queued row."""
    request = current_request()
    row = {"workspace_id": workspace_id, "id": new_id("event"), "type": type,
           "resource_type": resource_type, "resource_id": resource_id, "data": _plain(data),
           "request_id": request.request_id if request else None, "created_at": utcnow()}
    _queue(conn, _EVENTS).append(row)
    return row


def record_movements(conn: Connection, workspace_id: str, planned: list[dict[str, Any]],
                     view: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Queue the ledger's movements, each published as `stock.changed` with its `view`. They are
    written with the events, right before the commit, and numbered then from the workspace's
    `movements` counter (filling in `sequence` of each movement dict and of its event)."""
    pending = _queue(conn, _MOVEMENTS)
    for movement in planned:
        event = emit(conn, workspace_id, "stock.changed", "item", movement["item_id"], {"movement": view(movement)})
        pending.append((movement, event["data"]["movement"]))


def record(conn: Connection, workspace_id: str, action: str, resource_type: str, resource_id: str | None, *,
           changes: dict[str, list[Any]] | None = None, data: dict[str, Any] | None = None,
           event: bool = True) -> None:
    """Audit a write and, unless `event` is off, publish it as an event of the same type."""
    audit(conn, workspace_id, action, resource_type, resource_id, changes)
    if event:
        emit(conn, workspace_id, action, resource_type, resource_id,
             data if data is not None else {"id": resource_id, "changes": changes or {}})


def _queue(conn: Connection, name: str) -> list:
    before_commit(conn, _JOURNAL, _write_queued)
    return transaction_state(conn).setdefault(name, [])


def _write_queued(conn: Connection) -> None:
    """Insert the queued audit rows, movements and events, numbering movements and events from
    their workspace counters (movements first, in the order a snapshot takes them): the audit
    rows, then the counters, the movements and the events — whose stock.changed data shows each
    movement's sequence. A writer holds the counters for the last three and the commit."""
    state = transaction_state(conn)
    moved: list[tuple[dict[str, Any], dict[str, Any]]] = state.pop(_MOVEMENTS, [])
    published: list[dict[str, Any]] = state.pop(_EVENTS, [])
    audited: list[dict[str, Any]] = state.pop(_AUDIT, [])
    for workspace_id in sorted({m["workspace_id"] for m, _ in moved} | {e["workspace_id"] for e in published}
                               | {a["workspace_id"] for a in audited}):
        ours = [(m, view) for m, view in moved if m["workspace_id"] == workspace_id]
        rows = [{k: v for k, v in m.items() if k != "sku"} for m, _ in ours]
        feed = [e for e in published if e["workspace_id"] == workspace_id]
        last = insert_numbered(conn, workspace_id, [("movements", movements, rows)],
                               [(audit_log, [a for a in audited if a["workspace_id"] == workspace_id])],
                               reserve=[("events", len(feed))])
        for row, (movement, view) in zip(rows, ours, strict=True):
            movement["sequence"] = view["sequence"] = row["sequence"]
        if feed:
            number(feed, last["events"])
            conn.execute(_INSERT_EVENTS, feed)


def _plain(value: Any) -> Any:
    """Values as the API shows them: decimals and times stay exact through jsoncodec."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, (Decimal, datetime, str, int, float, bool)) or value is None:
        return value
    return str(value)


def item_view(row: dict[str, Any]) -> dict[str, Any]:
    """What an item event says about the item: enough to find it and to know what it is."""
    return {"id": row["id"], "number": row["number"], "sku": row["sku"], "name": row["name"], "kind": row["kind"],
            "tracking": row["tracking"], "unit": row["unit"], "parent": row.get("parent_id")}


def item_event(conn: Connection, action: str, before: dict[str, Any] | None, after: dict[str, Any],
               **extra: Any) -> None:
    """Audit and publish `item.<action>` with the fields that changed."""
    changes = changes_between(before, after)
    record(conn, after["workspace_id"], f"item.{action}", "item", after["id"], changes=changes,
           data={"item": item_view(after), "changes": changes, **extra})


def created(conn: Connection, resource_type: str, row: dict[str, Any], *, event: bool = False) -> None:
    record(conn, row["workspace_id"], f"{resource_type}.created", resource_type, row.get("id"),
           changes=changes_between(None, _shown(row)), event=event)


def updated(conn: Connection, resource_type: str, before: dict[str, Any], after: dict[str, Any], *,
            event: bool = False) -> None:
    if after is before:  # update_versioned found nothing to change
        return
    record(conn, before["workspace_id"], f"{resource_type}.updated", resource_type, before.get("id"),
           changes=changes_between(_shown(before), _shown(after)), event=event)


def deleted(conn: Connection, resource_type: str, row: dict[str, Any], *, event: bool = False) -> None:
    record(conn, row["workspace_id"], f"{resource_type}.deleted", resource_type, row.get("id"),
           changes=changes_between(_shown(row), None), event=event)


# Never in the audit log: secrets and their hashes.
_SECRET = frozenset({"key_hash", "secret", "password_hash", "session_secret"})


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in _SECRET}


def reservation_event(conn: Connection, action: str, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    view = {"id": after["id"], "item": after["item_id"], "location": after["location_id"],
            "quantity": after["quantity"], "fulfilled_quantity": after["fulfilled_quantity"],
            "status": after["status"], "reference": {"type": after.get("reference_type"),
                                                     "id": after.get("reference_id")},
            "expires_at": after.get("expires_at")}
    changes = changes_between(before, after)
    record(conn, after["workspace_id"], f"reservation.{action}", "reservation", after["id"], changes=changes,
           data={"reservation": view, "changes": changes})


def order_event(conn: Connection, kind: str, action: str, before: dict[str, Any] | None, after: dict[str, Any],
                **extra: Any) -> None:
    """`purchase_order.<action>` or `production_order.<action>`, with the order's identity and
    status and the fields that changed (lines are read from the order itself)."""
    if action == "updated" and before is not None and not extra.get("lines_changed") and \
            not changes_between({k: v for k, v in before.items() if k != "lines"},
                                {k: v for k, v in after.items() if k != "lines"}):
        return  # nothing changed
    fields = ("id", "number", "name", "status", "supplier", "location_id")
    view = {k.removesuffix("_id"): after[k] for k in fields if k in after}
    plain = {k: v for k, v in after.items() if k != "lines"}
    changes = changes_between({k: v for k, v in before.items() if k != "lines"} if before else None, plain)
    record(conn, after["workspace_id"], f"{kind}.{action}", kind, after["id"], changes=changes,
           data={kind: view, "changes": changes, **extra})


def threshold_status_changes(conn: Connection, before: dict[str, Any], after: dict[str, Any]) -> None:
    """`stock.status_changed` for the item's total and each of its levels whose status moved
    because its reorder point or safety stock changed (no movement: the ledger did not see it)."""
    changes = []
    if not after.get("has_variants") and after["tracking"] == "quantity":
        for location_id, on_hand, reserved in conn.execute(
                select(stock_levels.c.location_id, stock_levels.c.on_hand, stock_levels.c.reserved)
                .where(stock_levels.c.workspace_id == after["workspace_id"], stock_levels.c.item_id == after["id"])
                .order_by(stock_levels.c.location_id)):
            was, now = (stock_status(on_hand - reserved, row["safety_stock"], row["reorder_point"]).value
                        for row in (before, after))
            if was != now:
                changes.append((location_id, on_hand, reserved, was, now))
    # Levels first, then the total, as the ledger reports them.
    if before["status"] != after["status"]:
        changes.append((None, before["on_hand"], before["reserved"], before["status"], after["status"]))
    published = [{"item": after["id"], "sku": after["sku"], "location": location_id, "from": was, "to": now,
                  "on_hand": on_hand, "available": on_hand - reserved}
                 for location_id, on_hand, reserved, was, now in changes]
    for change in published:
        emit(conn, after["workspace_id"], "stock.status_changed", "item", after["id"], change)
    alert_outbox.queue_alerts(conn, after["workspace_id"], published if alerts_about(after) else [])
