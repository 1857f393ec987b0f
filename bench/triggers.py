"""`python -m bench.triggers [--postgres URL] [--rounds N]`: what the triggers that keep the
dashboard's running totals (migrations 0011, 0012 and 0028) cost the write path. Two databases alike,
600 items with a cost at one location, the triggers dropped from the second; then, round after
round on each in turn, 300 single adjustments and 4 bulks of 500 through the app in this process
(no HTTP server, no rate limits), and the medians per request; and the database's own time to
update the 500 levels in one statement (rolled back), where the triggers' cost shows apart from
the noise of the app's. On PostgreSQL each round starts
with VACUUM ANALYZE, as autovacuum would: every bulk leaves 500 dead item rows, which slow every
lookup of an item (the triggers' and the foreign keys') far more than the triggers do."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from bench.processes import PostgresDatabase
from storekeeper.api.app import create_app
from storekeeper.config import Settings
from storekeeper.persistence import migrate
from storekeeper.persistence.database import Database
from storekeeper.services import workspaces

ITEMS = 600
# The triggers of 0011 and 0012 (as 0028 keeps them, per unit, with its relabelling one), and their tables.
TRIGGERS = {"totals_level_insert": "stock_levels", "totals_level_update": "stock_levels",
            "totals_level_delete": "stock_levels", "totals_item_update": "items",
            "totals_item_unit": "items", "totals_status_insert": "items",
            "totals_status_update": "items", "totals_status_delete": "items", "totals_movement_insert": "movements"}


class Side:
    def __init__(self, url: str, triggers: bool):
        settings = Settings(database_url=url, worker=False, rate_limit_enabled=False)
        self.db = Database(url, settings)
        migrate.upgrade(self.db)
        self.client = TestClient(create_app(settings, self.db))
        _, key = workspaces.create_workspace(self.db, "Bench")
        self.headers = {"Authorization": f"Bearer {key}"}
        for n in range(ITEMS):
            self.post("/v1/items", {"sku": f"S{n}", "name": f"Item {n}", "unit_cost": "1.25"})
        if not triggers:
            with self.db.engine.begin() as conn:
                for name, table in TRIGGERS.items():
                    conn.exec_driver_sql(f"DROP TRIGGER {name}" + ("" if self.db.is_sqlite else f" ON {table}"))

    def post(self, path: str, body: dict) -> None:
        r = self.client.post(path, json=body, headers=self.headers)
        assert r.status_code in (200, 201), r.text[:300]

    def vacuum(self) -> None:
        if not self.db.is_sqlite:
            with self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")

    def singles(self, n: int = 300) -> float:
        started = time.perf_counter()
        for i in range(n):
            self.post("/v1/stock/adjustments", {"item": f"S{i % ITEMS}", "reason": "receipt", "delta": 1})
        return (time.perf_counter() - started) / n * 1000

    def raw_update(self) -> float:
        """The database's own time to add 1 to each of the 500 levels, rolled back: the triggers'
        cost without the app's."""
        with self.db.engine.connect() as conn:
            started = time.perf_counter()
            conn.exec_driver_sql("UPDATE stock_levels SET on_hand = on_hand + 1000000")
            elapsed = (time.perf_counter() - started) * 1000
            conn.rollback()
        return elapsed

    def bulks(self, n: int = 4) -> float:
        started = time.perf_counter()
        for _ in range(n):
            self.post("/v1/stock/adjustments/bulk", {"adjustments": [
                {"item": f"S{i}", "reason": "receipt", "delta": 1} for i in range(500)]})
        return (time.perf_counter() - started) / n * 1000


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.triggers", description=__doc__)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to create the two databases on")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    made: list[PostgresDatabase] = []
    with tempfile.TemporaryDirectory() as directory:
        urls = []
        for name in ("with", "without"):
            if args.postgres:
                database = PostgresDatabase(args.postgres)
                database.name += f"_{name}"
                database.url = database.url.rsplit("/", 1)[0] + "/" + database.name
                made.append(database)
                urls.append(database.create())
            else:
                urls.append(f"sqlite:///{Path(directory) / name}.db")
        try:
            sides = {"with the triggers": Side(urls[0], True), "without": Side(urls[1], False)}
            times: dict[str, tuple[list[float], list[float], list[float]]] = {name: ([], [], []) for name in sides}
            for _ in range(args.rounds):
                for name, side in sides.items():
                    side.vacuum()
                    times[name][0].append(side.singles())
                    times[name][1].append(side.bulks())
                    side.vacuum()
                    times[name][2].extend(side.raw_update() for _ in range(5))
            for name, (singles, bulks, raw) in times.items():
                print(f"{name}: single adjustment {statistics.median(singles):.2f} ms, "
                      f"bulk of 500 {statistics.median(bulks):.1f} ms (medians of {args.rounds} rounds); "
                      f"UPDATE of the 500 levels in SQL {statistics.median(raw):.2f} ms")
            for side in sides.values():
                side.db.dispose()
        finally:
            for database in made:
                database.drop()


if __name__ == "__main__":
    main()
