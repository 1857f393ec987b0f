"""Storekeeper's rows in the multi-warehouse API's fields (seed 001): pure functions, tested on
the document's own examples."""

from __future__ import annotations

from typing import Any

OWN = "own"


def warehouse_type(location: dict[str, Any]) -> str:
    """`own`, or the fulfilment service an external location is (`FBA`, `FBS` …)."""
    if location["type"] != "external":
        return OWN
    return location.get("fulfilment") or "external"


def one_line(address: dict[str, Any] | None) -> str | None:
    """An address on one line, as the document writes it: "Industriestraße 1, 12345 Berlin, DE"."""
    if not address:
        return None
    town = " ".join(part for part in (address.get("postal_code"), address.get("city")) if part)
    parts = [address.get("line1"), address.get("line2"), town, address.get("region"), address.get("country")]
    return ", ".join(part for part in parts if part) or None


def warehouse(location: dict[str, Any]) -> dict[str, Any]:
    """A warehouse of `GET /api/inventory/warehouses`: the document's first example shows an own
    warehouse with its address, the second a read-only marketplace one with its marketplace;
    each field appears where the location has it."""
    out: dict[str, Any] = {"id": location["id"], "name": location["name"]}
    address = one_line(location.get("address"))
    if address:
        out["address"] = address
    out["type"] = warehouse_type(location)
    if location.get("marketplace"):
        out["marketplace"] = location["marketplace"]
    out["is_active"] = location["is_active"]
    if location["read_only"]:
        out["is_readonly"] = True
    return out


def level(place: dict[str, Any], location: dict[str, Any] | None) -> dict[str, Any]:
    """One warehouse of an inventory record. As in the document's example, `type` is shown for a
    fulfilment warehouse (`FBA`) and left out for an own one."""
    out = {"warehouse_id": place["location"], "name": place["name"], "on_hand": place["on_hand"],
           "reserved": place["reserved"], "available": place["on_hand"] - place["reserved"]}
    kind = warehouse_type(location) if location is not None else OWN
    if kind != OWN:
        out["type"] = kind
    return out


def inventory(row: dict[str, Any], places: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """An inventory record (`GET /api/inventory`, `…/{sku}`) from a stock row of the services
    (`inventory.list_stock`, `get_stock`); `places` are the workspace's locations by id."""
    return {
        "sku": row["sku"],
        "title": row["name"],
        "total_on_hand": row["on_hand"],
        "total_reserved": row["reserved"],
        "total_available": row["available"],
        "safety_stock": row["safety_stock"],
        "status": row["status"],
        "warehouses": [level(place, places.get(place["location"])) for place in row["locations"]],
    }


def shown_reason(movement: dict[str, Any]) -> str:
    """The reason an adjustment shows: the vendor's own words (`supplier_receipt`) where a client
    gave them, else Storekeeper's reason (`sale`, `count` …)."""
    return movement.get("label") or movement["reason"]


def adjustment(movement: dict[str, Any]) -> dict[str, Any]:
    """An adjustment of `GET /api/inventory/{sku}/adjustments` from a movement of the ledger."""
    return {
        "id": movement["id"],
        "sku": movement["sku"],
        "warehouse_id": movement["location_id"],
        "before_quantity": movement["before"],
        "after_quantity": movement["after"],
        "delta": movement["delta"],
        "reason": shown_reason(movement),
        "note": movement["note"],
        # The acting user's email, else the key's name (the ledger's actor names one of them).
        "created_by": movement["actor_name"],
        "created_at": movement["occurred_at"],
    }
