"""Numbers (issue 21): items, categories, tax rates, custom reasons, production orders, their
lines and batches get 1, 2, 3 … per workspace and kind when they are made — under many
concurrent writers too — keep them, never hand one out twice, and are found by them. Migration
0021 numbers the rows made before it in the order they were made."""

from __future__ import annotations

from decimal import Decimal

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import select, update

from storekeeper.config import Settings
from storekeeper.domain.errors import NotFound
from storekeeper.persistence import counters, migrate
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import PageRequest
from storekeeper.persistence.tables import categories as categories_table
from storekeeper.persistence.tables import counters as counters_table
from storekeeper.persistence.tables import production_batches
from storekeeper.services import batches, categories, components, items, numbers, production, reasons, tax_rates, trash
from storekeeper.services import workspaces as workspace_service
from storekeeper.services.context import SystemActor
from tests.concurrency import at_once

WRITERS = 12


def new_workspace(db: Database, name: str = "Numbers") -> str:
    workspace, _key = workspace_service.create_workspace(db, name)
    return workspace["workspace_id"]


def make_item(db: Database, workspace_id: str, sku: str, **fields) -> dict:
    return items.create_item(db, workspace_id, {"sku": sku, "name": sku, **fields})


def candle_order(db: Database, workspace_id: str, *skus: str) -> dict:
    return production.create_production_order(db, SystemActor(workspace_id), {
        "lines": [{"item": sku, "quantity": Decimal(5)} for sku in skus]})


def stocked_candle(db: Database, workspace_id: str) -> None:
    """CANDLE, made of WAX that is in stock: something a batch can make."""
    make_item(db, workspace_id, "WAX", initial_stock=[{"quantity": Decimal(100)}])
    make_item(db, workspace_id, "CANDLE")
    components.put_components(db, workspace_id, "CANDLE", [{"item": "WAX", "quantity": Decimal(1)}])


def test_each_kind_counts_from_one_in_each_workspace_and_variants_count_as_items(db):
    first, second = new_workspace(db), new_workspace(db, "Other")
    make_item(db, first, "SHIRT", variants=[
        {"sku": "SHIRT-S", "attributes": {"size": "S"}}, {"sku": "SHIRT-M", "attributes": {"size": "M"}}])
    shirt = items.get_item(db, first, "SHIRT")
    later = make_item(db, first, "SOCKS")
    elsewhere = make_item(db, second, "SHIRT")

    assert shirt["number"] == 1
    assert [v["number"] for v in shirt["variants"]] == [2, 3]
    assert (later["number"], elsewhere["number"]) == (4, 1)
    made = [categories.create_category(db, first, name, None)["number"] for name in ("A", "B")]
    assert made == [1, 2]
    assert tax_rates.create_tax_rate(db, first, {"name": "VAT", "rate": Decimal("0.19")})["number"] == 1
    assert reasons.create_reason(db, first, "sample", "Sample", "out")["number"] == 1


def test_a_number_is_never_given_again_after_a_delete(db):
    workspace_id = new_workspace(db)
    make_item(db, workspace_id, "OLD")
    trash.delete_item(db, workspace_id, "OLD")
    gone = categories.create_category(db, workspace_id, "Gone", None)
    categories.delete_category(db, workspace_id, gone["id"])

    assert make_item(db, workspace_id, "NEW")["number"] == 2
    assert categories.create_category(db, workspace_id, "Kept", None)["number"] == 2


def test_a_failed_create_gives_its_number_back(db):
    """A refused create rolls back with its counter: the next one gets the number, no gap."""
    workspace_id = new_workspace(db)
    make_item(db, workspace_id, "TAKEN")
    with pytest.raises(Exception, match="SKU"):
        make_item(db, workspace_id, "TAKEN")
    assert make_item(db, workspace_id, "NEXT")["number"] == 2


def test_concurrent_creates_of_every_kind_get_distinct_numbers_without_gaps(db):
    """Many writers at once, each making an item with variants, a category, a tax rate, a
    reason and a production order with two lines: every kind's numbers are exactly 1..n."""
    workspace_id = new_workspace(db)
    make_item(db, workspace_id, "BASE")

    def writer(n: int):
        def run():
            make_item(db, workspace_id, f"P{n}", variants=[
                {"sku": f"P{n}-A", "attributes": {"v": "a"}}, {"sku": f"P{n}-B", "attributes": {"v": "b"}}])
            made = items.get_item(db, workspace_id, f"P{n}")
            return {
                "item": [made["number"], *(v["number"] for v in made["variants"])],
                "category": [categories.create_category(db, workspace_id, f"C{n}", None)["number"]],
                "tax_rate": [tax_rates.create_tax_rate(db, workspace_id, {"name": f"T{n}",
                                                                          "rate": Decimal("0.07")})["number"]],
                "reason": [reasons.create_reason(db, workspace_id, f"r{n}", f"R{n}", "out")["number"]],
                "order": [candle_order(db, workspace_id, "BASE", "BASE")],
            }
        return run

    results = at_once([writer(n) for n in range(WRITERS)])

    item_numbers = sorted(number for r in results for number in r["item"])
    assert item_numbers == list(range(2, 2 + 3 * WRITERS))  # BASE is 1
    for kind in ("category", "tax_rate", "reason"):
        assert sorted(number for r in results for number in r[kind]) == list(range(1, WRITERS + 1)), kind
    orders = [order for r in results for order in r["order"]]
    assert sorted(o["number"] for o in orders) == list(range(1, WRITERS + 1))
    assert sorted(o["name"] for o in orders) == [f"MO-{n:06d}" for n in range(1, WRITERS + 1)]
    assert all(o["name"] == f"MO-{o['number']:06d}" for o in orders)
    lines = sorted(line["number"] for o in orders for line in o["lines"])
    assert lines == list(range(1, 2 * WRITERS + 1))
    for o in orders:  # an order's lines are numbered together, in their order
        assert [line["number"] for line in o["lines"]] == [o["lines"][0]["number"], o["lines"][0]["number"] + 1]


def test_concurrent_batches_get_distinct_numbers(db):
    workspace_id = new_workspace(db)
    stocked_candle(db, workspace_id)
    order = candle_order(db, workspace_id, "CANDLE")
    line = order["lines"][0]["id"]
    actor = SystemActor(workspace_id)

    made = at_once([lambda: batches.produce(db, actor, order["id"], line, Decimal(1)) for _ in range(8)])

    assert sorted(batch["number"] for batch in made) == list(range(1, 9))
    with db.read() as conn:
        stored = dict(conn.execute(select(production_batches.c.id, production_batches.c.number).where(
            production_batches.c.workspace_id == workspace_id)).all())
    assert stored == {batch["id"]: batch["number"] for batch in made}


def test_rows_are_found_by_their_number(db):
    workspace_id, other = new_workspace(db), new_workspace(db, "Other")
    stocked_candle(db, workspace_id)  # WAX 1, CANDLE 2
    make_item(db, other, "ELSEWHERE")
    order = candle_order(db, workspace_id, "CANDLE", "WAX")
    batch = batches.produce(db, SystemActor(workspace_id), order["id"], order["lines"][0]["id"], Decimal(2))
    category = categories.create_category(db, workspace_id, "Lights", None)
    rate = tax_rates.create_tax_rate(db, workspace_id, {"name": "VAT", "rate": Decimal("0.2")})
    reason = reasons.create_reason(db, workspace_id, "gift", "Gift", "out")

    assert numbers.id_of(db, workspace_id, "item", 2) == items.get_item(db, workspace_id, "CANDLE")["id"]
    assert numbers.get(db, workspace_id, "item", 2)["sku"] == "CANDLE"
    assert numbers.get(db, other, "item", 1)["sku"] == "ELSEWHERE"
    assert numbers.get(db, workspace_id, "category", 1)["id"] == category["id"]
    assert numbers.get(db, workspace_id, "tax_rate", 1)["id"] == rate["id"]
    assert numbers.get(db, workspace_id, "reason", 1)["id"] == reason["id"]
    assert numbers.get(db, workspace_id, "production_order", 1)["id"] == order["id"]
    assert numbers.get(db, workspace_id, "production_order_line", 2)["id"] == order["lines"][1]["id"]
    assert numbers.get(db, workspace_id, "production_order_line", 2)["order_id"] == order["id"]
    assert numbers.get(db, workspace_id, "batch", 1)["id"] == batch["id"]
    assert numbers.ids(db, workspace_id, "item", [1, 2, 99]) == {
        1: items.get_item(db, workspace_id, "WAX")["id"], 2: items.get_item(db, workspace_id, "CANDLE")["id"]}
    with db.read() as conn:
        assert numbers.find(conn, workspace_id, "item", 1, for_update=False)["sku"] == "WAX"


def test_a_number_no_live_row_has_is_not_found(db):
    """Not in the trash, not another kind's, not a line or batch of a deleted order (all 404 on
    /v1 too), not a number never given."""
    workspace_id = new_workspace(db)
    make_item(db, workspace_id, "BIN")
    stocked_candle(db, workspace_id)  # WAX 2, CANDLE 3
    trash.delete_item(db, workspace_id, "BIN")
    order = candle_order(db, workspace_id, "CANDLE")
    batches.produce(db, SystemActor(workspace_id), order["id"], order["lines"][0]["id"], Decimal(1))
    production.delete_production_order(db, SystemActor(workspace_id), order["id"])

    for kind, number in (("item", 1), ("item", 4), ("category", 1), ("production_order", 1),
                         ("production_order_line", 1), ("batch", 1)):
        with pytest.raises(NotFound) as caught:
            numbers.get(db, workspace_id, kind, number)
        assert f"#{number}" in str(caught.value), kind
        assert numbers.ids(db, workspace_id, kind, [number]) == {}, kind
        with db.read() as conn, pytest.raises(NotFound):
            numbers.find(conn, workspace_id, kind, number)
    assert numbers.ids(db, workspace_id, "item", [1, 2]) == {2: items.get_item(db, workspace_id, "WAX")["id"]}


# The migration.

def test_the_migration_numbers_existing_rows_in_the_order_they_were_made(new_database_url):
    url = new_database_url("numbers")
    db = Database(url, Settings(database_url=url))
    try:
        # Rows written by today's code at head, then the schema steps back to before 0021.
        migrate.upgrade(db)
        first, second = new_workspace(db), new_workspace(db, "Other")
        stocked_candle(db, first)  # WAX, CANDLE
        make_item(db, first, "TEE", variants=[{"sku": "TEE-S", "attributes": {"size": "S"}}])
        make_item(db, first, "BIN")
        trash.delete_item(db, first, "BIN")  # in the trash: numbered all the same
        make_item(db, second, "ONLY")
        older = categories.create_category(db, first, "Made first", None)
        newer = categories.create_category(db, first, "Made second", None)
        rate = tax_rates.create_tax_rate(db, first, {"name": "VAT", "rate": Decimal("0.2")})
        reason = reasons.create_reason(db, first, "gift", "Gift", "out")
        order = candle_order(db, first, "CANDLE", "WAX")
        batch = batches.produce(db, SystemActor(first), order["id"], order["lines"][0]["id"], Decimal(1))
        named = candle_order(db, first, "CANDLE")  # MO-000002
        config = migrate.alembic_config(db)
        # The revision before 0021, whichever it is once the migrations are chained.
        command.downgrade(config, ScriptDirectory.from_config(config).get_revision("0021").down_revision)
        with db.write() as conn:
            # Creation order, not insertion order: the first category was backdated by hand.
            conn.execute(update(categories_table).where(categories_table.c.id == newer["id"])
                         .values(created_at=older["created_at"].replace(year=2020)))
            # Before 0021 the order counter only counted default names: say MO-000009 was the last.
            conn.execute(update(counters_table).where(counters_table.c.workspace_id == first,
                                                      counters_table.c.name == "production_orders").values(value=9))
            assert counters.value(conn, first, "items") == 0  # 0021's counters are gone

        migrate.upgrade(db)

        by_sku = {sku: items.get_item(db, first, sku)["number"] for sku in ("WAX", "CANDLE", "TEE", "TEE-S")}
        assert by_sku == {"WAX": 1, "CANDLE": 2, "TEE": 3, "TEE-S": 4}
        assert trash.list_deleted(db, first, None, PageRequest(limit=10, include_total=False)).rows[0]["number"] == 5
        assert items.get_item(db, second, "ONLY")["number"] == 1
        assert categories.get_category(db, first, newer["id"])["number"] == 1
        assert categories.get_category(db, first, older["id"])["number"] == 2
        assert tax_rates.get_tax_rate(db, first, rate["id"])["number"] == 1
        assert reasons.get_reason(db, first, reason["id"])["number"] == 1
        numbered_order = production.get_production_order(db, first, order["id"])
        assert numbered_order["number"] == 1
        assert [line["number"] for line in numbered_order["lines"]] == [1, 2]
        assert production.get_production_order(db, first, named["id"])["number"] == 2
        assert batches.get_batch(db, first, batch["id"])["number"] == 1

        # New rows continue from the numbers given; orders from the larger of the two counts.
        assert make_item(db, first, "NEW")["number"] == 6
        assert make_item(db, second, "NEW")["number"] == 2
        assert categories.create_category(db, first, "Third", None)["number"] == 3
        assert tax_rates.create_tax_rate(db, first, {"name": "Low", "rate": Decimal("0.05")})["number"] == 2
        assert reasons.create_reason(db, first, "demo", "Demo", "out")["number"] == 2
        after = candle_order(db, first, "CANDLE")
        assert (after["number"], after["name"], after["lines"][0]["number"]) == (10, "MO-000010", 4)
        made = batches.produce(db, SystemActor(first), after["id"], after["lines"][0]["id"], Decimal(1))
        assert made["number"] == 2
    finally:
        db.dispose()

