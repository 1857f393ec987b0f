"""The ledger across processes: a real `storekeeper serve --workers 2` over real HTTP, driven by
many clients at once, on a database of its own (a SQLite file, or a PostgreSQL database of its
own when the suite runs on PostgreSQL). The server is always stopped by its fixture.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_server import STOREKEEPER, _children, environment, start_server, stop
from tests.waiting import CLIENT_TIMEOUT, PATIENCE

pytestmark = pytest.mark.slow

CLIENTS = 32
SALES = 100
STOCK = 50
WRITES = 60


@pytest.fixture(scope="module")
def two_process_server(tmp_path_factory, new_database_url):
    """`storekeeper serve --workers 2 --no-worker` on a new database set up by `storekeeper init`,
    with the admin key `init` printed; waits until both worker processes have started."""
    directory = tmp_path_factory.mktemp("e2e-concurrent")
    database_url = new_database_url("e2e_concurrent")
    made = subprocess.run(
        [*STOREKEEPER, "init", "--workspace", "Concurrent", "--json"],
        env=environment(database_url),
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    running = start_server(directory, database_url, "--workers", "2", "--no-worker")
    try:
        running.wait_for_output(
            r"(?s)Started server process \[(\d+)\].*Started server process \[(?!\1\])\d+\]"
        )
        yield running, json.loads(made.stdout)["api_key"]
    finally:
        stop(running)


def test_a_hundred_sales_from_many_clients_across_two_processes_sell_exactly_the_stock(two_process_server):
    server, key = two_process_server
    with server.http(key) as http:
        location = http.post("/v1/locations", json={"name": "Shop"}).json()["id"]
        item = http.post("/v1/items", json={"sku": "MULTI-PROCESS", "name": "Sold everywhere"}).json()["id"]
        received = http.post(
            "/v1/stock/adjustments", json={"item": item, "location": location, "reason": "receipt", "delta": STOCK}
        )
        assert received.status_code == 201, received.text

    sale = {"item": item, "location": location, "reason": "sale", "delta": -1}
    start = threading.Barrier(CLIENTS, timeout=PATIENCE)

    def client(n: int) -> list[tuple[int, str | None]]:
        """One client with a connection of its own, selling its share of the hundred one by one."""
        outcomes = []
        with server.http(key) as http:
            start.wait()
            for _ in range(n, SALES, CLIENTS):
                r = http.post("/v1/stock/adjustments", json=sale)
                outcomes.append((r.status_code, r.json()["error"]["code"] if r.status_code >= 400 else None))
        return outcomes

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        outcomes = Counter(o for done in pool.map(client, range(CLIENTS)) for o in done)

    assert outcomes == {(201, None): STOCK, (422, "NEGATIVE_QUANTITY"): SALES - STOCK}, server.output()[-3000:]
    with server.http(key) as http:
        stock = http.get(f"/v1/stock/{item}").json()
        moves = http.get("/v1/stock/movements", params={"item": item, "order": "asc", "limit": 1000}).json()["data"]
    assert (stock["on_hand"], stock["locations"][0]["on_hand"]) == (0, 0)
    assert [m["after"] for m in moves] == list(range(STOCK, -1, -1)), "each sale took a unit of its own, in turn"

    checked = server.cli("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "OK: 1 stock levels" in checked.stdout


def test_no_writer_starves_when_many_clients_write_through_two_processes(two_process_server):
    """SQLite admits one writer at a time; waiting writers must take turns, not poll until a
    client gives up. 32 clients with an ordinary 5-second timeout each write WRITES times."""
    server, key = two_process_server
    with server.http(key) as http:
        location = http.post("/v1/locations", json={"name": "Busy shelf"}).json()["id"]
        items = [http.post("/v1/items", json={"sku": f"BUSY-{n}", "name": f"Busy {n}"}).json()["id"] for n in range(8)]
    start = threading.Barrier(CLIENTS, timeout=PATIENCE)

    def client(n: int) -> list[int | str]:
        statuses: list[int | str] = []
        # The ordinary timeout is the point: a writer that waited 5 s for its turn has starved.
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=5) as http:
            start.wait()
            for k in range(WRITES):
                body = {"item": items[(n + k) % len(items)], "location": location, "reason": "receipt", "delta": 1}
                try:
                    statuses.append(http.post("/v1/stock/adjustments", json=body).status_code)
                except httpx.TimeoutException:
                    statuses.append("timeout")
        return statuses

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = Counter(s for done in pool.map(client, range(CLIENTS)) for s in done)
    assert statuses == {201: CLIENTS * WRITES}, statuses
    with server.http(key) as http:
        total = sum(http.get(f"/v1/stock/{item}").json()["on_hand"] for item in items)
    assert total == CLIENTS * WRITES


def test_each_server_process_works_on_at_most_request_threads_requests_at_once(two_process_server):
    """32 clients at once: each worker runs their requests on its few request threads
    (STOREKEEPER_REQUEST_THREADS, 4), the rest wait in line; with a thread each, the writer every
    other writer waits for would wait for Python's GIL among them."""
    server, key = two_process_server
    with server.http(key) as http:
        http.post("/v1/locations", json={"name": "Queue"})
        item = http.post("/v1/items", json={"sku": "QUEUED", "name": "Queued"}).json()["id"]
    start = threading.Barrier(CLIENTS, timeout=PATIENCE)

    def client(_n: int) -> list[int]:
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"},
                          timeout=CLIENT_TIMEOUT) as http:
            start.wait()
            return [http.post("/v1/stock/adjustments", json={"item": item, "location": "Queue", "reason": "receipt",
                                                              "delta": 1}).status_code for _ in range(5)]

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        assert Counter(s for done in pool.map(client, range(CLIENTS)) for s in done) == {201: CLIENTS * 5}
    workers = [pid for pid in _children(server.process.pid)
               if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    assert len(workers) == 2
    # The event loop's thread, the request threads, and none per waiting request.
    assert all(len(list(Path(f"/proc/{pid}/task").iterdir())) <= 1 + 4 + 1 for pid in workers), \
        [len(list(Path(f"/proc/{pid}/task").iterdir())) for pid in workers]
