"""Units, locations, categories and tax rates."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints

from storekeeper.api.schemas.common import (
    Bool,
    MoneyIn,
    NumberInWorkspace,
    Quantity,
    ReadModel,
    ReadOnly,
    Timestamp,
    WriteModel,
)
from storekeeper.domain.quantities import format_quantity
from storekeeper.domain.units import UNITS

_BASE_UNITS = {"count": "pcs", "mass": "g", "length": "mm", "area": "sqm", "volume": "ml", "time": "s"}


class UnitRead(ReadModel):
    code: str
    name: str
    dimension: Literal["count", "mass", "length", "area", "volume", "time"]
    base_unit: str
    factor: Quantity | None = Field(description="How many base units one of this unit is; null: not convertible")
    aliases: list[str]


class UnitList(ReadModel):
    data: list[UnitRead]


def units_out() -> dict[str, Any]:
    return {
        "data": [
            {
                "code": u.code,
                "name": u.name,
                "dimension": u.dimension,
                "base_unit": _BASE_UNITS[u.dimension],
                "factor": u.factor,
                "aliases": list(u.aliases),
            }
            for u in UNITS
        ]
    }


LocationType = Literal["warehouse", "store", "production", "external"]
# A fulfilment service's short name as marketplaces write it (FBA, FBS, WFS, MCF …).
Fulfilment = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32,
                                              pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.-]*$")]
# Stripped before the length check, so that "   " is refused rather than stored as "".
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Address(WriteModel):
    line1: str | None = Field(None, max_length=200)
    line2: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    region: str | None = Field(None, max_length=100)
    postal_code: str | None = Field(None, max_length=20)
    country: str | None = Field(None, max_length=2, min_length=2, description="ISO 3166-1 alpha-2")


class _LocationReadOnly(WriteModel):
    id: ReadOnly = None
    version: ReadOnly = None
    created_at: ReadOnly = None
    updated_at: ReadOnly = None


class LocationCreate(_LocationReadOnly):
    name: Name
    type: LocationType = "warehouse"
    read_only: Bool = False
    marketplace: str | None = Field(None, max_length=100)
    fulfilment: Fulfilment | None = None
    address: Address | None = None
    is_default: Bool = False
    is_active: Bool = True
    hide_materials: Bool = False


class LocationUpdate(_LocationReadOnly):
    name: Name = None
    type: LocationType = None
    read_only: Bool = None
    marketplace: str | None = Field(None, max_length=100)
    fulfilment: Fulfilment | None = None
    address: Address | None = None
    is_default: Bool = None
    is_active: Bool = None
    hide_materials: Bool = None


class AddressRead(ReadModel):
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None


class LocationRead(ReadModel):
    id: str
    name: str
    type: LocationType
    read_only: bool
    marketplace: str | None
    fulfilment: str | None = Field(description="The fulfilment service an external location is: FBA, FBS, …")
    address: AddressRead | None
    is_default: bool
    is_active: bool
    hide_materials: bool
    version: int
    created_at: Timestamp
    updated_at: Timestamp


def location_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "type": row["type"],
        "read_only": row["read_only"],
        "marketplace": row["marketplace"],
        "fulfilment": row["fulfilment"],
        "address": {key: row["address"].get(key) for key in AddressRead.model_fields} if row["address"] else None,
        "is_default": row["is_default"],
        "is_active": row["is_active"],
        "hide_materials": row["hide_materials"],
        "version": row["version"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


class CategoryCreate(WriteModel):
    id: ReadOnly = None
    number: ReadOnly = None
    version: ReadOnly = None
    created_at: ReadOnly = None
    updated_at: ReadOnly = None
    name: Name
    parent: str | None = Field(None, max_length=40, description="Parent category id")


class CategoryUpdate(WriteModel):
    id: ReadOnly = None
    number: ReadOnly = None
    version: ReadOnly = None
    created_at: ReadOnly = None
    updated_at: ReadOnly = None
    name: Name = None
    parent: str | None = Field(None, max_length=40)


class CategoryRead(ReadModel):
    id: str
    number: NumberInWorkspace
    name: str
    parent: str | None
    version: int
    created_at: Timestamp
    updated_at: Timestamp


def category_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "number": row["number"],
        "name": row["name"],
        "parent": row["parent_id"],
        "version": row["version"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _rate_range(value: Decimal) -> Decimal:
    if not Decimal(0) <= value <= Decimal(1):
        raise ValueError("A tax rate is a fraction between 0 and 1 (0.19 for 19%).")
    return value


Rate = Annotated[MoneyIn, AfterValidator(_rate_range)]


class TaxRateCreate(WriteModel):
    id: ReadOnly = None
    number: ReadOnly = None
    version: ReadOnly = None
    created_at: ReadOnly = None
    updated_at: ReadOnly = None
    name: Name
    rate: Rate
    is_default: Bool = False


class TaxRateUpdate(WriteModel):
    id: ReadOnly = None
    number: ReadOnly = None
    version: ReadOnly = None
    created_at: ReadOnly = None
    updated_at: ReadOnly = None
    name: Name = None
    rate: Rate = None
    is_default: Bool = None


class TaxRateRead(ReadModel):
    id: str
    number: NumberInWorkspace
    name: str
    rate: str = Field(examples=["0.19"])
    is_default: bool
    version: int
    created_at: Timestamp
    updated_at: Timestamp


def tax_rate_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "number": row["number"],
        "name": row["name"],
        "rate": format_quantity(row["rate"]),
        "is_default": row["is_default"],
        "version": row["version"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
