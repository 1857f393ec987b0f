"""items by updated_at, in a table of their own kept by triggers

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

A stock change now moves its items' `updated_at` (SPEC §6: quantity changes count for
`updated_since`), in the UPDATE that already writes their sums. Indexed on `items`
(`ix_items_updated`), that column would make every stock change rewrite every index of the
item's row on PostgreSQL (a changed indexed column rules out a HOT update): thirteen B-trees and
three pg_trgm GIN indexes, 0.6-1 ms more an item, a bulk of 500 item updates 62-146 ms → 317-630
ms (20,000 items, `/tmp` script, not kept). So `items.updated_at` is no longer indexed on `items`:
`item_updates` holds each item's `updated_at` under (workspace_id, updated_at, item_id), written
by triggers on `items` in the statement that writes the item, whatever code (or SQL) writes it,
and `GET /v1/items` and `GET /v1/stock` read `updated_since` and `sort=updated_at` from it. The
same bulk costs 70-82 ms with it; the item's row stays a HOT update.

`storekeeper check` compares the table with `items`. A later migration that rebuilds `items` on
SQLite (batch mode) drops these triggers: it must create them again (`create_triggers()`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# An upsert, not an insert or an update: right whether or not the item's row is there yet.
_UPSERT = ("INSERT INTO item_updates (workspace_id, item_id, updated_at) VALUES (NEW.workspace_id, NEW.id,"
           " NEW.updated_at) ON CONFLICT (workspace_id, item_id) DO UPDATE SET updated_at = excluded.updated_at;")
_DELETE = "DELETE FROM item_updates WHERE workspace_id = OLD.workspace_id AND item_id = OLD.id;"
# (name, event, condition or None, statement)
TRIGGERS = (
    ("item_updates_insert", "INSERT", None, _UPSERT),
    ("item_updates_update", "UPDATE OF updated_at", "OLD.updated_at IS DISTINCT FROM NEW.updated_at", _UPSERT),
    ("item_updates_delete", "DELETE", None, _DELETE),
)


def create_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for name, event, when, statement in TRIGGERS:
        if dialect == "postgresql":
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  {statement}\n"
                       "  RETURN NULL;\nEND\n$$")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON items FOR EACH ROW"
                       + (f" WHEN ({when})" if when else "") + f" EXECUTE FUNCTION {name}()")
        else:
            when = when and when.replace("IS DISTINCT FROM", "IS NOT")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON items FOR EACH ROW"
                       + (f" WHEN {when}" if when else "") + f" BEGIN\n  {statement}\nEND")


def drop_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for name, *_ in TRIGGERS:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON items")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def upgrade() -> None:
    op.create_table(
        "item_updates",
        sa.Column("workspace_id", sa.String(40), nullable=False),
        sa.Column("item_id", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "item_id", name=op.f("pk_item_updates")),
    )
    op.execute("INSERT INTO item_updates (workspace_id, item_id, updated_at) SELECT workspace_id, id, updated_at"
               " FROM items")
    op.create_index("ix_item_updates_updated", "item_updates", ["workspace_id", "updated_at", "item_id"])
    create_triggers()
    op.drop_index("ix_items_updated", table_name="items")


def downgrade() -> None:
    op.create_index("ix_items_updated", "items", ["workspace_id", "updated_at", "id"])
    drop_triggers()
    op.drop_table("item_updates")
