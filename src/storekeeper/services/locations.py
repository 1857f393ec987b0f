"""Locations: warehouses, stores, production floors and external (marketplace) stock.

Rules: a workspace has exactly one default location, from its creation on (`DEFAULT_NAME`,
made with the workspace, until another is made the default); the default location can be neither
deactivated nor deleted, so a request that names no location always has one to go to; a location
holding stock cannot be deleted (LOCATION_NOT_EMPTY); deleting is soft, because the ledger keeps
pointing at the location, and frees its name. Every write locks the workspace row first, so that
two concurrent writes cannot both see "no default".

An item may have a home location (`items.home_location_id`): a stock change of the item that
names no location goes there rather than to the default (`stock_location_ref`, the one place
that rule lives). For the default location's reason, a home location is live and active: an
inactive location cannot become one, and a location that is some live item's home can be neither
deactivated (409 INVALID_STATE) nor deleted (409 LOCATION_NOT_EMPTY). Items in the trash lose a
home that is deleted, and on restore one that was deactivated meanwhile (services/trash.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, false, func, or_, select, update

from storekeeper.domain.clock import utcnow
from storekeeper.domain.errors import Code, Conflict, NoDefaultLocation, NotFound
from storekeeper.domain.ids import new_id
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest, Sort, paginate
from storekeeper.persistence.rows import check_version, update_versioned
from storekeeper.persistence.tables import items, locations, stock_levels
from storekeeper.services import journal
from storekeeper.services.common import lock_workspace, translate_integrity


def _duplicate_name():
    return Conflict("A location with this name already exists.", code=Code.DUPLICATE_NAME)


_UNIQUE = {"uq_locations_name": _duplicate_name, "locations.name": _duplicate_name}

# The location a new workspace starts with. The type it gets (warehouse, the default type) and
# the name the README's tour, the demo and the API's examples use for the default location;
# renamed like any other (PATCH /v1/locations/{id}, or `storekeeper init --location NAME`).
DEFAULT_NAME = "Main warehouse"


@dataclass(frozen=True)
class LocationFilters:
    type: str | None = None
    is_active: bool | None = None
    read_only: bool | None = None
    q: str | None = None
    sort: str = "name"


SORTS = {
    "name": ("name", False),
    "-name": ("name", True),
    "created_at": ("created_at", False),
    "-created_at": ("created_at", True),
}


def _live(workspace_id: str):
    return (locations.c.workspace_id == workspace_id) & locations.c.deleted_at.is_(None)


def _name_taken(conn: Connection, workspace_id: str, name: str, except_id: str | None = None) -> bool:
    stmt = select(locations.c.id).where(_live(workspace_id), locations.c.name == name)
    if except_id:
        stmt = stmt.where(locations.c.id != except_id)
    return conn.execute(stmt).first() is not None


def _unset_default(conn: Connection, workspace_id: str) -> None:
    conn.execute(
        update(locations)
        .where(_live(workspace_id), locations.c.is_default)
        .values(is_default=false(), updated_at=utcnow(), version=locations.c.version + 1)
    )


def _new_row(workspace_id: str, data: dict[str, Any]) -> dict[str, Any]:
    now = utcnow()
    return {
        "workspace_id": workspace_id,
        "id": new_id("location"),
        "type": "warehouse",
        "read_only": False,
        "marketplace": None,
        "fulfilment": None,
        "address": None,
        "is_default": False,
        "is_active": True,
        "hide_materials": False,
        **data,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
    }


def insert_default_location(conn: Connection, workspace_id: str, name: str = DEFAULT_NAME) -> dict[str, Any]:
    """The default location of a workspace being created in the transaction open on `conn`."""
    row = _new_row(workspace_id, {"name": name, "is_default": True})
    conn.execute(locations.insert().values(row))
    journal.created(conn, "location", row)
    return row


def create_location(db: Database, workspace_id: str, data: dict[str, Any]) -> dict[str, Any]:
    row = _new_row(workspace_id, data)
    with db.write() as conn, translate_integrity(_UNIQUE):
        lock_workspace(conn, workspace_id)
        if _name_taken(conn, workspace_id, row["name"]):
            raise _duplicate_name()
        has_default = conn.execute(select(locations.c.id).where(_live(workspace_id), locations.c.is_default)).first()
        if not has_default:
            row["is_default"] = True
        elif row["is_default"]:
            _unset_default(conn, workspace_id)
        conn.execute(locations.insert().values(row))
        journal.created(conn, "location", row)
    return row


def list_locations(db: Database, workspace_id: str, filters: LocationFilters, page: PageRequest) -> Page:
    stmt = select(locations).where(_live(workspace_id))
    if filters.type is not None:
        stmt = stmt.where(locations.c.type == filters.type)
    if filters.is_active is not None:
        stmt = stmt.where(locations.c.is_active == filters.is_active)
    if filters.read_only is not None:
        stmt = stmt.where(locations.c.read_only == filters.read_only)
    if filters.q:
        stmt = stmt.where(func.lower(locations.c.name).contains(filters.q.lower(), autoescape=True))
    column, descending = SORTS[filters.sort]
    sort = Sort(filters.sort.lstrip("-"), locations.c[column], locations.c.id, descending)
    with db.read() as conn:
        return paginate(conn, stmt, sort, page)


def _by_ref(with_default: bool):
    refs = bindparam("refs", expanding=True)
    conditions = [locations.c.id.in_(refs), locations.c.name.in_(refs)]
    if with_default:
        conditions.append(locations.c.is_default)
    return select(locations).where(locations.c.workspace_id == bindparam("ws"), locations.c.deleted_at.is_(None),
                                   or_(*conditions))


# Built once, with bound parameters (by id or name; and the default location when None is asked).
_LOCATIONS_BY_REF = {with_default: _by_ref(with_default) for with_default in (False, True)}


def resolve_locations(conn: Connection, workspace_id: str, refs: set[str | None]) -> dict[str | None, dict[str, Any]]:
    """Live locations by id or name; None is the default location. One query."""
    named = sorted(r for r in refs if r is not None)
    rows = conn.execute(_LOCATIONS_BY_REF[None in refs], {"ws": workspace_id, "refs": named}).mappings().all()
    by_id = {r["id"]: dict(r) for r in rows}
    by_name = {r["name"]: dict(r) for r in rows}
    found: dict[str | None, dict[str, Any]] = {ref: by_id.get(ref) or by_name[ref]
                                               for ref in named if ref in by_id or ref in by_name}
    default = next((dict(r) for r in rows if r["is_default"]), None)
    if None in refs and default is not None:
        found[None] = default
    return found


def stock_location_ref(ref: str | None, item: dict[str, Any] | None) -> str | None:
    """Where a stock change of `item` goes when it names `ref`: that location; else the item's
    home location (an id); else None, which resolve_locations reads as the default location.
    Adjustments, initial stock, reservations and stock imports all ask here."""
    if ref is not None or item is None:
        return ref
    return item.get("home_location_id")


def _cannot_receive(row: dict[str, Any]) -> Conflict:
    return Conflict(f"{row['name']} is inactive: it receives no stock, so it cannot be an item's home location.")


# The homes items are given, locked for share (PostgreSQL) until the transaction ends: a
# deletion or deactivation locks the location's row for update before it counts the items at
# home there, so either it sees the item, or this lookup waits and then finds the location gone
# or inactive. On SQLite BEGIN IMMEDIATE already serializes the two.
_HOMES_BY_REF = _by_ref(False).with_for_update(read=True)


def _lock_homes(conn: Connection, workspace_id: str, refs: set[str]) -> dict[str, dict[str, Any]]:
    """Live locations by id or name (the id wins), locked for share. One query."""
    named = sorted(refs)
    if not named:
        return {}
    rows = conn.execute(_HOMES_BY_REF, {"ws": workspace_id, "refs": named}).mappings().all()
    by_id = {r["id"]: dict(r) for r in rows}
    by_name = {r["name"]: dict(r) for r in rows}
    return {ref: by_id.get(ref) or by_name[ref] for ref in named if ref in by_id or ref in by_name}


def resolve_homes(conn: Connection, workspace_id: str, refs: set[str]) -> dict[str, str]:
    """The ids of the locations items are given as home (by id or name), in one query:
    LOCATION_NOT_FOUND for one that does not exist, INVALID_STATE for an inactive one."""
    found = _lock_homes(conn, workspace_id, {r for r in refs if r is not None})
    for ref in sorted(r for r in refs if r is not None):
        if ref not in found:
            raise NotFound("location", ref)
        if not found[ref]["is_active"]:
            raise _cannot_receive(found[ref])
    return {ref: row["id"] for ref, row in found.items()}


def lost_homes(conn: Connection, workspace_id: str, home_ids: set[str | None]) -> set[str]:
    """Which of these home locations can no longer be one: deleted or deactivated (while the
    items that had them were in the trash). The others stay locked for share."""
    wanted = {i for i in home_ids if i is not None}
    found = _lock_homes(conn, workspace_id, wanted)
    return {i for i in wanted if i not in found or not found[i]["is_active"]}


def _homed_items(conn: Connection, workspace_id: str, location_id: str) -> int:
    """How many live items have the location as their home, counted once its row is locked for
    update (see _HOMES_BY_REF), so that no item can take it as home meanwhile."""
    conn.execute(select(locations.c.id).where(locations.c.workspace_id == workspace_id,
                                              locations.c.id == location_id).with_for_update())
    return conn.execute(select(func.count()).select_from(items).where(
        items.c.workspace_id == workspace_id, items.c.home_location_id == location_id,
        items.c.deleted_at.is_(None))).scalar_one()


def _home_of(count: int, row: dict[str, Any], what: str) -> str:
    return (f"{row['name']} is the home location of {count} item{'s' if count != 1 else ''}: give "
            f"{'them' if count != 1 else 'it'} another home (PATCH /v1/items/{{ref}} home_location) before {what} it.")


def rows_of(db: Database, workspace_id: str, ids: set[str | None]) -> dict[str, dict[str, Any]]:
    """Live locations by id, in one query (a deleted location is not among them)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    with db.read() as conn:
        found = resolve_locations(conn, workspace_id, wanted)
    return {row["id"]: row for row in found.values()}


def names_of(db: Database, workspace_id: str, ids: set[str | None]) -> dict[str, str]:
    """Live locations' names by id, in one query (a deleted location has none)."""
    return {id_: row["name"] for id_, row in rows_of(db, workspace_id, ids).items()}


def location_not_found(ref: str | None) -> NotFound:
    return NotFound("location", ref) if ref is not None else NoDefaultLocation()


def find_location(conn: Connection, workspace_id: str, ref: str | None) -> dict[str, Any] | None:
    """A location named in a request: by id or by name (an id wins over a location named like
    it); the default one when omitted. None if there is no such location."""
    return resolve_locations(conn, workspace_id, {ref}).get(ref)


def resolve_location(conn: Connection, workspace_id: str, ref: str | None) -> dict[str, Any]:
    """As find_location, raising LOCATION_NOT_FOUND."""
    row = find_location(conn, workspace_id, ref)
    if row is None:
        raise location_not_found(ref)
    return row


def get_location(db: Database, workspace_id: str, ref: str) -> dict[str, Any]:
    with db.read() as conn:
        return resolve_location(conn, workspace_id, ref)


def update_location(
    db: Database, workspace_id: str, ref: str, changes: dict[str, Any], if_match: int | None = None
) -> dict[str, Any]:
    with db.write() as conn, translate_integrity(_UNIQUE):
        lock_workspace(conn, workspace_id)
        row = resolve_location(conn, workspace_id, ref)
        check_version(row, if_match)
        if "name" in changes and _name_taken(conn, workspace_id, changes["name"], except_id=row["id"]):
            raise _duplicate_name()
        if changes.get("is_default") is False and row["is_default"]:
            raise Conflict("This is the default location: make another location the default instead.")
        if changes.get("is_active") is False and (row["is_default"] and changes.get("is_default") is not False):
            raise Conflict("The default location cannot be deactivated: make another location the default first.")
        if changes.get("is_active") is False and row["is_active"]:
            homed = _homed_items(conn, workspace_id, row["id"])
            if homed:
                raise Conflict(_home_of(homed, row, "deactivating"), details={"items": homed})
        if changes.get("is_default") and not row["is_default"]:
            _unset_default(conn, workspace_id)
        updated = update_versioned(conn, locations, row, changes)
        journal.updated(conn, "location", row, updated)
        return updated


def delete_location(db: Database, workspace_id: str, ref: str, if_match: int | None = None) -> None:
    with db.write() as conn:
        lock_workspace(conn, workspace_id)
        row = resolve_location(conn, workspace_id, ref)
        check_version(row, if_match)
        journal.deleted(conn, "location", row)
        stocked = conn.execute(
            select(stock_levels.c.item_id)
            .where(
                stock_levels.c.workspace_id == workspace_id,
                stock_levels.c.location_id == row["id"],
                or_(stock_levels.c.on_hand != 0, stock_levels.c.reserved != 0),
            )
            .limit(1)
        ).first()
        if stocked:
            raise Conflict("The location still holds stock: move or write it off first.", code=Code.LOCATION_NOT_EMPTY)
        if row["is_default"]:
            # Even the only one: requests that name no location go to the default.
            raise Conflict("The default location cannot be deleted: make another location the default first.")
        # Items in the trash keep no link to a deleted location (as with a deleted category).
        # Before the location's lock, as a restore takes the item's lock and then the location's.
        conn.execute(update(items).where(items.c.workspace_id == workspace_id, items.c.home_location_id == row["id"],
                                         items.c.deleted_at.is_not(None))
                     .values(home_location_id=None))
        homed = _homed_items(conn, workspace_id, row["id"])
        if homed:
            raise Conflict(_home_of(homed, row, "deleting"), code=Code.LOCATION_NOT_EMPTY, details={"items": homed})
        now = utcnow()
        conn.execute(
            update(locations)
            .where(locations.c.workspace_id == workspace_id, locations.c.id == row["id"])
            .values(deleted_at=now, updated_at=now, version=row["version"] + 1)
        )


def list_deleted_locations(db: Database, workspace_id: str, page: PageRequest) -> Page:
    """Locations in the trash, the latest deleted first: what the dashboard offers to restore."""
    stmt = select(locations).where(locations.c.workspace_id == workspace_id, locations.c.deleted_at.is_not(None))
    with db.read() as conn:
        return paginate(conn, stmt, Sort("deleted_at", locations.c.deleted_at, locations.c.id, True), page)


def restore_location(db: Database, workspace_id: str, location_id: str) -> dict[str, Any]:
    """Back from the trash, by id (or by name: the one of that name deleted last, as an item is
    restored by its SKU), as it was but never the default (the default is never deleted, and
    another became or stayed it meanwhile); its name must still be free (DUPLICATE_NAME)."""
    with db.write() as conn, translate_integrity(_UNIQUE):
        lock_workspace(conn, workspace_id)
        by_id = locations.c.id == location_id
        found = conn.execute(select(locations).where(
            locations.c.workspace_id == workspace_id, or_(by_id, locations.c.name == location_id),
            locations.c.deleted_at.is_not(None)).order_by(by_id.desc(), locations.c.deleted_at.desc())
            .limit(1)).mappings().first()
        if found is None:
            raise NotFound("location", location_id)
        row = dict(found)
        if _name_taken(conn, workspace_id, row["name"]):
            raise Conflict(f"A location named {row['name']!r} exists now: rename it before restoring this one.",
                           code=Code.DUPLICATE_NAME)
        now = utcnow()
        restored = {**row, "deleted_at": None, "is_default": False, "updated_at": now, "version": row["version"] + 1}
        conn.execute(update(locations).where(locations.c.workspace_id == workspace_id, locations.c.id == row["id"])
                     .values(deleted_at=None, is_default=false(), updated_at=now, version=restored["version"]))
        journal.record(conn, workspace_id, "location.restored", "location", row["id"],
                       changes=journal.changes_between({"deleted_at": row["deleted_at"]}, {"deleted_at": None}),
                       event=False)
        return restored
