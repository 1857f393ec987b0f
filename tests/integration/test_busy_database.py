"""A write that cannot get SQLite's write lock in time (another process holds it: a long
`storekeeper import`, say) is a 503 DATABASE_BUSY with Retry-After, in the SPEC's error format,
and changes nothing: not a 500."""

from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient

from storekeeper.api.app import create_app
from storekeeper.persistence.database import Database
from tests.conftest import Api, make_workspace


def test_a_write_that_waits_past_the_busy_timeout_is_a_503_and_changes_nothing(db, client, settings):
    if not db.is_sqlite:
        pytest.skip("SQLite's write lock")
    workspace = make_workspace(db, client)
    impatient = settings.model_copy(update={"sqlite_busy_timeout_ms": 200})
    busy_db = Database(settings.database_url, impatient)
    with TestClient(create_app(impatient, busy_db)) as busy_client:
        api = Api(busy_client, workspace.key)
        assert api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp"}).status_code == 201
        holder = sqlite3.connect(db.engine.url.database, timeout=5, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # the write lock, as an import's transaction holds it
            r = api.post("/v1/items", json={"sku": "DESK", "name": "Desk"})
            assert r.status_code == 503, r.text
            assert r.json()["error"]["code"] == "DATABASE_BUSY"
            assert r.headers["Retry-After"] == "1"
            assert api.get("/v1/items/LAMP").status_code == 200  # reads go on
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert api.get("/v1/items/DESK").status_code == 404
        assert api.post("/v1/items", json={"sku": "DESK", "name": "Desk"}).status_code == 201
    busy_db.dispose()
