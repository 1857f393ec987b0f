"""`item_updates`: each item's `updated_at`, kept by triggers on `items` (migration 0015), the
index that `updated_since` and `sort=updated_at` read. A stock change moves its items'
`updated_at`; indexed on `items` itself, that column would make every stock change rewrite every
index of the item's row on PostgreSQL (no HOT update), so no index of `items` may hold a column
that every stock change writes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from storekeeper.domain.clock import utcnow
from storekeeper.persistence.tables import item_updates, items
from storekeeper.services import ledger
from storekeeper.services.check import check
from tests.factories import item, location


def ok(r, status: int = 200) -> dict:
    assert r.status_code == status, r.text
    return r.json()


def kept_and_own(workspace, item_id: str) -> tuple:
    """(the time item_updates keeps for the item, the item's own updated_at)."""
    with workspace.db.read() as conn:
        kept = conn.execute(select(item_updates.c.updated_at).where(
            item_updates.c.workspace_id == workspace.id, item_updates.c.item_id == item_id)).scalar_one_or_none()
        own = conn.execute(select(items.c.updated_at).where(
            items.c.workspace_id == workspace.id, items.c.id == item_id)).scalar_one()
    return kept, own


def test_whatever_writes_an_items_updated_at_writes_its_time_in_item_updates(workspace):
    api = workspace.api
    location(api, "Main")
    made = item(api, "KEPT")
    seen = [kept_and_own(workspace, made["id"])]
    ok(api.patch("/v1/items/KEPT", json={"name": "Renamed"}))
    seen.append(kept_and_own(workspace, made["id"]))
    ok(api.post("/v1/stock/adjustments", json={"item": "KEPT", "reason": "receipt", "delta": 3}), 201)
    seen.append(kept_and_own(workspace, made["id"]))
    assert api.delete("/v1/items/KEPT").status_code == 204
    seen.append(kept_and_own(workspace, made["id"]))
    later = utcnow() + timedelta(minutes=1)
    with workspace.db.write() as conn:  # SQL of no service at all
        conn.execute(update(items).where(items.c.workspace_id == workspace.id, items.c.id == made["id"])
                     .values(updated_at=later))
    seen.append(kept_and_own(workspace, made["id"]))
    assert all(kept == own for kept, own in seen), seen
    assert len({own for _, own in seen}) == len(seen)  # each step moved it
    assert seen[-1][0] == later
    assert check(workspace.db, workspace.id)[1] == []


def written_by_every_stock_change() -> set[str]:
    """The columns of items the ledger's UPDATEs set, but `status`, which changes only when a
    threshold is crossed."""
    columns = set()
    for statement in (ledger._UPDATE_ITEM_STOCK, ledger._UPDATE_ITEM_SUMS):
        sql = str(statement.compile())
        columns |= set(re.findall(r"(\w+)=:", sql.split(" SET ", 1)[1].split(" WHERE ", 1)[0]))
    return columns - {"status"}


def index_definitions(db) -> list[str]:
    """What each index of items covers: its columns, expressions and condition."""
    with db.engine.connect() as conn:
        if db.is_sqlite:
            found = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items'"
                                      " AND sql IS NOT NULL")).scalars().all()
        else:
            found = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE tablename = 'items'")).scalars().all()
    return [definition.split(" ON ", 1)[1] for definition in found]


def test_no_index_of_items_holds_a_column_that_every_stock_change_writes(db):
    written = written_by_every_stock_change()
    assert {"on_hand", "reserved", "updated_at"} <= written
    definitions = index_definitions(db)
    assert len(definitions) >= 10 and any("sku" in d for d in definitions)
    indexed = {(d, column) for d in definitions for column in written if re.search(rf"\b{column}\b", d)}
    assert indexed == set()


def plan_of(db, run) -> list[list[str]]:
    """EXPLAIN QUERY PLAN of each read of items that `run` makes."""
    from sqlalchemy import event

    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM item_updates" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    with db.engine.connect() as conn:
        return [[row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
                for statement, parameters in seen]


@pytest.mark.parametrize("list_name", ["items", "stock"])
@pytest.mark.parametrize("since, sort", [(True, "updated_at"), (True, "-updated_at"), (False, "updated_at"),
                                         (True, None)])
def test_lists_by_update_read_one_range_of_item_updates_and_the_items_by_key(db, workspace, list_name, since, sort):
    """At a million items a sync client's `updated_since` matches a few: the list reads their
    range of `ix_item_updates_updated` (in order for `sort=updated_at`, so without sorting) and
    looks each item up, never walking the workspace's items by another index."""
    if not db.is_sqlite:
        pytest.skip("PostgreSQL plans by its statistics")
    from storekeeper.persistence.pagination import PageRequest
    from storekeeper.services import inventory
    from storekeeper.services import items as item_service

    filters = {"updated_since": utcnow() if since else None}
    if sort is not None:
        filters["sort"] = sort
    page = PageRequest(limit=20, include_total=False)
    if list_name == "items":
        plans = plan_of(db, lambda: item_service.list_items(db, workspace.id, item_service.ItemFilters(**filters),
                                                            page))
    else:
        plans = plan_of(db, lambda: inventory.list_stock(db, workspace.id, inventory.StockFilters(**filters), page))
    [steps] = plans
    assert re.match(r"SEARCH item_updates USING COVERING INDEX ix_item_updates_updated \(workspace_id=\?"
                    + (r" AND updated_at>\?\)" if since else r"\)"), steps[0]), steps
    assert re.match(r"SEARCH items USING (COVERING )?INDEX \w+ \(workspace_id=\? AND .*id=\?\)", steps[1]), steps
    assert ("USE TEMP B-TREE FOR ORDER BY" in steps) == (sort is None), steps  # by SKU or creation: sorted
