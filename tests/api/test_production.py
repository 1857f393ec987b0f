"""Production over HTTP, end to end: production orders (create, read, list, change, delete) and the
batches that make their lines — components consumed exactly at the order's location, the output
costed from what went in, shortages refused whole, reversals that put every unit back (SPEC §3
"Production", contract of issue 5).

The running example is a candle workshop: a candle takes 250 g of wax (kept in kg), one wick and
0.1 h of labour (`tracking: none`, 20.00 an hour, never stocked); a taper takes 100 g of wax and
one wick.
"""

from __future__ import annotations

import itertools
import time
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storekeeper.services.check import check
from tests.concurrency import body
from tests.factories import error, item, location

# Helpers


def created(r) -> dict:
    assert r.status_code == 201, r.text
    return body(r)


def ok(r) -> dict:
    assert r.status_code == 200, r.text
    return body(r)


def adjust(api, sku: str, reason: str, delta, at: str | None = None, **fields) -> dict:
    payload = {"item": sku, "reason": reason, "delta": str(delta), **fields}
    if at is not None:
        payload["location"] = at
    return created(api.post("/v1/stock/adjustments", json=payload))


def workshop(api, *, wax_kg="10", wicks="40", at: str | None = None) -> dict:
    """Main (the default location), wax received at 12.00 a kg (its standard cost is 8.00), wicks
    found by a correction (so they have no average cost, only their standard 0.15), labour at 20.00
    an hour, and the candle's bill of materials. Returns the items by SKU and the location."""
    main = location(api, "Main", is_default=True)
    things = {
        "WAX": item(api, "WAX", name="Soy wax", unit="kg", kind="material", unit_cost="8.00"),
        "WICK": item(api, "WICK", name="Wick", kind="material", unit_cost="0.15"),
        "LABOUR": item(api, "LABOUR", name="Labour", unit="h", tracking="none", unit_cost="20.00"),
        "CANDLE": item(api, "CANDLE", name="Candle"),
    }
    bill_of(api, "CANDLE", [{"item": "WAX", "quantity": 250, "unit": "g"}, {"item": "WICK", "quantity": 1},
                            {"item": "LABOUR", "quantity": "0.1", "unit": "h"}])
    if Decimal(wax_kg):
        adjust(api, "WAX", "receipt", wax_kg, at, unit_cost="12.00")
    if Decimal(wicks):
        adjust(api, "WICK", "correction", wicks, at)
    return {"location": main, **things}


def taper(api) -> dict:
    made = item(api, "TAPER", name="Taper")
    bill_of(api, "TAPER", [{"item": "WAX", "quantity": 100, "unit": "g"}, {"item": "WICK", "quantity": 1}])
    return made


def bill_of(api, sku: str, lines: list[dict]) -> None:
    r = api.put(f"/v1/items/{sku}/components", json=lines)
    assert r.status_code == 200, r.text


def user(api, email: str, name: str) -> dict:
    return created(api.post("/v1/users", json={"email": email, "name": name, "role": "member"}))


def order(api, lines: list[dict] | None = None, **fields) -> dict:
    return created(create(api, lines if lines is not None else [{"item": "CANDLE", "quantity": 20}], **fields))


def create(api, lines, **fields):
    return api.post("/v1/production-orders", json={"lines": lines, **fields})


def read(api, order_id: str) -> dict:
    return ok(api.get(f"/v1/production-orders/{order_id}"))


def patch(api, order_id: str, changes: dict, **kwargs):
    return api.patch(f"/v1/production-orders/{order_id}", json=changes, **kwargs)


def make(api, made: dict, quantity, line: int = 0, **fields):
    line_id = made["lines"][line]["id"]
    return api.post(f"/v1/production-orders/{made['id']}/lines/{line_id}/batches",
                    json={"quantity": str(quantity), **fields})


def batch(api, made: dict, quantity, line: int = 0) -> dict:
    return created(make(api, made, quantity, line))


def reverse(api, batch_id: str):
    return api.delete(f"/v1/batches/{batch_id}")


def names(r) -> list[str]:
    return [row["name"] for row in ok(r)["data"]]


def on_hand(api, sku: str) -> Decimal:
    return ok(api.get(f"/v1/items/{sku}"))["on_hand"]


def levels(api) -> dict:
    """Every stock level of the workspace that holds anything: (sku, location) → (on_hand, reserved,
    available). A level at zero is as good as none."""
    rows = ok(api.get("/v1/stock", params={"limit": 1000}))["data"]
    found = {(row["sku"], lv["location"]): (lv["on_hand"], lv["reserved"], lv["available"])
             for row in rows for lv in row["locations"]}
    return {key: value for key, value in found.items() if value != (0, 0, 0)}


def batch_movements(api, batch_id: str) -> list[dict]:
    return ok(api.get("/v1/stock/movements", params={"batch": batch_id, "order": "asc"}))["data"]


def assert_ledger_explains_everything(workspace) -> None:
    _levels, mismatches = check(workspace.db, workspace.id)
    assert mismatches == []


# Creating production orders


def test_an_order_gets_the_next_mo_number_the_default_location_and_is_pending(api):
    shop = workshop(api)
    location(api, "Annex")

    first = order(api)
    r = create(api, [{"item": shop["CANDLE"]["id"], "quantity": "2.5"}])
    second = created(r)

    assert first["id"].startswith("prd_")
    assert first == {
        "id": first["id"], "number": 1, "name": "MO-000001", "status": "pending", "location": shop["location"]["id"],
        "assignee": None, "assignee_email": None, "due": None, "notes": None, "position": 1,
        "lines": [{"id": first["lines"][0]["id"], "number": 1, "item": shop["CANDLE"]["id"], "sku": "CANDLE",
                   "name": "Candle", "unit": "pcs", "quantity": 20, "produced_quantity": 0, "completed": False,
                   "batches": []}],
        "version": 1, "created_at": first["created_at"], "updated_at": first["created_at"], "completed_at": None,
    }
    assert first["lines"][0]["id"].startswith("prl_")
    assert (second["name"], second["number"], second["position"], second["lines"][0]["quantity"]) == (
        "MO-000002", 2, 2, Decimal("2.5"))
    assert second["lines"][0]["number"] == 2
    assert r.headers["etag"] == '"1"'
    assert read(api, first["id"]) == first


def test_an_order_takes_its_name_location_position_due_notes_and_status_as_given(api):
    workshop(api)
    annex = location(api, "Annex")
    made = order(api, name="Christmas candles", location="Annex", position=7, due="2026-12-01T09:00:00Z",
                 notes="Red ones", status="in_progress")
    assert (made["name"], made["location"], made["position"], made["due"], made["notes"], made["status"]) == (
        "Christmas candles", annex["id"], 7, "2026-12-01T09:00:00.000Z", "Red ones", "in_progress")
    assert made["completed_at"] is None
    assert order(api)["position"] == 8


def test_an_order_created_done_is_completed_at_once(api):
    workshop(api)
    made = order(api, status="done")
    assert made["status"] == "done"
    assert made["completed_at"] == made["created_at"]


def test_the_assignee_is_named_by_user_id_or_by_email(api):
    workshop(api)
    ann = user(api, "ann@example.com", "Ann")
    by_id = order(api, assignee=ann["id"])
    by_email = order(api, assignee="ann@example.com")
    by_email_in_capitals = order(api, assignee="ANN@Example.com")
    for made in (by_id, by_email, by_email_in_capitals):
        assert (made["assignee"], made["assignee_email"]) == (ann["id"], "ann@example.com")
        assert read(api, made["id"])["assignee"] == ann["id"]


def test_an_unknown_assignee_is_refused_and_no_order_is_made(api):
    workshop(api)
    user(api, "ann@example.com", "Ann")
    for ref in ("nobody@example.com", "usr_01J00000000000000000000000"):
        assert error(create(api, [{"item": "CANDLE", "quantity": 1}], assignee=ref)) == (404, "USER_NOT_FOUND")
    assert ok(api.get("/v1/production-orders"))["data"] == []
    assert order(api)["name"] == "MO-000001"


def test_an_order_needs_at_least_one_line_with_a_positive_quantity(api):
    workshop(api)
    for lines in ([], [{"item": "CANDLE", "quantity": 0}], [{"item": "CANDLE", "quantity": -1}],
                  [{"item": "CANDLE"}], [{"quantity": 1}]):
        r = create(api, lines)
        assert error(r) == (422, "VALIDATION_ERROR"), lines
        assert "lines" in str(r.json()["error"]["fields"]), lines
    r = api.post("/v1/production-orders", json={"name": "No lines"})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert ok(api.get("/v1/production-orders"))["data"] == []


def test_a_line_must_be_a_stockable_item(api):
    workshop(api)
    item(api, "GIFT-BOX", tracking="bundle")
    created(api.post("/v1/items", json={"sku": "MUG", "name": "Mug", "variants": [
        {"sku": "MUG-RED", "attributes": {"colour": "red"}}, {"sku": "MUG-BLUE", "attributes": {"colour": "blue"}}]}))
    for sku in ("LABOUR", "GIFT-BOX", "MUG"):
        r = create(api, [{"item": "CANDLE", "quantity": 1}, {"item": sku, "quantity": 1}])
        assert error(r) == (422, "NOT_STOCKABLE"), sku
    assert ok(api.get("/v1/production-orders"))["data"] == []
    assert order(api, [{"item": "MUG-RED", "quantity": 3}])["lines"][0]["sku"] == "MUG-RED"


def test_unknown_items_and_locations_are_not_found(api):
    workshop(api)
    assert error(create(api, [{"item": "NOPE", "quantity": 1}])) == (404, "ITEM_NOT_FOUND")
    assert error(create(api, [{"item": "CANDLE", "quantity": 1}], location="Nowhere")) == (404, "LOCATION_NOT_FOUND")


def test_a_line_may_give_its_quantity_in_another_unit_of_the_items_dimension(api):
    workshop(api)
    made = order(api, [{"item": "WAX", "quantity": 1500, "unit": "g"}, {"item": "CANDLE", "quantity": 3,
                                                                        "unit": "pieces"}])
    assert [(line["sku"], line["unit"], line["quantity"]) for line in made["lines"]] == [
        ("WAX", "kg", Decimal("1.5")), ("CANDLE", "pcs", 3)]
    assert error(create(api, [{"item": "WAX", "quantity": 1, "unit": "l"}])) == (422, "UNIT_MISMATCH")
    unknown = create(api, [{"item": "WAX", "quantity": 1, "unit": "furlong"}])
    assert error(unknown) == (422, "VALIDATION_ERROR")
    assert list(unknown.json()["error"]["fields"]) == ["lines[0].unit"]
    assert error(create(api, [{"item": "WAX", "quantity": "0.0001", "unit": "mg"}])) == (422, "VALIDATION_ERROR")
    assert [row["id"] for row in ok(api.get("/v1/production-orders"))["data"]] == [made["id"]]


# Reading


def test_an_unknown_order_or_one_of_another_workspace_is_not_found(api, other_workspace):
    workshop(api)
    made = order(api)
    assert error(api.get("/v1/production-orders/prd_01J00000000000000000000000")) == (
        404, "PRODUCTION_ORDER_NOT_FOUND")
    assert error(other_workspace.api.get(f"/v1/production-orders/{made['id']}")) == (
        404, "PRODUCTION_ORDER_NOT_FOUND")
    assert error(other_workspace.api.patch(f"/v1/production-orders/{made['id']}", json={"notes": "x"})) == (
        404, "PRODUCTION_ORDER_NOT_FOUND")
    assert ok(other_workspace.api.get("/v1/production-orders"))["data"] == []


# Listing


def test_orders_are_listed_by_status_assignee_location_item_and_name(api):
    shop = workshop(api)
    taper(api)
    annex = location(api, "Annex")
    ann = user(api, "ann@example.com", "Ann")
    user(api, "bob@example.com", "Bob")
    order(api, [{"item": "CANDLE", "quantity": 5}], name="Candles for Ann", assignee=ann["id"])
    order(api, [{"item": "TAPER", "quantity": 5}], name="Tapers", assignee="bob@example.com", location="Annex",
          status="in_progress")
    order(api, [{"item": "CANDLE", "quantity": 1}, {"item": "TAPER", "quantity": 1}], name="Mixed CANDLES",
          status="done")

    def listed(**params) -> list[str]:
        return names(api.get("/v1/production-orders", params=params))

    assert listed() == ["Candles for Ann", "Tapers", "Mixed CANDLES"]
    assert listed(status="pending") == ["Candles for Ann"]
    assert listed(status="in_progress") == ["Tapers"]
    assert listed(status="done") == ["Mixed CANDLES"]
    assert listed(status="cancelled") == []
    assert listed(assignee=ann["id"]) == ["Candles for Ann"]
    assert listed(assignee="ann@example.com") == ["Candles for Ann"]
    assert listed(assignee="bob@example.com") == ["Tapers"]
    assert listed(location="Annex") == ["Tapers"]
    assert listed(location=annex["id"]) == ["Tapers"]
    assert listed(location=shop["location"]["id"]) == ["Candles for Ann", "Mixed CANDLES"]
    assert listed(location="Nowhere") == []
    assert listed(item="TAPER") == ["Tapers", "Mixed CANDLES"]
    assert listed(item=shop["CANDLE"]["id"]) == ["Candles for Ann", "Mixed CANDLES"]
    assert listed(item="WAX") == []
    assert listed(q="candle") == ["Candles for Ann", "Mixed CANDLES"]
    assert listed(q="FOR a") == ["Candles for Ann"]
    assert listed(q="%") == []
    assert listed(status="done", item="TAPER", q="mixed") == ["Mixed CANDLES"]
    assert error(api.get("/v1/production-orders", params={"status": "finished"})) == (422, "VALIDATION_ERROR")


def test_an_unknown_assignee_lists_no_orders_not_the_unassigned_ones(api):
    workshop(api)
    user(api, "ann@example.com", "Ann")
    order(api, name="Nobody's")
    order(api, name="Ann's", assignee="ann@example.com")
    for ref in ("nobody@example.com", "usr_01J00000000000000000000000"):
        assert names(api.get("/v1/production-orders", params={"assignee": ref})) == [], ref


def test_orders_are_sorted_by_position_by_default_or_by_creation_or_name(api):
    workshop(api)
    for name, position in (("Beta", 30), ("Gamma", 10), ("Alpha", 20)):
        order(api, name=name, position=position)
        time.sleep(0.003)  # distinct created_at

    def listed(sort: str | None = None) -> list[str]:
        return names(api.get("/v1/production-orders", params={"sort": sort} if sort else {}))

    assert listed() == ["Gamma", "Alpha", "Beta"]
    assert listed("position") == ["Gamma", "Alpha", "Beta"]
    assert listed("-position") == ["Beta", "Alpha", "Gamma"]
    assert listed("created_at") == ["Beta", "Gamma", "Alpha"]
    assert listed("-created_at") == ["Alpha", "Gamma", "Beta"]
    assert listed("name") == ["Alpha", "Beta", "Gamma"]
    assert listed("-name") == ["Gamma", "Beta", "Alpha"]
    assert error(api.get("/v1/production-orders", params={"sort": "due"})) == (422, "VALIDATION_ERROR")


def test_orders_are_paged_with_a_cursor_without_gaps_or_repeats(api):
    workshop(api)
    for _ in range(5):
        order(api)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = ok(api.get("/v1/production-orders", params=params))
        pages += 1
        assert len(page["data"]) <= 2
        assert page["meta"]["total"] == 5
        seen += [row["name"] for row in page["data"]]
        if not page["meta"]["has_more"]:
            assert page["meta"]["next_cursor"] is None
            break
        cursor = page["meta"]["next_cursor"]
    assert pages == 3
    assert seen == [f"MO-00000{n}" for n in range(1, 6)]


# Changing


def test_every_field_of_an_order_can_be_changed(api):
    shop = workshop(api)
    taper(api)
    annex = location(api, "Annex")
    ann = user(api, "ann@example.com", "Ann")
    made = order(api)

    r = patch(api, made["id"], {"name": "Rush job", "status": "in_progress", "location": "Annex",
                                "assignee": "ann@example.com", "due": "2026-12-24T18:00:00Z", "notes": "Gift",
                                "position": 99, "lines": [{"item": "TAPER", "quantity": "7.5"}]})
    changed = ok(r)

    assert changed == {
        **made, "name": "Rush job", "status": "in_progress", "location": annex["id"], "assignee": ann["id"],
        "assignee_email": "ann@example.com", "due": "2026-12-24T18:00:00.000Z", "notes": "Gift", "position": 99,
        # The new line is the workspace's second: the replaced one keeps number 1.
        "lines": [{"id": changed["lines"][0]["id"], "number": 2, "item": changed["lines"][0]["item"], "sku": "TAPER",
                   "name": "Taper", "unit": "pcs", "quantity": Decimal("7.5"), "produced_quantity": 0,
                   "completed": False, "batches": []}],
        "version": 2, "updated_at": changed["updated_at"],
    }
    assert changed["lines"][0]["id"] != made["lines"][0]["id"]
    assert r.headers["etag"] == '"2"'
    assert read(api, made["id"]) == changed
    assert shop["location"]["id"] != annex["id"]


def test_null_unsets_notes_due_and_assignee_and_a_null_location_is_the_default_one(api):
    shop = workshop(api)
    user(api, "ann@example.com", "Ann")
    location(api, "Annex")
    made = order(api, location="Annex", assignee="ann@example.com", due="2026-12-01T00:00:00Z", notes="x")

    changed = ok(patch(api, made["id"], {"notes": None, "due": None, "assignee": None, "location": None}))

    assert (changed["notes"], changed["due"], changed["assignee"], changed["assignee_email"]) == (
        None, None, None, None)
    assert changed["location"] == shop["location"]["id"]
    assert changed["version"] == 2
    assert read(api, made["id"]) == changed


@pytest.mark.parametrize("field", ["name", "status", "position"])
def test_name_status_and_position_cannot_be_unset(api, field):
    workshop(api)
    made = order(api)
    r = patch(api, made["id"], {field: None})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert field in r.json()["error"]["fields"]
    assert read(api, made["id"]) == made


def test_an_unknown_assignee_in_a_change_is_not_found_and_nothing_changes(api):
    workshop(api)
    made = order(api)
    assert error(patch(api, made["id"], {"assignee": "ghost@example.com", "notes": "x"})) == (404, "USER_NOT_FOUND")
    assert read(api, made["id"]) == made


def test_setting_done_completes_the_order_and_leaving_done_clears_completed_at(api):
    workshop(api)
    made = order(api)

    done = ok(patch(api, made["id"], {"status": "done"}))
    assert done["status"] == "done"
    assert done["completed_at"] is not None
    assert done["completed_at"] == done["updated_at"]

    reopened = ok(patch(api, made["id"], {"status": "in_progress"}))
    assert (reopened["status"], reopened["completed_at"]) == ("in_progress", None)

    cancelled = ok(patch(api, made["id"], {"status": "cancelled"}))
    assert (cancelled["status"], cancelled["completed_at"]) == ("cancelled", None)
    assert read(api, made["id"])["completed_at"] is None


def test_lines_are_replaced_and_a_line_named_by_its_id_keeps_its_id_and_production(api):
    workshop(api)
    taper(api)
    made = order(api, [{"item": "CANDLE", "quantity": 10}, {"item": "TAPER", "quantity": 5}])
    candles, tapers = made["lines"]
    first = batch(api, made, 2)

    changed = ok(patch(api, made["id"], {"lines": [{"item": "WICK", "quantity": 3},
                                                   {"id": candles["id"], "item": "CANDLE", "quantity": 12}]}))

    new, kept = changed["lines"]
    assert kept["id"] == candles["id"]
    assert (kept["quantity"], kept["produced_quantity"], kept["completed"]) == (12, 2, False)
    assert [b["id"] for b in kept["batches"]] == [first["id"]]
    assert new["id"] not in (candles["id"], tapers["id"])
    assert (new["sku"], new["quantity"], new["produced_quantity"]) == ("WICK", 3, 0)
    assert read(api, made["id"])["lines"] == changed["lines"]


def test_a_line_with_batches_cannot_be_dropped_nor_change_its_item(api, workspace):
    workshop(api)
    taper(api)
    made = order(api, [{"item": "CANDLE", "quantity": 10}, {"item": "TAPER", "quantity": 5}])
    candles, tapers = made["lines"]
    batch(api, made, 2)
    before = read(api, made["id"])

    dropped = patch(api, made["id"], {"lines": [{"id": tapers["id"], "item": "TAPER", "quantity": 5}]})
    assert error(dropped) == (409, "INVALID_STATE")
    other_item = patch(api, made["id"], {"lines": [{"id": candles["id"], "item": "TAPER", "quantity": 10},
                                                   {"id": tapers["id"], "item": "TAPER", "quantity": 5}]})
    assert error(other_item) == (409, "INVALID_STATE")

    assert read(api, made["id"]) == before
    assert_ledger_explains_everything(workspace)


def test_a_line_id_of_another_order_or_listed_twice_is_refused(api):
    workshop(api)
    made, other = order(api), order(api)
    for lines in ([{"id": other["lines"][0]["id"], "item": "CANDLE", "quantity": 1}],
                  [{"id": made["lines"][0]["id"], "item": "CANDLE", "quantity": 1},
                   {"id": made["lines"][0]["id"], "item": "CANDLE", "quantity": 2}]):
        assert error(patch(api, made["id"], {"lines": lines})) == (422, "VALIDATION_ERROR")
    assert read(api, made["id"]) == made


def test_a_change_with_a_stale_if_match_is_refused(api):
    workshop(api)
    made = order(api)
    ok(patch(api, made["id"], {"notes": "first"}))

    r = patch(api, made["id"], {"notes": "stale"}, headers={"If-Match": '"1"'})
    assert error(r) == (412, "PRECONDITION_FAILED")
    assert read(api, made["id"])["notes"] == "first"

    r = patch(api, made["id"], {"notes": "fresh"}, headers={"If-Match": '"2"'})
    assert ok(r)["notes"] == "fresh"
    assert r.headers["etag"] == '"3"'
    assert error(api.delete(f"/v1/production-orders/{made['id']}", headers={"If-Match": '"2"'})) == (
        412, "PRECONDITION_FAILED")
    assert read(api, made["id"])["version"] == 3


# Deleting orders


def test_a_deleted_order_and_its_batches_are_gone_but_the_stock_they_moved_stays(api, workspace):
    workshop(api)
    made = order(api)
    other = order(api)
    made_batch = batch(api, made, 20)

    assert api.delete(f"/v1/production-orders/{made['id']}").status_code == 204

    assert error(api.get(f"/v1/production-orders/{made['id']}")) == (404, "PRODUCTION_ORDER_NOT_FOUND")
    assert error(patch(api, made["id"], {"notes": "x"})) == (404, "PRODUCTION_ORDER_NOT_FOUND")
    assert error(api.delete(f"/v1/production-orders/{made['id']}")) == (404, "PRODUCTION_ORDER_NOT_FOUND")
    assert error(make(api, made, 1)) == (404, "PRODUCTION_ORDER_NOT_FOUND")
    assert [row["id"] for row in ok(api.get("/v1/production-orders"))["data"]] == [other["id"]]
    assert error(api.get(f"/v1/batches/{made_batch['id']}")) == (404, "BATCH_NOT_FOUND")
    assert error(reverse(api, made_batch["id"])) == (404, "BATCH_NOT_FOUND")
    assert (on_hand(api, "CANDLE"), on_hand(api, "WAX"), on_hand(api, "WICK")) == (20, 5, 20)
    assert len(batch_movements(api, made_batch["id"])) == 3
    assert_ledger_explains_everything(workspace)


# Batches: what they consume and make


def test_a_batch_consumes_each_component_exactly_in_its_own_unit_and_adds_the_costed_output(api, workspace):
    shop = workshop(api)
    made = order(api)
    assert ok(api.get("/v1/items/WICK"))["average_cost"] is None

    r = make(api, made, 20, note="Morning run")
    made_batch = created(r)

    where = shop["location"]["id"]
    reference = {"type": "production_order", "id": made["id"]}
    assert made_batch["id"].startswith("bat_")
    assert made_batch == {
        "id": made_batch["id"], "number": 1, "order": made["id"], "line": made["lines"][0]["id"],
        "item": shop["CANDLE"]["id"],
        "location": where, "quantity": 20, "unit_cost": "5.15", "total_cost": "103.00",
        "created_at": made_batch["created_at"], "reversed_at": None, "movements": made_batch["movements"],
    }
    moves = made_batch["movements"]
    # 20 candles x 250 g = exactly 5 kg of wax; labour is costed but never moves.
    assert [(m["sku"], m["reason"], m["delta"], m["before"], m["after"], m["unit_cost"]) for m in moves] == [
        ("WAX", "production_consumption", -5, 10, 5, None),
        ("WICK", "production_consumption", -20, 40, 20, None),
        ("CANDLE", "production_output", 20, 0, 20, "5.15"),
    ]
    for m in moves:
        assert (m["location"], m["reference"], m["batch"], m["note"]) == (where, reference, made_batch["id"],
                                                                        "Morning run")
    assert [m["id"] for m in batch_movements(api, made_batch["id"])] == [m["id"] for m in moves]
    assert ok(api.get(f"/v1/batches/{made_batch['id']}")) == made_batch
    assert ok(api.get("/v1/items/LABOUR"))["on_hand"] == 0
    assert ok(api.get("/v1/stock/movements", params={"item": "LABOUR"}))["data"] == []
    assert (on_hand(api, "WAX"), on_hand(api, "WICK"), on_hand(api, "CANDLE")) == (5, 20, 20)
    candle = ok(api.get("/v1/items/CANDLE"))
    assert candle["average_cost"] == "5.15"
    line = read(api, made["id"])["lines"][0]
    assert (line["produced_quantity"], line["completed"]) == (20, True)
    assert line["batches"] == [{"id": made_batch["id"], "number": 1, "quantity": 20, "unit_cost": "5.15",
                                "created_at": made_batch["created_at"]}]
    assert_ledger_explains_everything(workspace)


def test_fractional_batches_consume_exact_decimal_amounts(api, workspace):
    workshop(api, wax_kg="1", wicks="10")
    made = order(api)
    for _ in range(10):
        batch(api, made, "0.1")
    assert (on_hand(api, "WAX"), on_hand(api, "WICK"), on_hand(api, "CANDLE")) == (Decimal("0.75"), 9, 1)
    assert read(api, made["id"])["lines"][0]["produced_quantity"] == 1
    assert_ledger_explains_everything(workspace)


def test_the_output_average_cost_moves_with_each_costed_batch(api):
    workshop(api)
    adjust(api, "CANDLE", "receipt", 10, unit_cost="4.00")
    made = order(api)

    assert batch(api, made, 20)["unit_cost"] == "5.15"

    # (10 x 4.00 + 20 x 5.15) / 30 = 4.7666… → 4.7667
    assert ok(api.get("/v1/items/CANDLE"))["average_cost"] == "4.7667"


def test_a_component_without_any_cost_leaves_the_output_uncosted_and_its_average_unchanged(api, workspace):
    workshop(api)
    item(api, "DYE", name="Dye", unit="ml", kind="material")
    adjust(api, "DYE", "correction", 100)
    bill_of(api, "CANDLE", [{"item": "WAX", "quantity": 250, "unit": "g"}, {"item": "WICK", "quantity": 1},
                            {"item": "DYE", "quantity": 2}])
    adjust(api, "CANDLE", "receipt", 10, unit_cost="4.00")
    made = order(api)

    made_batch = batch(api, made, 10)

    assert (made_batch["unit_cost"], made_batch["total_cost"]) == (None, None)
    output = [m for m in made_batch["movements"] if m["reason"] == "production_output"]
    assert [(m["delta"], m["unit_cost"]) for m in output] == [(10, None)]
    assert ok(api.get("/v1/items/CANDLE"))["average_cost"] == "4.00"
    assert on_hand(api, "DYE") == 80
    assert read(api, made["id"])["lines"][0]["batches"][0]["unit_cost"] is None
    assert_ledger_explains_everything(workspace)


def test_a_batch_is_made_at_the_orders_location(api, workspace):
    shop = workshop(api)
    annex = location(api, "Annex")
    adjust(api, "WAX", "receipt", 2, "Annex", unit_cost="12.00")
    adjust(api, "WICK", "correction", 8, "Annex")
    made = order(api, location="Annex")

    made_batch = batch(api, made, 8)

    assert made_batch["location"] == annex["id"]
    assert {m["location"] for m in made_batch["movements"]} == {annex["id"]}
    stock = levels(api)
    assert ("WAX", annex["id"]) not in stock
    assert ("WICK", annex["id"]) not in stock
    assert stock[("CANDLE", annex["id"])] == (8, 0, 8)
    assert stock[("WAX", shop["location"]["id"])] == (10, 0, 10)
    assert stock[("WICK", shop["location"]["id"])] == (40, 0, 40)
    assert_ledger_explains_everything(workspace)


# Batches: what is refused


def test_a_shortage_lists_every_short_component_and_applies_nothing(api, workspace):
    shop = workshop(api, wax_kg="1", wicks="2")
    made = order(api)
    before = levels(api)

    r = make(api, made, 20)

    assert error(r) == (422, "INSUFFICIENT_STOCK")
    where = shop["location"]["id"]
    assert body(r)["error"]["shortages"] == [
        {"item": shop["WAX"]["id"], "sku": "WAX", "location": where, "needed": 5, "available": 1},
        {"item": shop["WICK"]["id"], "sku": "WICK", "location": where, "needed": 20, "available": 2},
    ]
    assert levels(api) == before
    after = read(api, made["id"])
    assert (after["status"], after["version"], after["lines"]) == ("pending", 1, made["lines"])
    assert ok(api.get("/v1/stock/movements", params={"reference_id": made["id"]}))["data"] == []
    assert ok(api.get("/v1/items/CANDLE"))["average_cost"] is None
    assert_ledger_explains_everything(workspace)


def test_only_one_short_component_is_listed_when_the_others_suffice(api):
    shop = workshop(api, wax_kg="10", wicks="3")
    made = order(api)
    r = make(api, made, 4)
    assert error(r) == (422, "INSUFFICIENT_STOCK")
    assert body(r)["error"]["shortages"] == [
        {"item": shop["WICK"]["id"], "sku": "WICK", "location": shop["location"]["id"], "needed": 4, "available": 3}]


def test_reserved_component_stock_is_not_consumed(api, workspace):
    shop = workshop(api)
    created(api.post("/v1/reservations", json={"item": "WAX", "location": "Main", "quantity": 8}))
    made = order(api)

    r = make(api, made, 20)
    assert error(r) == (422, "INSUFFICIENT_STOCK")
    assert body(r)["error"]["shortages"] == [
        {"item": shop["WAX"]["id"], "sku": "WAX", "location": shop["location"]["id"], "needed": 5, "available": 2}]

    batch(api, made, 8)  # exactly the 2 kg still available
    wax = ok(api.get("/v1/items/WAX"))
    assert (wax["on_hand"], wax["reserved"], wax["available"]) == (8, 8, 0)
    assert error(make(api, made, "0.004")) == (422, "INSUFFICIENT_STOCK")
    assert_ledger_explains_everything(workspace)


def test_a_cancelled_order_makes_nothing(api):
    workshop(api)
    made = order(api, status="cancelled")
    before = levels(api)
    assert error(make(api, made, 1)) == (409, "INVALID_STATE")
    other = order(api)
    ok(patch(api, other["id"], {"status": "cancelled"}))
    assert error(make(api, other, 1)) == (409, "INVALID_STATE")
    assert levels(api) == before
    assert read(api, made["id"])["lines"][0]["produced_quantity"] == 0


def test_an_item_without_a_bill_of_materials_cannot_be_made(api):
    workshop(api)
    item(api, "PLAIN", name="Plain")
    made = order(api, [{"item": "PLAIN", "quantity": 1}])
    assert error(make(api, made, 1)) == (409, "INVALID_STATE")
    assert on_hand(api, "PLAIN") == 0
    assert read(api, made["id"])["status"] == "pending"


def test_an_unknown_line_is_not_found(api):
    workshop(api)
    made, other = order(api), order(api)
    for line_id in ("prl_01J00000000000000000000000", other["lines"][0]["id"]):
        r = api.post(f"/v1/production-orders/{made['id']}/lines/{line_id}/batches", json={"quantity": 1})
        assert error(r) == (404, "PRODUCTION_ORDER_LINE_NOT_FOUND")
    r = api.post(f"/v1/production-orders/prd_01J00000000000000000000000/lines/{made['lines'][0]['id']}/batches",
                 json={"quantity": 1})
    assert error(r) == (404, "PRODUCTION_ORDER_NOT_FOUND")
    assert on_hand(api, "CANDLE") == 0


def test_a_batch_quantity_must_be_positive(api):
    workshop(api)
    made = order(api)
    for quantity in (0, -1, "abc", "0.0000001"):
        assert error(make(api, made, quantity)) == (422, "VALIDATION_ERROR"), quantity
    assert on_hand(api, "CANDLE") == 0


def test_nothing_is_made_at_an_inactive_location(api):
    workshop(api)
    annex = location(api, "Annex")
    adjust(api, "WAX", "receipt", 1, "Annex", unit_cost="12.00")
    adjust(api, "WICK", "correction", 4, "Annex")
    made = order(api, location="Annex")
    r = api.patch(f"/v1/locations/{annex['id']}", json={"is_active": False})
    assert r.status_code == 200, r.text
    before = levels(api)
    assert error(make(api, made, 1)) == (409, "INVALID_STATE")
    assert levels(api) == before
    assert read(api, made["id"])["status"] == "pending"


# Batches drive the order's status


def test_batches_move_an_order_from_pending_to_in_progress_to_done_line_by_line(api, workspace):
    workshop(api)
    taper(api)
    made = order(api, [{"item": "CANDLE", "quantity": 10}, {"item": "TAPER", "quantity": 4}])

    batch(api, made, 6)
    after = read(api, made["id"])
    assert (after["status"], after["completed_at"]) == ("in_progress", None)

    batch(api, made, 4)  # the candle line is complete, the taper line is not
    after = read(api, made["id"])
    assert (after["status"], [line["completed"] for line in after["lines"]]) == ("in_progress", [True, False])

    batch(api, made, 4, line=1)
    after = read(api, made["id"])
    assert after["status"] == "done"
    assert after["completed_at"] is not None
    assert [line["produced_quantity"] for line in after["lines"]] == [10, 4]

    batch(api, made, 1, line=1)  # more is still allowed; done stays done
    again = read(api, made["id"])
    assert (again["status"], again["completed_at"], again["lines"][1]["produced_quantity"]) == (
        "done", after["completed_at"], 5)
    assert_ledger_explains_everything(workspace)


# Reversing batches


def test_reversing_a_batch_puts_every_level_back_exactly_and_reopens_a_done_order(api, workspace):
    shop = workshop(api)
    taper(api)
    made = order(api, [{"item": "CANDLE", "quantity": 10}, {"item": "TAPER", "quantity": 4}])
    batch(api, made, 10)
    before = levels(api)
    last = batch(api, made, "4", line=1)
    assert read(api, made["id"])["status"] == "done"

    r = reverse(api, last["id"])
    assert r.status_code == 204, r.text

    assert levels(api) == before
    assert before[("WAX", shop["location"]["id"])] == (Decimal("7.5"), 0, Decimal("7.5"))
    moves = batch_movements(api, last["id"])
    made_moves, reversals = moves[:3], moves[3:]
    assert [m["reason"] for m in reversals] == ["production_reversal"] * 3
    assert sorted((m["sku"], m["delta"]) for m in reversals) == sorted((m["sku"], -m["delta"]) for m in made_moves)
    assert sorted((m["sku"], m["delta"]) for m in reversals) == [("TAPER", -4), ("WAX", Decimal("0.4")),
                                                                  ("WICK", 4)]
    assert reversals[0]["sku"] == "TAPER"  # the output goes out first
    for m in reversals:
        assert (m["batch"], m["reference"]) == (last["id"], {"type": "production_order", "id": made["id"]})
    after = read(api, made["id"])
    assert (after["status"], after["completed_at"]) == ("in_progress", None)
    assert (after["lines"][1]["produced_quantity"], after["lines"][1]["completed"]) == (0, False)
    assert after["lines"][1]["batches"] == []
    assert after["lines"][0]["produced_quantity"] == 10

    shown = ok(api.get(f"/v1/batches/{last['id']}"))
    assert shown["reversed_at"] is not None
    assert [m["id"] for m in shown["movements"]] == [m["id"] for m in moves]
    assert {k: v for k, v in shown.items() if k not in ("reversed_at", "movements")} == {
        k: v for k, v in last.items() if k not in ("reversed_at", "movements")}

    assert error(reverse(api, last["id"])) == (404, "BATCH_NOT_FOUND")
    assert levels(api) == before
    assert_ledger_explains_everything(workspace)


def test_a_reversal_puts_the_stock_back_where_the_batch_took_it_after_the_order_moved(api, workspace):
    shop = workshop(api)
    location(api, "Annex")
    made = order(api)
    made_batch = batch(api, made, 4)
    ok(patch(api, made["id"], {"location": "Annex"}))

    assert reverse(api, made_batch["id"]).status_code == 204

    assert {m["location"] for m in batch_movements(api, made_batch["id"])} == {shop["location"]["id"]}
    assert levels(api) == {("WAX", shop["location"]["id"]): (10, 0, 10), ("WICK", shop["location"]["id"]): (40, 0, 40)}
    assert_ledger_explains_everything(workspace)


def test_an_unknown_batch_is_not_found(api):
    assert error(api.get("/v1/batches/bat_01J00000000000000000000000")) == (404, "BATCH_NOT_FOUND")
    assert error(reverse(api, "bat_01J00000000000000000000000")) == (404, "BATCH_NOT_FOUND")


def test_a_batch_whose_output_was_sold_meanwhile_cannot_be_reversed(api, workspace):
    shop = workshop(api)
    made = order(api)
    made_batch = batch(api, made, 20)
    adjust(api, "CANDLE", "sale", -15)
    before = levels(api)

    r = reverse(api, made_batch["id"])

    assert error(r) == (422, "INSUFFICIENT_STOCK")
    assert body(r)["error"]["shortages"] == [{"item": shop["CANDLE"]["id"], "sku": "CANDLE",
                                              "location": shop["location"]["id"], "needed": 20, "available": 5}]
    assert levels(api) == before
    assert ok(api.get(f"/v1/batches/{made_batch['id']}"))["reversed_at"] is None
    assert len(batch_movements(api, made_batch["id"])) == 3
    after = read(api, made["id"])
    assert (after["status"], after["lines"][0]["produced_quantity"]) == ("done", 20)
    assert_ledger_explains_everything(workspace)


def test_a_batch_whose_output_is_reserved_cannot_be_reversed(api):
    workshop(api)
    made = order(api)
    made_batch = batch(api, made, 20)
    created(api.post("/v1/reservations", json={"item": "CANDLE", "location": "Main", "quantity": 1}))
    assert error(reverse(api, made_batch["id"])) == (422, "INSUFFICIENT_STOCK")
    assert on_hand(api, "CANDLE") == 20


def test_reversing_a_costed_batch_leaves_the_output_average_cost(api):
    workshop(api)
    made = order(api)
    made_batch = batch(api, made, 20)
    assert reverse(api, made_batch["id"]).status_code == 204
    candle = ok(api.get("/v1/items/CANDLE"))
    assert (candle["on_hand"], candle["average_cost"]) == (0, "5.15")


# Scopes


def test_a_read_only_production_key_reads_but_cannot_write(api, workspace):
    workshop(api)
    made = order(api)
    made_batch = batch(api, made, 2)
    reader = workspace.key_with("production:read")

    assert ok(reader.get("/v1/production-orders"))["meta"]["total"] == 1
    assert ok(reader.get(f"/v1/production-orders/{made['id']}"))["id"] == made["id"]
    assert ok(reader.get(f"/v1/batches/{made_batch['id']}"))["id"] == made_batch["id"]
    line_id = made["lines"][0]["id"]
    for r in (reader.post("/v1/production-orders", json={"lines": [{"item": "CANDLE", "quantity": 1}]}),
              reader.patch(f"/v1/production-orders/{made['id']}", json={"notes": "x"}),
              reader.delete(f"/v1/production-orders/{made['id']}"),
              reader.post(f"/v1/production-orders/{made['id']}/lines/{line_id}/batches", json={"quantity": 1}),
              reader.delete(f"/v1/batches/{made_batch['id']}")):
        assert error(r) == (403, "INSUFFICIENT_SCOPE")
    assert ok(api.get("/v1/production-orders"))["meta"]["total"] == 1
    after = read(api, made["id"])
    assert (after["notes"], after["lines"][0]["produced_quantity"]) == (None, 2)
    assert on_hand(api, "CANDLE") == 2


def test_a_key_without_production_scopes_cannot_read_orders_and_a_writer_can_write(api, workspace):
    workshop(api)
    made = order(api)
    stranger = workspace.key_with("items:read", "stock:write")
    assert error(stranger.get("/v1/production-orders")) == (403, "INSUFFICIENT_SCOPE")
    assert error(stranger.get(f"/v1/production-orders/{made['id']}")) == (403, "INSUFFICIENT_SCOPE")
    writer = workspace.key_with("production:write")
    assert created(make(writer, made, 1))["quantity"] == 1
    assert ok(writer.get(f"/v1/production-orders/{made['id']}"))["status"] == "in_progress"


# Any sequence of batches and reversals


_examples = itertools.count()
_steps = st.lists(
    st.one_of(
        st.tuples(st.just("make"), st.decimals(min_value=Decimal("0.01"), max_value=Decimal("15"), places=2)),
        st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=7)),
    ),
    min_size=1, max_size=6,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_steps)
def test_any_sequence_of_batches_and_reversals_leaves_components_at_initial_minus_live_batches(workspace, steps):
    """Wax starts at 10 kg and wicks at 30; a candle needs 250 g and one wick. Whatever batches are
    made, refused for a shortage or reversed (some twice), each component's on_hand is exactly its
    initial quantity minus what the batches still standing used, and the ledger explains it all."""
    api = workspace.api
    n = next(_examples)
    wax, wick, candle, place = f"WAX-{n}", f"WICK-{n}", f"CANDLE-{n}", f"Shop {n}"
    location(api, place)
    item(api, wax, unit="kg", unit_cost="10.00")
    item(api, wick, unit_cost="0.20")
    item(api, candle)
    bill_of(api, candle, [{"item": wax, "quantity": 250, "unit": "g"}, {"item": wick, "quantity": 1}])
    adjust(api, wax, "receipt", 10, place)
    adjust(api, wick, "receipt", 30, place)
    made = order(api, [{"item": candle, "quantity": 20}], location=place)

    made_batches: list[tuple[str, Decimal]] = []
    live: set[str] = set()
    status = "pending"

    def used(per_unit: Decimal) -> Decimal:
        return sum((q * per_unit for b, q in made_batches if b in live), Decimal(0))

    for action, value in steps:
        if action == "make":
            quantity = value
            fits = quantity * Decimal("0.25") <= 10 - used(Decimal("0.25")) and quantity <= 30 - used(Decimal(1))
            r = make(api, made, quantity)
            if fits:
                made_batch = created(r)
                made_batches.append((made_batch["id"], quantity))
                live.add(made_batch["id"])
                produced = used(Decimal(1))
                status = "done" if produced >= 20 else ("in_progress" if status == "pending" else status)
            else:
                assert error(r) == (422, "INSUFFICIENT_STOCK")
        elif made_batches:
            batch_id, _quantity = made_batches[value % len(made_batches)]
            r = reverse(api, batch_id)
            if batch_id in live:
                assert r.status_code == 204, r.text
                live.discard(batch_id)
                if status == "done" and used(Decimal(1)) < 20:
                    status = "in_progress"
            else:
                assert error(r) == (404, "BATCH_NOT_FOUND")

    assert on_hand(api, wax) == 10 - used(Decimal("0.25"))
    assert on_hand(api, wick) == 30 - used(Decimal(1))
    assert on_hand(api, candle) == used(Decimal(1))
    after = read(api, made["id"])
    assert after["status"] == status
    assert after["lines"][0]["produced_quantity"] == used(Decimal(1))
    assert sorted(b["id"] for b in after["lines"][0]["batches"]) == sorted(live)
    assert_ledger_explains_everything(workspace)
