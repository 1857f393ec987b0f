"""The alerts outbox's writer: the ledger (and a changed reorder point or safety stock) hands it
the status changes it publishes, in the transaction that makes them, so an alert exists exactly
when its change committed. Kept apart from services/alerts.py, which uses the journal, because
the journal and the ledger call this.

Only an item's own status alerts (not each location's), and only when the workspace has alerts
on and chose the status (domain/alerts.alerts_for): a workspace without alerts pays nothing but
the check of changes in Python: the ledger of a stock change reads the chosen statuses with the
workspace's settings (services/stock.ledger_for), in the statement it runs anyway.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select

from storekeeper.domain.alerts import ALERTING, alerts_for
from storekeeper.domain.clock import utcnow
from storekeeper.domain.ids import new_id
from storekeeper.persistence.tables import alert_settings, stock_alerts

_CHOSEN = select(alert_settings.c.statuses).where(alert_settings.c.workspace_id == bindparam("ws"),
                                                  alert_settings.c.enabled)
_INSERT = stock_alerts.insert()
_EVERY = frozenset(ALERTING)


def queue_alerts(conn: Connection, workspace_id: str, changes: list[dict[str, Any]],
                 chosen: tuple[str, ...] | None = None) -> int:
    """Add an alert for each change of an item's status (`location` None) into a worse one the
    workspace chose (`chosen`: the statuses its alerts are on for, when the caller knows them);
    returns how many."""
    worse = [c for c in changes if c.get("location") is None and alerts_for(c["from"], c["to"], _EVERY)]
    if not worse:
        return 0
    if chosen is None:
        chosen = tuple(conn.execute(_CHOSEN, {"ws": workspace_id}).scalar_one_or_none() or ())
    if not chosen:
        return 0
    now = utcnow()
    rows = [{"workspace_id": workspace_id, "id": new_id("alert"), "item_id": c["item"], "from_status": c["from"],
             "to_status": c["to"], "on_hand": c["on_hand"], "available": c["available"], "state": "pending",
             "attempts": 0, "next_attempt_at": now, "lease": None, "leased_until": None, "last_error": None,
             "sent_at": None, "created_at": now}
            for c in worse if c["to"] in chosen]
    if rows:
        conn.execute(_INSERT, rows)
    return len(rows)
