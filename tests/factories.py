"""Make test data through the API, as a client would, and read errors back."""

from __future__ import annotations


def error(r) -> tuple[int, str]:
    """(status, error code) of an error response."""
    return r.status_code, r.json()["error"]["code"]


def location(api, name: str, **fields) -> dict:
    r = api.post("/v1/locations", json={"name": name, **fields})
    assert r.status_code == 201, r.text
    return r.json()


def item(api, sku: str, **fields) -> dict:
    fields.setdefault("name", f"Item {sku}")
    r = api.post("/v1/items", json={"sku": sku, **fields})
    assert r.status_code == 201, r.text
    return r.json()
