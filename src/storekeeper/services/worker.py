"""Background work: reservations that expire, Idempotency-Key records past their 24 hours,
items in the trash past the workspace's `trash_retention_days`.

`storekeeper serve` runs it in a thread of each server process by default; `storekeeper worker`
runs it on its own. Several at once are safe: each step locks what it changes.
"""

from __future__ import annotations

import logging
import threading

from storekeeper.persistence.database import Database
from storekeeper.services import idempotency, reservations, trash

log = logging.getLogger("storekeeper.worker")


def run_once(db: Database) -> dict[str, int]:
    return {
        "expired_reservation_items": reservations.expire_due(db),
        "idempotency_keys_purged": idempotency.purge_expired(db),
        "items_purged": trash.purge_expired(db),
    }


def run_forever(db: Database, interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            done = run_once(db)
            if any(done.values()):
                log.info("worker: %s", done)
        except Exception:  # keep running: the next round retries whatever failed
            log.exception("worker round failed")
        stop.wait(interval)


def start_thread(db: Database, interval: float) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(db, interval, stop), name="storekeeper-worker", daemon=True)
    thread.start()
    return thread, stop
