"""`python -m bench [--quick] [--postgres URL] [--workers N] [--items N] [--runs N] [--seconds S]
[--out PATH]`: see docs/performance.md. Exits 1 if `storekeeper check` fails after the writes."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from rich.console import Console

from bench.run import Plan, run

HERE = Path(__file__).resolve().parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench",
                                     description="Benchmark a real `storekeeper serve` (issue 7, docs/performance.md).")
    parser.add_argument("--quick", action="store_true",
                        help="100,000 items, 4-second workloads, 1 run: under 3 minutes on 2 cores")
    parser.add_argument("--postgres", metavar="URL",
                        help="a PostgreSQL server (postgresql://user@host:port/db) to create the database on "
                             "(bench_<pid>, dropped afterwards); default: SQLite in a temporary directory")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (default 2)")
    parser.add_argument("--items", type=int, help="items to load (default 1,000,000; --quick 100,000)")
    parser.add_argument("--runs", type=int, help="runs of every workload, reporting medians (default 3; --quick 1)")
    parser.add_argument("--seconds", type=float, help="length of each timed workload (default 10; --quick 4)")
    parser.add_argument("--reads", type=int, help="requests of each W3 read, at most (default 500; --quick 200)")
    parser.add_argument("--out", type=Path, default=HERE / "results.json", help="default: bench/results.json")
    return parser


def plan_of(args: argparse.Namespace) -> Plan:
    quick = args.quick
    plan = Plan(
        items=args.items or (100_000 if quick else 1_000_000),
        workers=args.workers,
        runs=args.runs or (1 if quick else 3),
        seconds=args.seconds or (4.0 if quick else 10.0),
        reads=args.reads or (200 if quick else 500),
        quick=quick,
        postgres=args.postgres,
        out=args.out,
    )
    if plan.items < 100 or plan.workers < 1 or plan.runs < 1 or plan.seconds <= 0 or plan.reads < 1:
        raise SystemExit("--items must be at least 100; --workers, --runs, --reads at least 1; --seconds above 0")
    return plan


def _terminated(signum, frame):
    raise KeyboardInterrupt  # the same clean-up as Ctrl-C: every process stopped, databases removed


def main(argv: list[str] | None = None) -> int:
    plan = plan_of(_parser().parse_args(argv))
    signal.signal(signal.SIGTERM, _terminated)
    console = Console()
    if not console.is_terminal:  # piped or captured: wide enough for the table on one line per row
        console = Console(width=140)
    try:
        _data, check_ok = run(plan, console)
    except KeyboardInterrupt:
        console.print("[red]Interrupted[/red]: stopped every process and removed the databases of this run.")
        return 130
    return 0 if check_ok else 1


if __name__ == "__main__":
    sys.exit(main())
