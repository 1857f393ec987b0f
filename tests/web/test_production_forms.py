"""Production orders made, changed and started from the dashboard, and their batches recorded
and reversed there (issue 22), through the real app: the same rules as /v1/production-orders,
each form acting once, refusals in words next to their fields with nothing written, a change
refused when the order changed since the form was opened, every change audited as the user."""

from __future__ import annotations

import re
from html import unescape

from tests.sql_counting import statements
from tests.web.conftest import field_error, form_at, sign_in


def ok(r, status: int = 200):
    assert r.status_code == status, r.text
    return r.json() if r.headers.get("content-type", "").startswith("application/json") else r


def workshop(workspace) -> dict:
    """A candle takes 250 g of wax and a wick, a lantern a wick; 10 kg of wax and 40 wicks at Main."""
    api = workspace.api
    ok(api.post("/v1/locations", json={"name": "Main", "is_default": True}), 201)
    ok(api.post("/v1/locations", json={"name": "Workshop"}), 201)
    ok(api.post("/v1/items", json={"sku": "WAX", "name": "Soy wax", "unit": "kg", "kind": "material"}), 201)
    ok(api.post("/v1/items", json={"sku": "WICK", "name": "Wick", "kind": "material"}), 201)
    ok(api.post("/v1/items", json={"sku": "CANDLE", "name": "Candle"}), 201)
    ok(api.post("/v1/items", json={"sku": "LANTERN", "name": "Lantern", "barcode": "5012345678900"}), 201)
    ok(api.put("/v1/items/CANDLE/components", json=[{"item": "WAX", "quantity": 250, "unit": "g"},
                                                     {"item": "WICK", "quantity": 1}]))
    ok(api.put("/v1/items/LANTERN/components", json=[{"item": "WICK", "quantity": 1}]))
    ok(api.post("/v1/stock/adjustments", json={"item": "WAX", "reason": "receipt", "delta": 10, "unit_cost": "12"}),
       201)
    ok(api.post("/v1/stock/adjustments", json={"item": "WICK", "reason": "receipt", "delta": 40}), 201)
    return {u["email"]: u["id"] for u in ok(api.get("/v1/users?limit=100"))["data"]}


def on_hand(api, sku: str):
    return ok(api.get(f"/v1/stock/{sku}"))["on_hand"]


def order_of(api, order_id: str) -> dict:
    return ok(api.get(f"/v1/production-orders/{order_id}"))


def create(browser, fields: dict):
    form = form_at(ok(browser.get("/production/new")).text, "/production")
    return browser.submit("/production", {**form, **fields})


def made_id(r) -> str:
    assert r.status_code == 303, r.text
    return re.match(r"/production/([^?]+)\?done=", r.headers["location"]).group(1)


def test_a_member_creates_edits_starts_an_order_and_records_and_reverses_a_batch(workspace, member):
    people = workshop(workspace)
    assert 'href="/production/new"' in member.get("/production").text
    order_id = made_id(create(member, {"line0.item": "CANDLE", "line0.quantity": "20", "line1.item": "",
                                       "line1.quantity": "", "assignee": people[member.email], "due": "2027-01-15",
                                       "location": "", "notes": "For the market"}))
    order = order_of(workspace.api, order_id)
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [("CANDLE", 20)]
    assert (order["status"], order["assignee_email"], order["notes"]) == ("pending", member.email, "For the market")
    assert order["due"].startswith("2027-01-15") and order["name"].startswith("MO-")
    # Edit its lines: 12 candles, and 5 lanterns added by their barcode (as a scanner types it).
    edit = ok(member.get(f"/production/{order_id}/edit")).text
    form = form_at(edit, f"/production/{order_id}/edit")
    assert form["line0.id"] == order["lines"][0]["id"]
    r = member.submit(f"/production/{order_id}/edit", {**form, "line0.item": "CANDLE", "line0.quantity": "12",
                                                       "line1.item": "5012345678900", "line1.quantity": "5",
                                                       "assignee": people[member.email], "name": "Market run"})
    assert r.status_code == 303, r.text
    order = order_of(workspace.api, order_id)
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [("CANDLE", 12), ("LANTERN", 5)]
    assert order["name"] == "Market run" and order["due"] is None  # the due date left empty: unset
    # Start it.
    page = member.get(f"/production/{order_id}").text
    assert member.submit(f"/production/{order_id}/start", form_at(page, f"/production/{order_id}/start")
                         ).status_code == 303
    assert order_of(workspace.api, order_id)["status"] == "in_progress"
    # Record a batch of 4 candles, then reverse it from the order's page.
    page = member.get(f"/production/{order_id}").text
    batch = {**form_at(page, f"/production/{order_id}/batches"), "line": order["lines"][0]["id"], "quantity": "4"}
    assert member.submit(f"/production/{order_id}/batches", batch).status_code == 303
    assert (on_hand(workspace.api, "CANDLE"), on_hand(workspace.api, "WAX"), on_hand(workspace.api, "WICK")) == (
        4, 9, 36)
    batch_id = order_of(workspace.api, order_id)["lines"][0]["batches"][0]["id"]
    page = member.get(f"/production/{order_id}").text
    reverse = form_at(page, f"/production/{order_id}/batches/{batch_id}/reverse")
    first = member.submit(f"/production/{order_id}/batches/{batch_id}/reverse", reverse)
    again = member.submit(f"/production/{order_id}/batches/{batch_id}/reverse", reverse)
    assert first.status_code == again.status_code == 303 and first.headers["location"] == again.headers["location"]
    assert "Reversed a batch of 4." in unescape(member.client.get(first.headers["location"]).text)
    assert (on_hand(workspace.api, "CANDLE"), on_hand(workspace.api, "WAX"), on_hand(workspace.api, "WICK")) == (
        0, 10, 40)
    after = order_of(workspace.api, order_id)
    assert after["lines"][0]["produced_quantity"] == 0 and after["lines"][0]["batches"] == []
    audit = [entry for entry in ok(workspace.api.get("/v1/audit-log?resource_type=production_order&limit=50"))["data"]
             if entry["resource_id"] == order_id]
    assert audit and {(entry["actor"]["type"], entry["actor"]["name"]) for entry in audit} == {("user", member.email)}


def test_sending_the_new_order_form_twice_creates_one_order(workspace, member):
    workshop(workspace)
    form = {**form_at(member.get("/production/new").text, "/production"), "line0.item": "CANDLE",
            "line0.quantity": "3", "name": "Twice"}
    first, second = member.submit("/production", form), member.submit("/production", form)
    assert first.status_code == second.status_code == 303 and first.headers["location"] == second.headers["location"]
    names = [o["name"] for o in ok(workspace.api.get("/v1/production-orders?limit=100"))["data"]]
    assert names.count("Twice") == 1


def test_nonsense_is_refused_next_to_its_field_and_nothing_is_written(workspace, member):
    workshop(workspace)
    for fields, field, words in (
            ({}, "lines", "Add at least one line"),
            ({"line0.item": "CANDLE", "line0.quantity": "lots"}, "line0-quantity", "not a number"),
            ({"line0.item": "CANDLE", "line0.quantity": "0"}, "line0-quantity", "greater than 0"),
            ({"line0.item": "", "line0.quantity": "2"}, "line0-item", "Enter the SKU"),
            ({"line0.item": "CANDLE", "line0.quantity": "2", "due": "soon"}, "due", ""),
            ({"line0.item": "CANDLE", "line0.quantity": "2", "name": "x" * 201}, "name", "200 characters")):
        r = create(member, fields)
        assert r.status_code == 422, (fields, r.text)
        assert "The order was not created" in r.text
        assert words in field_error(r, field) and field_error(r, field), (fields, field_error(r, field))
    for fields, words in (({"line0.item": "NOPE", "line0.quantity": "2"}, "No item"),
                          ({"line0.item": "CANDLE", "line0.quantity": "2", "assignee": "usr_nobody"}, "No user")):
        r = create(member, fields)
        assert 400 <= r.status_code < 500 and words in r.text, (fields, r.text)
        assert 'value="2"' in r.text  # what was typed stays
    assert ok(workspace.api.get("/v1/production-orders"))["data"] == []


def test_an_edit_after_someone_elses_change_is_refused_and_changes_nothing(workspace, member):
    workshop(workspace)
    made = ok(workspace.api.post("/v1/production-orders", json={"lines": [{"item": "CANDLE", "quantity": 5}]}), 201)
    edit = form_at(member.get(f"/production/{made['id']}/edit").text, f"/production/{made['id']}/edit")
    start = form_at(member.get(f"/production/{made['id']}").text, f"/production/{made['id']}/start")
    ok(workspace.api.patch(f"/v1/production-orders/{made['id']}", json={"notes": "Theirs"}))
    r = member.submit(f"/production/{made['id']}/edit", {**edit, "line0.item": "CANDLE", "line0.quantity": "50"})
    assert r.status_code == 409 and "changed by someone else since you opened it" in unescape(r.text)
    r = member.submit(f"/production/{made['id']}/start", start)
    assert r.status_code == 409 and "changed by someone else since you opened it" in unescape(r.text)
    after = order_of(workspace.api, made["id"])
    assert (after["status"], after["notes"], after["lines"][0]["quantity"]) == ("pending", "Theirs", 5)


def test_a_viewer_is_refused_and_another_workspaces_order_is_not_found(app, workspace, other_workspace, viewer):
    workshop(workspace)
    made = ok(workspace.api.post("/v1/production-orders", json={"lines": [{"item": "CANDLE", "quantity": 5}]}), 201)
    line = made["lines"][0]["id"]
    batch = ok(workspace.api.post(f"/v1/production-orders/{made['id']}/lines/{line}/batches", json={"quantity": 1}),
               201)
    page = viewer.get(f"/production/{made['id']}").text
    assert 'name="form_key"' not in page and "/production/new" not in viewer.get("/production").text
    assert viewer.get("/production/new").status_code == 403
    assert viewer.get(f"/production/{made['id']}/edit").status_code == 403
    for path, fields in (("/production", {"line0.item": "CANDLE", "line0.quantity": "1"}),
                         (f"/production/{made['id']}/edit", {"line0.item": "CANDLE", "line0.quantity": "9",
                                                             "version": str(made["version"])}),
                         (f"/production/{made['id']}/start", {"version": "1"}),
                         (f"/production/{made['id']}/batches/{batch['id']}/reverse", {})):
        r = viewer.submit(path, fields)
        assert r.status_code == 403 and "As a viewer you may not record production" in r.text, path
    stranger = sign_in(app, other_workspace, "admin")
    for path, fields in ((f"/production/{made['id']}/edit", {"line0.item": "CANDLE", "line0.quantity": "9",
                                                             "version": "1"}),
                         (f"/production/{made['id']}/start", {"version": "1"}),
                         (f"/production/{made['id']}/batches/{batch['id']}/reverse", {})):
        assert stranger.submit(path, fields).status_code == 404, path
    assert stranger.get(f"/production/{made['id']}/edit").status_code == 404
    after = order_of(workspace.api, made["id"])
    assert (after["status"], after["lines"][0]["quantity"], len(after["lines"][0]["batches"])) == ("in_progress", 5, 1)
    assert on_hand(workspace.api, "CANDLE") == 1


def test_the_order_forms_run_as_many_statements_for_one_line_as_for_thirty(workspace, member):
    workshop(workspace)
    counts = {}
    for size in (1, 30):
        for n in range(size):
            ok(workspace.api.post("/v1/items", json={"sku": f"MADE-{size}-{n}", "name": f"Made {n}"}), 201)
        made = ok(workspace.api.post("/v1/production-orders", json={
            "lines": [{"item": f"MADE-{size}-{n}", "quantity": 2} for n in range(size)]}), 201)
        for path in ("/production/new", f"/production/{made['id']}", f"/production/{made['id']}/edit"):
            with statements(workspace.db) as seen:
                assert member.get(path).status_code == 200
            counts[size, path.replace(made["id"], "{id}")] = len(seen)
    assert {path: n for (size, path), n in counts.items() if size == 1} == {
        path: n for (size, path), n in counts.items() if size == 30}
