"""Stock levels, movements, adjustments, transfers, reservations and reasons."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from storekeeper.api.schemas.common import (
    ActorRead,
    Bool,
    Money,
    NonNegativeMoneyIn,
    NumberInWorkspace,
    Quantity,
    QuantityIn,
    ReadModel,
    ReadOnly,
    RecordedDateIn,
    Timestamp,
    TimestampIn,
    WriteModel,
)
from storekeeper.domain.stock import MAX_LABEL, label_problem
from storekeeper.services.ledger import movement_view
from storekeeper.services.reservations import shown_status

Ref = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Status = Literal["normal", "low", "critical", "out_of_stock"]


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("Must be greater than 0.")
    return value


PositiveQuantityIn = Annotated[QuantityIn, AfterValidator(_positive)]


def _label_rule(value: str) -> str:
    problem = label_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


LabelIn = Annotated[str, AfterValidator(_label_rule)]
_LABEL = ("Free text beside the reason, such as another system's own reason for the change; "
          f"1-{MAX_LABEL} characters, no control characters. Lists filter by it (`label=`).")


class Reference(WriteModel):
    type: str = Field(min_length=1, max_length=40, examples=["order"])
    id: str = Field(min_length=1, max_length=100, examples=["#1042"])


class ReferenceRead(ReadModel):
    type: str | None
    id: str | None


class AdjustmentCreate(WriteModel):
    id: ReadOnly = None
    before: ReadOnly = None
    after: ReadOnly = None
    sequence: ReadOnly = None
    on_hand: ReadOnly = None
    item: Ref = Field(description="Item id or SKU")
    location: Ref | None = Field(None, description="Location id or name; default: the default location")
    reason: str = Field(min_length=1, max_length=40, examples=["receipt", "sale", "count"])
    delta: QuantityIn | None = Field(None, description="Signed change of on-hand stock")
    set: QuantityIn | None = Field(None, description="The new on-hand stock (a count)")
    note: str | None = Field(None, max_length=2000)
    unit_cost: NonNegativeMoneyIn | None = Field(None, description="Cost per unit of incoming stock")
    occurred_at: RecordedDateIn | None = Field(
        None, description="When it happened (default: now; never ahead; from 1970 on)")
    reference: Reference | None = None
    expected_on_hand: QuantityIn | None = Field(None, description="Apply only if on hand is still this (else 409)")
    label: LabelIn | None = Field(None, description=_LABEL, examples=["supplier_receipt"])

    @model_validator(mode="after")
    def _delta_or_set(self):
        if (self.delta is None) == (self.set is None):
            raise ValueError("Give exactly one of `delta` and `set`.")
        if self.delta is not None and self.delta == 0:
            raise ValueError("`delta` must not be 0.")
        return self


class BulkAdjustmentCreate(WriteModel):
    adjustments: list[AdjustmentCreate] = Field(min_length=1, max_length=500)
    atomic: Bool = True


class MovementRead(ReadModel):
    id: str
    item: str
    sku: str
    location: str
    reason: str
    delta: Quantity
    before: Quantity
    after: Quantity
    unit_cost: Money | None
    note: str | None
    reference: ReferenceRead | None
    transfer: str | None
    bundle: str | None = Field(description="The bundle whose sale took this component out")
    batch: str | None = Field(description="The production batch that made, consumed or reversed this")
    label: str | None = Field(description="Free text beside the reason, as the change was sent with it")
    actor: ActorRead
    occurred_at: Timestamp
    created_at: Timestamp
    sequence: int


class LevelRead(ReadModel):
    item: str
    location: str
    on_hand: Quantity
    reserved: Quantity
    available: Quantity
    status: Status


class AdjustmentRead(ReadModel):
    movement: MovementRead | None = Field(description="The movement; null for a bundle (see movements)")
    movements: list[MovementRead] = Field(description="Every movement written: one, or one per bundle component")
    level: LevelRead


class BulkErrorRead(ReadModel):
    index: int
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class BulkResultRead(ReadModel):
    index: int
    ok: bool
    movement: MovementRead | None = None
    movements: list[MovementRead] | None = None
    level: LevelRead | None = None
    error: BulkErrorRead | None = None


class BulkRead(ReadModel):
    atomic: bool
    results: list[BulkResultRead]


class TransferCreate(WriteModel):
    id: ReadOnly = None
    movements: ReadOnly = None
    item: Ref = Field(description="Item id or SKU")
    from_: Ref | None = Field(None, alias="from", description="Location id or name; default: the item's home "
                                                              "location, else the default location")
    to: Ref | None = Field(None, description="Location id or name; default: the item's home location, else the "
                                              "default location")
    quantity: PositiveQuantityIn
    note: str | None = Field(None, max_length=2000)
    reference: Reference | None = None
    label: LabelIn | None = Field(None, description=_LABEL + " Both movements get it.")


class TransferRead(ReadModel):
    model_config = ReadModel.model_config | {"populate_by_name": True}
    id: str
    item: str
    sku: str
    from_: str = Field(alias="from")
    to: str
    quantity: Quantity
    note: str | None
    label: str | None
    reference: ReferenceRead | None
    movements: list[MovementRead]
    created_at: Timestamp


class StockLocationRead(ReadModel):
    location: str
    name: str
    type: str
    on_hand: Quantity
    reserved: Quantity
    available: Quantity
    status: Status


class StockRead(ReadModel):
    item: str
    sku: str
    name: str
    unit: str
    on_hand: Quantity
    reserved: Quantity
    available: Quantity
    incoming: Quantity = Field(description="Ordered on open purchase orders, not yet received")
    safety_stock: Quantity
    reorder_point: Quantity
    status: Status
    locations: list[StockLocationRead]
    updated_at: Timestamp = Field(description="The item's: moves with its stock and its catalogue fields "
                                              "(not with its version)")


class ReservationCreate(WriteModel):
    id: ReadOnly = None
    status: ReadOnly = None
    fulfilled_quantity: ReadOnly = None
    item: Ref = Field(description="Item id or SKU")
    location: Ref | None = Field(None, description="Location id or name; default: the default location")
    quantity: PositiveQuantityIn
    reference: Reference | None = None
    expires_at: TimestampIn | None = Field(None, description="After this it stops counting")


class FulfilCreate(WriteModel):
    quantity: PositiveQuantityIn | None = Field(None, description="Default: everything still reserved")
    label: LabelIn | None = Field(None, description=_LABEL + " Every sale movement gets it.")


class ReservationRead(ReadModel):
    id: str
    item: str
    sku: str
    location: str
    quantity: Quantity
    fulfilled_quantity: Quantity
    remaining: Quantity
    status: Literal["active", "released", "fulfilled", "expired"]
    parent: str | None = Field(description="For a component's share of a bundle's reservation: that reservation")
    reference: ReferenceRead | None
    expires_at: Timestamp | None
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class FulfilmentRead(ReadModel):
    reservation: ReservationRead
    movement: MovementRead | None = Field(description="The sale movement; null for a bundle or an untracked item")
    movements: list[MovementRead] = Field(description="Every sale movement: one, one per bundle component, or none")


Direction = Literal["in", "out", "any"]


class ReasonCreate(WriteModel):
    id: ReadOnly = None
    number: ReadOnly = None
    builtin: ReadOnly = None
    code: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$", examples=["sample"])
    name: str = Field(min_length=1, max_length=200)
    direction: Direction


class ReasonUpdate(WriteModel):
    id: ReadOnly = None
    number: ReadOnly = None
    code: ReadOnly = None
    builtin: ReadOnly = None
    name: str = Field(None, min_length=1, max_length=200)
    direction: Direction = None


class ReasonRead(ReadModel):
    id: str | None = Field(description="null for built-in reasons")
    number: NumberInWorkspace | None = Field(None, description="A custom reason's number in the workspace: 1, 2, 3 "
                                                               "… in the order they were made, never given again; "
                                                               "null for built-in reasons")
    code: str
    name: str
    direction: Direction
    builtin: bool
    system: bool = Field(description="Written by the system only (transfers, production)")
    version: int | None = None


def _reference(row: dict[str, Any]) -> dict[str, Any] | None:
    if row.get("reference_type") is None and row.get("reference_id") is None:
        return None
    return {"type": row.get("reference_type"), "id": row.get("reference_id")}


def movement_out(row: dict[str, Any]) -> dict[str, Any]:
    return movement_view(row)


def movements_out(movements: list[dict[str, Any]]) -> dict[str, Any]:
    """`movement` (the one movement of a plain item; null for a bundle's or none) and `movements`."""
    single = len(movements) == 1 and movements[0].get("bundle_id") is None
    shown = [movement_out(m) for m in movements]
    return {"movement": shown[0] if single else None, "movements": shown}


def adjustment_out(movements: list[dict[str, Any]], level: dict[str, Any]) -> dict[str, Any]:
    return {**movements_out(movements), "level": level}


def bulk_out(atomic: bool, results: list[dict[str, Any]]) -> dict[str, Any]:
    out = []
    for r in results:
        if r["ok"]:
            out.append({"index": r["index"], "ok": True, **adjustment_out(r["movements"], r["level"])})
        else:
            out.append({"index": r["index"], "ok": False, "error": r["error"]})
    return {"atomic": atomic, "results": out}


def transfer_out(row: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in row.items() if k != "movements"},
            "movements": [movement_out(m) for m in row["movements"]]}


def reservation_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"], "item": row["item_id"], "sku": row["sku"], "location": row["location_id"],
        "quantity": row["quantity"], "fulfilled_quantity": row["fulfilled_quantity"],
        "remaining": row["quantity"] - row["fulfilled_quantity"] if shown_status(row) == "active" else Decimal(0),
        "status": shown_status(row), "parent": row.get("parent_id"), "reference": _reference(row),
        "expires_at": row["expires_at"],
        "version": row["version"], "created_at": row["created_at"], "updated_at": row["updated_at"],
    }


def reason_out(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "number": row.get("number"), "code": row["code"], "name": row["name"],
            "direction": row["direction"], "builtin": row.get("builtin", False), "system": row.get("system", False),
            "version": row.get("version")}
