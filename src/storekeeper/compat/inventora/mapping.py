"""Storekeeper's rows in the Inventora API's fields (seed 002), and its request bodies as
Storekeeper's changes: pure functions, tested on the document's own examples.

Products and materials are items of kind `product` and `material`; tasks are production
orders, their items the orders' lines, their batches production batches; custom statuses are
custom reasons. Which id the client sees is decided in one place, compat/inventora/ids.py.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from storekeeper.compat.inventora.ids import vendor_id
from storekeeper.domain.errors import BadRequest, Code
from storekeeper.domain.units import convert, resolve_unit

# Each unit as the document writes it (its list of unitType values). `pack` has no name there.
UNIT_TYPES = {
    "pcs": "pieces", "case": "cases",
    "lb": "weight.lbs", "oz": "weight.oz", "kg": "weight.kg", "g": "weight.grams", "mg": "weight.mg",
    "ct": "weight.ct", "gr": "weight.gr",
    "ft": "length.ft", "yd": "length.yd", "in": "length.in", "m": "length.m", "cm": "length.cm", "mm": "length.mm",
    "sqft": "area.sqft", "sqin": "area.sqin", "sqm": "area.sqm", "sqcm": "area.sqcm",
    "floz": "volume.oz", "pt": "volume.pt", "qt": "volume.qt", "gal": "volume.ga", "ml": "volume.ml",
    "l": "volume.liters", "bdft": "volume.bdft", "cuin": "volume.cuin", "cuft": "volume.cuft", "cuyd": "volume.cuyd",
    "cm3": "volume.cm3", "m3": "volume.m3", "tsp": "volume.tsp", "tbsp": "volume.tbsp", "cup": "volume.cup",
    "s": "time.seconds", "min": "time.minutes", "h": "time.hours", "d": "time.days",
}
BUNDLES = "bundles"  # a bundle's unitType: read-only, it is no unit
STATUSES = {"pending": "pending", "in_progress": "in-progress", "done": "done", "cancelled": "cancelled"}
UPDATE_REASONS = {"audit": "count", "restock": "receipt", "loss": "loss"}


class Refused(BadRequest):
    """A request the document's rules refuse (400), in its words."""

    code = Code.INVALID_REQUEST


def unit_type(unit: str, tracking: str = "quantity") -> str:
    """`weight.lbs` for `lb`; `bundles` for a bundle, whatever its unit."""
    if tracking == "bundle":
        return BUNDLES
    return UNIT_TYPES.get(unit, unit)


def unit_code(name: str) -> str:
    """The unit a unitType names (`weight.lbs` → `lb`)."""
    return resolve_unit(name).code


def production_type(tracking: str, has_bill: bool) -> str:
    """`infinite` never runs out (tracking none), `bundle` is made up of others, `produced` has a
    bill of materials, `supplied` is bought in. `single` (one of a kind) has no Storekeeper
    counterpart and is never shown."""
    if tracking == "none":
        return "infinite"
    if tracking == "bundle":
        return "bundle"
    return "produced" if has_bill else "supplied"


def material(component: dict[str, Any]) -> dict[str, Any]:
    """A line of a bill of materials: the component, and `quantityUsed` per unit made, in the
    component's own unit (250 g of a wax kept in lb is 0.551156)."""
    return {
        "id": vendor_id(component, "component_number"),
        "name": component["name"],
        "sku": component["sku"],
        "unitType": unit_type(component["component_unit"], component["component_tracking"]),
        "unitPrice": component["component_unit_cost"],
        "stockLevel": component["component_on_hand"],
        "minLevel": component["component_reorder_point"],
        "quantityUsed": convert(component["quantity"], component["unit"], component["component_unit"]),
    }


def resource(row: dict[str, Any]) -> dict[str, Any]:
    """A product or a material, from an item with its `locations` and `components`."""
    components = row.get("components") or []
    return {
        "id": vendor_id(row),
        "name": row["name"],
        "sku": row["sku"],
        "stockLevel": row["on_hand"],
        "unitType": unit_type(row["unit"], row["tracking"]),
        "unitPrice": row["unit_cost"],
        "minLevel": row["reorder_point"],
        "notes": row["description"],
        "retailPrice": row["retail_price"],
        "wholesalePrice": row["wholesale_price"],
        "ean": row["barcode"],
        "minimumQuantity": row["reorder_quantity"],
        "reorderURLs": row["reorder_urls"],
        "locationStockLevels": {level["location_name"]: level["on_hand"] for level in row.get("locations") or []},
        "productionType": production_type(row["tracking"], bool(components)),
        "materials": [material(c) for c in components if c["component_deleted_at"] is None],
    }


# The document's fields of a product or material, as the item's.
RESOURCE_FIELDS = {
    "name": "name", "sku": "sku", "unitPrice": "unit_cost", "minLevel": "reorder_point", "notes": "description",
    "retailPrice": "retail_price", "wholesalePrice": "wholesale_price", "ean": "barcode",
    "minimumQuantity": "reorder_quantity", "reorderURLs": "reorder_urls",
}


def resource_changes(body: dict[str, Any], tracking: str) -> dict[str, Any]:
    """A PATCH body as the item's changes. `unitType` cannot turn an item into a bundle or a
    bundle into anything else (the document's rule); `reorderURLs: null` empties the list."""
    changes = {RESOURCE_FIELDS[name]: value for name, value in body.items() if name in RESOURCE_FIELDS}
    if "reorder_urls" in changes and changes["reorder_urls"] is None:
        changes["reorder_urls"] = []
    if "unitType" in body:
        wanted = body["unitType"]
        if (wanted == BUNDLES) != (tracking == "bundle"):
            raise Refused("The unitType field cannot be changed to or from bundle.")
        if wanted != BUNDLES:
            changes["unit"] = unit_code(wanted)
    return changes


def stock_change(update_type: str, quantity: Decimal, custom: tuple[str, str] | None = None) -> dict[str, Any]:
    """A stock-level update as an adjustment's `reason` and `delta` or `set_to`: audit sets the
    level (a count), restock adds (a receipt), loss takes away; custom, `(code, direction)` of
    its status (a custom reason), goes the status's way: in adds, out takes away, and a status
    that goes either way adds the signed quantity."""
    if update_type == "audit":
        if quantity < 0:
            raise Refused("quantity: an audit sets the stock level, which cannot be negative.")
        return {"reason": UPDATE_REASONS["audit"], "set_to": quantity}
    if update_type == "custom":
        if custom is None:
            raise Refused("customStatusId: required when updateType is custom.")
        reason, direction = custom
        if direction == "any":
            if quantity == 0:
                raise Refused("quantity: must not be 0.")
            return {"reason": reason, "delta": quantity}
        adds = direction == "in"
    else:
        reason, adds = UPDATE_REASONS[update_type], update_type == "restock"
    if quantity <= 0:
        raise Refused(f"quantity: must be greater than 0 for updateType {update_type}.")
    return {"reason": reason, "delta": quantity if adds else -quantity}


def location(row: dict[str, Any]) -> dict[str, Any]:
    address = row.get("address") or {}
    return {
        "id": row["id"],
        "name": row["name"],
        "isDefault": row["is_default"],
        "hideMaterials": row["hide_materials"],
        "address1": address.get("line1"),
        "address2": address.get("line2"),
        "city": address.get("city"),
        "state": address.get("region"),
        "zip": address.get("postal_code"),
        "country": address.get("country"),
    }


def timestamp(moment: datetime | None) -> str | None:
    """The document's `2024-03-15T10:00:00Z`; milliseconds only where there are some."""
    if moment is None:
        return None
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{moment.microsecond // 1000:03d}Z" if moment.microsecond >= 1000 else f"{text}Z"


def task_batch(batch: dict[str, Any], user_id: str | None) -> dict[str, Any]:
    """A batch as a task item lists it. Batches are never changed, so updatedAt is createdAt."""
    return {"id": vendor_id(batch), "UserId": user_id, "quantity": batch["quantity"],
            "createdAt": timestamp(batch["created_at"]), "updatedAt": timestamp(batch["created_at"])}


def batch_created(batch: dict[str, Any], line_id: int, user_id: str | None) -> dict[str, Any]:
    """A batch just made for the task item (line) `line_id`, as the client numbers it."""
    return {"id": vendor_id(batch), "TaskResourceId": line_id, "UserId": user_id,
            "quantity": batch["quantity"], "createdAt": timestamp(batch["created_at"]),
            "updatedAt": timestamp(batch["created_at"])}


def task_item(line: dict[str, Any], makers: dict[str, str | None]) -> dict[str, Any]:
    """A line of a production order; `makers`: the user who made each batch (None: a key)."""
    unit = unit_type(line["unit"], line["tracking"])
    return {
        "id": vendor_id(line),
        "ResourceId": vendor_id(line, "item_number"),
        "quantity": line["quantity"],
        "unitType": unit,
        "completed": line["produced_quantity"] >= line["quantity"],
        "Product": {"id": vendor_id(line, "item_number"), "name": line["name"], "sku": line["sku"], "unitType": unit,
                    "stockLevel": line["on_hand"], "type": line["kind"]},
        "Batches": [task_batch(batch, makers.get(batch["id"])) for batch in line["batches"]],
    }


def task(order: dict[str, Any], makers: dict[str, str | None]) -> dict[str, Any]:
    return {
        "id": vendor_id(order),
        "name": order["name"],
        "status": STATUSES[order["status"]],
        "order": order["position"],
        "LocationId": order["location_id"],
        "UserId": order["assignee_id"],
        "due": timestamp(order["due"]),
        "completedAt": timestamp(order["completed_at"]),
        "notes": order["notes"],
        "createdAt": timestamp(order["created_at"]),
        "updatedAt": timestamp(order["updated_at"]),
        "Items": [task_item(line, makers) for line in order["lines"]],
    }


def assignee(body: dict[str, Any]) -> tuple[bool, str | None]:
    """(given, user) of a task body: `Assignee`, or its alternative `UserId`; both given, they
    must name the same user reference."""
    given = [name for name in ("Assignee", "UserId") if name in body]
    if not given:
        return False, None
    values = {body[name] for name in given}
    if len(values) > 1:
        raise Refused("Assignee and UserId name different users: give one of them.")
    return True, values.pop()


def order_status(status: str) -> str:
    """A task's status as the production order's (`in-progress` → `in_progress`)."""
    return next(core for core, vendor in STATUSES.items() if vendor == status)


TASK_FIELDS = {"name": "name", "due": "due", "notes": "notes", "LocationId": "location"}


def task_changes(body: dict[str, Any]) -> dict[str, Any]:
    """A task's PATCH (or the order fields of a create) as the production order's changes."""
    changes = {TASK_FIELDS[name]: value for name, value in body.items() if name in TASK_FIELDS}
    if "status" in body:
        changes["status"] = order_status(body["status"]) if body["status"] is not None else None
    given, user = assignee(body)
    if given:
        changes["assignee"] = user
    return changes


def task_lines(items: list[dict[str, Any]], item_ids: dict[int, str]) -> list[dict[str, Any]]:
    """A task's Items as order lines: `item_ids` maps each ProductId to its item's id. A line
    without a unitType is in the item's own unit."""
    lines = []
    for entry in items:
        line = {"item": item_ids[entry["ProductId"]], "quantity": entry["quantity"]}
        if entry.get("unitType") is not None:
            if entry["unitType"] == BUNDLES:
                raise Refused("Items[].unitType: bundles is no unit a quantity can be given in.")
            line["unit"] = unit_code(entry["unitType"])
        lines.append(line)
    return lines


def pagination(total: int | None, offset: int, limit: int) -> dict[str, Any]:
    return {"totalCount": total, "offset": offset, "limit": limit}
