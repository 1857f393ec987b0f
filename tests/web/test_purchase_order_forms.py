"""Purchase orders made and run from the dashboard (issue 22), through the real app: a draft is
created, its lines added, changed and removed, it is ordered, received in two parts and
cancelled, each form acting once, calling the same services as /v1, refused in words next to
its fields, refused when the order changed since the page was opened, audited as the user."""

from __future__ import annotations

import re
from html import unescape

from tests.sql_counting import statements
from tests.web.conftest import field_error, form_at, sign_in


def ok(r, status: int = 200):
    assert r.status_code == status, r.text
    return r.json() if r.headers.get("content-type", "").startswith("application/json") else r


def stocked(api) -> None:
    ok(api.post("/v1/locations", json={"name": "Main", "is_default": True}), 201)
    ok(api.post("/v1/locations", json={"name": "Shop"}), 201)
    ok(api.post("/v1/items", json={"sku": "LAMP", "name": "Brass lamp", "unit_cost": "15", "barcode": "4006381333931"}),
       201)
    ok(api.post("/v1/items", json={"sku": "SHADE", "name": "Linen shade"}), 201)
    ok(api.post("/v1/items", json={"sku": "BULB", "name": "Bulb"}), 201)


def po(api, ref: str) -> dict:
    return ok(api.get(f"/v1/purchase-orders/{ref}"))


def stock(api, sku: str) -> dict:
    return ok(api.get(f"/v1/stock/{sku}"))


def create_draft(browser, **fields) -> str:
    """A draft made by the new-order form; returns its id."""
    form = form_at(ok(browser.get("/purchase-orders/new")).text, "/purchase-orders")
    r = browser.submit("/purchase-orders", {**form, "supplier": "Lumen Ltd", "location": "", **fields})
    assert r.status_code == 303, r.text
    return re.match(r"/purchase-orders/([^?]+)\?done=", r.headers["location"]).group(1)


def add_line(browser, order_id: str, item: str, quantity: str, unit_cost: str = ""):
    page = browser.get(f"/purchase-orders/{order_id}").text
    form = form_at(page, f"/purchase-orders/{order_id}/lines")
    return browser.submit(f"/purchase-orders/{order_id}/lines",
                          {**form, "item": item, "quantity": quantity, "unit_cost": unit_cost})


def receive(browser, order_id: str, quantities: dict[str, str]):
    page = browser.get(f"/purchase-orders/{order_id}").text
    form = form_at(page, f"/purchase-orders/{order_id}/receive")
    return browser.submit(f"/purchase-orders/{order_id}/receive",
                          {**form, **{f"receive:{line}": q for line, q in quantities.items()}})


def press(browser, order_id: str, action: str):
    page = browser.get(f"/purchase-orders/{order_id}").text
    path = f"/purchase-orders/{order_id}/{action}"
    return browser.submit(path, form_at(page, path))


def test_a_member_runs_a_purchase_order_from_draft_to_received_in_two_parts(workspace, member):
    stocked(workspace.api)
    assert 'href="/purchase-orders/new"' in member.get("/purchase-orders").text
    order_id = create_draft(member, location="", expected_at="2027-03-01", notes="Spring lamps")
    made = po(workspace.api, order_id)
    assert (made["status"], made["supplier"], made["location"], made["notes"]) == ("draft", "Lumen Ltd", None,
                                                                                    "Spring lamps")
    assert made["expected_at"].startswith("2027-03-01")
    # Its details changed: delivered to Shop, a day later.
    edit = ok(member.get(f"/purchase-orders/{order_id}/edit")).text
    assert 'name="expected_at" value="2027-03-01"' in edit
    shop = next(loc["id"] for loc in ok(workspace.api.get("/v1/locations"))["data"] if loc["name"] == "Shop")
    r = member.submit(f"/purchase-orders/{order_id}/edit", {**form_at(edit, f"/purchase-orders/{order_id}/edit"),
                                                            "supplier": "Lumen GmbH", "location": shop,
                                                            "expected_at": "2027-03-02", "notes": ""})
    assert r.status_code == 303, r.text
    made = po(workspace.api, order_id)
    assert (made["supplier"], made["location"], made["notes"]) == ("Lumen GmbH", shop, None)
    assert made["expected_at"].startswith("2027-03-02")
    # A line by its barcode (as a scanner types it), one by SKU with its own cost, one to remove.
    assert add_line(member, order_id, "4006381333931", "10").status_code == 303
    assert add_line(member, order_id, "SHADE", "3", "2.50").status_code == 303
    assert add_line(member, order_id, "BULB", "1").status_code == 303
    lines = po(workspace.api, order_id)["lines"]
    assert [(line["sku"], line["quantity"], line["unit_cost"]) for line in lines] == [
        ("LAMP", 10, "15.00"), ("SHADE", 3, "2.50"), ("BULB", 1, None)]
    # Change the shade's line: 6 at 2.40; remove the bulbs.
    shade = lines[1]["id"]
    edit = ok(member.get(f"/purchase-orders/{order_id}/lines/{shade}")).text
    form = form_at(edit, f"/purchase-orders/{order_id}/lines/{shade}")
    assert member.submit(f"/purchase-orders/{order_id}/lines/{shade}",
                         {**form, "item": "SHADE", "quantity": "6", "unit_cost": "2.40"}).status_code == 303
    assert press(member, order_id, f"lines/{lines[2]['id']}/remove").status_code == 303
    lines = po(workspace.api, order_id)["lines"]
    assert [(line["sku"], line["quantity"], line["unit_cost"]) for line in lines] == [
        ("LAMP", 10, "15.00"), ("SHADE", 6, "2.40")]
    assert lines[1]["id"] == shade  # the changed line kept its id
    # Order it: the lines count as incoming.
    placed = press(member, order_id, "order")
    assert placed.status_code == 303
    assert "Ordered" in unescape(member.client.get(placed.headers["location"]).text)
    assert po(workspace.api, order_id)["status"] == "ordered"
    assert stock(workspace.api, "LAMP")["incoming"] == 10
    # 6 of 10 lamps arrive, then the other 4 with the shades.
    lamp = lines[0]["id"]
    assert receive(member, order_id, {lamp: "6", shade: ""}).status_code == 303
    after = po(workspace.api, order_id)
    assert after["status"] == "partially_received" and after["lines"][0]["received_quantity"] == 6
    assert (stock(workspace.api, "LAMP")["on_hand"], stock(workspace.api, "LAMP")["incoming"]) == (6, 4)
    assert "Partly received" in member.get(f"/purchase-orders/{order_id}").text
    assert receive(member, order_id, {lamp: "4", shade: "6"}).status_code == 303
    after = po(workspace.api, order_id)
    assert after["status"] == "received" and [line["remaining"] for line in after["lines"]] == [0, 0]
    assert (stock(workspace.api, "LAMP")["on_hand"], stock(workspace.api, "LAMP")["incoming"]) == (10, 0)
    assert stock(workspace.api, "SHADE")["on_hand"] == 6
    done = member.get(f"/purchase-orders/{order_id}").text
    assert "/receive" not in done and "/cancel" not in done and "/lines" not in done


def test_a_draft_is_cancelled_and_every_change_is_audited_as_the_signed_in_user(workspace, member):
    stocked(workspace.api)
    order_id = create_draft(member)
    assert add_line(member, order_id, "LAMP", "2").status_code == 303
    assert press(member, order_id, "cancel").status_code == 303
    assert po(workspace.api, order_id)["status"] == "cancelled"
    page = member.get(f"/purchase-orders/{order_id}").text
    assert "Cancelled" in page and "/order" not in page and f"/purchase-orders/{order_id}/lines" not in page
    audit = [entry for entry in ok(workspace.api.get("/v1/audit-log?resource_type=purchase_order&limit=50"))["data"]
             if entry["resource_id"] == order_id]
    assert sorted(entry["action"] for entry in audit) == ["purchase_order.cancelled", "purchase_order.created",
                                                          "purchase_order.updated"]
    assert {(entry["actor"]["type"], entry["actor"]["name"]) for entry in audit} == {("user", member.email)}


def test_an_ordered_order_is_cancelled_and_stops_counting_as_incoming(workspace, member):
    stocked(workspace.api)
    order_id = create_draft(member)
    add_line(member, order_id, "LAMP", "5")
    press(member, order_id, "order")
    assert stock(workspace.api, "LAMP")["incoming"] == 5
    assert press(member, order_id, "cancel").status_code == 303
    assert stock(workspace.api, "LAMP")["incoming"] == 0


def test_each_form_acts_once_however_often_it_is_sent(workspace, member):
    stocked(workspace.api)
    form = {**form_at(member.get("/purchase-orders/new").text, "/purchase-orders"), "supplier": "Twice Ltd"}
    first, second = member.submit("/purchase-orders", form), member.submit("/purchase-orders", form)
    assert first.status_code == second.status_code == 303 and first.headers["location"] == second.headers["location"]
    assert len(ok(workspace.api.get("/v1/purchase-orders?supplier=Twice%20Ltd"))["data"]) == 1
    order_id = re.match(r"/purchase-orders/([^?]+)\?", first.headers["location"]).group(1)
    page = member.get(f"/purchase-orders/{order_id}").text
    line = {**form_at(page, f"/purchase-orders/{order_id}/lines"), "item": "LAMP", "quantity": "2"}
    assert member.submit(f"/purchase-orders/{order_id}/lines", line).status_code == 303
    assert member.submit(f"/purchase-orders/{order_id}/lines", line).status_code == 303
    assert len(po(workspace.api, order_id)["lines"]) == 1
    order = form_at(member.get(f"/purchase-orders/{order_id}").text, f"/purchase-orders/{order_id}/order")
    assert member.submit(f"/purchase-orders/{order_id}/order", order).status_code == 303
    assert member.submit(f"/purchase-orders/{order_id}/order", order).status_code == 303
    assert stock(workspace.api, "LAMP")["incoming"] == 2


def test_a_change_to_an_order_someone_changed_since_the_page_was_opened_is_refused(workspace, member):
    stocked(workspace.api)
    order_id = create_draft(member)
    add_line(member, order_id, "LAMP", "2")
    page = member.get(f"/purchase-orders/{order_id}").text
    line_id = po(workspace.api, order_id)["lines"][0]["id"]
    stale_add = {**form_at(page, f"/purchase-orders/{order_id}/lines"), "item": "SHADE", "quantity": "1"}
    stale_order = form_at(page, f"/purchase-orders/{order_id}/order")
    edit = form_at(member.get(f"/purchase-orders/{order_id}/edit").text, f"/purchase-orders/{order_id}/edit")
    line_form = form_at(member.get(f"/purchase-orders/{order_id}/lines/{line_id}").text,
                        f"/purchase-orders/{order_id}/lines/{line_id}")
    ok(workspace.api.patch(f"/v1/purchase-orders/{order_id}", json={"supplier": "Someone else"}))
    for path, fields in ((f"/purchase-orders/{order_id}/lines", stale_add),
                         (f"/purchase-orders/{order_id}/order", stale_order),
                         (f"/purchase-orders/{order_id}/edit", {**edit, "supplier": "Mine"}),
                         (f"/purchase-orders/{order_id}/lines/{line_id}",
                          {**line_form, "item": "LAMP", "quantity": "9"})):
        r = member.submit(path, fields)
        assert r.status_code == 409, (path, r.text)
        assert "changed by someone else since you opened it" in unescape(r.text), path
    after = po(workspace.api, order_id)
    assert (after["status"], after["supplier"], [line["quantity"] for line in after["lines"]]) == (
        "draft", "Someone else", [2])


def test_nonsense_is_refused_in_words_next_to_its_field_and_nothing_is_written(workspace, member):
    stocked(workspace.api)
    new = form_at(member.get("/purchase-orders/new").text, "/purchase-orders")
    r = member.submit("/purchase-orders", {**new, "supplier": "x" * 201, "expected_at": "someday",
                                           "location": "loc_nonsense"})
    assert r.status_code == 422 and "The order was not created" in r.text
    r = member.submit("/purchase-orders", {**new, "location": "loc_nonsense"})
    assert r.status_code == 422 and "No location" in field_error(r, "location")
    r = member.submit("/purchase-orders", {**new, "supplier": "x" * 201, "expected_at": "someday"})
    assert r.status_code == 422
    assert "200 characters" in field_error(r, "supplier") and field_error(r, "expected_at")
    assert ok(workspace.api.get("/v1/purchase-orders"))["data"] == []
    order_id = create_draft(member)
    for fields, field, words in (({"item": "", "quantity": "1"}, "item", "Enter the item's SKU"),
                                 ({"item": "NOPE", "quantity": "1"}, "", "No item"),
                                 ({"item": "LAMP", "quantity": "zwei"}, "quantity", "not a number"),
                                 ({"item": "LAMP", "quantity": "-2"}, "quantity", "greater than 0"),
                                 ({"item": "LAMP", "quantity": "1", "unit_cost": "-1"}, "unit_cost", "")):
        r = add_line(member, order_id, fields["item"], fields["quantity"], fields.get("unit_cost", ""))
        assert 400 <= r.status_code < 500, (fields, r.text)
        assert "The line was not added" in r.text, fields
        if field:
            assert words in field_error(r, field), (fields, field_error(r, field))
        else:
            assert words in r.text
        assert f'name="quantity" value="{fields["quantity"]}"' in r.text  # what was typed stays
    # An empty order cannot be ordered; an order with nothing received can't be received.
    r = press(member, order_id, "order")
    assert r.status_code == 409 and "The order has no lines" in r.text
    after = po(workspace.api, order_id)
    assert (after["status"], after["lines"], after["version"]) == ("draft", [], 1)
    # A line of another order is no line of this one.
    r = member.submit(f"/purchase-orders/{order_id}/lines/pol_nonsense/remove", {"version": "1"})
    assert r.status_code == 404


def test_a_viewer_is_offered_no_form_and_may_send_none(workspace, member, viewer):
    stocked(workspace.api)
    order_id = create_draft(member)
    add_line(member, order_id, "LAMP", "2")
    page = viewer.get(f"/purchase-orders/{order_id}").text
    assert 'name="form_key"' not in page and "/purchase-orders/new" not in viewer.get("/purchase-orders").text
    assert viewer.get("/purchase-orders/new").status_code == 403
    line_id = po(workspace.api, order_id)["lines"][0]["id"]
    for path, fields in (("/purchase-orders", {"supplier": "Viewer Ltd"}),
                         (f"/purchase-orders/{order_id}/lines", {"item": "LAMP", "quantity": "1", "version": "2"}),
                         (f"/purchase-orders/{order_id}/lines/{line_id}/remove", {"version": "2"}),
                         (f"/purchase-orders/{order_id}/order", {"version": "2"}),
                         (f"/purchase-orders/{order_id}/cancel", {"version": "2"})):
        r = viewer.submit(path, fields)
        assert r.status_code == 403 and "As a viewer you may not change orders" in r.text, path
    after = po(workspace.api, order_id)
    assert (after["status"], len(after["lines"])) == ("draft", 1)
    assert len(ok(workspace.api.get("/v1/purchase-orders"))["data"]) == 1


def test_a_form_without_its_csrf_token_is_refused(workspace, member):
    stocked(workspace.api)
    r = member.submit("/purchase-orders", {"supplier": "Forged Ltd"}, csrf=False)
    assert r.status_code == 403
    assert ok(workspace.api.get("/v1/purchase-orders"))["data"] == []


def test_another_workspaces_order_is_not_found(app, workspace, other_workspace):
    stocked(other_workspace.api)
    theirs = ok(other_workspace.api.post("/v1/purchase-orders", json={"lines": [{"item": "LAMP", "quantity": 1}]}),
                201)
    browser = sign_in(app, workspace, "admin")
    line_id = theirs["lines"][0]["id"]
    for path in (f"/purchase-orders/{theirs['id']}/edit", f"/purchase-orders/{theirs['id']}/lines/{line_id}"):
        assert browser.get(path).status_code == 404, path
    for path, fields in ((f"/purchase-orders/{theirs['id']}/edit", {"supplier": "Mine", "version": "1"}),
                         (f"/purchase-orders/{theirs['id']}/lines", {"item": "LAMP", "quantity": "1", "version": "1"}),
                         (f"/purchase-orders/{theirs['id']}/lines/{line_id}/remove", {"version": "1"}),
                         (f"/purchase-orders/{theirs['id']}/order", {"version": "1"}),
                         (f"/purchase-orders/{theirs['id']}/cancel", {"version": "1"})):
        assert browser.submit(path, fields).status_code == 404, path
    after = po(other_workspace.api, theirs["id"])
    assert (after["status"], after["supplier"], len(after["lines"])) == ("draft", None, 1)


def test_a_drafts_page_and_its_forms_run_as_many_statements_for_two_lines_as_for_forty(workspace, member):
    stocked(workspace.api)
    counts = {}
    for size in (2, 40):
        for n in range(size):
            ok(workspace.api.post("/v1/items", json={"sku": f"PART-{size}-{n}", "name": f"Part {n}"}), 201)
        order = ok(workspace.api.post("/v1/purchase-orders", json={
            "lines": [{"item": f"PART-{size}-{n}", "quantity": n + 1} for n in range(size)]}), 201)
        for path in (f"/purchase-orders/{order['id']}", f"/purchase-orders/{order['id']}/edit",
                     f"/purchase-orders/{order['id']}/lines/{order['lines'][-1]['id']}"):
            with statements(workspace.db) as seen:
                assert member.get(path).status_code == 200
            counts[size, path.replace(order["id"], "{id}").replace(order["lines"][-1]["id"], "{line}")] = len(seen)
    assert {path: n for (size, path), n in counts.items() if size == 2} == {
        path: n for (size, path), n in counts.items() if size == 40}
