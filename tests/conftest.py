"""Shared fixtures. The database is SQLite (a file per test worker) unless
STOREKEEPER_TEST_DATABASE_URL names a PostgreSQL server, on which each worker creates a
database of its own. Every test makes its own workspace, so tests never see each other's data.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.engine import make_url

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from storekeeper.api.app import create_app
from storekeeper.config import Settings
from storekeeper.persistence import migrate
from storekeeper.persistence.database import Database, normalize_url
from storekeeper.services import api_keys, workspaces


def _postgres_database(server_url: str, name: str) -> str:
    import psycopg

    url = make_url(normalize_url(server_url))
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(server_url: str, name: str) -> None:
    import psycopg

    admin = make_url(normalize_url(server_url)).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run_name(worker_id: str) -> str:
    """xdist workers are named per run (gw0, gw1, …); a run without xdist gets its process id, so
    that two such runs against one server never drop each other's database."""
    return worker_id if worker_id != "master" else f"master_{os.getpid()}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id) -> Iterator[str]:
    server = os.environ.get("STOREKEEPER_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path_factory.getbasetemp() / 'storekeeper.db'}"
        return
    name = f"storekeeper_test_{_run_name(worker_id)}"
    yield _postgres_database(server, name)
    if worker_id == "master":
        _drop_postgres_database(server, name)


@pytest.fixture(scope="session")
def new_database_url(tmp_path_factory, worker_id):
    """A factory of URLs of new, empty databases beside the test database (a SQLite file, or a
    database of its own on the test PostgreSQL server, named after the worker so that xdist
    workers never share one), for tests that need a database to themselves: a server process,
    migrations from scratch."""
    server = os.environ.get("STOREKEEPER_TEST_DATABASE_URL")

    def make(name: str) -> str:
        if server:
            return _postgres_database(server, f"storekeeper_test_{_run_name(worker_id)}_{name}")
        return f"sqlite:///{tmp_path_factory.mktemp(name) / 'storekeeper.db'}"

    return make


@pytest.fixture(scope="session")
def settings(database_url) -> Settings:
    """The suite sends hundreds of requests a second with one key: rate limits are off here, and
    on in the apps that tests/api/test_rate_limits.py builds for itself. Its webhook receivers
    listen on 127.0.0.1: private webhook addresses are allowed here, and refused by the apps that
    tests/integration/test_webhooks.py and tests/web/test_admin_pages.py build with the default. The
    stock alert tests' SMTP server listens on 127.0.0.1 too (STOREKEEPER_SMTP_ALLOW_LOOPBACK). A
    key read is trusted for an hour here, not 2 s: the statements a request costs, which many
    tests count, must not depend on how busy the machine is (the TTL is tested with a clock of its
    own in tests/api/test_key_cache.py; the e2e servers keep the default)."""
    return Settings(database_url=database_url, sqlite_synchronous="NORMAL", rate_limit_enabled=False,
                    webhook_allow_private=True, smtp_allow_loopback=True, api_key_cache_seconds=3600)


@pytest.fixture(scope="session")
def db(settings) -> Iterator[Database]:
    database = Database(settings.database_url, settings)
    migrate.upgrade(database)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def app(settings, db):
    return create_app(settings, db)


@pytest.fixture(scope="session")
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


class Api:
    """The app over HTTP, authenticated with one API key."""

    def __init__(self, client: TestClient, key: str):
        self.client = client
        self.key = key

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any):
        auth = {"Authorization": f"Bearer {self.key}"}
        return self.client.request(method, path, headers={**auth, **(headers or {})}, **kwargs)

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs):
        return self.request("POST", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs):
        return self.request("PATCH", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs):
        return self.request("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.request("DELETE", path, **kwargs)


@dataclass
class Workspace:
    id: str
    key: str
    api: Api
    db: Database

    def key_with(self, *scopes: str, name: str = "test") -> Api:
        """Another key of this workspace, with exactly these scopes."""
        _row, key = api_keys.create_api_key(self.db, self.id, name, list(scopes))
        return Api(self.api.client, key)


def make_workspace(db: Database, client: TestClient, name: str = "Test") -> Workspace:
    ws, key = workspaces.create_workspace(db, name)
    return Workspace(id=ws["workspace_id"], key=key, api=Api(client, key), db=db)


@pytest.fixture
def workspace(db, client) -> Workspace:
    return make_workspace(db, client)


@pytest.fixture
def workspace_without_locations(db, client) -> Workspace:
    """A workspace as one made before migration 0014 was until someone created a location: none
    at all, so no default location. (Made so now only by hand: a new workspace gets one, and the
    default location cannot be deleted.)"""
    with db.write() as conn:
        ws = workspaces.insert_workspace(conn, "Without locations")
        _row, key = api_keys.insert_api_key(conn, ws["workspace_id"], "admin", ["*"])
    return Workspace(id=ws["workspace_id"], key=key, api=Api(client, key), db=db)


@pytest.fixture
def api(workspace) -> Api:
    """An admin (`*`) key of a fresh workspace."""
    return workspace.api


@pytest.fixture
def other_workspace(db, client) -> Workspace:
    return make_workspace(db, client, "Other")


@dataclass(frozen=True)
class Operation:
    """One method of one route of the app, as the route table has it."""

    method: str
    path: str  # the pattern, e.g. /v1/items/{ref}
    scopes: tuple[str, ...]  # what Security(authenticate, scopes=[…]) requires; () for any valid key
    authenticated: bool  # whether `authenticate` runs at all

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)(?::\w+)?}", self.path)

    def url(self, **values: str) -> str:
        return re.sub(r"{(\w+)(?::\w+)?}", lambda m: values[m.group(1)], self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _sub_dependants(dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub
        yield from _sub_dependants(sub)


@pytest.fixture(scope="session")
def operations(app) -> list[Operation]:
    """Every method of every APIRoute the app serves, read from the route table. Since FastAPI
    0.137 `app.routes` holds included routers unexpanded; `iter_route_contexts` flattens them."""
    from fastapi.routing import APIRoute, iter_route_contexts

    from storekeeper.api.deps import authenticate

    result = []
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute):
            continue
        auth = [d for d in _sub_dependants(route.dependant) if d.call is authenticate]
        required = [scope for d in auth for scope in [*(d.parent_oauth_scopes or []), *(d.own_oauth_scopes or [])]]
        scopes = tuple(dict.fromkeys(required))
        for method in sorted(route.methods):
            result.append(Operation(method, route.path, scopes, bool(auth)))
    return result


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port (tests/smtp_server.py), stopped after the test."""
    from tests.smtp_server import start

    server, controller = start()
    yield server
    controller.stop()
