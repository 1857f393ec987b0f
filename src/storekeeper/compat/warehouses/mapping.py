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
