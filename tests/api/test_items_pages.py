"""Sorting and paging GET /v1/items (SPEC §2 Lists): every sort, cursors walking every page,
offsets, totals and the limits of the paging parameters."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

SORTS = ["created_at", "-created_at", "updated_at", "-updated_at", "name", "-name", "sku", "-sku", "price", "-price"]

# Letters and digits only, one case per field, so that SQLite's byte order and any PostgreSQL
# collation agree on the expected order. Prices: two items without one, two alike, 100 above 12.5
# (compared as numbers, not as text).
CATALOGUE = [("K7", "delta", "5.00"), ("B2", "Alpha", None), ("Z1", "charlie", "12.50"), ("A10", "Bravo", "0.99"),
             ("A9", "echo", None), ("M5", "alpha", "100.00"), ("C3", "Foxtrot", "5.00")]


@pytest.fixture
def catalogue(api) -> list[dict]:
    """Seven items created a few milliseconds apart, then touched in another order, so that
    creation, update, name and SKU order all differ."""
    created = []
    for sku, name, price in CATALOGUE:
        r = api.post("/v1/items", json={"sku": sku, "name": name, "price": price})
        assert r.status_code == 201
        created.append(r.json())
        time.sleep(0.003)
    for item in (created[4], created[0], created[6]):
        api.patch(f"/v1/items/{item['id']}", json={"description": "touched"})
        time.sleep(0.003)
    return [api.get(f"/v1/items/{item['id']}").json() for item in created]


def expected_order(catalogue: list[dict], sort: str) -> list[str]:
    field = sort.lstrip("-")
    keys = {
        "created_at": lambda i: (i["created_at"], i["id"]),
        "updated_at": lambda i: (i["updated_at"], i["id"]),
        "name": lambda i: (i["name"].casefold(), i["id"]),
        "sku": lambda i: (i["sku"], i["id"]),
        # No price sorts before every price (after every price with -price).
        "price": lambda i: (Decimal(i["price"]) if i["price"] is not None else Decimal(-1), i["id"]),
    }
    return [i["sku"] for i in sorted(catalogue, key=keys[field], reverse=sort.startswith("-"))]


def walk(api, **params) -> list[list[str]]:
    """Every page of the list, following next_cursor; the SKUs on each page."""
    pages = []
    cursor = None
    while True:
        r = api.get("/v1/items", params={**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        pages.append([i["sku"] for i in body["data"]])
        assert body["meta"]["has_more"] == (body["meta"]["next_cursor"] is not None)
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 50, "the cursor does not advance"


def test_the_catalogue_orders_differ_so_the_sorts_can_be_told_apart(catalogue):
    orders = {tuple(expected_order(catalogue, sort)) for sort in SORTS}
    assert len(orders) == len(SORTS)


def test_the_default_order_is_oldest_first(api, catalogue):
    data = api.get("/v1/items").json()["data"]
    assert [i["sku"] for i in data] == [sku for sku, _, _ in CATALOGUE]


@pytest.mark.parametrize("sort", SORTS)
def test_each_sort_orders_the_whole_list(api, catalogue, sort):
    data = api.get("/v1/items", params={"sort": sort}).json()["data"]
    assert [i["sku"] for i in data] == expected_order(catalogue, sort)


def test_name_order_ignores_case(api, catalogue):
    data = api.get("/v1/items", params={"sort": "name"}).json()["data"]
    assert [i["name"] for i in data][:4] in (["Alpha", "alpha", "Bravo", "charlie"], ["alpha", "Alpha", "Bravo",
                                                                                      "charlie"])


@pytest.mark.parametrize("sort", SORTS)
def test_walking_the_cursor_returns_every_item_once_in_order(api, catalogue, sort):
    for limit in (1, 2, 3):
        pages = walk(api, sort=sort, limit=limit)
        assert all(len(page) == limit for page in pages[:-1])
        assert 1 <= len(pages[-1]) <= limit
        assert [sku for page in pages for sku in page] == expected_order(catalogue, sort), limit


def test_every_page_reports_the_total_and_the_limit(api, catalogue):
    r = api.get("/v1/items", params={"limit": 3})
    meta = r.json()["meta"]
    assert meta["limit"] == 3
    assert meta["total"] == 7
    assert meta["has_more"] is True
    nxt = api.get("/v1/items", params={"limit": 3, "cursor": meta["next_cursor"]}).json()["meta"]
    assert nxt["total"] == 7


def test_a_page_that_ends_exactly_at_the_last_item_says_there_is_no_more(api, catalogue):
    meta = api.get("/v1/items", params={"limit": 7}).json()["meta"]
    assert (meta["has_more"], meta["next_cursor"]) == (False, None)


def test_a_cursor_walks_a_filtered_list(api, catalogue):
    pages = walk(api, sort="-sku", limit=1, q="L")  # delta, Alpha, charlie, alpha
    assert [sku for page in pages for sku in page] == ["Z1", "M5", "K7", "B2"]


def test_an_item_created_while_walking_appears_on_a_later_page(api, catalogue):
    first = api.get("/v1/items", params={"limit": 4}).json()
    api.post("/v1/items", json={"sku": "LATE", "name": "late"})
    rest = api.get("/v1/items", params={"limit": 50, "cursor": first["meta"]["next_cursor"]}).json()["data"]
    seen = [i["sku"] for i in first["data"]] + [i["sku"] for i in rest]
    assert seen == [sku for sku, _, _ in CATALOGUE] + ["LATE"]


@pytest.mark.parametrize("sort", ["sku", "-updated_at"])
def test_offset_skips_rows(api, catalogue, sort):
    order = expected_order(catalogue, sort)
    data = api.get("/v1/items", params={"sort": sort, "offset": 2, "limit": 3}).json()
    assert [i["sku"] for i in data["data"]] == order[2:5]
    assert data["meta"]["has_more"] is True
    tail = api.get("/v1/items", params={"sort": sort, "offset": 5, "limit": 3}).json()
    assert [i["sku"] for i in tail["data"]] == order[5:]
    assert tail["meta"]["has_more"] is False
    beyond = api.get("/v1/items", params={"offset": 100}).json()
    assert beyond["data"] == []
    assert beyond["meta"]["total"] == 7


def test_include_total_false_leaves_the_total_out(api, catalogue):
    meta = api.get("/v1/items", params={"include_total": "false", "limit": 2}).json()["meta"]
    assert "total" not in meta
    assert meta["has_more"] is True
    assert api.get("/v1/items", params={"include_total": "true"}).json()["meta"]["total"] == 7


def test_cursor_and_offset_together_are_refused(api, catalogue):
    cursor = api.get("/v1/items", params={"limit": 2}).json()["meta"]["next_cursor"]
    r = api.get("/v1/items", params={"limit": 2, "cursor": cursor, "offset": 2})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "cursor" in r.json()["error"]["fields"]


@pytest.mark.parametrize("cursor", ["garbage", "!!!", "W10", "WyJza3UiXQ", "eyJhIjoxfQ"])
def test_a_garbage_cursor_is_a_validation_error(api, cursor):
    r = api.get("/v1/items", params={"cursor": cursor})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "cursor" in r.json()["error"]["fields"]


@pytest.mark.parametrize(("made_for", "used_with"), [("name", "-name"), ("name", "sku"), ("created_at", "updated_at"),
                                                      ("-created_at", "created_at"), ("sku", "created_at"),
                                                      ("price", "-price"), ("price", "name")])
def test_a_cursor_made_for_another_sort_is_refused(api, catalogue, made_for, used_with):
    cursor = api.get("/v1/items", params={"sort": made_for, "limit": 2}).json()["meta"]["next_cursor"]
    assert cursor
    r = api.get("/v1/items", params={"sort": used_with, "cursor": cursor})
    assert r.status_code == 422
    assert "cursor" in r.json()["error"]["fields"]


@pytest.mark.parametrize("limit", [0, -1, 1001, "many"])
def test_a_limit_outside_one_to_a_thousand_is_refused(api, limit):
    r = api.get("/v1/items", params={"limit": limit})
    assert r.status_code == 422
    assert "limit" in r.json()["error"]["fields"]


def test_the_limit_bounds_themselves_are_accepted(api, catalogue):
    assert len(api.get("/v1/items", params={"limit": 1}).json()["data"]) == 1
    assert len(api.get("/v1/items", params={"limit": 1000}).json()["data"]) == 7


def test_an_unknown_sort_is_refused(api):
    r = api.get("/v1/items", params={"sort": "cost"})
    assert r.status_code == 422
    assert "sort" in r.json()["error"]["fields"]
