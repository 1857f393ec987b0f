"""The items' trash: soft delete, restore within `trash_retention_days`, purge afterwards.

Deleting a parent takes its variants along (they share its `deleted_at`, and come back with
it). A deleted item's SKU is free for a new item at once; restoring it then is 409
DUPLICATE_SKU. Past the retention the item is purged: it leaves the trash and can no longer be
restored, but stays as a tombstone (id, SKU, name, deleted_at, purged_at) because the ledger is
append-only and its movements keep naming it.

Deleting or restoring an item changes what its parent and the bundles made of it show, so both
run under the ledger's locks and refresh them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, or_, select, update

from storekeeper.domain.clock import to_utc, utcnow
from storekeeper.domain.errors import Code, Conflict, NotFound
from storekeeper.domain.ids import is_id
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest, Sort, paginate
from storekeeper.persistence.rows import check_version
from storekeeper.persistence.tables import item_channels, item_components, item_tags, items, workspaces
from storekeeper.services import journal
from storekeeper.services.context import SystemActor
from storekeeper.services.items import check_variant_attributes, find_item
from storekeeper.services.locations import lost_homes
from storekeeper.services.stock import ledger_for
from storekeeper.services.workspaces import with_defaults, workspace_ids


def _retention(conn: Connection, workspace_id: str) -> timedelta:
    settings = conn.execute(select(workspaces.c.settings).where(workspaces.c.workspace_id == workspace_id)).scalar_one()
    return timedelta(days=int(with_defaults(settings)["trash_retention_days"]))


def _variant_ids(conn: Connection, workspace_id: str, parent_id: str, deleted_at: datetime | None) -> list[str]:
    condition = items.c.deleted_at.is_(None) if deleted_at is None else items.c.deleted_at == deleted_at
    return list(conn.execute(select(items.c.id).where(
        items.c.workspace_id == workspace_id, items.c.parent_id == parent_id, condition,
        items.c.purged_at.is_(None))).scalars())


def _mark(conn: Connection, workspace_id: str, ids: list[str], deleted_at: datetime | None, now: datetime) -> None:
    conn.execute(update(items).where(items.c.workspace_id == workspace_id, items.c.id.in_(ids))
                 .values(deleted_at=deleted_at, updated_at=now, version=items.c.version + 1))


def delete_item(db: Database, workspace_id: str, ref: str, if_match: int | None = None) -> None:
    """To the trash, with its variants if it is a parent. Its stock stays recorded (and comes
    back on restore); the ledger refuses changes to it meanwhile."""
    with db.write() as conn:
        peek = find_item(conn, workspace_id, ref)
        ids = [peek["id"], *(_variant_ids(conn, workspace_id, peek["id"], None) if peek["has_variants"] else [])]
        # Variants, then the parent: the ledger's lock order.
        ledger = ledger_for(conn, SystemActor(workspace_id))
        ledger.lock(ids)
        check_version(ledger.items[peek["id"]].row, if_match)
        _to_trash(conn, ledger, ids)


def trash_variants(conn: Connection, workspace_id: str, ids: list[str]) -> None:
    """Variants to the trash in the caller's transaction (a product's PUT that leaves them out),
    their parent's sums refreshed."""
    ledger = ledger_for(conn, SystemActor(workspace_id))
    ledger.lock(ids)
    _to_trash(conn, ledger, ids)


def _to_trash(conn: Connection, ledger, ids: list[str]) -> None:
    now = utcnow()
    _mark(conn, ledger.workspace_id, ids, now, now)
    for item_id in ids:
        gone = ledger.items[item_id].row
        journal.item_event(conn, "deleted", gone, {**gone, "deleted_at": now})
    # Its parent sums one variant less; bundles made of it make up nothing now.
    ledger.refresh = set(ledger.dependents) - set(ids)
    ledger.flush()


def _in_trash(conn: Connection, workspace_id: str, ref: str) -> dict[str, Any]:
    """The most recently deleted item with this id or SKU that can still be restored."""
    condition = or_(items.c.id == ref, items.c.sku == ref) if is_id("item", ref) else items.c.sku == ref
    row = conn.execute(
        select(items).where(items.c.workspace_id == workspace_id, condition, items.c.deleted_at.is_not(None),
                            items.c.purged_at.is_(None))
        .order_by(items.c.deleted_at.desc(), items.c.id.desc()).limit(1)
    ).mappings().first()
    if row is None or row["deleted_at"] + _retention(conn, workspace_id) <= utcnow():
        raise NotFound("item", ref)
    return dict(row)


def restore_item(db: Database, workspace_id: str, ref: str) -> str:
    """Back from the trash (with the variants deleted along with it); returns its id."""
    with db.write() as conn:
        row = _in_trash(conn, workspace_id, ref)
        if row["parent_id"] is not None:
            parent = conn.execute(select(items.c.sku, items.c.deleted_at).where(
                items.c.workspace_id == workspace_id, items.c.id == row["parent_id"])).first()
            if parent.deleted_at is not None:
                raise Conflict(f"Its parent {parent.sku} is in the trash: restore the parent first.")
            siblings = [dict(r) for r in conn.execute(select(items.c.sku, items.c.attributes).where(
                items.c.workspace_id == workspace_id, items.c.parent_id == row["parent_id"],
                items.c.deleted_at.is_(None))).mappings()]
            check_variant_attributes([*siblings, row])
        ids = [row["id"], *(_variant_ids(conn, workspace_id, row["id"], row["deleted_at"])
                            if row["has_variants"] else [])]
        ledger = ledger_for(conn, SystemActor(workspace_id))
        ledger.lock(ids, live_only=False)
        skus = [ledger.items[i].row["sku"] for i in ids]
        taken = conn.execute(select(items.c.sku).where(
            items.c.workspace_id == workspace_id, items.c.sku.in_(skus), items.c.deleted_at.is_(None))).first()
        if taken is not None:
            raise Conflict(f"SKU {taken.sku!r} was given to another item meanwhile: change that item's SKU first.",
                           code=Code.DUPLICATE_SKU)
        _mark(conn, workspace_id, ids, None, utcnow())
        homeless = _drop_lost_homes(conn, workspace_id, [ledger.items[i].row for i in ids])
        for item_id in ids:
            back = ledger.items[item_id].row
            journal.item_event(conn, "restored", back, {**back, "deleted_at": None,
                                                        **({"home_location_id": None} if item_id in homeless else {})})
        ledger.refresh = set(ledger.dependents) | {row["id"]}
        ledger.flush()
        return row["id"]


def _drop_lost_homes(conn: Connection, workspace_id: str, rows: list[dict[str, Any]]) -> set[str]:
    """A home location deactivated while its items were in the trash is no home for them once
    they are back (locations.py: a live item's home is live and active); their stock then goes to
    the default location. Returns the ids of the items that lost theirs."""
    lost = lost_homes(conn, workspace_id, {r["home_location_id"] for r in rows})
    homeless = [r["id"] for r in rows if r["home_location_id"] in lost]
    if homeless:
        conn.execute(update(items).where(items.c.workspace_id == workspace_id, items.c.id.in_(homeless))
                     .values(home_location_id=None))
    return set(homeless)


def list_deleted(db: Database, workspace_id: str, since: datetime | None, page: PageRequest) -> Page:
    """Items deleted since a moment, oldest first, purged ones included: what a sync client
    must remove from its copy."""
    stmt = select(items.c.id, items.c.number, items.c.sku, items.c.deleted_at, items.c.purged_at).where(
        items.c.workspace_id == workspace_id, items.c.deleted_at.is_not(None))
    if since is not None:
        stmt = stmt.where(items.c.deleted_at >= to_utc(since))
    with db.read() as conn:
        return paginate(conn, stmt, Sort("deleted_at", items.c.deleted_at, items.c.id), page)


def purge_expired(db: Database, now: datetime | None = None, batch: int = 500) -> int:
    """Purge the items that have been in the trash longer than their workspace keeps them.
    Returns how many. Run by the worker."""
    now = now or utcnow()
    purged = 0
    for workspace_id in workspace_ids(db):
        while True:
            with db.write() as conn:
                cutoff = now - _retention(conn, workspace_id)
                ids = list(conn.execute(
                    select(items.c.id).where(items.c.workspace_id == workspace_id, items.c.deleted_at < cutoff,
                                             items.c.purged_at.is_(None)).limit(batch)).scalars())
                if not ids:
                    break
                for table, column in ((item_tags, item_tags.c.item_id), (item_channels, item_channels.c.item_id),
                                      (item_components, item_components.c.item_id)):
                    conn.execute(delete(table).where(and_(table.c.workspace_id == workspace_id, column.in_(ids))))
                conn.execute(update(items).where(items.c.workspace_id == workspace_id, items.c.id.in_(ids))
                             .values(purged_at=now, tags=[], channels={}))
                for item_id in ids:
                    journal.audit(conn, workspace_id, "item.purged", "item", item_id, {"purged_at": [None, now]})
            purged += len(ids)
    return purged
