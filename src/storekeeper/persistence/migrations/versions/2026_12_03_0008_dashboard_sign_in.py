"""sign-in to the dashboard

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

- `users.password_hash`: an argon2 hash (services/sessions.py); NULL: the user cannot sign in
  (until an admin sets a password: `storekeeper users password EMAIL` or `PATCH /v1/users/{id}`).
- `workspaces.session_secret`: the key that signs the dashboard's session cookies of the
  workspace's users, made on first use. Rotating it (setting it to NULL) signs every user out.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("password_hash", sa.String(length=200), nullable=True))
    op.add_column("workspaces", sa.Column("session_secret", sa.String(length=64), nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+): batch mode would copy and drop `workspaces`,
    # which every table references, and SQLite's foreign keys refuse that once rows exist.
    op.execute("ALTER TABLE workspaces DROP COLUMN session_secret")
    op.execute("ALTER TABLE users DROP COLUMN password_hash")
