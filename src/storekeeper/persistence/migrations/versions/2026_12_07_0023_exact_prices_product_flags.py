"""net prices to 10 decimal places; product flags

Revision ID: 0023
Revises: 0021
Create Date: 2026-12-07

A net price derived from a round gross one (5.00 at 19 % is 4.2016806723) is kept exactly, as
shop systems keep them (the inventorum dialect, seed 004): `items.price` keeps its first 6 places
and `price_rest` places 7 to 10, as an integer of 10^-10 units (domain/pricing.split_price).
Existing prices have at most 6 places: their rest is 0.

Four flags a point-of-sale catalogue keeps on a product (the same document), as typed columns,
false for every existing item: `gift_card`, `favourite`, `open_price` (the clerk may change the
price at the till) and `ad_hoc` (made up at checkout; left out of ordinary product lists).
All added without rebuilding the table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


FLAGS = ("gift_card", "favourite", "open_price", "ad_hoc")


def upgrade() -> None:
    op.add_column("items", sa.Column("price_rest", sa.Integer(), nullable=False, server_default="0"))
    for flag in FLAGS:
        op.add_column("items", sa.Column(flag, sa.Boolean(), nullable=False, server_default=sa.text("false")))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), as 0008: batch mode would copy and drop the table.
    # The places past the sixth are lost; the price keeps its first 6 (floored).
    op.execute("ALTER TABLE items DROP COLUMN price_rest")
    for flag in FLAGS:
        op.execute(f"ALTER TABLE items DROP COLUMN {flag}")
