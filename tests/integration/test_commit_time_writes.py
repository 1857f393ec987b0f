"""What a write transaction does last: its audit rows, movements and change-feed events are
written at the end of the write block, and only then are the workspace's `movements` and
`events` counters — which every writer of the workspace takes in turn — taken to number them
(persistence/counters.insert_numbered, services/journal): a statement per counter and per
table. The numbers are consecutive, shown in the response, and the same in the ledger and the
feed."""

from __future__ import annotations

from tests.api.test_events_and_audit import bundle, every_event, movements
from tests.factories import item, location
from tests.sql_counting import statements


def ok(r, status: int = 201) -> dict:
    assert r.status_code == status, r.text
    return r.json()


def assert_ledger_and_feed_agree(api) -> None:
    """Movements numbered 1, 2, 3…; events too; each movement reported once by its own
    stock.changed, with the same sequence, in ledger order."""
    ledger = movements(api)
    feed = every_event(api, limit=500)
    assert [m["sequence"] for m in ledger] == list(range(1, len(ledger) + 1))
    assert [e["sequence"] for e in feed] == list(range(1, len(feed) + 1))
    reported = [e["data"]["movement"] for e in feed if e["type"] == "stock.changed"]
    assert [(m["id"], m["sequence"]) for m in reported] == [(m["id"], m["sequence"]) for m in ledger]


def test_the_counters_are_taken_by_the_last_statements_of_a_stock_change(api, db):
    location(api, "Main", is_default=True)
    item(api, "LAST")
    with statements(db) as seen:
        r = api.post("/v1/stock/adjustments", json={"item": "LAST", "reason": "receipt", "delta": 3})
    movement = ok(r)["movement"]
    assert movement["sequence"] == 1
    writes = [s for s in seen if not s.lstrip().upper().startswith("SELECT")]
    taking = [n for n, s in enumerate(writes) if "INSERT INTO counters" in s]
    after = writes[taking[0]:]
    # Both counters (movements, events) in one statement, then the rows they number.
    assert [s.split(" (")[0] for s in after] == ["INSERT INTO counters", "INSERT INTO movements", "INSERT INTO events"]
    assert any(s.startswith("INSERT INTO audit_log") for s in writes[:taking[0]])


def test_movements_and_events_are_numbered_in_commit_order_from_one_and_alike(api):
    location(api, "Main", is_default=True)
    location(api, "Back")
    for sku in ("N-1", "N-2"):
        item(api, sku)
    first = ok(api.post("/v1/stock/adjustments/bulk", json={"adjustments": [
        {"item": sku, "location": place, "reason": "receipt", "delta": 5} for sku in ("N-1", "N-2")
        for place in ("Main", "Back")]}))
    assert [m["sequence"] for r in first["results"] for m in r["movements"]] == [1, 2, 3, 4]
    moved = ok(api.post("/v1/stock/transfers", json={"item": "N-1", "from": "Main", "to": "Back", "quantity": 2}))
    assert [m["sequence"] for m in moved["movements"]] == [5, 6]
    ok(api.patch("/v1/items/N-2", json={"name": "Renamed"}), 200)  # an event without a movement
    sold = ok(api.post("/v1/stock/adjustments", json={"item": "N-2", "reason": "sale", "delta": -1}))
    assert sold["movement"]["sequence"] == 7
    assert_ledger_and_feed_agree(api)
    entries = api.get("/v1/audit-log", params={"action": "movement.created", "limit": 100}).json()["data"]
    assert sorted(e["resource_id"] for e in entries) == sorted(m["id"] for m in movements(api))


def test_a_bulk_of_bundles_is_numbered_like_any_other(api, db):
    """500 bundles of three components: 1,500 movements and their audit rows."""
    location(api, "Main", is_default=True)
    parts = [f"PART-{n}" for n in range(3)]
    for sku in parts:
        item(api, sku)
    ok(api.post("/v1/stock/adjustments/bulk", json={"adjustments": [
        {"item": sku, "reason": "receipt", "delta": 1000} for sku in parts]}))
    bundle(api, "KIT", [(sku, 1) for sku in parts])
    r = api.post("/v1/stock/adjustments/bulk", json={"adjustments": [
        {"item": "KIT", "reason": "sale", "delta": -1}] * 500})
    results = ok(r)["results"]
    assert [m["sequence"] for x in results for m in x["movements"]] == list(range(4, 4 + 1500))
    assert_ledger_and_feed_agree(api)
    assert {sku: api.get(f"/v1/items/{sku}").json()["on_hand"] for sku in parts} == {sku: 500 for sku in parts}


def test_an_idempotent_write_shows_and_replays_the_sequences_its_movements_got(api):
    location(api, "Main", is_default=True)
    item(api, "IDEM")
    ok(api.post("/v1/stock/adjustments", json={"item": "IDEM", "reason": "receipt", "delta": 1}))
    headers = {"Idempotency-Key": "numbered-once"}
    body = {"item": "IDEM", "reason": "receipt", "delta": 2}
    first = api.post("/v1/stock/adjustments", json=body, headers=headers)
    assert ok(first)["movement"]["sequence"] == 2
    again = api.post("/v1/stock/adjustments", json=body, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert [m["sequence"] for m in movements(api)] == [1, 2]
    assert_ledger_and_feed_agree(api)
