"""Items made, changed, deleted and restored in the dashboard (issue 22), through the real app: the
same rules as /v1/items, refusals in words next to their fields with what was typed kept, each
form acting once, an edit refused when someone else changed the item since the form was opened,
every change audited as the signed-in user, another workspace's item not found."""

from __future__ import annotations

import re
from html import unescape

from tests.sql_counting import statements
from tests.web.conftest import sign_in
from tests.web.test_location_forms import field_error, form_at, hidden, ok

ITEM = {"sku": "CANDLE-1", "name": "Lavender candle", "unit": "pcs", "kind": "product", "tracking": "quantity",
        "barcode": "4006381333931", "price": "12.50", "unit_cost": "4.20", "reorder_point": "10",
        "safety_stock": "3", "description": "Hand-poured.",
        "images": "https://img.example/candle.jpg\n\nhttps://img.example/candle-2.jpg\n"}


def catalogue(api) -> tuple[str, str]:
    """A tax rate and a category of the workspace: (tax rate id, category id)."""
    rate = ok(api.post("/v1/tax-rates", json={"name": "Reduced", "rate": "0.07"}), 201)
    category = ok(api.post("/v1/categories", json={"name": "Candles"}), 201)
    return rate["id"], category["id"]


def test_a_member_creates_an_item_with_its_prices_tax_rate_category_and_images(workspace, member):
    rate, category = catalogue(workspace.api)
    page = ok(member.get("/items/new"))
    assert f'<option value="{rate}" >Reduced (7 %)</option>' in page.text
    assert f'<option value="{category}" >Candles</option>' in page.text
    r = member.submit("/items", {**hidden(page), **ITEM, "tax_rate": rate, "category": category})
    assert r.status_code == 303 and r.headers["location"].startswith("/items/CANDLE-1?done=")
    shown = unescape(member.client.get(r.headers["location"]).text)
    assert "Created CANDLE-1." in shown and "Record its opening stock" in shown
    item = ok(workspace.api.get("/v1/items/CANDLE-1"))
    assert (item["name"], item["barcode"], item["price"], item["unit_cost"], item["tax_rate"], item["category"]) == (
        "Lavender candle", "4006381333931", "12.50", "4.20", rate, category)
    assert (item["reorder_point"], item["safety_stock"], item["description"]) == (10, 3, "Hand-poured.")
    assert [i["url"] for i in item["images"]] == ["https://img.example/candle.jpg", "https://img.example/candle-2.jpg"]


def test_a_euro_workspace_writes_prices_with_a_decimal_comma(workspace, member):
    ok(workspace.api.patch("/v1/workspace", json={"currency": "EUR"}))
    r = member.submit("/items", {**hidden(ok(member.get("/items/new"))), **ITEM, "price": "12,50",
                                 "unit_cost": "1.234,5", "reorder_point": "2,5"})
    assert r.status_code == 303, r.text
    item = ok(workspace.api.get("/v1/items/CANDLE-1"))
    assert (item["price"], item["unit_cost"], item["reorder_point"]) == ("12.50", "1234.50", 2.5)
    assert 'name="price" value="12,5"' in ok(member.get("/items/CANDLE-1/edit")).text


def test_sending_the_form_twice_creates_one_item(workspace, member):
    form = {**hidden(ok(member.get("/items/new"))), **ITEM}
    first, second = member.submit("/items", form), member.submit("/items", form)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    assert ok(workspace.api.get("/v1/items?sku=CANDLE-1"))["meta"]["total"] == 1
    created = ok(workspace.api.get("/v1/audit-log?action=item.created"))["data"]
    assert len(created) == 1


def test_a_bad_item_is_refused_in_words_next_to_its_fields_with_what_was_typed(workspace, member):
    form = hidden(ok(member.get("/items/new")))
    r = member.submit("/items", {**form, **ITEM, "sku": "", "price": "twelve", "reorder_point": "-1",
                                 "images": "not a web address"})
    assert r.status_code == 422
    assert field_error(r, "sku") == "Give the item a SKU."
    assert "twelve" in field_error(r, "price")
    assert field_error(r, "reorder_point") and field_error(r, "images")
    assert 'name="name" value="Lavender candle"' in r.text and ">Hand-poured.</textarea>" in r.text
    ok(workspace.api.post("/v1/items", json={"sku": "TAKEN", "name": "First"}), 201)
    taken = member.submit("/items", {**form, **ITEM, "sku": "TAKEN"})
    assert taken.status_code == 409 and "already exists" in field_error(taken, "sku")
    assert ok(workspace.api.get("/v1/items"))["meta"]["total"] == 1  # nothing written


def test_an_edit_saves_and_is_audited_as_the_signed_in_user(workspace, member):
    ok(workspace.api.post("/v1/items", json={"sku": "MUG", "name": "Mug", "price": "8.00"}), 201)
    page = ok(member.get("/items/MUG/edit"))
    assert 'name="price" value="8"' in page.text or 'name="price" value="8.00"' in page.text
    fields = {**hidden(page), "sku": "MUG", "name": "Blue mug", "unit": "pcs", "kind": "product",
              "tracking": "quantity", "price": "9.5", "reorder_point": "4"}
    r = member.submit(f"/items/{ok(workspace.api.get('/v1/items/MUG'))['id']}/edit", fields)
    assert r.status_code == 303 and "Saved MUG." in unescape(member.client.get(r.headers["location"]).text)
    item = ok(workspace.api.get("/v1/items/MUG"))
    assert (item["name"], item["price"], item["reorder_point"]) == ("Blue mug", "9.50", 4)
    entry = ok(workspace.api.get("/v1/audit-log?action=item.updated"))["data"][0]
    assert (entry["actor"]["type"], entry["actor"]["name"]) == ("user", member.email)
    assert entry["changes"]["name"] == ["Mug", "Blue mug"]


def test_an_edit_after_someone_elses_change_is_refused_and_changes_nothing(workspace, member):
    made = ok(workspace.api.post("/v1/items", json={"sku": "BOWL", "name": "Bowl"}), 201)
    page = ok(member.get("/items/BOWL/edit"))
    ok(workspace.api.patch("/v1/items/BOWL", json={"name": "Stone bowl"}))  # meanwhile, elsewhere
    r = member.submit(f"/items/{made['id']}/edit", {**hidden(page), "sku": "BOWL", "name": "Wooden bowl"})
    assert r.status_code == 409
    assert "changed by someone else since you opened it" in unescape(r.text)
    assert 'name="name" value="Wooden bowl"' in r.text
    assert ok(workspace.api.get("/v1/items/BOWL"))["name"] == "Stone bowl"


def test_delete_to_the_trash_and_restore_with_its_stock(workspace, member):
    made = ok(workspace.api.post("/v1/items", json={"sku": "VASE", "name": "Vase"}), 201)
    ok(workspace.api.post("/v1/stock/adjustments", json={"item": "VASE", "reason": "receipt", "delta": 5}), 201)
    page = ok(member.get("/items/VASE/edit"))
    r = member.submit(f"/items/{made['id']}/delete", form_at(page.text, f"/items/{made['id']}/delete"))
    assert r.status_code == 303 and r.headers["location"].startswith("/trash?done=")
    assert workspace.api.get("/v1/items/VASE").status_code == 404
    gone = member.get("/items/VASE")  # its page says where it went, and offers it back
    assert gone.status_code == 404 and "This item is in the trash" in gone.text
    assert form_at(gone.text, f"/items/{made['id']}/restore")
    trash = ok(member.get(r.headers["location"]))
    assert "Moved VASE to the trash." in unescape(trash.text)
    back = member.submit(f"/items/{made['id']}/restore", form_at(trash.text, f"/items/{made['id']}/restore"))
    assert back.status_code == 303, back.text
    assert "Restored from the trash." in unescape(member.client.get(back.headers["location"]).text)
    assert ok(workspace.api.get("/v1/items/VASE"))["on_hand"] == 5
    actions = {e["action"] for e in ok(workspace.api.get("/v1/audit-log?resource_type=item"))["data"]
               if e["resource_id"] == made["id"] and e["actor"]["name"] == member.email}
    assert {"item.deleted", "item.restored"} <= actions


def test_a_delete_after_someone_elses_change_is_refused(workspace, member):
    made = ok(workspace.api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp"}), 201)
    page = ok(member.get("/items/LAMP/edit"))
    ok(workspace.api.patch("/v1/items/LAMP", json={"price": "30"}))
    r = member.submit(f"/items/{made['id']}/delete", form_at(page.text, f"/items/{made['id']}/delete"))
    assert r.status_code == 409 and "changed by someone else" in unescape(r.text)
    assert ok(workspace.api.get("/v1/items/LAMP"))["name"] == "Lamp"


def test_a_viewer_may_not_make_change_or_delete_items(workspace, viewer):
    made = ok(workspace.api.post("/v1/items", json={"sku": "ROPE", "name": "Rope"}), 201)
    assert viewer.get("/items/new").status_code == 403 and viewer.get("/items/ROPE/edit").status_code == 403
    r = viewer.submit("/items", ITEM)
    assert r.status_code == 403 and "may not change items" in unescape(r.text)
    edit = viewer.submit(f"/items/{made['id']}/edit", {"sku": "ROPE", "name": "Mine", "version": "1"})
    assert edit.status_code == 403
    assert viewer.submit(f"/items/{made['id']}/delete", {"version": "1"}).status_code == 403
    assert ok(workspace.api.get("/v1/items?sku=CANDLE-1"))["meta"]["total"] == 0
    assert ok(workspace.api.get("/v1/items/ROPE"))["name"] == "Rope"
    page = ok(viewer.get("/items/ROPE")).text
    assert "/items/new" not in ok(viewer.get("/items")).text and "/edit" not in page


def test_another_workspaces_item_is_not_found(workspace, other_workspace, app):
    theirs = ok(other_workspace.api.post("/v1/items", json={"sku": "THEIRS", "name": "Theirs"}), 201)
    member = sign_in(app, workspace, "member")
    assert member.get("/items/THEIRS/edit").status_code == 404
    assert member.get(f"/items/{theirs['id']}/edit").status_code == 404
    assert member.submit(f"/items/{theirs['id']}/edit", {"sku": "X", "name": "Ours", "version": "1"}).status_code == 404
    assert member.submit(f"/items/{theirs['id']}/delete", {"version": "1"}).status_code == 404
    ok(other_workspace.api.delete("/v1/items/THEIRS"), 204)
    assert member.submit(f"/items/{theirs['id']}/restore", {}).status_code == 404
    assert "THEIRS" not in ok(member.get("/trash")).text
    theirs_page = member.get("/items/THEIRS")
    assert theirs_page.status_code == 404 and "in the trash" not in theirs_page.text
    assert other_workspace.api.get("/v1/items/THEIRS").status_code == 404  # still in their trash


def test_the_item_form_runs_the_same_statements_however_many_items_and_choices(workspace, member):
    def counted() -> int:
        with statements(workspace.db) as seen:
            ok(member.get("/items/new"))
        return len(seen)

    before = counted()
    for n in range(5):
        ok(workspace.api.post("/v1/categories", json={"name": f"Category {n}"}), 201)
        ok(workspace.api.post("/v1/tax-rates", json={"name": f"Rate {n}", "rate": "0.1"}), 201)
        ok(workspace.api.post("/v1/locations", json={"name": f"Place {n}"}), 201)
        ok(workspace.api.post("/v1/items", json={"sku": f"N-{n}", "name": "N"}), 201)
    assert counted() == before
    trash = re.findall(r"<tr>", ok(member.get("/trash")).text)
    assert trash == []  # nothing deleted: no rows, only the words saying so


def test_sending_an_edit_twice_changes_the_item_once(workspace, member):
    made = ok(workspace.api.post("/v1/items", json={"sku": "CUP", "name": "Cup"}), 201)
    page = ok(member.get("/items/CUP/edit"))
    form = {**hidden(page), "sku": "CUP", "name": "Tea cup", "unit": "pcs", "kind": "product", "tracking": "quantity"}
    first, second = member.submit(f"/items/{made['id']}/edit", form), member.submit(f"/items/{made['id']}/edit", form)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == first.headers["location"]  # not refused as stale: the same answer again
    assert ok(workspace.api.get("/v1/items/CUP"))["version"] == made["version"] + 1
    assert len(ok(workspace.api.get("/v1/audit-log?action=item.updated"))["data"]) == 1


def test_the_trash_runs_the_same_statements_however_much_is_in_it(workspace, member):
    def counted() -> int:
        with statements(workspace.db) as seen:
            ok(member.get("/trash"))
        return len(seen)

    def trash_one(n: int) -> None:
        ok(workspace.api.post("/v1/items", json={"sku": f"GONE-{n}", "name": "Gone"}), 201)
        ok(workspace.api.delete(f"/v1/items/GONE-{n}"), 204)
        ok(workspace.api.post("/v1/locations", json={"name": f"Gone {n}"}), 201)
        ok(workspace.api.delete(f"/v1/locations/Gone {n}"), 204)

    trash_one(0)
    before = counted()
    for n in range(1, 6):
        trash_one(n)
    assert counted() == before
    page = unescape(ok(member.get("/trash")).text)
    assert all(f"GONE-{n}" in page and f"Gone {n}" in page for n in range(6))


BAD = {"sku": "A\x00B", "name": "x" * 600, "unit": "parsecs", "kind": "vegetable", "tracking": "sometimes",
       "tax_rate": "txr_nope", "category": "cat_nope", "home_location": "Nowhere", "price": "1e400",
       "unit_cost": "-3", "reorder_point": "9" * 30, "safety_stock": "1,2,3", "barcode": "b" * 200,
       "description": "\x00", "images": "\n".join(f"https://img.example/{n}.jpg" for n in range(30))}


def test_nonsense_in_any_field_is_refused_in_words_and_writes_nothing(workspace, member):
    """Each field alone, then all together: a 4xx page that names the field, never a 500."""
    form = hidden(ok(member.get("/items/new")))
    for name, value in BAD.items():
        r = member.submit("/items", {**form, **ITEM, name: value})
        assert 400 <= r.status_code < 500, (name, r.status_code, r.text[-500:])
        assert "was not created" in r.text, name
    r = member.submit("/items", {**form, **BAD})
    assert r.status_code == 422
    assert ok(workspace.api.get("/v1/items"))["meta"]["total"] == 0
    made = ok(workspace.api.post("/v1/items", json={"sku": "OK", "name": "Fine"}), 201)
    page = ok(member.get("/items/OK/edit"))
    for name, value in BAD.items():
        r = member.submit(f"/items/{made['id']}/edit", {**hidden(page), **ITEM, "sku": "OK", name: value})
        assert 400 <= r.status_code < 500, (name, r.status_code, r.text[-500:])
    assert ok(workspace.api.get("/v1/items/OK"))["version"] == made["version"]


def test_an_items_own_category_is_offered_even_past_the_first_ones(workspace, member, monkeypatch):
    """Saving the form never drops a category it did not list (a workspace with more of them than
    the form offers)."""
    from storekeeper.web import item_forms

    monkeypatch.setattr(item_forms, "CHOICES", 2)
    ids = [ok(workspace.api.post("/v1/categories", json={"name": name}), 201)["id"] for name in ("A", "B", "Zinc")]
    made = ok(workspace.api.post("/v1/items", json={"sku": "PIPE", "name": "Pipe", "category": ids[2]}), 201)
    page = ok(member.get("/items/PIPE/edit"))
    assert re.search(rf'<option value="{ids[2]}" selected>Zinc</option>', page.text)
    r = member.submit(f"/items/{made['id']}/edit", {**hidden(page), "sku": "PIPE", "name": "Copper pipe",
                                                    "category": ids[2]})
    assert r.status_code == 303
    assert ok(workspace.api.get("/v1/items/PIPE"))["category"] == ids[2]


def test_one_form_sent_from_many_tabs_at_once_creates_one_item(workspace, member):
    """Real threads, one form key: one creates it, the others are sent on to it or told that the
    form is being sent already; never a second item, never a 500."""
    from tests.concurrency import at_once

    form = {**hidden(ok(member.get("/items/new"))), **ITEM, "csrf_token": member.csrf()}
    answers = at_once([lambda: member.client.post("/items", data=form, follow_redirects=False)] * 6)
    statuses = sorted(r.status_code for r in answers)
    assert set(statuses) <= {303, 409} and 303 in statuses, statuses
    assert all("being sent already" in unescape(r.text) for r in answers if r.status_code == 409)
    assert ok(workspace.api.get("/v1/items?sku=CANDLE-1"))["meta"]["total"] == 1


def test_two_people_creating_one_sku_at_once_make_one_item_and_the_other_is_told(workspace, member, app):
    from tests.concurrency import at_once

    other = sign_in(app, workspace, "member", email=f"second@{workspace.id.lower()}.example")
    sends = [(who, {**hidden(ok(who.get("/items/new"))), **ITEM, "csrf_token": who.csrf()}) for who in (member, other)]
    answers = at_once([lambda who=who, form=form: who.client.post("/items", data=form, follow_redirects=False)
                       for who, form in sends])
    assert sorted(r.status_code for r in answers) == [303, 409]
    refused = next(r for r in answers if r.status_code == 409)
    assert "already exists" in field_error(refused, "sku")
    assert ok(workspace.api.get("/v1/items?sku=CANDLE-1"))["meta"]["total"] == 1


def test_a_form_sent_then_changed_and_sent_again_says_so(workspace, member):
    """The browser's Back after saving, a change, Save: the old form's key has done its work."""
    made = ok(workspace.api.post("/v1/items", json={"sku": "JUG", "name": "Jug"}), 201)
    form = {**hidden(ok(member.get("/items/JUG/edit"))), "sku": "JUG", "name": "Milk jug"}
    assert member.submit(f"/items/{made['id']}/edit", form).status_code == 303
    r = member.submit(f"/items/{made['id']}/edit", {**form, "name": "Water jug"})
    assert r.status_code == 422 and "This form was sent already with other values" in unescape(r.text)
    assert ok(workspace.api.get("/v1/items/JUG"))["name"] == "Milk jug"


def test_an_item_whose_sku_was_taken_meanwhile_is_not_restored_and_says_why(workspace, member):
    old = ok(workspace.api.post("/v1/items", json={"sku": "SOCK", "name": "Old sock"}), 201)
    ok(workspace.api.delete("/v1/items/SOCK"), 204)
    ok(workspace.api.post("/v1/items", json={"sku": "SOCK", "name": "New sock"}), 201)
    trash = ok(member.get("/trash"))
    r = member.submit(f"/items/{old['id']}/restore", form_at(trash.text, f"/items/{old['id']}/restore"))
    assert r.status_code == 409 and "was given to another item meanwhile" in unescape(r.text)
    assert ok(workspace.api.get("/v1/items/SOCK"))["name"] == "New sock"
