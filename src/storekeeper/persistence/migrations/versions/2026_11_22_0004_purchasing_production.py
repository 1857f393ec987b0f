"""purchasing and production

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

Purchase orders and their lines, production orders, their lines and batches, the items' `incoming`
and the batch a movement belongs to.
"""

import warnings
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "production_orders",
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("assignee_id", sa.String(length=40), nullable=True),
        sa.Column("due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id", "assignee_id"], ["users.workspace_id", "users.id"], name="fk_production_orders_assignee"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "location_id"],
            ["locations.workspace_id", "locations.id"],
            name="fk_production_orders_location",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.workspace_id"], name=op.f("fk_production_orders_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_production_orders")),
    )
    op.create_index("ix_production_orders_assignee", "production_orders", ["workspace_id", "assignee_id"])
    op.create_index("ix_production_orders_created", "production_orders", ["workspace_id", "created_at", "id"])
    op.create_index("ix_production_orders_position", "production_orders", ["workspace_id", "position", "id"])
    op.create_index("ix_production_orders_status", "production_orders", ["workspace_id", "status"])

    op.create_table(
        "purchase_orders",
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("supplier", sa.String(length=200), nullable=True),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("expected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "location_id"],
            ["locations.workspace_id", "locations.id"],
            name=op.f("fk_purchase_orders_workspace_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.workspace_id"], name=op.f("fk_purchase_orders_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_purchase_orders")),
    )
    op.create_index("ix_purchase_orders_created", "purchase_orders", ["workspace_id", "created_at", "id"])
    op.create_index("ix_purchase_orders_status", "purchase_orders", ["workspace_id", "status", "created_at"])
    op.create_index("uq_purchase_orders_number", "purchase_orders", ["workspace_id", "number"], unique=True)

    op.create_table(
        "production_order_lines",
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("produced_quantity", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "item_id"], ["items.workspace_id", "items.id"], name="fk_production_order_lines_item"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "order_id"],
            ["production_orders.workspace_id", "production_orders.id"],
            name="fk_production_order_lines_order",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_production_order_lines")),
    )
    op.create_index("ix_production_order_lines_item", "production_order_lines", ["workspace_id", "item_id"])
    op.create_index(
        "ix_production_order_lines_order", "production_order_lines", ["workspace_id", "order_id", "position"]
    )

    op.create_table(
        "purchase_order_lines",
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("received_quantity", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "item_id"], ["items.workspace_id", "items.id"], name="fk_purchase_order_lines_item"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "order_id"],
            ["purchase_orders.workspace_id", "purchase_orders.id"],
            name="fk_purchase_order_lines_order",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_purchase_order_lines")),
    )
    op.create_index("ix_purchase_order_lines_item", "purchase_order_lines", ["workspace_id", "item_id"])
    op.create_index("ix_purchase_order_lines_order", "purchase_order_lines", ["workspace_id", "order_id", "position"])

    op.create_table(
        "production_batches",
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("line_id", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id", "item_id"], ["items.workspace_id", "items.id"], name="fk_production_batches_item"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "line_id"],
            ["production_order_lines.workspace_id", "production_order_lines.id"],
            name="fk_production_batches_line",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_production_batches")),
    )
    op.create_index("ix_production_batches_line", "production_batches", ["workspace_id", "line_id", "created_at"])
    op.create_index("ix_production_batches_order", "production_batches", ["workspace_id", "order_id"])

    op.add_column("items", sa.Column("incoming", sa.BigInteger(), server_default="0", nullable=False))

    op.add_column("movements", sa.Column("batch_id", sa.String(length=40), nullable=True))
    op.create_index("ix_movements_batch", "movements", ["workspace_id", "batch_id"])


def downgrade() -> None:
    # SQLite drops columns by copying the table (batch mode), which reflects the tables that
    # items refers to; categories' expression index cannot be reflected and need not be.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        _downgrade()


def _downgrade() -> None:
    with op.batch_alter_table("movements", schema=None) as batch_op:
        batch_op.drop_index("ix_movements_batch")
        batch_op.drop_column("batch_id")

    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("incoming")

    with op.batch_alter_table("production_batches", schema=None) as batch_op:
        batch_op.drop_index("ix_production_batches_order")
        batch_op.drop_index("ix_production_batches_line")

    op.drop_table("production_batches")
    with op.batch_alter_table("purchase_order_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_purchase_order_lines_order")
        batch_op.drop_index("ix_purchase_order_lines_item")

    op.drop_table("purchase_order_lines")
    with op.batch_alter_table("production_order_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_production_order_lines_order")
        batch_op.drop_index("ix_production_order_lines_item")

    op.drop_table("production_order_lines")
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.drop_index("uq_purchase_orders_number")
        batch_op.drop_index("ix_purchase_orders_status")
        batch_op.drop_index("ix_purchase_orders_created")

    op.drop_table("purchase_orders")
    with op.batch_alter_table("production_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_production_orders_status")
        batch_op.drop_index("ix_production_orders_position")
        batch_op.drop_index("ix_production_orders_created")
        batch_op.drop_index("ix_production_orders_assignee")

    op.drop_table("production_orders")
