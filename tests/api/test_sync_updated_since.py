"""Sync clients and stock changes (SPEC §6): a client that polls `GET /v1/items?updated_since=`
or `GET /v1/stock?updated_since=` with the greatest `updated_at` it saw must see every change of
stock — a sale, a transfer, a reservation, a production batch, a bundle sale, a purchase order —
on the items it moved and on those derived from them (a variant's parent, a bundle), while each
item's `version` (its ETag for If-Match) stays what a catalogue edit made it."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta

from storekeeper.services import reservations
from tests.factories import item, location


def ok(r, status: int = 200) -> dict:
    assert r.status_code == status, r.text
    return r.json()


def moment_between() -> str:
    """A time strictly after everything written so far and strictly before anything written next
    (times are kept to the millisecond)."""
    time.sleep(0.01)
    moment = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    time.sleep(0.01)
    return moment


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def adjust(api, sku: str, delta, place: str | None = None, reason: str | None = None, **fields) -> dict:
    reason = reason or ("receipt" if float(delta) > 0 else "sale")
    return ok(api.post("/v1/stock/adjustments", json={"item": sku, "location": place, "reason": reason,
                                                       "delta": delta, **fields}), 201)


def items_since(api, moment: str) -> dict[str, dict]:
    """The items GET /v1/items lists as changed at or after the moment, by SKU."""
    return {row["sku"]: row for row in ok(api.get("/v1/items", params={"updated_since": moment,
                                                                       "limit": 1000}))["data"]}


def stock_since(api, moment: str) -> dict[str, dict]:
    return {row["sku"]: row for row in ok(api.get("/v1/stock", params={"updated_since": moment,
                                                                       "limit": 1000}))["data"]}


def versions(api, *skus: str) -> dict[str, tuple[int, str]]:
    """Each item's version and the ETag its GET answers with."""
    out = {}
    for sku in skus:
        r = api.get(f"/v1/items/{sku}")
        out[sku] = (ok(r)["version"], r.headers["ETag"])
    return out


def assert_changed_since(api, moment: str, items: set[str], stock: set[str]) -> None:
    """Exactly these items (and stock rows) are listed as changed since the moment, and each
    shows an `updated_at` at or after it: what a client takes as its next watermark."""
    listed, rows = items_since(api, moment), stock_since(api, moment)
    assert (set(listed), set(rows)) == (items, stock)
    assert all(at(row["updated_at"]) >= at(moment) for row in [*listed.values(), *rows.values()])
    assert all(rows[sku]["updated_at"] == listed[sku]["updated_at"] for sku in rows)


# What each kind of stock change makes a sync client see


def test_a_sale_lists_its_item_as_updated_on_both_lists_with_the_same_version(api):
    location(api, "Main")
    item(api, "SOLD")
    item(api, "IDLE")
    adjust(api, "SOLD", 10)
    adjust(api, "IDLE", 10)
    before = versions(api, "SOLD", "IDLE")
    moment = moment_between()
    sale = adjust(api, "SOLD", -1)["movement"]
    assert_changed_since(api, moment, {"SOLD"}, {"SOLD"})
    shown = items_since(api, moment)["SOLD"]
    assert shown["on_hand"] == 9 and at(shown["updated_at"]) >= at(sale["created_at"])
    assert versions(api, "SOLD", "IDLE") == before


def test_a_patch_with_the_etag_read_before_a_sale_still_applies(api):
    location(api, "Main")
    item(api, "RACE")
    adjust(api, "RACE", 10)
    read = api.get("/v1/items/RACE")
    etag = read.headers["ETag"]
    adjust(api, "RACE", -2)
    r = api.patch("/v1/items/RACE", json={"name": "Renamed"}, headers={"If-Match": etag})
    patched = ok(r)
    assert (patched["name"], patched["on_hand"], patched["version"]) == ("Renamed", 8, ok(read)["version"] + 1)


def test_a_transfer_lists_the_item_and_a_variants_transfer_its_parent_too(api):
    location(api, "Main")
    location(api, "Shop")
    item(api, "PLAIN")
    ok(api.post("/v1/items", json={"sku": "TEE", "name": "Tee", "variants": [
        {"sku": "TEE-S", "attributes": {"size": "S"}}, {"sku": "TEE-M", "attributes": {"size": "M"}}]}), 201)
    for sku in ("PLAIN", "TEE-S", "TEE-M"):
        adjust(api, sku, 10, "Main")
    before = versions(api, "PLAIN", "TEE", "TEE-S", "TEE-M")
    moment = moment_between()
    ok(api.post("/v1/stock/transfers", json={"item": "PLAIN", "from": "Main", "to": "Shop", "quantity": 3}), 201)
    assert_changed_since(api, moment, {"PLAIN"}, {"PLAIN"})

    moment = moment_between()
    ok(api.post("/v1/stock/transfers", json={"item": "TEE-S", "from": "Main", "to": "Shop", "quantity": 3}), 201)
    # The parent's totals stay, but what it shows per location (its variants summed) moved; a
    # parent is no stock row of its own.
    assert_changed_since(api, moment, {"TEE-S", "TEE"}, {"TEE-S"})
    assert [(lv["name"], lv["on_hand"]) for lv in ok(api.get("/v1/items/TEE"))["locations"]] == [
        ("Main", 17), ("Shop", 3)]
    assert versions(api, "PLAIN", "TEE", "TEE-S", "TEE-M") == before


def test_a_variants_sale_lists_its_parent_with_its_new_totals(api):
    location(api, "Main")
    ok(api.post("/v1/items", json={"sku": "CAP", "name": "Cap", "variants": [
        {"sku": "CAP-RED", "attributes": {"colour": "red"}}, {"sku": "CAP-BLUE", "attributes": {"colour": "blue"}}]}),
       201)
    adjust(api, "CAP-RED", 5)
    adjust(api, "CAP-BLUE", 5)
    before = versions(api, "CAP", "CAP-RED")
    moment = moment_between()
    adjust(api, "CAP-RED", -2)
    assert_changed_since(api, moment, {"CAP", "CAP-RED"}, {"CAP-RED"})
    assert items_since(api, moment)["CAP"]["on_hand"] == 8
    assert versions(api, "CAP", "CAP-RED") == before


def test_reserving_releasing_and_fulfilling_each_list_the_item(api):
    location(api, "Main")
    item(api, "HELD")
    adjust(api, "HELD", 10)
    before = versions(api, "HELD")
    moment = moment_between()
    first = ok(api.post("/v1/reservations", json={"item": "HELD", "quantity": 4}), 201)
    assert_changed_since(api, moment, {"HELD"}, {"HELD"})
    assert stock_since(api, moment)["HELD"]["available"] == 6

    moment = moment_between()
    ok(api.post(f"/v1/reservations/{first['id']}/release"))
    assert_changed_since(api, moment, {"HELD"}, {"HELD"})
    assert stock_since(api, moment)["HELD"]["available"] == 10

    second = ok(api.post("/v1/reservations", json={"item": "HELD", "quantity": 3}), 201)
    moment = moment_between()
    ok(api.post(f"/v1/reservations/{second['id']}/fulfil"))
    assert_changed_since(api, moment, {"HELD"}, {"HELD"})
    assert versions(api, "HELD") == before


def test_a_reservation_expired_by_the_worker_lists_the_item_at_the_time_it_was_written(api, workspace):
    """The worker looks for due reservations as of a moment it takes first; the item's time is
    the moment its stock was written, so a client that saw anything written meanwhile still
    finds the expiry after its watermark."""
    location(api, "Main")
    item(api, "LAPSE")
    adjust(api, "LAPSE", 10)
    due = datetime.now(UTC) + timedelta(seconds=1)
    ok(api.post("/v1/reservations", json={"item": "LAPSE", "quantity": 4, "expires_at": due.isoformat()}), 201)
    deadline = time.monotonic() + 30
    while datetime.now(UTC) <= due and time.monotonic() < deadline:
        time.sleep(0.05)
    moment = moment_between()
    assert reservations.expire_due(workspace.db, now=due) >= 1
    assert_changed_since(api, moment, {"LAPSE"}, {"LAPSE"})
    assert stock_since(api, moment)["LAPSE"]["reserved"] == 0


def test_a_production_batch_lists_what_it_made_and_what_it_consumed(api):
    location(api, "Main")
    item(api, "WAX", unit="kg", kind="material")
    item(api, "WICK", kind="material")
    item(api, "CANDLE")
    item(api, "ELSEWHERE")
    ok(api.put("/v1/items/CANDLE/components", json=[{"item": "WAX", "quantity": 250, "unit": "g"},
                                                     {"item": "WICK", "quantity": 1}]))
    adjust(api, "WAX", 10)
    adjust(api, "WICK", 40)
    adjust(api, "ELSEWHERE", 1)
    order = ok(api.post("/v1/production-orders", json={"lines": [{"item": "CANDLE", "quantity": 20}]}), 201)
    before = versions(api, "WAX", "WICK", "CANDLE")
    moment = moment_between()
    line_id = order["lines"][0]["id"]
    ok(api.post(f"/v1/production-orders/{order['id']}/lines/{line_id}/batches", json={"quantity": "4"}), 201)
    assert_changed_since(api, moment, {"WAX", "WICK", "CANDLE"}, {"WAX", "WICK", "CANDLE"})
    assert {sku: row["on_hand"] for sku, row in stock_since(api, moment).items()} == {
        "WAX": 9, "WICK": 36, "CANDLE": 4}
    assert versions(api, "WAX", "WICK", "CANDLE") == before


def bundle(api, sku: str, parts: list[tuple[str, int]]) -> None:
    item(api, sku, tracking="bundle")
    ok(api.put(f"/v1/items/{sku}/components", json=[{"item": part, "quantity": n} for part, n in parts]))


def test_a_bundle_sale_lists_the_bundle_and_its_components(api):
    location(api, "Main")
    item(api, "MUG")
    item(api, "SPOON")
    bundle(api, "GIFT", [("MUG", 1), ("SPOON", 2)])
    adjust(api, "MUG", 5)
    adjust(api, "SPOON", 10)
    before = versions(api, "GIFT", "MUG", "SPOON")
    moment = moment_between()
    adjust(api, "GIFT", -1)
    assert_changed_since(api, moment, {"GIFT", "MUG", "SPOON"}, {"GIFT", "MUG", "SPOON"})
    assert stock_since(api, moment)["GIFT"]["available"] == 4
    assert versions(api, "GIFT", "MUG", "SPOON") == before


def test_a_component_moving_lists_a_bundle_only_if_what_it_makes_up_changes(api):
    location(api, "Main")
    location(api, "Shop")
    item(api, "BOARD")
    item(api, "PIECES")
    bundle(api, "CHESS", [("BOARD", 1), ("PIECES", 1)])
    for place in ("Main", "Shop"):
        adjust(api, "BOARD", 2, place)
        adjust(api, "PIECES", 10, place)

    moment = moment_between()
    adjust(api, "PIECES", 5, "Main")  # the boards are what limits it: the bundle is as it was
    assert_changed_since(api, moment, {"PIECES"}, {"PIECES"})

    # The same total of boards, spread otherwise: 3 sets at Main and 1 at the Shop, not 2 and 2.
    moment = moment_between()
    ok(api.post("/v1/stock/transfers", json={"item": "BOARD", "from": "Shop", "to": "Main", "quantity": 1}), 201)
    assert_changed_since(api, moment, {"BOARD", "CHESS"}, {"BOARD", "CHESS"})
    chess = stock_since(api, moment)["CHESS"]
    assert (chess["on_hand"], [(lv["name"], lv["on_hand"]) for lv in chess["locations"]]) == (
        4, [("Main", 3), ("Shop", 1)])


def test_placing_and_receiving_a_purchase_order_list_its_items(api):
    location(api, "Main")
    item(api, "BOLT")
    item(api, "NUT")
    order = ok(api.post("/v1/purchase-orders", json={"lines": [
        {"item": "BOLT", "quantity": 10, "unit_cost": "3.00"}, {"item": "NUT", "quantity": 4}]}), 201)
    before = versions(api, "BOLT", "NUT")
    moment = moment_between()
    ok(api.post(f"/v1/purchase-orders/{order['id']}/order"))
    assert_changed_since(api, moment, {"BOLT", "NUT"}, {"BOLT", "NUT"})
    assert stock_since(api, moment)["BOLT"]["incoming"] == 10

    moment = moment_between()
    bolt_line = order["lines"][0]["id"]
    ok(api.post(f"/v1/purchase-orders/{order['id']}/receive", json={"lines": [{"line": bolt_line, "quantity": 4}]}))
    assert_changed_since(api, moment, {"BOLT"}, {"BOLT"})
    assert (stock_since(api, moment)["BOLT"]["on_hand"], stock_since(api, moment)["BOLT"]["incoming"]) == (4, 6)
    assert versions(api, "BOLT", "NUT") == before


# The client's walk


def walk(api, path: str, watermark: str | None, during=None) -> list[dict]:
    """Every row changed since the watermark, two a page by `updated_at` ascending, calling
    `during` after the first page."""
    params = {"sort": "updated_at", "limit": 2, **({"updated_since": watermark} if watermark else {})}
    seen, cursor = [], None
    while True:
        page = ok(api.get(path, params={**params, **({"cursor": cursor} if cursor else {})}))
        seen += page["data"]
        if during is not None:
            during()
            during = None
        if not page["meta"]["has_more"]:
            return seen
        cursor = page["meta"]["next_cursor"]


def test_a_walk_by_updated_at_sees_an_item_sold_after_its_page_was_read_again_later(api):
    location(api, "Main")
    for n in range(6):
        item(api, f"W-{n}")
        adjust(api, f"W-{n}", 10)
    for path in ("/v1/items", "/v1/stock"):
        sold = []

        def sell_the_first_row(sold=sold, path=path):
            first = ok(api.get(path, params={"sort": "updated_at", "limit": 1}))["data"][0]
            adjust(api, first["sku"], -1)
            sold.append(first["sku"])

        rows = walk(api, path, None, during=sell_the_first_row)
        [sku] = sold
        # Read on the first page before the sale, and again at the end of the walk after it.
        assert [r["sku"] for r in rows[:2]].count(sku) == 1 and rows[-1]["sku"] == sku
        assert (rows[-1]["on_hand"], at(rows[-1]["updated_at"]) > at(rows[0]["updated_at"])) == (9, True)
        assert {r["sku"] for r in rows} == {f"W-{n}" for n in range(6)}
        assert [at(r["updated_at"]) for r in rows[2:]] == sorted(at(r["updated_at"]) for r in rows[2:])


def test_a_client_polling_from_the_greatest_updated_at_it_saw_sees_each_later_sale(api):
    location(api, "Main")
    for sku in ("P-1", "P-2", "P-3"):
        item(api, sku)
        adjust(api, sku, 10)
    for path in ("/v1/items", "/v1/stock"):
        watermark = max(r["updated_at"] for r in walk(api, path, None))
        adjust(api, "P-2", -1)
        again = walk(api, path, watermark)
        assert "P-2" in {r["sku"] for r in again}
        # At or after: the rows written at the watermark's very millisecond come again, never fewer.
        assert {r["sku"] for r in again} <= {"P-1", "P-2", "P-3"}
        assert max(r["updated_at"] for r in again) > watermark


def test_csv_lists_honour_updated_since(api):
    location(api, "Main")
    location(api, "Shop")
    for sku in ("C-1", "C-2"):
        item(api, sku)
        adjust(api, sku, 10, "Main")
    moment = moment_between()
    ok(api.post("/v1/stock/transfers", json={"item": "C-2", "from": "Main", "to": "Shop", "quantity": 4}), 201)

    def csv_rows(path: str) -> list[dict]:
        r = api.get(path, params={"updated_since": moment}, headers={"Accept": "text/csv"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), r.text
        return list(csv.DictReader(io.StringIO(r.text)))

    assert [(r["sku"], r["location"], r["on_hand"]) for r in csv_rows("/v1/stock")] == [
        ("C-2", "Main", "6"), ("C-2", "Shop", "4")]
    assert [r["sku"] for r in csv_rows("/v1/items")] == ["C-2"]


def test_stock_rows_sort_by_updated_at_either_way_and_refuse_a_cursor_of_another_sort(api):
    location(api, "Main")
    for sku in ("S-B", "S-A", "S-C"):
        item(api, sku)
    for sku in ("S-C", "S-A", "S-B"):
        adjust(api, sku, 1)
        time.sleep(0.002)  # a millisecond apart, so that the order is theirs and not the ids'
    by_time = [r["sku"] for r in ok(api.get("/v1/stock", params={"sort": "updated_at"}))["data"]]
    assert by_time == ["S-C", "S-A", "S-B"]
    assert [r["sku"] for r in ok(api.get("/v1/stock", params={"sort": "-updated_at"}))["data"]] == by_time[::-1]
    assert [r["sku"] for r in ok(api.get("/v1/stock", params={"sort": "-sku"}))["data"]] == ["S-C", "S-B", "S-A"]
    cursor = ok(api.get("/v1/stock", params={"sort": "updated_at", "limit": 1}))["meta"]["next_cursor"]
    r = api.get("/v1/stock", params={"cursor": cursor})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
    r = api.get("/v1/stock", params={"sort": "name"})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
    r = api.get("/v1/stock", params={"updated_since": "yesterday"})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
