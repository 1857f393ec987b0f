"""a free-text label on movements, beside the reason

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07

The multi-warehouse API that Storekeeper also speaks (/compat, seed 001) records a vendor's own
reason for a change (`supplier_receipt`, `cycle_count`), shows it on each adjustment and filters
an item's adjustments by it. Storekeeper's `reason` is a closed set with a direction each, so a
movement gains `label`: free text (at most 64 characters), null for none.

Two indexes serve the `label` filter of the movement lists as one index range in their order (by
`sequence`), as 0009's serve the other filters. Measured on SQLite with a million movements
(1,000 items, a tenth of the movements labelled with one of five labels; a page of 50, warm cache,
median of five; `/tmp` scripts, not kept):

| filter | no index | `ix_movements_label` | both |
|---|---|---|---|
| `label=` a label nobody used | 276 ms (the whole ledger walked) | 0.3 ms | 0.3 ms |
| `label=` a used label, with its total (20,216) | 194 ms | 29 ms | 14 ms |
| an item's movements (1,011) with a label | 6.2 ms | 22 ms | 0.6 ms |

With the workspace-wide index alone SQLite (which plans without statistics) read an item's
labelled movements from the label's range, checking each one's item, rather than from the item's:
hence the second index, (workspace_id, item_id, label, sequence). Both are partial (`label IS NOT
NULL`): a movement without a label (every one written before this migration, and most written
after) adds no entry to them, and a labelled one two; an adjustment's time did not move
measurably either way (4-6 ms on the shared machine, most of it the commit). Both databases use a
partial index for `label = :value`, which implies `label IS NOT NULL`.

Adding a nullable column without a default rewrites no row on either database, and leaves the
triggers on `movements` (0012) in place.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LABELLED = sa.text("label IS NOT NULL")
INDEXES = {
    "ix_movements_label": ["workspace_id", "label", "sequence"],
    "ix_movements_item_label": ["workspace_id", "item_id", "label", "sequence"],
}


def upgrade() -> None:
    op.add_column("movements", sa.Column("label", sa.String(length=64), nullable=True))
    for name, columns in INDEXES.items():
        op.create_index(name, "movements", columns, sqlite_where=_LABELLED, postgresql_where=_LABELLED)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="movements")
    # Not in batch mode, which would rebuild `movements` on SQLite without 0012's trigger:
    # SQLite (3.35+) drops a column in place once no index names it.
    op.drop_column("movements", "label")
