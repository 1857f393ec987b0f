"""The Inventora API's bodies (seed 002) with its field names and types: what the facade's
OpenAPI document shows, and what refuses bad input in Inventora's envelope (a 400 naming the
field). The rules of the values are /v1's (api/schemas): the same SKU, URL, money and quantity
rules, whichever API a change comes through."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints, model_validator

from storekeeper.api.schemas.common import (
    NonNegativeMoneyIn,
    NonNegativeQuantityIn,
    Quantity,
    QuantityIn,
    ReadModel,
    ReadOnly,
    RecordedDateIn,
    Timestamp,
    WriteModel,
)
from storekeeper.api.schemas.items import HttpUrlText, ItemName, Sku
from storekeeper.api.schemas.stock import PositiveQuantityIn
from storekeeper.compat.inventora.ids import MAX_ID
from storekeeper.compat.inventora.mapping import BUNDLES, UNIT_TYPES

# An id as ids.vendor_id shows it: a per-workspace number.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
UnitType = Literal[tuple([*UNIT_TYPES.values(), BUNDLES])]  # type: ignore[valid-type]
TaskStatus = Literal["pending", "in-progress", "done"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
UserRef = Annotated[str, Field(min_length=1, max_length=320, description="A user's id or email address")]
LocationRef = Annotated[str, Field(min_length=1, max_length=200, description="A location's id (`loc_…`)")]


def _numeric_text(value: Any) -> Any:
    """An id as a number, or as the numeric text of the document's string type (`"12"`)."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


class ResourceUpdate(WriteModel):
    """All fields are optional. Only include fields you want to update."""

    id: ReadOnly = None
    stockLevel: ReadOnly = None
    locationStockLevels: ReadOnly = None
    productionType: ReadOnly = None
    materials: ReadOnly = None
    name: ItemName = None
    sku: Sku = None
    unitType: UnitType = Field(None, description="Not to or from `bundles`")
    unitPrice: NonNegativeMoneyIn | None = Field(
        None, description="Only while the resource has no stock tied to non-initial logs")
    minLevel: NonNegativeQuantityIn = None
    notes: str | None = Field(None, max_length=10_000)
    retailPrice: NonNegativeMoneyIn | None = None
    wholesalePrice: NonNegativeMoneyIn | None = None
    ean: str | None = Field(None, max_length=128)
    minimumQuantity: NonNegativeQuantityIn = None
    reorderURLs: list[HttpUrlText] | None = Field(None, max_length=10)


class StockLevelUpdate(WriteModel):
    quantity: QuantityIn = Field(description="The quantity to set or adjust")
    locationName: str = Field(min_length=1, max_length=200, description="Name of the location")
    updateType: Literal["audit", "restock", "loss", "custom"]
    notes: str | None = Field(None, max_length=2000, description="Optional notes about the update")
    customStatusId: Annotated[Id, BeforeValidator(_numeric_text)] | None = Field(
        None, description="Required when updateType is custom")

    @model_validator(mode="after")
    def _custom_status(self):
        if self.updateType == "custom" and self.customStatusId is None:
            raise ValueError("customStatusId is required when updateType is custom.")
        return self


class TaskItemIn(WriteModel):
    ProductId: Annotated[Id, BeforeValidator(_numeric_text), Field(description="Product/resource ID")]
    quantity: PositiveQuantityIn = Field(description="Quantity to produce (must be > 0)")
    unitType: UnitType | None = Field(None, description="The unit of quantity; default: the product's own")


class _TaskReadOnly(WriteModel):
    id: ReadOnly = None
    order: ReadOnly = None
    completedAt: ReadOnly = None
    createdAt: ReadOnly = None
    updatedAt: ReadOnly = None


class TaskCreate(_TaskReadOnly):
    name: Name = Field(description="Task name")
    Assignee: UserRef | None = None
    UserId: UserRef | None = Field(None, description="Alternative to Assignee - user ID to assign task to")
    Items: list[TaskItemIn] = Field(min_length=1, max_length=200, description="Array of task items (cannot be empty)")
    LocationId: LocationRef | None = Field(None, description="Where the task is performed; default: the default "
                                                             "location")
    due: RecordedDateIn | None = Field(None, description="Due date (ISO 8601 format)")
    notes: str | None = Field(None, max_length=5000)
    status: TaskStatus = "pending"


class TaskUpdate(_TaskReadOnly):
    """All fields are optional. Only include fields you want to update; null unsets."""

    Items: ReadOnly = None
    name: Name = Field(None, description="Task name (cannot be empty)")
    Assignee: UserRef | None = Field(None, description="null to unassign")
    UserId: UserRef | None = Field(None, description="null to unassign")
    status: TaskStatus = None
    LocationId: LocationRef | None = Field(None, description="null: the default location")
    due: RecordedDateIn | None = None
    notes: str | None = Field(None, max_length=5000)


class BatchCreate(WriteModel):
    quantity: PositiveQuantityIn = Field(description="Quantity to produce in this batch (must be > 0)")


# Responses


class MaterialRead(ReadModel):
    id: int
    name: str
    sku: str
    unitType: str
    unitPrice: Quantity | None
    stockLevel: Quantity
    minLevel: Quantity
    quantityUsed: Quantity


class ResourceRead(ReadModel):
    id: int
    name: str
    sku: str
    stockLevel: Quantity
    unitType: str
    unitPrice: Quantity | None
    minLevel: Quantity
    notes: str | None
    retailPrice: Quantity | None
    wholesalePrice: Quantity | None
    ean: str | None
    minimumQuantity: Quantity
    reorderURLs: list[str]
    locationStockLevels: dict[str, Quantity]
    productionType: Literal["infinite", "single", "produced", "supplied", "bundle"]
    materials: list[MaterialRead]


class Pagination(ReadModel):
    totalCount: int
    offset: int
    limit: int


class ResourcePage(ReadModel):
    data: list[ResourceRead]
    pagination: Pagination


class LocationRead(ReadModel):
    id: str
    name: str
    isDefault: bool
    hideMaterials: bool
    address1: str | None
    address2: str | None
    city: str | None
    state: str | None
    zip: str | None
    country: str | None


class LocationPage(ReadModel):
    data: list[LocationRead]
    pagination: Pagination


class TaskProductRead(ReadModel):
    id: int
    name: str
    sku: str
    unitType: str
    stockLevel: Quantity
    type: Literal["product", "material"]


class TaskBatchRead(ReadModel):
    id: int
    UserId: str | None
    quantity: Quantity
    createdAt: Timestamp
    updatedAt: Timestamp


class TaskItemRead(ReadModel):
    id: int
    ResourceId: int
    quantity: Quantity
    unitType: str
    completed: bool
    Product: TaskProductRead
    Batches: list[TaskBatchRead]


class TaskRead(ReadModel):
    id: int
    name: str
    status: Literal["pending", "in-progress", "done", "cancelled"]
    order: int
    LocationId: str
    UserId: str | None
    due: Timestamp | None
    completedAt: Timestamp | None
    notes: str | None
    createdAt: Timestamp
    updatedAt: Timestamp
    Items: list[TaskItemRead]


class TaskPage(ReadModel):
    data: list[TaskRead]
    pagination: Pagination


class BatchRead(ReadModel):
    id: int
    TaskResourceId: int
    UserId: str | None
    quantity: Quantity
    createdAt: Timestamp
    updatedAt: Timestamp
