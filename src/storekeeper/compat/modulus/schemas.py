"""The Inventory Manager API's bodies (seed 003), with its field names and types: its request
bodies as Storekeeper reads them (unknown fields refused, as /v1 does), and its responses as the
facade's /openapi.json describes them. Integers are JSON integers; money is a JSON number."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints, WithJsonSchema, field_validator
from pydantic.json_schema import SkipJsonSchema

from storekeeper.api.schemas.common import NonNegativeMoneyIn, WriteModel
from storekeeper.api.schemas.items import ItemName, Sku

LIMIT = 10**12  # Storekeeper's largest quantity
Count = Annotated[int, Strict(), Field(ge=0, le=LIMIT)]
PositiveCount = Annotated[int, Strict(), Field(ge=1, le=LIMIT)]


Ref = Annotated[str, StringConstraints(min_length=1, max_length=200)]
# Read-only fields of an item read back: accepted in a body and ignored, so that an item read with
# GET can be sent back with PUT as it is.
Ignored = SkipJsonSchema[Any]


class ItemCreate(WriteModel):
    name: ItemName = Field(description="Display name of the item")
    sku: Sku = Field(description="Stock Keeping Unit (must be unique)")
    quantity: Count = Field(0, description="Current quantity in stock: recorded as initial stock at `location`")
    location: Ref | None = Field(None, description="Storage location: the name (or id) of a Storekeeper location, "
                                                   "which becomes the item's home location")
    barcode: str | None = Field(None, max_length=128, description="Barcode or QR code value")
    reorder_point: Count | None = Field(None, description="Quantity threshold for low stock alerts")


class ItemUpdate(WriteModel):
    id: Ignored = None
    created_at: Ignored = None
    updated_at: Ignored = None
    name: ItemName = None
    sku: Sku = None
    quantity: Count = Field(None, description="The new total on hand: recorded as a stock count at the item's "
                                              "home location (needs stock:write)")
    location: Ref | None = Field(None, description="The item's home location (name or id); null: none")
    barcode: str | None = Field(None, max_length=128)
    reorder_point: Count | None = Field(None, description="null: 0")


class LineItemIn(WriteModel):
    item_id: Ref = Field(description="The item's id")
    quantity: PositiveCount
    unit_cost: NonNegativeMoneyIn | None = Field(None, description="Default: the item's standard cost")


class OrderCreate(WriteModel):
    supplier: str = Field(min_length=1, max_length=200)
    line_items: list[LineItemIn] = Field(min_length=1, max_length=500)
    location: Ref | None = Field(None, description="Where it is delivered (name or id); without one, each line "
                                                   "at its item's home location, else the default location")


# The document names /transactions for receipts and adjustments without describing it: its types
# are Storekeeper's reasons a client may write, with `receive` and `adjustment` for the two it names.
TransactionType = Literal["receive", "adjustment", "count", "return", "sale", "loss", "damage", "theft"]


class TransactionCreate(WriteModel):
    item_id: Ref = Field(description="The item's id (or SKU)")
    type: TransactionType = Field("adjustment", description="receive: stock came in (a positive quantity); "
                                                            "adjustment: a correction either way; others as named")
    quantity: Annotated[int, Strict(), Field(ge=-LIMIT, le=LIMIT)] = Field(
        description="The change: positive in, negative out; never 0")
    location: Ref | None = Field(None, description="Where (name or id); default: the item's home location")
    note: str | None = Field(None, max_length=1000)

    @field_validator("quantity")
    @classmethod
    def _changes_something(cls, quantity: int) -> int:
        if quantity == 0:
            raise ValueError("must not be 0: a transaction changes the stock")
        return quantity


# Responses -----------------------------------------------------------------------------------

Timestamp = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time",
                                           "examples": ["2025-01-15T10:30:00Z"]})]
Quantity = Annotated[int, WithJsonSchema({"type": "integer", "description": "An item counted in fractions (kg) "
                                                                            "shows its fraction"})]
Money = Annotated[Decimal, WithJsonSchema({"type": "number"})]


class ReadModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Pagination(ReadModel):
    total: int
    limit: int
    offset: int
    has_more: bool


class ItemRead(ReadModel):
    id: str
    name: str
    sku: str
    quantity: Quantity
    location: str | None = Field(description="The item's home location (its name); null: none")
    barcode: str | None
    reorder_point: Quantity
    created_at: Timestamp
    updated_at: Timestamp


class ItemList(ReadModel):
    data: list[ItemRead]
    pagination: Pagination


class LineItemRead(ReadModel):
    id: str
    item_id: str
    sku: str
    name: str
    quantity: Quantity
    received_quantity: Quantity
    unit_cost: Money | None


class OrderRead(ReadModel):
    id: str
    number: str
    supplier: str | None
    status: Literal["draft", "ordered", "partially_received", "received", "cancelled"]
    location: str | None
    line_items: list[LineItemRead]
    total: Money
    created_at: Timestamp
    updated_at: Timestamp


class OrderList(ReadModel):
    data: list[OrderRead]
    pagination: Pagination


class AuditEntryRead(ReadModel):
    id: str
    action: Literal["create", "update", "delete", "restore"]
    item_id: str | None
    user_id: str
    user_name: str
    resource_type: str
    resource_id: str | None
    event: str = Field(description="Storekeeper's action, e.g. item.updated or movement.created")
    changes: dict[str, Any]
    created_at: Timestamp


class AuditList(ReadModel):
    data: list[AuditEntryRead]
    pagination: Pagination


class SnapshotRead(ReadModel):
    id: str
    created_at: Timestamp
    note: str | None


class SnapshotList(ReadModel):
    data: list[SnapshotRead]
    pagination: Pagination


class ErrorBody(ReadModel):
    code: str
    message: str
    field: str | None


class ErrorResponse(ReadModel):
    error: ErrorBody


class TransactionRead(ReadModel):
    id: str
    item_id: str
    sku: str
    type: str = Field(description="receive, adjustment, count, sale, … (transfer_in, production_output … for the "
                                  "changes Storekeeper records itself)")
    quantity: Quantity = Field(description="The change: positive in, negative out")
    quantity_after: Quantity = Field(description="The stock at `location` after it")
    location: str | None
    note: str | None
    user_id: str | None
    created_at: Timestamp


class TransactionList(ReadModel):
    data: list[TransactionRead]
    pagination: Pagination
