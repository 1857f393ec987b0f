"""The benchmark harness end to end, at a tiny size: `python -m bench` loads 2,000 items into a
SQLite database, starts a real `storekeeper serve` and the ceiling app, drives every workload for
about a second from its load process, runs `storekeeper check` and writes results.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    # The harness makes its own SQLite database whatever the suite runs on: once is enough.
    pytest.mark.skipif(bool(os.environ.get("STOREKEEPER_TEST_DATABASE_URL")),
                       reason="runs on SQLite, in the SQLite half of the suite"),
]

ROOT = Path(__file__).resolve().parents[2]
KEYS = ("w1_c1_rps", "w1_c32_rps", "w1_c32_p99_ms", "w2_lines_per_s", "w3_get_p99_ms", "w3_list_first_p99_ms",
        "w3_list_deep_p99_ms", "w3_search_p99_ms", "ceiling_post_rps", "raw_single_tps", "raw_bulk_lines_per_s",
        "rss_mb")


def test_the_harness_measures_every_workload_and_the_ledger_still_checks_out(tmp_path):
    out = tmp_path / "results.json"
    env = {name: value for name, value in os.environ.items() if not name.startswith("STOREKEEPER_")}
    finished = subprocess.run(
        [sys.executable, "-m", "bench", "--items", "2000", "--seconds", "1", "--reads", "30", "--runs", "1",
         "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    assert finished.returncode == 0, finished.stdout[-4000:] + finished.stderr[-4000:]
    assert "storekeeper check" in finished.stdout and ": OK" in finished.stdout, finished.stdout[-4000:]

    results = json.loads(out.read_text())
    assert set(results) == {*KEYS, "w1_errors", "items", "workers", "database", "quick"}
    not_positive = {key: results[key] for key in KEYS
                    if not isinstance(results[key], (int, float)) or results[key] <= 0}
    assert not not_positive, results
    assert results["w1_errors"] == 0
    assert (results["items"], results["workers"], results["database"], results["quick"]) == (2000, 2, "sqlite", False)
