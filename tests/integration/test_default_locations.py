"""Every workspace has a default location (SPEC §6): migration 0014 gives one to the workspaces
made before without a live location, and concurrent `storekeeper init`s make one workspace."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from alembic import command
from sqlalchemy import select, update

from storekeeper.config import Settings
from storekeeper.domain.clock import utcnow
from storekeeper.domain.errors import WorkspaceExists
from storekeeper.persistence import migrate
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import locations as locations_table
from storekeeper.services import locations, workspaces


def live_locations(db: Database, workspace_id: str) -> list[tuple[str, bool]]:
    with db.read() as conn:
        rows = conn.execute(select(locations_table.c.name, locations_table.c.is_default).where(
            locations_table.c.workspace_id == workspace_id, locations_table.c.deleted_at.is_(None))
            .order_by(locations_table.c.name)).all()
    return [(row.name, bool(row.is_default)) for row in rows]


def test_the_migration_gives_a_default_location_to_each_workspace_without_a_live_one(new_database_url):
    url = new_database_url("default_locations")
    db = Database(url, Settings(database_url=url))
    try:
        # The rows are written by today's code, then the schema steps back to 0012: the services
        # write every column of today's tables, which a schema of 0012 does not have yet.
        migrate.upgrade(db)
        with db.write() as conn:
            never = workspaces.insert_workspace(conn, "Never had one")["workspace_id"]
            emptied = workspaces.insert_workspace(conn, "All deleted")["workspace_id"]
            kept = workspaces.insert_workspace(conn, "Has its own")["workspace_id"]
        old = locations.create_location(db, emptied, {"name": "Old shed"})
        locations.create_location(db, kept, {"name": "Shop"})
        locations.create_location(db, kept, {"name": "Back room"})
        command.downgrade(migrate.alembic_config(db), "0012")
        # Deleting the only location was allowed before 0014 (now the default one cannot be).
        with db.write() as conn:
            conn.execute(update(locations_table).where(locations_table.c.id == old["id"])
                         .values(deleted_at=utcnow(), is_default=False))

        migrate.upgrade(db)

        assert live_locations(db, never) == [("Main warehouse", True)]
        assert live_locations(db, emptied) == [("Main warehouse", True)]
        assert live_locations(db, kept) == [("Back room", False), ("Shop", True)]
        with db.read() as conn:
            assert locations.find_location(conn, never, None)["name"] == "Main warehouse"  # where stock goes
    finally:
        db.dispose()


def test_inits_at_once_make_one_workspace_and_tell_the_others_it_exists(db):
    name = f"Race {uuid.uuid4().hex[:8]}"
    start = threading.Barrier(4)

    def init(_n: int):
        start.wait()
        try:
            return workspaces.provision(db, name, "USD", "admin@example.com")
        except WorkspaceExists as exc:
            return exc

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(init, range(4)))
    made = [o for o in outcomes if isinstance(o, workspaces.Provisioned)]
    assert (len(made), sum(isinstance(o, WorkspaceExists) for o in outcomes)) == (1, 3)
    assert [w["workspace_id"] for w in workspaces.list_workspaces(db) if w["name"] == name] == [
        made[0].workspace["workspace_id"]]
    assert live_locations(db, made[0].workspace["workspace_id"]) == [("Main warehouse", True)]
