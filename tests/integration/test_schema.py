"""The database schema, on the test database (SQLite, or PostgreSQL when the suite runs there):
the migrations build exactly persistence/tables.py, every key leads with `workspace_id` (so the
schema can be distributed by workspace, SPEC §1), and connections are configured as promised.
"""

from __future__ import annotations

import sqlite3
import warnings
from contextlib import contextmanager

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, Table, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SAWarning

from storekeeper.config import Settings
from storekeeper.domain.clock import utcnow
from storekeeper.persistence import migrate
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import metadata
from storekeeper.persistence.tables import users as users_table

# SQLite cannot reflect expression indexes (uq_categories_name is on coalesce(parent_id, '')):
# SQLAlchemy warns and leaves them out, and Alembic skips comparing them. They are checked from
# the metadata and from sqlite_master instead.
_SQLITE_EXPRESSION_INDEX = "Skipped unsupported reflection of expression-based index"
_ALEMBIC_SKIPS_EXPRESSION_INDEX = "autogenerate skipping metadata-specified expression-based index"
EXPRESSION_INDEXES = {
    (table.name, index.name)
    for table in metadata.tables.values()
    for index in table.indexes
    if any(not isinstance(expr, Column) for expr in index.expressions)
}


# The search index of `q` (migration 0007) is built with raw SQL per dialect and is not in
# tables.py: an FTS5 table and its content table on SQLite, pg_trgm indexes on PostgreSQL.
# Reflection sees the schema without it; tests/integration/test_search.py checks it.
_SEARCH_INDEX = {
    "sqlite": ["DROP TABLE IF EXISTS items_search_fts", "DROP TABLE IF EXISTS items_search"],
    "postgresql": [f"DROP INDEX IF EXISTS ix_items_search_{name}" for name in ("name", "sku", "barcode")],
}


@contextmanager
def reflecting(db: Database):
    """A connection that reflects the schema tables.py describes: the search index is dropped in
    its transaction, which is rolled back at the end (DDL is transactional on both databases)."""
    with warnings.catch_warnings():
        if db.is_sqlite:
            warnings.filterwarnings("ignore", _SQLITE_EXPRESSION_INDEX, SAWarning)
            warnings.filterwarnings("ignore", _ALEMBIC_SKIPS_EXPRESSION_INDEX, UserWarning)
        with db.engine.connect() as conn:
            try:
                for statement in _SEARCH_INDEX[db.dialect]:
                    conn.exec_driver_sql(statement)
                yield conn
            finally:
                conn.rollback()


def differences(db: Database, target: MetaData = metadata) -> list:
    with reflecting(db) as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        found = compare_metadata(context, target)
    return [diff for diff in found if not (db.is_sqlite and _nullable_on_sqlite(diff, target))]


def _nullable_on_sqlite(diff, target: MetaData) -> bool:
    """A NOT NULL column that SQLite holds nullable on purpose (`info["nullable_on_sqlite"]`: the
    numbers of migration 0021, added by ALTER TABLE to tables with rows)."""
    if not (isinstance(diff, list) and len(diff) == 1 and diff[0][0] == "modify_nullable"):
        return False
    _op, _schema, table, column, _existing, was_nullable, nullable = diff[0]
    return was_nullable and not nullable and target.tables[table].c[column].info.get("nullable_on_sqlite", False)


def distributed_tables():
    return [table for table in metadata.sorted_tables if table.name != "workspaces"]


def test_the_migrations_build_exactly_the_schema_of_tables_py(db):
    assert differences(db) == []


def test_only_the_numbers_are_nullable_on_sqlite_beside_tables_py(db):
    """The exception above is narrow: the columns it spares are exactly the `number` columns."""
    spared = sorted((table.name, column.name) for table in metadata.tables.values() for column in table.c
                    if column.info.get("nullable_on_sqlite"))
    assert spared == sorted((name, "number") for name in (
        "items", "categories", "tax_rates", "reasons", "production_orders", "production_order_lines",
        "production_batches"))
    with reflecting(db) as conn:
        inspector = inspect(conn)
        for name, column in spared:
            nullable = next(c["nullable"] for c in inspector.get_columns(name) if c["name"] == column)
            assert nullable is db.is_sqlite, (name, column)


def test_the_schema_comparison_would_notice_a_table_the_migrations_lack(db):
    """The comparison above is not vacuous: a table only the metadata has is a difference."""
    target = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(target)
    Table("not_migrated", target, Column("workspace_id", String(40), primary_key=True))
    found = differences(db, target)
    assert [(diff[0], diff[1].name) for diff in found] == [("add_table", "not_migrated")]


def test_the_database_holds_the_tables_of_tables_py_and_alembics_version_table(db):
    with reflecting(db) as conn:
        assert set(inspect(conn).get_table_names()) == set(metadata.tables) | {"alembic_version"}


# The running totals (migrations 0011 and 0012) are rows of changes that triggers add and a fold replaces:
# nothing looks one up, so they have no primary key (only their index, by workspace).
KEYLESS = {"location_totals", "status_totals", "day_totals"}


def test_every_key_and_index_of_tables_py_leads_with_workspace_id():
    for table in distributed_tables():
        assert table.c.workspace_id.nullable is False, table.name
        if table.name in KEYLESS:
            assert not table.primary_key.columns and table.indexes, table.name
        else:
            assert table.primary_key.columns.keys()[0] == "workspace_id", table.name
        for index in table.indexes:
            first = index.expressions[0]
            assert isinstance(first, Column) and first.name == "workspace_id", (table.name, index.name)
        for fk in table.foreign_key_constraints:
            assert fk.column_keys[0] == "workspace_id", (table.name, fk.name)


def test_every_key_and_index_in_the_database_leads_with_workspace_id(db):
    with reflecting(db) as conn:
        inspector = inspect(conn)
        checked = 0
        for table in distributed_tables():
            pk = inspector.get_pk_constraint(table.name)["constrained_columns"]
            assert pk == [] if table.name in KEYLESS else pk[0] == "workspace_id", table.name
            for unique in inspector.get_unique_constraints(table.name):
                assert unique["column_names"][0] == "workspace_id", (table.name, unique["name"])
            indexes = inspector.get_indexes(table.name)
            for index in indexes:
                assert index["column_names"][0] == "workspace_id", (table.name, index["name"])
            for fk in inspector.get_foreign_keys(table.name):
                assert fk["constrained_columns"][0] == "workspace_id", (table.name, fk["name"])
            reflected = {index["name"] for index in indexes}
            expected = {index.name for index in table.indexes}
            if db.is_sqlite:
                expected -= {name for table_name, name in EXPRESSION_INDEXES if table_name == table.name}
            assert reflected == expected, table.name
            checked += 1 + len(indexes)
        assert checked >= 25


def test_expression_indexes_exist_in_the_database_and_lead_with_workspace_id(db):
    assert EXPRESSION_INDEXES  # uq_categories_name; otherwise this test checks nothing
    for table_name, index_name in EXPRESSION_INDEXES:
        with db.engine.connect() as conn:
            if db.is_sqlite:
                sql = conn.execute(
                    text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"), {"name": index_name}
                ).scalar_one()
            else:
                sql = conn.execute(
                    text("SELECT indexdef FROM pg_indexes WHERE tablename = :table AND indexname = :name"),
                    {"table": table_name, "name": index_name},
                ).scalar_one()
        columns = sql[sql.index("(") + 1 :]
        assert columns.lstrip().startswith("workspace_id"), sql


def test_migrations_are_current_and_readyz_says_so(db, client):
    assert migrate.current_revision(db) == migrate.head_revision(db) is not None
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": db.dialect}


def test_the_head_read_from_the_migration_files_is_alembics_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    assert migrate.head_revision(None) == ScriptDirectory.from_config(config).get_current_head() is not None


def test_readyz_reports_pending_migrations_on_a_database_that_is_behind(new_database_url, db):
    from fastapi.testclient import TestClient

    from storekeeper.api.app import create_app

    url = new_database_url("behind")
    behind = Database(url, Settings(database_url=url))
    try:
        with TestClient(create_app(Settings(database_url=url), behind)) as client:
            r = client.get("/readyz")
        assert r.status_code == 503
        assert "migrations pending" in r.json()["database"]
    finally:
        behind.dispose()


def test_the_migrations_downgrade_to_nothing_and_upgrade_again_to_the_same_schema(new_database_url):
    url = new_database_url("roundtrip")
    fresh = Database(url, Settings(database_url=url))
    try:
        migrate.upgrade(fresh)
        assert differences(fresh) == []
        command.downgrade(migrate.alembic_config(fresh), "base")
        with reflecting(fresh) as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        assert migrate.current_revision(fresh) is None
        migrate.upgrade(fresh)
        assert differences(fresh) == []
        assert migrate.is_current(fresh)
    finally:
        fresh.dispose()


def test_the_database_enforces_foreign_keys(db):
    """A user of a workspace that does not exist is refused by the database itself (on SQLite
    only with `PRAGMA foreign_keys=ON`, which every connection sets)."""
    now = utcnow()
    row = {
        "workspace_id": "ws_01JC0000000000000000000000",
        "id": "usr_01JC0000000000000000000000",
        "email": "nobody@example.com",
        "role": "member",
        "created_at": now,
        "updated_at": now,
    }
    with pytest.raises(IntegrityError), db.write() as conn:
        conn.execute(users_table.insert().values(row))
    with db.read() as conn:
        assert conn.execute(select(users_table.c.id).where(users_table.c.id == row["id"])).first() is None


@pytest.fixture
def sqlite_db(db) -> Database:
    if not db.is_sqlite:
        pytest.skip("SQLite connection settings")
    return db


def test_sqlite_connections_use_wal_foreign_keys_and_the_configured_durability(sqlite_db):
    with sqlite_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL, as the test settings ask
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == Settings().sqlite_busy_timeout_ms


def test_a_sqlite_write_transaction_holds_the_write_lock_from_its_first_statement(sqlite_db):
    """BEGIN IMMEDIATE: another writer is locked out before the transaction has read anything."""
    path = make_url(sqlite_db.url).database
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with sqlite_db.write(), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again once the transaction ended
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_lower_folds_every_letter_not_just_ascii(db):
    """Searches compare lower(column) with a lower-cased needle; SQLite's built-in lower() would
    leave "ÜBER" as it is, so every SQLite connection registers a Unicode one."""
    with db.read() as conn:
        assert conn.execute(text("SELECT lower(:s)"), {"s": "ÜBER-Ä1 ÉCLAIR"}).scalar() == "über-ä1 éclair"
        assert conn.execute(text("SELECT lower(NULL)")).scalar() is None
