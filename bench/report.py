"""The results: medians over the runs, the ratios to the limits, one Rich table, results.json."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

# The keys of results.json (issue 7), in order; every one a number.
KEYS = ("w1_c1_rps", "w1_c32_rps", "w1_c32_p99_ms", "w1_errors", "w2_lines_per_s", "w3_get_p99_ms",
        "w3_list_first_p99_ms", "w3_list_deep_p99_ms", "w3_search_p99_ms", "ceiling_post_rps", "raw_single_tps",
        "raw_bulk_lines_per_s", "rss_mb")


def combine(runs: list[dict[str, float]]) -> dict[str, float]:
    """One figure per key over the runs: the median, or for error counts the sum (an error in
    any run counts)."""
    return {key: (sum(r[key] for r in runs) if key.endswith("_errors") else statistics.median(r[key] for r in runs))
            for key in runs[0]}


def results(figures: dict[str, float], *, items: int, workers: int, database: str, quick: bool) -> dict[str, Any]:
    out: dict[str, Any] = {key: round(float(figures[key]), 2) for key in KEYS}
    out["w1_errors"] = int(figures["w1_errors"])
    out.update(items=items, workers=workers, database=database, quick=quick)
    return out


def write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")


@dataclass(frozen=True)
class Row:
    workload: str
    value: str
    limit: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None


def _n(value: float, unit: str = "") -> str:
    text = f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"
    return f"{text} {unit}".strip()


def _ratio(value: float, limit: float) -> float:
    return value / limit if limit else 0.0


def rows(r: dict[str, Any], extra: dict[str, Any]) -> list[Row]:
    """The table's rows: each figure, its limit and ratio where it has one, and issue 7's target."""
    postgres = r["database"] == "postgresql"
    c32_share = _ratio(r["w1_c32_rps"], r["ceiling_post_rps"])
    bulk_share = _ratio(r["w2_lines_per_s"], r["raw_bulk_lines_per_s"])
    deep_factor = _ratio(r["w3_list_deep_p99_ms"], r["w3_list_first_p99_ms"])
    listed = [
        Row("W1 adjustments, 1 client", _n(r["w1_c1_rps"], "req/s") + f"  p50 {extra['w1_c1_p50_ms']:.1f} ms",
            _n(r["raw_single_tps"], "tx/s raw"), f"{_ratio(r['w1_c1_rps'], r['raw_single_tps']):.0%}"),
        Row("W1 adjustments, 32 clients", _n(r["w1_c32_rps"], "req/s") + f"  p50 {extra['w1_c32_p50_ms']:.1f} ms",
            _n(r["ceiling_post_rps"], "req/s ceiling"), f"{c32_share:.0%}",
            "≥ 1,000 req/s" if postgres else "≥ 40% of ceiling",
            r["w1_c32_rps"] >= 1000 if postgres else c32_share >= 0.4),
        Row("W1 32 clients p99", _n(r["w1_c32_p99_ms"], "ms"), target="≤ 30 ms", met=r["w1_c32_p99_ms"] <= 30),
        Row("W1 errors", str(r["w1_errors"]), target="0", met=r["w1_errors"] == 0),
        Row("W1 then storekeeper check", "passed" if extra["check_ok"] else "FAILED", target="passes",
            met=extra["check_ok"]),
        Row(f"W2 bulk of 500, {extra['w2_clients']} clients",
            _n(r["w2_lines_per_s"], "lines/s") + f"  p50 {extra['w2_p50_ms']:.0f} ms",
            _n(r["raw_bulk_lines_per_s"], "lines/s raw"), f"{bulk_share:.0%}", "≥ 50% of raw", bulk_share >= 0.5),
    ]
    for key, label in (("get", "GET /v1/stock/{sku}"), ("list_first", "GET /v1/stock?limit=50"),
                       ("list_deep", f"… {extra['deep_pages']:,} pages deep"), ("search", "GET /v1/items?q=")):
        p99 = r[f"w3_{key}_p99_ms"]
        listed.append(Row(f"W3 {label}", f"p99 {_n(p99, 'ms')}  p50 {extra[f'w3_{key}_p50_ms']:.1f} ms",
                          target="≤ 15 ms", met=p99 <= 15))
    listed.append(Row("W3 deep page / first page", f"{deep_factor:.2f}x", target="≤ 1.5x", met=deep_factor <= 1.5))
    listed.append(Row("Server peak RSS (all processes)", _n(r["rss_mb"], "MB"), target="≤ 200 MB",
                      met=r["rss_mb"] <= 200))
    return listed


def show(console: Console, r: dict[str, Any], extra: dict[str, Any], title: str) -> None:
    table = Table(title=title, title_justify="left")
    for column in ("workload", "result", "limit", "ratio", "target (issue 7)", "met"):
        table.add_column(column, justify="left" if column in ("workload", "result") else "right")
    for row in rows(r, extra):
        met = "" if row.met is None else ("[green]yes[/green]" if row.met else "[red]no[/red]")
        table.add_row(row.workload, row.value, row.limit, row.ratio, row.target, met)
    console.print(table)
