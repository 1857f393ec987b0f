"""Reservations: stock promised to an order, no longer available to others.

A reservation counts in its level's `reserved` while it is `active`. Past `expires_at` it stops
counting at once: every write to its item expires it first (services/ledger.py), reads show it
as `expired`, and the expiry worker (`expire_due`) marks the rest.

A bundle's reservation holds nothing itself: it reserves each component through a component
reservation (`parent_id` = the bundle's reservation), which moves with it — released, fulfilled
(the components' `sale` movements) or expired together. An untracked item (`tracking: none`)
is always available: its reservation holds nothing and its fulfilment writes no movement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select, update

from storekeeper.domain.clock import to_utc, utcnow
from storekeeper.domain.errors import Conflict, NotFound, ValidationFailed
from storekeeper.domain.ids import new_id
from storekeeper.domain.quantities import round_quantity
from storekeeper.domain.stock import Tracking, component_need
from storekeeper.persistence.bom import bom_lines
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest, Sort, paginate
from storekeeper.persistence.rows import check_version, fetch
from storekeeper.persistence.tables import items, reservations
from storekeeper.services import journal
from storekeeper.services.context import SystemActor
from storekeeper.services.ledger import Change, Ledger
from storekeeper.services.locations import find_location, resolve_location, stock_location_ref
from storekeeper.services.stock import (
    check_bundle_lines,
    check_label,
    check_location,
    check_stockable,
    ledger_for,
    resolve_items,
)
from storekeeper.services.workspaces import workspace_ids

STATUSES = ("active", "released", "fulfilled", "expired")


@dataclass(frozen=True)
class ReservationFilters:
    item: str | None = None
    location: str | None = None
    status: str | None = None
    reference_type: str | None = None
    reference_id: str | None = None


def shown_status(row: dict[str, Any], now: datetime | None = None) -> str:
    if row["status"] == "active" and row["expires_at"] is not None and row["expires_at"] <= (now or utcnow()):
        return "expired"
    return row["status"]


def _with_sku():
    return select(reservations, items.c.sku).join(
        items, and_(items.c.workspace_id == reservations.c.workspace_id, items.c.id == reservations.c.item_id)
    )


def create_reservation(db: Database, principal, *, item: str, location: str | None, quantity: Decimal,
                       reference_type: str | None = None, reference_id: str | None = None,
                       expires_at: datetime | None = None) -> dict[str, Any]:
    """Reserve available stock; 422 INSUFFICIENT_STOCK (listing every short component of a
    bundle) when there is not enough."""
    if quantity <= 0:
        raise ValidationFailed({"quantity": ["Must be greater than 0."]})
    now = utcnow()
    if expires_at is not None and to_utc(expires_at) <= now:
        raise ValidationFailed({"expires_at": ["Must be in the future."]})
    workspace_id = principal.workspace_id
    with db.write() as conn:
        row = resolve_items(conn, workspace_id, {item}).get(item)
        if row is None:
            raise NotFound("item", item)
        if row["tracking"] != Tracking.NONE:
            check_stockable(row, bundle_ok=True)
        place = resolve_location(conn, workspace_id, stock_location_ref(location, row))
        check_location(principal, place, incoming=True)
        reservation = {
            "workspace_id": workspace_id, "id": new_id("reservation"), "item_id": row["id"],
            "location_id": place["id"], "quantity": quantity, "fulfilled_quantity": Decimal(0), "status": "active",
            "holds_stock": row["tracking"] == Tracking.QUANTITY, "parent_id": None,
            "reference_type": reference_type, "reference_id": reference_id,
            "expires_at": to_utc(expires_at) if expires_at else None, "version": 1,
            "created_at": now, "updated_at": now,
        }
        journal.reservation_event(conn, "created", None, reservation)
        if row["tracking"] == Tracking.NONE:
            conn.execute(reservations.insert().values(reservation))
            return {**reservation, "sku": row["sku"]}
        ledger = ledger_for(conn, principal, now=now)
        parts = [reservation]
        if row["tracking"] == Tracking.BUNDLE:
            lines = bom_lines(conn, workspace_id, [row["id"]]).get(row["id"], [])
            check_bundle_lines(row, lines, place["id"])
            wanted = [(line.component_id, place["id"], component_need(line, quantity))
                      for line in lines if line.tracked]
            ledger.lock({w[0] for w in wanted})
            if bom_lines(conn, workspace_id, [row["id"]]).get(row["id"], []) != lines:
                raise Conflict("The bundle's components changed while it was being reserved; try again.")
            ledger.reserve_all(wanted)
            parts += [{**reservation, "id": new_id("reservation"), "item_id": component_id, "quantity": need,
                       "holds_stock": True, "parent_id": reservation["id"]} for component_id, _, need in wanted]
        else:
            ledger.lock([row["id"]])
            ledger.reserve(row["id"], place["id"], quantity)
        conn.execute(reservations.insert(), parts)
        ledger.flush()
        return {**reservation, "sku": row["sku"]}


def list_reservations(db: Database, workspace_id: str, filters: ReservationFilters, page: PageRequest) -> Page:
    now = utcnow()
    stmt = _with_sku().where(reservations.c.workspace_id == workspace_id)
    not_due = or_(reservations.c.expires_at.is_(None), reservations.c.expires_at > now)
    if filters.status == "active":
        stmt = stmt.where(reservations.c.status == "active", not_due)
    elif filters.status == "expired":
        stmt = stmt.where(or_(reservations.c.status == "expired",
                              and_(reservations.c.status == "active", ~not_due)))
    elif filters.status is not None:
        stmt = stmt.where(reservations.c.status == filters.status)
    if filters.reference_type is not None:
        stmt = stmt.where(reservations.c.reference_type == filters.reference_type)
    if filters.reference_id is not None:
        stmt = stmt.where(reservations.c.reference_id == filters.reference_id)
    with db.read() as conn:
        if filters.item is not None:
            row = resolve_items(conn, workspace_id, {filters.item}).get(filters.item)
            stmt = stmt.where(reservations.c.item_id == (row["id"] if row else None))
        if filters.location is not None:
            place = find_location(conn, workspace_id, filters.location)
            stmt = stmt.where(reservations.c.location_id == (place["id"] if place else None))
        return paginate(conn, stmt, Sort("-created_at", reservations.c.created_at, reservations.c.id, True), page)


def get_reservation(db: Database, workspace_id: str, reservation_id: str) -> dict[str, Any]:
    with db.read() as conn:
        row = conn.execute(
            _with_sku().where(reservations.c.workspace_id == workspace_id, reservations.c.id == reservation_id)
        ).mappings().first()
    if row is None:
        raise NotFound("reservation", reservation_id)
    return dict(row)


def _locked(conn, principal, reservation_id: str, *, live_only: bool = True, if_match: int | None = None):
    """The reservation, its component reservations (for a bundle) and a ledger holding their
    items locked (with due reservations of the items expired)."""
    workspace_id = principal.workspace_id
    peek = fetch(conn, reservations, workspace_id, reservation_id, "reservation")
    if peek["parent_id"] is not None:
        raise Conflict(f"This reservation is part of the bundle reservation {peek['parent_id']}: "
                       "release or fulfil that one.")
    parts = _parts(conn, workspace_id, reservation_id)
    ledger = ledger_for(conn, principal)
    ledger.lock([p["item_id"] for p in [peek, *parts] if p["holds_stock"]], live_only=live_only)
    row = fetch(conn, reservations, workspace_id, reservation_id, "reservation")
    check_version(row, if_match)
    if row["status"] != "active":
        raise Conflict(f"The reservation is {row['status']}: only an active reservation can change.")
    return ledger, row, _parts(conn, workspace_id, reservation_id)


def _parts(conn, workspace_id: str, reservation_id: str) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(
        select(reservations).where(reservations.c.workspace_id == workspace_id,
                                   reservations.c.parent_id == reservation_id).order_by(reservations.c.id)
    ).mappings()]


def _finish(conn, ledger: Ledger, row: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    values.update(updated_at=ledger.now, version=row["version"] + 1)
    conn.execute(update(reservations)
                 .where(reservations.c.workspace_id == row["workspace_id"], reservations.c.id == row["id"])
                 .values(values))
    return {**row, **values}


def _with_item_sku(conn, row: dict[str, Any]) -> dict[str, Any]:
    sku = conn.execute(select(items.c.sku).where(items.c.workspace_id == row["workspace_id"],
                                                 items.c.id == row["item_id"])).scalar_one()
    return {**row, "sku": sku}


def release_reservation(db: Database, principal, reservation_id: str, if_match: int | None = None) -> dict[str, Any]:
    with db.write() as conn:
        # Releasing gives stock back even when the item went to the trash meanwhile.
        ledger, row, parts = _locked(conn, principal, reservation_id, live_only=False, if_match=if_match)
        for part in [row, *parts]:
            if part["holds_stock"]:
                ledger.release(part["item_id"], part["location_id"], part["quantity"] - part["fulfilled_quantity"])
        ledger.flush()
        done = [_finish(conn, ledger, part, {"status": "released"}) for part in [row, *parts]]
        journal.reservation_event(conn, "released", row, done[0])
        return _with_item_sku(conn, done[0])


def _share(part: dict[str, Any], row: dict[str, Any], quantity: Decimal) -> Decimal:
    """A component reservation's share of fulfilling `quantity` of its bundle's reservation: in
    proportion, and exactly what is left when the bundle's reservation is fulfilled in full."""
    if quantity == row["quantity"] - row["fulfilled_quantity"]:
        return part["quantity"] - part["fulfilled_quantity"]
    share = round_quantity(part["quantity"] * quantity / row["quantity"])
    return min(share, part["quantity"] - part["fulfilled_quantity"])


def fulfil_reservation(db: Database, principal, reservation_id: str,
                       quantity: Decimal | None = None,
                       if_match: int | None = None,
                       label: str | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Ship reserved stock: `sale` movements (one, one per component of a bundle, or none for an
    untracked item), each with `label`, and the reservation lowers `reserved` by as much.
    Partial fulfilment keeps the rest reserved."""
    check_label(label)
    with db.write() as conn:
        ledger, row, parts = _locked(conn, principal, reservation_id, if_match=if_match)
        remaining = row["quantity"] - row["fulfilled_quantity"]
        quantity = remaining if quantity is None else quantity
        if quantity <= 0 or quantity > remaining:
            raise ValidationFailed({"quantity": [f"Must be more than 0 and at most the {remaining} still reserved."]})
        place = find_location(conn, principal.workspace_id, row["location_id"])
        if place is not None:
            check_location(principal, place, incoming=False)
        reference = ({"reference_type": row["reference_type"], "reference_id": row["reference_id"]}
                     if row["reference_type"] or row["reference_id"]
                     else {"reference_type": "reservation", "reference_id": row["id"]})
        holders = [(row, quantity)] if row["holds_stock"] else [(p, _share(p, row, quantity)) for p in parts]
        changes = []
        for part, share in holders:
            ledger.release(part["item_id"], part["location_id"], share)
            changes.append(Change(part["item_id"], part["location_id"], "sale", "out", delta=-share,
                                  bundle_id=None if part is row else row["item_id"], label=label, **reference))
        moved = ledger.apply_all(changes)
        for part, share in holders:
            if part is not row:
                _fulfilled(conn, ledger, part, share)
        ledger.flush()
        done = _fulfilled(conn, ledger, row, quantity)
        journal.reservation_event(conn, "fulfilled", row, done)
        return _with_item_sku(conn, done), moved


def _fulfilled(conn, ledger: Ledger, row: dict[str, Any], quantity: Decimal) -> dict[str, Any]:
    fulfilled = row["fulfilled_quantity"] + quantity
    values: dict[str, Any] = {"fulfilled_quantity": fulfilled}
    if fulfilled == row["quantity"]:
        values["status"] = "fulfilled"
    return _finish(conn, ledger, row, values)


def expire_due(db: Database, now: datetime | None = None, batch: int = 200) -> int:
    """Mark every reservation past its `expires_at` as expired and give its stock back.
    Returns how many items had due reservations. Run by the worker, one workspace at a time so
    that each query uses the (workspace_id, status, expires_at) index."""
    now = now or utcnow()
    handled = 0
    for workspace_id in workspace_ids(db):
        while True:
            with db.read() as conn:
                item_ids = list(conn.execute(
                    select(reservations.c.item_id)
                    .where(reservations.c.workspace_id == workspace_id, reservations.c.status == "active",
                           reservations.c.expires_at <= now)
                    .distinct()
                    .limit(batch)
                ).scalars())
            if not item_ids:
                break
            with db.write() as conn:
                ledger = Ledger(conn, workspace_id, SystemActor(workspace_id).actor, True, now=now)
                ledger.lock(item_ids, live_only=False)
                ledger.flush()
            handled += len(item_ids)
    return handled
