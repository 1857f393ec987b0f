"""several categories per item

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07

Issue 21 (the products API's `categories: [{id}, …]`): an item is in any number of categories.
`items.categories` lists them in order (the first stays `category_id`), `item_categories`
mirrors them for filtering and for refusing to delete a category in use. Existing items are in
their one category. The column is added in place (no rebuild of `items`, whose triggers stay).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("items", sa.Column("categories", _JSON, nullable=False, server_default=sa.text("'[]'")))
    op.create_table(
        "item_categories",
        sa.Column("workspace_id", sa.String(40), nullable=False),
        sa.Column("item_id", sa.String(40), nullable=False),
        sa.Column("category_id", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "item_id", "category_id", name=op.f("pk_item_categories")),
        sa.ForeignKeyConstraint(["workspace_id", "item_id"], ["items.workspace_id", "items.id"],
                                name=op.f("fk_item_categories_workspace_id_items")),
        sa.ForeignKeyConstraint(["workspace_id", "category_id"], ["categories.workspace_id", "categories.id"],
                                name=op.f("fk_item_categories_workspace_id_categories")),
    )
    op.create_index("ix_item_categories_category", "item_categories", ["workspace_id", "category_id", "item_id"])
    one = "jsonb_build_array(category_id)" if op.get_bind().dialect.name == "postgresql" else "json_array(category_id)"
    op.execute(f"UPDATE items SET categories = {one} WHERE category_id IS NOT NULL")
    op.execute("INSERT INTO item_categories (workspace_id, item_id, category_id) "
               "SELECT workspace_id, id, category_id FROM items WHERE category_id IS NOT NULL")


def downgrade() -> None:
    # An item keeps its first category (category_id); the others are lost.
    op.drop_index("ix_item_categories_category", table_name="item_categories")
    op.drop_table("item_categories")
    op.execute("ALTER TABLE items DROP COLUMN categories")
