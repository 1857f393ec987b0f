"""`python -m bench.wrk` end to end at a tiny size: wrk (Debian's package) drives the ceiling app
and a real `storekeeper serve` closed loop and open loop, the Lua scripts' figures come back
parsed, nothing errs, and `storekeeper check` passes after the writes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(os.environ.get("STOREKEEPER_TEST_DATABASE_URL")),
                       reason="runs on SQLite, in the SQLite half of the suite"),
    pytest.mark.skipif(shutil.which("wrk") is None and not os.environ.get("CI"),
                       reason="wrk is not installed (CI installs it)"),
]

ROOT = Path(__file__).resolve().parents[2]


def test_wrk_measures_adjustments_beside_the_ceiling_and_the_ledger_checks_out(tmp_path):
    out = tmp_path / "results-wrk.json"
    env = {name: value for name, value in os.environ.items() if not name.startswith("STOREKEEPER_")}
    finished = subprocess.run(
        [sys.executable, "-m", "bench.wrk", "--items", "500", "--seconds", "1", "--runs", "1", "--rates", "20",
         "--connections", "4", "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )
    assert finished.returncode == 0, finished.stdout[-4000:] + finished.stderr[-4000:]
    assert "storekeeper check: OK" in finished.stdout
    medians = json.loads(out.read_text())["medians"]
    assert medians["errors"] == 0
    assert medians["ceiling_rps"] > medians["w1_rps"] > 0
    assert 0 < medians["w1_share_of_ceiling"] < 1 and medians["w1_server_cpu_ms"] > 0
    # 100 requests/s for a second, timed from each scheduled send.
    assert 0 < medians["open_100_p50_ms"] <= medians["open_100_p99_ms"]
    # The one rate tried (20/s) is the answer, or none if a busy machine took it past 100 ms.
    assert medians["highest_rate_p99_within_100ms"] in (0, 20)
