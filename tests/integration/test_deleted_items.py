"""Items that go to the trash while stock work is under way."""

from __future__ import annotations

import pytest

from storekeeper.domain.errors import NotFound
from storekeeper.services.context import SystemActor
from storekeeper.services.ledger import Ledger


@pytest.fixture
def stocked(api):
    api.post("/v1/locations", json={"name": "Main"})
    item = api.post("/v1/items", json={"sku": "TRASHED", "name": "Soon deleted"}).json()
    received = api.post("/v1/stock/adjustments", json={"item": item["id"], "reason": "receipt", "delta": 5})
    assert received.status_code == 201
    return item


def test_a_change_racing_a_delete_finds_the_item_gone_once_it_holds_the_lock(api, workspace, stocked):
    # The request looked the item up, then the item went to the trash before the ledger locked it.
    assert api.delete(f"/v1/items/{stocked['id']}").status_code == 204
    with pytest.raises(NotFound), workspace.db.write() as conn:
        Ledger(conn, workspace.id, SystemActor(workspace.id).actor, False).lock([stocked["id"]])


def test_a_reservation_of_an_item_in_the_trash_cannot_ship_but_can_be_released(api, stocked):
    reservation = api.post("/v1/reservations", json={"item": stocked["id"], "quantity": 2}).json()
    assert api.delete(f"/v1/items/{stocked['id']}").status_code == 204
    r = api.post(f"/v1/reservations/{reservation['id']}/fulfil", json={})
    assert (r.status_code, r.json()["error"]["code"]) == (404, "ITEM_NOT_FOUND")
    released = api.post(f"/v1/reservations/{reservation['id']}/release")
    assert released.status_code == 200
    assert released.json()["status"] == "released"
