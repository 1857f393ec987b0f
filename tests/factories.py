"""Make test data through the API, as a client would, and read errors back; `expire` moves
time on for reservations where waiting for it would make a test depend on the machine's speed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from storekeeper.domain.clock import utcnow
from storekeeper.persistence.tables import items, reservations


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


def expire(workspace, item_sku: str) -> None:
    """Move the item's reservations' expiry into the past, as time would: a test that waits for a
    real second fails on a busy machine, where the reads before it can take longer than that."""
    with workspace.db.write() as conn:
        ids = select(items.c.id).where(items.c.workspace_id == workspace.id, items.c.sku == item_sku)
        conn.execute(update(reservations).where(reservations.c.workspace_id == workspace.id,
                                                reservations.c.item_id.in_(ids))
                     .values(expires_at=utcnow() - timedelta(seconds=1)))
