"""movement lists read by their own index at any size

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

A list of movements is newest first by `sequence`. Filtered by item, reference, transfer or
batch, the indexes did not hold `sequence`, so SQLite (which plans without statistics here)
walked the workspace's whole ledger backwards through `uq_movements_sequence`, checking each
movement: `GET /v1/items/{ref}/movements` took 0.8 s with 200,000 movements, and grew with the
ledger. Each of these indexes now ends with `sequence`, so the filter and the order are one
index range; an item's own index (without a location) is new.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# index -> (columns before, columns after)
CHANGED = {
    "ix_movements_reference": (["workspace_id", "reference_type", "reference_id"],
                               ["workspace_id", "reference_type", "reference_id", "sequence"]),
    "ix_movements_transfer": (["workspace_id", "transfer_id"], ["workspace_id", "transfer_id", "sequence"]),
    "ix_movements_batch": (["workspace_id", "batch_id"], ["workspace_id", "batch_id", "sequence"]),
}
NEW = {"ix_movements_item_sequence": ["workspace_id", "item_id", "sequence"]}


def upgrade() -> None:
    for name, (_before, after) in CHANGED.items():
        op.drop_index(name, table_name="movements")
        op.create_index(name, "movements", after)
    for name, columns in NEW.items():
        op.create_index(name, "movements", columns)


def downgrade() -> None:
    for name in NEW:
        op.drop_index(name, table_name="movements")
    for name, (before, _after) in CHANGED.items():
        op.drop_index(name, table_name="movements")
        op.create_index(name, "movements", before)
