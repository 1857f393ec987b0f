"""Every list endpoint costs the same number of SQL statements for a page of a few rows as for a
page of many, with its default `total`: a query per row (or per anything that grows with the
data) fails these. The counts are compared, not hard-coded, so they hold on either database."""

from __future__ import annotations

import pytest

from tests.factories import item, location
from tests.sql_counting import statements

LISTS = [
    "/v1/items", "/v1/items?q=sc-", "/v1/items?sort=-price&top_level=true", "/v1/items/deleted", "/v1/stock",
    "/v1/stock?location=Main",
    "/v1/stock/movements", "/v1/stock/movements?since=2000-01-01T00:00:00Z", "/v1/locations", "/v1/categories",
    "/v1/tax-rates", "/v1/reservations", "/v1/purchase-orders", "/v1/production-orders", "/v1/reports/reorder",
    "/v1/events", "/v1/audit-log", "/v1/api-keys", "/v1/webhooks", "/v1/snapshots", "/v1/users", "/v1/reasons",
]


def ok(r):
    assert r.status_code in (200, 201, 202, 204), r.text
    return r.json() if r.content else None


def populate(api, start: int, n: int) -> None:
    """n more of everything a list shows: items with stock and a reorder point (some deleted),
    locations, categories, tax rates, reservations, orders, keys, users, webhooks, snapshots."""
    for i in range(start, start + n):
        item(api, f"SC-{i:03}", reorder_point=50, initial_stock=[{"location": "Main", "quantity": 10}])
        item(api, f"GONE-{i:03}")
        ok(api.delete(f"/v1/items/GONE-{i:03}"))
        location(api, f"Shelf {i}")
        ok(api.post("/v1/categories", json={"name": f"Category {i}"}))
        ok(api.post("/v1/tax-rates", json={"name": f"Rate {i}", "rate": "0.05"}))
        ok(api.post("/v1/reservations", json={"item": f"SC-{i:03}", "quantity": 1}))
        ok(api.post("/v1/purchase-orders", json={"supplier": f"Supplier {i}",
                                                 "lines": [{"item": f"SC-{i:03}", "quantity": 5}]}))
        ok(api.post("/v1/production-orders", json={"lines": [{"item": f"SC-{i:03}", "quantity": 2}]}))
        ok(api.post("/v1/api-keys", json={"name": f"Key {i}", "scopes": ["stock:read"]}))
        ok(api.post("/v1/users", json={"email": f"user{i}@example.com", "name": f"User {i}", "role": "member"}))
        ok(api.post("/v1/webhooks", json={"url": f"http://127.0.0.1:9/hook{i}", "events": ["stock.*"]}))
        ok(api.post("/v1/snapshots", json={"note": f"Snapshot {i}"}))


def counted(api, db, path: str) -> tuple[int, int]:
    """(statements, rows) of the first page of `path`, as long as the page can be."""
    separator = "&" if "?" in path else "?"
    with statements(db) as seen:
        page = ok(api.get(f"{path}{separator}limit=200"))
    return len(seen), len(page["data"])


@pytest.fixture
def lists(api, db):
    location(api, "Main", is_default=True)
    populate(api, 0, 2)
    few = {path: counted(api, db, path) for path in LISTS}
    populate(api, 2, 8)
    many = {path: counted(api, db, path) for path in LISTS}
    return few, many


def test_every_list_costs_the_same_statements_for_many_rows_as_for_few(lists):
    few, many = lists
    for path in LISTS:
        (few_statements, few_rows), (many_statements, many_rows) = few[path], many[path]
        if path != "/v1/reasons":  # the built-in reasons are there from the start
            assert many_rows > few_rows > 0, (path, few_rows, many_rows)
        assert few_statements == many_statements, (path, few_statements, many_statements)
