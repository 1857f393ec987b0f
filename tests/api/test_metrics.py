"""GET /metrics: requests by route template, and the ledger's and the outbox's lag from the
database.

The app here has a database of its own, so that the gauges, which add up every workspace, start
from nothing; tests that change them still compare before and after where another test of this
module could have moved them.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from storekeeper.api.app import create_app
from storekeeper.domain.clock import utcnow
from storekeeper.domain.ids import new_id
from storekeeper.persistence import migrate
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import events, reservations, webhooks
from storekeeper.services import reservations as reservation_service
from storekeeper.services import workspaces
from tests.conftest import Api
from tests.factories import item, location


@pytest.fixture(scope="module")
def own_db(settings, new_database_url) -> Iterator[Database]:
    url = new_database_url("metrics")
    database = Database(url, settings.model_copy(update={"database_url": url}))
    migrate.upgrade(database)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def client(settings, own_db) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"database_url": own_db.url}), own_db)) as test_client:
        yield test_client


@pytest.fixture
def api(own_db, client) -> Api:
    _workspace, key = workspaces.create_workspace(own_db, "Metrics")
    api = Api(client, key)
    location(api, "Main", is_default=True)  # the workspace's first location is its default
    return api


def scrape(client: TestClient) -> dict[tuple[str, frozenset], float]:
    """Every sample of /metrics: (name, labels) → value."""
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(r.text)
        for sample in family.samples
    }


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_requests_are_counted_by_method_route_template_and_status(client, api):
    route = {"method": "GET", "route": "/v1/items/{ref}"}
    before = scrape(client)
    item(api, "METRIC-COUNTED")
    assert api.get("/v1/items/METRIC-COUNTED").status_code == 200
    for _ in range(2):
        assert api.get("/v1/items/METRIC-NOWHERE").status_code == 404
    assert client.get("/v1/no-such-endpoint").status_code == 404
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("storekeeper_http_requests_total", **route, status="200") == 1
    assert grew("storekeeper_http_requests_total", **route, status="404") == 2
    assert grew("storekeeper_http_requests_total", method="POST", route="/v1/items", status="201") == 1
    assert grew("storekeeper_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert grew("storekeeper_http_request_duration_seconds_count", **route, status="404") == 2
    assert grew("storekeeper_http_request_duration_seconds_bucket", **route, status="404", le="+Inf") == 2
    assert grew("storekeeper_http_request_duration_seconds_sum", **route, status="404") > 0
    # The scrape before this one counted too.
    assert grew("storekeeper_http_requests_total", method="GET", route="/metrics", status="200") >= 1


def test_no_id_sku_or_raw_path_becomes_a_label(client, api):
    created = item(api, "METRIC-SECRET-SKU")
    api.get(f"/v1/items/{created['id']}")
    api.get("/v1/items/METRIC-SECRET-SKU/movements")
    text = client.get("/metrics").text
    assert "METRIC-SECRET-SKU" not in text
    assert created["id"] not in text
    assert 'route="/v1/items/{ref}/movements"' in text


def test_reservations_past_expiry_count_as_due_until_the_worker_marks_them(client, api, own_db):
    item(api, "METRIC-RESERVED")
    assert api.post("/v1/stock/adjustments", json={"item": "METRIC-RESERVED", "reason": "receipt", "delta": 5}
                    ).status_code == 201
    made = [api.post("/v1/reservations", json={"item": "METRIC-RESERVED", "quantity": 1}).json() for _ in range(3)]
    assert value(scrape(client), "storekeeper_reservations_due") == 0

    # Two of them expire in the past, as if the worker had not run since.
    with own_db.write() as conn:
        conn.execute(
            update(reservations)
            .where(reservations.c.id.in_([made[0]["id"], made[1]["id"]]))
            .values(expires_at=utcnow() - timedelta(minutes=5))
        )
    assert value(scrape(client), "storekeeper_reservations_due") == 2

    reservation_service.expire_due(own_db)
    assert value(scrape(client), "storekeeper_reservations_due") == 0


def test_movements_total_adds_up_every_movement_written(client, api):
    item(api, "METRIC-MOVED-A")
    item(api, "METRIC-MOVED-B")
    before = value(scrape(client), "storekeeper_movements_total")
    assert api.post("/v1/stock/adjustments", json={"item": "METRIC-MOVED-A", "reason": "receipt", "delta": 4}
                    ).status_code == 201
    bulk = api.post("/v1/stock/adjustments/bulk", json={"adjustments": [
        {"item": "METRIC-MOVED-A", "reason": "sale", "delta": -1},
        {"item": "METRIC-MOVED-B", "reason": "receipt", "delta": 2},
    ]})
    assert bulk.status_code in (200, 201), bulk.text
    assert value(scrape(client), "storekeeper_movements_total") - before == 3


def test_the_outbox_gauges_count_undelivered_events_of_active_webhooks_and_the_oldest_ones_age(client, own_db):
    samples = scrape(client)
    assert value(samples, "storekeeper_outbox_pending_events") == 0
    assert value(samples, "storekeeper_outbox_oldest_pending_seconds") == 0

    workspace, _key = workspaces.create_workspace(own_db, "Outbox")
    workspace_id = workspace["workspace_id"]
    now = utcnow()
    # Sequences far above any the services may have given this workspace's own events.
    with own_db.write() as conn:
        conn.execute(events.insert(), [
            {"workspace_id": workspace_id, "sequence": 1000 + n, "id": new_id("event"), "type": "item.created",
             "resource_type": "item", "resource_id": None, "data": {}, "request_id": None,
             "created_at": now - timedelta(seconds=age)}
            for n, age in ((1, 120), (2, 60), (3, 10))
        ])

        def webhook(delivered: int, *, active: bool = True, deleted: bool = False) -> dict:
            return {"workspace_id": workspace_id, "id": new_id("webhook"), "url": "https://example.invalid/hook",
                    "events": [], "secret": "s", "description": None, "is_active": active, "disabled_reason": None,
                    "delivered_sequence": delivered, "failing_since": None, "attempts": 0, "next_attempt_at": None,
                    "leased_until": None, "version": 1, "created_at": now, "updated_at": now,
                    "deleted_at": now if deleted else None}

        conn.execute(webhooks.insert(), [
            webhook(1000),  # all three pending
            webhook(1002),  # the last one pending
            webhook(1000, active=False),  # disabled: not waiting for anything
            webhook(1000, deleted=True),  # deleted: neither
        ])
    samples = scrape(client)
    assert value(samples, "storekeeper_outbox_pending_events") == 4
    assert 119 <= value(samples, "storekeeper_outbox_oldest_pending_seconds") < 180

    with own_db.write() as conn:
        conn.execute(update(webhooks).where(webhooks.c.workspace_id == workspace_id).values(delivered_sequence=1003))
    samples = scrape(client)
    assert value(samples, "storekeeper_outbox_pending_events") == 0
    assert value(samples, "storekeeper_outbox_oldest_pending_seconds") == 0


def test_every_documented_metric_is_exposed_and_the_database_is_up(client):
    samples = scrape(client)
    names = {name for name, _labels in samples}
    assert {
        "storekeeper_http_requests_total",
        "storekeeper_http_request_duration_seconds_bucket",
        "storekeeper_rate_limit_backend_errors_total",
        "storekeeper_database_up",
        "storekeeper_reservations_due",
        "storekeeper_movements_total",
        "storekeeper_outbox_pending_events",
        "storekeeper_outbox_oldest_pending_seconds",
    } <= names
    assert value(samples, "storekeeper_database_up") == 1


def test_a_scrape_answers_when_the_database_is_unreachable(settings, tmp_path):
    gone = Database(f"sqlite:///{tmp_path}/missing/dir/storekeeper.db", settings)
    with TestClient(create_app(settings, gone)) as test_client:
        samples = scrape(test_client)
    assert value(samples, "storekeeper_database_up") == 0
    assert ("storekeeper_reservations_due", frozenset()) not in samples


def test_apps_built_one_after_another_each_count_their_own_requests(settings, db):
    first, second = create_app(settings, db), create_app(settings, db)
    with TestClient(first) as a, TestClient(second) as b:
        for _ in range(3):
            a.get("/healthz")
        b.get("/healthz")
        healthz = {"method": "GET", "route": "/healthz", "status": "200"}
        assert value(scrape(a), "storekeeper_http_requests_total", **healthz) == 3
        assert value(scrape(b), "storekeeper_http_requests_total", **healthz) == 1
