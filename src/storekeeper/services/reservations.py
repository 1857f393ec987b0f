"""Reservations: stock promised to an order, no longer available to others.

A reservation counts in its level's `reserved` while it is `active`. Past `expires_at` it stops
counting at once: every write to its item expires it first (services/ledger.py), reads show it
as `expired`, and the expiry worker (`expire_due`) marks the rest.
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
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest, Sort, paginate
from storekeeper.persistence.rows import fetch
from storekeeper.persistence.tables import items, reservations
from storekeeper.services.context import SystemActor
from storekeeper.services.ledger import Change, Ledger, level_out
from storekeeper.services.locations import find_location, resolve_location
from storekeeper.services.stock import (
    allow_negative_stock,
    check_location,
    check_stockable,
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
                       expires_at: datetime | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Reserve available stock; 422 INSUFFICIENT_STOCK when there is not enough."""
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
        check_stockable(row)
        place = resolve_location(conn, workspace_id, location)
        check_location(principal, place, incoming=True)
        ledger = Ledger(conn, workspace_id, principal.actor, allow_negative_stock(conn, workspace_id), now=now)
        ledger.lock([row["id"]])
        level = ledger.reserve(row["id"], place["id"], quantity)
        reservation = {
            "workspace_id": workspace_id, "id": new_id("reservation"), "item_id": row["id"],
            "location_id": place["id"], "quantity": quantity, "fulfilled_quantity": Decimal(0), "status": "active",
            "reference_type": reference_type, "reference_id": reference_id,
            "expires_at": to_utc(expires_at) if expires_at else None, "version": 1,
            "created_at": now, "updated_at": now,
        }
        conn.execute(reservations.insert().values(reservation))
        ledger.flush()
        return {**reservation, "sku": row["sku"]}, level_out(level, ledger.items[row["id"]].row)


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


def _locked(conn, principal, reservation_id: str, *, live_only: bool = True) -> tuple[Ledger, dict[str, Any]]:
    """The reservation with its item locked (and due reservations of the item expired)."""
    workspace_id = principal.workspace_id
    peek = fetch(conn, reservations, workspace_id, reservation_id, "reservation")
    ledger = Ledger(conn, workspace_id, principal.actor, allow_negative_stock(conn, workspace_id))
    ledger.lock([peek["item_id"]], live_only=live_only)
    row = fetch(conn, reservations, workspace_id, reservation_id, "reservation")
    if row["status"] != "active":
        raise Conflict(f"The reservation is {row['status']}: only an active reservation can change.")
    return ledger, row


def _finish(conn, ledger: Ledger, row: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    values.update(updated_at=ledger.now, version=row["version"] + 1)
    conn.execute(update(reservations)
                 .where(reservations.c.workspace_id == row["workspace_id"], reservations.c.id == row["id"])
                 .values(values))
    return {**row, **values, "sku": ledger.items[row["item_id"]].row["sku"]}


def release_reservation(db: Database, principal, reservation_id: str) -> dict[str, Any]:
    with db.write() as conn:
        # Releasing gives stock back even when the item went to the trash meanwhile.
        ledger, row = _locked(conn, principal, reservation_id, live_only=False)
        ledger.release(row["item_id"], row["location_id"], row["quantity"] - row["fulfilled_quantity"])
        ledger.flush()
        return _finish(conn, ledger, row, {"status": "released"})


def fulfil_reservation(db: Database, principal, reservation_id: str,
                       quantity: Decimal | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Ship reserved stock: a `sale` movement, and the reservation lowers `reserved` by as much.
    Partial fulfilment keeps the rest reserved."""
    with db.write() as conn:
        ledger, row = _locked(conn, principal, reservation_id)
        remaining = row["quantity"] - row["fulfilled_quantity"]
        quantity = remaining if quantity is None else quantity
        if quantity <= 0 or quantity > remaining:
            raise ValidationFailed({"quantity": [f"Must be more than 0 and at most the {remaining} still reserved."]})
        place = find_location(conn, principal.workspace_id, row["location_id"])
        if place is not None:
            check_location(principal, place, incoming=False)
        ledger.release(row["item_id"], row["location_id"], quantity)
        reference = ({"reference_type": row["reference_type"], "reference_id": row["reference_id"]}
                     if row["reference_type"] or row["reference_id"]
                     else {"reference_type": "reservation", "reference_id": row["id"]})
        movement = ledger.apply(Change(row["item_id"], row["location_id"], "sale", "out", delta=-quantity,
                                       **reference))
        ledger.flush()
        fulfilled = row["fulfilled_quantity"] + quantity
        values = {"fulfilled_quantity": fulfilled}
        if fulfilled == row["quantity"]:
            values["status"] = "fulfilled"
        return _finish(conn, ledger, row, values), movement


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
