"""Purchase orders."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from storekeeper.api.schemas.common import (
    Money,
    NonNegativeMoneyIn,
    Quantity,
    ReadModel,
    ReadOnly,
    RecordedDateIn,
    Timestamp,
    WriteModel,
)
from storekeeper.api.schemas.stock import MovementRead, PositiveQuantityIn, Ref, movement_out
from storekeeper.domain.quantities import format_money, round_money
from storekeeper.services.purchasing import total_cost

PurchaseOrderStatus = Literal["draft", "ordered", "partially_received", "received", "cancelled"]
Number = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class PurchaseOrderLineIn(WriteModel):
    received_quantity: ReadOnly = None
    sku: ReadOnly = None
    id: str | None = Field(None, max_length=40, description="Keep this existing line (when replacing lines)")
    item: Ref = Field(description="Item id or SKU")
    quantity: PositiveQuantityIn
    unit_cost: NonNegativeMoneyIn | None = Field(None, description="Default: the item's standard cost")


class _ReadOnlyFields(WriteModel):
    id: ReadOnly = None
    status: ReadOnly = None
    total_cost: ReadOnly = None
    version: ReadOnly = None
    ordered_at: ReadOnly = None
    received_at: ReadOnly = None
    cancelled_at: ReadOnly = None
    created_at: ReadOnly = None
    updated_at: ReadOnly = None


class PurchaseOrderCreate(_ReadOnlyFields):
    number: Number | None = Field(None, description="Default: the next PO-000001")
    supplier: str | None = Field(None, max_length=200)
    location: Ref | None = Field(None, description="Where it is delivered (id or name); default: each line at its "
                                                   "item's home location, else the default location")
    expected_at: RecordedDateIn | None = Field(None, description="From 1970-01-01 to 2099-12-31 (UTC)")
    notes: str | None = Field(None, max_length=5000)
    lines: list[PurchaseOrderLineIn] = Field(default_factory=list, max_length=500)


class PurchaseOrderUpdate(_ReadOnlyFields):
    number: Number = None
    supplier: str | None = Field(None, max_length=200)
    location: Ref | None = Field(None, description="null: each line at its item's home location, else the default "
                                                   "location")
    expected_at: RecordedDateIn | None = Field(None, description="From 1970-01-01 to 2099-12-31 (UTC)")
    notes: str | None = Field(None, max_length=5000)
    lines: list[PurchaseOrderLineIn] = Field(None, max_length=500, description="Replaces every line (draft only)")


class ReceiptLineIn(WriteModel):
    line: str = Field(min_length=1, max_length=40, description="The line's id")
    quantity: PositiveQuantityIn


class ReceiveCreate(WriteModel):
    lines: list[ReceiptLineIn] | None = Field(None, min_length=1, max_length=500,
                                              description="Default: everything still open on every line")
    location: Ref | None = Field(None, description="Where it arrived; default: the order's location, else each "
                                                   "item's home location, else the default location")


class PurchaseOrderLineRead(ReadModel):
    id: str
    item: str
    sku: str
    name: str
    unit: str
    quantity: Quantity
    received_quantity: Quantity
    remaining: Quantity = Field(description="Still to receive (0 once the order is received or cancelled)")
    unit_cost: Money | None


class PurchaseOrderRead(ReadModel):
    id: str
    number: str
    supplier: str | None
    location: str | None = Field(description="Location id; null: each line is received at its item's home "
                                             "location, else the default location")
    status: PurchaseOrderStatus
    expected_at: Timestamp | None
    notes: str | None
    lines: list[PurchaseOrderLineRead]
    total_cost: Money = Field(description="Sum of quantity times unit cost over the lines")
    ordered_at: Timestamp | None
    received_at: Timestamp | None
    cancelled_at: Timestamp | None
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class ReceiptRead(ReadModel):
    purchase_order: PurchaseOrderRead
    movements: list[MovementRead] = Field(description="One receipt movement per line received")


def _line_out(line: dict[str, Any], status: str) -> dict[str, Any]:
    remaining = line["quantity"] - line["received_quantity"]
    return {
        "id": line["id"], "item": line["item_id"], "sku": line["sku"], "name": line["name"], "unit": line["unit"],
        "quantity": line["quantity"], "received_quantity": line["received_quantity"],
        "remaining": remaining if status not in ("received", "cancelled") else Decimal(0),
        "unit_cost": format_money(line["unit_cost"]) if line["unit_cost"] is not None else None,
    }


def purchase_order_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"], "number": row["number"], "supplier": row["supplier"], "location": row["location_id"],
        "status": row["status"], "expected_at": row["expected_at"], "notes": row["notes"],
        "lines": [_line_out(line, row["status"]) for line in row["lines"]],
        "total_cost": format_money(round_money(total_cost(row["lines"]), 6)),
        "ordered_at": row["ordered_at"], "received_at": row["received_at"], "cancelled_at": row["cancelled_at"],
        "version": row["version"], "created_at": row["created_at"], "updated_at": row["updated_at"],
    }


def receipt_out(row: dict[str, Any], movements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"purchase_order": purchase_order_out(row), "movements": [movement_out(m) for m in movements]}
