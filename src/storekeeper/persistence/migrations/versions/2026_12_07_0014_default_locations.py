"""a default location for every workspace without one

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

A new workspace now starts with a default location (SPEC §6), and the default location can no
longer be deleted. Workspaces made before had none until someone created a location, so a request
naming no location failed with LOCATION_NOT_FOUND. This gives each workspace without a live
location a default one, "Main warehouse" (services/locations.DEFAULT_NAME), as a new workspace
gets. That includes workspaces whose locations were all deleted: the state they are in is the
one a request can no longer reach, and the new location holds nothing and can be renamed. A
workspace that has live locations already has its default one (the first created, or the one
made the default since).

Data only: no audit row or event is written, as the location was not made by anyone's request.
The downgrade leaves the locations: they may hold stock by then.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from storekeeper.domain.ids import new_id
from storekeeper.persistence.types import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "Main warehouse"  # services/locations.DEFAULT_NAME when this was written

workspaces = sa.table("workspaces", sa.column("workspace_id", sa.String))
locations = sa.table(
    "locations",
    sa.column("workspace_id", sa.String), sa.column("id", sa.String), sa.column("name", sa.String),
    sa.column("type", sa.String), sa.column("read_only", sa.Boolean), sa.column("is_default", sa.Boolean),
    sa.column("is_active", sa.Boolean), sa.column("hide_materials", sa.Boolean), sa.column("version", sa.Integer),
    sa.column("created_at", UTCDateTime()), sa.column("updated_at", UTCDateTime()),
    sa.column("deleted_at", UTCDateTime()),
)


def upgrade() -> None:
    conn = op.get_bind()
    live = sa.select(locations.c.id).where(locations.c.workspace_id == workspaces.c.workspace_id,
                                           locations.c.deleted_at.is_(None))
    without = conn.execute(sa.select(workspaces.c.workspace_id).where(~live.exists())).scalars().all()
    now = datetime.now(UTC)
    rows = [{"workspace_id": workspace_id, "id": new_id("location"), "name": NAME, "type": "warehouse",
             "read_only": False, "is_default": True, "is_active": True, "hide_materials": False, "version": 1,
             "created_at": now, "updated_at": now, "deleted_at": None} for workspace_id in without]
    if rows:
        conn.execute(locations.insert(), rows)


def downgrade() -> None:
    pass
