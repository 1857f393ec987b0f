"""The modulus dialect's lists cost the same number of SQL statements for a page of many rows as
for a page of few: locations' names, order lines and the like are read once per page, never once
per row (in-process app, both databases)."""

from __future__ import annotations

from tests.compat.modulus.shapes import PREFIX
from tests.factories import location
from tests.sql_counting import statements

ROWS = 30


def cost(workspace, path: str, limit: int) -> int:
    with statements(workspace.db) as seen:
        r = workspace.api.get(PREFIX + path, params={"limit": limit})
        assert r.status_code == 200, r.text
        assert len(r.json()["data"]) == limit and r.json()["pagination"]["has_more"]
    return len(seen)


def test_a_long_page_of_each_list_costs_what_a_short_one_does(workspace):
    api = workspace.api
    homes = [location(api, f"Home {n}")["id"] for n in range(3)]
    for n in range(ROWS):
        r = api.post(f"{PREFIX}/v1/items", json={"name": f"Item {n}", "sku": f"ST-{n}", "quantity": n + 1,
                                                 "location": homes[n % 3]})
        assert r.status_code == 201, r.text
        r = api.post(f"{PREFIX}/v1/orders", json={"supplier": "Acme", "location": homes[n % 3], "line_items": [
            {"item_id": f"ST-{n}", "quantity": 2}, {"item_id": "ST-0", "quantity": 1, "unit_cost": 1.5}]})
        assert r.status_code == 201, r.text
        assert api.post("/v1/snapshots", json={"note": f"snapshot {n}"}).status_code == 201
    for path in ("/v1/items", "/v1/orders", "/v1/audit-log", "/v1/snapshots"):
        few, many = cost(workspace, path, 3), cost(workspace, path, ROWS - 2)
        assert 0 < few == many, (path, few, many)
