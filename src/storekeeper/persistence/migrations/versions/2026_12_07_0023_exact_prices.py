"""net prices to 10 decimal places

Revision ID: 0023
Revises: 0018
Create Date: 2026-12-07

A net price derived from a round gross one (5.00 at 19 % is 4.2016806723) is kept exactly, as
shop systems keep them (the inventorum dialect, seed 004): `items.price` keeps its first 6 places
and `price_rest` places 7 to 10, as an integer of 10^-10 units (domain/pricing.split_price).
Existing prices have at most 6 places: their rest is 0. Added without rebuilding the table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("items", sa.Column("price_rest", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), as 0008: batch mode would copy and drop the table.
    # The places past the sixth are lost; the price keeps its first 6 (floored).
    op.execute("ALTER TABLE items DROP COLUMN price_rest")
