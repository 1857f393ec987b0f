"""A production order line in a unit other than its item's, from the dashboard's form (issue 22),
as /v1's line `unit`: converted to the item's unit, offered as a choice of the units that
convert, and a unit that does not convert refused in words under its row with nothing written."""

from __future__ import annotations

import re
from decimal import Decimal

from tests.web.conftest import field_error, form_at
from tests.web.test_production_forms import create, made_id, ok, order_of, workshop


def unit_choices(page: str, row: int) -> list[str]:
    found = re.search(rf'<select name="line{row}\.unit".*?</select>', page, re.S)
    assert found, f"no unit for row {row}"
    return re.findall(r'<option value="([^"]*)"', found.group(0))


def test_a_line_in_grams_of_an_item_kept_in_kilograms_is_converted_and_edited_in_its_units(workspace, member):
    workshop(workspace)
    offered = unit_choices(member.get("/production/new").text, 0)
    assert offered[0] == "" and {"g", "kg", "ml", "pcs"} <= set(offered) and "case" not in offered
    order_id = made_id(create(member, {"line0.item": "WAX", "line0.quantity": "500", "line0.unit": "g",
                                       "line1.item": "CANDLE", "line1.quantity": "3", "line1.unit": ""}))
    order = order_of(workspace.api, order_id)
    assert [(line["sku"], Decimal(str(line["quantity"])), line["unit"]) for line in order["lines"]] == [
        ("WAX", Decimal("0.5"), "kg"), ("CANDLE", 3, "pcs")]
    edit = ok(member.get(f"/production/{order_id}/edit")).text
    wax_units = unit_choices(edit, 0)
    assert wax_units[0] == "" and "g" in wax_units and "lb" in wax_units and "pcs" not in wax_units
    assert "kg (the item&#39;s)" in edit or "kg (the item's)" in edit
    assert unit_choices(edit, 1) == [""]  # pieces convert to nothing else
    form = form_at(edit, f"/production/{order_id}/edit")
    r = member.submit(f"/production/{order_id}/edit", {
        **form, "line0.item": "WAX", "line0.quantity": "250", "line0.unit": "g",
        "line1.item": "CANDLE", "line1.quantity": "3"})
    assert r.status_code == 303, r.text
    assert Decimal(str(order_of(workspace.api, order_id)["lines"][0]["quantity"])) == Decimal("0.25")


def test_a_unit_that_does_not_convert_is_refused_under_its_row_and_nothing_is_written(workspace, member):
    workshop(workspace)
    r = create(member, {"line0.item": "", "line0.quantity": "", "line1.item": "CANDLE", "line1.quantity": "2",
                        "line1.unit": "g"})
    assert r.status_code == 422 and "The order was not created" in r.text
    assert "does not convert" in field_error(r, "line1-unit") and "pcs" in field_error(r, "line1-unit")
    assert re.search(r'<option value="g" selected>', r.text)  # what was chosen stays
    for unit in ("furlong", "x" * 40):
        r = create(member, {"line0.item": "CANDLE", "line0.quantity": "2", "line0.unit": unit})
        assert r.status_code == 422 and field_error(r, "line0-unit"), (unit, r.text)
    made = ok(workspace.api.post("/v1/production-orders", json={"lines": [{"item": "WAX", "quantity": 2}]}), 201)
    form = form_at(member.get(f"/production/{made['id']}/edit").text, f"/production/{made['id']}/edit")
    r = member.submit(f"/production/{made['id']}/edit", {**form, "line0.item": "WAX", "line0.quantity": "3",
                                                          "line0.unit": "l"})
    assert r.status_code == 422 and "does not convert" in field_error(r, "line0-unit")
    assert [o["id"] for o in ok(workspace.api.get("/v1/production-orders"))["data"]] == [made["id"]]
    assert order_of(workspace.api, made["id"])["lines"][0]["quantity"] == 2
