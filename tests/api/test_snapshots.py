"""Snapshots over HTTP: every stock level of a workspace at one moment, to compare with and go back to.

A snapshot is a consistent cut of the ledger (`sequence` names the last movement it includes);
restoring writes `snapshot_restore` movements that set every level back to the snapshot, so the
history is kept and the ledger still explains every unit (CONTRACT "Snapshots", SPEC §3).
"""

from __future__ import annotations

import csv
import io
import itertools
import random
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storekeeper.services import snapshots
from storekeeper.services.check import check
from tests.concurrency import at_once, body
from tests.conftest import make_workspace
from tests.factories import error, item, location

D = Decimal


# Helpers


def ok(r, status: int = 200) -> dict:
    assert r.status_code == status, r.text
    return body(r)


def adjust(api, sku: str, at: str, delta, reason: str | None = None) -> dict:
    """One adjustment of `delta` at location `at`: a receipt going in, a sale going out."""
    reason = reason or ("receipt" if D(str(delta)) > 0 else "sale")
    r = api.post("/v1/stock/adjustments", json={"item": sku, "location": at, "reason": reason, "delta": str(delta)})
    return ok(r, 201)["movement"]


def count(api, sku: str, at: str, value) -> dict:
    r = api.post("/v1/stock/adjustments", json={"item": sku, "location": at, "reason": "count", "set": str(value)})
    return ok(r, 201)


def take(api, note: str | None = None) -> dict:
    return ok(api.post("/v1/snapshots", json={"note": note} if note is not None else {}), 201)


def read(api, snapshot_id: str) -> dict:
    return ok(api.get(f"/v1/snapshots/{snapshot_id}"))


def diff(api, snapshot_id: str) -> dict:
    return ok(api.get(f"/v1/snapshots/{snapshot_id}/diff"))


def restore(api, snapshot_id: str) -> dict:
    return ok(api.post(f"/v1/snapshots/{snapshot_id}/restore"))


def snapshot_levels(api, snapshot_id: str) -> dict[tuple[str, str], Decimal]:
    """{(item id, location id): on_hand} of the snapshot's levels with stock on hand."""
    return {(lv["item"], lv["location"]): lv["on_hand"] for lv in read(api, snapshot_id)["levels"] if lv["on_hand"]}


def stock_now(api) -> dict[tuple[str, str], Decimal]:
    """{(item id, location id): on_hand} of every level with stock on hand, as GET /v1/stock shows it."""
    found: dict[tuple[str, str], Decimal] = {}
    cursor = None
    while True:
        page = ok(api.get("/v1/stock", params={"limit": 1000, **({"cursor": cursor} if cursor else {})}))
        for row in page["data"]:
            for level in row["locations"]:
                if level["on_hand"]:
                    found[(row["item"], level["location"])] = level["on_hand"]
        if not page["meta"]["has_more"]:
            return found
        cursor = page["meta"]["next_cursor"]


def on_hand_at(api, sku: str, location_id: str) -> Decimal:
    row = ok(api.get(f"/v1/stock/{sku}"))
    return next((lv["on_hand"] for lv in row["locations"] if lv["location"] == location_id), D(0))


def all_movements(api, **params) -> list[dict]:
    """The whole ledger, oldest first, read page by page."""
    moves: list[dict] = []
    cursor = None
    while True:
        query = {"order": "asc", "limit": 1000, **params, **({"cursor": cursor} if cursor else {})}
        page = ok(api.get("/v1/stock/movements", params=query))
        moves += page["data"]
        if not page["meta"]["has_more"]:
            return moves
        cursor = page["meta"]["next_cursor"]


def events(api, types: str, after: int = 0) -> list[dict]:
    found: list[dict] = []
    while True:
        page = ok(api.get("/v1/events", params={"types": types, "after": after, "limit": 1000}))
        found += page["data"]
        if not page["meta"]["has_more"]:
            return found
        after = page["meta"]["next_after"]


def assert_ledger_explains_everything(workspace) -> None:
    _levels, mismatches = check(workspace.db, workspace.id)
    assert mismatches == []


def allow_negative_stock(api) -> None:
    ok(api.patch("/v1/workspace", json={"settings": {"allow_negative_stock": True}}))


def shop(api) -> tuple[dict, dict]:
    """Two locations; bolts (10 at Main, 2.5 at Shop) and nuts (5 at Main)."""
    main, store = location(api, "Main", is_default=True), location(api, "Shop")
    item(api, "BOLT")
    item(api, "NUT")
    adjust(api, "BOLT", "Main", 10)
    adjust(api, "BOLT", "Shop", "2.5")
    adjust(api, "NUT", "Main", 5)
    return main, store


# Taking a snapshot


def test_a_snapshot_has_its_note_and_the_sequence_of_the_last_movement_it_includes(api):
    shop(api)
    last = adjust(api, "NUT", "Main", -1)
    snap = take(api, "Before the stocktake")
    assert snap["id"].startswith("snap_")
    assert snap["note"] == "Before the stocktake"
    assert snap["automatic"] is False
    assert snap["sequence"] == last["sequence"]
    assert snap["restored_at"] is None
    assert snap["created_at"]
    assert ok(api.get("/v1/snapshots"))["data"] == [snap]


def test_level_count_counts_the_levels_holding_stock_below_or_above_zero(api, workspace):
    shop(api)
    item(api, "WASHER")
    adjust(api, "WASHER", "Main", 4)
    adjust(api, "WASHER", "Main", -4)  # a level that exists but holds nothing
    allow_negative_stock(api)
    item(api, "RIVET")
    adjust(api, "RIVET", "Shop", "-1.5")  # a level below zero holds stock too
    snap = take(api)
    assert snap["level_count"] == 4
    assert read(api, snap["id"])["level_count"] == 4
    assert len(read(api, snap["id"])["levels"]) == 4
    [created] = events(workspace.key_with("stock:read"), "snapshot.created")
    assert created["data"]["snapshot"]["level_count"] == 4


def test_a_snapshot_of_a_workspace_without_stock_counts_no_levels(api):
    assert take(api)["level_count"] == 0


def test_a_snapshot_names_the_key_that_took_it_and_the_note_may_be_left_out(workspace):
    writer = workspace.key_with("stock:write", name="night shift")
    snap = ok(writer.post("/v1/snapshots"), 201)
    assert snap["note"] is None
    assert snap["created_by"] == "night shift"


def test_a_snapshot_of_a_workspace_without_stock_has_no_levels(api):
    snap = take(api)
    assert snap["sequence"] == 0
    assert read(api, snap["id"])["levels"] == []


def test_a_level_with_reserved_stock_is_in_the_snapshot(api):
    location(api, "Main", is_default=True)
    widget = item(api, "W")
    adjust(api, "W", "Main", 3)
    ok(api.post("/v1/reservations", json={"item": "W", "location": "Main", "quantity": 2}), 201)
    snap = take(api)
    [level] = read(api, snap["id"])["levels"]
    assert (level["item"], level["on_hand"], level["reserved"]) == (widget["id"], 3, 2)


# Reading snapshots


def test_snapshots_are_listed_newest_first_a_page_at_a_time(api):
    taken = []
    for n in range(5):
        taken.append(take(api, f"#{n}")["id"])
        time.sleep(0.002)
    first = ok(api.get("/v1/snapshots", params={"limit": 2}))
    assert [s["id"] for s in first["data"]] == taken[::-1][:2]
    assert first["meta"]["has_more"] is True
    assert first["meta"]["total"] == 5
    second = ok(api.get("/v1/snapshots", params={"limit": 2, "cursor": first["meta"]["next_cursor"]}))
    third = ok(api.get("/v1/snapshots", params={"limit": 2, "cursor": second["meta"]["next_cursor"]}))
    assert [s["id"] for s in second["data"] + third["data"]] == taken[::-1][2:]
    assert third["meta"]["has_more"] is False
    assert [s["note"] for s in first["data"]] == ["#4", "#3"]


def test_a_snapshot_shows_each_level_with_its_sku_location_name_and_exact_quantities(api):
    main, store = location(api, "Main", is_default=True), location(api, "Back room")
    bolt = item(api, "BOLT", unit="kg")
    adjust(api, "BOLT", "Main", "1234.567891")
    adjust(api, "BOLT", "Back room", "0.000001")
    snap = take(api)
    shown = read(api, snap["id"])
    assert {k: shown[k] for k in snap} == snap
    assert sorted(shown["levels"], key=lambda lv: lv["location_name"]) == [
        {"item": bolt["id"], "sku": "BOLT", "location": store["id"], "location_name": "Back room",
         "on_hand": D("0.000001"), "reserved": 0},
        {"item": bolt["id"], "sku": "BOLT", "location": main["id"], "location_name": "Main",
         "on_hand": D("1234.567891"), "reserved": 0},
    ]


def test_a_snapshot_keeps_the_levels_it_was_taken_with_as_stock_changes(api):
    main, _store = shop(api)
    snap = take(api)
    adjust(api, "BOLT", "Main", -7)
    item(api, "LATE")
    adjust(api, "LATE", "Main", 1)
    levels = {(lv["sku"], lv["location_name"]): lv["on_hand"] for lv in read(api, snap["id"])["levels"]}
    assert levels == {("BOLT", "Main"): 10, ("BOLT", "Shop"): D("2.5"), ("NUT", "Main"): 5}
    assert on_hand_at(api, "BOLT", main["id"]) == 3


def test_a_snapshot_can_be_downloaded_as_csv(api):
    main, store = shop(api)
    snap = take(api)
    r = api.get(f"/v1/snapshots/{snap['id']}", headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines()[0] == "item,sku,location,location_name,on_hand,reserved"
    rows = list(csv.DictReader(io.StringIO(r.text)))
    as_json = read(api, snap["id"])["levels"]
    assert len(rows) == len(as_json) == 3
    shown = {(row["sku"], row["location_name"]): (D(row["on_hand"]), D(row["reserved"])) for row in rows}
    assert shown == {("BOLT", "Main"): (10, 0), ("BOLT", "Shop"): (D("2.5"), 0), ("NUT", "Main"): (5, 0)}
    assert {(row["item"], row["location"]) for row in rows} == {(lv["item"], lv["location"]) for lv in as_json}
    assert {row["location"] for row in rows} == {main["id"], store["id"]}


def test_a_key_with_stock_read_can_read_snapshots_and_their_diff(api, workspace):
    shop(api)
    snap = take(api)
    reader = workspace.key_with("stock:read")
    assert [s["id"] for s in ok(reader.get("/v1/snapshots"))["data"]] == [snap["id"]]
    assert len(ok(reader.get(f"/v1/snapshots/{snap['id']}"))["levels"]) == 3
    assert ok(reader.get(f"/v1/snapshots/{snap['id']}/diff"))["levels"] == []


# Diff


def test_the_diff_lists_each_level_that_changed_with_current_minus_snapshot(api):
    main, store = shop(api)
    item(api, "WASHER")
    adjust(api, "NUT", "Shop", 3)
    snap = take(api)
    adjust(api, "BOLT", "Main", -4)  # a sale
    adjust(api, "NUT", "Main", "2.5")  # a receipt
    adjust(api, "WASHER", "Main", 7)  # a new level
    adjust(api, "NUT", "Shop", -3)  # a level emptied
    adjust(api, "BOLT", "Shop", 1)
    adjust(api, "BOLT", "Shop", -1)  # changed and changed back: no difference
    result = diff(api, snap["id"])
    assert result["snapshot"]["id"] == snap["id"]
    changed = {(lv["sku"], lv["location_name"]): (lv["snapshot_on_hand"], lv["current_on_hand"], lv["difference"])
               for lv in result["levels"]}
    assert changed == {
        ("BOLT", "Main"): (10, 6, -4),
        ("NUT", "Main"): (5, D("7.5"), D("2.5")),
        ("WASHER", "Main"): (0, 7, 7),
        ("NUT", "Shop"): (3, 0, -3),
    }
    ids = {(lv["sku"], lv["location_name"]): (lv["item"], lv["location"]) for lv in result["levels"]}
    assert ids[("NUT", "Shop")][1] == store["id"]
    assert ids[("WASHER", "Main")][1] == main["id"]


def test_a_fresh_snapshot_differs_in_nothing(api):
    shop(api)
    assert diff(api, take(api)["id"])["levels"] == []


# Restore


def test_restoring_sets_every_level_back_to_the_snapshot(api, workspace):
    shop(api)
    snap = take(api)
    expected = snapshot_levels(api, snap["id"])
    assert stock_now(api) == expected
    adjust(api, "BOLT", "Main", -4)
    adjust(api, "NUT", "Main", "0.125")
    adjust(api, "BOLT", "Shop", "-2.5")
    ok(api.post("/v1/stock/transfers", json={"item": "NUT", "from": "Main", "to": "Shop", "quantity": 2}), 201)
    assert stock_now(api) != expected

    result = restore(api, snap["id"])
    assert result["skipped"] == []
    assert result["snapshot"]["id"] == snap["id"]
    assert result["snapshot"]["restored_at"] is not None
    assert stock_now(api) == expected
    assert diff(api, snap["id"])["levels"] == []
    assert read(api, snap["id"])["restored_at"] == result["snapshot"]["restored_at"]
    assert_ledger_explains_everything(workspace)


def test_a_level_created_after_the_snapshot_goes_back_to_zero(api, workspace):
    main, _store = shop(api)
    snap = take(api)
    item(api, "WASHER")
    adjust(api, "WASHER", "Main", 12)
    cellar = location(api, "Cellar")
    adjust(api, "BOLT", "Cellar", "3.75")
    restore(api, snap["id"])
    assert on_hand_at(api, "WASHER", main["id"]) == 0
    assert on_hand_at(api, "BOLT", cellar["id"]) == 0
    assert stock_now(api) == snapshot_levels(api, snap["id"])
    assert_ledger_explains_everything(workspace)


def test_restoring_keeps_the_history_and_explains_the_change_with_snapshot_restore_movements(api, workspace):
    main, store = shop(api)
    snap = take(api)
    adjust(api, "BOLT", "Main", -4)
    adjust(api, "NUT", "Main", 3)
    item(api, "WASHER")
    adjust(api, "WASHER", "Shop", 6)
    before = all_movements(api)

    result = restore(api, snap["id"])
    after = all_movements(api)
    assert after[:len(before)] == before  # nothing rewritten
    written = after[len(before):]
    assert written == result["movements"]
    assert {(m["sku"], m["location"]): (m["before"], m["after"], m["delta"]) for m in written} == {
        ("BOLT", main["id"]): (6, 10, 4),
        ("NUT", main["id"]): (8, 5, -3),
        ("WASHER", store["id"]): (6, 0, -6),
    }
    for m in written:
        assert m["reason"] == "snapshot_restore"
        assert m["reference"] == {"type": "snapshot", "id": snap["id"]}
    by_reference = all_movements(api, reference_type="snapshot", reference_id=snap["id"])
    assert [m["id"] for m in by_reference] == [m["id"] for m in written]
    assert_ledger_explains_everything(workspace)


def test_restoring_twice_changes_nothing_the_second_time(api, workspace):
    shop(api)
    snap = take(api)
    adjust(api, "BOLT", "Main", -4)
    assert len(restore(api, snap["id"])["movements"]) == 1
    before = all_movements(api)
    again = restore(api, snap["id"])
    assert again["movements"] == []
    assert again["skipped"] == []
    assert all_movements(api) == before
    assert stock_now(api) == snapshot_levels(api, snap["id"])
    assert_ledger_explains_everything(workspace)


def test_an_item_in_the_trash_is_restored_too(api, workspace):
    main, _store = shop(api)
    snap = take(api)
    adjust(api, "NUT", "Main", -5)
    assert api.delete("/v1/items/NUT").status_code == 204
    result = restore(api, snap["id"])
    assert result["skipped"] == []
    [moved] = result["movements"]
    assert (moved["sku"], moved["location"], moved["before"], moved["after"]) == ("NUT", main["id"], 0, 5)
    ok(api.post("/v1/items/NUT/restore"))
    assert on_hand_at(api, "NUT", main["id"]) == 5
    assert stock_now(api) == snapshot_levels(api, snap["id"])
    assert_ledger_explains_everything(workspace)


def test_a_location_deleted_after_the_snapshot_is_skipped_and_listed(api, workspace):
    main, store = shop(api)
    bolt = ok(api.get("/v1/items/BOLT"))
    snap = take(api)
    adjust(api, "BOLT", "Shop", "-2.5")
    assert api.delete(f"/v1/locations/{store['id']}").status_code == 204
    adjust(api, "BOLT", "Main", -1)

    result = restore(api, snap["id"])
    assert result["skipped"] == [{"item": bolt["id"], "location": store["id"], "reason": "location deleted"}]
    assert [(m["sku"], m["location"], m["after"]) for m in result["movements"]] == [("BOLT", main["id"], 10)]
    assert on_hand_at(api, "BOLT", main["id"]) == 10
    assert_ledger_explains_everything(workspace)


def test_a_workspace_with_negative_stock_gets_its_exact_negative_levels_back(api, workspace):
    main, store = location(api, "Main", is_default=True), location(api, "Shop")
    allow_negative_stock(api)
    item(api, "BOLT")
    adjust(api, "BOLT", "Main", "-3.125")
    adjust(api, "BOLT", "Shop", 2)
    snap = take(api)
    assert {lv["location_name"]: lv["on_hand"] for lv in read(api, snap["id"])["levels"]} == {
        "Main": D("-3.125"), "Shop": 2}
    adjust(api, "BOLT", "Main", 10)
    adjust(api, "BOLT", "Shop", -5)
    restore(api, snap["id"])
    assert on_hand_at(api, "BOLT", main["id"]) == D("-3.125")
    assert on_hand_at(api, "BOLT", store["id"]) == 2
    assert diff(api, snap["id"])["levels"] == []
    assert_ledger_explains_everything(workspace)


# Events


def test_taking_and_restoring_a_snapshot_are_in_the_change_feed(api, workspace):
    shop(api)
    reader = workspace.key_with("stock:read")
    snap = take(api, "Nightly")
    adjust(api, "BOLT", "Main", -4)
    adjust(api, "NUT", "Main", 1)
    start = events(reader, "stock.*,snapshot.*")[-1]["sequence"]
    result = restore(api, snap["id"])

    feed = events(reader, "snapshot.*")
    assert [(e["type"], e["resource_type"], e["resource_id"]) for e in feed] == [
        ("snapshot.created", "snapshot", snap["id"]), ("snapshot.restored", "snapshot", snap["id"])]
    created, restored = feed
    assert created["data"]["snapshot"]["id"] == snap["id"]
    assert created["data"]["snapshot"]["sequence"] == snap["sequence"]
    assert created["data"]["snapshot"]["note"] == "Nightly"
    assert restored["data"]["movements"] == 2
    assert restored["data"]["skipped"] == []

    changed = events(reader, "stock.changed", after=start)
    assert len(result["movements"]) == 2
    assert [e["data"]["movement"] for e in changed] == result["movements"]


# Scopes and errors


def test_a_stock_reader_cannot_take_a_snapshot(workspace):
    reader = workspace.key_with("stock:read")
    assert error(reader.post("/v1/snapshots", json={})) == (403, "INSUFFICIENT_SCOPE")


def test_a_stock_writer_can_take_a_snapshot_but_only_an_admin_can_restore_it(api, workspace):
    shop(api)
    writer = workspace.key_with("stock:write")
    snap = ok(writer.post("/v1/snapshots", json={"note": "mine"}), 201)
    adjust(api, "BOLT", "Main", -1)
    assert error(writer.post(f"/v1/snapshots/{snap['id']}/restore")) == (403, "INSUFFICIENT_SCOPE")
    assert error(workspace.key_with("stock:read").post(f"/v1/snapshots/{snap['id']}/restore")) == (
        403, "INSUFFICIENT_SCOPE")
    assert diff(api, snap["id"])["levels"] != []  # nothing was restored
    assert len(ok(workspace.key_with("admin").post(f"/v1/snapshots/{snap['id']}/restore"))["movements"]) == 1


def test_an_unknown_snapshot_is_not_found(api):
    for r in (api.get("/v1/snapshots/snap_doesnotexist"), api.get("/v1/snapshots/snap_doesnotexist/diff"),
              api.post("/v1/snapshots/snap_doesnotexist/restore"),
              api.get("/v1/snapshots/snap_doesnotexist", headers={"Accept": "text/csv"})):
        assert error(r) == (404, "SNAPSHOT_NOT_FOUND")


def test_another_workspaces_snapshot_is_not_found(api, other_workspace):
    snap = take(other_workspace.api)
    assert error(api.get(f"/v1/snapshots/{snap['id']}")) == (404, "SNAPSHOT_NOT_FOUND")
    assert error(api.get(f"/v1/snapshots/{snap['id']}/diff")) == (404, "SNAPSHOT_NOT_FOUND")
    assert error(api.post(f"/v1/snapshots/{snap['id']}/restore")) == (404, "SNAPSHOT_NOT_FOUND")
    assert ok(api.get("/v1/snapshots"))["data"] == []


# Daily snapshots


def automatic_snapshots(api) -> list[dict]:
    return [s for s in ok(api.get("/v1/snapshots", params={"limit": 1000}))["data"] if s["automatic"]]


def daily(api) -> None:
    ok(api.patch("/v1/workspace", json={"settings": {"auto_snapshot": "daily"}}))


def test_a_daily_workspace_gets_one_automatic_snapshot_a_day(api, db):
    shop(api)
    daily(api)
    now = datetime.now(UTC)
    snapshots.take_daily(db, now=now)
    snapshots.take_daily(db, now=now)
    [first] = automatic_snapshots(api)
    assert first["note"] == "Daily snapshot"
    assert len(read(api, first["id"])["levels"]) == 3
    assert read(api, first["id"])["automatic"] is True
    snapshots.take_daily(db, now=now + timedelta(hours=23))
    assert len(automatic_snapshots(api)) == 1
    snapshots.take_daily(db, now=now + timedelta(hours=25))
    assert len(automatic_snapshots(api)) == 2


def test_a_daily_snapshot_taken_a_day_later_counts_as_taken_then(api, db):
    """Once the snapshot of day two is taken, asking again on day two takes none."""
    daily(api)
    now = datetime.now(UTC)
    snapshots.take_daily(db, now=now)
    snapshots.take_daily(db, now=now + timedelta(hours=25))
    snapshots.take_daily(db, now=now + timedelta(hours=25))
    assert len(automatic_snapshots(api)) == 2


def test_snapshots_taken_by_hand_do_not_stand_in_for_the_daily_one(api, db):
    daily(api)
    take(api)
    snapshots.take_daily(db, now=datetime.now(UTC))
    assert len(automatic_snapshots(api)) == 1


def test_a_workspace_with_automatic_snapshots_off_gets_none(api, db):
    shop(api)
    snapshots.take_daily(db, now=datetime.now(UTC))
    snapshots.take_daily(db, now=datetime.now(UTC) + timedelta(days=3))
    assert ok(api.get("/v1/snapshots"))["data"] == []


# Consistency under concurrency


def test_snapshots_taken_while_six_clients_adjust_stock_are_consistent_cuts_of_the_ledger(api, workspace):
    places = [location(api, name)["id"] for name in ("Main", "Shop")]
    skus = [item(api, f"C-{n}")["sku"] for n in range(3)]
    for sku in skus:
        for place in places:
            adjust(api, sku, place, 1000)
    writers = 6
    done = []

    def adjuster(seed: int):
        def run():
            rng = random.Random(seed)
            codes = []
            try:
                for _ in range(15):
                    delta = D(rng.randint(1, 400)) / 100 * rng.choice((1, -1))
                    r = api.post("/v1/stock/adjustments", json={
                        "item": rng.choice(skus), "location": rng.choice(places),
                        "reason": "receipt" if delta > 0 else "sale", "delta": str(delta)})
                    codes.append(r.status_code)
            finally:
                done.append(seed)
            return codes
        return run

    def snapshotter():
        taken = []
        while len(done) < writers or len(taken) < 3:
            taken.append(take(api))
        return taken

    *codes, taken = at_once([adjuster(n) for n in range(writers)] + [snapshotter])
    assert all(code == 201 for run in codes for code in run), codes
    taken.append(take(api))

    moves = all_movements(api)
    assert len(moves) == 6 + writers * 15
    for snap in taken:
        levels = read(api, snap["id"])["levels"]
        included = [m for m in moves if m["sequence"] <= snap["sequence"]]
        assert sum((lv["on_hand"] for lv in levels), D(0)) == sum((m["delta"] for m in included), D(0)), snap
        per_level: dict[tuple[str, str], Decimal] = {}
        for m in included:
            per_level[(m["item"], m["location"])] = per_level.get((m["item"], m["location"]), D(0)) + m["delta"]
        assert {(lv["item"], lv["location"]): lv["on_hand"] for lv in levels} == {
            key: value for key, value in per_level.items() if value}, snap
    assert snap["sequence"] == moves[-1]["sequence"]
    assert stock_now(api) == snapshot_levels(api, snap["id"])
    assert_ledger_explains_everything(workspace)


# Any history, restored


_examples = itertools.count()
_quantity = st.decimals(min_value=D("0.001"), max_value=D(50), places=3)
_step = st.one_of(
    st.tuples(st.just("receive"), st.integers(0, 7), st.integers(0, 7), _quantity),
    st.tuples(st.just("count"), st.integers(0, 7), st.integers(0, 7),
              st.decimals(min_value=D(0), max_value=D(50), places=3)),
)
_later_step = st.one_of(_step, st.tuples(st.just("new item")), st.tuples(st.just("new location")))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.lists(_step, min_size=1, max_size=8), after=st.lists(_later_step, min_size=1, max_size=10))
def test_restoring_any_snapshot_brings_back_exactly_its_stock(db, client, before, after):
    """Whatever was received and counted before and after the snapshot, at items and locations old
    and new, restoring it leaves every level as the snapshot had it and the ledger explains all."""
    n = next(_examples)
    workspace = make_workspace(db, client, f"Property {n}")
    api = workspace.api
    skus = [item(api, f"P{n}-A")["sku"], item(api, f"P{n}-B")["sku"]]
    places = [location(api, "Main", is_default=True)["name"]]

    def apply(step) -> None:
        if step[0] == "new item":
            skus.append(item(api, f"P{n}-{len(skus)}")["sku"])
        elif step[0] == "new location":
            places.append(location(api, f"Place {len(places)}")["name"])
        elif step[0] == "receive":
            _, i, p, quantity = step
            adjust(api, skus[i % len(skus)], places[p % len(places)], quantity)
        else:
            _, i, p, value = step
            count(api, skus[i % len(skus)], places[p % len(places)], value)

    for step in before:
        apply(step)
    snap = take(api)
    expected = snapshot_levels(api, snap["id"])
    assert stock_now(api) == expected
    for step in after:
        apply(step)
    restore(api, snap["id"])
    assert stock_now(api) == expected
    assert diff(api, snap["id"])["levels"] == []
    assert_ledger_explains_everything(workspace)
