"""The unfiltered lists' `total` is a count kept by triggers on items (and the movements counter),
not counted per request: it must always be the number of rows the list pages through, whatever
happened to the items, and `storekeeper check` must notice a kept count that drifted."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from storekeeper.domain.clock import utcnow
from storekeeper.persistence.tables import counters
from storekeeper.services import trash
from storekeeper.services.check import check
from tests.concurrency import at_once
from tests.factories import item, location
from tests.sql_counting import statements

TOTALLED = ["/v1/items", "/v1/stock", "/v1/stock/movements"]


def ok(r):
    assert r.status_code in (200, 201, 204), r.text
    return r.json() if r.content else None


def rows_and_total(api, path: str) -> tuple[int, int]:
    """(rows paged through by cursor, 3 at a time, the `total` of the first page)."""
    page = ok(api.get(path, params={"limit": 3}))
    total, rows = page["meta"]["total"], len(page["data"])
    while page["meta"]["has_more"]:
        page = ok(api.get(path, params={"limit": 3, "cursor": page["meta"]["next_cursor"]}))
        rows += len(page["data"])
    return rows, total


def assert_totals_exact(api, workspace) -> dict[str, int]:
    found = {}
    for path in TOTALLED:
        rows, total = rows_and_total(api, path)
        assert total == rows, (path, total, rows)
        found[path] = total
    assert check(workspace.db, workspace.id)[1] == []
    return found


def test_the_totals_follow_every_change_of_the_items(api, workspace):
    location(api, "Main", is_default=True)
    assert assert_totals_exact(api, workspace) == {"/v1/items": 0, "/v1/stock": 0, "/v1/stock/movements": 0}
    item(api, "LAMP", initial_stock=[{"quantity": 5}])
    item(api, "SERVICE", tracking="none")
    item(api, "SHIRT", variants=[{"sku": "SHIRT-S", "attributes": {"size": "S"}},
                                 {"sku": "SHIRT-M", "attributes": {"size": "M"}}])
    item(api, "KIT", tracking="bundle")
    ok(api.put("/v1/items/KIT/components", json=[{"item": "LAMP", "quantity": 1}]))
    # Items: 6 (the parent and its variants count); stock: LAMP, SHIRT-S, SHIRT-M and KIT.
    assert assert_totals_exact(api, workspace) == {"/v1/items": 6, "/v1/stock": 4, "/v1/stock/movements": 1}

    ok(api.patch("/v1/items/SERVICE", json={"tracking": "quantity"}))
    assert assert_totals_exact(api, workspace)["/v1/stock"] == 5
    item(api, "MUG")  # becomes a parent: it leaves the stock list, its variant enters it
    ok(api.post("/v1/items/MUG/variants", json={"sku": "MUG-RED", "attributes": {"colour": "red"}}))
    assert assert_totals_exact(api, workspace) == {"/v1/items": 8, "/v1/stock": 6, "/v1/stock/movements": 1}

    ok(api.delete("/v1/items/SHIRT"))  # and its variants with it
    ok(api.delete("/v1/items/KIT"))
    ok(api.post("/v1/stock/adjustments", json={"item": "SERVICE", "reason": "receipt", "delta": 2}))
    deleted = assert_totals_exact(api, workspace)
    ok(api.post("/v1/items/KIT/restore"))
    assert assert_totals_exact(api, workspace)["/v1/items"] == deleted["/v1/items"] + 1

    trash.purge_expired(workspace.db, now=utcnow() + timedelta(days=400))  # SHIRT and its variants go
    assert assert_totals_exact(api, workspace)["/v1/items"] == deleted["/v1/items"] + 1


def test_filtered_lists_are_counted_and_asking_for_no_total_gives_none(api):
    location(api, "Main", is_default=True)
    for sku in ("RED-1", "RED-2", "BLUE-1"):
        item(api, sku, initial_stock=[{"quantity": 1}])
    assert ok(api.get("/v1/items", params={"q": "red"}))["meta"]["total"] == 2
    assert ok(api.get("/v1/stock", params={"q": "blue"}))["meta"]["total"] == 1
    assert ok(api.get("/v1/stock/movements", params={"item": "RED-2"}))["meta"]["total"] == 1
    for path in TOTALLED:
        assert "total" not in ok(api.get(path, params={"include_total": "false"}))["meta"]


def test_items_created_by_many_clients_at_once_are_all_counted(api, workspace):
    location(api, "Main", is_default=True)
    results = at_once([lambda i=i: api.post("/v1/items", json={
        "sku": f"C-{i:02}", "name": f"Concurrent {i}", "initial_stock": [{"quantity": 1}]}) for i in range(16)])
    assert [r.status_code for r in results] == [201] * 16
    assert assert_totals_exact(api, workspace) == {"/v1/items": 16, "/v1/stock": 16, "/v1/stock/movements": 16}


def test_check_names_a_kept_count_that_drifted_from_the_items(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "LAMP")
    with workspace.db.write() as conn:
        conn.execute(update(counters).where(counters.c.workspace_id == workspace.id,
                                            counters.c.name == "items_live").values(value=counters.c.value + 1))
    try:
        (mismatch,) = check(workspace.db, workspace.id)[1]
        assert (mismatch.rule, mismatch.recorded, mismatch.expected) == ("items_live = its items", 2, 1)
        assert str(mismatch) == f"{workspace.id}: items_live = its items: recorded 2, expected 1"
    finally:
        with workspace.db.write() as conn:
            conn.execute(update(counters).where(counters.c.workspace_id == workspace.id,
                                                counters.c.name == "items_live").values(value=counters.c.value - 1))


def test_a_filtered_list_that_fits_on_its_first_page_is_not_counted_again(api, db):
    location(api, "Main", is_default=True)
    for sku in ("RED-1", "RED-2", "RED-3", "BLUE-1"):
        item(api, sku)

    def searched(**params) -> tuple[int, dict]:
        with statements(db) as seen:
            page = ok(api.get("/v1/items", params={"q": "red", **params}))
        return len(seen), page

    whole, page = searched(limit=3)
    assert (page["meta"]["total"], len(page["data"]), page["meta"]["has_more"]) == (3, 3, False)
    part, page = searched(limit=2)
    assert (page["meta"]["total"], len(page["data"]), page["meta"]["has_more"]) == (3, 2, True)
    assert part == whole + 1  # the count
    following = ok(api.get("/v1/items", params={"q": "red", "limit": 2, "cursor": page["meta"]["next_cursor"]}))
    assert (following["meta"]["total"], len(following["data"])) == (3, 1)
    assert ok(api.get("/v1/items", params={"q": "red", "offset": 2}))["meta"]["total"] == 3
