"""items of a status in SKU order

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

`GET /v1/items?status=low&sort=sku`, the dashboard's items filtered by status and the reorder
list read the items of a status (or three) in SKU order. With `ix_items_status` (workspace,
status, id) SQLite walked the SKU index of every item, checking each one's status: 370 ms at a
million items when few were low. This index is the filter and the order in one range.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_items_status_sku", "items", ["workspace_id", "status", "sku", "id"])


def downgrade() -> None:
    op.drop_index("ix_items_status_sku", table_name="items")
