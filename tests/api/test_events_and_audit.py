"""The change feed (GET /v1/events) and the audit log (GET /v1/audit-log), end to end (SPEC "Change
feed, webhooks, audit, snapshots", contract of issue 6).

The feed: events in commit order with strictly increasing sequences, paged by `after`, filtered by
type or family and by what the key may read; a refused request writes none, a replayed one none
twice; old events are purged past the workspace's `event_retention_days`; and replaying every
`stock.changed` from the start rebuilds every stock level exactly. The audit log: every write with
its action, resource, actor, field-level changes, request id and client address, never a secret.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storekeeper.domain.clock import utcnow
from storekeeper.services import feed, reservations, trash
from tests.concurrency import at_once, body
from tests.conftest import Api, make_workspace
from tests.factories import error, item, location

STOCK_EVENTS = ("stock.changed", "stock.status_changed")


# Helpers


def ok(r, status: int = 200) -> dict:
    assert r.status_code == status, r.text
    return body(r)


def request_id(r) -> str:
    return r.headers["X-Request-Id"]


def page_of_events(api, **params) -> dict:
    return ok(api.get("/v1/events", params=params))


def every_event(api, after: int = 0, limit: int = 50, **params) -> list[dict]:
    """The whole feed after `after`, page by page as a client reads it (each page's `next_after`
    is its last sequence; the last page says has_more false)."""
    found: list[dict] = []
    while True:
        page = page_of_events(api, after=after, limit=limit, **params)
        rows, meta = page["data"], page["meta"]
        assert meta["limit"] == limit
        assert len(rows) <= limit
        assert meta["next_after"] == (rows[-1]["sequence"] if rows else after)
        found += rows
        if not meta["has_more"]:
            return found
        assert len(rows) == limit
        after = meta["next_after"]


def types_of(events: list[dict]) -> list[str]:
    return [e["type"] for e in events]


def last_sequence(api) -> int:
    events = every_event(api, limit=1000)
    return events[-1]["sequence"] if events else 0


def events_of(api, r, *types: str) -> list[dict]:
    """The events the request that answered `r` wrote (of these types, if any given)."""
    return [e for e in every_event(api, limit=1000) if e["request_id"] == request_id(r)
            and (not types or e["type"] in types)]


def status_changes(api, r) -> list[tuple]:
    """(location, from, to, on_hand, available) of each stock.status_changed the request wrote."""
    return [(e["data"]["location"], e["data"]["from"], e["data"]["to"], e["data"]["on_hand"], e["data"]["available"])
            for e in events_of(api, r, "stock.status_changed")]


def audit_log(api, **params) -> list[dict]:
    """Every audit entry (newest first), following next_cursor."""
    found: list[dict] = []
    cursor = None
    while True:
        page = ok(api.get("/v1/audit-log", params={"limit": 100, **params, **({"cursor": cursor} if cursor else {})}))
        found += page["data"]
        assert page["meta"]["has_more"] == (page["meta"]["next_cursor"] is not None)
        if not page["meta"]["has_more"]:
            return found
        cursor = page["meta"]["next_cursor"]


def audit_total(api) -> int:
    return ok(api.get("/v1/audit-log", params={"limit": 1}))["meta"]["total"]


def entries_of(api, r) -> list[dict]:
    return [e for e in audit_log(api) if e["request_id"] == request_id(r)]


def me(api) -> dict:
    """The calling key's actor, as /v1/me shows it."""
    return ok(api.get("/v1/me"))["actor"]


def adjust(api, sku: str, reason: str, at: str | None = None, **change):
    payload = {"item": sku, "reason": reason, **{k: str(v) for k, v in change.items()}}
    if at is not None:
        payload["location"] = at
    return api.post("/v1/stock/adjustments", json=payload)


def adjusted(api, sku: str, reason: str, at: str | None = None, **change):
    r = adjust(api, sku, reason, at, **change)
    assert r.status_code == 201, r.text
    return r


def transfer(api, sku: str, source: str, target: str, quantity):
    return api.post("/v1/stock/transfers", json={"item": sku, "from": source, "to": target, "quantity": str(quantity)})


def transferred(api, sku: str, source: str, target: str, quantity):
    r = transfer(api, sku, source, target, quantity)
    assert r.status_code == 201, r.text
    return r


def movements(api) -> list[dict]:
    """The whole ledger, oldest first, as GET /v1/stock/movements shows it."""
    found: list[dict] = []
    cursor = None
    while True:
        params = {"order": "asc", "limit": 100, **({"cursor": cursor} if cursor else {})}
        page = ok(api.get("/v1/stock/movements", params=params))
        found += page["data"]
        if not page["meta"]["has_more"]:
            return found
        cursor = page["meta"]["next_cursor"]


def replayed_levels(api) -> dict[tuple[str, str], Decimal]:
    """Stock per (item, location) rebuilt from nothing but the stock.changed events, read from
    after=0 in pages of 50. Each movement must start where the one before it at its level ended."""
    levels: dict[tuple[str, str], Decimal] = {}
    for event in every_event(api, types="stock.changed", limit=50):
        movement = event["data"]["movement"]
        key = (movement["item"], movement["location"])
        assert movement["before"] == levels.get(key, 0), movement
        levels[key] = levels.get(key, Decimal(0)) + movement["delta"]
        assert levels[key] == movement["after"], movement
    return levels


def stock_levels(api, skip: set[str] = frozenset()) -> dict[tuple[str, str], Decimal]:
    """on_hand per (item, location) as GET /v1/stock lists it (items in `skip` left out: bundles,
    whose levels are what their components make up, not movements of their own)."""
    rows = ok(api.get("/v1/stock", params={"limit": 1000}))["data"]
    return {(row["item"], lv["location"]): lv["on_hand"] for row in rows if row["item"] not in skip
            for lv in row["locations"]}


def item_totals(api, skip: set[str] = frozenset()) -> dict[str, Decimal]:
    rows = ok(api.get("/v1/stock", params={"limit": 1000}))["data"]
    return {row["item"]: row["on_hand"] for row in rows if row["item"] not in skip}


def without_zeros(levels: dict) -> dict:
    return {k: v for k, v in levels.items() if v != 0}


def assert_replay_rebuilds_stock(api, bundles: set[str] = frozenset()) -> None:
    replayed = replayed_levels(api)
    listed = stock_levels(api, skip=bundles)
    assert without_zeros(replayed) == without_zeros(listed)
    # Every level the stock list shows was made by movements the feed reported.
    assert set(listed) <= set(replayed)
    totals: dict[str, Decimal] = {}
    for (item_id, _location), on_hand in replayed.items():
        totals[item_id] = totals.get(item_id, Decimal(0)) + on_hand
    assert without_zeros(totals) == without_zeros(item_totals(api, skip=bundles))


def bundle(api, sku: str, lines: list[tuple[str, object]]) -> dict:
    made = item(api, sku, tracking="bundle")
    r = api.put(f"/v1/items/{sku}/components", json=[{"item": c, "quantity": str(q)} for c, q in lines])
    assert r.status_code == 200, r.text
    return made


def bill_of(api, sku: str, lines: list[tuple[str, object]]) -> None:
    r = api.put(f"/v1/items/{sku}/components", json=[{"item": c, "quantity": str(q)} for c, q in lines])
    assert r.status_code == 200, r.text


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def tick() -> None:
    """Let the clock move on, so that what follows is later to the millisecond."""
    time.sleep(0.01)


# The feed: order and paging


def test_the_feed_lists_every_event_oldest_first_with_sequences_counting_up_from_one(api):
    main = location(api, "Main", is_default=True)
    created = api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp"})
    lamp = ok(created, 201)
    received = adjusted(api, "LAMP", "receipt", delta=10)
    renamed = api.patch("/v1/items/LAMP", json={"name": "Desk lamp"})
    assert renamed.status_code == 200, renamed.text

    events = page_of_events(api)
    assert events["meta"] == {"limit": 100, "has_more": False, "next_after": 5, "oldest_sequence": 1}
    rows = events["data"]
    assert [e["sequence"] for e in rows] == [1, 2, 3, 4, 5]
    assert types_of(rows) == ["item.created", "stock.changed", "stock.status_changed", "stock.status_changed",
                              "item.updated"]
    assert [e["request_id"] for e in rows] == [request_id(created)] + [request_id(received)] * 3 + [
        request_id(renamed)]
    assert all(e["id"].startswith("evt_") for e in rows)
    assert len({e["id"] for e in rows}) == 5
    assert {(e["resource_type"], e["resource_id"]) for e in rows} == {("item", lamp["id"])}
    assert [at(e["created_at"]) for e in rows] == sorted(at(e["created_at"]) for e in rows)
    assert rows[1]["data"]["movement"]["location"] == main["id"]


def test_after_pages_through_the_feed_with_limit_has_more_and_next_after(api):
    location(api, "Main", is_default=True)
    for n in range(7):
        item(api, f"PAGE-{n}")

    first = page_of_events(api, limit=3)
    assert [e["sequence"] for e in first["data"]] == [1, 2, 3]
    assert first["meta"] == {"limit": 3, "has_more": True, "next_after": 3, "oldest_sequence": 1}
    second = page_of_events(api, limit=3, after=3)
    assert [e["sequence"] for e in second["data"]] == [4, 5, 6]
    assert (second["meta"]["has_more"], second["meta"]["next_after"]) == (True, 6)
    third = page_of_events(api, limit=3, after=6)
    assert [e["sequence"] for e in third["data"]] == [7]
    assert (third["meta"]["has_more"], third["meta"]["next_after"]) == (False, 7)
    caught_up = page_of_events(api, limit=3, after=7)
    assert caught_up["data"] == []
    assert caught_up["meta"] == {"limit": 3, "has_more": False, "next_after": 7, "oldest_sequence": 1}
    # Past the end, an empty page keeps the client where it was.
    assert page_of_events(api, after=99)["meta"]["next_after"] == 99
    # A page exactly as long as what is left says there is no more.
    assert page_of_events(api, limit=7)["meta"]["has_more"] is False
    assert [e["data"]["item"]["sku"] for e in every_event(api, limit=2)] == [f"PAGE-{n}" for n in range(7)]


def test_a_client_that_reads_from_where_it_stopped_sees_each_event_exactly_once(api):
    location(api, "Main", is_default=True)
    item(api, "ONCE")
    seen: list[int] = []
    after = 0
    for round_ in range(4):
        adjusted(api, "ONCE", "receipt", delta=round_ + 1)
        page = page_of_events(api, after=after)
        seen += [e["sequence"] for e in page["data"]]
        after = page["meta"]["next_after"]
    assert seen == list(range(1, len(seen) + 1))
    assert seen == [e["sequence"] for e in every_event(api)]


def test_the_types_filter_takes_exact_types_families_and_lists_of_both(api):
    location(api, "Main", is_default=True)
    item(api, "TYPE", reorder_point=5)
    adjusted(api, "TYPE", "receipt", delta=10)
    adjusted(api, "TYPE", "sale", delta=-6)
    assert api.patch("/v1/items/TYPE", json={"name": "Typed"}).status_code == 200

    everything = every_event(api)
    assert types_of(every_event(api, types="stock.changed")) == ["stock.changed"] * 2
    family = every_event(api, types="stock.*")
    assert family == [e for e in everything if e["type"] in STOCK_EVENTS]
    assert set(types_of(family)) == set(STOCK_EVENTS)
    mixed = every_event(api, types="item.updated, stock.status_changed")
    assert mixed == [e for e in everything if e["type"] in ("item.updated", "stock.status_changed")]
    assert every_event(api, types="item.*,stock.*") == everything
    assert every_event(api, types="*") == everything
    assert every_event(api, types="reservation.*") == []


def test_an_unknown_event_type_or_family_is_refused(api):
    for wanted in ("item.exploded", "stock", "stocks.*", "item.created,nothing.at_all", "*.changed"):
        r = api.get("/v1/events", params={"types": wanted})
        assert error(r) == (422, "VALIDATION_ERROR"), wanted
    for limit in (0, 1001):
        assert api.get("/v1/events", params={"limit": limit}).status_code == 422
    assert api.get("/v1/events", params={"after": -1}).status_code == 422


# What stock.changed says


def test_each_stock_changed_event_carries_its_movement_exactly_as_the_ledger_shows_it(api):
    location(api, "Main", is_default=True)
    location(api, "Depot")
    sku = item(api, "ROPE", unit="m")
    writes = [
        api.post("/v1/stock/adjustments", json={"item": "ROPE", "reason": "receipt", "delta": "12.50",
                                                 "unit_cost": "0.123456",
                                                 "occurred_at": "2026-01-02T08:00:00.123456+02:00"}),
        api.post("/v1/stock/adjustments", json={"item": "ROPE", "reason": "sale", "delta": "-0.75",
                                                 "note": "cut to length", "reference": {"type": "order", "id": "#7"}}),
        transferred(api, "ROPE", "Main", "Depot", "4"),
        adjusted(api, "ROPE", "count", "Depot", set="3.5"),
    ]
    ledger = movements(api)
    assert len(ledger) == 5  # the transfer moved stock out of one level and into another

    changed = every_event(api, types="stock.changed")
    assert [e["data"] for e in changed] == [{"movement": m} for m in ledger]
    assert [(e["resource_type"], e["resource_id"]) for e in changed] == [("item", sku["id"])] * 5
    assert [e["request_id"] for e in changed] == [request_id(w) for w in writes[:2]] + [request_id(writes[2])] * 2 + [
        request_id(writes[3])]
    # …and as the write's own answer showed it.
    assert changed[0]["data"]["movement"] == ok(writes[0], 201)["movement"]
    assert (changed[0]["data"]["movement"]["occurred_at"], changed[0]["data"]["movement"]["unit_cost"]) == (
        "2026-01-02T06:00:00.123Z", "0.123456")
    assert [e["data"]["movement"] for e in changed[2:4]] == ok(writes[2], 201)["movements"]


# stock.status_changed


def test_status_changes_are_reported_per_level_and_for_the_item_at_each_crossing_and_never_otherwise(api):
    main = location(api, "Main", is_default=True)
    item(api, "GAUGE", reorder_point=10, safety_stock=5)

    def step(reason: str, delta) -> list[tuple]:
        return status_changes(api, adjusted(api, "GAUGE", reason, delta=delta))

    def both(before: str, after: str, on_hand) -> list[tuple]:
        return [(main["id"], before, after, on_hand, on_hand), (None, before, after, on_hand, on_hand)]

    assert step("receipt", 20) == both("out_of_stock", "normal", 20)
    assert step("sale", -12) == both("normal", "low", 8)
    assert step("sale", -4) == both("low", "critical", 4)
    assert step("sale", -4) == both("critical", "out_of_stock", 0)
    assert step("receipt", 7) == both("out_of_stock", "low", 7)
    assert step("receipt", 13) == both("low", "normal", 20)
    assert step("receipt", 1) == []  # 21: still normal
    assert step("sale", -10) == []  # 11: still normal
    assert step("sale", -1) == both("normal", "low", 10)  # at the reorder point is low
    assert step("sale", -1) == []  # 9: still low
    assert step("sale", -4) == both("low", "critical", 5)  # at the safety stock is critical
    assert step("receipt", 1) == both("critical", "low", 6)

    events = every_event(api, types="stock.status_changed")
    assert len(events) == 2 * 9
    assert all(e["data"]["sku"] == "GAUGE" and e["data"]["item"] == e["resource_id"] for e in events)


def test_a_level_can_change_status_while_the_items_total_keeps_its_own(api):
    main = location(api, "Main", is_default=True)
    depot = location(api, "Depot")
    item(api, "SPLIT", reorder_point=10, safety_stock=5)
    adjusted(api, "SPLIT", "receipt", delta=20)

    moved = transferred(api, "SPLIT", "Main", "Depot", 15)
    assert sorted(status_changes(api, moved), key=str) == sorted([
        (main["id"], "normal", "critical", 5, 5),
        (depot["id"], "out_of_stock", "normal", 15, 15),
    ], key=str)  # 20 in all: the item stays normal, so nothing for the total


def test_changing_the_reorder_point_or_safety_stock_across_the_stock_reports_the_status_change(api):
    main = location(api, "Main", is_default=True)
    item(api, "LIMIT")
    adjusted(api, "LIMIT", "receipt", delta=8)

    raised = api.patch("/v1/items/LIMIT", json={"reorder_point": 10})
    assert raised.status_code == 200, raised.text
    assert (ok(raised)["status"], ok(api.get("/v1/stock/LIMIT"))["locations"][0]["status"]) == ("low", "low")
    assert status_changes(api, raised) == [(main["id"], "normal", "low", 8, 8), (None, "normal", "low", 8, 8)]
    safer = api.patch("/v1/items/LIMIT", json={"safety_stock": 8})
    assert safer.status_code == 200, safer.text
    assert status_changes(api, safer) == [(main["id"], "low", "critical", 8, 8), (None, "low", "critical", 8, 8)]
    # A change that leaves the status where it was reports none.
    same = api.patch("/v1/items/LIMIT", json={"reorder_point": 12})
    assert same.status_code == 200, same.text
    assert status_changes(api, same) == []


def test_a_reservation_that_leaves_less_available_changes_the_status_and_its_release_changes_it_back(api):
    main = location(api, "Main", is_default=True)
    item(api, "HELD", reorder_point=10, safety_stock=5)
    adjusted(api, "HELD", "receipt", delta=20)

    held = api.post("/v1/reservations", json={"item": "HELD", "quantity": 12})
    assert held.status_code == 201, held.text
    assert status_changes(api, held) == [(main["id"], "normal", "low", 20, 8), (None, "normal", "low", 20, 8)]
    released = api.post(f"/v1/reservations/{held.json()['id']}/release")
    assert released.status_code == 200, released.text
    assert status_changes(api, released) == [(main["id"], "low", "normal", 20, 20), (None, "low", "normal", 20, 20)]


# Item events


def test_item_events_report_creation_changes_deletion_restoration_and_publishing(api):
    created = api.post("/v1/items", json={"sku": "MUG", "name": "Mug", "description": "White"})
    mug = ok(created, 201)
    renamed = api.patch("/v1/items/MUG", json={"name": "Tall mug", "description": "White", "reorder_point": 3})
    assert renamed.status_code == 200, renamed.text
    unchanged = api.patch("/v1/items/MUG", json={"name": "Tall mug"})
    assert unchanged.status_code == 200, unchanged.text
    published = api.put("/v1/items/MUG/channels/shop", json={})
    unpublished = api.delete("/v1/items/MUG/channels/shop")
    deleted = api.delete("/v1/items/MUG")
    restored = api.post("/v1/items/MUG/restore")
    for r in (published, unpublished, restored):
        assert r.status_code == 200, r.text
    assert deleted.status_code == 204, deleted.text

    events = every_event(api, types="item.*")
    assert types_of(events) == ["item.created", "item.updated", "item.published", "item.unpublished",
                                "item.deleted", "item.restored"]
    assert [e["request_id"] for e in events] == [request_id(r) for r in (created, renamed, published, unpublished,
                                                                         deleted, restored)]
    assert {(e["resource_type"], e["resource_id"]) for e in events} == {("item", mug["id"])}
    new, update, publish, unpublish, delete, restore = (e["data"] for e in events)
    assert new["item"] == {"id": mug["id"], "number": mug["number"], "sku": "MUG", "name": "Mug", "kind": "product",
                           "tracking": "quantity", "unit": "pcs", "parent": None}
    assert new["changes"]["sku"] == [None, "MUG"]
    assert new["changes"]["name"] == [None, "Mug"]
    # Only what changed, each as [old, new]: the description was sent again unchanged.
    assert update["changes"] == {"name": ["Mug", "Tall mug"], "reorder_point": [0, 3]}
    assert update["item"]["name"] == "Tall mug"
    assert publish["channel"] == unpublish["channel"] == "shop"
    assert publish["changes"] == {"channels": [{}, {"shop": {"published": True}}]}
    assert unpublish["changes"] == {"channels": [{"shop": {"published": True}}, {"shop": {"published": False}}]}
    assert delete["changes"]["deleted_at"][0] is None
    assert delete["changes"]["deleted_at"][1] is not None
    assert restore["changes"] == {"deleted_at": [delete["changes"]["deleted_at"][1], None]}


# Reservation events


def test_reservation_events_report_creation_release_and_fulfilment(api):
    main = location(api, "Main", is_default=True)
    lamp = item(api, "RLAMP")
    adjusted(api, "RLAMP", "receipt", delta=10)
    first = ok(api.post("/v1/reservations", json={"item": "RLAMP", "quantity": 2,
                                                  "reference": {"type": "order", "id": "#1"}}), 201)
    ok(api.post(f"/v1/reservations/{first['id']}/release"))
    second = ok(api.post("/v1/reservations", json={"item": "RLAMP", "quantity": 3}), 201)
    fulfilled = ok(api.post(f"/v1/reservations/{second['id']}/fulfil", json={}))

    events = every_event(api, types="reservation.*")
    assert [(e["type"], e["resource_id"]) for e in events] == [
        ("reservation.created", first["id"]), ("reservation.released", first["id"]),
        ("reservation.created", second["id"]), ("reservation.fulfilled", second["id"])]
    assert {e["resource_type"] for e in events} == {"reservation"}
    views = [e["data"]["reservation"] for e in events]
    assert views[0] == {"id": first["id"], "item": lamp["id"], "location": main["id"], "quantity": 2,
                        "fulfilled_quantity": 0, "status": "active", "reference": {"type": "order", "id": "#1"},
                        "expires_at": None}
    assert [v["status"] for v in views] == ["active", "released", "active", "fulfilled"]
    assert views[3]["fulfilled_quantity"] == 3
    assert events[1]["data"]["changes"]["status"] == ["active", "released"]
    assert events[3]["data"]["changes"]["status"] == ["active", "fulfilled"]
    # The fulfilment's sale is in the same request as the reservation's event.
    sale = [e for e in every_event(api, types="stock.changed") if e["request_id"] == events[3]["request_id"]]
    assert [e["data"]["movement"]["id"] for e in sale] == [fulfilled["movement"]["id"]]


def seconds_ahead(seconds: float) -> str:
    return stamp(utcnow() + timedelta(seconds=seconds))


def wait_until_past(moment: str) -> None:
    time.sleep(max(0.0, (at(moment) - utcnow()).total_seconds()) + 0.05)


def test_a_reservation_past_its_expiry_is_reported_expired_by_the_next_write_to_its_item(api):
    location(api, "Main", is_default=True)
    item(api, "EXP")
    adjusted(api, "EXP", "receipt", delta=10)
    due = seconds_ahead(1)
    held = ok(api.post("/v1/reservations", json={"item": "EXP", "quantity": 4, "expires_at": due}), 201)
    wait_until_past(due)

    write = adjusted(api, "EXP", "receipt", delta=1)
    expired = events_of(api, write, "reservation.expired")
    assert [(e["resource_type"], e["resource_id"]) for e in expired] == [("reservation", held["id"])]
    assert expired[0]["data"]["reservation"]["status"] == "expired"
    assert [e["action"] for e in entries_of(api, write)].count("reservation.expired") == 1
    # Once only: the next write finds nothing more to expire.
    later = adjusted(api, "EXP", "receipt", delta=1)
    assert events_of(api, later, "reservation.expired") == []
    assert types_of(every_event(api, types="reservation.*")) == ["reservation.created", "reservation.expired"]


def test_the_expiry_worker_reports_a_reservation_expired_as_the_system(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "EXPW")
    adjusted(api, "EXPW", "receipt", delta=10)
    due = seconds_ahead(1)
    held = ok(api.post("/v1/reservations", json={"item": "EXPW", "quantity": 4, "expires_at": due}), 201)
    wait_until_past(due)

    reservations.expire_due(workspace.db)
    expired = every_event(api, types="reservation.expired")
    assert [(e["resource_id"], e["request_id"]) for e in expired] == [(held["id"], None)]
    entries = audit_log(api, action="reservation.expired")
    assert [(e["resource_id"], e["actor"], e["request_id"], e["ip"]) for e in entries] == [
        (held["id"], {"type": "system", "id": "system", "name": "storekeeper"}, None, None)]
    reservations.expire_due(workspace.db)
    assert len(every_event(api, types="reservation.expired")) == 1


# Order events


def test_purchase_order_events_follow_an_order_from_draft_to_received_and_a_cancelled_one(api):
    main = location(api, "Main", is_default=True)
    item(api, "PO-A")
    created = ok(api.post("/v1/purchase-orders", json={"supplier": "Acme", "location": "Main", "lines": [
        {"item": "PO-A", "quantity": 5, "unit_cost": "2.00"}]}), 201)
    order_id, line_id = created["id"], created["lines"][0]["id"]
    ok(api.patch(f"/v1/purchase-orders/{order_id}", json={"notes": "Rush"}))
    ok(api.post(f"/v1/purchase-orders/{order_id}/order"))
    ok(api.post(f"/v1/purchase-orders/{order_id}/receive", json={"lines": [{"line": line_id, "quantity": 2}]}))
    ok(api.post(f"/v1/purchase-orders/{order_id}/receive", json={}))
    dropped = ok(api.post("/v1/purchase-orders", json={"lines": [{"item": "PO-A", "quantity": 1}]}), 201)
    ok(api.post(f"/v1/purchase-orders/{dropped['id']}/cancel"))

    events = every_event(api, types="purchase_order.*")
    assert [(e["type"], e["resource_id"]) for e in events] == [
        ("purchase_order.created", order_id), ("purchase_order.updated", order_id),
        ("purchase_order.ordered", order_id), ("purchase_order.partially_received", order_id),
        ("purchase_order.received", order_id), ("purchase_order.created", dropped["id"]),
        ("purchase_order.cancelled", dropped["id"])]
    assert {e["resource_type"] for e in events} == {"purchase_order"}
    assert [e["data"]["purchase_order"]["status"] for e in events] == [
        "draft", "draft", "ordered", "partially_received", "received", "draft", "cancelled"]
    assert events[0]["data"]["purchase_order"] == {"id": order_id, "number": created["number"], "status": "draft",
                                                   "supplier": "Acme", "location": main["id"]}
    assert events[1]["data"]["changes"] == {"notes": [None, "Rush"]}
    assert events[2]["data"]["changes"]["status"] == ["draft", "ordered"]
    assert events[6]["data"]["changes"]["status"] == ["draft", "cancelled"]
    # The receipts' stock.changed events come with the order's events, in the same requests.
    receipts = [e for e in every_event(api, types="stock.changed")
                if e["data"]["movement"]["reference"] == {"type": "purchase_order", "id": order_id}]
    assert [e["data"]["movement"]["delta"] for e in receipts] == [2, 3]
    assert [e["request_id"] for e in receipts] == [events[3]["request_id"], events[4]["request_id"]]


def test_production_order_events_report_creation_changes_batches_reversals_and_deletion(api):
    location(api, "Main", is_default=True)
    item(api, "PART")
    item(api, "FRAME")
    bill_of(api, "FRAME", [("PART", 2)])
    adjusted(api, "PART", "receipt", delta=20)
    made = ok(api.post("/v1/production-orders", json={"lines": [{"item": "FRAME", "quantity": 3}]}), 201)
    ok(api.patch(f"/v1/production-orders/{made['id']}", json={"notes": "Blue"}))
    line = made["lines"][0]["id"]
    batch = ok(api.post(f"/v1/production-orders/{made['id']}/lines/{line}/batches", json={"quantity": "2"}), 201)
    assert api.delete(f"/v1/batches/{batch['id']}").status_code == 204
    spare = ok(api.post("/v1/production-orders", json={"lines": [{"item": "FRAME", "quantity": 1}]}), 201)
    assert api.delete(f"/v1/production-orders/{spare['id']}").status_code == 204

    events = every_event(api, types="production_order.*")
    assert [(e["type"], e["resource_id"]) for e in events] == [
        ("production_order.created", made["id"]), ("production_order.updated", made["id"]),
        ("production_order.batch_created", made["id"]), ("production_order.batch_reversed", made["id"]),
        ("production_order.created", spare["id"]), ("production_order.deleted", spare["id"])]
    assert {e["resource_type"] for e in events} == {"production_order"}
    assert events[1]["data"]["changes"] == {"notes": [None, "Blue"]}
    assert events[2]["data"]["batch"] == events[3]["data"]["batch"] == batch["id"]
    # The batch's movements and its reversal's are stock.changed events of the same requests.
    by_request = {e["request_id"]: e for e in events}
    for event in every_event(api, types="stock.changed"):
        movement = event["data"]["movement"]
        if movement["batch"] is not None:
            assert by_request[event["request_id"]]["type"] in ("production_order.batch_created",
                                                               "production_order.batch_reversed")
    assert sorted(e["data"]["movement"]["reason"] for e in every_event(api, types="stock.changed")
                  if e["data"]["movement"]["batch"] == batch["id"]) == [
        "production_consumption", "production_output", "production_reversal", "production_reversal"]


def test_snapshot_events_report_a_snapshot_taken_and_restored(api):
    location(api, "Main", is_default=True)
    item(api, "SNAP")
    adjusted(api, "SNAP", "receipt", delta=5)
    snapshot = ok(api.post("/v1/snapshots", json={"note": "before"}), 201)
    adjusted(api, "SNAP", "sale", delta=-2)
    restore = api.post(f"/v1/snapshots/{snapshot['id']}/restore")
    assert restore.status_code == 200, restore.text

    events = every_event(api, types="snapshot.*")
    assert [(e["type"], e["resource_type"], e["resource_id"]) for e in events] == [
        ("snapshot.created", "snapshot", snapshot["id"]), ("snapshot.restored", "snapshot", snapshot["id"])]
    put_back = events_of(api, restore, "stock.changed")
    assert [(e["data"]["movement"]["reason"], e["data"]["movement"]["delta"]) for e in put_back] == [
        ("snapshot_restore", 2)]


# Refused and replayed requests write nothing


def test_a_refused_request_writes_no_event_and_no_audit_entry(api):
    location(api, "Main", is_default=True)
    item(api, "SHORT")
    item(api, "OTHER")
    adjusted(api, "SHORT", "receipt", delta=5)
    events, entries = every_event(api), audit_log(api)

    too_much = adjust(api, "SHORT", "sale", delta=-6)
    assert error(too_much)[0] == 422
    atomic = api.post("/v1/stock/adjustments/bulk", json={"atomic": True, "adjustments": [
        {"item": "OTHER", "reason": "receipt", "delta": "3"},
        {"item": "SHORT", "reason": "receipt", "delta": "2"},
        {"item": "SHORT", "reason": "sale", "delta": "-100"},
    ]})
    assert atomic.status_code == 422, atomic.text
    over_reserved = api.post("/v1/reservations", json={"item": "SHORT", "quantity": 6})
    assert error(over_reserved) == (422, "INSUFFICIENT_STOCK")
    stale = api.patch("/v1/items/SHORT", json={"name": "Stale"}, headers={"If-Match": '"99"'})
    assert stale.status_code == 412, stale.text
    bad_transfer = transfer(api, "SHORT", "Main", "Nowhere", 1)
    assert bad_transfer.status_code == 404, bad_transfer.text

    assert every_event(api) == events
    assert audit_log(api) == entries
    assert ok(api.get("/v1/stock/SHORT"))["on_hand"] == 5
    assert ok(api.get("/v1/stock/OTHER"))["on_hand"] == 0
    # The feed goes on from where it was: no sequence was used up by what rolled back.
    after = adjusted(api, "SHORT", "sale", delta=-1)
    assert [e["sequence"] for e in events_of(api, after, "stock.changed")] == [events[-1]["sequence"] + 1]


def test_a_replayed_idempotent_request_writes_no_second_event_or_audit_entry(api):
    location(api, "Main", is_default=True)
    item(api, "ONCE-ONLY")
    keyed = {"Idempotency-Key": "receipt-1"}
    payload = {"item": "ONCE-ONLY", "reason": "receipt", "delta": "4"}
    first = api.post("/v1/stock/adjustments", json=payload, headers=keyed)
    assert first.status_code == 201, first.text
    events, entries = every_event(api), audit_log(api)
    again = api.post("/v1/stock/adjustments", json=payload, headers=keyed)
    assert again.status_code == 201, again.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["movement"] == first.json()["movement"]

    assert every_event(api) == events
    assert audit_log(api) == entries
    assert len(every_event(api, types="stock.changed")) == 1
    assert len(audit_log(api, action="movement.created")) == 1

    made = api.post("/v1/items", json={"sku": "KEYED", "name": "Keyed"}, headers={"Idempotency-Key": "item-1"})
    assert made.status_code == 201, made.text
    remade = api.post("/v1/items", json={"sku": "KEYED", "name": "Keyed"}, headers={"Idempotency-Key": "item-1"})
    assert remade.status_code == 201, remade.text
    assert remade.json()["id"] == made.json()["id"]
    assert [e["resource_id"] for e in every_event(api, types="item.created")].count(made.json()["id"]) == 1
    assert len(audit_log(api, resource_id=made.json()["id"])) == 1


# Who sees what


def test_a_key_sees_only_the_event_families_its_read_scopes_cover(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "SCOPE")
    item(api, "SCOPE-OUT")
    bill_of(api, "SCOPE-OUT", [("SCOPE", 1)])
    adjusted(api, "SCOPE", "receipt", delta=10)
    held = ok(api.post("/v1/reservations", json={"item": "SCOPE", "quantity": 1}), 201)
    ok(api.post(f"/v1/reservations/{held['id']}/release"))
    ok(api.post("/v1/purchase-orders", json={"lines": [{"item": "SCOPE", "quantity": 1}]}), 201)
    ok(api.post("/v1/production-orders", json={"lines": [{"item": "SCOPE-OUT", "quantity": 1}]}), 201)
    ok(api.post("/v1/snapshots", json={}), 201)
    everything = every_event(api)
    families = {t.split(".")[0] for t in types_of(everything)}
    assert families == {"item", "stock", "reservation", "purchase_order", "production_order", "snapshot"}

    def family_of(event: dict) -> str:
        return event["type"].split(".")[0]

    for scopes, readable in [
        (("items:read",), {"item"}),
        (("items:write",), {"item"}),
        (("stock:read",), {"stock", "snapshot"}),
        (("orders:read",), {"reservation", "purchase_order"}),
        (("production:read",), {"production_order"}),
        (("items:read", "production:write"), {"item", "production_order"}),
    ]:
        key = workspace.key_with(*scopes)
        seen = every_event(key, limit=3)
        assert seen == [e for e in everything if family_of(e) in readable], scopes

    items_only = workspace.key_with("items:read")
    for wanted in ("stock.*", "stock.changed", "item.created,stock.status_changed", "snapshot.*", "reservation.*"):
        r = items_only.get("/v1/events", params={"types": wanted})
        assert error(r) == (403, "INSUFFICIENT_SCOPE"), wanted
    assert every_event(items_only, types="item.*") == [e for e in everything if family_of(e) == "item"]


def test_a_key_without_any_read_scope_of_the_feed_is_refused(workspace):
    for scopes in (("audit:read",), ("locations:sync",), ("admin",)):
        r = workspace.key_with(*scopes).get("/v1/events")
        assert error(r) == (403, "INSUFFICIENT_SCOPE"), scopes


def test_each_workspace_has_a_feed_of_its_own(api, other_workspace):
    location(api, "Main", is_default=True)
    item(api, "MINE")
    location(other_workspace.api, "Theirs")
    item(other_workspace.api, "THEIRS")
    assert [e["data"]["item"]["sku"] for e in every_event(api, types="item.*")] == ["MINE"]
    assert [e["data"]["item"]["sku"] for e in every_event(other_workspace.api, types="item.*")] == ["THEIRS"]
    assert [e["sequence"] for e in every_event(other_workspace.api)] == [1]
    assert "THEIRS" not in api.get("/v1/audit-log", params={"limit": 1000}).text
    assert [e["changes"]["name"][1] for e in audit_log(other_workspace.api, action="location.created")] == [
        "Theirs", "Main warehouse"]  # and the default location the workspace was created with


# Retention


def test_events_past_the_retention_are_purged_and_the_oldest_sequence_moves_on(api, workspace, other_workspace):
    location(api, "Main", is_default=True)
    item(api, "OLD")
    adjusted(api, "OLD", "receipt", delta=3)
    location(other_workspace.api, "Theirs")
    item(other_workspace.api, "KEPT")
    theirs = every_event(other_workspace.api)
    assert ok(api.get("/v1/me"))["workspace"]["settings"]["event_retention_days"] == 30
    for wrong in (0, 3651, "7", 1.5):
        r = api.patch("/v1/workspace", json={"settings": {"event_retention_days": wrong}})
        assert error(r) == (422, "VALIDATION_ERROR"), wrong
    r = api.patch("/v1/workspace", json={"settings": {"event_retention_days": 1}})
    assert r.status_code == 200, r.text
    assert r.json()["settings"]["event_retention_days"] == 1
    old = every_event(api)
    tick()
    item(api, "NEW")
    adjusted(api, "NEW", "receipt", delta=2)
    new = every_event(api, after=old[-1]["sequence"])

    assert feed.purge_events(workspace.db) >= 0  # today nothing is a day old
    assert every_event(api) == old + new
    # A day after the first of the new events, everything before it is past the retention.
    feed.purge_events(workspace.db, now=at(new[0]["created_at"]) + timedelta(days=1))
    assert every_event(api) == new
    page = page_of_events(api)
    assert page["meta"]["oldest_sequence"] == new[0]["sequence"] == old[-1]["sequence"] + 1
    # A client that fell behind sees it missed events: its `after` is below the oldest kept.
    assert page_of_events(api, after=1)["data"] == new
    # Sequences go on, never reused.
    later = adjusted(api, "NEW", "sale", delta=-1)
    assert events_of(api, later, "stock.changed")[0]["sequence"] == new[-1]["sequence"] + 1
    # Another workspace keeps its default 30 days.
    assert every_event(other_workspace.api) == theirs

    feed.purge_events(workspace.db, now=utcnow() + timedelta(days=2))
    emptied = page_of_events(api, after=5)
    assert (emptied["data"], emptied["meta"]["oldest_sequence"], emptied["meta"]["next_after"]) == ([], None, 5)
    assert every_event(other_workspace.api) == theirs


# Replaying stock.changed rebuilds the stock


def test_replaying_every_stock_changed_event_rebuilds_every_stock_level_after_a_mixed_workload(api):
    main = location(api, "Main", is_default=True)
    location(api, "Depot")
    location(api, "Shop")
    for sku in ("BOLT", "NUT", "WASHER", "FRAME"):
        item(api, sku)
    item(api, "OIL", unit="l")
    kit = bundle(api, "KIT", [("BOLT", 2), ("NUT", 1)])
    bill_of(api, "FRAME", [("BOLT", 4), ("NUT", 2)])

    adjusted(api, "BOLT", "receipt", delta=100, unit_cost="0.40")
    adjusted(api, "NUT", "receipt", "Main", delta=60)
    adjusted(api, "BOLT", "receipt", "Depot", delta=10)
    adjusted(api, "OIL", "receipt", "Shop", delta="7.125")
    adjusted(api, "BOLT", "sale", delta=-7)
    adjusted(api, "NUT", "count", "Main", set=55)
    transferred(api, "BOLT", "Main", "Depot", 20)
    transferred(api, "NUT", "Main", "Shop", 5)
    transferred(api, "OIL", "Shop", "Depot", "2.5")
    for n in range(12):  # enough small writes for the feed to take several pages of 50
        adjusted(api, "OIL", "sale", "Shop", delta="-0.125")
        adjusted(api, "WASHER", "return", "Shop", delta=n + 1)
    adjusted(api, "WASHER", "count", "Shop", set=0)
    sale = adjusted(api, "KIT", "sale", "Main", delta=-3)
    assert [m["item"] for m in ok(sale, 201)["movements"]] and len(ok(sale, 201)["movements"]) == 2
    bulk = api.post("/v1/stock/adjustments/bulk", json={"atomic": False, "adjustments": [
        {"item": "KIT", "location": "Depot", "reason": "sale", "delta": "-1"},  # no NUT at Depot
        {"item": "NUT", "location": "Shop", "reason": "sale", "delta": "-2"},
        {"item": "BOLT", "location": "Shop", "reason": "sale", "delta": "-1"},  # none there
    ]})
    assert [row["ok"] for row in ok(bulk)["results"]] == [False, True, False]

    order = ok(api.post("/v1/purchase-orders", json={"location": "Depot", "lines": [
        {"item": "WASHER", "quantity": 40, "unit_cost": "0.05"}, {"item": "NUT", "quantity": 10}]}), 201)
    ok(api.post(f"/v1/purchase-orders/{order['id']}/order"))
    ok(api.post(f"/v1/purchase-orders/{order['id']}/receive", json={"lines": [
        {"line": order["lines"][0]["id"], "quantity": 15}]}))
    ok(api.post(f"/v1/purchase-orders/{order['id']}/receive", json={}))

    work = ok(api.post("/v1/production-orders", json={"lines": [{"item": "FRAME", "quantity": 5}]}), 201)
    batches = f"/v1/production-orders/{work['id']}/lines/{work['lines'][0]['id']}/batches"
    first = ok(api.post(batches, json={"quantity": "2"}), 201)
    ok(api.post(batches, json={"quantity": "1"}), 201)
    assert api.delete(f"/v1/batches/{first['id']}").status_code == 204

    held = ok(api.post("/v1/reservations", json={"item": "BOLT", "quantity": 5}), 201)
    ok(api.post(f"/v1/reservations/{held['id']}/fulfil", json={"quantity": 3}))
    snapshot = ok(api.post("/v1/snapshots", json={}), 201)
    adjusted(api, "NUT", "sale", "Main", delta=-4)
    transferred(api, "BOLT", "Depot", "Shop", 3)
    ok(api.post(f"/v1/snapshots/{snapshot['id']}/restore"))
    adjusted(api, "OIL", "count", "Depot", set="0.5")

    assert len(every_event(api, types="stock.changed")) > 50  # more than one page
    assert_replay_rebuilds_stock(api, bundles={kit["id"]})
    # The events' movements are the ledger itself, in the same order.
    assert [e["data"]["movement"] for e in every_event(api, types="stock.changed")] == movements(api)
    assert stock_levels(api)[(ok(api.get("/v1/items/FRAME"))["id"], main["id"])] == 1


_example = itertools.count()
_quantity = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("30"), places=3)
_steps = st.lists(
    st.one_of(
        st.tuples(st.just("receipt"), st.integers(0, 1), st.integers(0, 2), _quantity),
        st.tuples(st.just("sale"), st.integers(0, 1), st.integers(0, 2), _quantity),
        st.tuples(st.just("count"), st.integers(0, 1), st.integers(0, 2),
                  st.decimals(min_value=Decimal(0), max_value=Decimal("30"), places=3)),
        st.tuples(st.just("transfer"), st.integers(0, 1), st.integers(0, 2), _quantity, st.integers(1, 2)),
    ),
    min_size=1, max_size=12,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_steps)
def test_any_sequence_of_adjustments_and_transfers_is_rebuilt_exactly_by_replaying_the_feed(db, client, steps):
    """Whatever receipts, sales, counts and transfers are asked for (and refused when short),
    summing the stock.changed deltas per level gives every level and item total the stock shows,
    and both are what the requests should have left."""
    workspace = make_workspace(db, client, f"Replay {next(_example)}")
    api = workspace.api
    places = [location(api, name)["id"] for name in ("Main", "Depot", "Shop")]
    things = [item(api, sku, unit="kg")["id"] for sku in ("FLOUR", "SUGAR")]
    expected: dict[tuple[str, str], Decimal] = {}

    for step in steps:
        action, thing, place, quantity = step[:4]
        key = (things[thing], places[place])
        have = expected.get(key, Decimal(0))
        if action == "transfer":
            target = (things[thing], places[(place + step[4]) % 3])
            r = transfer(api, things[thing], places[place], target[1], quantity)
            if quantity <= have:
                assert r.status_code == 201, r.text
                expected[key] = have - quantity
                expected[target] = expected.get(target, Decimal(0)) + quantity
            else:
                assert error(r) == (422, "INSUFFICIENT_STOCK")
            continue
        change = {"set": quantity} if action == "count" else {"delta": quantity if action == "receipt" else -quantity}
        r = adjust(api, things[thing], action, places[place], **change)
        if action == "sale" and quantity > have:
            assert error(r) == (422, "NEGATIVE_QUANTITY")
        elif action == "count" and quantity == have:
            assert r.status_code in (201, 422), r.text
        else:
            assert r.status_code == 201, r.text
            expected[key] = quantity if action == "count" else have + change["delta"]

    assert without_zeros(stock_levels(api)) == without_zeros(expected)
    assert_replay_rebuilds_stock(api)


# Concurrent writers


def test_concurrent_writers_leave_a_gap_free_feed_with_one_stock_changed_per_movement(api):
    location(api, "Main", is_default=True)
    location(api, "Depot")
    for sku in ("RACE-A", "RACE-B"):
        item(api, sku)
        adjusted(api, sku, "receipt", delta=100)
    calls = [
        (lambda n=n: adjust(api, ("RACE-A", "RACE-B")[n % 2], "receipt" if n % 4 < 2 else "sale",
                            ("Main", "Depot")[n // 4], delta=(n + 1) if n % 4 < 2 else -(n + 1)))
        for n in range(8)
    ]
    results = at_once(calls)
    assert [r.status_code for r in results] == [201, 201, 201, 201, 201, 201, 422, 422], [r.text for r in results]

    events = every_event(api, limit=7)
    assert [e["sequence"] for e in events] == list(range(1, len(events) + 1))
    assert len({e["id"] for e in events}) == len(events)
    changed = [e["data"]["movement"] for e in events if e["type"] == "stock.changed"]
    ledger = movements(api)
    assert sorted(m["id"] for m in changed) == sorted(m["id"] for m in ledger)
    assert len(changed) == len(ledger) == 2 + 6
    # The feed orders the movements as they were committed: by their own sequence too.
    assert [m["sequence"] for m in changed] == sorted(m["sequence"] for m in changed)
    assert_replay_rebuilds_stock(api)
    written = [ok(r, 201)["movement"]["id"] for r in results if r.status_code == 201]
    for r, movement_id in zip([r for r in results if r.status_code == 201], written, strict=True):
        assert [e["data"]["movement"]["id"] for e in events_of(api, r, "stock.changed")] == [movement_id]


def test_concurrent_writers_to_one_item_each_get_their_own_sequence(api):
    location(api, "Main", is_default=True)
    item(api, "CROWD")
    results = at_once([lambda: adjust(api, "CROWD", "receipt", delta=1) for _ in range(8)])
    assert [r.status_code for r in results] == [201] * 8, [r.text for r in results]
    events = every_event(api)
    assert [e["sequence"] for e in events] == list(range(1, len(events) + 1))
    changed = [e for e in events if e["type"] == "stock.changed"]
    assert len(changed) == 8
    assert sorted(e["data"]["movement"]["after"] for e in changed) == list(range(1, 9))
    assert [e["data"]["movement"]["after"] for e in changed] == list(range(1, 9))
    assert_replay_rebuilds_stock(api)


# The audit log: every write, who made it, from where


def check_audited(api, expected: list[tuple]) -> list[dict]:
    """Each (response, action, resource_type, resource_id) has exactly one audit entry of that
    action in the response's request, by the calling key, from the test client. Returns them."""
    entries = audit_log(api)
    actor = me(api)
    found_all = []
    for r, action, resource_type, resource_id in expected:
        found = [e for e in entries if e["request_id"] == request_id(r) and e["action"] == action]
        assert [(e["resource_type"], e["resource_id"]) for e in found] == [(resource_type, resource_id)], (
            action, found)
        entry = found[0]
        assert entry["actor"] == actor, action
        assert entry["ip"] == "testclient", action
        assert entry["id"].startswith("aud_")
        found_all.append(entry)
    return found_all


def created_ok(r) -> dict:
    return ok(r, 201)


def test_catalog_writes_are_audited_with_their_action_resource_actor_request_and_address(api):
    writes = []

    def write(r, action, resource_type, resource_id):
        assert r.status_code in (200, 201, 204), r.text
        writes.append((r, action, resource_type, resource_id))
        return r

    main = created_ok(r := api.post("/v1/locations", json={"name": "Main"}))
    write(r, "location.created", "location", main["id"])
    write(api.patch(f"/v1/locations/{main['id']}", json={"name": "Main hall"}), "location.updated", "location",
          main["id"])
    spare = created_ok(r := api.post("/v1/locations", json={"name": "Spare"}))
    write(r, "location.created", "location", spare["id"])
    write(api.delete(f"/v1/locations/{spare['id']}"), "location.deleted", "location", spare["id"])

    category = created_ok(r := api.post("/v1/categories", json={"name": "Tools"}))
    write(r, "category.created", "category", category["id"])
    write(api.patch(f"/v1/categories/{category['id']}", json={"name": "Hand tools"}), "category.updated",
          "category", category["id"])
    tax = created_ok(r := api.post("/v1/tax-rates", json={"name": "Standard", "rate": "0.19"}))
    write(r, "tax_rate.created", "tax_rate", tax["id"])
    write(api.patch(f"/v1/tax-rates/{tax['id']}", json={"rate": "0.2"}), "tax_rate.updated", "tax_rate", tax["id"])
    reason = created_ok(r := api.post("/v1/reasons", json={"code": "sample", "name": "Sample", "direction": "out"}))
    write(r, "reason.created", "reason", reason["id"])
    write(api.patch(f"/v1/reasons/{reason['id']}", json={"name": "Free sample"}), "reason.updated", "reason",
          reason["id"])

    hammer = created_ok(r := api.post("/v1/items", json={"sku": "HAMMER", "name": "Hammer",
                                                         "category": category["id"]}))
    write(r, "item.created", "item", hammer["id"])
    write(api.patch("/v1/items/HAMMER", json={"name": "Claw hammer"}), "item.updated", "item", hammer["id"])
    write(api.put("/v1/items/HAMMER/channels/shop", json={}), "item.published", "item", hammer["id"])
    write(api.delete("/v1/items/HAMMER/channels/shop"), "item.unpublished", "item", hammer["id"])
    write(api.delete("/v1/items/HAMMER"), "item.deleted", "item", hammer["id"])
    write(api.post("/v1/items/HAMMER/restore"), "item.restored", "item", hammer["id"])

    write(api.delete(f"/v1/reasons/{reason['id']}"), "reason.deleted", "reason", reason["id"])
    write(api.delete(f"/v1/tax-rates/{tax['id']}"), "tax_rate.deleted", "tax_rate", tax["id"])
    write(api.patch("/v1/items/HAMMER", json={"category": None}), "item.updated", "item", hammer["id"])
    write(api.delete(f"/v1/categories/{category['id']}"), "category.deleted", "category", category["id"])

    entries = check_audited(api, writes)
    assert entries[1]["changes"] == {"name": ["Main", "Main hall"]}
    assert entries[5]["changes"] == {"name": ["Tools", "Hand tools"]}
    assert entries[0]["changes"]["name"] == [None, "Main"]
    assert entries[3]["changes"]["name"] == ["Spare", None]
    assert entries[11]["changes"] == {"name": ["Hammer", "Claw hammer"]}


def test_account_settings_and_webhook_writes_are_audited(api):
    writes = []

    def write(r, action, resource_type, resource_id):
        assert r.status_code in (200, 201, 204), r.text
        writes.append((r, action, resource_type, resource_id))

    user = created_ok(r := api.post("/v1/users", json={"email": "ann@example.com", "name": "Ann"}))
    write(r, "user.created", "user", user["id"])
    write(api.patch(f"/v1/users/{user['id']}", json={"role": "viewer"}), "user.updated", "user", user["id"])
    key = created_ok(r := api.post("/v1/api-keys", json={"name": "sync", "scopes": ["stock:read"]}))
    write(r, "api_key.created", "api_key", key["id"])
    write(api.delete(f"/v1/api-keys/{key['id']}"), "api_key.revoked", "api_key", key["id"])
    workspace_id = ok(api.get("/v1/me"))["workspace"]["id"]
    write(api.patch("/v1/workspace", json={"name": "Renamed", "settings": {"event_retention_days": 7}}),
          "workspace.updated", "workspace", workspace_id)
    hook = created_ok(r := api.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["stock.*"],
                                                          "is_active": False}))
    write(r, "webhook.created", "webhook", hook["id"])
    write(api.patch(f"/v1/webhooks/{hook['id']}", json={"description": "Shop"}), "webhook.updated", "webhook",
          hook["id"])
    write(api.delete(f"/v1/webhooks/{hook['id']}"), "webhook.deleted", "webhook", hook["id"])
    write(api.delete(f"/v1/users/{user['id']}"), "user.deleted", "user", user["id"])

    entries = check_audited(api, writes)
    assert entries[1]["changes"] == {"role": ["member", "viewer"]}
    assert entries[2]["changes"]["scopes"] == [None, ["stock:read"]]
    assert entries[2]["changes"]["name"] == [None, "sync"]
    assert entries[3]["changes"]["revoked_at"][0] is None
    changed = entries[4]["changes"]
    assert changed["name"] == ["Test", "Renamed"]
    assert set(changed) == {"name", "settings"}
    assert changed["settings"][0]["event_retention_days"] == 30
    assert changed["settings"][1]["event_retention_days"] == 7
    assert entries[6]["changes"] == {"description": [None, "Shop"]}
    # None of these is an event of the feed.
    assert {e["type"].split(".")[0] for e in every_event(api)} <= {"item", "stock"}


def test_stock_reservation_order_and_snapshot_writes_are_audited(api):
    writes = []

    def write(r, action, resource_type, resource_id):
        assert r.status_code in (200, 201, 204), r.text
        writes.append((r, action, resource_type, resource_id))

    main = location(api, "Main", is_default=True)
    depot = location(api, "Depot")
    bolt = item(api, "BOLT")
    item(api, "FRAME")
    bill_of(api, "FRAME", [("BOLT", 2)])

    received = adjusted(api, "BOLT", "receipt", delta=50)
    receipt = body(received)["movement"]
    write(received, "movement.created", "movement", receipt["id"])
    moved = transferred(api, "BOLT", "Main", "Depot", 5)
    out_of_main, into_depot = body(moved)["movements"]

    held = created_ok(r := api.post("/v1/reservations", json={"item": "BOLT", "quantity": 2}))
    write(r, "reservation.created", "reservation", held["id"])
    write(api.post(f"/v1/reservations/{held['id']}/release"), "reservation.released", "reservation", held["id"])
    again = body(api.post("/v1/reservations", json={"item": "BOLT", "quantity": 3}))
    fulfil = api.post(f"/v1/reservations/{again['id']}/fulfil", json={})
    write(fulfil, "reservation.fulfilled", "reservation", again["id"])
    write(fulfil, "movement.created", "movement", body(fulfil)["movement"]["id"])

    order = body(r := api.post("/v1/purchase-orders", json={"lines": [{"item": "BOLT", "quantity": 4}]}))
    write(r, "purchase_order.created", "purchase_order", order["id"])
    write(api.patch(f"/v1/purchase-orders/{order['id']}", json={"supplier": "Acme"}), "purchase_order.updated",
          "purchase_order", order["id"])
    write(api.post(f"/v1/purchase-orders/{order['id']}/order"), "purchase_order.ordered", "purchase_order",
          order["id"])
    write(api.post(f"/v1/purchase-orders/{order['id']}/receive", json={"lines": [
        {"line": order["lines"][0]["id"], "quantity": 1}]}), "purchase_order.partially_received", "purchase_order",
          order["id"])
    write(api.post(f"/v1/purchase-orders/{order['id']}/receive", json={}), "purchase_order.received",
          "purchase_order", order["id"])
    dropped = body(r := api.post("/v1/purchase-orders", json={"lines": [{"item": "BOLT", "quantity": 1}]}))
    write(api.post(f"/v1/purchase-orders/{dropped['id']}/cancel"), "purchase_order.cancelled", "purchase_order",
          dropped["id"])

    work = body(r := api.post("/v1/production-orders", json={"lines": [{"item": "FRAME", "quantity": 2}]}))
    write(r, "production_order.created", "production_order", work["id"])
    write(api.patch(f"/v1/production-orders/{work['id']}", json={"notes": "Red"}), "production_order.updated",
          "production_order", work["id"])
    made = created_ok(r := api.post(f"/v1/production-orders/{work['id']}/lines/{work['lines'][0]['id']}/batches",
                                    json={"quantity": "1"}))
    write(r, "production_order.batch_created", "production_order", work["id"])
    write(api.delete(f"/v1/batches/{made['id']}"), "production_order.batch_reversed", "production_order",
          work["id"])
    spare = body(api.post("/v1/production-orders", json={"lines": [{"item": "FRAME", "quantity": 1}]}))
    write(api.delete(f"/v1/production-orders/{spare['id']}"), "production_order.deleted", "production_order",
          spare["id"])

    snapshot = created_ok(r := api.post("/v1/snapshots", json={"note": "audit"}))
    write(r, "snapshot.created", "snapshot", snapshot["id"])
    write(api.post(f"/v1/snapshots/{snapshot['id']}/restore"), "snapshot.restored", "snapshot", snapshot["id"])

    check_audited(api, writes)
    entries = audit_log(api, action="movement.created")
    by_movement = {e["resource_id"]: e for e in entries}
    # One entry per movement, and each says where the level went from and to.
    assert sorted(by_movement) == sorted(m["id"] for m in movements(api))
    assert len(entries) == len(by_movement)
    assert by_movement[receipt["id"]]["changes"] == {
        "item": [None, bolt["id"]], "location": [None, main["id"]], "reason": [None, "receipt"], "on_hand": [0, 50]}
    assert by_movement[out_of_main["id"]]["changes"]["on_hand"] == [50, 45]
    assert by_movement[into_depot["id"]]["changes"] == {
        "item": [None, bolt["id"]], "location": [None, depot["id"]], "reason": [None, "transfer_in"],
        "on_hand": [0, 5]}
    assert {e["request_id"] for e in (by_movement[out_of_main["id"]], by_movement[into_depot["id"]])} == {
        request_id(moved)}
    for movement in movements(api):
        entry = by_movement[movement["id"]]
        assert entry["changes"]["on_hand"] == [movement["before"], movement["after"]]
        assert entry["changes"]["reason"] == [None, movement["reason"]]
        assert entry["actor"] == movement["actor"]


def test_what_the_worker_does_is_audited_as_the_system_without_a_request(api, workspace):
    location(api, "Main", is_default=True)
    gone = item(api, "GONE")
    assert api.patch("/v1/workspace", json={"settings": {"trash_retention_days": 1}}).status_code == 200
    assert api.delete("/v1/items/GONE").status_code == 204

    trash.purge_expired(workspace.db, now=utcnow() + timedelta(days=2))
    purged = audit_log(api, action="item.purged")
    assert [(e["resource_type"], e["resource_id"], e["actor"], e["request_id"], e["ip"]) for e in purged] == [
        ("item", gone["id"], {"type": "system", "id": "system", "name": "storekeeper"}, None, None)]
    assert purged[0]["changes"]["purged_at"][0] is None
    assert audit_log(api, actor="system")[0]["action"] == "item.purged"


def test_a_key_of_a_user_is_audited_as_that_user_just_as_the_ledger_names_its_movements(api):
    location(api, "Main", is_default=True)
    item(api, "MINE")
    ann = created_ok(api.post("/v1/users", json={"email": "ann@example.com", "name": "Ann"}))
    key = created_ok(api.post("/v1/api-keys", json={"name": "ann's phone", "scopes": ["stock:write", "items:write"],
                                                    "user": "ann@example.com"}))
    phone = Api(api.client, key["key"])
    counted = adjusted(phone, "MINE", "receipt", delta=3)
    renamed = phone.patch("/v1/items/MINE", json={"name": "Ann's"})
    assert renamed.status_code == 200, renamed.text

    as_the_ledger_shows = movements(api)[0]["actor"]
    assert as_the_ledger_shows == {"type": "user", "id": ann["id"], "name": "ann@example.com"}
    entries = entries_of(api, counted) + entries_of(api, renamed)
    assert [e["action"] for e in entries] == ["movement.created", "item.updated"]
    assert all(e["actor"] == as_the_ledger_shows for e in entries)
    assert every_event(api, types="stock.changed")[0]["data"]["movement"]["actor"] == as_the_ledger_shows
    assert audit_log(api, actor="ann@example.com") == audit_log(api, actor=ann["id"])
    assert [e["action"] for e in audit_log(api, actor=ann["id"])] == ["item.updated", "movement.created"]
    # The admin key is audited as the key, under its name.
    admin = audit_log(api, action="user.created")[0]["actor"]
    assert admin["type"] == "api_key" and admin["name"] == "admin" and admin["id"].startswith("key_")


def test_patching_an_item_audits_only_the_fields_that_changed_as_old_and_new(api):
    item(api, "FIELD", name="Field", description="Green", barcode="111", reorder_point=4)
    r = api.patch("/v1/items/FIELD", json={"name": "Meadow", "description": "Green", "barcode": "222",
                                           "reorder_point": 4, "brand": "Acme"})
    assert r.status_code == 200, r.text
    [entry] = entries_of(api, r)
    assert (entry["action"], entry["resource_type"]) == ("item.updated", "item")
    assert entry["changes"] == {"name": ["Field", "Meadow"], "barcode": ["111", "222"], "brand": [None, "Acme"]}
    same = api.patch("/v1/items/FIELD", json={"name": "Meadow"})
    assert same.status_code == 200, same.text
    assert entries_of(api, same) == []


def test_patching_a_location_audits_its_changed_fields(api):
    shop = location(api, "Shop")
    r = api.patch(f"/v1/locations/{shop['id']}", json={"name": "Corner shop", "type": "store", "is_active": True})
    assert r.status_code == 200, r.text
    [entry] = entries_of(api, r)
    assert (entry["action"], entry["resource_type"], entry["resource_id"]) == (
        "location.updated", "location", shop["id"])
    assert entry["changes"] == {"name": ["Shop", "Corner shop"], "type": ["warehouse", "store"]}


def test_the_audit_log_filters_by_action_resource_actor_and_time(api, workspace):
    default = api.get("/v1/locations/Main warehouse").json()  # made with the workspace
    main = location(api, "Main", is_default=True)
    first = item(api, "F-1")
    tick()
    item(api, "F-2")
    tick()
    updated = api.patch("/v1/items/F-1", json={"name": "First"})
    assert updated.status_code == 200
    tick()
    robot = workspace.key_with("items:write", name="robot")
    third = item(robot, "F-3")
    robot_id = next(e for e in audit_log(api, action="api_key.created") if e["changes"]["name"][1] == "robot")[
        "resource_id"]
    everything = audit_log(api)

    def pick(**params) -> list[tuple[str, str]]:
        return [(e["action"], e["resource_id"]) for e in audit_log(api, **params)]

    assert [sku for sku in (e["changes"]["sku"][1] for e in audit_log(api, action="item.created"))] == [
        "F-3", "F-2", "F-1"]
    assert pick(resource_type="location") == [("location.created", main["id"]), ("location.created", default["id"])]
    assert pick(resource_id=first["id"]) == [("item.updated", first["id"]), ("item.created", first["id"])]
    assert pick(actor="robot") == [("item.created", third["id"])]
    assert pick(actor=robot_id) == [("item.created", third["id"])]
    assert pick(action="item.created", actor="robot") == [("item.created", third["id"])]
    assert pick(action="item.created", actor="admin") == [("item.created", e) for e in
                                                          (ok(api.get("/v1/items/F-2"))["id"], first["id"])]
    assert pick(action="item.deleted") == []
    assert pick(actor="nobody") == []

    moment = next(e for e in everything if e["action"] == "item.updated")["created_at"]
    since = audit_log(api, since=moment)
    until = audit_log(api, until=moment)
    assert [e["id"] for e in since + until] == [e["id"] for e in everything]
    assert "item.updated" in [e["action"] for e in since]
    assert "item.updated" not in [e["action"] for e in until]
    assert all(at(e["created_at"]) >= at(moment) for e in since)
    assert all(at(e["created_at"]) < at(moment) for e in until)
    # The same instant written with another offset is the same filter.
    elsewhere = (at(moment) + timedelta(hours=2)).replace(tzinfo=None).isoformat(timespec="milliseconds") + "+02:00"
    assert audit_log(api, since=elsewhere) == since
    window = audit_log(api, since=moment, until=third["created_at"])
    assert [e["action"] for e in window] == ["api_key.created", "item.updated"]
    assert audit_log(api, since=stamp(utcnow() + timedelta(hours=1))) == []


def test_the_audit_log_pages_newest_first_through_a_cursor(api):
    location(api, "Main", is_default=True)
    for n in range(6):
        item(api, f"CUR-{n}")
    everything = audit_log(api)
    # The workspace's key and default location, Main, 6 items.
    assert len(everything) == ok(api.get("/v1/audit-log"))["meta"]["total"] == 9

    pages, cursor = [], None
    while True:
        page = ok(api.get("/v1/audit-log", params={"limit": 3, **({"cursor": cursor} if cursor else {})}))
        pages.append(page["data"])
        cursor = page["meta"]["next_cursor"]
        if cursor is None:
            break
    assert [len(p) for p in pages] == [3, 3, 3]
    assert [e for p in pages for e in p] == everything
    assert [at(e["created_at"]) for e in everything] == sorted((at(e["created_at"]) for e in everything),
                                                              reverse=True)
    assert [e["changes"]["sku"][1] for e in everything if e["action"] == "item.created"] == [
        f"CUR-{n}" for n in reversed(range(6))]
    filtered = ok(api.get("/v1/audit-log", params={"limit": 4, "action": "item.created"}))
    rest = ok(api.get("/v1/audit-log", params={"limit": 4, "action": "item.created",
                                               "cursor": filtered["meta"]["next_cursor"]}))
    assert [e["changes"]["sku"][1] for e in filtered["data"] + rest["data"]] == [
        f"CUR-{n}" for n in reversed(range(6))]


def test_entries_written_at_the_same_instant_page_without_loss_or_repeat(api):
    location(api, "Main", is_default=True)
    item(api, "TIE")
    bulk = api.post("/v1/stock/adjustments/bulk", json={"adjustments": [
        {"item": "TIE", "reason": "receipt", "delta": str(n + 1)} for n in range(9)]})
    assert bulk.status_code == 201, bulk.text
    tied = entries_of(api, bulk)
    assert len(tied) == 9
    assert len({e["created_at"] for e in tied}) == 1
    everything = audit_log(api)
    for limit in (1, 2, 4):
        pages, cursor = [], None
        while True:
            page = ok(api.get("/v1/audit-log", params={"limit": limit, **({"cursor": cursor} if cursor else {})}))
            pages += page["data"]
            cursor = page["meta"]["next_cursor"]
            if cursor is None:
                break
        assert [e["id"] for e in pages] == [e["id"] for e in everything], limit
    assert sorted(e["changes"]["on_hand"][1] for e in tied) == [sum(range(1, n + 2)) for n in range(9)]


def test_reading_the_audit_log_needs_the_audit_read_scope_which_admin_implies(workspace):
    api = workspace.api
    location(api, "Main", is_default=True)
    for scopes in (("items:write", "stock:write", "orders:write", "production:write"), ("locations:sync",)):
        r = workspace.key_with(*scopes).get("/v1/audit-log")
        assert error(r) == (403, "INSUFFICIENT_SCOPE"), scopes
    for scopes in (("audit:read",), ("admin",), ("*",)):
        reader = workspace.key_with(*scopes)
        r = reader.get("/v1/audit-log")
        assert r.status_code == 200, (scopes, r.text)
        # Main, then what the workspace was created with: its admin key and default location.
        assert [e["action"] for e in r.json()["data"]][-3:] == ["location.created", "api_key.created",
                                                               "location.created"]
        assert audit_log(reader, action="location.created") == audit_log(api, action="location.created")


def test_no_key_hash_or_webhook_secret_ever_appears_in_the_audit_log(api, workspace):
    location(api, "Main", is_default=True)
    key = created_ok(api.post("/v1/api-keys", json={"name": "leaky", "scopes": ["stock:read"]}))
    assert api.delete(f"/v1/api-keys/{key['id']}").status_code == 204
    hook = created_ok(api.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "is_active": False}))
    assert hook["secret"].startswith("whsec_")
    assert api.patch(f"/v1/webhooks/{hook['id']}", json={"url": "http://127.0.0.1:9/other"}).status_code == 200
    assert api.delete(f"/v1/webhooks/{hook['id']}").status_code == 204
    workspace.key_with("items:read", name="from code")

    raw = []
    cursor = None
    while True:
        r = api.get("/v1/audit-log", params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        raw.append(r.text)
        cursor = r.json()["meta"]["next_cursor"]
        if cursor is None:
            break
    raw.append(api.get("/v1/events", params={"limit": 1000}).text)
    text = "".join(raw)
    hidden = [key["key"], hashlib.sha256(key["key"].encode()).hexdigest(), workspace.key,
              hashlib.sha256(workspace.key.encode()).hexdigest(), hook["secret"], hook["secret"].removeprefix("whsec_")]
    for secret in hidden:
        assert secret not in text
    assert "key_hash" not in text
    assert "whsec_" not in text
    created = audit_log(api, action="api_key.created")
    assert len(created) == 3
    assert all("key_hash" not in e["changes"] and "key" not in e["changes"] for e in created)
    assert [e["changes"]["prefix"][1] for e in created if e["resource_id"] == key["id"]] == [key["prefix"]]
    webhook_entries = audit_log(api, resource_type="webhook")
    assert [e["action"] for e in webhook_entries] == ["webhook.deleted", "webhook.updated", "webhook.created"]
    assert all("secret" not in e["changes"] for e in webhook_entries)
    assert webhook_entries[1]["changes"] == {"url": ["http://127.0.0.1:9/hook", "http://127.0.0.1:9/other"]}


def test_concurrent_writes_of_every_kind_share_one_gap_free_feed_with_each_requests_events(api):
    location(api, "Main", is_default=True)
    location(api, "Depot")
    for sku in ("MIX-A", "MIX-B"):
        item(api, sku)
        adjusted(api, sku, "receipt", delta=50)
    calls = [
        lambda: adjust(api, "MIX-A", "receipt", delta=3),
        lambda: adjust(api, "MIX-B", "sale", delta=-4),
        lambda: adjust(api, "MIX-A", "count", "Depot", set=7),
        lambda: transfer(api, "MIX-B", "Main", "Depot", 5),
        lambda: api.post("/v1/items", json={"sku": "MIX-C", "name": "C"}),
        lambda: api.post("/v1/items", json={"sku": "MIX-D", "name": "D"}),
        lambda: api.patch("/v1/items/MIX-A", json={"name": "Renamed"}),
        lambda: api.post("/v1/reservations", json={"item": "MIX-A", "quantity": 2}),
    ]
    results = at_once(calls)
    assert [r.status_code for r in results] == [201, 201, 201, 201, 201, 201, 200, 201], [r.text for r in results]

    events = every_event(api, limit=5)
    assert [e["sequence"] for e in events] == list(range(1, len(events) + 1))
    assert len({e["id"] for e in events}) == len(events)
    expected = ["stock.changed", "stock.changed", "stock.changed", "stock.changed", "item.created", "item.created",
                "item.updated", "reservation.created"]
    transfer_index = 3
    for n, (r, first_type) in enumerate(zip(results, expected, strict=True)):
        own = [e for e in events if e["request_id"] == request_id(r)]
        assert own, n
        assert first_type in types_of(own), (n, types_of(own))
        # One request's events are consecutive: they were numbered together, right before its commit.
        sequences = [e["sequence"] for e in own]
        assert sequences == list(range(sequences[0], sequences[0] + len(own))), (n, sequences)
        if n == transfer_index:
            assert types_of(own).count("stock.changed") == 2
    changed = [e["data"]["movement"]["id"] for e in events if e["type"] == "stock.changed"]
    assert sorted(changed) == sorted(m["id"] for m in movements(api))
    assert len(changed) == len(set(changed)) == 2 + 5
    assert_replay_rebuilds_stock(api)
