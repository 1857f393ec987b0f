"""Parents and bundles cost a fixed number of SQL statements, however many variants or bundles a
request touches: a query per row would fail these."""

from __future__ import annotations

from tests.factories import item, location
from tests.sql_counting import statements


def _count(db, call) -> int:
    with statements(db) as seen:
        r = call()
        assert r.status_code in (200, 201), r.text
    return len(seen)


def test_a_bulk_of_variant_sales_costs_the_same_statements_for_two_parents_as_for_twenty(api, db):
    location(api, "Main", is_default=True)
    for p in range(20):
        api.post("/v1/items", json={"sku": f"P{p:02}", "name": f"Parent {p}", "variants": [
            {"sku": f"P{p:02}-{size}", "attributes": {"size": size}, "initial_stock": [{"quantity": 5}]}
            for size in ("S", "M", "L")]})

    def sales(parents: range) -> list[dict]:
        return [{"item": f"P{p:02}-{size}", "reason": "sale", "delta": -1} for p in parents for size in ("S", "M", "L")]

    few = _count(db, lambda: api.post("/v1/stock/adjustments/bulk", json={"adjustments": sales(range(2))}))
    many = _count(db, lambda: api.post("/v1/stock/adjustments/bulk", json={"adjustments": sales(range(2, 20))}))
    assert 0 < few == many
    assert api.get("/v1/items/P19").json()["on_hand"] == 12


def test_a_bulk_of_bundle_sales_costs_the_same_statements_for_two_bundles_as_for_twenty(api, db):
    location(api, "Main", is_default=True)
    item(api, "PART-A", initial_stock=[{"quantity": 100}])
    item(api, "PART-B", initial_stock=[{"quantity": 100}])
    for b in range(20):
        item(api, f"KIT{b:02}", tracking="bundle")
        r = api.put(f"/v1/items/KIT{b:02}/components", json=[{"item": "PART-A", "quantity": 1},
                                                            {"item": "PART-B", "quantity": 2}])
        assert r.status_code == 200, r.text

    def sales(bundles: range) -> list[dict]:
        return [{"item": f"KIT{b:02}", "reason": "sale", "delta": -1} for b in bundles]

    few = _count(db, lambda: api.post("/v1/stock/adjustments/bulk", json={"adjustments": sales(range(2))}))
    many = _count(db, lambda: api.post("/v1/stock/adjustments/bulk", json={"adjustments": sales(range(2, 20))}))
    assert 0 < few == many
    assert api.get("/v1/items/PART-B").json()["on_hand"] == 100 - 2 * 20
    assert api.get("/v1/items/KIT07").json()["on_hand"] == 30


def test_a_page_of_bundles_and_parents_costs_the_same_statements_as_a_page_of_one(api, db):
    location(api, "Main", is_default=True)
    item(api, "PART", initial_stock=[{"quantity": 10}])
    for b in range(12):
        item(api, f"BX{b:02}", tracking="bundle")
        api.put(f"/v1/items/BX{b:02}/components", json=[{"item": "PART", "quantity": 1}])
    one = _count(db, lambda: api.get("/v1/stock", params={"limit": 1, "q": "BX"}))
    # 11: both pages leave rows for a next one, so both count the total (a whole list is not counted).
    page = _count(db, lambda: api.get("/v1/stock", params={"limit": 11, "q": "BX"}))
    assert one == page
    rows = api.get("/v1/stock", params={"limit": 12, "q": "BX"}).json()["data"]
    assert [r["available"] for r in rows] == [10] * 12
