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
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HAS_HOME = sa.text("home_location_id IS NOT NULL")


def upgrade() -> None:
    op.add_column("items", sa.Column("home_location_id", sa.String(40), nullable=True))
    op.create_index("ix_items_home_location", "items", ["workspace_id", "home_location_id"],
                    sqlite_where=_HAS_HOME, postgresql_where=_HAS_HOME)


def downgrade() -> None:
    op.drop_index("ix_items_home_location", table_name="items")
    # SQLite drops a column in place (ALTER TABLE … DROP COLUMN, 3.35+) when no index, trigger or
    # view names it: the triggers of `items` do not.
    op.drop_column("items", "home_location_id")
