"""The multi-warehouse API's bodies and answers (seed 001), with its field names and types: they
validate requests (refusals in the vendor's envelope) and make the facade's OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from storekeeper.api.schemas.common import QuantityIn, Timestamp, WriteModel

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# The vendor's own reason (`supplier_receipt`, `cycle_count`), kept on the movement as its label.
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Status = Literal["normal", "low", "critical", "out_of_stock"]
Number = Annotated[float, Field(description="An exact decimal (at most 6 places)")]


class InventoryUpdate(WriteModel):
    """`PUT /api/inventory/{sku}`: set the stock level in a warehouse (a count)."""

    warehouse_id: Text | None = Field(None, description="The warehouse; default: the SKU's home or the default")
    quantity: QuantityIn = Field(description="The new stock level in that warehouse")
    reason: Reason | None = Field(None, examples=["supplier_receipt", "cycle_count"])
    note: str | None = Field(None, max_length=2000)


class BulkUpdate(InventoryUpdate):
    sku: Text


class BulkRequest(WriteModel):
    updates: list[BulkUpdate] = Field(min_length=1, max_length=500, description="At most 500 updates")


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WarehouseLevel(_Answer):
    warehouse_id: str
    name: str
    on_hand: Number
    reserved: Number
    available: Number
    type: str | None = Field(None, description="Shown for a fulfilment warehouse: FBA, FBS …")


class InventoryRecord(_Answer):
    sku: str
    title: str
    total_on_hand: Number
    total_reserved: Number
    total_available: Number
    safety_stock: Number
    status: Status
    warehouses: list[WarehouseLevel]


class InventoryMeta(_Answer):
    total: int | None
    limit: int
    nextCursor: str | None  # the vendor's name


class InventoryPage(_Answer):
    data: list[InventoryRecord]
    meta: InventoryMeta


class Warehouse(_Answer):
    id: str
    name: str
    address: str | None = None
    type: str = Field(description="`own`, or the fulfilment service: FBA, FBS …")
    marketplace: str | None = None
    is_active: bool
    is_readonly: bool | None = Field(None, description="true for a read-only (fulfilment) warehouse")


class Warehouses(_Answer):
    data: list[Warehouse]


class Adjustment(_Answer):
    id: str
    sku: str
    warehouse_id: str
    before_quantity: Number
    after_quantity: Number
    delta: Number
    reason: str
    note: str | None
    created_by: str
    created_at: Timestamp


class Adjustments(_Answer):
    data: list[Adjustment]
