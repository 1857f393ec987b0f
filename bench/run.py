"""One benchmark run, start to end: set up, measure every workload `runs` times, report.

Setup (not measured): `storekeeper init` and an admin key from `storekeeper keys create`, the data
loaded while no server runs (bench/load.py), the same for the raw SQLite file of W4. Then a real
`storekeeper serve --workers N --no-worker` and the ceiling app, driven from the load process
(bench/client.py). Every process started here is stopped and every database made here removed
at the end, on errors and Ctrl-C too.
"""

from __future__ import annotations

import base64
import json
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from bench import load, processes, raw, report
from storekeeper.config import Settings
from storekeeper.persistence.database import Database

DEPTH_PAGES = 10_000  # W3's deep page, when there are that many
PAGE = 50
BULK = 500


@dataclass(frozen=True)
class Plan:
    items: int
    workers: int
    runs: int
    seconds: float  # each timed workload
    reads: int  # requests of each W3 read, at most (and no longer than `seconds`)
    quick: bool
    postgres: str | None
    out: Path


@dataclass
class Setup:
    url: str
    key: str
    workspace_id: str
    deep_pages: int
    deep_cursor: str
    deep_first_sku: str


def _deep_page(db: Database, workspace_id: str, items: int) -> tuple[int, str, str]:
    """W3's deep page: 10,000 pages of 50 in, or the deepest full page the data has. Built as the
    API builds `next_cursor` (persistence/pagination.py: the sort's name, the last row's SKU and
    id, as url-safe base64 JSON) rather than walked to."""
    pages = min(DEPTH_PAGES, max(1, (items - PAGE) // PAGE))
    last = pages * PAGE - 1  # the last row (by SKU) of the page before
    raw_cursor = json.dumps(["sku", load.sku(last), load.item_id_of(db, workspace_id, last)], separators=(",", ":"))
    cursor = base64.urlsafe_b64encode(raw_cursor.encode()).decode().rstrip("=")
    return pages, cursor, load.sku(last + 1)


def _loaded(console: Console, url: str, directory: Path, count: int, what: str) -> tuple[str, Database]:
    workspace_id = processes.cli_json(url, "init", "--workspace", "Bench", cwd=directory)["workspace_id"]
    db = Database(url, Settings(database_url=url))
    done = load.load(db, workspace_id, count)
    console.print(f"Loaded {count:,} items x {len(done.location_ids)} locations ({what}) in {done.seconds:.1f} s "
                  f"({count / done.seconds:,.0f} items/s)")
    return workspace_id, db


def setup(console: Console, plan: Plan, url: str, directory: Path) -> Setup:
    workspace_id, db = _loaded(console, url, directory, plan.items, "the server's database")
    try:
        key = processes.cli_json(url, "keys", "create", "--name", "bench", "--scope", "*", cwd=directory)["api_key"]
        pages, cursor, first_sku = _deep_page(db, workspace_id, plan.items)
    finally:
        db.dispose()
    return Setup(url, key, workspace_id, pages, cursor, first_sku)


def _spec(plan: Plan, service: processes.Service, key: str | None, kind: str, clients: int, **more) -> dict:
    return {"kind": kind, "base_url": service.url, "key": key, "clients": clients, "items": plan.items,
            "locations": list(load.LOCATIONS), "seconds": plan.seconds, "seed": time.time_ns(), **more}


def measure(console: Console, plan: Plan, s: Setup, server: processes.Service, ceiling: processes.Service,
            raw_conn: sqlite3.Connection, target: raw.Target) -> dict[str, float]:
    """Every workload once: the figures of one run."""
    f: dict[str, float] = {}

    def drive(label: str, spec: dict) -> dict:
        result = processes.drive(spec)
        console.print(f"  {label}: {result['requests']:,} requests, {result['rps']:,.1f}/s, "
                      f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, errors {result['errors']}")
        for sample in result["error_samples"]:
            console.print(f"    [red]error[/red] {sample}", markup=True, highlight=False)
        return result

    c1 = drive("W1 1 client", _spec(plan, server, s.key, "adjust", 1))
    # 32 clients warm up on their connections only: the server is warm from the 1-client run, and 64
    # more adjustments, one writer at a time, would take as long as the measurement itself.
    c32 = drive("W1 32 clients", _spec(plan, server, s.key, "adjust", 32, warmup=0))
    f.update(w1_c1_rps=c1["rps"], w1_c1_p50_ms=c1["p50_ms"], w1_c32_rps=c32["rps"], w1_c32_p50_ms=c32["p50_ms"],
             w1_c32_p99_ms=c32["p99_ms"], w1_errors=c1["errors"] + c32["errors"])
    bulk = drive(f"W2 bulk of {BULK}", _spec(plan, server, s.key, "bulk", plan.workers, bulk=BULK, warmup=1))
    f.update(w2_lines_per_s=(bulk["requests"] - bulk["errors"]) * BULK / bulk["seconds"], w2_p50_ms=bulk["p50_ms"],
             w2_errors=bulk["errors"])
    for kind, more in (("get", {}), ("list_first", {}), ("list_deep", {"cursor": s.deep_cursor}), ("search", {})):
        read = drive(f"W3 {kind}", _spec(plan, server, s.key, kind, 1, requests=plan.reads, **more))
        f.update({f"w3_{kind}_p99_ms": read["p99_ms"], f"w3_{kind}_p50_ms": read["p50_ms"],
                  f"w3_{kind}_errors": read["errors"]})
    single = raw.single(raw_conn, target, plan.seconds)
    many = raw.bulk(raw_conn, target, plan.seconds, BULK)
    console.print(f"  W4 raw SQLite: {single['tps']:,.0f} single transactions/s, {many['lines_per_s']:,.0f} "
                  f"lines/s in transactions of {BULK}")
    f.update(raw_single_tps=single["tps"], raw_bulk_lines_per_s=many["lines_per_s"])
    top = drive("W4 HTTP ceiling, 32 clients", _spec(plan, ceiling, None, "ceiling", 32, warmup=5))
    f.update(ceiling_post_rps=top["rps"], ceiling_errors=top["errors"])
    return f


def _check_deep_cursor(s: Setup, server: processes.Service) -> None:
    """The cursor built for W3 lands where it should: a wrong one would measure an error page."""
    response = httpx.get(f"{server.url}/v1/stock", params={"limit": PAGE, "cursor": s.deep_cursor},
                         headers={"Authorization": f"Bearer {s.key}"}, timeout=300)
    if response.status_code != 200:
        raise RuntimeError(f"the deep cursor was refused: {response.status_code} {response.text[:300]}")
    first = response.json()["data"][0]["sku"]
    if first != s.deep_first_sku:
        raise RuntimeError(f"the deep cursor starts at {first}, not {s.deep_first_sku}")


def _raw_setup(console: Console, plan: Plan, directory: Path) -> tuple[sqlite3.Connection, raw.Target]:
    """W4a's database: made by `storekeeper init` too, and loaded alike."""
    url = f"sqlite:///{directory / 'raw.db'}"
    workspace_id, db = _loaded(console, url, directory, plan.items, "raw SQLite, W4")
    db.dispose()
    conn = raw.connect(str(directory / "raw.db"), Settings().sqlite_synchronous)
    return conn, raw.Target(conn, workspace_id, plan.items)


def _peak_rss(console: Console, server: processes.Service) -> float:
    peaks = server.peak_rss_mb()
    console.print("Server peak RSS: " + ", ".join(f"{name}: {mb:,.0f} MB" for name, mb in peaks.items()),
                  highlight=False)
    return sum(peaks.values())


def _check(console: Console, url: str, directory: Path) -> bool:
    """`storekeeper check` on the server's database, after every write of every run."""
    started = time.perf_counter()
    check = processes.cli(url, "check", cwd=directory)
    console.print(f"storekeeper check ({time.perf_counter() - started:.1f} s): "
                  + ("OK" if check.returncode == 0 else f"FAILED\n{check.stderr[-3000:]}"), highlight=False)
    return check.returncode == 0


def _report(console: Console, plan: Plan, s: Setup, figures: dict[str, float], check_ok: bool,
            database: str) -> dict[str, Any]:
    data = report.results(figures, items=plan.items, workers=plan.workers, database=database, quick=plan.quick)
    extra = {**figures, "check_ok": check_ok, "deep_pages": s.deep_pages, "w2_clients": plan.workers}
    runs = f"median of {plan.runs} runs" if plan.runs > 1 else "1 run"
    report.show(console, data, extra, f"Storekeeper on {database}, {plan.items:,} items x {len(load.LOCATIONS)} "
                                      f"locations, {plan.workers} workers, {runs}")
    for key, count in figures.items():
        if key.endswith("_errors") and key != "w1_errors" and count:
            console.print(f"[red]{key}: {count:.0f}[/red] (over all runs)")
    report.write(plan.out, data)
    console.print(f"Wrote {plan.out}")
    return data


def run(plan: Plan, console: Console) -> tuple[dict[str, Any], bool]:
    """Returns (results.json's content, whether `storekeeper check` passed)."""
    directory = Path(tempfile.mkdtemp(prefix="storekeeper-bench-"))
    pg = processes.PostgresDatabase(plan.postgres) if plan.postgres else None
    services: list[processes.Service] = []
    raw_conn = None
    try:
        url = pg.create() if pg else f"sqlite:///{directory / 'bench.db'}"
        s = setup(console, plan, url, directory)
        raw_conn, target = _raw_setup(console, plan, directory)
        server = processes.serve(url, plan.workers, directory)
        services.append(server)
        ceiling = processes.ceiling(plan.workers, directory)
        services.append(ceiling)
        _check_deep_cursor(s, server)
        runs = []
        for number in range(1, plan.runs + 1):
            console.print(f"Run {number} of {plan.runs}")
            runs.append(measure(console, plan, s, server, ceiling, raw_conn, target))
        figures = {**report.combine(runs), "rss_mb": _peak_rss(console, server)}
        for service in services:
            service.stop()
        check_ok = _check(console, url, directory)
        return _report(console, plan, s, figures, check_ok, "postgresql" if pg else "sqlite"), check_ok
    finally:
        for service in services:
            service.stop()
        if raw_conn is not None:
            raw_conn.close()
        if pg is not None:
            pg.drop()
        shutil.rmtree(directory, ignore_errors=True)
