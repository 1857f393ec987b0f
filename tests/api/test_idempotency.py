"""Idempotency-Key (SPEC §2): the first response to a key is kept 24 hours per API key and
replayed for a repeat; a replay never applies a change twice; the key with another request is
refused; the stored response commits together with the change it answers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from storekeeper.api.routers.api_keys import router as api_keys_router
from storekeeper.api.routers.stock import router as stock_router
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.domain.clock import utcnow
from storekeeper.persistence.tables import idempotency_keys, movements
from storekeeper.services import idempotency
from storekeeper.services.idempotency import ABANDONED_AFTER, Claim

CLIENTS = 16
REPLAYED = "Idempotent-Replayed"


def error(r) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


def keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


def location(api, name: str = "Main") -> dict:
    r = api.post("/v1/locations", json={"name": name})
    assert r.status_code == 201, r.text
    return r.json()


def item(api, sku: str) -> dict:
    r = api.post("/v1/items", json={"sku": sku, "name": sku.title()})
    assert r.status_code == 201, r.text
    return r.json()


def receipt(sku: str, delta: int | str = 5) -> dict:
    return {"item": sku, "reason": "receipt", "delta": delta}


def on_hand(api, sku: str):
    return api.get(f"/v1/stock/{sku}").json()["on_hand"]


def movement_count(workspace) -> int:
    with workspace.db.read() as conn:
        return conn.execute(select(func.count()).select_from(movements)
                            .where(movements.c.workspace_id == workspace.id)).scalar_one()


def records(workspace) -> list[dict]:
    with workspace.db.read() as conn:
        return [dict(r) for r in conn.execute(
            select(idempotency_keys).where(idempotency_keys.c.workspace_id == workspace.id)).mappings()]


def key_id(api) -> str:
    return api.get("/v1/me").json()["key"]["id"]


def change_record(workspace, key: str, **values) -> None:
    with workspace.db.write() as conn:
        conn.execute(update(idempotency_keys)
                     .where(idempotency_keys.c.workspace_id == workspace.id, idempotency_keys.c.key == key)
                     .values(**values))


def assert_replay_of(first, repeat) -> None:
    assert REPLAYED not in first.headers
    assert repeat.headers[REPLAYED] == "true"
    assert repeat.status_code == first.status_code
    assert repeat.content == first.content


# Replays


def test_a_repeated_adjustment_is_replayed_and_applied_once(workspace):
    api = workspace.api
    location(api)
    item(api, "LAMP")
    first = api.post("/v1/stock/adjustments", json=receipt("LAMP"), headers=keyed("receipt-1"))
    assert first.status_code == 201, first.text
    repeat = api.post("/v1/stock/adjustments", json=receipt("LAMP"), headers=keyed("receipt-1"))
    assert_replay_of(first, repeat)
    assert repeat.headers["content-type"] == "application/json"
    assert movement_count(workspace) == 1
    assert on_hand(api, "LAMP") == 5


def test_the_same_body_written_another_way_is_the_same_request(workspace):
    api = workspace.api
    location(api)
    item(api, "LAMP")
    first = api.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "receipt", "delta": 5},
                     headers=keyed("k"))
    repeat = api.request("POST", "/v1/stock/adjustments", headers={**keyed("k"), "Content-Type": "application/json"},
                         content=b'{ "delta": 5,\n  "reason": "receipt", "item": "LAMP" }')
    assert_replay_of(first, repeat)
    assert movement_count(workspace) == 1


def test_a_repeat_that_sends_the_api_key_another_way_is_the_same_request(workspace):
    api = workspace.api
    location(api)
    item(api, "LAMP")
    first = api.post("/v1/stock/adjustments", json=receipt("LAMP"), headers=keyed("k"))
    repeat = api.client.post("/v1/stock/adjustments", params={"api_key": workspace.key}, json=receipt("LAMP"),
                             headers=keyed("k"))
    assert_replay_of(first, repeat)
    assert movement_count(workspace) == 1


def test_a_repeated_item_creation_is_replayed_with_the_same_id(api):
    body = {"sku": "DESK", "name": "Desk"}
    first = api.post("/v1/items", json=body, headers=keyed("create-desk"))
    assert first.status_code == 201, first.text
    repeat = api.post("/v1/items", json=body, headers=keyed("create-desk"))
    assert_replay_of(first, repeat)
    assert repeat.headers["etag"] == first.headers["etag"] == '"1"'
    assert api.get("/v1/items", params={"sku": "DESK"}).json()["meta"]["total"] == 1


def test_a_repeated_item_update_is_replayed_and_bumps_the_version_once(api):
    created = item(api, "DESK")
    path = f"/v1/items/{created['id']}"
    first = api.patch(path, json={"name": "Standing desk"}, headers=keyed("rename"))
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 2
    repeat = api.patch(path, json={"name": "Standing desk"}, headers=keyed("rename"))
    assert_replay_of(first, repeat)
    assert repeat.headers["etag"] == '"2"'
    assert api.get(path).json()["version"] == 2


def test_a_replay_answers_what_was_answered_then_even_after_later_changes(api):
    created = item(api, "DESK")
    path = f"/v1/items/{created['id']}"
    first = api.patch(path, json={"name": "Standing desk"}, headers=keyed("rename"))
    api.patch(path, json={"name": "Sitting desk"})
    repeat = api.patch(path, json={"name": "Standing desk"}, headers=keyed("rename"))
    assert_replay_of(first, repeat)
    assert api.get(path).json()["name"] == "Sitting desk"


def test_a_repeated_location_deletion_is_replayed_as_204(api):
    location(api)
    spare = location(api, "Spare")
    first = api.delete(f"/v1/locations/{spare['id']}", headers=keyed("drop-spare"))
    assert first.status_code == 204, first.text
    repeat = api.delete(f"/v1/locations/{spare['id']}", headers=keyed("drop-spare"))
    assert_replay_of(first, repeat)
    assert repeat.content == b""
    assert error(api.delete(f"/v1/locations/{spare['id']}")) == (404, "LOCATION_NOT_FOUND")


def test_a_repeated_fulfilment_ships_once(workspace):
    api = workspace.api
    location(api)
    item(api, "LAMP")
    api.post("/v1/stock/adjustments", json=receipt("LAMP", 10))
    reservation = api.post("/v1/reservations", json={"item": "LAMP", "quantity": 6}).json()
    path = f"/v1/reservations/{reservation['id']}/fulfil"
    first = api.post(path, json={"quantity": 2}, headers=keyed("ship-1"))
    assert first.status_code == 200, first.text
    repeat = api.post(path, json={"quantity": 2}, headers=keyed("ship-1"))
    assert_replay_of(first, repeat)
    assert movement_count(workspace) == 2
    shown = api.get(f"/v1/reservations/{reservation['id']}").json()
    assert (shown["fulfilled_quantity"], shown["remaining"]) == (2, 4)
    assert on_hand(api, "LAMP") == 8
    second = api.post(path, json={"quantity": 2}, headers=keyed("ship-2"))
    assert REPLAYED not in second.headers
    assert api.get(f"/v1/reservations/{reservation['id']}").json()["remaining"] == 2


def test_a_replayed_api_key_creation_never_shows_or_stores_the_secret(workspace):
    api = workspace.api
    body = {"name": "shop", "scopes": ["stock:read"]}
    first = api.post("/v1/api-keys", json=body, headers=keyed("new-key"))
    assert first.status_code == 201, first.text
    secret = first.json()["key"]
    assert secret.startswith("sk_")
    repeat = api.post("/v1/api-keys", json=body, headers=keyed("new-key"))
    assert repeat.status_code == 201
    assert repeat.headers[REPLAYED] == "true"
    assert repeat.json() == first.json() | {"key": None}
    assert [k["name"] for k in api.get("/v1/api-keys").json()["data"]].count("shop") == 1
    stored = repr(records(workspace))
    assert secret not in stored
    assert secret[len(first.json()["prefix"]):] not in stored, "not even the part past the public prefix"
    assert '"key":null' in stored


def test_reads_ignore_the_key(workspace):
    api = workspace.api
    assert api.get("/v1/items", headers=keyed("read")).status_code == 200
    assert REPLAYED not in api.get("/v1/items", headers=keyed("read")).headers
    assert records(workspace) == []


# Refusals


def test_the_same_key_with_another_body_is_refused_and_applies_nothing(workspace):
    api = workspace.api
    location(api)
    item(api, "LAMP")
    api.post("/v1/stock/adjustments", json=receipt("LAMP", 5), headers=keyed("k"))
    other = api.post("/v1/stock/adjustments", json=receipt("LAMP", 6), headers=keyed("k"))
    assert error(other) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert REPLAYED not in other.headers
    elsewhere = api.post("/v1/items", json={"sku": "DESK", "name": "Desk"}, headers=keyed("k"))
    assert error(elsewhere) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert movement_count(workspace) == 1
    assert on_hand(api, "LAMP") == 5
    assert api.get("/v1/items", params={"sku": "DESK"}).json()["data"] == []


def test_keys_belong_to_one_api_key(workspace, other_workspace):
    api = workspace.api
    location(api)
    item(api, "LAMP")
    colleague = workspace.key_with("stock:write")
    mine = api.post("/v1/stock/adjustments", json=receipt("LAMP"), headers=keyed("shared"))
    theirs = colleague.post("/v1/stock/adjustments", json=receipt("LAMP"), headers=keyed("shared"))
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert REPLAYED not in theirs.headers
    assert theirs.json()["movement"]["id"] != mine.json()["movement"]["id"]
    assert on_hand(api, "LAMP") == 10
    stranger = other_workspace.api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp"}, headers=keyed("shared"))
    assert stranger.status_code == 201
    assert REPLAYED not in stranger.headers


def test_a_refused_request_is_replayed_as_the_same_refusal_even_after_stock_arrives(workspace):
    api = workspace.api
    location(api)
    item(api, "LAMP")
    sale = {"item": "LAMP", "reason": "sale", "delta": -3}
    first = api.post("/v1/stock/adjustments", json=sale, headers=keyed("sale-1"))
    assert error(first) == (422, "NEGATIVE_QUANTITY")
    api.post("/v1/stock/adjustments", json=receipt("LAMP", 10))
    repeat = api.post("/v1/stock/adjustments", json=sale, headers=keyed("sale-1"))
    assert_replay_of(first, repeat)
    assert on_hand(api, "LAMP") == 10
    assert movement_count(workspace) == 1


def test_a_request_refused_before_it_ran_is_not_recorded(workspace):
    api = workspace.api
    location(api)
    invalid = api.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "receipt"}, headers=keyed("k"))
    assert error(invalid) == (422, "VALIDATION_ERROR")
    reader = workspace.key_with("stock:read")
    assert error(reader.post("/v1/stock/adjustments", json=receipt("LAMP"), headers=keyed("k"))) == (
        403, "INSUFFICIENT_SCOPE")
    assert records(workspace) == []


@pytest.mark.parametrize("key", ["has space", "", "x" * 256, "tab\there", "é"])
def test_an_invalid_key_is_refused_and_nothing_is_applied(workspace, key):
    api = workspace.api
    location(api)
    item(api, "LAMP")
    r = api.request("POST", "/v1/stock/adjustments", json=receipt("LAMP"),
                    headers={"Idempotency-Key": key.encode()})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "Idempotency-Key" in r.json()["error"]["fields"]
    assert movement_count(workspace) == 0
    assert records(workspace) == []


def test_a_key_of_255_printable_characters_is_accepted(workspace):
    api = workspace.api
    location(api)
    item(api, "LAMP")
    key = "k!~" + "x" * 252
    first = api.post("/v1/stock/adjustments", json=receipt("LAMP"), headers=keyed(key))
    assert first.status_code == 201, first.text
    assert_replay_of(first, api.post("/v1/stock/adjustments", json=receipt("LAMP"), headers=keyed(key)))


# In flight, abandoned, expired


def fingerprint_of_a_receipt(workspace, sku: str) -> str:
    """What the server records for `POST /v1/stock/adjustments` with `receipt(sku)`: one such
    request is made under a throwaway key, and its record read back."""
    workspace.api.post("/v1/stock/adjustments", json=receipt(sku), headers=keyed("probe"))
    return next(r["fingerprint"] for r in records(workspace) if r["key"] == "probe")


def test_a_repeat_while_the_first_is_in_flight_is_refused_as_in_use(workspace):
    api = workspace.api
    location(api)
    item(api, "LAMP")
    fingerprint = fingerprint_of_a_receipt(workspace, "LAMP")
    assert idempotency.claim(workspace.db, Claim(workspace.id, key_id(api), "busy"), fingerprint) is None
    r = api.post("/v1/stock/adjustments", json=receipt("LAMP"), headers=keyed("busy"))
    assert error(r) == (409, "IDEMPOTENCY_KEY_IN_USE")
    assert on_hand(api, "LAMP") == 5, "only the probe was applied"
    other = api.post("/v1/stock/adjustments", json=receipt("LAMP", 9), headers=keyed("busy"))
    assert error(other) == (422, "IDEMPOTENCY_KEY_REUSED")


def test_a_claim_abandoned_by_a_dead_request_is_taken_over(workspace):
    api = workspace.api
    location(api)
    item(api, "LAMP")
    fingerprint = fingerprint_of_a_receipt(workspace, "LAMP")
    idempotency.claim(workspace.db, Claim(workspace.id, key_id(api), "orphan"), fingerprint)
    change_record(workspace, "orphan", created_at=utcnow() - ABANDONED_AFTER - timedelta(seconds=1))
    r = api.post("/v1/stock/adjustments", json=receipt("LAMP"), headers=keyed("orphan"))
    assert r.status_code == 201, r.text
    assert REPLAYED not in r.headers
    assert on_hand(api, "LAMP") == 10
    assert_replay_of(r, api.post("/v1/stock/adjustments", json=receipt("LAMP"), headers=keyed("orphan")))


def test_a_record_past_its_24_hours_no_longer_replays(workspace):
    api = workspace.api
    location(api)
    item(api, "LAMP")
    first = api.post("/v1/stock/adjustments", json=receipt("LAMP"), headers=keyed("old"))
    (record,) = records(workspace)
    assert record["expires_at"] - record["created_at"] == timedelta(hours=24)
    change_record(workspace, "old", expires_at=utcnow() - timedelta(seconds=1))
    again = api.post("/v1/stock/adjustments", json=receipt("LAMP"), headers=keyed("old"))
    assert again.status_code == 201
    assert REPLAYED not in again.headers
    assert again.json()["movement"]["id"] != first.json()["movement"]["id"]
    assert on_hand(api, "LAMP") == 10


def test_expired_records_are_purged_and_fresh_ones_kept(workspace):
    api = workspace.api
    location(api)
    item(api, "LAMP")
    api.post("/v1/stock/adjustments", json=receipt("LAMP"), headers=keyed("old"))
    api.post("/v1/stock/adjustments", json=receipt("LAMP"), headers=keyed("fresh"))
    change_record(workspace, "old", expires_at=utcnow() - timedelta(seconds=1))
    assert idempotency.purge_expired(workspace.db) >= 1
    assert [r["key"] for r in records(workspace)] == ["fresh"]


# Atomicity and races


def test_the_change_and_its_stored_response_commit_together_or_not_at_all(workspace, monkeypatch):
    """The one deliberate fault: storing the response fails after the endpoint ran, inside the
    transaction. The change must roll back with it, and the key must be free for a retry."""
    api = workspace.api
    location(api)
    item(api, "LAMP")

    def disk_full(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(idempotency, "complete", disk_full)
    with pytest.raises(RuntimeError, match="disk full"):
        api.post("/v1/stock/adjustments", json=receipt("LAMP"), headers=keyed("atomic"))
    monkeypatch.undo()

    assert movement_count(workspace) == 0
    assert on_hand(api, "LAMP") == 0
    assert records(workspace) == []
    retry = api.post("/v1/stock/adjustments", json=receipt("LAMP"), headers=keyed("atomic"))
    assert retry.status_code == 201, retry.text
    assert REPLAYED not in retry.headers
    assert movement_count(workspace) == 1


def test_concurrent_repeats_of_one_key_apply_exactly_once(workspace):
    api = workspace.api
    location(api)
    item(api, "LAMP")

    def send():
        return api.post("/v1/stock/adjustments", json=receipt("LAMP", 3), headers=keyed("race"))

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        responses = [f.result() for f in [pool.submit(send) for _ in range(CLIENTS)]]

    assert {r.status_code for r in responses} <= {201, 409}
    assert {error(r)[1] for r in responses if r.status_code == 409} <= {"IDEMPOTENCY_KEY_IN_USE"}
    created = [r for r in responses if r.status_code == 201]
    originals = [r for r in created if REPLAYED not in r.headers]
    assert len(originals) == 1
    assert {r.content for r in created} == {originals[0].content}
    assert movement_count(workspace) == 1
    assert on_hand(api, "LAMP") == 3


def test_a_route_rebuilt_from_a_routes_endpoint_is_not_wrapped_twice():
    """FastAPI before 0.137 rebuilds each route of an included router from `route.endpoint`,
    which is already the Idempotency-Key wrapper. A second wrapper would claim the key the
    first had just claimed and answer every keyed request 409 IDEMPOTENCY_KEY_IN_USE."""
    route = next(r for r in stock_router.routes if r.path.endswith("/adjustments") and "POST" in r.methods)
    rebuilt = StorekeeperRoute("/v1" + route.path, route.endpoint, methods=["POST"])
    assert rebuilt.endpoint is route.endpoint
    api_keys_route = next(r for r in api_keys_router.routes if "POST" in r.methods)
    assert StorekeeperRoute(api_keys_route.path, api_keys_route.endpoint, methods=["POST"]).endpoint \
        is api_keys_route.endpoint
