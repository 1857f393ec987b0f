"""Purchase orders end to end (SPEC §3 "Purchase orders"): numbering, drafts and their lines, placing
an order (its open lines count as `incoming`), receipts in one or several deliveries (a `receipt`
movement per line at the line's unit cost, the moving average following), over-receipts refused
whole, cancelling before anything arrived, If-Match, scopes and validation. Every scenario ends
with the ledger explaining the stock and each item's `incoming` (storekeeper check)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from storekeeper.services.check import check
from tests.concurrency import at_once, body
from tests.factories import error, item, location
from tests.sql_counting import statements

MISSING_ORDER = "po_01J0000000000000000000000A"
PO = "/v1/purchase-orders"


# Helpers


def ok(r, status: int = 200) -> dict:
    assert r.status_code == status, r.text
    return body(r)


def line(sku: str, quantity, **fields) -> dict:
    return {"item": sku, "quantity": quantity, **fields}


def create(api, *lines: dict, **fields):
    return api.post(PO, json={"lines": list(lines), **fields})


def draft(api, *lines: dict, **fields) -> dict:
    return ok(create(api, *lines, **fields), 201)


def place(api, ref: str, **kwargs):
    return api.post(f"{PO}/{ref}/order", **kwargs)


def placed(api, *lines: dict, **fields) -> dict:
    order = draft(api, *lines, **fields)
    return ok(place(api, order["id"]))


def receive(api, ref: str, *lines: tuple[str, object], **fields):
    """POST …/receive: (line id, quantity) pairs, or no `lines` at all (everything still open)."""
    payload = dict(fields)
    if lines:
        payload["lines"] = [{"line": line_id, "quantity": quantity} for line_id, quantity in lines]
    return api.post(f"{PO}/{ref}/receive", json=payload)


def received(api, ref: str, *lines: tuple[str, object], **fields) -> dict:
    return ok(receive(api, ref, *lines, **fields))


def cancel(api, ref: str, **kwargs):
    return api.post(f"{PO}/{ref}/cancel", **kwargs)


def get(api, ref: str) -> dict:
    return ok(api.get(f"{PO}/{ref}"))


def listed(api, **params) -> list[str]:
    """Numbers of the listed orders, in order."""
    return [o["number"] for o in ok(api.get(PO, params={"limit": 100, **params}))["data"]]


def an_item(api, sku: str) -> dict:
    return ok(api.get(f"/v1/items/{sku}"))


def stock(api, sku: str) -> dict:
    return ok(api.get(f"/v1/stock/{sku}"))


def on_hand_at(api, sku: str) -> dict[str, Decimal]:
    return {level["name"]: level["on_hand"] for level in stock(api, sku)["locations"]}


def incoming(api, sku: str) -> Decimal:
    """`incoming` as the item, its stock row and the /v1/stock list all show it (they must agree)."""
    from_item = an_item(api, sku)["incoming"]
    from_stock = stock(api, sku)["incoming"]
    rows = ok(api.get("/v1/stock", params={"sku": sku}))["data"]
    assert [r["sku"] for r in rows] == [sku]
    assert from_item == from_stock == rows[0]["incoming"], (from_item, from_stock, rows[0]["incoming"])
    return from_item


def parent_incoming(api, sku: str) -> Decimal:
    """A variant parent's `incoming` (the item and its stock row; the /v1/stock list shows its variants)."""
    from_item = an_item(api, sku)["incoming"]
    assert stock(api, sku)["incoming"] == from_item
    return from_item


def movement_total(api) -> int:
    return ok(api.get("/v1/stock/movements"))["meta"]["total"]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def consistent(workspace) -> bool:
    return check(workspace.db, workspace.id)[1] == []


def etag(r) -> str:
    return r.headers["ETag"].strip('"').removeprefix("W/").strip('"')


# Numbering


def test_generated_numbers_count_up_from_po_000001_in_each_workspace(api, workspace, other_workspace):
    location(api, "Main", is_default=True)
    location(other_workspace.api, "Main")
    assert [draft(api)["number"] for _ in range(3)] == ["PO-000001", "PO-000002", "PO-000003"]
    assert draft(other_workspace.api)["number"] == "PO-000001"
    assert consistent(workspace)


def test_a_given_number_is_kept_and_a_number_already_taken_is_a_duplicate(api, workspace):
    location(api, "Main", is_default=True)
    assert draft(api, number="ACME-17")["number"] == "ACME-17"
    assert error(create(api, number="ACME-17")) == (409, "DUPLICATE_NAME")
    other = draft(api)
    assert error(api.patch(f"{PO}/{other['id']}", json={"number": "ACME-17"})) == (409, "DUPLICATE_NAME")
    assert get(api, other["id"])["number"] == "PO-000001"
    assert ok(api.get(PO))["meta"]["total"] == 2
    assert consistent(workspace)


def test_generated_numbers_skip_a_number_taken_by_hand(api, workspace):
    location(api, "Main", is_default=True)
    draft(api, number="PO-000002")
    assert [draft(api)["number"] for _ in range(2)] == ["PO-000001", "PO-000003"]
    assert consistent(workspace)


# Creating and reading


def test_a_new_order_is_a_draft_with_its_lines_costed_and_its_total(api, workspace):
    location(api, "Main", is_default=True)
    bolt = item(api, "BOLT", unit_cost="2.50")
    item(api, "WIRE", unit="m")
    r = create(api, line("BOLT", 4), line("WIRE", "2.5", unit_cost="1.25"),
               supplier="Acme", notes="Call first", expected_at="2030-04-01T10:00:00Z")
    order = ok(r, 201)
    assert etag(r) == "1"
    assert order["number"] == "PO-000001"
    assert (order["status"], order["supplier"], order["notes"], order["location"]) == \
        ("draft", "Acme", "Call first", None)  # each line to its item's home, else the default: Main
    assert at(order["expected_at"]) == at("2030-04-01T10:00:00Z")
    assert (order["ordered_at"], order["received_at"], order["cancelled_at"]) == (None, None, None)
    assert order["version"] == 1
    assert [(ln["item"], ln["sku"], ln["name"], ln["unit"], ln["quantity"], ln["received_quantity"], ln["remaining"],
             ln["unit_cost"]) for ln in order["lines"]] == [
        (bolt["id"], "BOLT", "Item BOLT", "pcs", 4, 0, 4, "2.50"),
        (an_item(api, "WIRE")["id"], "WIRE", "Item WIRE", "m", Decimal("2.5"), 0, Decimal("2.5"), "1.25"),
    ]
    assert order["total_cost"] == "13.125"  # 4 x 2.50 + 2.5 x 1.25
    assert get(api, order["id"]) == order
    assert get(api, "PO-000001") == order
    assert etag(api.get(f"{PO}/PO-000001")) == "1"
    assert an_item(api, "BOLT")["incoming"] == 0  # a draft is not on its way
    assert consistent(workspace)


def test_an_order_is_delivered_to_the_location_it_names_or_else_names_none(api, workspace):
    location(api, "Main", is_default=True)
    annex = location(api, "Annex")
    assert draft(api)["location"] is None  # received at each item's home, else the default location
    assert draft(api, location="Annex")["location"] == annex["id"]
    assert draft(api, location=annex["id"])["location"] == annex["id"]
    assert consistent(workspace)


def test_a_line_must_be_a_known_item_that_holds_stock_of_its_own(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "KIT", tracking="bundle")
    item(api, "SERVICE", tracking="none")
    ok(api.post("/v1/items", json={"sku": "TEE", "name": "Tee", "variants": [
        {"sku": "TEE-S", "attributes": {"size": "S"}}]}), 201)
    for sku in ("KIT", "SERVICE", "TEE"):
        assert error(create(api, line(sku, 1))) == (422, "NOT_STOCKABLE"), sku
    assert error(create(api, line("NOPE", 1))) == (404, "ITEM_NOT_FOUND")
    assert error(create(api, location="Nowhere")) == (404, "LOCATION_NOT_FOUND")
    assert ok(api.get(PO))["meta"]["total"] == 0
    assert draft(api, line("TEE-S", 1))["lines"][0]["sku"] == "TEE-S"  # a variant holds stock
    assert consistent(workspace)


def test_an_unknown_order_is_not_found(api, workspace, other_workspace):
    location(api, "Main", is_default=True)
    location(other_workspace.api, "Main")
    theirs = draft(other_workspace.api)
    for ref in (MISSING_ORDER, "PO-999999", theirs["id"], theirs["number"]):
        for r in (api.get(f"{PO}/{ref}"), api.patch(f"{PO}/{ref}", json={}), place(api, ref), receive(api, ref),
                  cancel(api, ref)):
            assert error(r) == (404, "PURCHASE_ORDER_NOT_FOUND"), ref
    assert listed(api) == []
    assert get(other_workspace.api, theirs["id"]) == theirs
    assert consistent(workspace)


@pytest.mark.parametrize("payload, code", [
    ({"lines": [line("BOLT", 0)]}, "VALIDATION_ERROR"),
    ({"lines": [line("BOLT", -1)]}, "VALIDATION_ERROR"),
    ({"lines": [line("BOLT", "-0.5")]}, "VALIDATION_ERROR"),
    ({"lines": [line("BOLT", "1.0000001")]}, "VALIDATION_ERROR"),
    ({"lines": [line("BOLT", 1, unit_cost="-1")]}, "VALIDATION_ERROR"),
    ({"lines": [line("BOLT", 1, colour="red")]}, "VALIDATION_ERROR"),
    ({"lines": [line("BOLT", 1)], "priority": "high"}, "VALIDATION_ERROR"),
    ({"lines": [{"quantity": 1}]}, "VALIDATION_ERROR"),
    ({"expected_at": 2030}, "VALIDATION_ERROR"),
    ({"status": "ordered"}, "READONLY_FIELD"),
    ({"total_cost": "10.00"}, "READONLY_FIELD"),
    ({"received_at": "2030-01-01T00:00:00Z"}, "READONLY_FIELD"),
    ({"lines": [line("BOLT", 1, received_quantity=1)]}, "READONLY_FIELD"),
], ids=["quantity-0", "quantity-negative", "quantity-negative-fraction", "quantity-7-places", "negative-cost",
        "unknown-line-field", "unknown-field", "line-without-item", "expected-at-number", "status", "total-cost",
        "received-at", "received-quantity"])
def test_an_invalid_order_is_refused_and_nothing_is_created(api, workspace, payload, code):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    assert error(api.post(PO, json=payload)) == (422, code)
    assert ok(api.get(PO))["meta"]["total"] == 0
    assert consistent(workspace)


def test_a_line_may_have_six_decimal_places(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "FLOUR", unit="kg")
    order = draft(api, line("FLOUR", "0.000001"), line("FLOUR", "1234.567891", unit_cost="0.000001"))
    assert [ln["quantity"] for ln in order["lines"]] == [Decimal("0.000001"), Decimal("1234.567891")]
    assert order["total_cost"] == "0.001235"  # 1234.567891 x 0.000001, to 6 places
    assert consistent(workspace)


# Listing


def test_orders_are_listed_newest_first_and_filtered_by_status_supplier_location_item_and_text(api, workspace):
    location(api, "Main", is_default=True)
    location(api, "Annex")
    item(api, "BOLT")
    item(api, "NUT")
    draft(api, line("BOLT", 1), supplier="Acme Tools")                  # PO-000001 draft
    placed(api, line("NUT", 1), supplier="Bolt & Co", location="Annex")  # PO-000002 ordered
    placed(api, line("BOLT", 1), line("NUT", 2), supplier="Acme", location="Main")  # PO-000003 ordered
    cancelled = draft(api, line("NUT", 1), number="SPECIAL-9")           # cancelled, no supplier
    ok(cancel(api, cancelled["id"]))

    assert listed(api) == ["SPECIAL-9", "PO-000003", "PO-000002", "PO-000001"]
    assert listed(api, status="ordered") == ["PO-000003", "PO-000002"]
    assert listed(api, status="draft") == ["PO-000001"]
    assert listed(api, status="cancelled") == ["SPECIAL-9"]
    assert listed(api, status="received") == []
    assert listed(api, supplier="Acme") == ["PO-000003"]  # exact, not a part
    assert listed(api, supplier="Acme Tools") == ["PO-000001"]
    assert listed(api, location="Annex") == ["PO-000002"]
    assert listed(api, location=an_item(api, "BOLT")["id"]) == []
    assert listed(api, location="Main") == ["PO-000003"]  # the others name no location
    assert listed(api, location="Nowhere") == []
    assert listed(api, item="BOLT") == ["PO-000003", "PO-000001"]
    assert listed(api, item=an_item(api, "NUT")["id"]) == ["SPECIAL-9", "PO-000003", "PO-000002"]
    assert listed(api, item="NOPE") == []
    assert listed(api, q="acme") == ["PO-000003", "PO-000001"]       # supplier, any case
    assert listed(api, q="special") == ["SPECIAL-9"]                 # number, any case
    assert listed(api, q="000002") == ["PO-000002"]
    assert listed(api, q="bolt") == ["PO-000002"]                    # supplier, not the items
    assert listed(api, q="%") == []
    assert listed(api, status="ordered", item="BOLT") == ["PO-000003"]
    assert ok(api.get(PO, params={"status": "ordered"}))["meta"]["total"] == 2
    rows = ok(api.get(PO, params={"item": "BOLT"}))["data"]
    assert [[ln["sku"] for ln in row["lines"]] for row in rows] == [["BOLT", "NUT"], ["BOLT"]]
    assert error(api.get(PO, params={"status": "lost"}))[0] == 422
    assert error(api.get(PO, params={"sort": "supplier"}))[0] == 422
    assert consistent(workspace)


def test_orders_sort_by_number_or_creation_either_way(api, workspace):
    location(api, "Main", is_default=True)
    for number in ("B-2", "A-9", "C-1"):
        draft(api, number=number)
    assert listed(api, sort="number") == ["A-9", "B-2", "C-1"]
    assert listed(api, sort="-number") == ["C-1", "B-2", "A-9"]
    assert listed(api, sort="created_at") == ["B-2", "A-9", "C-1"]
    assert listed(api, sort="-created_at") == ["C-1", "A-9", "B-2"]
    assert listed(api) == ["C-1", "A-9", "B-2"]
    assert consistent(workspace)


@pytest.mark.parametrize("sort", ["number", "-number", "created_at", "-created_at"])
def test_a_cursor_pages_through_every_order_once(api, workspace, sort):
    location(api, "Main", is_default=True)
    for _ in range(7):
        draft(api)
    everything = listed(api, sort=sort)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, "sort": sort, **({"cursor": cursor} if cursor else {})}
        result = ok(api.get(PO, params=params))
        seen += [o["number"] for o in result["data"]]
        pages += 1
        assert result["meta"]["total"] == 7
        if not result["meta"]["has_more"]:
            assert result["meta"]["next_cursor"] is None
            break
        cursor = result["meta"]["next_cursor"]
    assert pages == 3
    assert seen == everything
    assert sorted(seen) == [f"PO-{n:06d}" for n in range(1, 8)]
    assert consistent(workspace)


# Changing an order


def test_a_draft_changes_anything_and_its_replaced_lines_keep_the_ids_they_name(api, workspace):
    location(api, "Main", is_default=True)
    annex = location(api, "Annex")
    item(api, "BOLT", unit_cost="1.00")
    item(api, "NUT", unit_cost="0.10")
    item(api, "WASHER", unit_cost="0.05")
    order = draft(api, line("BOLT", 10), line("NUT", 20), supplier="Acme")
    bolt_line, nut_line = order["lines"]
    r = api.patch(f"{PO}/{order['id']}", json={
        "number": "ACME-1", "supplier": "Acme Ltd", "location": "Annex", "notes": "Dock 2",
        "expected_at": "2030-05-01T08:00:00Z",
        "lines": [{"id": nut_line["id"], "item": "NUT", "quantity": 25, "unit_cost": "0.08"}, line("WASHER", 100)],
    })
    changed = ok(r)
    assert etag(r) == "2"
    assert (changed["number"], changed["supplier"], changed["location"], changed["notes"], changed["version"]) == \
        ("ACME-1", "Acme Ltd", annex["id"], "Dock 2", 2)
    assert at(changed["expected_at"]) == at("2030-05-01T08:00:00Z")
    assert [(ln["sku"], ln["quantity"], ln["unit_cost"]) for ln in changed["lines"]] == [
        ("NUT", 25, "0.08"), ("WASHER", 100, "0.05")]
    assert changed["lines"][0]["id"] == nut_line["id"]
    assert changed["lines"][1]["id"] not in (bolt_line["id"], nut_line["id"])
    assert changed["total_cost"] == "7.00"  # 25 x 0.08 + 100 x 0.05
    assert get(api, "ACME-1") == changed
    assert error(api.get(f"{PO}/{order['number']}")) == (404, "PURCHASE_ORDER_NOT_FOUND")
    # The dropped BOLT line is gone: the order is no longer found by its item.
    assert listed(api, item="BOLT") == []
    cleared = ok(api.patch(f"{PO}/ACME-1", json={"supplier": None, "notes": None, "expected_at": None}))
    assert (cleared["supplier"], cleared["notes"], cleared["expected_at"]) == (None, None, None)
    assert ok(api.patch(f"{PO}/ACME-1", json={"lines": []}))["lines"] == []
    assert consistent(workspace)


def test_a_replaced_line_may_not_name_a_line_of_another_order_or_the_same_line_twice(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    order = draft(api, line("BOLT", 1))
    other = draft(api, line("BOLT", 2))
    own, foreign = order["lines"][0]["id"], other["lines"][0]["id"]
    for lines in ([{"id": foreign, "item": "BOLT", "quantity": 3}],
                  [{"id": own, "item": "BOLT", "quantity": 3}, {"id": own, "item": "BOLT", "quantity": 4}]):
        assert error(api.patch(f"{PO}/{order['id']}", json={"lines": lines})) == (422, "VALIDATION_ERROR")
    assert get(api, order["id"]) == order
    assert get(api, other["id"]) == other
    assert consistent(workspace)


@pytest.mark.parametrize("change", [
    {"number": "NEW-1"}, {"supplier": "Someone else"}, {"location": "Annex"},
    {"lines": [line("BOLT", 99)]}, {"lines": []}, {"notes": "Rush", "supplier": "Other"},
], ids=["number", "supplier", "location", "lines", "no-lines", "notes-and-supplier"])
def test_once_placed_only_notes_and_expected_at_change(api, workspace, change):
    location(api, "Main", is_default=True)
    location(api, "Annex")
    item(api, "BOLT")
    order = placed(api, line("BOLT", 5), supplier="Acme")
    assert error(api.patch(f"{PO}/{order['id']}", json=change)) == (409, "INVALID_STATE")
    assert get(api, order["id"]) == order
    assert incoming(api, "BOLT") == 5
    r = api.patch(f"{PO}/{order['id']}", json={"notes": "Rush", "expected_at": "2030-06-01T00:00:00Z"})
    changed = ok(r)
    assert (changed["notes"], changed["status"], changed["version"]) == ("Rush", "ordered", order["version"] + 1)
    assert at(changed["expected_at"]) == at("2030-06-01T00:00:00Z")
    assert changed["lines"] == order["lines"]
    assert consistent(workspace)


def test_notes_and_expected_at_change_after_a_receipt_too_but_lines_do_not(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    order = placed(api, line("BOLT", 5))
    received(api, order["id"], (order["lines"][0]["id"], 2))
    assert ok(api.patch(f"{PO}/{order['id']}", json={"notes": "Rest next week"}))["notes"] == "Rest next week"
    assert error(api.patch(f"{PO}/{order['id']}", json={"lines": [line("BOLT", 2)]})) == (409, "INVALID_STATE")
    received(api, order["id"])
    assert ok(api.patch(f"{PO}/{order['id']}", json={"notes": "Done"}))["notes"] == "Done"
    assert error(api.patch(f"{PO}/{order['id']}", json={"supplier": "X"})) == (409, "INVALID_STATE")
    assert consistent(workspace)


# Placing an order and what is incoming


def test_an_order_without_lines_cannot_be_placed(api, workspace):
    location(api, "Main", is_default=True)
    order = draft(api)
    assert error(place(api, order["id"])) == (409, "INVALID_STATE")
    assert get(api, order["id"]) == order
    assert consistent(workspace)


def test_an_order_is_placed_once_only(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    order = draft(api, line("BOLT", 3))
    r = place(api, order["number"])
    first = ok(r)
    assert etag(r) == "2"
    assert (first["status"], first["version"]) == ("ordered", 2)
    assert first["ordered_at"] is not None
    assert at(first["ordered_at"]) >= at(order["created_at"])
    assert error(place(api, order["id"])) == (409, "INVALID_STATE")
    assert get(api, order["id"]) == first
    assert incoming(api, "BOLT") == 3  # counted once
    assert consistent(workspace)


def test_the_open_lines_of_placed_orders_are_incoming_on_the_item_and_its_stock(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    item(api, "NUT")
    draft(api, line("BOLT", 100))
    assert incoming(api, "BOLT") == 0
    placed(api, line("BOLT", "2.5"), line("NUT", 4))
    placed(api, line("BOLT", 3), line("BOLT", 1))
    assert incoming(api, "BOLT") == Decimal("6.5")
    assert incoming(api, "NUT") == 4
    assert stock(api, "BOLT")["on_hand"] == 0  # incoming is not on hand
    rows = {r["sku"]: r["incoming"] for r in ok(api.get("/v1/stock"))["data"]}
    assert rows == {"BOLT": Decimal("6.5"), "NUT": 4}
    assert consistent(workspace)


def test_a_variant_parents_incoming_is_the_sum_of_its_variants(api, workspace):
    location(api, "Main", is_default=True)
    ok(api.post("/v1/items", json={"sku": "TEE", "name": "Tee", "variants": [
        {"sku": "TEE-S", "attributes": {"size": "S"}},
        {"sku": "TEE-M", "attributes": {"size": "M"}},
        {"sku": "TEE-L", "attributes": {"size": "L"}}]}), 201)
    first = placed(api, line("TEE-S", 10), line("TEE-M", 5))
    placed(api, line("TEE-M", 2))
    assert (incoming(api, "TEE-S"), incoming(api, "TEE-M"), incoming(api, "TEE-L")) == (10, 7, 0)
    assert parent_incoming(api, "TEE") == 17
    received(api, first["id"], (first["lines"][0]["id"], 4))
    assert parent_incoming(api, "TEE") == 13
    assert stock(api, "TEE")["on_hand"] == 4
    ok(cancel(api, draft(api, line("TEE-L", 50))["id"]))  # a draft never counted
    assert parent_incoming(api, "TEE") == 13
    assert consistent(workspace)


# Receiving


def test_a_partial_then_a_full_receipt_moves_the_stock_at_the_line_costs_and_completes_the_order(api, workspace):
    main = location(api, "Main", is_default=True)
    bolt = item(api, "BOLT", unit_cost="2.00")
    nut = item(api, "NUT", unit_cost="0.50")
    order = placed(api, line("BOLT", 10, unit_cost="3.00"), line("NUT", 4, unit_cost="0.25"), supplier="Acme")
    bolt_line = order["lines"][0]["id"]

    r = receive(api, order["id"], (bolt_line, 4))
    first = ok(r)
    assert etag(r) == str(order["version"] + 1)
    po = first["purchase_order"]
    assert (po["status"], po["received_at"], po["version"]) == ("partially_received", None, order["version"] + 1)
    assert [(ln["received_quantity"], ln["remaining"]) for ln in po["lines"]] == [(4, 6), (0, 4)]
    [movement] = first["movements"]
    assert (movement["item"], movement["sku"], movement["location"], movement["reason"]) == \
        (bolt["id"], "BOLT", main["id"], "receipt")
    assert (movement["delta"], movement["before"], movement["after"], movement["unit_cost"]) == (4, 0, 4, "3.00")
    assert movement["reference"] == {"type": "purchase_order", "id": order["id"]}
    assert on_hand_at(api, "BOLT") == {"Main": 4}
    assert (incoming(api, "BOLT"), incoming(api, "NUT")) == (6, 4)
    assert get(api, order["id"]) == po
    assert an_item(api, "BOLT")["average_cost"] == "3.00"

    second = received(api, order["id"])
    po = second["purchase_order"]
    assert po["status"] == "received"
    assert po["received_at"] is not None and at(po["received_at"]) >= at(po["ordered_at"])
    assert [(ln["quantity"], ln["received_quantity"], ln["remaining"]) for ln in po["lines"]] == [(10, 10, 0),
                                                                                                  (4, 4, 0)]
    assert [(m["item"], m["reason"], m["delta"], m["before"], m["after"], m["unit_cost"], m["reference"])
            for m in second["movements"]] == [
        (bolt["id"], "receipt", 6, 4, 10, "3.00", {"type": "purchase_order", "id": order["id"]}),
        (nut["id"], "receipt", 4, 0, 4, "0.25", {"type": "purchase_order", "id": order["id"]}),
    ]
    assert (on_hand_at(api, "BOLT"), on_hand_at(api, "NUT")) == ({"Main": 10}, {"Main": 4})
    assert (incoming(api, "BOLT"), incoming(api, "NUT")) == (0, 0)
    assert (an_item(api, "BOLT")["average_cost"], an_item(api, "NUT")["average_cost"]) == ("3.00", "0.25")
    assert listed(api, status="received") == [order["number"]]
    movements = ok(api.get("/v1/stock/movements", params={"item": "BOLT"}))["data"]
    assert sorted(m["delta"] for m in movements) == [4, 6]
    assert consistent(workspace)


def test_a_receipt_can_arrive_at_another_location(api, workspace):
    location(api, "Main", is_default=True)
    annex = location(api, "Annex")
    item(api, "BOLT")
    order = placed(api, line("BOLT", 10))
    bolt_line = order["lines"][0]["id"]
    first = received(api, order["id"], (bolt_line, 3), location="Annex")
    assert first["movements"][0]["location"] == annex["id"]
    assert first["purchase_order"]["location"] == order["location"]  # the order itself does not move
    received(api, order["id"], location=annex["id"])
    assert on_hand_at(api, "BOLT") == {"Annex": 10}
    assert stock(api, "BOLT")["on_hand"] == 10
    assert consistent(workspace)


def test_a_receipt_at_an_unknown_location_is_refused(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    order = placed(api, line("BOLT", 10))
    assert error(receive(api, order["id"], location="Nowhere")) == (404, "LOCATION_NOT_FOUND")
    assert get(api, order["id"]) == order
    assert consistent(workspace)


def test_a_receipt_at_an_inactive_location_is_refused(api, workspace):
    location(api, "Main", is_default=True)
    location(api, "Closed", is_active=False)
    item(api, "BOLT")
    order = placed(api, line("BOLT", 10))
    assert error(receive(api, order["id"], location="Closed")) == (409, "INVALID_STATE")
    assert get(api, order["id"]) == order
    assert (stock(api, "BOLT")["on_hand"], incoming(api, "BOLT")) == (0, 10)
    assert consistent(workspace)


def test_a_receipt_at_a_read_only_location_needs_locations_sync(api, workspace):
    location(api, "Main", is_default=True)
    location(api, "Marketplace", read_only=True)
    item(api, "BOLT")
    order = placed(api, line("BOLT", 10))
    buyer = workspace.key_with("orders:write")
    assert error(receive(buyer, order["id"], location="Marketplace")) == (403, "READONLY_LOCATION")
    assert get(api, order["id"]) == order
    syncer = workspace.key_with("orders:write", "locations:sync")
    assert received(syncer, order["id"], location="Marketplace")["purchase_order"]["status"] == "received"
    assert on_hand_at(api, "BOLT") == {"Marketplace": 10}
    assert consistent(workspace)


@pytest.mark.parametrize("how", ["no-body", "empty-object", "lines-null"])
def test_a_receipt_without_lines_receives_everything_still_open(api, workspace, how):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    item(api, "NUT")
    item(api, "WASHER")
    order = placed(api, line("BOLT", 5), line("NUT", "2.25"), line("WASHER", 3))
    bolt_line, _nut_line, washer_line = (ln["id"] for ln in order["lines"])
    received(api, order["id"], (bolt_line, 2), (washer_line, 3))
    if how == "no-body":
        r = api.post(f"{PO}/{order['id']}/receive")
    elif how == "empty-object":
        r = api.post(f"{PO}/{order['id']}/receive", json={})
    else:
        r = api.post(f"{PO}/{order['id']}/receive", json={"lines": None})
    result = ok(r)
    assert [(m["sku"], m["delta"], m["before"], m["after"]) for m in result["movements"]] == [
        ("BOLT", 3, 2, 5), ("NUT", Decimal("2.25"), 0, Decimal("2.25"))]  # nothing for the full WASHER line
    assert result["purchase_order"]["status"] == "received"
    assert [stock(api, sku)["on_hand"] for sku in ("BOLT", "NUT", "WASHER")] == [5, Decimal("2.25"), 3]
    assert [incoming(api, sku) for sku in ("BOLT", "NUT", "WASHER")] == [0, 0, 0]
    assert consistent(workspace)


def test_a_receipt_beyond_the_ordered_quantity_lists_every_over_line_and_applies_nothing(api, workspace):
    location(api, "Main", is_default=True)
    bolt = item(api, "BOLT")
    nut = item(api, "NUT")
    item(api, "WASHER")
    order = placed(api, line("BOLT", 5), line("NUT", "1.5"), line("WASHER", 10))
    bolt_line, nut_line, washer_line = (ln["id"] for ln in order["lines"])
    before = received(api, order["id"], (bolt_line, 3))["purchase_order"]
    movements = movement_total(api)

    r = receive(api, order["id"], (washer_line, 1), (bolt_line, 3), (nut_line, "1.500001"))
    assert error(r) == (422, "OVER_RECEIPT")
    details = body(r)["error"]["lines"]
    assert details == [
        {"line": bolt_line, "item": bolt["id"], "sku": "BOLT", "ordered": 5, "received": 3, "remaining": 2,
         "quantity": 3},
        {"line": nut_line, "item": nut["id"], "sku": "NUT", "ordered": Decimal("1.5"), "received": 0,
         "remaining": Decimal("1.5"), "quantity": Decimal("1.500001")},
    ]
    assert get(api, order["id"]) == before  # no received_quantity, status or version changed
    assert movement_total(api) == movements
    assert [stock(api, sku)["on_hand"] for sku in ("BOLT", "NUT", "WASHER")] == [3, 0, 0]
    assert [incoming(api, sku) for sku in ("BOLT", "NUT", "WASHER")] == [2, Decimal("1.5"), 10]
    # Exactly what remains is fine.
    done = received(api, order["id"], (bolt_line, 2), (nut_line, "1.5"), (washer_line, 10))
    assert done["purchase_order"]["status"] == "received"
    assert consistent(workspace)


def test_a_receipt_of_a_line_not_on_the_order_or_of_one_line_twice_is_refused(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    order = placed(api, line("BOLT", 5))
    other = placed(api, line("BOLT", 5))
    own, foreign = order["lines"][0]["id"], other["lines"][0]["id"]
    movements = movement_total(api)
    for lines in ([(foreign, 1)], [(own, 1), (own, 1)], [("pol_unknown", 1)]):
        assert error(receive(api, order["id"], *lines)) == (422, "VALIDATION_ERROR"), lines
    assert get(api, order["id"]) == order
    assert get(api, other["id"]) == other
    assert movement_total(api) == movements
    assert incoming(api, "BOLT") == 10
    assert consistent(workspace)


@pytest.mark.parametrize("quantity", [0, -1, "1.0000001", "lots"])
def test_a_receipt_quantity_must_be_positive_with_at_most_six_places(api, workspace, quantity):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    order = placed(api, line("BOLT", 5))
    assert error(receive(api, order["id"], (order["lines"][0]["id"], quantity))) == (422, "VALIDATION_ERROR")
    assert error(api.post(f"{PO}/{order['id']}/receive", json={"lines": [], "colour": "red"}))[0] == 422
    assert get(api, order["id"]) == order
    assert consistent(workspace)


def test_only_an_ordered_or_partially_received_order_can_be_received(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    a_draft = draft(api, line("BOLT", 5))
    done = placed(api, line("BOLT", 5))
    received(api, done["id"])
    dropped = placed(api, line("BOLT", 5))
    ok(cancel(api, dropped["id"]))
    movements = movement_total(api)
    for order in (a_draft, done, dropped):
        assert error(receive(api, order["id"])) == (409, "INVALID_STATE"), order["status"]
        assert error(receive(api, order["id"], (order["lines"][0]["id"], 1))) == (409, "INVALID_STATE")
    assert movement_total(api) == movements
    assert (stock(api, "BOLT")["on_hand"], incoming(api, "BOLT")) == (5, 0)
    assert consistent(workspace)


def test_racing_receipts_of_the_rest_of_a_line_receive_it_once(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    item(api, "NUT")
    order = placed(api, line("BOLT", 10), line("NUT", 1))  # NUT stays open: the order stays receivable
    bolt_line = order["lines"][0]["id"]
    received(api, order["id"], (bolt_line, 4))
    responses = at_once([lambda: receive(api, order["id"], (bolt_line, 6)) for _ in range(4)])
    assert sorted(r.status_code for r in responses) == [200, 422, 422, 422], [r.text for r in responses]
    assert {error(r) for r in responses if r.status_code != 200} == {(422, "OVER_RECEIPT")}
    assert (stock(api, "BOLT")["on_hand"], incoming(api, "BOLT"), incoming(api, "NUT")) == (10, 0, 1)
    after = get(api, order["id"])
    assert (after["status"], after["lines"][0]["received_quantity"]) == ("partially_received", 10)
    assert movement_total(api) == 2
    assert consistent(workspace)


def test_a_receipt_retried_with_its_idempotency_key_is_received_once(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT", unit_cost="2.00")
    order = placed(api, line("BOLT", 10))
    bolt_line = order["lines"][0]["id"]
    payload = {"lines": [{"line": bolt_line, "quantity": 4}]}
    first = api.post(f"{PO}/{order['id']}/receive", json=payload, headers={"Idempotency-Key": "delivery-1"})
    again = api.post(f"{PO}/{order['id']}/receive", json=payload, headers={"Idempotency-Key": "delivery-1"})
    assert (first.status_code, again.status_code) == (200, 200), again.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert body(again) == body(first)
    assert (stock(api, "BOLT")["on_hand"], incoming(api, "BOLT")) == (4, 6)
    assert get(api, order["id"])["lines"][0]["received_quantity"] == 4
    assert movement_total(api) == 1
    other = api.post(f"{PO}/{order['id']}/receive", json={}, headers={"Idempotency-Key": "delivery-1"})
    assert error(other) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert consistent(workspace)


def test_an_order_created_twice_with_one_idempotency_key_is_created_once(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    payload = {"supplier": "Acme", "lines": [line("BOLT", 3)]}
    first = api.post(PO, json=payload, headers={"Idempotency-Key": "po-acme-1"})
    again = api.post(PO, json=payload, headers={"Idempotency-Key": "po-acme-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert body(again) == body(first)
    assert listed(api) == ["PO-000001"]
    assert draft(api)["number"] == "PO-000002"
    assert consistent(workspace)


def test_an_item_in_the_trash_is_neither_ordered_nor_received(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    item(api, "NUT")
    a_draft = draft(api, line("BOLT", 2))
    order = placed(api, line("BOLT", 5), line("NUT", 1))
    assert api.delete("/v1/items/BOLT").status_code == 204
    assert error(place(api, a_draft["id"])) == (409, "INVALID_STATE")
    assert error(receive(api, order["id"])) == (409, "INVALID_STATE")
    assert get(api, order["id"]) == order
    assert movement_total(api) == 0
    assert consistent(workspace)


# Costs


def test_the_total_of_the_largest_valid_line_is_exact(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BIG")
    order = ok(create(api, line("BIG", "1000000000000", unit_cost="999999999999.999999")), 201)
    assert order["total_cost"] == "999999999999999999000000.00"  # 10^24 - 10^6, exactly
    assert get(api, order["id"])["total_cost"] == order["total_cost"]
    assert listed(api) == ["PO-000001"]
    assert consistent(workspace)


def test_receipts_at_different_line_costs_move_the_average_cost_exactly(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT", unit_cost="9.99")
    first = placed(api, line("BOLT", 3, unit_cost="1.00"), line("BOLT", 4, unit_cost="2.00"))
    cheap, dear = (ln["id"] for ln in first["lines"])
    received(api, first["id"], (cheap, 3))
    assert an_item(api, "BOLT")["average_cost"] == "1.00"
    received(api, first["id"], (dear, 4))
    assert an_item(api, "BOLT")["average_cost"] == "1.5714"  # (3 x 1 + 4 x 2) / 7 = 1.571428…
    second = placed(api, line("BOLT", 2, unit_cost="0.50"), line("BOLT", "0.5", unit_cost="10.1234"))
    result = received(api, second["id"])
    assert [(m["delta"], m["unit_cost"]) for m in result["movements"]] == [(2, "0.50"), (Decimal("0.5"), "10.1234")]
    # (7 x 1.5714 + 2 x 0.50) / 9 = 1.33331… -> 1.3333; (9 x 1.3333 + 0.5 x 10.1234) / 9.5 = 1.79593… -> 1.7959
    assert an_item(api, "BOLT")["average_cost"] == "1.7959"
    assert stock(api, "BOLT")["on_hand"] == Decimal("9.5")
    assert consistent(workspace)


def test_a_line_without_a_unit_cost_is_costed_at_the_items_standard_cost(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT", unit_cost="4.00")
    order = placed(api, line("BOLT", 2))
    assert order["lines"][0]["unit_cost"] == "4.00"
    assert order["total_cost"] == "8.00"
    [movement] = received(api, order["id"])["movements"]
    assert movement["unit_cost"] == "4.00"
    assert an_item(api, "BOLT")["average_cost"] == "4.00"
    assert consistent(workspace)


def test_a_line_with_a_null_unit_cost_is_received_at_the_standard_cost_of_the_day(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT", unit_cost="4.00")
    item(api, "FREE")  # no standard cost at all
    order = placed(api, line("BOLT", 2, unit_cost=None), line("FREE", 3), line("BOLT", 1, unit_cost="1.00"))
    assert [ln["unit_cost"] for ln in order["lines"]] == [None, None, "1.00"]
    assert order["total_cost"] == "1.00"  # lines without a cost count nothing
    ok(api.patch("/v1/items/BOLT", json={"unit_cost": "5.00"}))
    result = received(api, order["id"])
    assert [(m["sku"], m["unit_cost"]) for m in result["movements"]] == [
        ("BOLT", "5.00"), ("FREE", None), ("BOLT", "1.00")]
    assert an_item(api, "BOLT")["average_cost"] == "3.6667"  # (2 x 5 + 1 x 1) / 3
    assert an_item(api, "FREE")["average_cost"] is None
    assert consistent(workspace)


# Cancelling


def test_a_draft_is_cancelled_without_ever_having_been_incoming(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    order = draft(api, line("BOLT", 5))
    r = cancel(api, order["id"])
    cancelled = ok(r)
    assert etag(r) == "2"
    assert (cancelled["status"], cancelled["version"]) == ("cancelled", 2)
    assert cancelled["cancelled_at"] is not None
    assert (cancelled["ordered_at"], cancelled["received_at"]) == (None, None)
    assert cancelled["lines"][0]["remaining"] == 0
    assert get(api, order["id"]) == cancelled
    assert error(place(api, order["id"])) == (409, "INVALID_STATE")
    assert error(cancel(api, order["id"])) == (409, "INVALID_STATE")
    assert incoming(api, "BOLT") == 0
    assert consistent(workspace)


def test_cancelling_an_ordered_order_releases_its_incoming(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    item(api, "NUT")
    order = placed(api, line("BOLT", 5), line("NUT", "1.5"))
    kept = placed(api, line("BOLT", 2))
    assert (incoming(api, "BOLT"), incoming(api, "NUT")) == (7, Decimal("1.5"))
    cancelled = ok(cancel(api, order["number"]))
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancelled_at"] is not None
    assert [(ln["quantity"], ln["received_quantity"], ln["remaining"]) for ln in cancelled["lines"]] == [
        (5, 0, 0), (Decimal("1.5"), 0, 0)]
    assert (incoming(api, "BOLT"), incoming(api, "NUT")) == (2, 0)
    assert error(cancel(api, order["id"])) == (409, "INVALID_STATE")
    assert error(receive(api, order["id"])) == (409, "INVALID_STATE")
    assert get(api, kept["id"])["status"] == "ordered"
    assert consistent(workspace)


def test_an_order_with_anything_received_cannot_be_cancelled(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    order = placed(api, line("BOLT", 5))
    partly = received(api, order["id"], (order["lines"][0]["id"], 1))["purchase_order"]
    assert error(cancel(api, order["id"])) == (409, "INVALID_STATE")
    assert get(api, order["id"]) == partly
    assert (stock(api, "BOLT")["on_hand"], incoming(api, "BOLT")) == (1, 4)
    whole = received(api, order["id"])["purchase_order"]
    assert error(cancel(api, order["id"])) == (409, "INVALID_STATE")
    assert get(api, order["id"]) == whole
    assert (stock(api, "BOLT")["on_hand"], incoming(api, "BOLT")) == (5, 0)
    assert consistent(workspace)


# If-Match


ACTIONS = {
    "patch": lambda api, order, headers: api.patch(f"{PO}/{order['id']}", json={"notes": "x"}, headers=headers),
    "order": lambda api, order, headers: place(api, order["id"], headers=headers),
    "receive": lambda api, order, headers: api.post(f"{PO}/{order['id']}/receive", json={}, headers=headers),
    "cancel": lambda api, order, headers: cancel(api, order["id"], headers=headers),
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_write_with_a_stale_if_match_is_refused_and_changes_nothing(api, workspace, action):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    order = draft(api, line("BOLT", 5))
    if action == "receive":
        order = ok(place(api, order["id"]))
    version = order["version"]
    ok(api.patch(f"{PO}/{order['id']}", json={"supplier": "Acme"} if action != "receive" else {"notes": "n"}))
    current = get(api, order["id"])
    movements = movement_total(api)
    for stale in (f'"{version}"', str(version), '"999"', "garbage"):
        r = ACTIONS[action](api, order, {"If-Match": stale})
        assert error(r) == (412, "PRECONDITION_FAILED"), stale
    assert get(api, order["id"]) == current
    assert movement_total(api) == movements
    r = ACTIONS[action](api, order, {"If-Match": f'"{current["version"]}"'})
    assert r.status_code == 200, r.text
    assert etag(r) == str(current["version"] + 1)
    assert consistent(workspace)


# The item's unit is locked by an order line


@pytest.mark.parametrize("status", ["draft", "ordered", "cancelled"])
def test_the_unit_and_tracking_of_an_item_on_an_order_line_are_locked(api, workspace, status):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    item(api, "SPARE")
    order = draft(api, line("BOLT", 5))
    if status == "ordered":
        ok(place(api, order["id"]))
    elif status == "cancelled":
        ok(cancel(api, order["id"]))
    assert movement_total(api) == 0  # no movement: the order line alone locks it
    for change in ({"unit": "kg"}, {"tracking": "none"}, {"tracking": "bundle"}):
        assert error(api.patch("/v1/items/BOLT", json=change)) == (409, "UNIT_LOCKED"), change
    assert (an_item(api, "BOLT")["unit"], an_item(api, "BOLT")["tracking"]) == ("pcs", "quantity")
    assert ok(api.patch("/v1/items/SPARE", json={"unit": "kg"}))["unit"] == "kg"
    assert ok(api.patch("/v1/items/BOLT", json={"name": "Hex bolt"}))["name"] == "Hex bolt"
    assert consistent(workspace)


# Scopes


def test_a_key_that_only_reads_orders_cannot_write_them(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    order = draft(api, line("BOLT", 5))
    ordered = placed(api, line("BOLT", 5))
    reader = workspace.key_with("orders:read")
    assert get(reader, order["id"]) == order
    assert listed(reader) == [ordered["number"], order["number"]]
    for r in (create(reader, line("BOLT", 1)),
              reader.patch(f"{PO}/{order['id']}", json={"notes": "x"}),
              place(reader, order["id"]),
              receive(reader, ordered["id"]),
              cancel(reader, ordered["id"])):
        assert error(r) == (403, "INSUFFICIENT_SCOPE")
    assert get(api, order["id"]) == order
    assert get(api, ordered["id"]) == ordered
    assert ok(api.get(PO))["meta"]["total"] == 2
    assert consistent(workspace)


def test_a_key_that_writes_stock_cannot_read_or_write_purchase_orders(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT")
    order = placed(api, line("BOLT", 5))
    stocker = workspace.key_with("stock:write")
    for r in (stocker.get(PO), stocker.get(f"{PO}/{order['id']}"), receive(stocker, order["id"]),
              create(stocker, line("BOLT", 1))):
        assert error(r) == (403, "INSUFFICIENT_SCOPE")
    assert stocker.get("/v1/stock/BOLT").json()["incoming"] == 5  # what is incoming stays readable
    writer = workspace.key_with("orders:write")
    assert get(writer, order["id"]) == order  # orders:write implies orders:read
    assert received(writer, order["id"])["purchase_order"]["status"] == "received"
    assert consistent(workspace)


# Statements


def _statements(db, call) -> int:
    with statements(db) as seen:
        r = call()
        assert r.status_code == 200, r.text
    return len(seen)


def test_a_page_of_fifty_orders_costs_the_same_statements_as_a_page_of_five(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOLT", unit_cost="1.00")
    item(api, "NUT", unit_cost="0.10")
    for n in range(50):
        order = draft(api, line("BOLT", n + 1), line("NUT", 2), supplier="Acme")
        if n % 2:
            ok(place(api, order["id"]))
    few = _statements(workspace.db, lambda: api.get(PO, params={"limit": 5}))
    # 49: both pages leave rows for a next one, so both count the total (a whole list is not counted).
    many = _statements(workspace.db, lambda: api.get(PO, params={"limit": 49}))
    assert 0 < few == many
    page = ok(api.get(PO, params={"limit": 50}))["data"]
    assert len(page) == 50
    assert all([ln["sku"] for ln in o["lines"]] == ["BOLT", "NUT"] for o in page)
    assert page[0]["lines"][0]["quantity"] == 50 and page[0]["total_cost"] == "50.20"
    assert consistent(workspace)
