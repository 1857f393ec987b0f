"""`python -m bench.web [--items N] [--reads N] [--postgres URL]`: how long the dashboard's pages
take at a size (issue 9: under 300 ms with a million items). Loads the items as `python -m bench`
does (two locations, stock at each), starts a real `storekeeper serve`, signs in as the admin
`storekeeper init` made, and times each page over HTTP from this process: p50 and p99 of
`--reads` requests. See docs/performance.md ("The dashboard")."""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from bench import load, processes
from storekeeper.config import Settings
from storekeeper.persistence.database import Database

TARGET_MS = 300.0


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.web", description=__doc__)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--reads", type=int, default=20, help="requests of each page (default 20)")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to create the database on")
    parser.add_argument("--existing", metavar="URL", help="time an existing database instead (no loading); "
                        "with --email and --password of a user who may sign in, and --sku of an item")
    parser.add_argument("--email")
    parser.add_argument("--password")
    parser.add_argument("--sku")
    args = parser.parse_args()
    console = Console()
    if args.existing:
        with tempfile.TemporaryDirectory(prefix="storekeeper-bench-web-") as tmp:
            measure(console, args.existing, Path(tmp), {"admin_email": args.email, "admin_password": args.password},
                    args.sku, "an existing database", args.reads)
        return
    with tempfile.TemporaryDirectory(prefix="storekeeper-bench-web-") as tmp:
        directory = Path(tmp)
        database = processes.PostgresDatabase(args.postgres) if args.postgres else None
        url = database.create() if database else f"sqlite:///{directory / 'web.db'}"
        try:
            run(console, url, directory, args.items, args.reads)
        finally:
            if database:
                database.drop()


def run(console: Console, url: str, directory: Path, count: int, reads: int) -> None:
    made = processes.cli_json(url, "init", "--workspace", "Bench", "--json", cwd=directory)
    db = Database(url, Settings(database_url=url))
    console.print(f"Loading {count:,} items x 2 locations …")
    loaded = load.load(db, made["workspace_id"], count)
    console.print(f"Loaded in {loaded.seconds:.1f} s")
    db.dispose()
    measure(console, url, directory, made, load.sku(count // 2), f"{count:,} items x 2 locations", reads,
            search=load.search_term(count // 3))


def measure(console: Console, url: str, directory: Path, made: dict, middle: str, size: str, reads: int,
            search: str = "item 12345") -> None:
    server = processes.serve(url, 2, directory)
    try:
        with httpx.Client(base_url=server.url, timeout=60, follow_redirects=False) as client:
            signed = client.post("/login", data={"email": made["admin_email"], "password": made["admin_password"]})
            assert signed.status_code == 303, signed.text
            first = client.get("/items")
            deep = re.search(r'hx-get="(/items\?[^"]+)"', first.text).group(1).replace("&amp;", "&")
            pages = {
                "overview /": "/",
                "items, first page": "/items",
                "items, second page (cursor)": deep,
                f"items?q={search}": f"/items?q={search}",
                "items?status=low": "/items?status=low",
                f"item page {middle}": f"/items/{middle}",
                f"adjust form {middle}": f"/items/{middle}/adjust",
                "locations": "/locations",
                "purchase orders": "/purchase-orders",
                "production board": "/production",
                "audit log": "/audit-log",
                # The pages of issue 22: forms, files, labels, catalogue settings, alerts.
                "new item form": "/items/new",
                f"item edit form {middle}": f"/items/{middle}/edit",
                "new location form": "/locations/new",
                "trash": "/trash",
                "import & export": "/import",
                f"labels form {middle}": f"/labels?items={middle}",
                f"labels PDF {middle} (L7160)": f"/labels.pdf?items={middle}&size=L7160",
                "categories": "/categories",
                "tax rates": "/tax-rates",
                "reasons": "/reasons",
                "new purchase order form": "/purchase-orders/new",
                "new production order form": "/production/new",
                "alerts": "/alerts",
            }
            table = Table(title=f"Dashboard pages, {size}, {reads} requests each")
            for column in ("page", "p50 ms", "p99 ms", f"≤ {TARGET_MS:.0f} ms"):
                table.add_column(column, justify="left" if column == "page" else "right")
            for label, path in pages.items():
                times = []
                for _ in range(reads):
                    started = time.perf_counter()
                    response = client.get(path)
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (path, response.status_code, response.text[:300])
                p50, p99 = statistics.median(times), _percentile(times, 99)
                table.add_row(label, f"{p50:.1f}", f"{p99:.1f}", "yes" if p99 <= TARGET_MS else "no")
            console.print(table)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
