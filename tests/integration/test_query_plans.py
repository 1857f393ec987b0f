"""The write path reads by index at any size: the statements every stock change runs find their
rows through a primary key or a unique index, never by scanning a workspace's items. SQLite has
no statistics unless someone runs ANALYZE, and without them it once chose to scan every live
item of the workspace for the item lock (136 ms per adjustment at 100,000 items instead of 4).
PostgreSQL plans by its own statistics and is not checked here; the statement count is checked
on both databases."""

from __future__ import annotations

import re

import pytest

from storekeeper.persistence.bom import BUNDLES_CONTAINING
from storekeeper.services import ledger, stock
from tests.factories import item, location
from tests.sql_counting import statements

# A step of a plan that reads items or components by more than the workspace.
_BY_KEY = re.compile(r"SEARCH (items|bundle|item_components) USING (COVERING )?INDEX \w+ "
                     r"\(workspace_id=\? AND (id=\?|sku=\?|component_id=\?|deleted_at=\? AND id=\?)")


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
])
def test_a_filtered_movement_list_reads_one_index_range_in_its_order(db, workspace, filters):
    """A list of movements filtered by item, reference, transfer, batch or location, newest (or
    oldest) first, is one range of an index that ends with `sequence`: not a walk of the whole
    ledger by `uq_movements_sequence` checking each movement (0.8 s at 200,000 movements)."""
    if not db.is_sqlite:
        pytest.skip("PostgreSQL plans by its statistics")
    from sqlalchemy import event

    from storekeeper.persistence.pagination import PageRequest
    from storekeeper.services import inventory
    from storekeeper.services.inventory import MovementFilters

    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM movements" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        inventory.list_movements(db, workspace.id, MovementFilters(**filters), PageRequest(limit=20,
                                                                                           include_total=False))
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    (statement, parameters), = seen
    with db.engine.connect() as conn:
        steps = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    reads = [s for s in steps if "movements" in s]
    assert len(reads) == 1 and "uq_movements_sequence" not in reads[0], steps
    assert not any("TEMP B-TREE" in s for s in steps), steps  # no sort: the index gives the order
