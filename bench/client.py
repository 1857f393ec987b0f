"""The load process: `python -m bench.client` reads one workload as JSON on stdin, drives it over
HTTP and prints its result as JSON on stdout.

It runs as a process of its own, apart from the harness and the server. Each client is a thread
with its own httpx.Client: one keep-alive connection, one request at a time. (asyncio with
httpx.AsyncClient, even on uvloop, drove fewer requests a second from the same 2 cores: about
400/s against 890/s with one client, 620/s against 770/s with 32, on the trivial route.)
Latency is measured here, around each request. An error is a response other than 2xx or an
exception; the first few are returned for the harness to show.

A workload: {"kind", "base_url", "key", "clients", "seconds" (how long to measure) and/or
"requests" (how many, over all clients), "warmup" (requests per client before measuring; each
client opens its connection first in any case), "items" (how many were loaded), "locations"
(names), "seed", and per kind: "cursor", "bulk"}.
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from bench.load import LOCATIONS, search_term, sku

Request = tuple[str, str, dict[str, Any]]  # method, path, httpx keyword arguments
MAX_SAMPLES = 5


def _adjustment(rng: random.Random, spec: dict[str, Any], i: int | None = None) -> dict[str, Any]:
    """A receipt of 1-5 or a sale of 1, of a random item at a random location: stock only grows."""
    i = rng.randrange(spec["items"]) if i is None else i
    receipt = rng.random() < 0.5
    return {"item": sku(i), "location": rng.choice(spec.get("locations", LOCATIONS)),
            "reason": "receipt" if receipt else "sale", "delta": rng.randint(1, 5) if receipt else -1}


def _requests(kind: str) -> Callable[[random.Random, dict[str, Any]], Request]:
    def adjust(rng, spec):
        return "POST", "/v1/stock/adjustments", {"json": _adjustment(rng, spec)}

    def bulk(rng, spec):
        lines = [_adjustment(rng, spec, i) for i in rng.sample(range(spec["items"]), spec["bulk"])]
        return "POST", "/v1/stock/adjustments/bulk", {"json": {"adjustments": lines, "atomic": True}}

    def get(rng, spec):
        return "GET", f"/v1/stock/{sku(rng.randrange(spec['items']))}", {}

    def list_first(rng, spec):
        return "GET", "/v1/stock", {"params": {"limit": 50}}

    def list_deep(rng, spec):
        return "GET", "/v1/stock", {"params": {"limit": 50, "cursor": spec["cursor"]}}

    def search(rng, spec):
        return "GET", "/v1/items", {"params": {"q": search_term(rng.randrange(spec["items"]))}}

    def ceiling(rng, spec):
        return "POST", "/ceiling", {"json": _adjustment(rng, spec)}

    return {"adjust": adjust, "bulk": bulk, "get": get, "list_first": list_first, "list_deep": list_deep,
            "search": search, "ceiling": ceiling}[kind]


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p in 0-100) of unsorted values; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


class _Run:
    def __init__(self, spec: dict[str, Any]):
        self.spec = spec
        self.make = _requests(spec["kind"])
        self.latencies: list[float] = []
        self.errors = 0
        self.samples: list[str] = []
        self.lock = threading.Lock()
        self.left = spec.get("requests")  # None: as many as fit in `seconds`
        self.deadline = float("inf")
        self.ends: list[float] = []

    def one(self, http: httpx.Client, rng: random.Random, measured: bool) -> None:
        method, path, kwargs = self.make(rng, self.spec)
        started = time.perf_counter()
        try:
            response = http.request(method, path, **kwargs)
            ok = 200 <= response.status_code < 300
            problem = None if ok else f"{response.status_code} {response.text[:300]}"
        except Exception as exc:  # every failure counts as an error; none stops the run
            ok, problem = False, f"{type(exc).__name__}: {exc}"[:300]
        if not measured:
            return
        self.latencies.append(time.perf_counter() - started)
        if not ok:
            with self.lock:
                self.errors += 1
                if len(self.samples) < MAX_SAMPLES:
                    self.samples.append(problem)

    def more(self) -> bool:
        if time.perf_counter() >= self.deadline:
            return False
        if self.left is None:
            return True
        with self.lock:
            self.left -= 1
            return self.left >= 0

    def client(self, number: int, ready: threading.Barrier, go: threading.Event) -> None:
        spec = self.spec
        rng = random.Random(f"{spec.get('seed', 0)}-{spec['kind']}-{number}")
        headers = {"Authorization": f"Bearer {spec['key']}"} if spec.get("key") else {}
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        try:
            with httpx.Client(base_url=spec["base_url"], headers=headers, limits=limits,
                              timeout=spec.get("timeout", 300)) as http:
                try:
                    http.get("/healthz")  # the connection, opened before the clock starts
                except httpx.HTTPError:
                    pass
                for _ in range(spec.get("warmup", 2)):
                    self.one(http, rng, measured=False)
                ready.wait()
                go.wait()
                while self.more():
                    self.one(http, rng, measured=True)
        finally:
            self.ends.append(time.perf_counter())

    def run(self) -> dict[str, Any]:
        clients = self.spec["clients"]
        ready, go = threading.Barrier(clients + 1), threading.Event()
        threads = [threading.Thread(target=self.client, args=(n, ready, go), daemon=True) for n in range(clients)]
        for thread in threads:
            thread.start()
        ready.wait()
        started = time.perf_counter()
        self.deadline = started + self.spec.get("seconds", float("inf"))
        go.set()
        for thread in threads:
            thread.join()
        elapsed = max(self.ends) - started
        count = len(self.latencies)
        return {
            "kind": self.spec["kind"], "clients": clients, "requests": count, "errors": self.errors,
            "seconds": elapsed, "rps": count / elapsed if elapsed > 0 else 0.0,
            "p50_ms": percentile(self.latencies, 50) * 1000, "p99_ms": percentile(self.latencies, 99) * 1000,
            "max_ms": max(self.latencies, default=0.0) * 1000, "error_samples": self.samples,
        }


def drive(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one workload in this process (the harness calls it through a subprocess)."""
    # Hand the GIL on sooner than every 5 ms: a client whose response has arrived is timed
    # waiting for it, and 32 clients would add that wait to the latencies they measure.
    sys.setswitchinterval(float(spec.get("switch_interval", 0.001)))
    return _Run(spec).run()


def main() -> None:
    spec = json.load(sys.stdin)
    json.dump(drive(spec), sys.stdout)


if __name__ == "__main__":
    main()
