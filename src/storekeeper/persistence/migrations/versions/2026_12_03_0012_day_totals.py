"""on-hand change per day, kept by a trigger

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

The overview's chart of total on-hand over 30 days summed the period's movements (and every
stock level) the first time each server process drew it: 1.5-2.4 s at a million items. A trigger
on `movements` (which are only ever inserted) adds each movement's delta to `day_totals` under
its day (UTC, `YYYY-MM-DD`), as a row of its own like the totals of 0011; `totals.fold` sums them
to one row per day. The sum of all rows is the workspace's on-hand; each day's, its net change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EXACT = sa.BigInteger().with_variant(sa.Numeric(), "postgresql")
DAY = {"sqlite": "substr({row}.occurred_at, 1, 10)",  # stored as naive UTC text
       "postgresql": "to_char({row}.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"}


def create_trigger() -> None:
    dialect = op.get_bind().dialect.name
    insert = ("INSERT INTO day_totals (workspace_id, day, on_hand)"
              f" VALUES (NEW.workspace_id, {DAY[dialect].format(row='NEW')}, NEW.delta);")
    if dialect == "postgresql":
        op.execute("CREATE FUNCTION totals_movement_insert() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  "
                   f"{insert}\n  RETURN NULL;\nEND\n$$")
        op.execute("CREATE TRIGGER totals_movement_insert AFTER INSERT ON movements FOR EACH ROW"
                   " EXECUTE FUNCTION totals_movement_insert()")
    else:
        op.execute("CREATE TRIGGER totals_movement_insert AFTER INSERT ON movements FOR EACH ROW"
                   f" BEGIN\n  {insert}\nEND")


def upgrade() -> None:
    op.create_table(
        "day_totals",
        sa.Column("workspace_id", sa.String(40), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("on_hand", EXACT, nullable=False),
    )
    op.create_index("ix_day_totals_day", "day_totals", ["workspace_id", "day"])
    day = DAY[op.get_bind().dialect.name].format(row="movements")
    op.execute(f"INSERT INTO day_totals (workspace_id, day, on_hand) SELECT workspace_id, {day}, sum(delta)"
               f" FROM movements GROUP BY workspace_id, {day}")
    create_trigger()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS totals_movement_insert ON movements")
        op.execute("DROP FUNCTION IF EXISTS totals_movement_insert()")
    else:
        op.execute("DROP TRIGGER IF EXISTS totals_movement_insert")
    op.drop_table("day_totals")
