"""Rate limits per API key and quotas per workspace (SPEC §2), on an app of this module's own
with rate limiting on (the shared `app` fixture turns it off).

Plans are small (a burst of 3 refilling at one token per 2 seconds) so that a test reaches the
limit in a few requests, however slow the machine; the test of refilling waits a quarter second.
"""

from __future__ import annotations

import logging
import socket
import time
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from storekeeper.api.app import create_app
from storekeeper.api.ratelimit import MemoryBackend, Plan, Quota, Usage, decide
from storekeeper.services import workspaces
from tests.conftest import Api
from tests.factories import error

HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


@pytest.fixture(scope="module")
def limited_client(settings, db) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"rate_limit_enabled": True, "redis_url": None}), db)
    with TestClient(app) as client:
        yield client


def on_plan(db, client: TestClient, **plan: Any) -> tuple[str, Api]:
    """A new workspace on this rate-limit plan, and its admin key."""
    workspace, key = workspaces.create_workspace(db, "Limited")
    workspaces.update_workspace(db, workspace["workspace_id"], {"settings": {"rate_limit": plan}})
    return workspace["workspace_id"], Api(client, key)


def another_key(db, client: TestClient, workspace_id: str, *scopes: str) -> Api:
    from storekeeper.services import api_keys

    _row, key = api_keys.create_api_key(db, workspace_id, "second", list(scopes or ["*"]))
    return Api(client, key)


def limits(r) -> tuple[int, int, int]:
    return tuple(int(r.headers[name]) for name in HEADERS)


def clear_of_the_minute_boundary(margin: float = 3.0) -> None:
    """Per-minute quotas count in fixed windows; a test that must stay within one waits out the
    last seconds of a minute."""
    left = 60 - time.time() % 60
    if left < margin:
        time.sleep(left + 0.05)


def test_every_authenticated_response_tells_the_limit_what_is_left_and_when_it_is_full(db, limited_client):
    _ws, api = on_plan(db, limited_client, per_second=0.25, burst=3)
    responses = [api.get("/v1/me") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert [limits(r)[:2] for r in responses] == [(3, 2), (3, 1), (3, 0)]
    # Seconds until the bucket is full again, rounded up: 4 per missing token, less what came back meanwhile.
    resets = [limits(r)[2] for r in responses]
    assert 0 < resets[0] <= 4 < resets[1] <= 8 < resets[2] <= 12


def test_a_burst_beyond_the_bucket_is_refused_with_429_retry_after_and_the_error_envelope(db, limited_client):
    _ws, api = on_plan(db, limited_client, per_second=0.25, burst=3)
    for _ in range(3):
        assert api.get("/v1/me").status_code == 200
    refused = api.get("/v1/me", headers={"X-Request-Id": "burst-4"})
    assert error(refused) == (429, "RATE_LIMITED")
    # The next token comes within 4 s (less whatever came back since the burst began), in whole seconds.
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= 4
    assert refused.json() == {
        "error": {
            "code": "RATE_LIMITED",
            "message": f"Too many requests for this API key or workspace: retry after {wait} second{'s' * (wait > 1)}.",
            "retry_after": wait,
            "request_id": "burst-4",
        }
    }
    assert limits(refused)[:2] == (3, 0)
    assert refused.headers["x-request-id"] == "burst-4"


def test_a_refused_key_is_served_again_once_a_token_has_come_back(db, limited_client):
    _ws, api = on_plan(db, limited_client, per_second=1, burst=1)
    assert api.get("/v1/me").status_code == 200
    served_at = time.monotonic()
    refused = api.get("/v1/me")
    assert error(refused) == (429, "RATE_LIMITED")
    assert refused.headers["retry-after"] == "1"
    time.sleep(max(0.0, served_at + 1.1 - time.monotonic()))
    again = api.get("/v1/me")
    assert again.status_code == 200
    assert limits(again)[:2] == (1, 0)


def test_each_key_of_a_workspace_has_a_bucket_of_its_own(db, limited_client):
    workspace_id, first = on_plan(db, limited_client, per_second=0.1, burst=3)
    second = another_key(db, limited_client, workspace_id)
    for _ in range(3):
        first.get("/v1/me")
    assert first.get("/v1/me").status_code == 429
    r = second.get("/v1/me")
    assert r.status_code == 200
    assert limits(r)[:2] == (3, 2)


def test_the_per_minute_quota_is_shared_by_every_key_of_the_workspace_and_by_no_other(db, limited_client):
    clear_of_the_minute_boundary()
    workspace_id, first = on_plan(db, limited_client, per_second=100, burst=100, per_minute=4)
    second = another_key(db, limited_client, workspace_id)
    _other_ws, stranger = on_plan(db, limited_client, per_second=100, burst=100, per_minute=4)

    seen = [first.get("/v1/me"), first.get("/v1/me"), second.get("/v1/me"), second.get("/v1/me")]
    assert [r.status_code for r in seen] == [200] * 4
    # The quota has less left than the bucket, so the headers speak of the quota.
    assert [limits(r)[:2] for r in seen] == [(4, 3), (4, 2), (4, 1), (4, 0)]
    assert all(1 <= limits(r)[2] <= 60 for r in seen)

    for api in (first, second):
        refused = api.get("/v1/me")
        assert error(refused) == (429, "RATE_LIMITED")
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert limits(refused)[:2] == (4, 0)
    assert stranger.get("/v1/me").status_code == 200


def test_the_per_day_quota_refuses_until_the_utc_day_ends(db, limited_client):
    _ws, api = on_plan(db, limited_client, per_second=100, burst=100, per_day=2)
    assert [api.get("/v1/me").status_code for _ in range(2)] == [200, 200]
    refused = api.get("/v1/me")
    assert error(refused) == (429, "RATE_LIMITED")
    until_midnight = 86_400 - time.time() % 86_400
    assert abs(int(refused.headers["retry-after"]) - until_midnight) <= 2
    assert limits(refused)[:2] == (2, 0)


def test_a_plan_changed_with_patch_workspace_applies_to_the_next_request(db, limited_client):
    clear_of_the_minute_boundary()
    _ws, api = on_plan(db, limited_client, per_second=2, burst=5)
    assert limits(api.get("/v1/me"))[0] == 5
    r = api.patch("/v1/workspace", json={"settings": {"rate_limit": {"per_second": 50, "burst": 50}}})
    assert r.status_code == 200, r.text
    assert limits(api.get("/v1/me"))[0] == 50

    r = api.patch("/v1/workspace", json={"settings": {"rate_limit": {"per_minute": 1}}})
    assert r.status_code == 200, r.text
    # The quota counts from the change on: this request is its first, the next one is over.
    assert limits(api.get("/v1/me"))[:2] == (1, 0)
    assert error(api.get("/v1/me")) == (429, "RATE_LIMITED")


def test_a_key_over_its_limit_is_refused_on_every_route_and_before_any_scope_check(db, limited_client):
    workspace_id, api = on_plan(db, limited_client, per_second=0.1, burst=3)
    reader = another_key(db, limited_client, workspace_id, "items:read")
    refused_scope = reader.get("/v1/users")
    assert error(refused_scope) == (403, "INSUFFICIENT_SCOPE")
    assert limits(refused_scope)[:2] == (3, 2)  # a refusal of an authenticated key carries the headers too

    for _ in range(3):
        api.get("/v1/me")
    for method, path, body in [
        ("GET", "/v1/items", None),
        ("POST", "/v1/items", {"sku": "NEVER", "name": "Never made"}),
        ("GET", "/v1/items/NEVER", None),
        ("PATCH", "/v1/workspace", {"name": "Renamed"}),
        ("GET", "/v1/no-such-thing", None),
    ]:
        r = api.request(method, path, json=body)
        if path == "/v1/no-such-thing":
            assert r.status_code == 404  # no route: no authentication, nothing to count
            continue
        assert error(r) == (429, "RATE_LIMITED"), (method, path)
    assert api.get("/v1/items/NEVER").status_code == 429
    assert workspaces.get_workspace(db, workspace_id)["name"] == "Limited"


def test_unauthenticated_endpoints_and_unknown_keys_are_not_limited_and_get_no_headers(db, limited_client):
    for path in ("/healthz", "/metrics", "/readyz"):
        for _ in range(5):
            r = limited_client.get(path)
            assert r.status_code == 200
            assert not any(name in r.headers for name in HEADERS)
    bogus = limited_client.get("/v1/me", headers={"Authorization": "Bearer sk_nothing"})
    assert error(bogus) == (401, "INVALID_API_KEY")
    assert not any(name in bogus.headers for name in HEADERS)


def test_the_plan_is_read_once_per_workspace_not_on_every_request(db, limited_client):
    from tests.sql_counting import statements

    def plan_reads(seen: list[str]) -> int:
        return sum(1 for sql in seen if sql.split("FROM")[0].split() == ["SELECT", "workspaces.settings"])

    _ws, api = on_plan(db, limited_client, per_second=100, burst=100)
    with statements(db) as first:
        api.get("/v1/items")
    with statements(db) as then:
        for _ in range(3):
            api.get("/v1/items")
    assert (plan_reads(first), plan_reads(then)) == (1, 0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_with_redis_unreachable_requests_go_through_unlimited_and_a_warning_is_logged(settings, db, caplog):
    down = settings.model_copy(update={"rate_limit_enabled": True, "redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    app = create_app(down, db)
    with TestClient(app) as client, caplog.at_level(logging.WARNING, logger="storekeeper.ratelimit"):
        workspace, key = workspaces.create_workspace(db, "Redis down")
        workspaces.update_workspace(db, workspace["workspace_id"], {"settings": {"rate_limit": {"burst": 2}}})
        api = Api(client, key)
        responses = [api.get("/v1/me") for _ in range(5)]
        scraped = client.get("/metrics").text
    assert [r.status_code for r in responses] == [200] * 5
    assert not any(name in responses[0].headers for name in HEADERS)
    assert any("Redis is unavailable" in record.getMessage() for record in caplog.records)
    errors = [line for line in scraped.splitlines() if line.startswith("storekeeper_rate_limit_backend_errors_total")]
    assert errors and float(errors[0].split()[-1]) >= 1


# The arithmetic behind the headers, with a clock the test moves.


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_bucket_refills_at_its_rate_up_to_its_burst_and_refusals_take_nothing():
    clock = Clock()
    backend = MemoryBackend(clock=clock, wall=clock)
    plan = Plan(per_second=2, burst=3)
    assert [backend.take(plan, "ws", "key").allowed for _ in range(4)] == [True, True, True, False]
    clock.now += 0.25
    assert [backend.take(plan, "ws", "key").allowed for _ in range(5)] == [False] * 5
    clock.now += 0.25
    taken = backend.take(plan, "ws", "key")
    assert (taken.allowed, taken.tokens) == (True, pytest.approx(0))
    clock.now += 60
    assert backend.take(plan, "ws", "key").tokens == pytest.approx(2)  # full at 3, less this request


def test_a_quota_starts_again_when_its_window_ends():
    clock = Clock(now=120.0)  # the start of a minute
    backend = MemoryBackend(clock=clock, wall=clock)
    plan = Plan(per_second=100, burst=100, per_minute=2)
    assert [backend.take(plan, "ws", f"key{i}").allowed for i in range(3)] == [True, True, False]
    clock.now = 179.5
    refused = backend.take(plan, "ws", "key9")
    assert refused.quotas == (Quota(limit=2, used=2, reset=0.5),)
    clock.now = 180.0
    assert backend.take(plan, "ws", "key9").quotas == (Quota(limit=2, used=1, reset=60.0),)


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        # A full bucket after one request: 2 left, full again in 0.5 s.
        (Usage(True, 2.0), (3, 2, 1, None)),
        # Refused with 0.4 token: the next comes in 0.3 s (Retry-After 1), full in 1.3 s (→ 2).
        (Usage(False, 0.4), (3, 0, 2, 1)),
        # A quota with less left than the bucket is the one reported.
        (Usage(True, 2.0, (Quota(10, 9, 42.2),)), (10, 1, 43, None)),
        # Refused by the quota with tokens to spare: wait for the window.
        (Usage(False, 3.0, (Quota(10, 10, 42.2),)), (10, 0, 43, 43)),
    ],
)
def test_the_headers_describe_the_limit_closest_to_refusing(usage, expected):
    decision = decide("ws", Plan(per_second=2, burst=3), usage)
    assert (decision.limit, decision.remaining, decision.reset, decision.retry_after) == expected
