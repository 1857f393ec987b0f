"""Helpers of the concurrency tests: many real threads released together against the app, and
the few requests they make."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from tests.waiting import PATIENCE


def at_once(calls):
    """Run every call on a thread of its own, all starting together; their results in order."""
    start = threading.Barrier(len(calls), timeout=PATIENCE)

    def released(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [f.result() for f in [pool.submit(released, call) for call in calls]]


def body(response) -> dict:
    """The JSON body with exact quantities (JSON numbers as Decimal, never float)."""
    return response.json(parse_float=Decimal)


def new_location(api, name: str, **fields) -> str:
    r = api.post("/v1/locations", json={"name": name, **fields})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def new_item(api, sku: str, **fields) -> str:
    r = api.post("/v1/items", json={"sku": sku, "name": sku, **fields})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def adjust(api, item: str, location: str, reason: str, **change):
    return api.post("/v1/stock/adjustments", json={"item": item, "location": location, "reason": reason, **change})


def receive(api, item: str, location: str, quantity) -> None:
    r = adjust(api, item, location, "receipt", delta=str(quantity))
    assert r.status_code == 201, r.text


def shown(api, item: str) -> dict:
    """GET /v1/items/{item}, with exact quantities."""
    r = api.get(f"/v1/items/{item}")
    assert r.status_code == 200, r.text
    return body(r)


def on_hand_at(api, item: str, location: str) -> Decimal:
    return next((lv["on_hand"] for lv in shown(api, item)["locations"] if lv["location"] == location), Decimal(0))


def history(api, item: str, location: str) -> list[dict]:
    """The level's movements, oldest first."""
    r = api.get("/v1/stock/movements", params={"item": item, "location": location, "order": "asc", "limit": 1000})
    assert r.status_code == 200, r.text
    return body(r)["data"]
