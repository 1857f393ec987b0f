"""the fulfilment service an external location is

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-07

The multi-warehouse dialect (compat/warehouses, seed 001) shows a warehouse's `type` as `own` or
the fulfilment service a marketplace location is (FBA, FBS …): a nullable text column, added
without rebuilding the table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("locations", sa.Column("fulfilment", sa.String(32), nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), as 0008: batch mode would copy and drop the table.
    op.execute("ALTER TABLE locations DROP COLUMN fulfilment")
