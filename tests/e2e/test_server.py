"""A real `storekeeper serve` process, over real HTTP.

Each server runs in a temporary directory on a database of its own (a SQLite file, or a
PostgreSQL database of its own when the suite runs on PostgreSQL), is set up by the CLI as a
user would (`storekeeper init --json`), and is always terminated by its fixture's finalizer.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.processes import terminate
from tests.waiting import CLIENT_TIMEOUT, PATIENCE, wait_until

pytestmark = pytest.mark.slow

_SCRIPT = shutil.which("storekeeper", path=str(Path(sys.executable).parent))
STOREKEEPER = [_SCRIPT] if _SCRIPT else [sys.executable, "-m", "storekeeper.cli.main"]
STARTUP_SECONDS = PATIENCE  # migrations, and with --demo sixty days of a business, on a busy machine


def environment(database_url: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("STOREKEEPER_")}
    env.update(STOREKEEPER_DATABASE_URL=database_url, STOREKEEPER_LOG_LEVEL="INFO", PYTHONUNBUFFERED="1")
    # Like the rest of the suite, these servers take hundreds of requests a second from one key.
    env["STOREKEEPER_RATE_LIMIT_ENABLED"] = "false"
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    directory: Path
    env: dict[str, str]

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*STOREKEEPER, *args], env=self.env, cwd=self.directory, capture_output=True, text=True, timeout=60
        )

    def output(self) -> str:
        """Everything the server wrote to stdout and stderr so far."""
        return (self.directory / "stdout.log").read_text() + (self.directory / "stderr.log").read_text()

    def log_lines(self) -> list[str]:
        return (self.directory / "stderr.log").read_text().splitlines()

    def wait_for_output(self, pattern: str, timeout: float = PATIENCE) -> re.Match:
        return wait_until(lambda: re.search(pattern, self.output()),
                          lambda: f"{pattern!r} in the server's output:\n{self.output()}", timeout=timeout)

    def http(self, key: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=CLIENT_TIMEOUT)


def start_server(directory: Path, database_url: str, *args: str, env: dict[str, str] | None = None) -> Server:
    """`storekeeper serve` on a free loopback port, once its /healthz answers; `env` replaces
    `environment(database_url)` for a server set up differently."""
    port = free_port()
    env = env or environment(database_url)
    with (directory / "stdout.log").open("w") as out, (directory / "stderr.log").open("w") as err:
        process = subprocess.Popen(
            [*STOREKEEPER, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            env=env,
            cwd=directory,
            stdout=out,
            stderr=err,
        )
    server = Server(f"http://127.0.0.1:{port}", process, directory, env)
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            pytest.fail(f"`storekeeper serve` exited with {process.returncode}:\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=CLIENT_TIMEOUT).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            stop(server)
            pytest.fail(f"`storekeeper serve` was not healthy after {STARTUP_SECONDS}s:\n{server.output()}")
        time.sleep(0.1)


def stop(server: Server) -> None:
    terminate(server.process)


@pytest.fixture(scope="module")
def directory(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def initial(directory, new_database_url) -> dict[str, str]:
    """`storekeeper init --json` on a new database: the workspace and its admin key."""
    env = environment(new_database_url("e2e"))
    result = subprocess.run(
        [*STOREKEEPER, "init", "--workspace", "E2E", "--json"],
        env=env,
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert set(printed) == {"workspace_id", "api_key", "admin_email", "admin_password", "location"}
    return {**printed, "database_url": env["STOREKEEPER_DATABASE_URL"]}


@pytest.fixture(scope="module")
def server(directory, initial):
    running = start_server(directory, initial["database_url"])
    yield running
    stop(running)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory, new_database_url):
    running = start_server(tmp_path_factory.mktemp("e2e-demo"), new_database_url("e2e_demo"), "--demo")
    yield running
    stop(running)


def test_the_server_is_healthy_ready_and_knows_the_key_init_printed(server, initial):
    assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{server.url}/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"
    with server.http(initial["api_key"]) as http:
        me = http.get("/v1/me", headers={"X-Request-Id": "e2e-me-1"})
    assert me.status_code == 200
    assert me.json()["workspace"]["id"] == initial["workspace_id"]
    assert me.json()["workspace"]["name"] == "E2E"
    assert me.json()["key"]["scopes"] == ["*"]
    assert me.headers["x-api-version"] == "1"
    assert me.headers["x-request-id"] == "e2e-me-1"


def test_readiness_probes_write_nothing_to_the_log_but_their_access_lines(server):
    """Probes come every few seconds; two INFO lines from Alembic per probe would drown the log."""
    seen = len(server.log_lines())
    for _ in range(3):
        assert httpx.get(f"{server.url}/readyz").status_code == 200

    def new_entries():  # the server logs one JSON object per line
        return [json.loads(line) for line in server.log_lines()[seen:]]

    def probes_logged():
        return [e for e in new_entries() if e["logger"] == "storekeeper.access" and e["route"] == "/readyz"
                and e["status"] == 200]

    wait_until(lambda: len(probes_logged()) >= 3, lambda: f"three /readyz access lines in {new_entries()}")
    assert len(probes_logged()) == 3
    # An access line of an earlier request may land after `seen`: it is written once the response is sent.
    new = new_entries()
    assert all((e["level"], e["logger"]) == ("INFO", "storekeeper.access") and e["request_id"] for e in new), new


def test_a_location_and_an_item_created_over_http_read_back_by_id_and_by_name(server, initial):
    tag = uuid.uuid4().hex[:8]
    with server.http(initial["api_key"]) as http:
        location = http.post("/v1/locations", json={"name": f"Depot {tag}", "type": "store"})
        assert location.status_code == 201, location.text
        item = http.post("/v1/items", json={"sku": f"E2E-{tag}", "name": "Lantern", "price": "12.50", "unit": "kg"})
        assert item.status_code == 201, item.text
        created = item.json()

        by_id = http.get(f"/v1/items/{created['id']}")
        by_sku = http.get(f"/v1/items/E2E-{tag}")
        by_name = http.get(f"/v1/locations/Depot {tag}")
        listed = http.get("/v1/items", params={"sku": f"E2E-{tag}"})

    assert by_id.status_code == 200
    detail_only = {"locations": None, "components": None}
    assert by_id.json() | detail_only == created | detail_only
    assert by_id.headers["etag"] == f'"{created["version"]}"'
    assert (created["sku"], created["name"], created["price"], created["unit"]) == (
        f"E2E-{tag}",
        "Lantern",
        "12.50",
        "kg",
    )
    assert by_sku.json()["id"] == created["id"]
    assert by_name.json() == location.json()
    assert [row["id"] for row in listed.json()["data"]] == [created["id"]]


def test_keys_created_listed_and_revoked_with_the_cli_take_effect_on_the_running_server(server):
    made = server.cli("keys", "create", "--name", "e2e reader", "--scope", "items:read", "--json")
    assert made.returncode == 0, made.stderr
    key = json.loads(made.stdout)
    assert key["scopes"] == ["items:read"]

    with server.http(key["api_key"]) as http:
        assert http.get("/v1/items").status_code == 200
        refused = http.post("/v1/items", json={"sku": "NOPE", "name": "Nope"})
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "INSUFFICIENT_SCOPE")

    listed = server.cli("keys", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert key["api_key"] not in listed.stdout
    assert {row["id"]: row["status"] for row in json.loads(listed.stdout)}[key["id"]] == "active"

    revoked = server.cli("keys", "revoke", key["id"])
    assert revoked.returncode == 0, revoked.stderr
    listed = server.cli("keys", "list", "--json")
    assert {row["id"]: row["status"] for row in json.loads(listed.stdout)}[key["id"]] == "revoked"

    # The server's workers trust a key they read for STOREKEEPER_API_KEY_CACHE_SECONDS (2 s):
    # a revocation by another process is seen within that.
    revoked_at = time.monotonic()
    with server.http(key["api_key"]) as http:
        (r,) = wait_until(lambda: [a for a in [http.get("/v1/items")] if a.status_code == 401],
                          "the revoked key refused")
        refused_after = time.monotonic() - revoked_at
    assert r.json()["error"]["code"] == "INVALID_API_KEY"
    assert refused_after < 2 + 5  # the TTL, and a busy machine's margin

    unknown = server.cli("keys", "revoke", "key_01JC0000000000000000000000")
    assert unknown.returncode == 4
    assert "API_KEY_NOT_FOUND" in unknown.stderr


def test_a_key_in_the_query_string_authenticates_and_never_reaches_the_logs(server):
    made = server.cli("keys", "create", "--name", "query key", "--scope", "items:read", "--json")
    key = json.loads(made.stdout)["api_key"]
    bogus = "sk_" + "q" * 32 + "01JC0000000000000000000000"
    with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT) as http:
        ok = http.get("/v1/me", params={"api_key": key})
        assert ok.status_code == 200, ok.text
        assert ok.json()["key"]["scopes"] == ["items:read"]
        # The error paths log too: not found, invalid query, no such endpoint, a refused scope, a bad key.
        assert http.get("/v1/items/no-such-sku", params={"api_key": key}).status_code == 404
        assert http.get("/v1/items", params={"api_key": key, "limit": "0"}).status_code == 422
        assert http.get("/v1/no-such-endpoint", params={"api_key": key}).status_code == 404
        assert http.get("/v1/users", params={"api_key": key}).status_code == 403
        assert http.get("/v1/me", params={"api_key": bogus}).status_code == 401
    server.wait_for_output(r"GET /v1/me 401")  # the access log is written, and we read it
    output = server.output()
    assert "GET /v1/me 200" in output
    for secret in (key, key[11:], bogus):
        assert secret not in output
    assert "api_key=" not in output


def test_serve_demo_prints_an_admin_key_and_the_docs_url_and_the_key_works(demo_server):
    key = demo_server.wait_for_output(r"Admin API key:\s*(sk_\w+)").group(1)
    docs = demo_server.wait_for_output(r"API docs:\s*(http://\S+/docs)").group(1)
    assert docs.endswith(f":{demo_server.url.rsplit(':', 1)[1]}/docs")
    assert httpx.get(docs.replace("localhost", "127.0.0.1")).status_code == 200
    with demo_server.http(key) as http:
        me = http.get("/v1/me")
        items = http.get("/v1/items", params={"limit": 1000})
        locations = http.get("/v1/locations")
    assert me.status_code == 200
    assert me.json()["key"]["scopes"] == ["*"]
    assert items.status_code == 200
    assert len(items.json()["data"]) >= 5
    assert len(locations.json()["data"]) >= 2


def _resident_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_serve_with_workers_becomes_a_lean_supervisor_whose_workers_load_only_the_app(tmp_path, new_database_url):
    """After migrating, `serve` execs `python -m storekeeper.api.server` (same pid): the supervisor
    of the workers then holds uvicorn only, not the CLI, SQLAlchemy and Alembic (72 MB before), and
    every worker answers. Memory is the issue's target: 200 MB for the tree with 2 workers."""
    server = start_server(tmp_path, new_database_url("lean"), "--workers", "2")
    try:
        cmdline = Path(f"/proc/{server.process.pid}/cmdline").read_bytes().split(b"\0")
        assert b"storekeeper.api.server" in cmdline
        for _ in range(20):  # both workers answer (the kernel spreads the connections)
            assert httpx.get(f"{server.url}/readyz").status_code == 200
        workers = [pid for pid in _children(server.process.pid)
                   if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert len(workers) == 2
        # Fewer malloc arenas than threads: workers keep less of what their threads freed.
        assert all(b"MALLOC_ARENA_MAX=2" in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
                   for pid in workers)
        assert _resident_mb(server.process.pid) < 45
        assert all(_resident_mb(pid) < 140 for pid in workers), [_resident_mb(pid) for pid in workers]
    finally:
        stop(server)
