"""What an item costs and sells for (SPEC §3 Items): `unit_cost` is the standard cost at which
receipts and initial stock without a cost of their own are valued; `average_cost` is the moving
weighted average of costed receipts, exact to 4 places; retail and wholesale prices are money;
`gross_price` and the EU `base_price` follow the price, the tax rate and the package size.

Single-formula cases live in tests/unit (test_pricing.py, test_ledger_rules.py) and the basics of
costed adjustments in test_stock_adjustments.py; these tests follow the numbers through the API."""

from __future__ import annotations

import pytest

from storekeeper.services.check import check
from tests.factories import item, location


def receive(api, sku: str, quantity, unit_cost=None, at: str | None = None, reason: str = "receipt") -> dict:
    body = {"item": sku, "reason": reason, "delta": quantity}
    if unit_cost is not None:
        body["unit_cost"] = unit_cost
    if at is not None:
        body["location"] = at
    r = api.post("/v1/stock/adjustments", json=body)
    assert r.status_code == 201, r.text
    return r.json()["movement"]


def average_cost(api, sku: str):
    return api.get(f"/v1/items/{sku}").json()["average_cost"]


def ledger_explains_the_stock(workspace) -> bool:
    return check(workspace.db, workspace.id)[1] == []


# The standard cost


def test_a_first_receipt_without_a_unit_cost_is_costed_at_the_standard_cost_and_sets_the_average(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "COST-1", unit_cost="2.50")
    assert average_cost(api, "COST-1") is None  # nothing received yet
    movement = receive(api, "COST-1", 4)
    assert movement["unit_cost"] == "2.50"
    assert average_cost(api, "COST-1") == "2.50"
    assert ledger_explains_the_stock(workspace)


def test_a_new_standard_cost_values_later_receipts_and_leaves_the_average_of_earlier_ones(api):
    location(api, "Main", is_default=True)
    item(api, "COST-2", unit_cost="2.00")
    receive(api, "COST-2", 4)
    r = api.patch("/v1/items/COST-2", json={"unit_cost": "4.00"})
    assert (r.json()["unit_cost"], r.json()["average_cost"]) == ("4.00", "2.00")
    assert receive(api, "COST-2", 4)["unit_cost"] == "4.00"
    assert average_cost(api, "COST-2") == "3.00"


def test_a_receipt_with_its_own_unit_cost_ignores_the_standard_cost(api):
    location(api, "Main", is_default=True)
    item(api, "COST-3", unit_cost="9.00")
    assert receive(api, "COST-3", 2, unit_cost="1.00")["unit_cost"] == "1.00"
    assert average_cost(api, "COST-3") == "1.00"


def test_without_a_standard_cost_an_uncosted_receipt_leaves_the_average_unknown(api):
    location(api, "Main", is_default=True)
    item(api, "COST-4")
    assert receive(api, "COST-4", 3)["unit_cost"] is None
    assert average_cost(api, "COST-4") is None


# The moving weighted average


@pytest.mark.parametrize(
    ("receipts", "expected"),
    [
        ([(10, "4.00"), (5, "5.00")], "4.3333"),  # 65 / 15
        ([(3, "1.00"), (6, "1.00"), (1, "2.00")], "1.10"),  # 11 / 10
        ([(1, "1.00"), (1, "1.0001")], "1.0001"),  # 1.00005: half-up, not half-even
        ([("0.5", "3.00"), ("0.25", "6.00")], "4.00"),  # fractional quantities: 3.00 / 0.75
        ([(2, "0.333333"), (1, "0.333334")], "0.3333"),  # six-place costs: 1.000000 / 3
        ([(7, "2.00"), (3, "2.00")], "2.00"),
    ],
)
def test_costed_receipts_move_the_average_cost_as_a_weighted_average_exact_to_four_places(api, receipts, expected):
    location(api, "Main", is_default=True)
    item(api, "AVG-1", unit="kg")
    for quantity, unit_cost in receipts:
        receive(api, "AVG-1", quantity, unit_cost=unit_cost)
    assert average_cost(api, "AVG-1") == expected


def test_receipts_at_different_locations_make_one_average_for_the_item(api, workspace):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    item(api, "AVG-2")
    receive(api, "AVG-2", 10, unit_cost="4.00", at="Main")
    receive(api, "AVG-2", 5, unit_cost="5.00", at="Shop")
    assert average_cost(api, "AVG-2") == "4.3333"
    assert ledger_explains_the_stock(workspace)


def test_a_standard_costed_receipt_weighs_in_like_any_other(api):
    location(api, "Main", is_default=True)
    item(api, "AVG-3", unit_cost="5.00")
    receive(api, "AVG-3", 10, unit_cost="4.00")
    receive(api, "AVG-3", 5)  # at the standard cost, 5.00
    assert average_cost(api, "AVG-3") == "4.3333"


def test_a_bulk_of_receipts_averages_them_in_order(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "AVG-4")
    r = api.post("/v1/stock/adjustments/bulk", json={"atomic": True, "adjustments": [
        {"item": "AVG-4", "reason": "receipt", "delta": 10, "unit_cost": "4.00"},
        {"item": "AVG-4", "reason": "receipt", "delta": 5, "unit_cost": "5.00"},
    ]})
    assert r.status_code == 201, r.text
    assert average_cost(api, "AVG-4") == "4.3333"
    assert ledger_explains_the_stock(workspace)


def _sell(api, sku):
    receive(api, sku, -3, reason="sale")


def _lose(api, sku):
    receive(api, sku, -3, reason="loss")


def _count_down(api, sku):
    r = api.post("/v1/stock/adjustments", json={"item": sku, "reason": "count", "set": 12})
    assert r.status_code == 201, r.text


def _fulfil_a_reservation(api, sku):
    r = api.post("/v1/reservations", json={"item": sku, "quantity": 3})
    assert r.status_code == 201, r.text
    assert api.post(f"/v1/reservations/{r.json()['id']}/fulfil").status_code == 200


@pytest.mark.parametrize("going_out", [_sell, _lose, _count_down, _fulfil_a_reservation], ids=lambda f: f.__name__[1:])
def test_stock_going_out_leaves_the_average_cost_alone(api, workspace, going_out):
    location(api, "Main", is_default=True)
    item(api, "OUT-1")
    receive(api, "OUT-1", 10, unit_cost="4.00")
    receive(api, "OUT-1", 5, unit_cost="5.00")
    going_out(api, "OUT-1")
    body = api.get("/v1/items/OUT-1").json()
    assert (body["on_hand"], body["average_cost"]) == (12, "4.3333")
    # the next receipt weighs what is left (12 at 4.3333) against what comes in
    receive(api, "OUT-1", 3, unit_cost="1.00")
    assert average_cost(api, "OUT-1") == "3.6666"  # (12 x 4.3333 + 3) / 15 = 3.66664
    assert ledger_explains_the_stock(workspace)


# Initial stock


def test_initial_stock_at_a_unit_cost_sets_the_average_cost(api, workspace):
    location(api, "Main", is_default=True)
    created = item(api, "INIT-1", unit_cost="9.00", initial_stock=[{"quantity": 4, "unit_cost": "2.25"}])
    assert (created["on_hand"], created["average_cost"], created["unit_cost"]) == (4, "2.25", "9.00")
    moves = api.get("/v1/items/INIT-1/movements").json()["data"]
    assert [(m["reason"], m["delta"], m["unit_cost"]) for m in moves] == [("initial", 4, "2.25")]
    assert ledger_explains_the_stock(workspace)


def test_initial_stock_without_a_unit_cost_is_costed_at_the_standard_cost_given_with_it(api):
    location(api, "Main", is_default=True)
    created = item(api, "INIT-2", unit_cost="3.10", initial_stock=[{"quantity": 2}])
    assert created["average_cost"] == "3.10"
    assert api.get("/v1/items/INIT-2/movements").json()["data"][0]["unit_cost"] == "3.10"


def test_initial_stock_at_several_locations_and_costs_is_averaged(api, workspace):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    created = item(api, "INIT-3", unit_cost="5.00", initial_stock=[
        {"location": "Main", "quantity": 10, "unit_cost": "4.00"},
        {"location": "Shop", "quantity": 5},  # at the standard cost
    ])
    assert (created["on_hand"], created["average_cost"]) == (15, "4.3333")
    assert ledger_explains_the_stock(workspace)


def test_a_variants_initial_stock_is_costed_at_the_standard_cost_it_inherits(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "INIT-TEE", unit_cost="6.00", variants=[
        {"sku": "INIT-TEE-S", "attributes": {"size": "S"}, "initial_stock": [{"quantity": 2}]},
        {"sku": "INIT-TEE-M", "attributes": {"size": "M"}, "unit_cost": "7.00", "initial_stock": [{"quantity": 1}]},
    ])
    assert average_cost(api, "INIT-TEE-S") == "6.00"
    assert average_cost(api, "INIT-TEE-M") == "7.00"
    added = api.post("/v1/items/INIT-TEE/variants", json={
        "sku": "INIT-TEE-L", "attributes": {"size": "L"}, "initial_stock": [{"quantity": 1, "unit_cost": "6.50"}]})
    assert added.status_code == 201, added.text
    assert added.json()["average_cost"] == "6.50"
    assert ledger_explains_the_stock(workspace)


def test_receipts_after_initial_stock_average_with_it(api):
    location(api, "Main", is_default=True)
    item(api, "INIT-4", initial_stock=[{"quantity": 10, "unit_cost": "4.00"}])
    receive(api, "INIT-4", 5, unit_cost="5.00")
    assert average_cost(api, "INIT-4") == "4.3333"


# Retail and wholesale prices


def test_retail_and_wholesale_prices_round_trip_as_money_strings(api):
    created = item(api, "PRICE-1", retail_price=7, wholesale_price="3.5")
    assert (created["retail_price"], created["wholesale_price"]) == ("7.00", "3.50")
    r = api.patch("/v1/items/PRICE-1", json={"retail_price": "8.999999", "wholesale_price": 0})
    assert r.status_code == 200, r.text
    assert (r.json()["retail_price"], r.json()["wholesale_price"]) == ("8.999999", "0.00")
    got = api.get("/v1/items/PRICE-1")
    assert '"retail_price":"8.999999"' in got.text
    assert '"wholesale_price":"0.00"' in got.text
    listed = api.get("/v1/items", params={"sku": "PRICE-1"}).json()["data"][0]
    assert (listed["retail_price"], listed["wholesale_price"]) == ("8.999999", "0.00")


def test_retail_and_wholesale_prices_are_independent_of_the_net_price_and_the_tax(api):
    rate = api.post("/v1/tax-rates", json={"name": "VAT", "rate": "0.19", "is_default": True}).json()["id"]
    created = item(api, "PRICE-2", price="10.00", retail_price="12.00", wholesale_price="8.00")
    assert (created["tax_rate"], created["gross_price"]) == (rate, "11.90")
    assert (created["retail_price"], created["wholesale_price"]) == ("12.00", "8.00")
    r = api.patch("/v1/items/PRICE-2", json={"price": "20.00"})
    assert (r.json()["retail_price"], r.json()["wholesale_price"]) == ("12.00", "8.00")


@pytest.mark.parametrize("field", ["retail_price", "wholesale_price"])
@pytest.mark.parametrize("value", ["-1", "1.1234567", "cheap"])
def test_a_retail_or_wholesale_price_that_is_no_amount_is_refused(api, field, value):
    item(api, "PRICE-3", **{field: "1.00"})
    r = api.patch("/v1/items/PRICE-3", json={field: value})
    assert r.status_code == 422
    assert field in r.json()["error"]["fields"]
    assert api.get("/v1/items/PRICE-3").json()[field] == "1.00"


# Gross price and base price together


def vat(api, rate: str = "0.19") -> str:
    return api.post("/v1/tax-rates", json={"name": f"VAT {rate}", "rate": rate}).json()["id"]


def test_a_net_price_and_tax_rate_give_the_gross_price_and_the_base_price_per_litre(api):
    created = item(api, "BASE-1", price="10.5042", tax_rate=vat(api), package_size={"value": 250, "unit": "ml"})
    # 10.5042 x 1.19 = 12.499998 → 12.50 gross; 12.50 per 0.25 l = 50.00 per l
    assert (created["gross_price"], created["base_price"], created["base_price_unit"]) == ("12.50", "50.00", "l")
    got = api.get("/v1/items/BASE-1").json()
    assert (got["gross_price"], got["base_price"], got["base_price_unit"]) == ("12.50", "50.00", "l")


def test_the_base_price_is_worked_out_from_the_gross_price_shown(api):
    # 0.844537 x 1.19 = 1.00499903: the gross price shown is 1.00, so 100 ml cost 10.00 per l
    # (dividing the unrounded gross would say 10.05, which no shelf label could explain).
    created = item(api, "BASE-2", price="0.844537", tax_rate=vat(api), package_size={"value": 100, "unit": "ml"})
    assert (created["gross_price"], created["base_price"]) == ("1.00", "10.00")


def test_the_base_price_follows_the_package_size_the_price_and_the_tax_rate(api):
    reduced = vat(api, "0.07")
    oil = item(api, "BASE-3", price="10.5042", tax_rate=vat(api), package_size={"value": 250, "unit": "ml"})
    path = f"/v1/items/{oil['id']}"
    steps = [
        ({"package_size": {"value": 1, "unit": "l"}}, ("12.50", "12.50", "l")),
        ({"package_size": {"value": 500, "unit": "g"}}, ("12.50", "25.00", "kg")),
        ({"package_size": {"value": 50, "unit": "cm"}}, ("12.50", "25.00", "m")),
        ({"package_size": {"value": "0.5", "unit": "sqm"}}, ("12.50", "25.00", "sqm")),
        ({"package_size": {"value": 5, "unit": "pcs"}}, ("12.50", "2.50", "pcs")),
        ({"price": "21.0084"}, ("25.00", "5.00", "pcs")),  # 21.0084 x 1.19 = 24.999996
        ({"tax_rate": reduced}, ("22.48", "4.50", "pcs")),  # 22.478988 → 22.48; / 5 = 4.496 → 4.50
        ({"tax_rate": None}, ("21.01", "4.20", "pcs")),  # 21.0084 → 21.01; / 5 = 4.202 → 4.20
        ({"package_size": None}, ("21.01", None, None)),
    ]
    for change, expected in steps:
        r = api.patch(path, json=change)
        assert r.status_code == 200, r.text
        shown = (r.json()["gross_price"], r.json()["base_price"], r.json()["base_price_unit"])
        assert shown == expected, change
        got = api.get(path).json()
        assert (got["gross_price"], got["base_price"], got["base_price_unit"]) == expected, change


def test_a_new_rate_on_the_tax_rate_changes_gross_and_base_prices_of_its_items(api):
    rate = vat(api)
    item(api, "BASE-4", price="10.5042", tax_rate=rate, package_size={"value": 250, "unit": "ml"})
    assert api.patch(f"/v1/tax-rates/{rate}", json={"rate": "0.07"}).status_code == 200
    got = api.get("/v1/items/BASE-4").json()
    # 10.5042 x 1.07 = 11.239494 → 11.24; / 0.25 l = 44.96 per l
    assert (got["gross_price"], got["base_price"]) == ("11.24", "44.96")


def test_the_list_shows_gross_and_base_prices_too(api):
    item(api, "BASE-5", price="10.5042", tax_rate=vat(api), package_size={"value": 250, "unit": "ml"})
    listed = api.get("/v1/items", params={"sku": "BASE-5"}).json()["data"][0]
    assert (listed["gross_price"], listed["base_price"], listed["base_price_unit"]) == ("12.50", "50.00", "l")


def test_a_variant_with_an_inherited_price_and_its_own_package_size_has_its_own_base_price(api):
    item(api, "BASE-OIL", price="10.5042", tax_rate=vat(api), package_size={"value": 250, "unit": "ml"}, variants=[
        {"sku": "BASE-OIL-S", "attributes": {"size": "S"}},
        {"sku": "BASE-OIL-L", "attributes": {"size": "L"}, "package_size": {"value": 1, "unit": "l"}},
    ])
    small = api.get("/v1/items/BASE-OIL-S").json()
    large = api.get("/v1/items/BASE-OIL-L").json()
    assert (small["gross_price"], small["base_price"], small["base_price_unit"]) == ("12.50", "50.00", "l")
    assert (large["gross_price"], large["base_price"], large["base_price_unit"]) == ("12.50", "12.50", "l")


def test_the_average_cost_and_the_computed_prices_cannot_be_written(api):
    location(api, "Main", is_default=True)
    item(api, "BASE-6", price="1.00", package_size={"value": 1, "unit": "kg"})
    receive(api, "BASE-6", 2, unit_cost="3.00")
    for field, value in (("average_cost", "0.01"), ("gross_price", "2.00"), ("base_price", "3.00")):
        r = api.patch("/v1/items/BASE-6", json={field: value})
        assert (r.status_code, r.json()["error"]["code"]) == (422, "READONLY_FIELD"), field
    got = api.get("/v1/items/BASE-6").json()
    assert (got["average_cost"], got["gross_price"], got["base_price"], got["version"]) == ("3.00", "1.00", "1.00", 1)
