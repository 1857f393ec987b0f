"""W4a, the database's own limit: adjustments written straight to SQLite with python's sqlite3.

On a database made by `storekeeper init` and loaded like the server's (same schema and indexes,
same number of items), with the server's connection settings (WAL, its `synchronous`, foreign
keys), each adjustment makes the row changes the server makes for one: the level's on_hand, the
item's sums, average cost and updated_at, a movement numbered from the workspace's `movements` counter, its
audit row, its `stock.changed` event numbered from the `events` counter, both counters bumped.
Nothing else: no lookups by SKU, no locking reads, no HTTP. `single` commits each adjustment on
its own (BEGIN IMMEDIATE … COMMIT, as the server does), `bulk` 500 to a transaction, each
statement sent once for all of them (executemany).
"""

from __future__ import annotations

import random
import sqlite3
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bench.load import UNIT_COST, sku
from storekeeper.domain.ids import new_id
from storekeeper.domain.quantities import to_micros
from storekeeper.jsoncodec import dumps

ACTOR = {"type": "api_key", "id": "key_bench", "name": "bench"}
_LEVEL = ("UPDATE stock_levels SET on_hand = on_hand + ?, updated_at = ? "
          "WHERE workspace_id = ? AND item_id = ? AND location_id = ?")
_ITEM = ("UPDATE items SET on_hand = on_hand + ?, reserved = 0, status = 'normal', average_cost = ?, incoming = 0, "
         "updated_at = ? WHERE workspace_id = ? AND id = ?")
_COUNTERS = ("INSERT INTO counters (workspace_id, name, value) VALUES (?, 'movements', ?), (?, 'events', ?) "
             "ON CONFLICT (workspace_id, name) DO UPDATE SET value = value + excluded.value RETURNING name, value")
_MOVEMENT = ("INSERT INTO movements (workspace_id, id, sequence, item_id, location_id, reason, delta, before, after, "
             "unit_cost, note, reference_type, reference_id, transfer_id, bundle_id, batch_id, actor_type, actor_id, "
             "actor_name, occurred_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, "
             "NULL, NULL, ?, ?, ?, ?, ?)")
_AUDIT = ("INSERT INTO audit_log (workspace_id, id, action, resource_type, resource_id, actor_type, actor_id, "
          "actor_name, changes, request_id, ip, created_at) VALUES (?, ?, 'movement.created', 'movement', ?, ?, ?, ?, "
          "?, ?, '127.0.0.1', ?)")
_EVENT = ("INSERT INTO events (workspace_id, sequence, id, type, resource_type, resource_id, data, request_id, "
          "created_at) VALUES (?, ?, ?, 'stock.changed', 'item', ?, ?, ?, ?)")


def connect(path: str, synchronous: str) -> sqlite3.Connection:
    """A connection set up as persistence/database.py sets up the server's."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def _stamp(moment: datetime) -> str:
    """UTCDateTime as SQLite stores it: naive UTC text."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


class Target:
    """The items (a random sample of them) and locations of a loaded workspace."""

    def __init__(self, conn: sqlite3.Connection, workspace_id: str, items: int, sample: int = 20_000, seed: int = 7):
        rng = random.Random(seed)
        numbers = rng.sample(range(items), min(sample, items))
        self.workspace_id = workspace_id
        self.items: list[tuple[str, str]] = []
        for first in range(0, len(numbers), 500):
            skus = [sku(i) for i in numbers[first:first + 500]]
            marks = ",".join("?" * len(skus))
            self.items += conn.execute(f"SELECT id, sku FROM items WHERE workspace_id = ? AND sku IN ({marks})",
                                       [workspace_id, *skus]).fetchall()
        self.locations = [row[0] for row in conn.execute(
            "SELECT id FROM locations WHERE workspace_id = ? ORDER BY name", [workspace_id])]
        self.rng = rng

    def adjustment(self) -> tuple[str, str, str, str, Decimal]:
        item_id, item_sku = self.rng.choice(self.items)
        receipt = self.rng.random() < 0.5
        delta = Decimal(self.rng.randint(1, 5)) if receipt else Decimal(-1)
        return item_id, item_sku, self.rng.choice(self.locations), "receipt" if receipt else "sale", delta


def _rows(target: Target, adjustment, before: Decimal, sequence: int, event_sequence: int, now: datetime):
    """The movement, audit and event rows of one adjustment, as the server writes them."""
    item_id, item_sku, location_id, reason, delta = adjustment
    ws, at = target.workspace_id, _stamp(now)
    after = before + delta
    unit_cost = UNIT_COST if delta > 0 else None
    movement_id, request_id = new_id("movement"), new_id("request")
    movement = (ws, movement_id, sequence, item_id, location_id, reason, to_micros(delta), to_micros(before),
                to_micros(after), to_micros(unit_cost) if unit_cost is not None else None, ACTOR["type"],
                ACTOR["id"], ACTOR["name"], at, at)
    changes = {"item": [None, item_id], "location": [None, location_id], "reason": [None, reason],
               "on_hand": [before, after]}
    audit = (ws, new_id("audit"), movement_id, ACTOR["type"], ACTOR["id"], ACTOR["name"], dumps(changes).decode(),
             request_id, at)
    view = {"id": movement_id, "item": item_id, "sku": item_sku, "location": location_id, "reason": reason,
            "delta": delta, "before": before, "after": after, "unit_cost": "2.50" if unit_cost else None,
            "note": None, "reference": None, "transfer": None, "bundle": None, "batch": None, "actor": ACTOR,
            "occurred_at": now, "created_at": now, "sequence": sequence}
    event = (ws, event_sequence, new_id("event"), item_id, dumps({"movement": view}).decode(), request_id, at)
    return movement, audit, event


def single(conn: sqlite3.Connection, target: Target, seconds: float) -> dict[str, Any]:
    """Adjustments one per transaction for `seconds`: transactions a second."""
    ws, done = target.workspace_id, 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        adjustment = target.adjustment()
        item_id, _, location_id, _, delta = adjustment
        now = datetime.now(UTC)
        conn.execute("BEGIN IMMEDIATE")
        after = conn.execute(_LEVEL + " RETURNING on_hand", (to_micros(delta), _stamp(now), ws, item_id,
                                                             location_id)).fetchone()[0]
        conn.execute(_ITEM, (to_micros(delta), to_micros(UNIT_COST), _stamp(now), ws, item_id))
        before = Decimal(after) / 1_000_000 - delta
        counters = dict(conn.execute(_COUNTERS, (ws, 1, ws, 1)).fetchall())
        movement, audit, event = _rows(target, adjustment, before, counters["movements"], counters["events"], now)
        conn.execute(_AUDIT, audit)
        conn.execute(_MOVEMENT, movement)
        conn.execute(_EVENT, event)
        conn.execute("COMMIT")
        done += 1
    elapsed = time.perf_counter() - started
    return {"transactions": done, "seconds": elapsed, "tps": done / elapsed}


def bulk(conn: sqlite3.Connection, target: Target, seconds: float, size: int = 500) -> dict[str, Any]:
    """Transactions of `size` adjustments (of distinct levels) for `seconds`: lines a second."""
    ws, lines, transactions = target.workspace_id, 0, 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        batch = {(a[0], a[2]): a for a in (target.adjustment() for _ in range(size))}.values()
        now = datetime.now(UTC)
        at = _stamp(now)
        conn.execute("BEGIN IMMEDIATE")
        ids = sorted({a[0] for a in batch})
        marks = ",".join("?" * len(ids))
        levels = {(item, place): Decimal(on_hand) / 1_000_000 for item, place, on_hand in conn.execute(
            f"SELECT item_id, location_id, on_hand FROM stock_levels WHERE workspace_id = ? AND item_id IN ({marks})",
            [ws, *ids])}
        conn.executemany(_LEVEL, [(to_micros(a[4]), at, ws, a[0], a[2]) for a in batch])
        conn.executemany(_ITEM, [(to_micros(a[4]), to_micros(UNIT_COST), at, ws, a[0]) for a in batch])
        counters = dict(conn.execute(_COUNTERS, (ws, len(batch), ws, len(batch))).fetchall())
        first_movement, first_event = counters["movements"] - len(batch) + 1, counters["events"] - len(batch) + 1
        rows = [_rows(target, a, levels[(a[0], a[2])], first_movement + n, first_event + n, now)
                for n, a in enumerate(batch)]
        conn.executemany(_AUDIT, [r[1] for r in rows])
        conn.executemany(_MOVEMENT, [r[0] for r in rows])
        conn.executemany(_EVENT, [r[2] for r in rows])
        conn.execute("COMMIT")
        lines += len(rows)
        transactions += 1
    elapsed = time.perf_counter() - started
    return {"transactions": transactions, "lines": lines, "seconds": elapsed, "lines_per_s": lines / elapsed}

