"""Snapshots: every stock level of a workspace at one moment, to compare with and go back to.

Capturing copies the levels with stock in one INSERT … SELECT while holding the workspace's
movement counter (which every stock change takes last, right before it commits): no change can
commit halfway through, and `sequence` names the last movement the snapshot includes.

Restoring never rewrites history: it writes `snapshot_restore` count movements, in one
transaction, that set each level back to its value in the snapshot (0 where the snapshot had
none), so the ledger still explains every unit. Levels at locations deleted since, and of items
purged from the trash, are left as they are and listed as skipped.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, literal, or_, select, update

from storekeeper.domain.clock import utcnow
from storekeeper.domain.ids import new_id
from storekeeper.persistence.counters import bump
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest, Sort, paginate
from storekeeper.persistence.rows import fetch
from storekeeper.persistence.tables import items, locations, snapshot_levels, snapshots, stock_levels, workspaces
from storekeeper.services import journal
from storekeeper.services.context import SystemActor
from storekeeper.services.ledger import Change, Ledger
from storekeeper.services.workspaces import with_defaults

ZERO = Decimal(0)
DAILY = timedelta(hours=24)


def create_snapshot(db: Database, principal, note: str | None = None, *, automatic: bool = False,
                    now: datetime | None = None) -> dict[str, Any]:
    workspace_id = principal.workspace_id
    now = now or utcnow()
    with db.write() as conn:
        # Holding the movement counter keeps every stock change from committing meanwhile.
        sequence = bump(conn, workspace_id, "movements", 0)
        row = {"workspace_id": workspace_id, "id": new_id("snapshot"), "note": note, "automatic": automatic,
               "sequence": sequence, "level_count": 0, "actor_name": principal.actor["name"], "restored_at": None,
               "created_at": now}
        conn.execute(snapshots.insert().values(row))
        conn.execute(snapshot_levels.insert().from_select(
            ["workspace_id", "snapshot_id", "item_id", "location_id", "on_hand", "reserved"],
            select(stock_levels.c.workspace_id, literal(row["id"]), stock_levels.c.item_id,
                   stock_levels.c.location_id, stock_levels.c.on_hand, stock_levels.c.reserved)
            .where(stock_levels.c.workspace_id == workspace_id,
                   or_(stock_levels.c.on_hand != 0, stock_levels.c.reserved != 0))))
        # Counted, not taken from the insert's rowcount, which psycopg does not report for INSERT … SELECT.
        copied = conn.execute(select(func.count()).select_from(snapshot_levels).where(
            snapshot_levels.c.workspace_id == workspace_id, snapshot_levels.c.snapshot_id == row["id"])).scalar_one()
        row["level_count"] = copied
        conn.execute(update(snapshots).where(snapshots.c.workspace_id == workspace_id, snapshots.c.id == row["id"])
                     .values(level_count=copied))
        journal.record(conn, workspace_id, "snapshot.created", "snapshot", row["id"],
                       changes={"note": [None, note]},
                       data={"snapshot": {"id": row["id"], "note": note, "automatic": automatic,
                                          "sequence": sequence, "level_count": copied}})
        return row


def list_snapshots(db: Database, workspace_id: str, page: PageRequest) -> Page:
    stmt = select(snapshots).where(snapshots.c.workspace_id == workspace_id)
    with db.read() as conn:
        return paginate(conn, stmt, Sort("-created_at", snapshots.c.created_at, snapshots.c.id, True), page)


def _levels_of(conn, workspace_id: str, snapshot_id: str):
    return (select(snapshot_levels.c.item_id, items.c.sku, snapshot_levels.c.location_id,
                   locations.c.name.label("location_name"), snapshot_levels.c.on_hand, snapshot_levels.c.reserved)
            .join(items, and_(items.c.workspace_id == snapshot_levels.c.workspace_id,
                              items.c.id == snapshot_levels.c.item_id))
            .join(locations, and_(locations.c.workspace_id == snapshot_levels.c.workspace_id,
                                  locations.c.id == snapshot_levels.c.location_id))
            .where(snapshot_levels.c.workspace_id == workspace_id, snapshot_levels.c.snapshot_id == snapshot_id)
            .order_by(items.c.sku, snapshot_levels.c.item_id, locations.c.name, snapshot_levels.c.location_id))


def get_snapshot(db: Database, workspace_id: str, snapshot_id: str) -> dict[str, Any]:
    with db.read() as conn:
        row = fetch(conn, snapshots, workspace_id, snapshot_id, "snapshot")
        row["levels"] = [dict(r) for r in conn.execute(_levels_of(conn, workspace_id, snapshot_id)).mappings()]
    return row


def _on_hand_in(conn, workspace_id: str, snapshot_id: str) -> dict[tuple[str, str], Decimal]:
    """{(item, location): on_hand} of the snapshot's levels."""
    return {(r.item_id, r.location_id): r.on_hand for r in conn.execute(
        select(snapshot_levels.c.item_id, snapshot_levels.c.location_id, snapshot_levels.c.on_hand)
        .where(snapshot_levels.c.workspace_id == workspace_id, snapshot_levels.c.snapshot_id == snapshot_id))}


def diff_snapshot(db: Database, workspace_id: str, snapshot_id: str) -> dict[str, Any]:
    """Each level whose on-hand differs now from the snapshot."""
    with db.read() as conn:
        row = fetch(conn, snapshots, workspace_id, snapshot_id, "snapshot")
        then = _on_hand_in(conn, workspace_id, snapshot_id)
        now = {(r.item_id, r.location_id): r.on_hand for r in conn.execute(
            select(stock_levels.c.item_id, stock_levels.c.location_id, stock_levels.c.on_hand)
            .where(stock_levels.c.workspace_id == workspace_id))}
        changed = sorted(k for k in set(then) | set(now) if then.get(k, ZERO) != now.get(k, ZERO))
        names = _names(conn, workspace_id, changed)
    return {"snapshot": row, "levels": [
        {"item": i, "sku": names[0].get(i), "location": loc, "location_name": names[1].get(loc),
         "snapshot_on_hand": then.get((i, loc), ZERO), "current_on_hand": now.get((i, loc), ZERO),
         "difference": now.get((i, loc), ZERO) - then.get((i, loc), ZERO)} for i, loc in changed]}


def _names(conn, workspace_id: str, keys: list[tuple[str, str]]) -> tuple[dict[str, str], dict[str, str]]:
    if not keys:
        return {}, {}
    skus = dict(conn.execute(select(items.c.id, items.c.sku).where(
        items.c.workspace_id == workspace_id, items.c.id.in_({k[0] for k in keys}))).all())
    places = dict(conn.execute(select(locations.c.id, locations.c.name).where(
        locations.c.workspace_id == workspace_id, locations.c.id.in_({k[1] for k in keys}))).all())
    return skus, places


def restore_snapshot(db: Database, principal, snapshot_id: str) -> dict[str, Any]:
    """Set every level back to the snapshot with `snapshot_restore` movements, in one transaction."""
    workspace_id = principal.workspace_id
    with db.write() as conn:
        row = fetch(conn, snapshots, workspace_id, snapshot_id, "snapshot")
        then = _on_hand_in(conn, workspace_id, snapshot_id)
        current_items = set(conn.execute(select(stock_levels.c.item_id).where(
            stock_levels.c.workspace_id == workspace_id).distinct()).scalars())
        # Restoring sets exact values, below zero too if the snapshot had them.
        ledger = Ledger(conn, workspace_id, principal.actor, True)
        ledger.lock({k[0] for k in then} | current_items, live_only=False)
        gone_places = set(conn.execute(select(locations.c.id).where(
            locations.c.workspace_id == workspace_id, locations.c.deleted_at.is_not(None))).scalars())
        keys = set(then) | {k for k in ledger.levels}
        changes, skipped = [], []
        for item_id, location_id in sorted(keys):
            target = then.get((item_id, location_id), ZERO)
            if ledger.level(item_id, location_id).on_hand == target:
                continue
            purged = ledger.items[item_id].row["purged_at"] is not None
            if location_id in gone_places or purged:
                skipped.append({"item": item_id, "location": location_id,
                                "reason": "item purged" if purged else "location deleted"})
                continue
            changes.append(Change(item_id, location_id, "snapshot_restore", "any", set_to=target,
                                  reference_type="snapshot", reference_id=snapshot_id,
                                  note=f"Restore of snapshot {snapshot_id}"))
        for change in changes:
            ledger.apply(change)
        moved = ledger.flush()
        now = utcnow()
        conn.execute(update(snapshots).where(snapshots.c.workspace_id == workspace_id, snapshots.c.id == snapshot_id)
                     .values(restored_at=now))
        journal.record(conn, workspace_id, "snapshot.restored", "snapshot", snapshot_id,
                       changes={"restored_at": [row["restored_at"], now]},
                       data={"snapshot": {"id": snapshot_id}, "movements": len(moved), "skipped": skipped})
        return {**row, "restored_at": now, "movements": moved, "skipped": skipped}


def take_daily(db: Database, now: datetime | None = None) -> int:
    """A snapshot of each workspace with `auto_snapshot: daily` whose last automatic one is a
    day old (or missing). Run by the worker; two queries whatever the number of workspaces."""
    now = now or utcnow()
    with db.read() as conn:
        daily = [ws for ws, settings in conn.execute(select(workspaces.c.workspace_id, workspaces.c.settings))
                 if with_defaults(settings)["auto_snapshot"] == "daily"]
        last = dict(conn.execute(select(snapshots.c.workspace_id, func.max(snapshots.c.created_at))
                                 .where(snapshots.c.workspace_id.in_(daily), snapshots.c.automatic)
                                 .group_by(snapshots.c.workspace_id)).all()) if daily else {}
    taken = 0
    for workspace_id in daily:
        if workspace_id not in last or now - last[workspace_id] >= DAILY:
            create_snapshot(db, SystemActor(workspace_id, "daily snapshot"), "Daily snapshot", automatic=True, now=now)
            taken += 1
    return taken
