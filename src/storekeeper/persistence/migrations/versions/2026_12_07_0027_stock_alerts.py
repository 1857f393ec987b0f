"""stock alerts by email

Revision ID: 0027
Revises: 0025
Create Date: 2026-12-07

Issue 22: a workspace's SMTP settings for stock alerts (`alert_settings`, one row per workspace)
and the outbox of alerts (`stock_alerts`), written by the ledger with the stock change that
caused each one and sent by the worker.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alert_settings",
        sa.Column("workspace_id", sa.String(40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("smtp_host", sa.String(253), nullable=False),
        sa.Column("smtp_port", sa.Integer(), nullable=False),
        sa.Column("smtp_security", sa.String(16), nullable=False),
        sa.Column("smtp_username", sa.String(320), nullable=True),
        sa.Column("smtp_password", sa.String(500), nullable=True),
        sa.Column("from_address", sa.String(320), nullable=False),
        sa.Column("recipient_users", _JSON, nullable=False),
        sa.Column("recipient_addresses", _JSON, nullable=False),
        sa.Column("statuses", _JSON, nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("digest_hour", sa.Integer(), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("dashboard_url", sa.String(2000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_alert_settings")),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"],
                                name=op.f("fk_alert_settings_workspace_id_workspaces")),
    )
    op.create_table(
        "stock_alerts",
        sa.Column("workspace_id", sa.String(40), nullable=False),
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("item_id", sa.String(40), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=False),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("on_hand", sa.BigInteger(), nullable=False),
        sa.Column("available", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", _utc(), nullable=False),
        sa.Column("lease", sa.String(40), nullable=True),
        sa.Column("leased_until", _utc(), nullable=True),
        sa.Column("last_error", sa.String(1000), nullable=True),
        sa.Column("sent_at", _utc(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_stock_alerts")),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"],
                                name=op.f("fk_stock_alerts_workspace_id_workspaces")),
    )
    op.create_index("ix_stock_alerts_state", "stock_alerts", ["workspace_id", "state", "next_attempt_at"])
    op.create_index("ix_stock_alerts_created", "stock_alerts", ["workspace_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_stock_alerts_created", table_name="stock_alerts")
    op.drop_index("ix_stock_alerts_state", table_name="stock_alerts")
    op.drop_table("stock_alerts")
    op.drop_table("alert_settings")
