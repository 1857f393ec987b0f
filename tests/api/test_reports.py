"""Reports over HTTP (SPEC §3 "Reports"): what the stock is worth, and what to order again.

Valuation: value = Σ on_hand x (average cost, else standard cost), exact, shown rounded half-up
to cents, per location, per category and in total; levels with nothing on hand and items in the
trash are left out, and stock of items without any cost is counted apart, never worth 0.

Reorder: stocked items (not bundles, variant parents, untracked items or the trash) whose status
is low, critical or out_of_stock, with a suggested quantity that counts what is on order.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.concurrency import body
from tests.factories import error, expire, item, location
from tests.sql_counting import statements

D = Decimal


def adjust(api, sku: str, reason: str, delta, at: str = "Main", **fields) -> dict:
    r = api.post("/v1/stock/adjustments", json={"item": sku, "location": at, "reason": reason, "delta": str(delta),
                                                **fields})
    assert r.status_code == 201, r.text
    return r.json()


def category(api, name: str) -> str:
    r = api.post("/v1/categories", json={"name": name})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def valuation(api, **params) -> dict:
    r = api.get("/v1/reports/valuation", params=params)
    assert r.status_code == 200, r.text
    return body(r)


def reorder(api, **params) -> list[dict]:
    r = api.get("/v1/reports/reorder", params=params)
    assert r.status_code == 200, r.text
    return body(r)["data"]


def skus(rows: list[dict]) -> list[str]:
    return [row["sku"] for row in rows]


def purchase_order(api, lines: list[tuple[str, str]], *, place: bool = True, **fields) -> dict:
    r = api.post("/v1/purchase-orders", json={"lines": [{"item": i, "quantity": q} for i, q in lines], **fields})
    assert r.status_code == 201, r.text
    order = r.json()
    if place:
        r = api.post(f"/v1/purchase-orders/{order['id']}/order")
        assert r.status_code == 200, r.text
        order = r.json()
    return order


def figures(row: dict) -> tuple:
    return row["value"], row["levels"], row["uncosted_levels"]


# Valuation


def test_stock_is_valued_at_its_moving_average_cost(api):
    location(api, "Main", is_default=True)
    item(api, "AVG", unit_cost="2.50")
    adjust(api, "AVG", "receipt", 4, unit_cost="3.00")
    adjust(api, "AVG", "receipt", 6, unit_cost="4.00")  # average (12 + 24) / 10 = 3.60
    adjust(api, "AVG", "sale", -3)  # 7 left at 3.60

    report = valuation(api)

    assert api.get("/v1/items/AVG").json()["average_cost"] == "3.60"
    assert (report["total_value"], report["levels"], report["uncosted_levels"]) == ("25.20", 1, 0)


def test_stock_without_an_average_cost_is_valued_at_the_standard_cost(api):
    location(api, "Main", is_default=True)
    item(api, "STD", unit_cost="1.25")
    adjust(api, "STD", "correction", 8)  # not a receipt: no cost, no average

    report = valuation(api)

    assert api.get("/v1/items/STD").json()["average_cost"] is None
    assert (report["total_value"], report["levels"], report["uncosted_levels"]) == ("10.00", 1, 0)


def test_the_average_cost_wins_over_the_standard_cost_once_there_is_one(api):
    location(api, "Main", is_default=True)
    item(api, "BOTH", unit_cost="1.00")
    adjust(api, "BOTH", "receipt", 5, unit_cost="2.00")

    assert valuation(api)["total_value"] == "10.00"


def test_values_add_up_per_location_and_in_total(api):
    location(api, "Main", is_default=True)
    location(api, "Annex")
    item(api, "A", unit_cost="2.00")
    item(api, "B", unit_cost="0.50")
    adjust(api, "A", "receipt", 3)  # 6.00 at Main
    adjust(api, "A", "receipt", 2, at="Annex")  # 4.00 at Annex
    adjust(api, "B", "receipt", 10, at="Annex")  # 5.00 at Annex

    report = valuation(api)

    assert (report["total_value"], report["levels"], report["uncosted_levels"]) == ("15.00", 3, 0)
    assert [(r["name"], *figures(r)) for r in report["by_location"]] == [
        ("Annex", "9.00", 2, 0),
        ("Main", "6.00", 1, 0),
    ]
    ids = {loc["name"]: loc["id"] for loc in api.get("/v1/locations").json()["data"]}
    assert [r["location"] for r in report["by_location"]] == [ids["Annex"], ids["Main"]]


def test_values_add_up_per_category_with_uncategorized_items_as_category_null(api):
    location(api, "Main", is_default=True)
    tools, paint = category(api, "Tools"), category(api, "Paint")
    item(api, "HAMMER", unit_cost="12.00", category=tools)
    item(api, "SAW", unit_cost="20.00", category=tools)
    item(api, "RED", unit_cost="7.50", category=paint)
    item(api, "MISC", unit_cost="1.00")
    adjust(api, "HAMMER", "receipt", 2)
    adjust(api, "SAW", "receipt", 1)
    adjust(api, "RED", "receipt", 4)
    adjust(api, "MISC", "receipt", 3)

    report = valuation(api)

    assert [(r["category"], r["name"], *figures(r)) for r in report["by_category"]] == [
        (paint, "Paint", "30.00", 1, 0),
        (tools, "Tools", "44.00", 2, 0),
        (None, None, "3.00", 1, 0),
    ]
    assert report["total_value"] == "77.00"


def test_stock_of_items_without_any_cost_is_counted_apart_and_adds_nothing(api):
    location(api, "Main", is_default=True)
    location(api, "Annex")
    item(api, "FREE")
    item(api, "PAID", unit_cost="3.00")
    adjust(api, "FREE", "receipt", 5)
    adjust(api, "FREE", "receipt", 1, at="Annex")
    adjust(api, "PAID", "receipt", 2)

    report = valuation(api)

    assert api.get("/v1/items/FREE").json()["average_cost"] is None
    assert (report["total_value"], report["levels"], report["uncosted_levels"]) == ("6.00", 3, 2)
    assert [(r["name"], *figures(r)) for r in report["by_location"]] == [
        ("Annex", "0.00", 1, 1),
        ("Main", "6.00", 2, 1),
    ]
    assert [(r["category"], *figures(r)) for r in report["by_category"]] == [(None, "6.00", 3, 2)]


def test_a_cost_of_zero_is_a_cost_not_a_missing_one(api):
    location(api, "Main", is_default=True)
    item(api, "SAMPLE", unit_cost="0")
    adjust(api, "SAMPLE", "correction", 7)

    report = valuation(api)

    assert (report["total_value"], report["levels"], report["uncosted_levels"]) == ("0.00", 1, 0)


def test_bundles_and_variant_parents_add_nothing_beyond_the_stock_of_their_parts(api):
    location(api, "Main", is_default=True)
    item(api, "PART", unit_cost="1.00", initial_stock=[{"quantity": 10}])
    item(api, "KIT", tracking="bundle", unit_cost="50.00")
    assert api.put("/v1/items/KIT/components", json=[{"item": "PART", "quantity": 2}]).status_code == 200
    r = api.post("/v1/items", json={"sku": "TEE", "name": "Tee", "unit_cost": "100.00", "variants": [
        {"sku": "TEE-S", "attributes": {"size": "S"}, "unit_cost": "3.00", "initial_stock": [{"quantity": 2}]}]})
    assert r.status_code == 201, r.text
    assert (api.get("/v1/items/KIT").json()["on_hand"], api.get("/v1/items/TEE").json()["on_hand"]) == (5, 2)

    report = valuation(api)

    assert (report["total_value"], report["levels"], report["uncosted_levels"]) == ("16.00", 2, 0)


def test_levels_with_nothing_on_hand_are_not_counted(api):
    location(api, "Main", is_default=True)
    item(api, "GONE", unit_cost="4.00")
    item(api, "FREE-GONE")
    item(api, "KEPT", unit_cost="1.00")
    adjust(api, "GONE", "receipt", 5)
    adjust(api, "GONE", "sale", -5)
    adjust(api, "FREE-GONE", "receipt", 2)
    adjust(api, "FREE-GONE", "sale", -2)
    adjust(api, "KEPT", "receipt", 1)

    report = valuation(api)

    assert (report["total_value"], report["levels"], report["uncosted_levels"]) == ("1.00", 1, 0)
    assert [(r["name"], *figures(r)) for r in report["by_location"]] == [("Main", "1.00", 1, 0)]


def test_items_in_the_trash_are_left_out(api):
    location(api, "Main", is_default=True)
    tools = category(api, "Tools")
    item(api, "TRASHED", unit_cost="100.00", category=tools)
    item(api, "TRASHED-FREE")
    item(api, "LIVE", unit_cost="2.00", category=tools)
    adjust(api, "TRASHED", "receipt", 3)
    adjust(api, "TRASHED-FREE", "receipt", 3)
    adjust(api, "LIVE", "receipt", 3)
    assert api.delete("/v1/items/TRASHED").status_code == 204
    assert api.delete("/v1/items/TRASHED-FREE").status_code == 204

    report = valuation(api)

    assert (report["total_value"], report["levels"], report["uncosted_levels"]) == ("6.00", 1, 0)
    assert [(r["category"], *figures(r)) for r in report["by_category"]] == [(tools, "6.00", 1, 0)]

    assert api.post("/v1/items/TRASHED/restore").status_code == 200
    assert valuation(api)["total_value"] == "306.00"


def test_the_variants_of_a_parent_in_the_trash_are_left_out_with_it(api):
    location(api, "Main", is_default=True)
    r = api.post("/v1/items", json={"sku": "TEE", "name": "Tee", "variants": [
        {"sku": f"TEE-{size}", "attributes": {"size": size}, "unit_cost": "2.00", "initial_stock": [{"quantity": 5}]}
        for size in ("S", "M")]})
    assert r.status_code == 201, r.text
    assert (valuation(api)["total_value"], valuation(api)["levels"]) == ("20.00", 2)

    assert api.delete("/v1/items/TEE").status_code == 204

    assert (valuation(api)["total_value"], valuation(api)["levels"]) == ("0.00", 0)


def test_the_location_filter_values_only_that_location_by_id_or_by_name(api):
    location(api, "Main", is_default=True)
    annex = location(api, "Annex")
    item(api, "A", unit_cost="2.00")
    adjust(api, "A", "receipt", 3)
    adjust(api, "A", "receipt", 2, at="Annex")

    by_name, by_id = valuation(api, location="Annex"), valuation(api, location=annex["id"])

    assert by_name == by_id
    assert (by_id["total_value"], by_id["levels"]) == ("4.00", 1)
    assert [(r["location"], *figures(r)) for r in by_id["by_location"]] == [(annex["id"], "4.00", 1, 0)]
    assert [(r["category"], *figures(r)) for r in by_id["by_category"]] == [(None, "4.00", 1, 0)]


def test_the_category_filter_values_only_items_of_that_category(api):
    location(api, "Main", is_default=True)
    location(api, "Annex")
    tools, paint = category(api, "Tools"), category(api, "Paint")
    item(api, "HAMMER", unit_cost="12.00", category=tools)
    item(api, "RED", unit_cost="7.50", category=paint)
    adjust(api, "HAMMER", "receipt", 2)
    adjust(api, "HAMMER", "receipt", 1, at="Annex")
    adjust(api, "RED", "receipt", 4)

    report = valuation(api, category=tools)

    assert (report["total_value"], report["levels"], report["uncosted_levels"]) == ("36.00", 2, 0)
    assert [(r["name"], *figures(r)) for r in report["by_location"]] == [
        ("Annex", "12.00", 1, 0),
        ("Main", "24.00", 1, 0),
    ]
    assert [(r["category"], *figures(r)) for r in report["by_category"]] == [(tools, "36.00", 2, 0)]
    both = valuation(api, category=tools, location="Main")
    assert (both["total_value"], both["levels"]) == ("24.00", 1)


def test_values_are_summed_exactly_and_rounded_half_up_to_cents_only_when_shown(api):
    location(api, "Main", is_default=True)
    for n in range(3):
        item(api, f"THIRD-{n}", unit_cost="0.335")
        adjust(api, f"THIRD-{n}", "correction", 1)  # valued at the standard cost, 0.335 each

    report = valuation(api)

    # 3 x 0.335 = 1.005 → 1.01 (rounding each first would give 3 x 0.34 = 1.02; half-even 1.00)
    assert report["total_value"] == "1.01"
    assert [figures(r) for r in report["by_location"]] == [("1.01", 3, 0)]


def test_fractional_quantities_times_costs_are_exact(api):
    location(api, "Main", is_default=True)
    item(api, "THIRDS", unit_cost="0.333")
    item(api, "CLOTH", unit="m", unit_cost="0.125")
    adjust(api, "THIRDS", "correction", 3)  # 0.999
    adjust(api, "CLOTH", "correction", "0.04")  # 0.005

    assert valuation(api)["total_value"] == "1.00"  # 1.004 → 1.00
    adjust(api, "CLOTH", "correction", "0.008")  # 0.048 x 0.125 = 0.006 → 1.005
    assert valuation(api)["total_value"] == "1.01"


def test_values_of_the_largest_quantities_and_costs_are_exact(api):
    location(api, "Main", is_default=True)
    item(api, "BIG", unit_cost="999999.999999")
    adjust(api, "BIG", "correction", "999999999999.999999")

    report = valuation(api)

    # 999999999998999999.000000000001 exactly; a float would be off by thousands
    assert report["total_value"] == "999999999998999999.00"
    assert [figures(r) for r in report["by_category"]] == [("999999999998999999.00", 1, 0)]


def test_the_currency_is_the_workspaces(api):
    assert valuation(api)["currency"] == "USD"
    r = api.patch("/v1/workspace", json={"currency": "EUR"})
    assert r.status_code == 200, r.text

    assert valuation(api)["currency"] == "EUR"


def test_an_empty_workspace_is_worth_nothing(api):
    assert valuation(api) == {"currency": "USD", "total_value": "0.00", "levels": 0, "uncosted_levels": 0,
                              "by_location": [], "by_category": []}


def test_valuation_does_not_show_another_workspaces_stock(api, other_workspace):
    location(api, "Main", is_default=True)
    location(other_workspace.api, "Main")
    item(other_workspace.api, "THEIRS", unit_cost="9.00")
    adjust(other_workspace.api, "THEIRS", "receipt", 2)

    assert valuation(api)["total_value"] == "0.00"
    assert valuation(other_workspace.api)["total_value"] == "18.00"


# Reorder


def test_reorder_lists_only_stocked_items_that_are_low_critical_or_out_of_stock(api):
    location(api, "Main", is_default=True)
    item(api, "LOW", reorder_point=10, safety_stock=2, initial_stock=[{"quantity": 8}])
    item(api, "CRIT", reorder_point=10, safety_stock=5, initial_stock=[{"quantity": 5}])
    item(api, "OUT", reorder_point=10)
    item(api, "NORMAL", reorder_point=10, initial_stock=[{"quantity": 11}])
    item(api, "UNTRACKED", tracking="none", reorder_point=10)
    item(api, "KIT", tracking="bundle", reorder_point=10)
    assert api.put("/v1/items/KIT/components", json=[{"item": "OUT", "quantity": 1}]).status_code == 200
    r = api.post("/v1/items", json={"sku": "TEE", "name": "Tee", "reorder_point": 10, "variants": [
        {"sku": "TEE-S", "attributes": {"size": "S"}, "reorder_point": 3, "initial_stock": [{"quantity": 5}]},
        {"sku": "TEE-M", "attributes": {"size": "M"}, "reorder_point": 3, "initial_stock": [{"quantity": 2}]}]})
    assert r.status_code == 201, r.text
    assert item(api, "TRASHED", reorder_point=10)["status"] == "out_of_stock"
    assert api.delete("/v1/items/TRASHED").status_code == 204
    assert {sku: api.get(f"/v1/items/{sku}").json()["status"] for sku in ("KIT", "TEE", "UNTRACKED")} == \
        {"KIT": "out_of_stock", "TEE": "low", "UNTRACKED": "normal"}

    rows = reorder(api)

    assert [(row["sku"], row["status"]) for row in rows] == [
        ("CRIT", "critical"),
        ("LOW", "low"),
        ("OUT", "out_of_stock"),
        ("TEE-M", "low"),
    ]


def test_a_reorder_row_shows_the_items_figures_and_what_to_order(api):
    location(api, "Main", is_default=True)
    shelf = item(api, "SHELF", name="Shelf", kind="material", unit="m", supplier="Acme", reorder_point=10,
                 safety_stock=3, reorder_quantity=5, unit_cost="2.50",
                 reorder_urls=["https://acme.example/shelf"], initial_stock=[{"quantity": 10}])
    r = api.post("/v1/reservations", json={"item": "SHELF", "quantity": 2, "reference": {"type": "order", "id": "1"}})
    assert r.status_code == 201, r.text

    rows = reorder(api)

    # available 8 ≤ 10 → low; 13 - 8 = 5 short → 6 (above 13), more than the reorder quantity 5
    assert rows == [{
        "item": shelf["id"], "sku": "SHELF", "name": "Shelf", "unit": "m", "kind": "material", "supplier": "Acme",
        "status": "low", "on_hand": 10, "reserved": 2, "available": 8, "incoming": 0, "reorder_point": 10,
        "safety_stock": 3, "reorder_quantity": 5, "suggested_quantity": 6, "unit_cost": "2.50",
        "estimated_cost": "15.00", "reorder_urls": ["https://acme.example/shelf"],
    }]


def test_the_reorder_quantity_is_suggested_when_it_is_more_than_the_shortfall(api):
    location(api, "Main", is_default=True)
    item(api, "BOLT", reorder_point=10, reorder_quantity=100, unit_cost="0.05", initial_stock=[{"quantity": 4}])

    [row] = reorder(api)

    assert (row["suggested_quantity"], row["estimated_cost"]) == (100, "5.00")


def test_a_fractional_shortfall_is_suggested_as_whole_units(api):
    location(api, "Main", is_default=True)
    item(api, "ROPE", unit="m", reorder_point="2.5", unit_cost="1.10", initial_stock=[{"quantity": "0.75"}])

    [row] = reorder(api)

    assert (row["available"], row["suggested_quantity"], row["estimated_cost"]) == (D("0.75"), 2, "2.20")


def test_stock_sold_below_zero_is_made_up_in_the_suggestion(api):
    location(api, "Main", is_default=True)
    assert api.patch("/v1/workspace", json={"settings": {"allow_negative_stock": True}}).status_code == 200
    item(api, "OVERSOLD", reorder_point=2, unit_cost="0.335")
    adjust(api, "OVERSOLD", "sale", -3)

    [row] = reorder(api)

    # 2 - (-3) = 5 short → 6; 6 x 0.335 = 2.01
    assert (row["status"], row["available"], row["suggested_quantity"], row["estimated_cost"]) == \
        ("out_of_stock", -3, 6, "2.01")


def test_ordered_stock_lowers_the_suggestion_and_draft_orders_do_not(api):
    location(api, "Main", is_default=True)
    item(api, "CUP", reorder_point=10, unit_cost="1.00")
    purchase_order(api, [("CUP", "3")], place=False)
    assert [(r["incoming"], r["suggested_quantity"]) for r in reorder(api)] == [(0, 11)]

    purchase_order(api, [("CUP", "4")])

    assert [(r["incoming"], r["suggested_quantity"], r["estimated_cost"]) for r in reorder(api)] == [(4, 7, "7.00")]


def test_changing_an_items_thresholds_puts_it_on_or_takes_it_off_the_list(api):
    location(api, "Main", is_default=True)
    item(api, "RISING", initial_stock=[{"quantity": 5}])
    item(api, "FALLING", reorder_point=10, initial_stock=[{"quantity": 5}])
    assert skus(reorder(api)) == ["FALLING"]

    assert api.patch("/v1/items/RISING", json={"reorder_point": 5}).status_code == 200
    assert api.patch("/v1/items/FALLING", json={"reorder_point": 4}).status_code == 200

    assert [(r["sku"], r["status"], r["suggested_quantity"]) for r in reorder(api)] == [("RISING", "low", 1)]


def test_a_reservation_past_its_expiry_no_longer_lowers_what_is_available_to_reorder(workspace, api):
    location(api, "Main", is_default=True)
    item(api, "HELD", reorder_point=1, initial_stock=[{"quantity": 5}])
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    r = api.post("/v1/reservations", json={"item": "HELD", "quantity": 5, "expires_at": soon})
    assert r.status_code == 201, r.text
    assert [(r["status"], r["reserved"], r["available"], r["suggested_quantity"]) for r in reorder(api)] == \
        [("out_of_stock", 5, 0, 2)]

    expire(workspace, "HELD")

    held = api.get("/v1/items/HELD").json()
    assert (held["reserved"], held["available"], held["status"]) == (0, 5, "normal")
    assert reorder(api) == []


def test_an_item_whose_ordered_stock_covers_the_target_stays_listed_with_nothing_to_order(api):
    location(api, "Main", is_default=True)
    item(api, "CUP", reorder_point=10, reorder_quantity=20, unit_cost="1.00", initial_stock=[{"quantity": 2}])
    purchase_order(api, [("CUP", "8")])
    assert [(r["incoming"], r["suggested_quantity"]) for r in reorder(api)] == [(8, 20)]  # exactly 10: not above

    purchase_order(api, [("CUP", "1")])

    [row] = reorder(api)

    assert (row["status"], row["incoming"], row["suggested_quantity"], row["estimated_cost"]) == ("low", 9, 0, "0.00")


def test_received_and_cancelled_orders_no_longer_count_as_incoming(api):
    location(api, "Main", is_default=True)
    item(api, "CUP", reorder_point=10, unit_cost="1.00")
    received = purchase_order(api, [("CUP", "4")])
    cancelled = purchase_order(api, [("CUP", "5")])
    assert [(r["incoming"], r["suggested_quantity"]) for r in reorder(api)] == [(9, 2)]

    r = api.post(f"/v1/purchase-orders/{received['id']}/receive",
                 json={"lines": [{"line": received["lines"][0]["id"], "quantity": 3}]})
    assert r.status_code == 200, r.text
    assert [(r["on_hand"], r["incoming"], r["suggested_quantity"]) for r in reorder(api)] == [(3, 6, 2)]
    assert api.post(f"/v1/purchase-orders/{cancelled['id']}/cancel").status_code == 200

    assert [(r["on_hand"], r["incoming"], r["suggested_quantity"]) for r in reorder(api)] == [(3, 1, 7)]


def test_the_estimated_cost_falls_back_to_the_average_cost_and_is_null_without_any_cost(api):
    location(api, "Main", is_default=True)
    item(api, "AVG", reorder_point=10)
    adjust(api, "AVG", "receipt", 5, unit_cost="3.00")
    item(api, "NONE", reorder_point=10, initial_stock=[{"quantity": 5}])
    item(api, "STD", reorder_point=10, unit_cost="2.00")
    adjust(api, "STD", "receipt", 5, unit_cost="9.00")  # average 9.00, standard 2.00

    rows = {row["sku"]: row for row in reorder(api)}

    assert {sku: (row["suggested_quantity"], row["unit_cost"], row["estimated_cost"]) for sku, row in rows.items()} \
        == {"AVG": (6, None, "18.00"), "NONE": (6, None, None), "STD": (6, "2.00", "12.00")}


def test_the_estimated_cost_is_rounded_to_cents(api):
    location(api, "Main", is_default=True)
    item(api, "PIN", reorder_point=2, unit_cost="0.335")

    [row] = reorder(api)

    assert (row["suggested_quantity"], row["estimated_cost"]) == (3, "1.01")  # 1.005 half-up


def test_reorder_filters_by_supplier_category_kind_and_status(api):
    location(api, "Main", is_default=True)
    tools = category(api, "Tools")
    item(api, "A", supplier="Acme", category=tools, kind="material", reorder_point=10,
         initial_stock=[{"quantity": 5}])
    item(api, "B", supplier="Acme", kind="product", reorder_point=10)
    item(api, "C", supplier="Bolt & Co", category=tools, kind="product", reorder_point=10, safety_stock=6,
         initial_stock=[{"quantity": 5}])
    item(api, "D", supplier="acme", kind="material", reorder_point=10)

    assert skus(reorder(api)) == ["A", "B", "C", "D"]
    assert skus(reorder(api, supplier="Acme")) == ["A", "B"]
    assert skus(reorder(api, supplier="Bolt & Co")) == ["C"]
    assert skus(reorder(api, category=tools)) == ["A", "C"]
    assert skus(reorder(api, kind="material")) == ["A", "D"]
    assert skus(reorder(api, kind="product")) == ["B", "C"]
    assert skus(reorder(api, status="low")) == ["A"]
    assert skus(reorder(api, status="critical")) == ["C"]
    assert skus(reorder(api, status="out_of_stock")) == ["B", "D"]
    assert skus(reorder(api, supplier="Acme", kind="material", status="low")) == ["A"]
    assert skus(reorder(api, supplier="Nobody")) == []


def test_reorder_refuses_a_status_it_never_lists(api):
    r = api.get("/v1/reports/reorder", params={"status": "normal"})

    assert error(r) == (422, "VALIDATION_ERROR")


def test_reorder_pages_by_sku(api):
    location(api, "Main", is_default=True)
    for n in (5, 3, 1, 4, 2):
        item(api, f"SKU-{n}", reorder_point=1)

    first = api.get("/v1/reports/reorder", params={"limit": 2})
    assert first.status_code == 200, first.text
    page = first.json()
    assert skus(page["data"]) == ["SKU-1", "SKU-2"]
    assert (page["meta"]["has_more"], page["meta"]["total"]) == (True, 5)
    second = api.get("/v1/reports/reorder", params={"limit": 2, "cursor": page["meta"]["next_cursor"]}).json()
    assert skus(second["data"]) == ["SKU-3", "SKU-4"]
    third = api.get("/v1/reports/reorder", params={"limit": 2, "cursor": second["meta"]["next_cursor"]}).json()
    assert skus(third["data"]) == ["SKU-5"]
    assert (third["meta"]["has_more"], third["meta"]["next_cursor"]) == (False, None)


def test_reorder_pages_by_sku_across_statuses(api):
    """Each stored status is read on its own (a range of its index) and the pages merged: the
    SKU order, the cursor and the total are one list's."""
    location(api, "Main", is_default=True)
    for sku, on_hand in (("MIX-6", 20), ("MIX-5", 0), ("MIX-4", 5), ("MIX-3", 2), ("MIX-2", 5), ("MIX-1", 0)):
        item(api, sku, reorder_point=10, safety_stock=3)
        if on_hand:
            adjust(api, sku, "receipt", on_hand)
    statuses = {row["sku"]: row["status"] for row in reorder(api, limit=50)}
    assert statuses == {"MIX-1": "out_of_stock", "MIX-2": "low", "MIX-3": "critical", "MIX-4": "low",
                        "MIX-5": "out_of_stock"}  # MIX-6 is in stock
    seen, cursor, totals = [], None, set()
    while True:
        page = api.get("/v1/reports/reorder", params={"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen.append(skus(page["data"]))
        totals.add(page["meta"].get("total"))
        cursor = page["meta"]["next_cursor"]
        if not page["meta"]["has_more"]:
            assert cursor is None
            break
    assert seen == [["MIX-1", "MIX-2"], ["MIX-3", "MIX-4"], ["MIX-5"]]
    assert 5 in totals


def test_reorder_does_not_list_another_workspaces_items(api, other_workspace):
    item(other_workspace.api, "THEIRS", reorder_point=10)

    assert reorder(api) == []
    assert skus(reorder(other_workspace.api)) == ["THEIRS"]


# Scope and cost


@pytest.mark.parametrize("path", ["/v1/reports/valuation", "/v1/reports/reorder"])
def test_reports_need_the_stock_read_scope(workspace, path):
    without = workspace.key_with("orders:read", "orders:write", "production:read", "items:read")
    with_it = workspace.key_with("stock:read")

    assert error(without.get(path)) == (403, "INSUFFICIENT_SCOPE")
    assert with_it.get(path).status_code == 200


def _statements(db, call) -> int:
    with statements(db) as seen:
        r = call()
        assert r.status_code == 200, r.text
    return len(seen)


def test_a_reorder_page_of_fifty_items_costs_the_same_statements_as_a_page_of_five(api, db):
    location(api, "Main", is_default=True)
    for n in range(50):
        item(api, f"R{n:02}", reorder_point=5, reorder_quantity=n, unit_cost="1.00",
             reorder_urls=[f"https://shop.example/{n}"])
    purchase_order(api, [(f"R{n:02}", "2") for n in range(50)])

    five = _statements(db, lambda: api.get("/v1/reports/reorder", params={"limit": 5}))
    # 49: both pages leave rows for a next one, so both count the total (a whole list is not counted).
    fifty = _statements(db, lambda: api.get("/v1/reports/reorder", params={"limit": 49}))

    assert 0 < five == fifty
    rows = reorder(api, limit=50)
    assert len(rows) == 50
    assert rows[49]["suggested_quantity"] == 49  # 5 - 2 short → 4, the reorder quantity 49 is more


def test_valuing_fifty_stock_levels_costs_the_same_statements_as_five(api, db):
    location(api, "Main", is_default=True)
    tools = category(api, "Tools")
    for n in range(50):
        item(api, f"V{n:02}", unit_cost="1.00", category=tools if n % 2 else None)
    for n in range(5):
        adjust(api, f"V{n:02}", "receipt", 1)
    five = _statements(db, lambda: api.get("/v1/reports/valuation"))
    for n in range(5, 50):
        adjust(api, f"V{n:02}", "receipt", 1)

    fifty = _statements(db, lambda: api.get("/v1/reports/valuation"))

    assert 0 < five == fifty
    assert valuation(api)["levels"] == 50



