"""Two app instances (two processes' worth of state) on one real Redis share one rate limit:
each key's bucket and each workspace's quotas are counted once, whichever instance serves the
request. Redis is a `redis-server` started here on a free loopback port, without persistence.

Without redis-server installed the tests skip, except under CI=true, where they fail: CI must
prove the shared limits.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from storekeeper.api.app import create_app
from storekeeper.services import api_keys, workspaces
from tests.conftest import Api
from tests.factories import error
from tests.processes import terminate
from tests.waiting import PATIENCE

HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, directory: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            message = "redis-server is not installed (Debian: apt-get install redis-server)"
            if os.environ.get("CI") == "true":
                pytest.fail(f"{message}: CI must test the shared rate limits")
            pytest.skip(message)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = directory / f"redis-{self.port}.log"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(directory), "--logfile", str(self.log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        self.client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + PATIENCE
        while True:
            try:
                self.client.ping()
                return
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"redis-server did not start: {self.log.read_text() if self.log.exists() else ''}")
                time.sleep(0.05)

    def stop(self) -> None:
        self.client.close()
        terminate(self.process)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def two_instances(settings, db, redis_server) -> Iterator[tuple[TestClient, TestClient]]:
    shared = settings.model_copy(update={"rate_limit_enabled": True, "redis_url": redis_server.url})
    with TestClient(create_app(shared, db)) as one, TestClient(create_app(shared, db)) as two:
        yield one, two


def on_plan(db, **plan) -> tuple[str, str]:
    workspace, key = workspaces.create_workspace(db, "Shared limits")
    workspaces.update_workspace(db, workspace["workspace_id"], {"settings": {"rate_limit": plan}})
    return workspace["workspace_id"], key


def limits(r) -> tuple[int, int]:
    return int(r.headers["x-ratelimit-limit"]), int(r.headers["x-ratelimit-remaining"])


def clear_of_the_minute_boundary(margin: float = 3.0) -> None:
    left = 60 - time.time() % 60
    if left < margin:
        time.sleep(left + 0.05)


def test_a_keys_bucket_is_one_bucket_across_both_instances(db, two_instances):
    one, two = two_instances
    _ws, key = on_plan(db, per_second=0.1, burst=4)
    served = [Api(instance, key).get("/v1/me") for instance in (one, two, one, two)]
    assert [r.status_code for r in served] == [200] * 4
    assert [limits(r) for r in served] == [(4, 3), (4, 2), (4, 1), (4, 0)]
    for instance in (one, two):
        refused = Api(instance, key).get("/v1/me")
        assert error(refused) == (429, "RATE_LIMITED")
        assert 1 <= int(refused.headers["retry-after"]) <= 10  # the next token, on Redis' clock, within 10 s


def test_each_key_keeps_a_bucket_of_its_own_in_redis(db, two_instances):
    one, two = two_instances
    workspace_id, first = on_plan(db, per_second=0.1, burst=2)
    _row, second = api_keys.create_api_key(db, workspace_id, "second", ["*"])
    assert [Api(one, first).get("/v1/me").status_code for _ in range(3)] == [200, 200, 429]
    r = Api(two, second).get("/v1/me")
    assert (r.status_code, limits(r)) == (200, (2, 1))


def test_the_workspaces_quota_is_counted_once_for_all_its_keys_on_both_instances(db, two_instances):
    clear_of_the_minute_boundary()
    one, two = two_instances
    workspace_id, first = on_plan(db, per_second=100, burst=100, per_minute=3)
    _row, second = api_keys.create_api_key(db, workspace_id, "second", ["*"])
    served = [Api(one, first).get("/v1/me"), Api(two, second).get("/v1/me"), Api(two, first).get("/v1/me")]
    assert [r.status_code for r in served] == [200] * 3
    assert [limits(r) for r in served] == [(3, 2), (3, 1), (3, 0)]
    for instance, key in ((one, second), (two, first)):
        refused = Api(instance, key).get("/v1/me")
        assert error(refused) == (429, "RATE_LIMITED")
        assert 1 <= int(refused.headers["retry-after"]) <= 60


def test_a_refused_request_takes_nothing_and_tokens_come_back_on_redis_clock(db, two_instances):
    one, two = two_instances
    _ws, key = on_plan(db, per_second=1, burst=1)
    assert Api(one, key).get("/v1/me").status_code == 200
    served_at = time.monotonic()
    assert [Api(two, key).get("/v1/me").status_code for _ in range(3)] == [429] * 3
    time.sleep(max(0.0, served_at + 1.1 - time.monotonic()))  # one token since the request served
    assert Api(two, key).get("/v1/me").status_code == 200


def test_every_key_the_limiter_writes_expires_by_itself(db, two_instances, redis_server):
    one, _two = two_instances
    _ws, key = on_plan(db, per_second=10, burst=5, per_minute=100, per_day=1000)
    assert Api(one, key).get("/v1/me").status_code == 200
    written = list(redis_server.client.scan_iter("storekeeper:ratelimit:*"))
    assert len(written) >= 3
    assert all(redis_server.client.pttl(name) > 0 for name in written)


def test_when_redis_goes_away_requests_go_through_and_limits_return_with_it(settings, db, tmp_path):
    server = RedisServer(tmp_path)
    try:
        app_settings = settings.model_copy(update={"rate_limit_enabled": True, "redis_url": server.url})
        with TestClient(create_app(app_settings, db)) as client:
            _ws, key = on_plan(db, per_second=0.1, burst=1)
            api = Api(client, key)
            assert [api.get("/v1/me").status_code for _ in range(2)] == [200, 429]
            server.stop()
            down = [api.get("/v1/me") for _ in range(3)]
            assert [r.status_code for r in down] == [200] * 3  # fail open
            assert not any(name in down[0].headers for name in HEADERS)
            metrics = client.get("/metrics").text
            assert "storekeeper_rate_limit_backend_errors_total 1.0" in metrics  # then a pause without asking
    finally:
        server.stop()
