"""The write path reads by index at any size: the statements every stock change runs find their
rows through a primary key or a unique index, never by scanning a workspace's items. SQLite has
no statistics unless someone runs ANALYZE, and without them it once chose to scan every live
item of the workspace for the item lock (136 ms per adjustment at 100,000 items instead of 4).
PostgreSQL plans by its own statistics and is not checked here; the statement count is checked
on both databases."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from storekeeper.persistence.bom import BUNDLES_CONTAINING
from storekeeper.services import ledger, stock
from tests.factories import item, location
from tests.sql_counting import statements

# A step of a plan that reads items or components by more than the workspace.
_BY_KEY = re.compile(r"SEARCH (items|bundle|item_components) USING (COVERING )?INDEX \w+ "
                     r"\(workspace_id=\? AND (id=\?|sku=\?|component_id=\?|deleted_at=\? AND id=\?)")


@contextmanager
def statements_and_parameters(db) -> Iterator[list[tuple[str, Any]]]:
    """The SELECTs of movements run while the block runs, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM movements" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)


def plan(db, statement, params) -> list[str]:
    sql = str(statement.params(**params).compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    with db.engine.connect() as conn:
        return [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]


@pytest.mark.parametrize("name, statement, params", [
    ("item lock", ledger._LOCK_ITEMS, {"ids": ["itm_1", "itm_2"]}),
    ("items by id or SKU", stock._ITEMS_BY_REF, {"ids": ["itm_1"], "refs": ["itm_1", "SKU-1"]}),
    # A bulk's 500 SKUs: SQLite once walked every live item for them instead (755 ms at a million).
    ("a bulk's items by SKU", stock._ITEM_REFS, {"ids": [], "refs": [f"SKU-{n}" for n in range(500)]}),
    ("bundles containing", BUNDLES_CONTAINING, {"ids": ["itm_1"]}),
])
def test_the_statements_of_a_stock_change_read_items_by_key(db, workspace, name, statement, params):
    if not db.is_sqlite:
        pytest.skip("PostgreSQL plans by its statistics")
    steps = plan(db, statement, {"ws": workspace.id, **params})
    reads = [s for s in steps if re.search(r"\b(items|bundle|item_components)\b", s)]
    assert reads, steps
    assert all(_BY_KEY.search(s) for s in reads), f"{name} reads without a key:\n" + "\n".join(steps)


def test_an_adjustment_costs_the_same_statements_however_much_history_and_stock_its_item_has(api, db):
    for place in ("Main", "Back", "Shop"):
        location(api, place)
    item(api, "FRESH")
    item(api, "BUSY")
    for n in range(30):
        r = api.post("/v1/stock/adjustments", json={"item": "BUSY", "location": ("Main", "Back", "Shop")[n % 3],
                                                     "reason": "receipt", "delta": 1})
        assert r.status_code == 201, r.text

    def statements_of(sku: str) -> int:
        with statements(db) as seen:
            r = api.post("/v1/stock/adjustments", json={"item": sku, "location": "Main", "reason": "receipt",
                                                        "delta": 1})
        assert r.status_code == 201, r.text
        return len(seen)

    statements_of("FRESH")  # its first level exists from now on, like BUSY's
    assert statements_of("FRESH") == statements_of("BUSY")


@pytest.mark.parametrize("filters", [
    {"item": "itm_1"}, {"item": "itm_1", "order": "asc"}, {"reference_type": "order", "reference_id": "1042"},
    {"transfer": "trf_1"}, {"batch": "bat_1"}, {"location": "loc_1"},
    {"label": "cycle_count"}, {"label": "cycle_count", "order": "asc"}, {"item": "itm_1", "label": "cycle_count"},
])
def test_a_filtered_movement_list_reads_one_index_range_in_its_order(db, workspace, filters):
    """A list of movements filtered by item, reference, transfer, batch, location or label, newest
    (or oldest) first, is one range of an index that ends with `sequence`: not a walk of the whole
    ledger by `uq_movements_sequence` checking each movement (0.8 s at 200,000 movements). The
    label's index is partial (labelled movements only); `label = ?` implies what it holds."""
    if not db.is_sqlite:
        pytest.skip("PostgreSQL plans by its statistics")
    from storekeeper.persistence.pagination import PageRequest
    from storekeeper.services import inventory
    from storekeeper.services.inventory import MovementFilters

    with statements_and_parameters(db) as seen:
        inventory.list_movements(db, workspace.id, MovementFilters(**filters), PageRequest(limit=20,
                                                                                           include_total=False))
    (statement, parameters), = seen
    with db.engine.connect() as conn:
        steps = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    reads = [s for s in steps if "movements" in s]
    assert len(reads) == 1 and "uq_movements_sequence" not in reads[0], steps
    assert not any("TEMP B-TREE" in s for s in steps), steps  # no sort: the index gives the order


@pytest.mark.parametrize("filters, index", [
    ({"label": "cycle_count"}, "ix_movements_label"),
    ({"item": "itm_1", "label": "cycle_count"}, "ix_movements_item_label"),
])
def test_a_label_filter_reads_the_labelled_movements_of_its_own_index(db, workspace, filters, index):
    """Migration 0016: the workspace's labelled movements, or one item's, each an exact range of a
    partial index that holds labelled movements only. (With the workspace-wide index alone,
    SQLite read an item's labelled movements from the label's range: 22 ms instead of 0.6 ms at a
    million movements.)"""
    if not db.is_sqlite:
        pytest.skip("PostgreSQL plans by its statistics")
    from storekeeper.persistence.pagination import PageRequest
    from storekeeper.services import inventory
    from storekeeper.services.inventory import MovementFilters

    with statements_and_parameters(db) as seen:
        inventory.list_movements(db, workspace.id, MovementFilters(**filters), PageRequest(limit=20))
    with db.engine.connect() as conn:
        for statement, parameters in seen:
            steps = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
            reads = [s for s in steps if "movements" in s]
            assert len(reads) == 1 and f"INDEX {index} (" in reads[0], steps


def test_a_stock_change_moves_its_items_updated_at_in_the_updates_that_write_their_sums(api, db):
    """`updated_since` sees stock changes without a statement more: an item's time moves in the
    UPDATE that writes its sums, a bundle's in the one that writes what its components make up
    (run only when that changed), and neither touches `version`."""
    location(api, "Main")
    for sku in ("PLAIN", "MUG", "SPOON"):
        item(api, sku)
    item(api, "GIFT", tracking="bundle")
    assert api.put("/v1/items/GIFT/components", json=[{"item": "MUG", "quantity": 1},
                                                     {"item": "SPOON", "quantity": 2}]).status_code == 200
    for sku, quantity in (("PLAIN", 10), ("MUG", 5), ("SPOON", 100)):
        r = api.post("/v1/stock/adjustments", json={"item": sku, "reason": "receipt", "delta": quantity})
        assert r.status_code == 201, r.text

    def writes_of_a_sale(sku: str) -> list[str]:
        with statements(db) as seen:
            r = api.post("/v1/stock/adjustments", json={"item": sku, "reason": "sale", "delta": -1})
        assert r.status_code == 201, r.text
        written = [s for s in seen if not s.lstrip().upper().startswith(("SELECT", "BEGIN"))]
        for statement in written:
            if statement.startswith("UPDATE items"):
                assert "updated_at=" in statement and "version" not in statement, statement
        return [s.split(" SET ")[0].split(" (")[0] for s in written]

    last = ["INSERT INTO audit_log", "INSERT INTO counters", "INSERT INTO movements", "INSERT INTO events"]
    assert writes_of_a_sale("PLAIN") == ["UPDATE stock_levels", "UPDATE items", *last]
    # The mugs limit the gift sets, not the spoons: a spoon sold leaves the bundle as it was.
    assert writes_of_a_sale("SPOON") == ["UPDATE stock_levels", "UPDATE items", *last]
    assert writes_of_a_sale("MUG") == ["UPDATE stock_levels", "UPDATE items", "UPDATE items", *last]


@pytest.mark.parametrize("sort", ["price", "-price"])
def test_the_item_list_by_price_reads_its_index_in_order_on_every_page(db, workspace, sort):
    """sort=price walks ix_items_price (workspace_id, coalesce(price, -1), id) in its order: no
    sort of the workspace's items, and a later page starts at the cursor's price (an index range),
    not at the start of the index."""
    if not db.is_sqlite:
        pytest.skip("PostgreSQL plans by its statistics")
    from sqlalchemy.engine import Engine

    from storekeeper.persistence.pagination import PageRequest
    from storekeeper.services import items as item_service
    from storekeeper.services.items import ItemFilters

    for n, price in enumerate(("4.00", None, "2.50")):
        item(workspace.api, f"P{n}", price=price)
    seen: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "price_order" in statement:
            seen.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", capture)
    try:
        first = item_service.list_items(db, workspace.id, ItemFilters(sort=sort),
                                        PageRequest(limit=1, include_total=False))
        item_service.list_items(db, workspace.id, ItemFilters(sort=sort),
                                PageRequest(limit=1, cursor=first.next_cursor, include_total=False))
    finally:
        event.remove(Engine, "before_cursor_execute", capture)
    with db.engine.connect() as conn:
        plans = [[row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
                 for statement, parameters in seen]
    assert len(plans) == 2
    for steps in plans:
        assert not any("TEMP B-TREE" in s for s in steps), steps
    assert plans[0][0] == "SEARCH items USING INDEX ix_items_price (workspace_id=?)", plans[0]
    towards = "<" if sort.startswith("-") else ">"
    assert plans[1][0] == f"SEARCH items USING INDEX ix_items_price (workspace_id=? AND <expr>{towards}?)", plans[1]


@pytest.mark.parametrize("cursor", [False, True])
def test_the_reorder_list_reads_each_status_as_a_range_of_its_index_in_sku_order(db, workspace, cursor):
    """The reorder list (the overview's, and /v1/reports/reorder) reads each stored status as one
    range of ix_items_status_sku in SKU order: one `status IN (…)` walked every live item in
    SKU order through uq_items_sku until the page filled (264 ms at a million items, bench.web)."""
    if not db.is_sqlite:
        pytest.skip("PostgreSQL plans by its statistics")
    from storekeeper.persistence.pagination import PageRequest, Sort, _encode
    from storekeeper.services import reports
    from storekeeper.services.reports import ReorderFilters

    seen: list[tuple[str, Any]] = []

    def capture(conn, _cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM items" in statement:
            seen.append((statement, parameters))

    after = _encode(Sort("sku", None, None).name, "SKU-5", "itm_5") if cursor else None  # type: ignore[arg-type]
    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        reports.reorder(db, workspace.id, ReorderFilters(), PageRequest(limit=10, cursor=after, include_total=False))
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert len(seen) == 3  # low, critical, out of stock
    for statement, parameters in seen:
        with db.engine.connect() as conn:
            steps = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
        reads = [s for s in steps if re.search(r"\bitems\b", s)]
        assert reads and "ix_items_status_sku" in reads[0], steps
        assert not any("TEMP B-TREE" in s for s in steps), steps
