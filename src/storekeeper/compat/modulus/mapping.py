"""Storekeeper's rows in the Inventory Manager API's fields (seed 003), and its bodies and filters
in Storekeeper's: pure functions, tested on the document's own examples
(tests/compat/modulus/test_mapping.py)."""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from typing import Any

from storekeeper.api import codec
from storekeeper.domain.clock import to_utc
from storekeeper.domain.quantities import round_money
from storekeeper.persistence.pagination import Page
from storekeeper.services.purchasing import total_cost

# The document's audit actions, as Storekeeper's audit log filter (services/feed.action_condition)
# finds them: an entry's action is `<resource>.<verb>`, and each verb is one of the four. A stock
# movement changes its item's quantity: an update, as the document's clients see a quantity.
MOVEMENT = "movement.created"
AUDIT_FILTERS = {
    "create": f"*.created,-{MOVEMENT}",
    "delete": "*.deleted,*.purged",
    "restore": "*.restored",
    "update": f"{MOVEMENT}|-*.created,-*.deleted,-*.purged,-*.restored",
}
_VERBS = {"created": "create", "deleted": "delete", "purged": "delete", "restored": "restore"}


# A transaction's type as Storekeeper's reason, and back (docs/dialects/modulus.md, "Transactions").
TRANSACTION_REASONS = {"receive": "receipt", "adjustment": "correction", "count": "count", "return": "return",
                       "sale": "sale", "loss": "loss", "damage": "damage", "theft": "theft"}
_TRANSACTION_TYPES = {reason: kind for kind, reason in TRANSACTION_REASONS.items()}


def timestamp(value: datetime) -> str:
    """As the document writes times: `2025-01-15T10:30:00Z`, UTC to the second."""
    return to_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def whole(value: Decimal) -> int | Decimal:
    """A quantity as the document's integer; one with a fraction (an item counted in kg) keeps it."""
    return int(value) if value == value.to_integral_value() else value.normalize()


def item(row: dict[str, Any], location_names: dict[str, str]) -> dict[str, Any]:
    """An item of `GET /v1/items`: `quantity` is the total on hand over every location,
    `location` the name of the item's home location (where new stock of it goes)."""
    home = row.get("home_location_id")
    return {
        "id": row["id"],
        "name": row["name"],
        "sku": row["sku"],
        "quantity": whole(row["on_hand"]),
        "location": location_names.get(home) if home else None,
        "barcode": row["barcode"],
        "reorder_point": whole(row["reorder_point"]),
        "created_at": timestamp(row["created_at"]),
        "updated_at": timestamp(row["updated_at"]),
    }


def item_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The fields a create or update body gives, as Storekeeper's item fields (`quantity` is
    stock, not a field: the caller records it). No reorder point is Storekeeper's 0."""
    fields = {name: body[name] for name in ("name", "sku", "barcode") if name in body}
    if "reorder_point" in body:
        fields["reorder_point"] = Decimal(body["reorder_point"] or 0)
    if "location" in body:
        fields["home_location"] = body["location"]
    return fields


def new_item(body: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/items` as Storekeeper's item: its quantity as initial stock at its location,
    which becomes its home location."""
    fields = item_fields(body)
    quantity = body.get("quantity") or 0
    if quantity:
        fields["initial_stock"] = [{"location": body.get("location"), "quantity": Decimal(quantity)}]
    return fields


def order_fields(body: dict[str, Any]) -> dict[str, Any]:
    """`POST /v1/orders` as Storekeeper's purchase order (a draft)."""
    lines = []
    for line in body["line_items"]:
        entry: dict[str, Any] = {"item": line["item_id"], "quantity": Decimal(line["quantity"])}
        if line.get("unit_cost") is not None:
            entry["unit_cost"] = line["unit_cost"]
        lines.append(entry)
    return {"supplier": body["supplier"], "location": body.get("location"), "lines": lines}


def order(row: dict[str, Any], location_names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "number": row["number"],
        "supplier": row["supplier"],
        "status": row["status"],
        "location": location_names.get(row["location_id"]),
        "line_items": [
            {"id": line["id"], "item_id": line["item_id"], "sku": line["sku"], "name": line["name"],
             "quantity": whole(line["quantity"]), "received_quantity": whole(line["received_quantity"]),
             "unit_cost": line["unit_cost"].normalize() if line["unit_cost"] is not None else None}
            for line in row["lines"]
        ],
        "total": round_money(total_cost(row["lines"]), 6).normalize(),
        "created_at": timestamp(row["created_at"]),
        "updated_at": timestamp(row["updated_at"]),
    }


def audit_action(action: str) -> str:
    """Storekeeper's `<resource>.<verb>` as the document's create, update, delete or restore:
    every verb that is not a creation, deletion (or purge) or restoration changes something, and
    so does a stock movement (its item's quantity)."""
    return "update" if action == MOVEMENT else _VERBS.get(action.rsplit(".", 1)[-1], "update")


def audit_entry(row: dict[str, Any]) -> dict[str, Any]:
    """An audit entry; `item_id` is the item it is about: the item's own entries, and the item
    whose stock a movement changed."""
    changes = codec.loads(row["changes"]) if isinstance(row["changes"], str | bytes) else row["changes"]
    item_id = None
    if row["resource_type"] == "item":
        item_id = row["resource_id"]
    elif row["resource_type"] == "movement":
        item_id = (changes.get("item") or [None, None])[1]
    return {
        "id": row["id"],
        "action": audit_action(row["action"]),
        "item_id": item_id,
        "user_id": row["actor_id"],
        "user_name": row["actor_name"],
        "resource_type": row["resource_type"],
        "resource_id": row["resource_id"],
        "event": row["action"],
        "changes": changes,
        "created_at": timestamp(row["created_at"]),
    }


def snapshot(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "created_at": timestamp(row["created_at"]), "note": row["note"]}


def pagination(page: Page, offset: int) -> dict[str, Any]:
    return {"total": page.total, "limit": page.limit, "offset": offset, "has_more": page.has_more}


def reset_at(seconds: int, now: datetime) -> int:
    """`X-RateLimit-Reset` as the document writes it: the Unix time when the limit is full again
    (Storekeeper's own header says how many seconds until then)."""
    return math.ceil(to_utc(now).timestamp()) + seconds


def transaction(movement: dict[str, Any], location_names: dict[str, str]) -> dict[str, Any]:
    """A movement of the ledger as a transaction: its reason as the document's type where it has
    one (`receipt` is `receive`), else Storekeeper's own (`transfer_in`, `initial` …)."""
    return {
        "id": movement["id"],
        "item_id": movement["item_id"],
        "sku": movement["sku"],
        "type": _TRANSACTION_TYPES.get(movement["reason"], movement["reason"]),
        "quantity": whole(movement["delta"]),
        "quantity_after": whole(movement["after"]),
        "location": location_names.get(movement["location_id"]),
        "note": movement["note"],
        "user_id": movement["actor_id"],
        "created_at": timestamp(movement["occurred_at"]),
    }
