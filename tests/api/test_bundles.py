"""Bundles over HTTP (`tracking: bundle`, SPEC §3 Items and Stock): their stock is what their
tracked components make up per location; selling one takes every component out in one
transaction; reserving one reserves its components. Untracked items (`tracking: none`) hold no
stock: they never limit a bundle and are never consumed.

After each test `storekeeper check` must find every level explained by its movements and
reservations, and every bundle's stored quantities by its components.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from storekeeper.services.check import check
from tests.factories import error, item, location


@pytest.fixture(autouse=True)
def ledger_explains_every_level(db, workspace):
    yield
    _levels, mismatches = check(db, workspace.id)
    assert mismatches == [], "\n".join(map(str, mismatches))


def body(response):
    """The JSON body with exact quantities (JSON numbers as Decimal, never float)."""
    return response.json(parse_float=Decimal)


def adjust(api, sku: str, at: str, reason: str, **change):
    return api.post("/v1/stock/adjustments", json={"item": sku, "location": at, "reason": reason, **change})


def receive(api, sku: str, quantity, at: str) -> None:
    r = adjust(api, sku, at, "receipt", delta=str(quantity))
    assert r.status_code == 201, r.text


def sell(api, sku: str, quantity, at: str):
    return adjust(api, sku, at, "sale", delta=f"-{quantity}")


def sold(api, sku: str, quantity, at: str) -> dict:
    r = sell(api, sku, quantity, at)
    assert r.status_code == 201, r.text
    return body(r)


def bundle(api, sku: str, lines: list[tuple[str, object] | tuple[str, object, str]], **fields) -> dict:
    """A bundle made of [(component sku, quantity[, unit])] per one bundle."""
    made = item(api, sku, tracking="bundle", **fields)
    wanted = [{"item": c[0], "quantity": str(c[1]), **({"unit": c[2]} if len(c) > 2 else {})} for c in lines]
    r = api.put(f"/v1/items/{sku}/components", json=wanted)
    assert r.status_code == 200, r.text
    return made


def shown(api, sku: str) -> dict:
    r = api.get(f"/v1/items/{sku}")
    assert r.status_code == 200, r.text
    return body(r)


def stock(api, sku: str) -> dict:
    r = api.get(f"/v1/stock/{sku}")
    assert r.status_code == 200, r.text
    return body(r)


def per_place(levels: list[dict]) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    """{location name: (on_hand, reserved, available)}."""
    return {lv["name"]: (lv["on_hand"], lv["reserved"], lv["available"]) for lv in levels}


def totals(row: dict) -> tuple[Decimal, Decimal, Decimal]:
    return row["on_hand"], row["reserved"], row["available"]


def on_hand_at(api, sku: str, place: str) -> Decimal:
    return per_place(shown(api, sku)["locations"]).get(place, (Decimal(0),))[0]


def movements_of(api, sku: str) -> list[dict]:
    r = api.get("/v1/stock/movements", params={"item": sku, "order": "asc", "limit": 1000})
    assert r.status_code == 200, r.text
    return body(r)["data"]


def skus_listed(api, path: str, **params) -> set[str]:
    r = api.get(path, params={"limit": 1000, **params})
    assert r.status_code == 200, r.text
    return {row["sku"] for row in r.json()["data"]}


def reserve(api, sku: str, quantity, at: str, **fields):
    return api.post("/v1/reservations", json={"item": sku, "location": at, "quantity": str(quantity), **fields})


def reserved_ok(api, sku: str, quantity, at: str) -> dict:
    r = reserve(api, sku, quantity, at)
    assert r.status_code == 201, r.text
    return body(r)


def reservations_of(api, sku: str) -> list[dict]:
    r = api.get("/v1/reservations", params={"item": sku, "limit": 1000})
    assert r.status_code == 200, r.text
    return body(r)["data"]


# Availability per location and in total


def test_a_bundle_makes_up_at_each_location_the_fewest_units_its_components_allow(api):
    location(api, "Shop")
    location(api, "Dock")
    location(api, "Back")
    for sku in ("AV-A", "AV-B"):
        item(api, sku)
    receive(api, "AV-A", 10, "Shop")
    receive(api, "AV-B", 3, "Shop")
    receive(api, "AV-A", 5, "Dock")
    receive(api, "AV-B", 9, "Dock")
    receive(api, "AV-A", 8, "Back")  # no AV-B at Back: no bundle there
    made = bundle(api, "AV-KIT", [("AV-A", 2), ("AV-B", 1)])

    expected = {"Shop": (3, 0, 3), "Dock": (2, 0, 2)}
    kit = shown(api, "AV-KIT")
    assert per_place(kit["locations"]) == expected
    assert totals(kit) == (5, 0, 5)
    assert kit["status"] == "normal"
    assert per_place(stock(api, "AV-KIT")["locations"]) == expected
    assert totals(stock(api, "AV-KIT")) == (5, 0, 5)
    listed = next(row for row in body(api.get("/v1/stock", params={"limit": 1000}))["data"]
                  if row["item"] == made["id"])
    assert per_place(listed["locations"]) == expected
    assert totals(listed) == (5, 0, 5)
    in_list = next(row for row in body(api.get("/v1/items", params={"sku": "AV-KIT"}))["data"])
    assert totals(in_list) == (5, 0, 5)


def test_a_bundles_stock_follows_its_components_receipts_and_sales(api):
    location(api, "Shop")
    for sku in ("FOL-A", "FOL-B"):
        item(api, sku)
    bundle(api, "FOL-KIT", [("FOL-A", 2), ("FOL-B", 1)])
    assert shown(api, "FOL-KIT")["locations"] == []
    assert totals(shown(api, "FOL-KIT")) == (0, 0, 0)

    receive(api, "FOL-A", 10, "Shop")
    assert totals(shown(api, "FOL-KIT")) == (0, 0, 0)
    receive(api, "FOL-B", 4, "Shop")
    assert totals(shown(api, "FOL-KIT")) == (4, 0, 4)
    sold(api, "FOL-A", 3, "Shop")  # 7 left: 3 kits
    assert totals(shown(api, "FOL-KIT")) == (3, 0, 3)
    assert totals(stock(api, "FOL-KIT")) == (3, 0, 3)
    receive(api, "FOL-A", 13, "Shop")  # 20: B limits again
    assert totals(shown(api, "FOL-KIT")) == (4, 0, 4)


def test_the_status_filters_find_a_bundle_by_what_its_components_make_up(api):
    location(api, "Shop")
    item(api, "ST-A")
    item(api, "ST-B")
    bundle(api, "ST-KIT", [("ST-A", 1), ("ST-B", 1)])
    receive(api, "ST-A", 5, "Shop")

    assert "ST-KIT" in skus_listed(api, "/v1/items", status="out_of_stock")
    assert "ST-KIT" not in skus_listed(api, "/v1/items", status="normal")
    assert "ST-KIT" in skus_listed(api, "/v1/stock", status="out_of_stock")
    assert shown(api, "ST-KIT")["status"] == "out_of_stock"

    receive(api, "ST-B", 5, "Shop")

    assert "ST-KIT" in skus_listed(api, "/v1/items", status="normal")
    assert "ST-KIT" not in skus_listed(api, "/v1/items", status="out_of_stock")
    assert "ST-KIT" in skus_listed(api, "/v1/stock", status="normal")
    assert "ST-KIT" not in skus_listed(api, "/v1/stock", status="out_of_stock")

    sold(api, "ST-B", 5, "Shop")

    assert "ST-KIT" in skus_listed(api, "/v1/items", status="out_of_stock")
    assert "ST-KIT" not in skus_listed(api, "/v1/stock", status="normal")


def test_a_bundles_thresholds_set_its_status(api):
    location(api, "Shop")
    item(api, "THR-A")
    bundle(api, "THR-KIT", [("THR-A", 1)], reorder_point=5, safety_stock=2)
    receive(api, "THR-A", 4, "Shop")

    assert shown(api, "THR-KIT")["status"] == "low"
    assert "THR-KIT" in skus_listed(api, "/v1/items", status="low")
    sold(api, "THR-A", 2, "Shop")
    assert shown(api, "THR-KIT")["status"] == "critical"
    assert "THR-KIT" in skus_listed(api, "/v1/items", low_stock="true")


def test_the_stock_list_at_a_location_shows_a_bundle_made_up_there(api):
    location(api, "Shop")
    location(api, "Dock")
    item(api, "LOC-A")
    made = bundle(api, "LOC-KIT", [("LOC-A", 2)])
    receive(api, "LOC-A", 6, "Shop")

    at_shop = body(api.get("/v1/stock", params={"location": "Shop", "limit": 1000}))["data"]
    rows = [row for row in at_shop if row["item"] == made["id"]]

    assert len(rows) == 1, "the bundle is missing from the stock at the location its components make it up"
    assert per_place(rows[0]["locations"]) == {"Shop": (3, 0, 3)}
    assert "LOC-KIT" not in skus_listed(api, "/v1/stock", location="Dock")


def test_changing_a_bundles_components_changes_its_stock_at_once(api):
    location(api, "Shop")
    for sku in ("CH-A", "CH-B"):
        item(api, sku)
    receive(api, "CH-A", 12, "Shop")
    receive(api, "CH-B", 2, "Shop")
    bundle(api, "CH-KIT", [("CH-A", 3)])
    assert totals(shown(api, "CH-KIT")) == (4, 0, 4)

    r = api.put("/v1/items/CH-KIT/components", json=[{"item": "CH-A", "quantity": 3}, {"item": "CH-B", "quantity": 1}])
    assert r.status_code == 200, r.text
    assert totals(shown(api, "CH-KIT")) == (2, 0, 2)
    assert totals(next(iter(body(api.get("/v1/items", params={"sku": "CH-KIT"}))["data"]))) == (2, 0, 2)

    assert api.put("/v1/items/CH-KIT/components", json=[]).status_code == 200
    kit = shown(api, "CH-KIT")
    assert (totals(kit), kit["locations"], kit["status"]) == ((0, 0, 0), [], "out_of_stock")


def test_a_bundle_whose_component_is_in_the_trash_makes_up_nothing_until_it_is_restored(api):
    location(api, "Shop")
    item(api, "TR-A")
    item(api, "TR-B")
    receive(api, "TR-A", 3, "Shop")
    receive(api, "TR-B", 3, "Shop")
    bundle(api, "TR-KIT", [("TR-A", 1), ("TR-B", 1)])
    assert totals(shown(api, "TR-KIT")) == (3, 0, 3)

    assert api.delete("/v1/items/TR-B").status_code == 204
    assert totals(shown(api, "TR-KIT")) == (0, 0, 0)
    assert error(sell(api, "TR-KIT", 1, "Shop"))[0] in (404, 422)
    assert on_hand_at(api, "TR-A", "Shop") == 3

    assert api.post("/v1/items/TR-B/restore").status_code == 200
    assert totals(shown(api, "TR-KIT")) == (3, 0, 3)


# Selling a bundle


def test_a_bundle_sale_takes_every_component_out_in_one_go_and_returns_the_bundles_level(api):
    shop = location(api, "Shop")
    a, b = item(api, "SALE-A"), item(api, "SALE-B")
    receive(api, "SALE-A", 10, "Shop")
    receive(api, "SALE-B", 5, "Shop")
    kit = bundle(api, "SALE-KIT", [("SALE-A", 2), ("SALE-B", 1)])

    result = sold(api, "SALE-KIT", 2, "Shop")

    assert result["movement"] is None
    moved = {m["sku"]: m for m in result["movements"]}
    assert set(moved) == {"SALE-A", "SALE-B"}
    changes = [(moved[s]["item"], moved[s]["delta"], moved[s]["before"], moved[s]["after"])
               for s in ("SALE-A", "SALE-B")]
    assert changes == [(a["id"], -4, 10, 6), (b["id"], -2, 5, 3)]
    assert all(m["reason"] == "sale" and m["bundle"] == kit["id"] and m["location"] == shop["id"]
               for m in result["movements"])
    assert result["level"] == {"item": kit["id"], "location": shop["id"], "on_hand": 3, "reserved": 0,
                               "available": 3, "status": "normal"}
    assert (on_hand_at(api, "SALE-A", "Shop"), on_hand_at(api, "SALE-B", "Shop")) == (6, 3)
    assert totals(shown(api, "SALE-KIT")) == (3, 0, 3)
    # The ledger names the bundle on each component's movement; the bundle has none of its own.
    assert [m["bundle"] for m in movements_of(api, "SALE-A")] == [None, kit["id"]]
    assert movements_of(api, "SALE-KIT") == []


def test_a_bundle_sale_consumes_a_component_kept_in_another_unit_by_the_converted_need(api):
    location(api, "Shop")
    item(api, "WAX-KG", unit="kg", kind="material")
    item(api, "WICK-1")
    receive(api, "WAX-KG", "2.4", "Shop")
    receive(api, "WICK-1", 10, "Shop")
    bundle(api, "CANDLE-KIT", [("WAX-KG", 500, "g"), ("WICK-1", 1)])
    assert totals(shown(api, "CANDLE-KIT")) == (4, 0, 4)

    result = sold(api, "CANDLE-KIT", 3, "Shop")

    wax = next(m for m in result["movements"] if m["sku"] == "WAX-KG")
    assert (wax["delta"], wax["after"]) == (Decimal("-1.5"), Decimal("0.9"))
    assert result["level"]["on_hand"] == 1
    assert on_hand_at(api, "WAX-KG", "Shop") == Decimal("0.9")
    assert on_hand_at(api, "WICK-1", "Shop") == 7
    assert totals(shown(api, "CANDLE-KIT")) == (1, 0, 1)


def test_a_shortage_of_two_components_is_one_error_listing_both_and_nothing_is_applied(api):
    shop = location(api, "Shop")
    a, b = item(api, "SHORT-A"), item(api, "SHORT-B")
    item(api, "SHORT-C")
    receive(api, "SHORT-A", 3, "Shop")
    receive(api, "SHORT-B", 1, "Shop")
    receive(api, "SHORT-C", 50, "Shop")
    bundle(api, "SHORT-KIT", [("SHORT-A", 2), ("SHORT-B", 1), ("SHORT-C", 1)])

    r = sell(api, "SHORT-KIT", 2, "Shop")

    assert error(r) == (422, "INSUFFICIENT_STOCK")
    shortages = sorted(body(r)["error"]["shortages"], key=lambda s: s["sku"])
    assert shortages == [
        {"item": a["id"], "sku": "SHORT-A", "location": shop["id"], "needed": 4, "available": 3},
        {"item": b["id"], "sku": "SHORT-B", "location": shop["id"], "needed": 2, "available": 1},
    ]
    assert [on_hand_at(api, s, "Shop") for s in ("SHORT-A", "SHORT-B", "SHORT-C")] == [3, 1, 50]
    assert all(len(movements_of(api, s)) == 1 for s in ("SHORT-A", "SHORT-B", "SHORT-C"))


def test_a_bundle_sale_only_takes_available_component_stock_not_reserved_stock(api):
    location(api, "Shop")
    item(api, "HELD-A")
    receive(api, "HELD-A", 5, "Shop")
    reserved_ok(api, "HELD-A", 4, "Shop")
    bundle(api, "HELD-KIT", [("HELD-A", 1)])
    assert totals(shown(api, "HELD-KIT")) == (5, 4, 1)

    assert error(sell(api, "HELD-KIT", 2, "Shop")) == (422, "INSUFFICIENT_STOCK")
    assert sold(api, "HELD-KIT", 1, "Shop")["level"]["available"] == 0
    assert on_hand_at(api, "HELD-A", "Shop") == 4


@pytest.mark.parametrize("change", [{"reason": "receipt", "delta": 1}, {"reason": "count", "set": 3},
                                    {"reason": "correction", "delta": 2}, {"reason": "count", "set": 0}])
def test_stock_cannot_be_added_to_or_counted_on_a_bundle(api, change):
    location(api, "Shop")
    item(api, "IN-A")
    receive(api, "IN-A", 5, "Shop")
    bundle(api, "IN-KIT", [("IN-A", 1)])

    r = api.post("/v1/stock/adjustments", json={"item": "IN-KIT", "location": "Shop", **change})

    assert error(r) == (422, "NOT_STOCKABLE")
    assert on_hand_at(api, "IN-A", "Shop") == 5
    assert len(movements_of(api, "IN-A")) == 1


def test_a_bundle_without_components_cannot_be_sold_or_reserved(api):
    location(api, "Shop")
    item(api, "EMPTY-KIT", tracking="bundle")

    assert error(sell(api, "EMPTY-KIT", 1, "Shop")) == (422, "NOT_STOCKABLE")
    assert error(reserve(api, "EMPTY-KIT", 1, "Shop")) == (422, "NOT_STOCKABLE")


def test_a_bundle_cannot_be_transferred(api):
    location(api, "Shop")
    location(api, "Dock")
    item(api, "TF-A")
    receive(api, "TF-A", 5, "Shop")
    bundle(api, "TF-KIT", [("TF-A", 1)])

    r = api.post("/v1/stock/transfers", json={"item": "TF-KIT", "from": "Shop", "to": "Dock", "quantity": 1})

    assert error(r) == (422, "NOT_STOCKABLE")
    assert on_hand_at(api, "TF-A", "Shop") == 5


def test_in_a_non_atomic_bulk_a_failing_bundle_entry_leaves_its_components_untouched(api):
    location(api, "Shop")
    for sku in ("BLK-A", "BLK-B", "BLK-C"):
        item(api, sku)
    receive(api, "BLK-A", 10, "Shop")
    receive(api, "BLK-B", 10, "Shop")
    receive(api, "BLK-C", 1, "Shop")
    good = bundle(api, "BLK-GOOD", [("BLK-A", 1), ("BLK-B", 2)])
    bundle(api, "BLK-BAD", [("BLK-A", 1), ("BLK-C", 1)])
    entries = [{"item": "BLK-BAD", "location": "Shop", "reason": "sale", "delta": -3},
               {"item": "BLK-GOOD", "location": "Shop", "reason": "sale", "delta": -2}]

    r = api.post("/v1/stock/adjustments/bulk", json={"adjustments": entries, "atomic": False})

    assert r.status_code == 200, r.text
    failed, passed = body(r)["results"]
    assert (failed["index"], failed["ok"], failed["error"]["code"]) == (0, False, "INSUFFICIENT_STOCK")
    assert (passed["index"], passed["ok"], passed["movement"]) == (1, True, None)
    assert sorted((m["sku"], m["delta"], m["bundle"]) for m in passed["movements"]) == [
        ("BLK-A", -2, good["id"]), ("BLK-B", -4, good["id"])]
    assert passed["level"]["on_hand"] == 3
    assert [on_hand_at(api, s, "Shop") for s in ("BLK-A", "BLK-B", "BLK-C")] == [8, 6, 1]
    assert [len(movements_of(api, s)) for s in ("BLK-A", "BLK-B", "BLK-C")] == [2, 2, 1]


def test_entries_of_one_bulk_see_the_components_the_entries_before_them_took(api):
    location(api, "Shop")
    item(api, "RUN-A")
    receive(api, "RUN-A", 10, "Shop")
    bundle(api, "RUN-KIT", [("RUN-A", 2)])
    entries = [{"item": "RUN-KIT", "location": "Shop", "reason": "sale", "delta": -4},
               {"item": "RUN-A", "location": "Shop", "reason": "sale", "delta": -3},
               {"item": "RUN-KIT", "location": "Shop", "reason": "sale", "delta": -1}]

    r = api.post("/v1/stock/adjustments/bulk", json={"adjustments": entries, "atomic": False})

    assert r.status_code == 200, r.text
    assert [res["ok"] for res in body(r)["results"]] == [True, False, True]
    assert on_hand_at(api, "RUN-A", "Shop") == 0


def test_an_atomic_bulk_with_a_failing_bundle_entry_applies_nothing(api):
    location(api, "Shop")
    item(api, "ATO-A")
    item(api, "ATO-B")
    receive(api, "ATO-A", 10, "Shop")
    bundle(api, "ATO-KIT", [("ATO-A", 1), ("ATO-B", 1)])
    entries = [{"item": "ATO-A", "location": "Shop", "reason": "sale", "delta": -1},
               {"item": "ATO-KIT", "location": "Shop", "reason": "sale", "delta": -1}]

    r = api.post("/v1/stock/adjustments/bulk", json={"adjustments": entries, "atomic": True})

    assert error(r) == (422, "BULK_FAILED")
    assert [(e["index"], e["code"]) for e in r.json()["error"]["errors"]] == [(1, "INSUFFICIENT_STOCK")]
    assert on_hand_at(api, "ATO-A", "Shop") == 10


# Reserving a bundle


def test_reserving_a_bundle_reserves_each_component_and_lowers_the_bundles_availability(api):
    shop = location(api, "Shop")
    a, b = item(api, "RSV-A"), item(api, "RSV-B")
    receive(api, "RSV-A", 10, "Shop")
    receive(api, "RSV-B", 5, "Shop")
    kit = bundle(api, "RSV-KIT", [("RSV-A", 2), ("RSV-B", 1)])

    reservation = reserved_ok(api, "RSV-KIT", 2, "Shop")

    assert (reservation["item"], reservation["quantity"], reservation["status"], reservation["parent"]) == \
        (kit["id"], 2, "active", None)
    parts = {r["sku"]: r for r in reservations_of(api, "RSV-A") + reservations_of(api, "RSV-B")}
    assert {s: (p["item"], p["quantity"], p["parent"], p["status"], p["location"]) for s, p in parts.items()} == {
        "RSV-A": (a["id"], 4, reservation["id"], "active", shop["id"]),
        "RSV-B": (b["id"], 2, reservation["id"], "active", shop["id"]),
    }
    assert per_place(shown(api, "RSV-A")["locations"]) == {"Shop": (10, 4, 6)}
    assert per_place(shown(api, "RSV-B")["locations"]) == {"Shop": (5, 2, 3)}
    # 5 kits on hand; 3 still available (A: 6 / 2, B: 3 / 1).
    assert per_place(shown(api, "RSV-KIT")["locations"]) == {"Shop": (5, 2, 3)}
    assert totals(shown(api, "RSV-KIT")) == (5, 2, 3)
    assert totals(stock(api, "RSV-KIT")) == (5, 2, 3)
    listed = {r["id"] for r in body(api.get("/v1/reservations", params={"limit": 1000}))["data"]}
    assert {reservation["id"], parts["RSV-A"]["id"], parts["RSV-B"]["id"]} <= listed


def test_a_bundle_reservation_short_of_two_components_lists_both_and_reserves_nothing(api):
    location(api, "Shop")
    item(api, "RS-A")
    item(api, "RS-B")
    receive(api, "RS-A", 1, "Shop")
    receive(api, "RS-B", 1, "Shop")
    bundle(api, "RS-KIT", [("RS-A", 1), ("RS-B", 2)])
    reserved_ok(api, "RS-A", 1, "Shop")

    r = reserve(api, "RS-KIT", 1, "Shop")

    assert error(r) == (422, "INSUFFICIENT_STOCK")
    assert sorted(s["sku"] for s in r.json()["error"]["shortages"]) == ["RS-A", "RS-B"]
    assert reservations_of(api, "RS-KIT") == []
    assert reservations_of(api, "RS-B") == []
    assert per_place(shown(api, "RS-B")["locations"]) == {"Shop": (1, 0, 1)}


def test_fulfilling_a_bundle_reservation_writes_a_sale_of_each_component(api):
    location(api, "Shop")
    item(api, "FUL-A")
    item(api, "FUL-B")
    receive(api, "FUL-A", 10, "Shop")
    receive(api, "FUL-B", 5, "Shop")
    kit = bundle(api, "FUL-KIT", [("FUL-A", 2), ("FUL-B", 1)])
    reservation = reserved_ok(api, "FUL-KIT", 2, "Shop")

    r = api.post(f"/v1/reservations/{reservation['id']}/fulfil")

    assert r.status_code == 200, r.text
    result = body(r)
    assert result["movement"] is None
    assert (result["reservation"]["status"], result["reservation"]["fulfilled_quantity"]) == ("fulfilled", 2)
    assert sorted((m["sku"], m["reason"], m["delta"], m["bundle"]) for m in result["movements"]) == [
        ("FUL-A", "sale", -4, kit["id"]), ("FUL-B", "sale", -2, kit["id"])]
    assert all(m["reference"] == {"type": "reservation", "id": reservation["id"]} for m in result["movements"])
    assert per_place(shown(api, "FUL-A")["locations"]) == {"Shop": (6, 0, 6)}
    assert per_place(shown(api, "FUL-B")["locations"]) == {"Shop": (3, 0, 3)}
    assert totals(shown(api, "FUL-KIT")) == (3, 0, 3)
    assert {p["status"] for p in reservations_of(api, "FUL-A") + reservations_of(api, "FUL-B")} == {"fulfilled"}


def test_a_partly_fulfilled_bundle_reservation_keeps_the_rest_of_each_component_reserved(api):
    location(api, "Shop")
    item(api, "PART-WAX", unit="kg", kind="material")
    item(api, "PART-JAR")
    receive(api, "PART-WAX", 5, "Shop")
    receive(api, "PART-JAR", 10, "Shop")
    bundle(api, "PART-CANDLE", [("PART-WAX", 500, "g"), ("PART-JAR", 1)])
    reservation = reserved_ok(api, "PART-CANDLE", 3, "Shop")
    assert per_place(shown(api, "PART-WAX")["locations"]) == {"Shop": (5, Decimal("1.5"), Decimal("3.5"))}

    r = api.post(f"/v1/reservations/{reservation['id']}/fulfil", json={"quantity": 1})

    assert r.status_code == 200, r.text
    result = body(r)
    assert (result["reservation"]["status"], result["reservation"]["remaining"]) == ("active", 2)
    assert sorted((m["sku"], m["delta"]) for m in result["movements"]) == [("PART-JAR", -1),
                                                                          ("PART-WAX", Decimal("-0.5"))]
    assert per_place(shown(api, "PART-WAX")["locations"]) == {"Shop": (Decimal("4.5"), 1, Decimal("3.5"))}
    assert per_place(shown(api, "PART-JAR")["locations"]) == {"Shop": (9, 2, 7)}
    assert totals(shown(api, "PART-CANDLE")) == (9, 2, 7)

    r = api.post(f"/v1/reservations/{reservation['id']}/fulfil")

    assert r.status_code == 200, r.text
    assert body(r)["reservation"]["status"] == "fulfilled"
    assert per_place(shown(api, "PART-WAX")["locations"]) == {"Shop": (Decimal("3.5"), 0, Decimal("3.5"))}
    assert per_place(shown(api, "PART-JAR")["locations"]) == {"Shop": (7, 0, 7)}
    assert {p["status"] for p in reservations_of(api, "PART-WAX")} == {"fulfilled"}


def test_fulfilling_more_than_a_bundle_reservation_holds_is_refused(api):
    location(api, "Shop")
    item(api, "OVER-A")
    receive(api, "OVER-A", 5, "Shop")
    bundle(api, "OVER-KIT", [("OVER-A", 1)])
    reservation = reserved_ok(api, "OVER-KIT", 2, "Shop")

    r = api.post(f"/v1/reservations/{reservation['id']}/fulfil", json={"quantity": 3})

    assert error(r) == (422, "VALIDATION_ERROR")
    assert per_place(shown(api, "OVER-A")["locations"]) == {"Shop": (5, 2, 3)}


def test_releasing_a_bundle_reservation_gives_every_component_back(api):
    location(api, "Shop")
    item(api, "REL-A")
    item(api, "REL-B")
    receive(api, "REL-A", 10, "Shop")
    receive(api, "REL-B", 5, "Shop")
    bundle(api, "REL-KIT", [("REL-A", 2), ("REL-B", 1)])
    reservation = reserved_ok(api, "REL-KIT", 3, "Shop")
    assert totals(shown(api, "REL-KIT")) == (5, 3, 2)

    r = api.post(f"/v1/reservations/{reservation['id']}/release")

    assert r.status_code == 200, r.text
    assert body(r)["status"] == "released"
    assert per_place(shown(api, "REL-A")["locations"]) == {"Shop": (10, 0, 10)}
    assert per_place(shown(api, "REL-B")["locations"]) == {"Shop": (5, 0, 5)}
    assert totals(shown(api, "REL-KIT")) == (5, 0, 5)
    assert {p["status"] for p in reservations_of(api, "REL-A") + reservations_of(api, "REL-B")} == {"released"}
    assert movements_of(api, "REL-A")[-1]["reason"] == "receipt"


@pytest.mark.parametrize("action", ["release", "fulfil"])
def test_a_component_reservation_cannot_be_acted_on_by_itself(api, action):
    location(api, "Shop")
    item(api, f"CMP-{action}")
    receive(api, f"CMP-{action}", 5, "Shop")
    bundle(api, f"CMP-KIT-{action}", [(f"CMP-{action}", 1)])
    reservation = reserved_ok(api, f"CMP-KIT-{action}", 2, "Shop")
    [part] = reservations_of(api, f"CMP-{action}")

    r = api.post(f"/v1/reservations/{part['id']}/{action}")

    assert error(r) == (409, "INVALID_STATE")
    assert body(api.get(f"/v1/reservations/{part['id']}"))["status"] == "active"
    assert body(api.get(f"/v1/reservations/{reservation['id']}"))["status"] == "active"
    assert per_place(shown(api, f"CMP-{action}")["locations"]) == {"Shop": (5, 2, 3)}


# Untracked items (tracking: none)


def test_an_untracked_component_neither_limits_a_bundle_nor_is_consumed_or_reserved(api):
    shop = location(api, "Shop")
    item(api, "UT-MUG")
    item(api, "UT-WRAP", tracking="none")
    receive(api, "UT-MUG", 4, "Shop")
    kit = bundle(api, "UT-GIFT", [("UT-MUG", 1), ("UT-WRAP", 2)])

    assert per_place(shown(api, "UT-GIFT")["locations"]) == {"Shop": (4, 0, 4)}
    result = sold(api, "UT-GIFT", 1, "Shop")
    assert [(m["sku"], m["delta"], m["bundle"]) for m in result["movements"]] == [("UT-MUG", -1, kit["id"])]
    assert result["level"] == {"item": kit["id"], "location": shop["id"], "on_hand": 3, "reserved": 0,
                               "available": 3, "status": "normal"}

    reservation = reserved_ok(api, "UT-GIFT", 2, "Shop")
    assert reservations_of(api, "UT-WRAP") == []
    fulfilled = body(api.post(f"/v1/reservations/{reservation['id']}/fulfil"))
    assert [m["sku"] for m in fulfilled["movements"]] == ["UT-MUG"]
    assert movements_of(api, "UT-WRAP") == []
    assert totals(shown(api, "UT-GIFT")) == (1, 0, 1)


def test_a_bundle_of_only_untracked_components_has_nothing_to_sell(api):
    location(api, "Shop")
    item(api, "ONLY-SERVICE", tracking="none")
    bundle(api, "ONLY-KIT", [("ONLY-SERVICE", 1)])

    assert shown(api, "ONLY-KIT")["locations"] == []
    assert error(reserve(api, "ONLY-KIT", 1, "Shop")) == (422, "NOT_STOCKABLE")
    assert error(sell(api, "ONLY-KIT", 1, "Shop")) == (422, "NOT_STOCKABLE")
    assert movements_of(api, "ONLY-SERVICE") == []


@pytest.mark.parametrize("change", [{"reason": "receipt", "delta": 1}, {"reason": "sale", "delta": -1},
                                    {"reason": "count", "set": 5}])
def test_an_untracked_item_cannot_be_adjusted(api, change):
    location(api, "Shop")
    item(api, "NOTRACK-ADJ", tracking="none")

    r = api.post("/v1/stock/adjustments", json={"item": "NOTRACK-ADJ", "location": "Shop", **change})

    assert error(r) == (422, "NOT_STOCKABLE")
    assert movements_of(api, "NOTRACK-ADJ") == []


def test_an_untracked_item_can_be_reserved_and_its_fulfilment_writes_no_movement(api):
    location(api, "Shop")
    service = item(api, "NOTRACK-RSV", tracking="none")

    reservation = reserved_ok(api, "NOTRACK-RSV", 3, "Shop")
    assert (reservation["item"], reservation["status"]) == (service["id"], "active")
    assert totals(shown(api, "NOTRACK-RSV")) == (0, 0, 0)

    r = api.post(f"/v1/reservations/{reservation['id']}/fulfil")

    assert r.status_code == 200, r.text
    result = body(r)
    assert (result["movement"], result["movements"]) == (None, [])
    assert result["reservation"]["status"] == "fulfilled"
    assert movements_of(api, "NOTRACK-RSV") == []
    assert shown(api, "NOTRACK-RSV")["status"] == "normal"


def test_an_untracked_items_reservation_can_be_released(api):
    location(api, "Shop")
    item(api, "NOTRACK-REL", tracking="none")
    reservation = reserved_ok(api, "NOTRACK-REL", 1, "Shop")

    r = api.post(f"/v1/reservations/{reservation['id']}/release")

    assert r.status_code == 200, r.text
    assert body(r)["status"] == "released"


def test_making_a_component_untracked_lets_the_bundle_be_made_up_without_it(api):
    location(api, "Shop")
    item(api, "TOG-A")
    item(api, "TOG-B")
    receive(api, "TOG-A", 6, "Shop")
    bundle(api, "TOG-KIT", [("TOG-A", 2), ("TOG-B", 1)])
    assert totals(shown(api, "TOG-KIT")) == (0, 0, 0)

    r = api.patch("/v1/items/TOG-B", json={"tracking": "none"})

    assert r.status_code == 200, r.text
    kit = shown(api, "TOG-KIT")
    assert per_place(kit["locations"]) == {"Shop": (3, 0, 3)}
    assert totals(kit) == (3, 0, 3)
    assert totals(next(iter(body(api.get("/v1/items", params={"sku": "TOG-KIT"}))["data"]))) == (3, 0, 3)

    r = api.patch("/v1/items/TOG-B", json={"tracking": "quantity"})

    assert r.status_code == 200, r.text
    assert totals(shown(api, "TOG-KIT")) == (0, 0, 0)


def test_twenty_five_bundles_of_100_g_take_exactly_2_5_kg_of_a_material_kept_in_kg(api):
    location(api, "Shop")
    item(api, "WAX-EXACT", unit="kg", kind="material")
    receive(api, "WAX-EXACT", "2.5", "Shop")
    bundle(api, "SAMPLER", [("WAX-EXACT", 100, "g")])
    assert totals(shown(api, "SAMPLER")) == (25, 0, 25)
    result = sold(api, "SAMPLER", 25, "Shop")
    assert [(m["delta"], m["after"]) for m in result["movements"]] == [(Decimal("-2.5"), 0)]
    assert on_hand_at(api, "WAX-EXACT", "Shop") == 0
    assert totals(shown(api, "SAMPLER")) == (0, 0, 0)
