"""`q` on `GET /v1/items` and `GET /v1/stock` from the search index (migration 0007,
services/search.py): what it finds is exactly what the LIKEs find, after any change of an item,
by the services or by plain SQL; it reads the index, not the workspace; and the migration fills
it, removes it, and survives a PostgreSQL without pg_trgm."""

from __future__ import annotations

import logging
import os
import random
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import event, func, or_, select, text
from sqlalchemy.engine import make_url

from storekeeper.config import Settings
from storekeeper.domain.clock import utcnow
from storekeeper.persistence import migrate
from storekeeper.persistence.database import Database, normalize_url
from storekeeper.persistence.pagination import PageRequest
from storekeeper.persistence.tables import items
from storekeeper.services import workspaces
from storekeeper.services.items import ItemFilters, create_item, list_items
from storekeeper.services.trash import purge_expired
from tests.conftest import make_workspace
from tests.factories import item

# A read of items by the keys of the candidates: (workspace_id, id), maybe with deleted_at or status between.
_BY_ITEM_KEY = re.compile(r"SEARCH items USING (COVERING )?INDEX \w+ \(workspace_id=\? AND (\w+=\? AND )?id=\?\)")
PG_INDEXES = ("ix_items_search_name", "ix_items_search_sku", "ix_items_search_barcode")
SQLITE_TABLES = ("items_search", "items_search_fts")


def _skus(r) -> list[str]:
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["meta"]["total"] == len(body["data"])
    return sorted(row["sku"] for row in body["data"])


def found(api, q: str, **params) -> list[str]:
    """The SKUs `GET /v1/items?q=` finds (sorted), checked against `GET /v1/stock?q=` when the
    list is of live items (the stock list has no trash)."""
    skus = _skus(api.get("/v1/items", params={"q": q, "limit": 100, **params}))
    if not params:
        assert _skus(api.get("/v1/stock", params={"q": q, "limit": 100})) == skus, q
    return skus


def patch(api, ref: str, **fields) -> dict:
    r = api.patch(f"/v1/items/{ref}", json=fields)
    assert r.status_code == 200, r.text
    return r.json()


def index_is_exact(db, workspace_id: str) -> bool:
    """SQLite: the workspace's rows of items_search are its items' folded texts, one per item, and
    the FTS index is exactly its content (FTS5's integrity-check with rank 1 compares them)."""
    if not db.is_sqlite:
        return True
    with db.read() as conn:
        wrong = conn.execute(text(
            "SELECT count(*) FROM items i FULL JOIN items_search s ON s.workspace_id = i.workspace_id"
            " AND s.item_id = i.id WHERE coalesce(i.workspace_id, s.workspace_id) = :ws AND (i.id IS NULL"
            " OR s.id IS NULL OR s.name IS NOT i.name_key OR s.sku IS NOT lower(i.sku)"
            " OR s.barcode IS NOT lower(i.barcode))"), {"ws": workspace_id}).scalar_one()
    with db.write() as conn:
        conn.exec_driver_sql("INSERT INTO items_search_fts (items_search_fts, rank) VALUES ('integrity-check', 1)")
    return wrong == 0


def test_a_new_item_is_found_by_part_of_its_name_sku_or_barcode(api, workspace):
    item(api, "LAMP-0012345", name="Lantern 0012345", barcode="4006381333931")
    item(api, "LAMP-0012999", name="Lantern 0012999")
    item(api, "KETTLE-1", name="Kettle 0012000")
    assert found(api, "lantern 0012") == ["LAMP-0012345", "LAMP-0012999"]
    assert found(api, "p-0012") == ["LAMP-0012345", "LAMP-0012999"]  # the SKU
    assert found(api, "63813") == ["LAMP-0012345"]  # the barcode
    assert found(api, "0012") == ["KETTLE-1", "LAMP-0012345", "LAMP-0012999"]
    assert found(api, "n 0012") == ["LAMP-0012345", "LAMP-0012999"]  # across the space
    assert found(api, "lantern0012") == []
    assert index_is_exact(workspace.db, workspace.id)


def test_a_renamed_item_is_found_by_its_new_name_and_no_longer_by_the_old(api, workspace):
    item(api, "CHAIR-1", name="Wooden chair")
    patch(api, "CHAIR-1", name="Oak stool")
    assert found(api, "stool") == ["CHAIR-1"]
    assert found(api, "wooden") == []
    assert index_is_exact(workspace.db, workspace.id)


def test_a_changed_sku_or_barcode_is_found_and_the_old_one_no_longer(api, workspace):
    item(api, "OLD-SKU-1", name="Plain", barcode="111222333")
    patch(api, "OLD-SKU-1", sku="NEW-SKU-1")
    assert found(api, "new-sku") == ["NEW-SKU-1"]
    assert found(api, "old-sku") == []
    patch(api, "NEW-SKU-1", barcode="999888777")
    assert found(api, "98887") == ["NEW-SKU-1"]
    assert found(api, "12223") == []
    patch(api, "NEW-SKU-1", barcode=None)
    assert found(api, "98887") == []
    assert index_is_exact(workspace.db, workspace.id)


def test_a_deleted_item_is_found_only_in_the_trash_until_restored_and_never_once_purged(api, workspace):
    r = api.patch("/v1/workspace", json={"settings": {"trash_retention_days": 1}})
    assert r.status_code == 200, r.text
    kept = item(api, "TENT-1", name="Dome tent")
    item(api, "TENT-2", name="Tunnel tent")
    for sku in ("TENT-1", "TENT-2"):
        assert api.delete(f"/v1/items/{sku}").status_code == 204
    assert found(api, "tent") == []
    assert found(api, "tent", deleted="true") == ["TENT-1", "TENT-2"]
    assert api.post(f"/v1/items/{kept['id']}/restore").status_code == 200
    assert found(api, "tent") == ["TENT-1"]
    purge_expired(workspace.db, now=utcnow() + timedelta(days=2))
    assert found(api, "tent", deleted="any") == ["TENT-1"]
    assert index_is_exact(workspace.db, workspace.id)


@pytest.mark.parametrize(("q", "expected"), [
    ("ÄRMEL", ["SLEEVE-1"]),
    ("ärmelsch", ["SLEEVE-1"]),
    ("STRASSE", ["ROAD-1"]),  # ß casefolds to ss in the name and in q
    ("straße", ["ROAD-1"]),
    ("über-", ["ÜBER-1"]),  # a SKU, lower-cased beyond ASCII
    ("éclair", ["ÜBER-1"]),  # a barcode likewise
    ("Éclair", ["ÜBER-1"]),
])
def test_q_ignores_case_beyond_ascii(api, workspace, q, expected):
    item(api, "SLEEVE-1", name="Ärmelschoner")
    item(api, "ROAD-1", name="Straßenschild")
    item(api, "ÜBER-1", name="plain", barcode="ÉCLAIR-7")
    assert found(api, q) == expected


@pytest.mark.parametrize(("q", "expected"), [
    ("50%", ["SOCK-1"]),
    ("0% o", ["SOCK-1"]),
    ("a_b", ["UNDER-1"]),
    ("%%%", []),
    ("___", []),
    ('"ab', ["QUOTE-1"]),  # a quote ends no FTS5 phrase
    ("b c", ["QUOTE-1"]),
])
def test_wildcards_and_quotes_in_q_are_matched_literally(api, workspace, q, expected):
    item(api, "SOCK-1", name="Wool socks 50% off")
    item(api, "UNDER-1", name="snake_case a_b")
    item(api, "PLAIN-1", name="a1b axb 500 off")
    item(api, "QUOTE-1", name='The "ab c" model')
    assert found(api, q) == expected


@pytest.mark.parametrize(("q", "expected"), [
    ("x", ["AXE-1", "BOX-1"]),
    ("XE", ["AXE-1"]),
    ("%", []),
    ("_", []),
    ("ß", ["ROSS-1"]),  # casefolds to ss
    ("SS", ["ROSS-1"]),
])
def test_needles_of_one_or_two_characters_still_match(api, workspace, q, expected):
    item(api, "AXE-1", name="Axe")
    item(api, "BOX-1", name="Box")
    item(api, "ROSS-1", name="Moss")
    assert found(api, q) == expected


# Texts whose folding is uneven: ß and ﬁ grow when casefolded, İ when lower-cased, the Kelvin
# sign and ǅ fold to other letters, final sigma, LIKE's wildcards and its escape character.
_PIECES = ("Straße", "STRASSE", "\ufb01sh", "FISH", "\u0130stanbul", "istanbul", "\u212a-200", "k-200",
           "\u01c5emal", "\u039f\u0394\u039f\u03a3", "\u03bf\u03b4\u03bf\u03c2", "50%", "a_b", "a/b", "Ärmel",
           "ärmel", "Lantern 0012", '"quoted"', "x y", "\U0001f642ok")


def _reference(q: str):
    """Today's condition, unindexed: what `q` must find."""
    needle = q.casefold()
    return or_(items.c.name_key.contains(needle, autoescape=True),
               func.lower(items.c.sku).contains(needle, autoescape=True),
               func.lower(items.c.barcode).contains(needle, autoescape=True))


def test_the_index_finds_exactly_what_the_likes_find(db, workspace):
    rng = random.Random(20261122)
    for n in range(60):
        name = " ".join(rng.sample(_PIECES, 2))
        sku = f"{rng.choice(_PIECES).replace(' ', '')}-{n}"
        create_item(db, workspace.id, {"sku": sku, "name": name, "barcode": rng.choice([*_PIECES[:6], None])})
    needles = {*_PIECES, "ss", "SS", "ß", "fi", "i\u0307s", "k-2", "K-2", "\u03c3", "\u03c2", "/b", "%", "_", "0012"}
    needles |= {piece[i:i + size] for piece in _PIECES for size in (3, 4) for i in range(0, len(piece) - size + 1, 2)}
    for q in sorted(needles):
        page = list_items(db, workspace.id, ItemFilters(q=q), PageRequest(limit=100))
        with db.read() as conn:
            expected = conn.execute(select(items.c.sku).where(items.c.workspace_id == workspace.id,
                                                              _reference(q))).scalars().all()
        assert sorted(row["sku"] for row in page.rows) == sorted(expected), q
    assert index_is_exact(db, workspace.id)


def test_another_workspaces_items_never_match(api, workspace, other_workspace):
    item(api, "MINE-1", name="Shared word lantern")
    item(other_workspace.api, "THEIRS-1", name="Shared word lantern")
    item(other_workspace.api, "MINE-2", name="Shared word lantern")  # another workspace's item, same SKU shape
    assert found(api, "lantern") == ["MINE-1"]
    assert found(other_workspace.api, "lantern") == ["MINE-2", "THEIRS-1"]
    assert found(api, "mine") == ["MINE-1"]


def test_items_changed_by_plain_sql_are_found_as_they_are_now(api, workspace):
    """The triggers keep the index whatever code changes an item."""
    made = item(api, "RAW-1", name="Copper kettle", barcode="123")
    with workspace.db.write() as conn:
        conn.execute(text("UPDATE items SET name = 'Brass kettle', name_key = 'brass kettle', sku = 'RAW-9',"
                          " barcode = 'XYZ-42' WHERE workspace_id = :ws AND id = :id"),
                     {"ws": workspace.id, "id": made["id"]})
    assert found(api, "brass") == ["RAW-9"]
    assert found(api, "copper") == []
    assert found(api, "raw-9") == ["RAW-9"]
    assert found(api, "xyz-4") == ["RAW-9"]
    assert index_is_exact(workspace.db, workspace.id)


def test_search_stays_exact_after_vacuum_renumbers_the_items(sqlite_db, client):
    """VACUUM may renumber the rowids of `items` (its primary key is text): the index refers to
    items by (workspace_id, id), so neither VACUUM nor a renumbering (done here by hand, as
    VACUUM does not always renumber) changes what is found, then or after later changes."""
    ws = make_workspace(sqlite_db, client)
    for n in range(1, 6):
        item(ws.api, f"VAC-{n}", name=f"Vacuum flask {n}")
    raw = sqlite_db.engine.raw_connection()
    try:
        raw.driver_connection.execute("VACUUM")
    finally:
        raw.close()
    with sqlite_db.write() as conn:
        conn.execute(text("UPDATE items SET rowid = rowid + 1000000000 WHERE workspace_id = :ws"), {"ws": ws.id})
    assert found(ws.api, "flask") == [f"VAC-{n}" for n in range(1, 6)]
    patch(ws.api, "VAC-2", name="Thermos")
    assert ws.api.delete("/v1/items/VAC-3").status_code == 204
    item(ws.api, "VAC-6", name="Vacuum flask 6")
    assert found(ws.api, "flask") == ["VAC-1", "VAC-4", "VAC-5", "VAC-6"]
    assert found(ws.api, "thermos") == ["VAC-2"]
    assert index_is_exact(sqlite_db, ws.id)


@contextmanager
def executed(db):
    """The statements (with their parameters) run while the block runs."""
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _search_plans(db, api, path: str, **params) -> list[str]:
    """The plans of the statements a searching request runs (its count and its page)."""
    with executed(db) as seen:
        # One row a page, so that the list does not fit on it and its total is counted too.
        r = api.get(path, params={"q": "lantern 0001", "limit": 1, **params})
    assert r.status_code == 200, r.text
    searching = [(sql, p) for sql, p in seen if "LIKE" in sql]
    # The page, and the total unless the page holds the whole list (`deleted=true`: nothing in the trash).
    assert len(searching) == (1 if params.get("deleted") == "true" else 2), [sql for sql, _ in searching]
    plans = []
    with db.engine.connect() as conn:
        if not db.is_sqlite:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        for sql, parameters in searching:
            prefix = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN "
            rows = conn.exec_driver_sql(prefix + sql, parameters).all()
            plans.append("\n".join(str(row[3] if db.is_sqlite else row[0]) for row in rows))
    return plans


@pytest.mark.parametrize(("path", "params"), [
    ("/v1/items", {}), ("/v1/items", {"sort": "name"}), ("/v1/items", {"sort": "-sku"}),
    ("/v1/items", {"sort": "updated_at", "deleted": "any"}), ("/v1/items", {"deleted": "true"}),
    ("/v1/stock", {}),
])
def test_sqlite_finds_the_matches_through_the_fts_index_never_by_walking_the_workspace(
        sqlite_db, api, path, params):
    item(api, "LAMP-1", name="Lantern 0001234")
    item(api, "LAMP-2", name="Lantern 0001999")
    for plan in _search_plans(sqlite_db, api, path, **params):
        assert "items_search_fts VIRTUAL TABLE INDEX" in plan, plan
        reads = [line.strip() for line in plan.splitlines() if re.search(r"\bitems\b", line)]
        assert reads and all(_BY_ITEM_KEY.match(line) for line in reads), plan


def test_postgresql_finds_the_matches_through_the_trigram_indexes(db, client):
    """PostgreSQL plans by its statistics, so on a workspace of realistic size (the benchmark's
    loader, then ANALYZE): a BitmapOr of the three trigram indexes, not a walk of the workspace."""
    if db.is_sqlite:
        pytest.skip("PostgreSQL's plan")
    from bench import load

    ws = make_workspace(db, client, "Many")
    load.load(db, ws.id, 5_000)  # and ANALYZE
    page, count = _search_plans(db, ws.api, "/v1/items")
    # The total reads every match: the trigram indexes find them.
    assert "BitmapOr" in count, count
    for index in PG_INDEXES:
        assert f"Bitmap Index Scan on {index}" in count, count
    # The page of one row may instead walk an index in the list's order and stop at the second
    # match, when the statistics expect matches to come soon (they did once the table held other
    # tests' items too): either way, never a scan of the table.
    assert "BitmapOr" in page or ("Limit" in page and "Index Scan using ix_items_created" in page), page
    assert "Seq Scan on items" not in page + count


@pytest.fixture
def sqlite_db(db):
    if not db.is_sqlite:
        pytest.skip("SQLite's index")
    return db


def _search_objects(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        if db.is_sqlite:
            names = conn.execute(text("SELECT name FROM sqlite_master WHERE name LIKE :like"),
                                 {"like": "%items_search%"})
        else:
            names = conn.execute(text("SELECT indexname FROM pg_indexes WHERE indexname LIKE :like"
                                      " UNION ALL SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'"),
                                 {"like": "ix_items_search%"})
        return set(names.scalars())


def test_the_migration_fills_the_index_with_the_items_there_are_and_its_downgrade_removes_it(new_database_url):
    url = new_database_url("search_migration")
    fresh = Database(url, Settings(database_url=url))
    try:
        # Today's code writes the items (into every column of today's tables), then the schema
        # steps back to 0006, before the index: its upgrade must index the items it finds.
        migrate.upgrade(fresh)
        ws, _key = workspaces.create_workspace(fresh, "Before")
        for n, name in enumerate(("Lantern 0012345", "Kettle 0012999", "ÄRMELSCHONER")):
            create_item(fresh, ws["workspace_id"], {"sku": f"OLD-{n}", "name": name})
        command.downgrade(migrate.alembic_config(fresh), "0006")
        assert _search_objects(fresh) == set()
        migrate.upgrade(fresh)

        def found_in(q: str) -> list[str]:
            page = list_items(fresh, ws["workspace_id"], ItemFilters(q=q), PageRequest())
            return sorted(row["sku"] for row in page.rows)

        assert found_in("0012") == ["OLD-0", "OLD-1"]
        assert found_in("ärmel") == ["OLD-2"]
        assert found_in("old-1") == ["OLD-1"]
        expected = set(SQLITE_TABLES) | {"items_search_fts_data", "items_search_fts_idx",
                                         "items_search_fts_config", "uq_items_search_item",
                                         "items_search_insert", "items_search_update", "items_search_delete",
                                         "items_search_fts_insert", "items_search_fts_update",
                                         "items_search_fts_delete"}
        assert _search_objects(fresh) == (expected if fresh.is_sqlite else {*PG_INDEXES, "pg_trgm"})
        assert index_is_exact(fresh, ws["workspace_id"])
        command.downgrade(migrate.alembic_config(fresh), "0006")
        assert _search_objects(fresh) == set()
        migrate.upgrade(fresh)
        assert found_in("kettle") == ["OLD-1"]
    finally:
        fresh.dispose()


@pytest.fixture
def role_without_create(db, new_database_url, worker_id):
    """A PostgreSQL database whose migrations run as a role that may not create extensions."""
    if db.is_sqlite:
        pytest.skip("PostgreSQL's extensions")
    import psycopg

    server = make_url(normalize_url(os.environ["STOREKEEPER_TEST_DATABASE_URL"])).set(drivername="postgresql")
    role = f"storekeeper_test_{worker_id}_{os.getpid()}_noext"
    url = make_url(new_database_url("no_pg_trgm"))
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").fetchone():
            pytest.skip("pg_trgm is in the template database")
        conn.execute(f'DROP ROLE IF EXISTS "{role}"')
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        conn.execute(f'GRANT CONNECT, TEMP ON DATABASE "{url.database}" TO "{role}"')
        conn.execute(f'GRANT USAGE, CREATE ON SCHEMA public TO "{role}"')
    try:
        yield url.set(username=role, password=None).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_without_pg_trgm_the_migration_warns_and_search_still_works(role_without_create, caplog):
    url = role_without_create
    limited = Database(url, Settings(database_url=url))
    try:
        with caplog.at_level(logging.WARNING, logger="storekeeper.migrations"):
            migrate.upgrade(limited)
        assert migrate.is_current(limited)
        assert any("pg_trgm could not be created" in r.getMessage() for r in caplog.records)
        assert _search_objects(limited) == set()
        ws, _key = workspaces.create_workspace(limited, "Limited")
        create_item(limited, ws["workspace_id"], {"sku": "LAMP-1", "name": "Lantern"})
        page = list_items(limited, ws["workspace_id"], ItemFilters(q="ANTER"), PageRequest())
        assert [row["sku"] for row in page.rows] == ["LAMP-1"]
    finally:
        limited.dispose()
