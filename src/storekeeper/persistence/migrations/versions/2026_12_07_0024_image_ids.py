"""ids of items' images

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07

Issue 21 ("images by id"): each image an item keeps in its `images` document gets `id`, a
number of its workspace (the counter `images`), and the new table `images` (workspace_id,
number, url) finds an image by its id, as the inventorum facade names one. Existing images are
numbered per workspace in the order their items were made, then their place in the item; the
same URL on two items is two images. The `items` table is not rebuilt: only the documents of
items with images are rewritten (no trigger of `items` watches `images`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
_ITEMS = sa.table("items", sa.column("workspace_id", sa.String), sa.column("id", sa.String),
                  sa.column("images", _JSON), sa.column("created_at", sa.DateTime))


def upgrade() -> None:
    op.create_table(
        "images",
        sa.Column("workspace_id", sa.String(40), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "number", name=op.f("pk_images")),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"],
                                name=op.f("fk_images_workspace_id_workspaces")),
    )
    _number_existing()


def _number_existing() -> None:
    conn = op.get_bind()
    length = "jsonb_array_length" if conn.dialect.name == "postgresql" else "json_array_length"
    rows = conn.execute(sa.select(_ITEMS.c.workspace_id, _ITEMS.c.id, _ITEMS.c.images, _ITEMS.c.created_at)
                        .where(sa.func.coalesce(getattr(sa.func, length)(_ITEMS.c.images), 0) > 0)
                        .order_by(_ITEMS.c.workspace_id, _ITEMS.c.created_at, _ITEMS.c.id)).all()
    last: dict[str, int] = {}
    registered = []
    for row in rows:
        numbered = []
        for image in row.images:
            last[row.workspace_id] = last.get(row.workspace_id, 0) + 1
            numbered.append({"id": last[row.workspace_id], "url": image["url"], "alt": image.get("alt")})
            registered.append({"workspace_id": row.workspace_id, "number": last[row.workspace_id],
                               "url": image["url"], "created_at": row.created_at})
        conn.execute(sa.update(_ITEMS).where(_ITEMS.c.workspace_id == row.workspace_id, _ITEMS.c.id == row.id)
                     .values(images=numbered))
    if registered:
        conn.execute(sa.table("images", *(sa.column(c) for c in ("workspace_id", "number", "url", "created_at")))
                     .insert(), registered)
    counters = sa.table("counters", sa.column("workspace_id"), sa.column("name"), sa.column("value"))
    if last:
        conn.execute(counters.insert(), [{"workspace_id": ws, "name": "images", "value": n} for ws, n in last.items()])


def downgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(_ITEMS.c.workspace_id, _ITEMS.c.id, _ITEMS.c.images)).all()
    for row in rows:
        if row.images and any("id" in image for image in row.images):
            conn.execute(sa.update(_ITEMS).where(_ITEMS.c.workspace_id == row.workspace_id, _ITEMS.c.id == row.id)
                         .values(images=[{k: v for k, v in i.items() if k != "id"} for i in row.images]))
    op.execute("DELETE FROM counters WHERE name = 'images'")
    op.drop_table("images")
