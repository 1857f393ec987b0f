"""`python -m bench.sign_in [--seconds S] [--clients N] [--no-throttle]`: what an attack on the
dashboard's sign-in costs the API (issue 19). Starts a real `storekeeper serve` (one worker, on
loopback, a SQLite database of its own), then times GET /v1/me from one client for `--seconds`:
first alone, then while `--clients` threads post wrong passwords to /login as fast as they are
answered. Prints p50/p99 of /v1/me and what the sign-in attempts got (401, 429, 503 …).

The attack is sent by `wrk` (Debian's package), a compiled load generator, when it is installed:
a Python client saturates long before the server does and would understate what a flood costs.
Without wrk, Python threads send it (and the table says so).

Every attempt comes from 127.0.0.1, so the sign-in throttle refuses them after its first few;
`--no-throttle` raises its limits out of reach, as an attack from many addresses would find it,
so that what is left is the cost of checking passwords. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from bench import processes


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _time_me(url: str, key: str, seconds: float) -> list[float]:
    """Latencies (ms) of GET /v1/me, one request at a time, for `seconds`."""
    times: list[float] = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
        client.get("/v1/me")  # the connection is open before measuring
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            response = client.get("/v1/me")
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text[:300]
    return times


def _attack(url: str, email: str, stop: threading.Event, answers: Counter, lock: threading.Lock) -> None:
    with httpx.Client(base_url=url, timeout=60, headers={"Origin": url}) as client:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                status = client.post("/login", data={"email": email, "password": f"wrong guess {n}"}).status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            with lock:
                answers[status] += 1


# Posts wrong passwords and counts the answers by status in each wrk thread; `done` prints the
# sums as `status count` lines after wrk's own summary.
_WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  counts = {}
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.body = "email=" .. args[1] .. "&password=wrong+guess"
end
function response(status, headers, body) counts[status] = (counts[status] or 0) + 1 end
function done(summary, latency, requests)
  local sums = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do sums[status] = (sums[status] or 0) + n end
  end
  for status, n in pairs(sums) do io.write(string.format("status %d %d\\n", status, n)) end
end
"""


def _attack_with_wrk(wrk: str, url: str, email: str, seconds: float, clients: int,
                     directory: Path) -> subprocess.Popen:
    script = directory / "sign_in.lua"
    script.write_text(_WRK_SCRIPT)
    return subprocess.Popen([wrk, "-t", str(min(2, clients)), "-c", str(clients), "-d", f"{int(seconds) + 2}s",
                             "-s", str(script), f"{url}/login", "--", email.replace("@", "%40")],
                            stdout=subprocess.PIPE, text=True)


def measure(url: str, made: dict, seconds: float, clients: int, directory: Path,
            use_wrk: bool = True) -> tuple[list[float], list[float], Counter]:
    alone = _time_me(url, made["api_key"], seconds)
    wrk = shutil.which("wrk") if use_wrk else None
    if wrk:
        attack = _attack_with_wrk(wrk, url, made["admin_email"], seconds, clients, directory)
        time.sleep(1)  # the attack is under way before measuring
        attacked = _time_me(url, made["api_key"], seconds)
        printed = attack.communicate()[0]
        answers = Counter({int(status): int(n) for status, n in re.findall(r"^status (\d+) (\d+)$", printed, re.M)})
        return alone, attacked, answers
    stop, lock, answers = threading.Event(), threading.Lock(), Counter()
    attackers = [threading.Thread(target=_attack, args=(url, made["admin_email"], stop, answers, lock))
                 for _ in range(clients)]
    for thread in attackers:
        thread.start()
    time.sleep(1)
    try:
        attacked = _time_me(url, made["api_key"], seconds)
    finally:
        stop.set()
        for thread in attackers:
            thread.join()
    return alone, attacked, answers


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sign_in", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each phase is timed (default 10)")
    parser.add_argument("--clients", type=int, default=8, help="threads posting wrong passwords (default 8)")
    parser.add_argument("--no-throttle", action="store_true", help="raise the sign-in throttle's limits out of reach")
    parser.add_argument("--python", action="store_true", help="attack from Python threads even when wrk is installed")
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory(prefix="storekeeper-bench-sign-in-") as tmp:
        directory = Path(tmp)
        url = f"sqlite:///{directory / 'sign-in.db'}"
        made = processes.cli_json(url, "init", "--workspace", "Bench", cwd=directory)
        env = processes.environment(url)
        if args.no_throttle:
            env.update(STOREKEEPER_SIGN_IN_FAILURES_PER_EMAIL="1000000",
                       STOREKEEPER_SIGN_IN_FAILURES_PER_ADDRESS="1000000")
        server = processes.start("storekeeper", [*processes.STOREKEEPER, "serve", "--workers", "1", "--no-worker"],
                                 env, directory, "/healthz")
        try:
            alone, attacked, answers = measure(server.url, made, args.seconds, args.clients, directory,
                                               use_wrk=not args.python)
        finally:
            server.stop()
    table = Table(title=f"GET /v1/me, one client, {args.seconds:g} s a phase"
                        f"{' (throttle out of reach)' if args.no_throttle else ''}")
    for column in ("phase", "requests", "p50 ms", "p99 ms"):
        table.add_column(column, justify="left" if column == "phase" else "right")
    sender = "Python threads" if args.python or not shutil.which("wrk") else "wrk"
    for label, times in (("alone", alone), (f"{args.clients} {sender} clients sending wrong passwords", attacked)):
        table.add_row(label, str(len(times)), f"{statistics.median(times):.1f}", f"{_percentile(times, 99):.1f}")
    console.print(table)
    console.print("Sign-in attempts answered: " + ", ".join(f"{status}: {n}" for status, n in sorted(
        answers.items(), key=lambda kv: str(kv[0]))))


if __name__ == "__main__":
    main()
