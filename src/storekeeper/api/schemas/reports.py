"""Reports."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from storekeeper.api.schemas.common import Money, Quantity, ReadModel
from storekeeper.api.schemas.stock import Status
from storekeeper.domain.quantities import exact_product, format_money, round_money


class ValuationGroupRead(ReadModel):
    value: Money = Field(description="On hand times average cost, rounded to cents")
    levels: int = Field(description="Stock levels with stock (on hand not 0)")
    uncosted_levels: int = Field(description="Of those, levels whose item has no cost at all (not in value)")


class LocationValueRead(ValuationGroupRead):
    location: str
    name: str


class CategoryValueRead(ValuationGroupRead):
    category: str | None = Field(description="null: items without a category")
    name: str | None


class ValuationRead(ReadModel):
    currency: str
    total_value: Money
    levels: int
    uncosted_levels: int
    by_location: list[LocationValueRead]
    by_category: list[CategoryValueRead]


class ReorderRowRead(ReadModel):
    item: str
    sku: str
    name: str
    unit: str
    kind: str
    supplier: str | None
    status: Status
    on_hand: Quantity
    reserved: Quantity
    available: Quantity
    incoming: Quantity
    reorder_point: Quantity
    safety_stock: Quantity
    reorder_quantity: Quantity
    suggested_quantity: Quantity = Field(
        description="Fewest whole units that bring available + incoming above reorder point + safety stock; "
                    "at least reorder_quantity; 0 when incoming already covers it")
    unit_cost: Money | None = Field(description="Standard cost")
    estimated_cost: Money | None = Field(description="suggested_quantity times the standard (else average) cost")
    reorder_urls: list[str]


def _cents(value) -> str:
    return format_money(round_money(value))


def valuation_out(report: dict[str, Any]) -> dict[str, Any]:
    def group(row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "value": _cents(row["value"])}

    return {**report, "total_value": _cents(report["total_value"]),
            "by_location": [group(r) for r in report["by_location"]],
            "by_category": [group(r) for r in report["by_category"]]}


def reorder_out(row: dict[str, Any]) -> dict[str, Any]:
    cost = row["unit_cost"] if row["unit_cost"] is not None else row["average_cost"]
    return {
        "item": row["id"], "sku": row["sku"], "name": row["name"], "unit": row["unit"], "kind": row["kind"],
        "supplier": row["supplier"], "status": row["status"], "on_hand": row["on_hand"], "reserved": row["reserved"],
        "available": row["on_hand"] - row["reserved"], "incoming": row["incoming"],
        "reorder_point": row["reorder_point"], "safety_stock": row["safety_stock"],
        "reorder_quantity": row["reorder_quantity"], "suggested_quantity": row["suggested_quantity"],
        "unit_cost": format_money(row["unit_cost"]) if row["unit_cost"] is not None else None,
        "estimated_cost": _cents(exact_product(row["suggested_quantity"], cost)) if cost is not None else None,
        "reorder_urls": row["reorder_urls"],
    }
