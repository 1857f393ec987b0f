"""Production orders and batches."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from storekeeper.api.schemas.common import (
    Money,
    NumberInWorkspace,
    Quantity,
    ReadModel,
    ReadOnly,
    RecordedDateIn,
    Timestamp,
    WriteModel,
)
from storekeeper.api.schemas.stock import MovementRead, PositiveQuantityIn, Ref, movement_out
from storekeeper.domain.quantities import exact_product, format_money, round_money

ProductionStatus = Literal["pending", "in_progress", "done", "cancelled"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Position = Annotated[int, Field(ge=-(2**62), le=2**62)]


class ProductionLineIn(WriteModel):
    number: ReadOnly = None
    produced_quantity: ReadOnly = None
    completed: ReadOnly = None
    batches: ReadOnly = None
    sku: ReadOnly = None
    id: str | None = Field(None, max_length=40, description="Keep this existing line (when replacing lines)")
    item: Ref = Field(description="Item id or SKU of what to make")
    quantity: PositiveQuantityIn
    unit: str | None = Field(None, min_length=1, max_length=32,
                             description="The unit of `quantity`, if not the item's own: another unit of its dimension "
                                         "(GET /v1/units), converted to the item's unit")


class _ReadOnlyFields(WriteModel):
    id: ReadOnly = None
    number: ReadOnly = None
    version: ReadOnly = None
    completed_at: ReadOnly = None
    created_at: ReadOnly = None
    updated_at: ReadOnly = None
    assignee_email: ReadOnly = None


class ProductionOrderCreate(_ReadOnlyFields):
    name: Name | None = Field(None, description="Default: the next MO-000001")
    status: ProductionStatus = "pending"
    location: Ref | None = Field(None, description="Where it is made (id or name); default: the default location")
    assignee: str | None = Field(None, max_length=320, description="A user's id or email")
    due: RecordedDateIn | None = Field(None, description="From 1970-01-01 to 2099-12-31 (UTC)")
    notes: str | None = Field(None, max_length=5000)
    position: Position | None = Field(None, description="Order on a board; default: after every other order")
    lines: list[ProductionLineIn] = Field(min_length=1, max_length=200)


class ProductionOrderUpdate(_ReadOnlyFields):
    """Any field; null unsets (a null location is the default location)."""

    name: Name | None = None
    status: ProductionStatus | None = None
    location: Ref | None = None
    assignee: str | None = Field(None, max_length=320)
    due: RecordedDateIn | None = Field(None, description="From 1970-01-01 to 2099-12-31 (UTC)")
    notes: str | None = Field(None, max_length=5000)
    position: Position | None = None
    lines: list[ProductionLineIn] | None = Field(None, min_length=1, max_length=200,
                                                 description="Replaces the lines; keep a line by its id")


class BatchCreate(WriteModel):
    id: ReadOnly = None
    number: ReadOnly = None
    movements: ReadOnly = None
    quantity: PositiveQuantityIn
    note: str | None = Field(None, max_length=2000)


class BatchSummaryRead(ReadModel):
    id: str
    number: NumberInWorkspace
    quantity: Quantity
    unit_cost: Money | None
    created_at: Timestamp


class ProductionLineRead(ReadModel):
    id: str
    number: NumberInWorkspace
    item: str
    sku: str
    name: str
    unit: str
    quantity: Quantity
    produced_quantity: Quantity
    completed: bool
    batches: list[BatchSummaryRead]


class ProductionOrderRead(ReadModel):
    id: str
    number: NumberInWorkspace = Field(description="Its number in the workspace: 1, 2, 3 … in the order they were "
                                                  "made, never given again. The default name shows it: MO-000007.")
    name: str
    status: ProductionStatus
    location: str
    assignee: str | None = Field(description="The user's id")
    assignee_email: str | None
    due: Timestamp | None
    notes: str | None
    position: int
    lines: list[ProductionLineRead]
    version: int
    created_at: Timestamp
    updated_at: Timestamp
    completed_at: Timestamp | None


class BatchRead(ReadModel):
    id: str
    number: NumberInWorkspace
    order: str
    line: str
    item: str
    location: str
    quantity: Quantity
    unit_cost: Money | None = Field(description="Per unit made: the components' average cost; null if one has none")
    total_cost: Money | None
    created_at: Timestamp
    reversed_at: Timestamp | None
    movements: list[MovementRead]


def _money(value) -> str | None:
    return format_money(value) if value is not None else None


def _batch_summary(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "number": row["number"], "quantity": row["quantity"],
            "unit_cost": _money(row["unit_cost"]), "created_at": row["created_at"]}


def production_order_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"], "number": row["number"], "name": row["name"], "status": row["status"],
        "location": row["location_id"],
        "assignee": row["assignee_id"], "assignee_email": row.get("assignee_email"), "due": row["due"],
        "notes": row["notes"], "position": row["position"],
        "lines": [{"id": line["id"], "number": line["number"], "item": line["item_id"], "sku": line["sku"],
                   "name": line["name"], "unit": line["unit"], "quantity": line["quantity"],
                   "produced_quantity": line["produced_quantity"],
                   "completed": line["produced_quantity"] >= line["quantity"],
                   "batches": [_batch_summary(b) for b in line["batches"]]} for line in row["lines"]],
        "version": row["version"], "created_at": row["created_at"], "updated_at": row["updated_at"],
        "completed_at": row["completed_at"],
    }


def batch_out(row: dict[str, Any]) -> dict[str, Any]:
    total = round_money(exact_product(row["unit_cost"], row["quantity"]), 6) if row["unit_cost"] is not None else None
    return {
        "id": row["id"], "number": row["number"], "order": row["order_id"], "line": row["line_id"],
        "item": row["item_id"], "location": row["location_id"], "quantity": row["quantity"],
        "unit_cost": _money(row["unit_cost"]), "total_cost": _money(total), "created_at": row["created_at"],
        "reversed_at": row["reversed_at"],
        "movements": [movement_out(m) for m in row["movements"]],
    }
