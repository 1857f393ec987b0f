"""per-workspace numbers of items, categories, tax rates, reasons, production orders, their lines
and batches; the index of the item list's price sort

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-07

Issue 21: the /compat facades of seeds 002 and 004 identify these by integer ids. Each row gets
`number`, 1, 2, 3 … per workspace and table, unique under (workspace_id, number); the rows there
already are numbered in the order they were made (created_at, then the id's ULID; a production
line has no created_at, and its ULID is when it was made), and the workspace's counter named
after the table is set to the last number, so that new rows continue from it
(persistence/counters.take_numbers). `production_orders` already counted the default names
MO-000001 …: it keeps the larger of the two values, so that no default name is made twice.

The column is added by ALTER TABLE on both databases. PostgreSQL then sets it NOT NULL. SQLite
cannot add a NOT NULL column without a default to a table with rows, and rebuilding these tables
(batch mode) would drop the triggers of `items` (0006, 0007, 0011, 0015) and fail on the foreign
keys that refer to them, so there the column stays nullable and the services keep it set
(tables._number).

Also `ix_items_price` (workspace_id, coalesce(price, -1), id): the order of `GET /v1/items?sort=price`
(tables.ITEM_PRICE_ORDER), also issue 21.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each numbered table and the order its rows were made in.
TABLES = {
    "items": "created_at, id",
    "categories": "created_at, id",
    "tax_rates": "created_at, id",
    "reasons": "created_at, id",
    "production_orders": "created_at, id",
    "production_order_lines": "id",
    "production_batches": "created_at, id",
}
# Counters that were there before: they keep their value if it is the larger.
_EXISTING_COUNTERS = ("production_orders",)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, order in TABLES.items():
        op.execute(f"ALTER TABLE {table} ADD COLUMN number BIGINT")
        # The triggers of items fire on INSERT, DELETE and UPDATE OF other columns: not here.
        op.execute(
            f"UPDATE {table} SET number = ranked.n FROM (SELECT workspace_id, id, row_number() OVER"
            f" (PARTITION BY workspace_id ORDER BY {order}) AS n FROM {table}) AS ranked"
            f" WHERE {table}.workspace_id = ranked.workspace_id AND {table}.id = ranked.id"
        )
        if postgresql:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN number SET NOT NULL")
        op.create_index(f"uq_{table}_number", table, ["workspace_id", "number"], unique=True)
        # WHERE true: SQLite's parser needs it between an INSERT's SELECT and ON CONFLICT.
        op.execute(
            f"INSERT INTO counters (workspace_id, name, value) SELECT workspace_id, '{table}', max(number)"
            f" FROM {table} WHERE true GROUP BY workspace_id ON CONFLICT (workspace_id, name) DO UPDATE"
            " SET value = CASE WHEN excluded.value > counters.value THEN excluded.value ELSE counters.value END"
        )
    op.create_index("ix_items_price", "items", ["workspace_id", sa.text("coalesce(price, -1)"), "id"])


def downgrade() -> None:
    op.drop_index("ix_items_price", table_name="items")
    for table in TABLES:
        op.drop_index(f"uq_{table}_number", table_name=table)
        # ALTER TABLE … DROP COLUMN (SQLite 3.35+), as 0008: batch mode would copy and drop the table.
        op.execute(f"ALTER TABLE {table} DROP COLUMN number")
    names = ", ".join(f"'{table}'" for table in TABLES if table not in _EXISTING_COUNTERS)
    op.execute(f"DELETE FROM counters WHERE name IN ({names})")
