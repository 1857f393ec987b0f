"""`python -m bench.wrk [--postgres URL] [--items N] [--runs N] [--seconds S] [--workers N]
[--connections C] [--out PATH]`: single adjustments (W1) driven by `wrk`, a compiled load
generator, against a real `storekeeper serve`, beside the HTTP ceiling measured by the same tool in
the same run (bench/ceiling.py under uvicorn with the same workers), issue 23.

Each run, in turns: the ceiling closed loop, W1 closed loop (C connections), W1 open loop at 100
requests/s (Poisson arrivals, latency from each request's scheduled send: bench/wrk_scripts.py),
then open loops at rising rates up to the highest whose p99 stays within 100 ms. Server CPU per
adjustment is the server processes' user + system time over the closed loop (from /proc) divided
by the adjustments it answered. Reported: medians over the runs. `storekeeper check` must pass
after all the writes. Loopback only; wrk is Debian's package (`apt-get install wrk`).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench import load, processes
from bench.wrk_scripts import ADJUST, OPEN_LOOP
from storekeeper.config import Settings
from storekeeper.persistence.database import Database

HERE = Path(__file__).resolve().parent
OPEN_RATE = 100  # requests/s of the fixed-rate latency figure
P99_BUDGET_MS = 100.0
RATES = (50, 100, 150, 200, 300, 400, 500, 600, 800, 1000, 1300)
_LATENCY = re.compile(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: `apt-get install wrk` (Debian's package), or `make bench` does it.")
    return found


class Driver:
    """Runs wrk with a script against one server."""

    def __init__(self, directory: Path, items: int, key: str | None, seconds: float):
        self.wrk, self.directory, self.items, self.key, self.seconds = _wrk(), directory, items, key, seconds
        (directory / "adjust.lua").write_text(ADJUST)
        (directory / "open.lua").write_text(OPEN_LOOP)

    def _args(self, path: str) -> list[str]:
        return ["--", str(self.items), self.key or "-", "|".join(load.LOCATIONS), str(time.time_ns() % 10**9), path]

    def _run(self, command: list[str]) -> str:
        done = subprocess.run(command, capture_output=True, text=True, timeout=self.seconds * 4 + 120)
        if done.returncode != 0:
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-2000:]}")
        return done.stdout

    def closed(self, url: str, path: str, connections: int) -> dict[str, float]:
        out = self._run([self.wrk, "-t", "2", "-c", str(connections), "-d", f"{self.seconds:g}s", "--latency",
                         "--timeout", "10s", "-s", str(self.directory / "adjust.lua"), url + path, *self._args(path)])
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p99 = _LATENCY.search(out)
        errors = int(re.search(r"STATUS_ERRORS (\d+)", out).group(1))
        socket_errors = re.search(r"Socket errors: (.*)", out)
        requests = int(re.search(r"(\d+) requests in", out).group(1))
        return {"rps": rps, "p99_ms": float(p99.group(1)) * _UNITS_MS[p99.group(2)], "requests": requests,
                "errors": errors + (sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
                                    if socket_errors else 0)}

    def open(self, url: str, path: str, rate: float, connections: int) -> dict[str, float]:
        """`rate` requests/s over `connections` connections (one per wrk thread), 1 s of warm-up."""
        seconds = self.seconds + 1
        out = self._run([self.wrk, "-t", str(connections), "-c", str(connections), "-d", f"{seconds:g}s",
                         "--timeout", "10s", "-s", str(self.directory / "open.lua"), url + path,
                         *self._args(path), str(rate / connections), "1000"])
        count, p50, p99, p999, errors, late = re.search(
            r"OPEN_LOOP (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+) (\d+)", out).groups()
        return {"rate": rate, "requests": int(count), "achieved": int(count) / self.seconds, "p50_ms": float(p50),
                "p99_ms": float(p99), "p999_ms": float(p999), "errors": int(errors), "late": int(late)}


def _setup(console: Console, url: str, directory: Path, items: int) -> str:
    """`storekeeper init`, the items loaded while no server runs, an admin key."""
    workspace_id = processes.cli_json(url, "init", "--workspace", "Bench", cwd=directory)["workspace_id"]
    db = Database(url, Settings(database_url=url))
    try:
        done = load.load(db, workspace_id, items)
    finally:
        db.dispose()
    console.print(f"Loaded {items:,} items x {len(load.LOCATIONS)} locations in {done.seconds:.1f} s")
    return processes.cli_json(url, "keys", "create", "--name", "bench", "--scope", "*", cwd=directory)["api_key"]


def _highest_within_budget(console: Console, driver: Driver, server: processes.Service, connections: int,
                           rates: tuple[int, ...]) -> float:
    best = 0.0
    for rate in rates:
        result = driver.open(server.url, "/v1/stock/adjustments", rate, connections)
        console.print(f"    open loop {rate}/s: p99 {result['p99_ms']:.1f} ms, errors {result['errors']}")
        if result["p99_ms"] > P99_BUDGET_MS or result["errors"]:
            break
        best = rate
    return best


def one_run(console: Console, driver: Driver, server: processes.Service, ceiling: processes.Service,
            connections: int, rates: tuple[int, ...] = RATES) -> dict[str, float]:
    top = driver.closed(ceiling.url, "/ceiling", connections)
    console.print(f"  ceiling: {top['rps']:,.0f} req/s, p99 {top['p99_ms']:.1f} ms, errors {top['errors']}")
    cpu = server.cpu_seconds()
    w1 = driver.closed(server.url, "/v1/stock/adjustments", connections)
    cpu_ms = (server.cpu_seconds() - cpu) * 1000 / max(1, w1["requests"])
    console.print(f"  W1 closed loop: {w1['rps']:,.0f} req/s ({w1['rps'] / top['rps']:.1%} of the ceiling), "
                  f"p99 {w1['p99_ms']:.1f} ms, server CPU {cpu_ms:.2f} ms each, errors {w1['errors']}")
    fixed = driver.open(server.url, "/v1/stock/adjustments", OPEN_RATE, connections)
    console.print(f"  W1 open loop {OPEN_RATE}/s: p50 {fixed['p50_ms']:.1f} ms, p99 {fixed['p99_ms']:.1f} ms, "
                  f"p99.9 {fixed['p999_ms']:.1f} ms, errors {fixed['errors']}")
    best = _highest_within_budget(console, driver, server, connections, rates)
    return {"ceiling_rps": top["rps"], "w1_rps": w1["rps"], "w1_share_of_ceiling": w1["rps"] / top["rps"],
            "w1_p99_ms": w1["p99_ms"], "w1_server_cpu_ms": cpu_ms, "open_100_p50_ms": fixed["p50_ms"],
            "open_100_p99_ms": fixed["p99_ms"], "highest_rate_p99_within_100ms": best,
            "errors": top["errors"] + w1["errors"] + fixed["errors"]}


def _show(console: Console, medians: dict[str, float], title: str) -> None:
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("median", justify="right")
    for name, value in medians.items():
        table.add_row(name, f"{value:.1%}" if name.endswith("share_of_ceiling") else f"{value:,.2f}")
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.wrk", description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to make the database on")
    parser.add_argument("--items", type=int, default=10_000, help="items loaded (default 10,000)")
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs, medians reported (default 3)")
    parser.add_argument("--seconds", type=float, default=10, help="each measurement (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="server workers (default 2)")
    parser.add_argument("--connections", type=int, default=32, help="connections (default 32)")
    parser.add_argument("--rates", type=lambda text: tuple(int(r) for r in text.split(",")), default=RATES,
                        help="the open-loop rates tried, rising, for the highest within 100 ms p99 "
                             f"(default {','.join(map(str, RATES))})")
    parser.add_argument("--out", type=Path, default=HERE / "results-wrk.json")
    args = parser.parse_args(argv)
    console = Console()
    directory = Path(tempfile.mkdtemp(prefix="storekeeper-wrk-"))
    pg = processes.PostgresDatabase(args.postgres) if args.postgres else None
    services: list[processes.Service] = []
    try:
        url = pg.create() if pg else f"sqlite:///{directory / 'bench.db'}"
        key = _setup(console, url, directory, args.items)
        services += [processes.serve(url, args.workers, directory), processes.ceiling(args.workers, directory)]
        driver = Driver(directory, args.items, key, args.seconds)
        runs = []
        for number in range(1, args.runs + 1):
            console.print(f"Run {number} of {args.runs}")
            runs.append(one_run(console, driver, services[0], services[1], args.connections, args.rates))
        for service in services:
            service.stop()
        check = processes.cli(url, "check", cwd=directory)
        console.print("storekeeper check: " + ("OK" if check.returncode == 0 else f"FAILED\n{check.stderr[-2000:]}"))
        medians = {name: statistics.median(run[name] for run in runs) for name in runs[0]}
        database = "postgresql" if pg else f"sqlite (synchronous={Settings().sqlite_synchronous})"
        _show(console, medians, f"W1 by wrk on {database}, {args.items:,} items, {args.workers} workers, "
                                f"{args.connections} connections, median of {args.runs}")
        data: dict[str, Any] = {"database": database, "items": args.items, "workers": args.workers,
                                "connections": args.connections, "runs": runs, "medians": medians}
        args.out.write_text(json.dumps(data, indent=2) + "\n")
        return 0 if check.returncode == 0 and not medians["errors"] else 1
    finally:
        for service in services:
            service.stop()
        if pg is not None:
            pg.drop()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
