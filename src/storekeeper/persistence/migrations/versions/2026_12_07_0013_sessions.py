"""the dashboard's sessions, kept on the server

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

- `sessions`: a row per sign-in to the dashboard (services/sessions.py), keyed by the sha256 of
  the random token in the session cookie. Signing out deletes it, so a copy of the cookie taken
  before no longer signs anyone in. Sessions signed before this migration have no row: their
  users sign in again once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"],
                                name=op.f("fk_sessions_workspace_id_workspaces")),
        sa.ForeignKeyConstraint(["workspace_id", "user_id"], ["users.workspace_id", "users.id"],
                                name=op.f("fk_sessions_workspace_id_users")),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_sessions")),
    )
    op.create_index("ix_sessions_user", "sessions", ["workspace_id", "user_id"])
    op.create_index("ix_sessions_expires", "sessions", ["workspace_id", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_sessions_expires", table_name="sessions")
    op.drop_index("ix_sessions_user", table_name="sessions")
    op.drop_table("sessions")
