"""foundation

Revision ID: 0001
Revises:
Create Date: 2026-11-22

Workspaces, users, API keys, locations, categories, tax rates, items, item tags and stock levels.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Quantities and money are BIGINT micro-units; see storekeeper/persistence/types.py.
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), server_default="USD", nullable=False),
        sa.Column("settings", JSON_DOC, nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_workspaces")),
    )
    op.create_table(
        "categories",
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.String(length=40), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "parent_id"],
            ["categories.workspace_id", "categories.id"],
            name=op.f("fk_categories_workspace_id_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.workspace_id"], name=op.f("fk_categories_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_categories")),
    )
    op.create_table(
        "locations",
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("read_only", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("marketplace", sa.String(length=100), nullable=True),
        sa.Column("address", JSON_DOC, nullable=True),
        sa.Column("is_default", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("hide_materials", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.workspace_id"], name=op.f("fk_locations_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_locations")),
    )
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.create_index(
            "uq_locations_default",
            ["workspace_id"],
            unique=True,
            sqlite_where=sa.text("is_default AND deleted_at IS NULL"),
            postgresql_where=sa.text("is_default AND deleted_at IS NULL"),
        )
        batch_op.create_index(
            "uq_locations_name",
            ["workspace_id", "name"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )

    op.create_index(
        "uq_categories_name",
        "categories",
        ["workspace_id", sa.text("coalesce(parent_id, '')"), "name"],
        unique=True,
    )
    op.create_table(
        "tax_rates",
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("rate", sa.BigInteger(), nullable=False),
        sa.Column("is_default", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.workspace_id"], name=op.f("fk_tax_rates_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_tax_rates")),
    )
    with op.batch_alter_table("tax_rates", schema=None) as batch_op:
        batch_op.create_index(
            "uq_tax_rates_default",
            ["workspace_id"],
            unique=True,
            sqlite_where=sa.text("is_default"),
            postgresql_where=sa.text("is_default"),
        )
        batch_op.create_index("uq_tax_rates_name", ["workspace_id", "name"], unique=True)

    op.create_table(
        "users",
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.workspace_id"], name=op.f("fk_users_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_users")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(
            "uq_users_email",
            ["workspace_id", "email"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )

    op.create_table(
        "api_keys",
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("scopes", JSON_DOC, nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "user_id"], ["users.workspace_id", "users.id"], name=op.f("fk_api_keys_workspace_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.workspace_id"], name=op.f("fk_api_keys_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_api_keys")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index("uq_api_keys_key_hash", ["workspace_id", "key_hash"], unique=True)

    op.create_table(
        "items",
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("name_key", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("tracking", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("barcode", sa.String(length=128), nullable=True),
        sa.Column("brand", sa.String(length=200), nullable=True),
        sa.Column("supplier", sa.String(length=200), nullable=True),
        sa.Column("category_id", sa.String(length=40), nullable=True),
        sa.Column("tags", JSON_DOC, nullable=False),
        sa.Column("attributes", JSON_DOC, nullable=False),
        sa.Column("parent_id", sa.String(length=40), nullable=True),
        sa.Column("reorder_point", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("safety_stock", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("reorder_quantity", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("reorder_urls", JSON_DOC, nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=True),
        sa.Column("average_cost", sa.BigInteger(), nullable=True),
        sa.Column("price", sa.BigInteger(), nullable=True),
        sa.Column("tax_rate_id", sa.String(length=40), nullable=True),
        sa.Column("retail_price", sa.BigInteger(), nullable=True),
        sa.Column("wholesale_price", sa.BigInteger(), nullable=True),
        sa.Column("package_size_value", sa.BigInteger(), nullable=True),
        sa.Column("package_size_unit", sa.String(length=16), nullable=True),
        sa.Column("images", JSON_DOC, nullable=False),
        sa.Column("channels", JSON_DOC, nullable=False),
        sa.Column("metadata", JSON_DOC, nullable=False),
        sa.Column("on_hand", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("reserved", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id", "category_id"],
            ["categories.workspace_id", "categories.id"],
            name=op.f("fk_items_workspace_id_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "parent_id"], ["items.workspace_id", "items.id"], name=op.f("fk_items_workspace_id_items")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "tax_rate_id"],
            ["tax_rates.workspace_id", "tax_rates.id"],
            name=op.f("fk_items_workspace_id_tax_rates"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.workspace_id"], name=op.f("fk_items_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_items")),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index("ix_items_barcode", ["workspace_id", "barcode"], unique=False)
        batch_op.create_index("ix_items_category", ["workspace_id", "category_id"], unique=False)
        batch_op.create_index("ix_items_created", ["workspace_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_items_name", ["workspace_id", "name_key", "id"], unique=False)
        batch_op.create_index("ix_items_parent", ["workspace_id", "parent_id"], unique=False)
        batch_op.create_index("ix_items_sku_id", ["workspace_id", "sku", "id"], unique=False)
        batch_op.create_index("ix_items_status", ["workspace_id", "status", "id"], unique=False)
        batch_op.create_index("ix_items_tax_rate", ["workspace_id", "tax_rate_id"], unique=False)
        batch_op.create_index("ix_items_updated", ["workspace_id", "updated_at", "id"], unique=False)
        batch_op.create_index(
            "uq_items_sku",
            ["workspace_id", "sku"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )

    op.create_table(
        "item_tags",
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("tag", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "item_id"],
            ["items.workspace_id", "items.id"],
            name=op.f("fk_item_tags_workspace_id_items"),
        ),
        sa.PrimaryKeyConstraint("workspace_id", "item_id", "tag", name=op.f("pk_item_tags")),
    )
    with op.batch_alter_table("item_tags", schema=None) as batch_op:
        batch_op.create_index("ix_item_tags_tag", ["workspace_id", "tag", "item_id"], unique=False)

    op.create_table(
        "stock_levels",
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.String(length=40), nullable=False),
        sa.Column("on_hand", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("reserved", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "item_id"],
            ["items.workspace_id", "items.id"],
            name=op.f("fk_stock_levels_workspace_id_items"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "location_id"],
            ["locations.workspace_id", "locations.id"],
            name=op.f("fk_stock_levels_workspace_id_locations"),
        ),
        sa.PrimaryKeyConstraint("workspace_id", "item_id", "location_id", name=op.f("pk_stock_levels")),
    )
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.create_index("ix_stock_levels_location", ["workspace_id", "location_id", "item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_levels_location")

    op.drop_table("stock_levels")
    with op.batch_alter_table("item_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_item_tags_tag")

    op.drop_table("item_tags")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_items_sku", sqlite_where=sa.text("deleted_at IS NULL"), postgresql_where=sa.text("deleted_at IS NULL")
        )
        batch_op.drop_index("ix_items_updated")
        batch_op.drop_index("ix_items_tax_rate")
        batch_op.drop_index("ix_items_status")
        batch_op.drop_index("ix_items_sku_id")
        batch_op.drop_index("ix_items_parent")
        batch_op.drop_index("ix_items_name")
        batch_op.drop_index("ix_items_created")
        batch_op.drop_index("ix_items_category")
        batch_op.drop_index("ix_items_barcode")

    op.drop_table("items")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index("uq_api_keys_key_hash")

    op.drop_table("api_keys")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_users_email", sqlite_where=sa.text("deleted_at IS NULL"), postgresql_where=sa.text("deleted_at IS NULL")
        )

    op.drop_table("users")
    with op.batch_alter_table("tax_rates", schema=None) as batch_op:
        batch_op.drop_index("uq_tax_rates_name")
        batch_op.drop_index(
            "uq_tax_rates_default", sqlite_where=sa.text("is_default"), postgresql_where=sa.text("is_default")
        )

    op.drop_table("tax_rates")
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_locations_name",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(
            "uq_locations_default",
            sqlite_where=sa.text("is_default AND deleted_at IS NULL"),
            postgresql_where=sa.text("is_default AND deleted_at IS NULL"),
        )

    op.drop_table("locations")
    op.drop_table("categories")
    op.drop_table("workspaces")
