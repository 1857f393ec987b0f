"""an item's home location: where its stock goes when a change names no location

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07

`items.home_location_id` (nullable): a stock change of the item that names no location goes
there, and to the workspace's default location when it is null. No foreign key: locations are
deleted softly (their rows stay for the ledger), which a key would not notice, and on SQLite a
composite key could only be added by rebuilding `items` in batch mode, which would drop its
triggers (0006, 0007, 0011, 0015). `op.add_column` adds the column in place on both databases;
services/locations.py keeps the reference to a live, active location.

The index holds only the items that have a home: it serves `GET /v1/items?home_location=` and
the check that refuses to delete or deactivate a location some item calls home.

`purchase_orders.location_id` becomes nullable: an order that names no location delivers each
line to its item's home location (else the default) when received. On SQLite the table is not
rebuilt (batch mode): its lines' foreign keys would fail at commit once the old table is dropped,
and foreign keys cannot be switched off inside the migration's transaction. The column's NOT NULL
is removed from the stored schema instead, the procedure SQLite's ALTER TABLE documentation gives
for removing a NOT NULL constraint (writable_schema, schema_version + 1, integrity_check); the
rows on disk do not change. Downgrading gives such orders the workspace's default location,
where 0018 would have received them, and puts the constraint back the same way.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HAS_HOME = sa.text("home_location_id IS NOT NULL")


_NOT_NULL = "location_id VARCHAR(40) NOT NULL"
_NULLABLE = "location_id VARCHAR(40)"


def _sqlite_edit_schema(old: str, new: str) -> None:
    """Rewrite `purchase_orders`' stored definition in this transaction (sqlite.org/lang_altertable.html,
    "removing CHECK or FOREIGN KEY or NOT NULL constraints")."""
    conn = op.get_bind()
    sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'purchase_orders'"
                               ).scalar_one()
    if sql.count(old) != 1:
        raise RuntimeError(f"purchase_orders is not as 0018 left it: {sql}")
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar_one()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    conn.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'purchase_orders'",
                         (sql.replace(old, new),))
    conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    conn.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = conn.exec_driver_sql("PRAGMA integrity_check").scalars().all()
    if problems != ["ok"]:
        raise RuntimeError(f"integrity_check after editing purchase_orders: {problems}")


def upgrade() -> None:
    op.add_column("items", sa.Column("home_location_id", sa.String(40), nullable=True))
    op.create_index("ix_items_home_location", "items", ["workspace_id", "home_location_id"],
                    sqlite_where=_HAS_HOME, postgresql_where=_HAS_HOME)
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_edit_schema(_NOT_NULL, _NULLABLE)
    else:
        op.alter_column("purchase_orders", "location_id", existing_type=sa.String(40), nullable=True)


def downgrade() -> None:
    op.execute(
        "UPDATE purchase_orders SET location_id = (SELECT l.id FROM locations l "
        "WHERE l.workspace_id = purchase_orders.workspace_id AND l.is_default AND l.deleted_at IS NULL) "
        "WHERE location_id IS NULL"
    )
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_edit_schema(_NULLABLE + ",", _NOT_NULL + ",")
    else:
        op.alter_column("purchase_orders", "location_id", existing_type=sa.String(40), nullable=False)
    op.drop_index("ix_items_home_location", table_name="items")
    # SQLite drops a column in place (ALTER TABLE … DROP COLUMN, 3.35+) when no index, trigger or
    # view names it: the triggers of `items` do not.
    op.drop_column("items", "home_location_id")
