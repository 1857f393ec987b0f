"""Loading the benchmark's data straight into a database: setup, not measured.

Items, two locations, a stock level per item and location and the `initial` movement that
explains it, in big executemany batches of INSERTs compiled from the project's own tables, with
values converted by its own column types, so that the rows are exactly what the services read. The ledger stays
consistent (`storekeeper check` passes on the loaded data): every level's on_hand is its one
movement's delta, every item's on_hand the sum of its levels, and the workspace's `movements`
counter is the number of movements written; items are numbered 1, 2, 3 … and the `items` counter
is their count.

Names are `<Word> <number>` (`Lantern 0001234`): `q=lantern 0001` finds a few dozen items, the
search of W3.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, select

from storekeeper.domain.clock import utcnow
from storekeeper.domain.ids import new_id
from storekeeper.domain.stock import stock_status
from storekeeper.persistence import counters as counter_rows
from storekeeper.persistence import totals
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import items, locations, movements, stock_levels
from storekeeper.services.journal import SYSTEM

LOCATIONS = ("Main warehouse", "Second warehouse")  # the first: the default location `init` makes
ON_HAND = Decimal(1000)  # per level: W1's and W2's sales (-1) never run out
UNIT_COST = Decimal("2.50")
WORDS = ("amber", "basket", "candle", "drawer", "easel", "funnel", "goblet", "hammock", "inkwell", "jigsaw",
         "kettle", "lantern", "mitten", "napkin", "orchid", "pillow", "quiver", "ribbon", "saddle", "teapot",
         "umbrella", "vase", "wallet", "yarn", "zither", "anchor", "bucket", "compass", "doormat", "envelope",
         "fiddle", "gravel", "helmet", "icepack", "jacket", "kayak", "ladle", "mirror", "needle", "oven")
BATCH = 20_000


def sku(i: int) -> str:
    return f"BENCH-{i:07d}"


def name(i: int) -> str:
    return f"{WORDS[i % len(WORDS)].title()} {i:07d}"


def search_term(i: int) -> str:
    """What W3 searches for: the word and the first four digits of item i's name."""
    return f"{WORDS[i % len(WORDS)]} {i // 1000:04d}"


@dataclass(frozen=True)
class Loaded:
    workspace_id: str
    location_ids: tuple[str, ...]
    items: int
    seconds: float


def load(db: Database, workspace_id: str, count: int, *, progress=None) -> Loaded:
    """Load `count` items with stock at both locations into an empty workspace of `db`."""
    started = time.perf_counter()
    now = utcnow()
    with db.engine.begin() as conn:
        location_ids = _insert_locations(conn, workspace_id, now)
    status = stock_status(ON_HAND * len(location_ids), Decimal(0), Decimal(0)).value
    common = {"workspace_id": workspace_id}
    item_rows = _Insert(items, {**common, **_ITEM, "on_hand": ON_HAND * len(location_ids), "status": status,
                                "created_at": now, "updated_at": now}, ("id", "number", "sku", "name", "name_key"))
    level_rows = _Insert(stock_levels, {**common, "on_hand": ON_HAND, "reserved": Decimal(0), "updated_at": now},
                         ("item_id", "location_id"))
    movement_rows = _Insert(movements, {**common, **_MOVEMENT, "occurred_at": now, "created_at": now},
                            ("id", "sequence", "item_id", "location_id"))
    written = 0
    for first in range(0, count, BATCH):
        chunk = range(first, min(first + BATCH, count))
        new_items, new_levels, new_movements = [], [], []
        for i in chunk:
            item_id, item_name = new_id("item"), name(i)
            new_items.append((item_id, i + 1, sku(i), item_name, item_name.casefold()))
            for location_id in location_ids:
                written += 1
                new_levels.append((item_id, location_id))
                new_movements.append((new_id("movement"), written, item_id, location_id))
        with db.engine.begin() as conn:  # a few big transactions: few syncs, whatever the setting
            item_rows.execute(conn, new_items)
            level_rows.execute(conn, new_levels)
            movement_rows.execute(conn, new_movements)
        if progress is not None:
            progress(chunk.stop, count)
    with db.engine.begin() as conn:
        counter_rows.bump(conn, workspace_id, "movements", written)
        counter_rows.bump(conn, workspace_id, items.name, count)  # item i is number i + 1 (tables._number)
        totals.fold(conn, workspace_id)  # the triggers' rows of the dashboard's totals, as an import folds them
    if not db.is_sqlite:
        # What autovacuum would have done by the time a database holds this much: the planner's
        # statistics and the visibility map (index-only scans). The server never runs ANALYZE on
        # SQLite, so neither does the benchmark.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return Loaded(workspace_id, location_ids, count, time.perf_counter() - started)


# What every loaded item and movement has in common (besides the workspace and the time).
_ITEM = {"kind": "product", "tracking": "quantity", "unit": "pcs", "tags": [], "attributes": {}, "reorder_urls": [],
         "images": [], "channels": {}, "metadata": {}, "unit_cost": UNIT_COST, "average_cost": UNIT_COST,
         "reserved": Decimal(0), "incoming": Decimal(0), "has_variants": False, "version": 1}
_MOVEMENT = {"reason": "initial", "delta": ON_HAND, "before": Decimal(0), "after": ON_HAND, "unit_cost": UNIT_COST,
             "actor_type": SYSTEM["type"], "actor_id": SYSTEM["id"], "actor_name": SYSTEM["name"]}


class _Insert:
    """`table.insert()` compiled once for the database's dialect, the values every row shares
    converted once by the columns' own types (Micros, UTCDateTime, JSON), and the rows sent with
    the driver's executemany: SQLAlchemy's per-row parameter processing would take most of the
    load time of a million items."""

    def __init__(self, table: Table, constant: dict[str, Any], varying: tuple[str, ...]):
        self.table, self.constant, self.varying = table, constant, varying

    def execute(self, conn: Connection, rows: list[tuple]) -> None:
        dialect = conn.dialect
        compiled = self.table.insert().compile(dialect=dialect, column_keys=[*self.constant, *self.varying])
        shared = {key: self._process(key, value, dialect) for key, value in self.constant.items()}
        processors = [self.table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in self.varying]
        if any(processors):
            rows = [tuple(p(v) if p else v for p, v in zip(processors, row, strict=True)) for row in rows]
        named = [{**shared, **dict(zip(self.varying, row, strict=True))} for row in rows]
        if compiled.positiontup is not None:
            conn.exec_driver_sql(compiled.string, [tuple(p[key] for key in compiled.positiontup) for p in named])
        else:
            conn.exec_driver_sql(compiled.string, named)

    def _process(self, key: str, value: Any, dialect) -> Any:
        processor = self.table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        return processor(value) if processor else value


def _insert_locations(conn: Connection, workspace_id: str, now) -> tuple[str, ...]:
    """The new workspace's default location, which `storekeeper init` made ("Main warehouse"),
    and the others of LOCATIONS."""
    existing = conn.execute(select(locations.c.id, locations.c.name).where(
        locations.c.workspace_id == workspace_id, locations.c.deleted_at.is_(None))).all()
    if [row.name for row in existing] != [LOCATIONS[0]]:
        raise RuntimeError(f"the benchmark loads into a new workspace, whose one location is {LOCATIONS[0]!r}")
    rows = [{"workspace_id": workspace_id, "id": new_id("location"), "name": place, "type": "warehouse",
             "read_only": False, "is_default": False, "is_active": True, "hide_materials": False,
             "version": 1, "created_at": now, "updated_at": now} for place in LOCATIONS[1:]]
    conn.execute(locations.insert(), rows)
    return (existing[0].id, *(row["id"] for row in rows))


def item_id_of(db: Database, workspace_id: str, i: int) -> str:
    with db.read() as conn:
        return conn.execute(select(items.c.id).where(items.c.workspace_id == workspace_id,
                                                     items.c.sku == sku(i))).scalar_one()
