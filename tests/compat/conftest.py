"""A real `storekeeper serve` for the dialects' black-box tests: one per test module, on a
database of its own, set up by `storekeeper init` as a user would, spoken to over HTTP in the
vendor's dialect. Tests make their own SKUs, so they share it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.e2e.test_server import STOREKEEPER, Server, environment, start_server, stop
from tests.waiting import CLIENT_TIMEOUT


@dataclass
class Served:
    """A running server, its admin key, and clients: `v1` speaks Storekeeper's API, `vendor(prefix,
    headers)` a dialect's."""

    server: Server
    key: str

    @property
    def url(self) -> str:
        return self.server.url

    def v1(self) -> httpx.Client:
        return self.server.http(self.key)

    def vendor(self, prefix: str, headers: dict[str, str]) -> httpx.Client:
        return httpx.Client(base_url=self.url + prefix, headers=headers, timeout=CLIENT_TIMEOUT)

    def key_with(self, *scopes: str, name: str = "scoped") -> str:
        made = self.server.cli("keys", "create", "--name", name, *[a for s in scopes for a in ("--scope", s)],
                               "--json")
        assert made.returncode == 0, made.stderr
        return json.loads(made.stdout)["api_key"]


def roomy(v1) -> None:
    """A workspace plan with room for the hundreds of requests a second a module's tests make
    from one key: `init` gives the workspace the default plan (20 a second, a burst of 40), which
    wins over the server's settings."""
    r = v1.patch("/v1/workspace", json={"settings": {"rate_limit": {"per_second": 100_000, "burst": 100_000}}})
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def served(tmp_path_factory, new_database_url, request) -> Iterator[Served]:
    name = request.module.__name__.rsplit(".", 1)[-1]
    directory = tmp_path_factory.mktemp(name)
    database_url = new_database_url(name)
    env = environment(database_url)
    # Rate limits on, as a vendor's client meets them (their headers are part of each dialect),
    # with room for the hundreds of requests a second a module's tests make from one key.
    env.update(STOREKEEPER_RATE_LIMIT_ENABLED="true", STOREKEEPER_RATE_LIMIT_PER_SECOND="100000",
               STOREKEEPER_RATE_LIMIT_BURST="100000")
    made = subprocess.run([*STOREKEEPER, "init", "--workspace", "Compat", "--json"], env=env,
                          cwd=directory, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    running = start_server(directory, database_url, env=env)
    try:
        served = Served(running, json.loads(made.stdout)["api_key"])
        with served.v1() as v1:
            roomy(v1)
        yield served
    finally:
        stop(running)
