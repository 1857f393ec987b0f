"""Background work: reservations that expire, Idempotency-Key records past their 24 hours,
items in the trash past the workspace's `trash_retention_days`, webhook deliveries, stock alert
emails (services/alert_mail.py; purged 30 days after), events past `event_retention_days`,
dashboard sessions past their end, the daily snapshots of workspaces that ask for them, and the
folding of the dashboard's running totals (persistence/totals.py).

`storekeeper serve` runs it in a thread of each server process by default; `storekeeper worker`
runs it on its own. Several at once are safe: each step locks what it changes.
"""

from __future__ import annotations

import logging
import threading
import time

from storekeeper.persistence.database import Database
from storekeeper.services import (
    alert_mail,
    dashboard,
    delivery,
    feed,
    idempotency,
    reservations,
    sessions,
    snapshots,
    trash,
)

log = logging.getLogger("storekeeper.worker")


# Housekeeping that need not run every round: (seconds between runs, the job).
_PERIODIC = {"events_purged": (3600.0, feed.purge_events), "sessions_purged": (3600.0, sessions.purge_expired),
             "alerts_purged": (3600.0, alert_mail.purge_old),
             "snapshots_taken": (300.0, snapshots.take_daily), "totals_folded": (10.0, dashboard.fold_totals)}
_last_run: dict[tuple[int, str], float] = {}


def run_once(db: Database, *, everything: bool = True, allow_private: bool = False,
             smtp_allow_loopback: bool = False) -> dict[str, int]:
    """One round. `everything` off skips the hourly and five-minutely jobs that ran recently;
    `allow_private` lets webhooks reach private addresses (STOREKEEPER_WEBHOOK_ALLOW_PRIVATE),
    `smtp_allow_loopback` alert emails go through a relay on this machine (STOREKEEPER_SMTP_ALLOW_LOOPBACK)."""
    done = {
        "events_delivered": delivery.deliver_due(db, allow_private=allow_private),
        "alerts_sent": alert_mail.send_due(db, allow_loopback=smtp_allow_loopback),
        "expired_reservation_items": reservations.expire_due(db),
        "idempotency_keys_purged": idempotency.purge_expired(db),
        "items_purged": trash.purge_expired(db),
    }
    for name, (every, job) in _PERIODIC.items():
        key = (id(db), name)
        if everything or time.monotonic() - _last_run.get(key, float("-inf")) >= every:
            _last_run[key] = time.monotonic()
            done[name] = job(db)
    return done


def run_forever(db: Database, interval: float, stop: threading.Event, *, allow_private: bool = False,
                smtp_allow_loopback: bool = False) -> None:
    while not stop.is_set():
        try:
            done = run_once(db, everything=False, allow_private=allow_private, smtp_allow_loopback=smtp_allow_loopback)
            if any(done.values()):
                log.info("worker: %s", done)
        except Exception:  # keep running: the next round retries whatever failed
            log.exception("worker round failed")
        stop.wait(interval)


def start_thread(db: Database, interval: float, *, allow_private: bool = False,
                 smtp_allow_loopback: bool = False) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(db, interval, stop),
                              kwargs={"allow_private": allow_private, "smtp_allow_loopback": smtp_allow_loopback},
                              name="storekeeper-worker", daemon=True)
    thread.start()
    return thread, stop
