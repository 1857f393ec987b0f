"""Reservations (orders:read / orders:write)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from storekeeper.api.deps import DB, IfMatch, OrdersRead, OrdersWrite, Paging
from storekeeper.api.responses import JSONResponse, page, resource
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.common import Page
from storekeeper.api.schemas.stock import (
    FulfilCreate,
    FulfilmentRead,
    ReservationCreate,
    ReservationRead,
    movements_out,
    reservation_out,
)
from storekeeper.services import reservations
from storekeeper.services.reservations import ReservationFilters

router = APIRouter(prefix="/reservations", tags=["reservations"], route_class=StorekeeperRoute)


@router.post("", status_code=201, response_model=ReservationRead, summary="Reserve available stock")
def create_reservation(body: ReservationCreate, principal: OrdersWrite, db: DB) -> JSONResponse:
    row = reservations.create_reservation(
        db, principal, item=body.item, location=body.location, quantity=body.quantity,
        reference_type=body.reference.type if body.reference else None,
        reference_id=body.reference.id if body.reference else None, expires_at=body.expires_at,
    )
    return resource(reservation_out(row), status=201, version=row["version"])


@router.get("", response_model=Page[ReservationRead], summary="List reservations, newest first")
def list_reservations(
    principal: OrdersRead,
    db: DB,
    paging: Paging,
    item: Annotated[str | None, Query(max_length=200)] = None,
    location: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[Literal["active", "released", "fulfilled", "expired"] | None, Query()] = None,
    reference_type: Annotated[str | None, Query(max_length=40)] = None,
    reference_id: Annotated[str | None, Query(max_length=100)] = None,
) -> JSONResponse:
    filters = ReservationFilters(item=item, location=location, status=status, reference_type=reference_type,
                                 reference_id=reference_id)
    return page(reservations.list_reservations(db, principal.workspace_id, filters, paging), reservation_out)


@router.get("/{reservation_id}", response_model=ReservationRead, summary="One reservation")
def get_reservation(reservation_id: str, principal: OrdersRead, db: DB) -> JSONResponse:
    row = reservations.get_reservation(db, principal.workspace_id, reservation_id)
    return resource(reservation_out(row), version=row["version"])


@router.post("/{reservation_id}/release", response_model=ReservationRead, summary="Give reserved stock back")
def release_reservation(reservation_id: str, principal: OrdersWrite, db: DB, version: IfMatch) -> JSONResponse:
    row = reservations.release_reservation(db, principal, reservation_id, if_match=version)
    return resource(reservation_out(row), version=row["version"])


@router.post("/{reservation_id}/fulfil", response_model=FulfilmentRead,
             summary="Ship reserved stock: a sale movement, all or part of the reservation")
def fulfil_reservation(reservation_id: str, principal: OrdersWrite, db: DB, version: IfMatch,
                       body: FulfilCreate | None = None) -> JSONResponse:
    quantity = body.quantity if body else None
    row, movements = reservations.fulfil_reservation(db, principal, reservation_id, quantity, if_match=version,
                                                     label=body.label if body else None)
    return JSONResponse({"reservation": reservation_out(row), **movements_out(movements)},
                        headers={"ETag": f'"{row["version"]}"'})
