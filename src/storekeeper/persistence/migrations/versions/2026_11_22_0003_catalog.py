"""catalog

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Catalog depth: bills of materials, sales channels, variant parents, the trash's tombstones,
bundle sales in the ledger and bundle reservations.
"""

import warnings
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_channels",
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "item_id"],
            ["items.workspace_id", "items.id"],
            name=op.f("fk_item_channels_workspace_id_items"),
        ),
        sa.PrimaryKeyConstraint("workspace_id", "item_id", "channel", name=op.f("pk_item_channels")),
    )
    op.create_index("ix_item_channels_channel", "item_channels", ["workspace_id", "channel", "item_id"], unique=False)

    op.create_table(
        "item_components",
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("component_id", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "component_id"], ["items.workspace_id", "items.id"], name="fk_item_components_component"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "item_id"], ["items.workspace_id", "items.id"], name="fk_item_components_item"
        ),
        sa.PrimaryKeyConstraint("workspace_id", "item_id", "component_id", name=op.f("pk_item_components")),
    )
    op.create_index(
        "ix_item_components_component", "item_components", ["workspace_id", "component_id", "item_id"], unique=False
    )

    op.add_column("items", sa.Column("has_variants", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    op.add_column("items", sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_items_deleted", "items", ["workspace_id", "deleted_at", "id"], unique=False)

    op.add_column("movements", sa.Column("bundle_id", sa.String(length=40), nullable=True))

    op.add_column(
        "reservations", sa.Column("holds_stock", sa.Boolean(), server_default=sa.text("true"), nullable=False)
    )
    op.add_column("reservations", sa.Column("parent_id", sa.String(length=40), nullable=True))
    op.create_index("ix_reservations_parent", "reservations", ["workspace_id", "parent_id"], unique=False)


def downgrade() -> None:
    # SQLite drops columns by copying the table (batch mode), which reflects the tables that
    # items refers to; categories' expression index cannot be reflected and need not be.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        _downgrade()


def _downgrade() -> None:
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.drop_index("ix_reservations_parent")
        batch_op.drop_column("parent_id")
        batch_op.drop_column("holds_stock")

    with op.batch_alter_table("movements", schema=None) as batch_op:
        batch_op.drop_column("bundle_id")

    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_deleted")
        batch_op.drop_column("purged_at")
        batch_op.drop_column("has_variants")

    with op.batch_alter_table("item_components", schema=None) as batch_op:
        batch_op.drop_index("ix_item_components_component")

    op.drop_table("item_components")
    with op.batch_alter_table("item_channels", schema=None) as batch_op:
        batch_op.drop_index("ix_item_channels_channel")

    op.drop_table("item_channels")
