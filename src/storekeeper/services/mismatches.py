"""A rule of `storekeeper check` found broken (services/check.py, check_totals.py), and the
workspace scope its queries share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select


@dataclass(frozen=True)
class Mismatch:
    workspace_id: str
    rule: str
    item_id: str
    location_id: str | None
    recorded: Decimal | datetime | None
    expected: Decimal | datetime | None
    # For people reading the report: the item's SKU and the location's name.
    sku: str | None = None
    location_name: str | None = None

    def __str__(self) -> str:
        if not self.item_id:  # a rule about the workspace or a location, not one item
            where = ""
            if self.location_id is not None:
                where = (f" at {self.location_name} ({self.location_id})" if self.location_name is not None
                         else f" at {self.location_id}")
            return f"{self.workspace_id}: {self.rule}{where}: recorded {self.recorded}, expected {self.expected}"
        where = f"item {self.sku} ({self.item_id})" if self.sku is not None else f"item {self.item_id}"
        if self.location_id is not None:
            where += (f" at {self.location_name} ({self.location_id})" if self.location_name is not None
                      else f" at {self.location_id}")
        if self.recorded is None and self.expected is None:  # a rule of a reference, not a quantity
            return f"{self.workspace_id}: {self.rule}: {where}"
        return f"{self.workspace_id}: {self.rule}: {where}: recorded {self.recorded}, expected {self.expected}"


def scoped(stmt: Select, column, workspace_id: str | None) -> Select:
    return stmt.where(column == workspace_id) if workspace_id else stmt
