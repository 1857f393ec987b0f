"""The sign-in throttle shared through Redis (issue 19): two app instances (two processes' worth of
state) on one real `redis-server` count one email's and one address's failures once, whichever
instance the attempts reach, and a successful sign-in gives its tokens back there too. Skips
without redis-server, except under CI=true."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from storekeeper.api.app import create_app
from storekeeper.services import sessions, users, workspaces
from tests.integration.test_redis_rate_limits import RedisServer

PASSWORD = "correct horse battery"
WRONG = "not the password at all"


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis-sign-in"))
    yield server
    server.stop()


@pytest.fixture
def two_instances(settings, db, redis_server) -> tuple:
    shared = settings.model_copy(update={"redis_url": redis_server.url, "sign_in_failures_per_email": 3,
                                         "sign_in_failures_per_address": 5, "sign_in_window_seconds": 900})
    return create_app(shared, db), create_app(shared, db)


def person(db, email: str) -> str:
    workspace, _key = workspaces.create_workspace(db, "Sign-in throttle")
    users.create_user(db, workspace["workspace_id"], email, None, "member")
    sessions.set_password(db, workspace["workspace_id"], email, PASSWORD)
    return email


def attempt(app, address: str, email: str, password: str) -> int:
    client = TestClient(app, client=(address, 40000))
    return client.post("/login", data={"email": email, "password": password}, follow_redirects=False).status_code


def test_an_emails_failures_are_counted_once_across_both_instances(db, two_instances):
    one, two = two_instances
    ada = person(db, "ada@redis-email.example")
    assert [attempt(app, "192.0.2.10", ada, WRONG) for app in (one, two, one)] == [401, 401, 401]
    assert [attempt(app, "192.0.2.11", ada, PASSWORD) for app in (two, one)] == [429, 429]


def test_an_addresss_failures_are_counted_once_and_a_success_takes_nothing(db, two_instances):
    one, two = two_instances
    bob = person(db, "bob@redis-address.example")
    statuses = [attempt(app, "192.0.2.20", f"guess{n}@redis-address.example", WRONG)
                for n, app in enumerate((one, two, one, two))]
    assert statuses == [401] * 4
    assert [attempt(app, "192.0.2.20", bob, PASSWORD) for app in (one, two, one)] == [303, 303, 303]
    assert attempt(two, "192.0.2.20", "guess9@redis-address.example", WRONG) == 401  # the fifth failure
    assert attempt(one, "192.0.2.20", bob, PASSWORD) == 429
