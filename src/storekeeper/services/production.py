"""Production orders: what to make, where, by whom and by when (SPEC §3 "Production").

An order has lines (an item and how many to make); batches (services/batches.py) make them.
Its status is set by hand or follows its batches: the first batch starts a `pending` order
(`in_progress`), and the batch that completes its last line makes it `done` with
`completed_at`. Reversing a batch of a `done` order that leaves a line short reopens it.
Deleting an order is a soft delete: its batches' stock stays where they put it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, bindparam, false, func, select, update

from storekeeper.domain.clock import plausible, utcnow
from storekeeper.domain.errors import Conflict, NotFound, ValidationFailed
from storekeeper.domain.ids import new_id
from storekeeper.domain.units import UnitMismatch, UnknownUnit, convert
from storekeeper.persistence.counters import take_numbers
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest, Sort, paginate
from storekeeper.persistence.rows import check_version, fetch, update_versioned
from storekeeper.persistence.tables import (
    items,
    production_batches,
    production_order_lines,
    production_orders,
    users,
)
from storekeeper.services import journal
from storekeeper.services.locations import find_location, resolve_location
from storekeeper.services.stock import check_stockable, resolve_items
from storekeeper.services.users import find_user

STATUSES = ("pending", "in_progress", "done", "cancelled")
MAX_LINES = 200
SORTS = {"position": "position", "created_at": "created_at", "name": "name"}


@dataclass(frozen=True)
class ProductionFilters:
    status: str | None = None
    assignee: str | None = None
    location: str | None = None
    item: str | None = None
    q: str | None = None
    sort: str = "position"


def _assignee(conn: Connection, workspace_id: str, ref: str | None) -> str | None:
    if ref is None:
        return None
    user = find_user(conn, workspace_id, ref)
    if user is None:
        raise NotFound("user", ref)
    return user["id"]


def _line_rows(conn: Connection, workspace_id: str, order_id: str, wanted: list[dict[str, Any]],
               existing: dict[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Validated line rows. A line naming the id of one of the order's lines keeps it (and what
    it produced); a line with batches (reversed ones too: they are its history) cannot be
    dropped, nor change its item while it has produced something."""
    existing = existing or {}
    if not wanted:
        raise ValidationFailed({"lines": ["An order needs at least one line."]})
    if len(wanted) > MAX_LINES:
        raise ValidationFailed({"lines": [f"At most {MAX_LINES} lines."]})
    found = resolve_items(conn, workspace_id, {w["item"] for w in wanted})
    rows, kept = [], set()
    for position, line in enumerate(wanted):
        item = found.get(line["item"])
        if item is None:
            raise NotFound("item", line["item"])
        check_stockable(item)
        quantity = _in_item_unit(line, item, position)
        line_id = line.get("id")
        old = existing.get(line_id) if line_id is not None else None
        if line_id is not None and (old is None or line_id in kept):
            raise ValidationFailed({f"lines[{position}].id": ["Not a line of this order (or listed twice)."]})
        if old is not None and old["item_id"] != item["id"] and old["produced_quantity"]:
            raise Conflict(f"Line {line_id} has produced {old['sku']}: its item cannot change.")
        kept.add(line_id)
        rows.append({"workspace_id": workspace_id, "id": line_id or new_id("production_line"), "order_id": order_id,
                     "item_id": item["id"], "quantity": quantity,
                     "produced_quantity": old["produced_quantity"] if old else Decimal(0), "position": position})
    dropped = [line_id for line_id in existing if line_id not in kept]
    if dropped and conn.execute(select(production_batches.c.line_id).where(
            production_batches.c.workspace_id == workspace_id, production_batches.c.line_id.in_(dropped))).first():
        raise Conflict("A line with batches stays on its order (its history); change its quantity instead.")
    return rows


def _in_item_unit(line: dict[str, Any], item: dict[str, Any], position: int) -> Decimal:
    """The line's quantity in the item's unit: a line may give it in another unit of the same
    dimension (500 g of an item kept in kg), converted exactly to 6 places."""
    if line.get("unit") is None:
        return line["quantity"]
    field = f"lines[{position}]"
    try:
        quantity = convert(line["quantity"], line["unit"], item["unit"])
    except UnknownUnit as exc:
        raise ValidationFailed({f"{field}.unit": [str(exc)]}) from None
    except UnitMismatch as exc:
        raise UnitMismatch(f"{field}: {exc.message}") from None
    if quantity <= 0:
        raise ValidationFailed({f"{field}.quantity": [f"Less than 0.000001 {item['unit']}, the item's unit."]})
    return quantity


def lines_of(conn: Connection, workspace_id: str, order_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The lines of these orders, with their items and batches (not reversed), in two queries."""
    result: dict[str, list[dict[str, Any]]] = {order_id: [] for order_id in order_ids}
    if not order_ids:
        return result
    rows = [dict(r) for r in conn.execute(
        select(production_order_lines, items.c.sku, items.c.name, items.c.unit, items.c.kind, items.c.tracking,
               items.c.on_hand, items.c.number.label("item_number"))
        .join(items, and_(items.c.workspace_id == production_order_lines.c.workspace_id,
                          items.c.id == production_order_lines.c.item_id))
        .where(production_order_lines.c.workspace_id == workspace_id,
               production_order_lines.c.order_id.in_(order_ids))
        .order_by(production_order_lines.c.order_id, production_order_lines.c.position)
    ).mappings()]
    batches: dict[str, list[dict[str, Any]]] = {}
    for batch in conn.execute(
        select(production_batches)
        .where(production_batches.c.workspace_id == workspace_id, production_batches.c.order_id.in_(order_ids),
               production_batches.c.reversed_at.is_(None))
        .order_by(production_batches.c.created_at, production_batches.c.id)
    ).mappings():
        batches.setdefault(batch["line_id"], []).append(dict(batch))
    for row in rows:
        row["batches"] = batches.get(row["id"], [])
        result[row["order_id"]].append(row)
    return result


def _with_lines(conn: Connection, order: dict[str, Any]) -> dict[str, Any]:
    return _decorated(conn, order["workspace_id"], [order])[0]


def _decorated(conn: Connection, workspace_id: str, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Orders with their lines and their assignees' emails (three queries for any number)."""
    lines = lines_of(conn, workspace_id, [o["id"] for o in orders])
    assignees = sorted({o["assignee_id"] for o in orders if o["assignee_id"]})
    emails = dict(conn.execute(select(users.c.id, users.c.email).where(
        users.c.workspace_id == workspace_id, users.c.id.in_(assignees))).all()) if assignees else {}
    return [{**o, "lines": lines[o["id"]], "assignee_email": emails.get(o["assignee_id"])} for o in orders]


def find_order(conn: Connection, workspace_id: str, order_id: str, *, for_update: bool = False) -> dict[str, Any]:
    return fetch(conn, production_orders, workspace_id, order_id, "production_order", for_update=for_update)


def _next_position(conn: Connection, workspace_id: str) -> int:
    top = conn.execute(select(func.max(production_orders.c.position))
                       .where(production_orders.c.workspace_id == workspace_id)).scalar()
    return (top or 0) + 1


def _status_values(status: str, now) -> dict[str, Any]:
    """A status and the completed_at it implies: set when an order becomes done (the same moment
    as its updated_at), cleared when it leaves done."""
    return {"status": status, "completed_at": now if status == "done" else None, "updated_at": now}


def create_production_order(db: Database, principal, data: dict[str, Any]) -> dict[str, Any]:
    workspace_id = principal.workspace_id
    now = utcnow()
    with db.write() as conn:
        order = {
            "workspace_id": workspace_id, "id": new_id("production_order"), "name": data.get("name"),
            "location_id": resolve_location(conn, workspace_id, data.get("location"))["id"],
            "assignee_id": _assignee(conn, workspace_id, data.get("assignee")),
            "due": plausible(data.get("due"), "due"), "notes": data.get("notes"),
            "position": data["position"] if data.get("position") is not None else _next_position(conn, workspace_id),
            **_status_values(data.get("status") or "pending", now),
            "version": 1, "created_at": now, "updated_at": now, "deleted_at": None,
        }
        lines = _line_rows(conn, workspace_id, order["id"], data.get("lines") or [])
        # The default name shows the order's number: MO-000007 is order 7.
        take_numbers(conn, workspace_id, production_orders, [order])
        if order["name"] is None:
            order["name"] = f"MO-{order['number']:06d}"
        conn.execute(production_orders.insert().values(order))
        take_numbers(conn, workspace_id, production_order_lines, lines)
        conn.execute(production_order_lines.insert(), lines)
        journal.order_event(conn, "production_order", "created", None, order)
        return _with_lines(conn, order)


def list_production_orders(db: Database, workspace_id: str, filters: ProductionFilters, page: PageRequest) -> Page:
    stmt = select(production_orders).where(production_orders.c.workspace_id == workspace_id,
                                           production_orders.c.deleted_at.is_(None))
    if filters.status is not None:
        stmt = stmt.where(production_orders.c.status == filters.status)
    if filters.q:
        stmt = stmt.where(func.lower(production_orders.c.name).contains(filters.q.lower(), autoescape=True))
    name = filters.sort.lstrip("-")
    sort = Sort(name, production_orders.c[SORTS[name]], production_orders.c.id, filters.sort.startswith("-"))
    with db.read() as conn:
        if filters.assignee is not None:
            user = find_user(conn, workspace_id, filters.assignee)
            # An unknown user is assigned nothing (not: the unassigned orders).
            stmt = stmt.where(production_orders.c.assignee_id == user["id"] if user else false())
        if filters.location is not None:
            place = find_location(conn, workspace_id, filters.location)
            stmt = stmt.where(production_orders.c.location_id == (place["id"] if place else None))
        if filters.item is not None:
            item = resolve_items(conn, workspace_id, {filters.item}).get(filters.item)
            stmt = stmt.where(select(production_order_lines.c.id).where(
                production_order_lines.c.workspace_id == production_orders.c.workspace_id,
                production_order_lines.c.order_id == production_orders.c.id,
                production_order_lines.c.item_id == item["id"] if item else false()).exists())
        result = paginate(conn, stmt, sort, page)
        decorated = _decorated(conn, workspace_id, result.rows)
    result.rows[:] = decorated
    return result


def get_production_order(db: Database, workspace_id: str, order_id: str) -> dict[str, Any]:
    with db.read() as conn:
        return _with_lines(conn, find_order(conn, workspace_id, order_id))


def set_order(conn: Connection, order: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Write the order's changed fields with a new version (its row is locked)."""
    return update_versioned(conn, production_orders, order, values, touch=True)


def update_production_order(db: Database, principal, order_id: str, changes: dict[str, Any],
                            if_match: int | None = None) -> dict[str, Any]:
    """Change any field; null unsets (the location goes back to the default one)."""
    workspace_id = principal.workspace_id
    with db.write() as conn:
        order = find_order(conn, workspace_id, order_id, for_update=True)
        check_version(order, if_match)
        values: dict[str, Any] = {k: changes[k] for k in ("notes",) if k in changes}
        for field in ("name", "status", "position"):
            if field in changes and changes[field] is None:
                raise ValidationFailed({field: ["Cannot be unset."]})
        if "name" in changes:
            values["name"] = changes["name"]
        if "position" in changes:
            values["position"] = changes["position"]
        if "status" in changes and changes["status"] != order["status"]:
            values.update(_status_values(changes["status"], utcnow()))
        if "due" in changes:
            values["due"] = plausible(changes["due"], "due")
        if "assignee" in changes:
            values["assignee_id"] = _assignee(conn, workspace_id, changes["assignee"])
        if "location" in changes:
            values["location_id"] = resolve_location(conn, workspace_id, changes["location"])["id"]
        if "lines" in changes:
            existing = lines_of(conn, workspace_id, [order["id"]])[order["id"]]
            rows = _line_rows(conn, workspace_id, order["id"], changes["lines"] or [],
                              {line["id"]: line for line in existing})
            kept = {r["id"] for r in rows}
            conn.execute(production_order_lines.delete().where(
                production_order_lines.c.workspace_id == workspace_id,
                production_order_lines.c.order_id == order["id"],
                production_order_lines.c.id.not_in(kept)))
            _upsert_lines(conn, rows, {line["id"] for line in existing})
        if values or "lines" in changes:
            before, order = order, set_order(conn, order, values)
            journal.order_event(conn, "production_order", "updated", before, order, lines_changed="lines" in changes)
        return _with_lines(conn, order)


def _upsert_lines(conn: Connection, rows: list[dict[str, Any]], existing: set[str]) -> None:
    new = [r for r in rows if r["id"] not in existing]
    old = [r for r in rows if r["id"] in existing]
    if new:
        take_numbers(conn, new[0]["workspace_id"], production_order_lines, new)
        conn.execute(production_order_lines.insert(), new)
    if old:  # updated in place: their batches refer to them
        conn.execute(update(production_order_lines)
                     .where(production_order_lines.c.workspace_id == bindparam("ws"),
                            production_order_lines.c.id == bindparam("line_id"))
                     .values(item_id=bindparam("item"), quantity=bindparam("qty"), position=bindparam("pos")),
                     [{"ws": r["workspace_id"], "line_id": r["id"], "item": r["item_id"], "qty": r["quantity"],
                       "pos": r["position"]} for r in old])


def delete_production_order(db: Database, principal, order_id: str, if_match: int | None = None) -> None:
    """Soft delete: the order disappears (404), what its batches made or consumed stays."""
    workspace_id = principal.workspace_id
    with db.write() as conn:
        order = find_order(conn, workspace_id, order_id, for_update=True)
        check_version(order, if_match)
        journal.order_event(conn, "production_order", "deleted", order,
                            set_order(conn, order, {"deleted_at": utcnow()}))


def status_after(order: dict[str, Any], lines: list[dict[str, Any]], now, *, reversal: bool = False
                 ) -> dict[str, Any]:
    """The status that follows from the lines' production: started by a batch, done when every
    line is produced, reopened when a reversal leaves a done order short. A cancelled order
    stays cancelled."""
    complete = all(line["produced_quantity"] >= line["quantity"] for line in lines)
    status = order["status"]
    if status == "cancelled":
        return {}
    if reversal:
        return _status_values("in_progress", now) if status == "done" and not complete else {}
    if complete and status != "done":
        return _status_values("done", now)
    if status == "pending":
        return _status_values("in_progress", now)
    return {}

