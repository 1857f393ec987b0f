"""search index for `q`

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22

`q` on `GET /v1/items` and `GET /v1/stock` finds the items whose `name_key`, `lower(sku)` or
`lower(barcode)` contains the casefolded needle (services/search.py). Unindexed, that scans the
workspace: 250 ms at 100,000 items. The indexes here find the few candidates.

SQLite: `items_search` holds each item's three searched texts, already folded, under an INTEGER
PRIMARY KEY, and `items_search_fts` is an FTS5 trigram index over it (external content; case
sensitive, as the texts are folded the way the LIKEs fold them, so a phrase matches exactly where
LIKE does). Triggers on `items` keep `items_search` in the statement that changes an item, whatever
code changes it, and triggers on `items_search` keep the FTS index (FTS5's documented external
content triggers, deleting with the stored text, so the index never drifts from its content).
Rows are keyed by the item's (workspace_id, id), never by `items.rowid`: `items` has a text primary
key, so VACUUM may renumber its rowids; `items_search`'s own ids survive VACUUM.

The triggers call `lower()`, which Storekeeper's connections register as Unicode lower-casing
(persistence/database.py). An item changed through another connection (the sqlite3 shell) is
indexed with SQLite's ASCII-only lower(): a non-ASCII letter of its SKU or barcode is not found
until the item changes again, or `refill()` runs. A later migration that rebuilds `items` on
SQLite (batch mode) drops the triggers on it: it must call `create_item_triggers()` and `refill()`.

PostgreSQL: pg_trgm GIN indexes on the three expressions, which serve the OR of LIKEs as a
BitmapOr. Without GIN's pending list (fastupdate off): every stock change rewrites its item's row
and so adds index entries, and the pending list, which every search scans, doubled a search's
time after 3,000 such updates of 100,000 items; writing the entries at once costs ~0.25 ms an update.
pg_trgm is a trusted extension (PostgreSQL 13+); where it cannot be created, the migration warns
and leaves the indexes out, and search scans as before.
"""

import logging
from collections.abc import Sequence

from alembic import op
from sqlalchemy.exc import DBAPIError

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("storekeeper.migrations")

# What an item's row in items_search holds, `{row}` being NEW, OLD or items.
TEXTS = {"name": "{row}.name_key", "sku": "lower({row}.sku)", "barcode": "lower({row}.barcode)"}
SEARCHED = ("workspace_id", "id", "name_key", "sku", "barcode")  # the columns of items it depends on
PG_INDEXES = {"ix_items_search_name": "name_key", "ix_items_search_sku": "lower(sku)",
              "ix_items_search_barcode": "lower(barcode)"}


def _values(row: str) -> str:
    return ", ".join(text.format(row=row) for text in TEXTS.values())


def _fts_rows(op_name: str, row: str) -> str:
    """The FTS5 statement that adds (or, with op_name 'delete', removes) a row of items_search."""
    columns = ", ".join(TEXTS)
    values = ", ".join(f"{row}.{name}" for name in TEXTS)
    if op_name == "delete":
        return (f"INSERT INTO items_search_fts (items_search_fts, rowid, {columns})"
                f" VALUES ('delete', {row}.id, {values});")
    return f"INSERT INTO items_search_fts (rowid, {columns}) VALUES ({row}.id, {values});"


def create_item_triggers() -> None:
    """The triggers on items (SQLite), which a rebuild of items in batch mode drops."""
    columns = ", ".join(TEXTS)
    changed = " OR ".join(f"NEW.{name} IS NOT OLD.{name}" for name in SEARCHED)
    upserted = ", ".join(f"{name} = excluded.{name}" for name in TEXTS)
    updated = ", ".join(f"{name} = {text.format(row='NEW')}" for name, text in TEXTS.items())
    # An upsert, not an insert: an INSERT OR REPLACE of an item deletes the old row without
    # firing delete triggers (unless recursive_triggers is on).
    op.execute(
        f"CREATE TRIGGER items_search_insert AFTER INSERT ON items BEGIN\n"
        f"  INSERT INTO items_search (workspace_id, item_id, {columns}) VALUES (NEW.workspace_id, NEW.id,"
        f" {_values('NEW')})\n"
        f"  ON CONFLICT (workspace_id, item_id) DO UPDATE SET"
        f" {upserted};\nEND"
    )
    op.execute(
        f"CREATE TRIGGER items_search_update AFTER UPDATE OF {', '.join(SEARCHED)} ON items WHEN {changed}"
        f" BEGIN\n  UPDATE items_search SET workspace_id = NEW.workspace_id, item_id = NEW.id,"
        f" {updated}"
        f" WHERE workspace_id = OLD.workspace_id AND item_id = OLD.id;\nEND"
    )
    op.execute(
        "CREATE TRIGGER items_search_delete AFTER DELETE ON items BEGIN\n"
        "  DELETE FROM items_search WHERE workspace_id = OLD.workspace_id AND item_id = OLD.id;\nEND"
    )


def drop_item_triggers() -> None:
    for name in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS items_search_{name}")


def refill() -> None:
    """items_search from items, and the FTS index from items_search (SQLite). Correct with or
    without the triggers on items_search; without them (the first fill) it is one pass."""
    op.execute("DELETE FROM items_search")
    op.execute(f"INSERT INTO items_search (workspace_id, item_id, {', '.join(TEXTS)})"
               f" SELECT workspace_id, id, {_values('items')} FROM items")
    op.execute("INSERT INTO items_search_fts (items_search_fts) VALUES ('rebuild')")


def _upgrade_sqlite() -> None:
    op.execute(
        "CREATE TABLE items_search (id INTEGER PRIMARY KEY, workspace_id VARCHAR(40) NOT NULL,"
        " item_id VARCHAR(40) NOT NULL, name TEXT NOT NULL, sku TEXT NOT NULL, barcode TEXT)"
    )
    op.execute("CREATE UNIQUE INDEX uq_items_search_item ON items_search (workspace_id, item_id)")
    # detail=full: a phrase needs the trigrams' positions. columnsize=0: no ranking, so no sizes.
    op.execute(
        f"CREATE VIRTUAL TABLE items_search_fts USING fts5({', '.join(TEXTS)}, content='items_search',"
        f" content_rowid='id', tokenize='trigram case_sensitive 1', columnsize=0)"
    )
    refill()
    op.execute(f"CREATE TRIGGER items_search_fts_insert AFTER INSERT ON items_search BEGIN\n"
               f"  {_fts_rows('insert', 'NEW')}\nEND")
    op.execute(f"CREATE TRIGGER items_search_fts_delete AFTER DELETE ON items_search BEGIN\n"
               f"  {_fts_rows('delete', 'OLD')}\nEND")
    op.execute(f"CREATE TRIGGER items_search_fts_update AFTER UPDATE ON items_search BEGIN\n"
               f"  {_fts_rows('delete', 'OLD')}\n  {_fts_rows('insert', 'NEW')}\nEND")
    create_item_triggers()


def _upgrade_postgresql() -> None:
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as exc:
        log.warning("pg_trgm could not be created (%s): q on /v1/items and /v1/stock will scan the workspace. "
                    "Create the extension and run this migration again (downgrade to 0006, upgrade).",
                    " ".join(str(exc.orig).split()))
        return
    for name, expression in PG_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON items USING gin ({expression} gin_trgm_ops) WITH (fastupdate = off)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name in PG_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
        try:  # unless something else uses it (RESTRICT), or it is not ours to drop
            with bind.begin_nested():
                bind.exec_driver_sql("DROP EXTENSION IF EXISTS pg_trgm")
        except DBAPIError:
            pass
        return
    drop_item_triggers()
    op.execute("DROP TABLE IF EXISTS items_search_fts")
    op.execute("DROP TABLE IF EXISTS items_search")  # and its triggers
