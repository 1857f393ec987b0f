"""Categories made, renamed, moved and deleted in the dashboard (issue 22), through the real app:
the same rules as /v1/categories, refusals in words next to their fields, each form acting once,
an edit refused when someone else changed the category since the form was opened, every change
audited as the signed-in user, another workspace's category not found."""

from __future__ import annotations

import re
from html import unescape

from tests.sql_counting import statements
from tests.web.conftest import sign_in
from tests.web.test_location_forms import field_error, form_at, ok


def hidden(page) -> dict[str, str]:
    action = re.search(r'<form method="post" action="(/categories[^"]*)"', page.text).group(1)
    return form_at(page.text, action)


def named(api, name: str) -> dict:
    found = [c for c in ok(api.get("/v1/categories?limit=200"))["data"] if c["name"] == name]
    return found[0] if found else {}


def test_a_member_makes_a_category_inside_another_and_the_page_shows_the_tree(workspace, member):
    r = member.submit("/categories", {**hidden(ok(member.get("/categories/new"))), "name": "Home"})
    assert r.status_code == 303 and r.headers["location"].startswith("/categories?done=")
    assert "Created the category Home." in unescape(member.client.get(r.headers["location"]).text)
    home = named(workspace.api, "Home")
    page = ok(member.get(f"/categories/new?parent={home['id']}"))
    assert f'<option value="{home["id"]}" selected>Home</option>' in page.text
    ok(member.submit("/categories", {**hidden(page), "name": "Candles", "parent": home["id"]}), 303)
    assert named(workspace.api, "Candles")["parent"] == home["id"]
    listed = unescape(ok(member.get("/categories")).text)
    assert listed.index("Home") < listed.index("└ Candles")
    entry = ok(workspace.api.get("/v1/audit-log?resource_type=category&action=category.created"))["data"][0]
    assert (entry["actor"]["type"], entry["actor"]["name"]) == ("user", member.email)


def test_rename_and_move_under_another_parent(workspace, member):
    shop = ok(workspace.api.post("/v1/categories", json={"name": "Shop"}), 201)
    made = ok(workspace.api.post("/v1/categories", json={"name": "Soap"}), 201)
    page = ok(member.get(f"/categories/{made['id']}/edit"))
    assert 'name="name" value="Soap"' in page.text
    r = member.submit(f"/categories/{made['id']}/edit", {**hidden(page), "name": "Soaps", "parent": shop["id"]})
    assert r.status_code == 303, r.text
    after = ok(workspace.api.get(f"/v1/categories/{made['id']}"))
    assert (after["name"], after["parent"]) == ("Soaps", shop["id"])
    back = member.submit(f"/categories/{made['id']}/edit",
                         {**hidden(ok(member.get(f"/categories/{made['id']}/edit"))), "name": "Soaps", "parent": ""})
    assert back.status_code == 303 and ok(workspace.api.get(f"/v1/categories/{made['id']}"))["parent"] is None
    entry = ok(workspace.api.get("/v1/audit-log?resource_type=category&action=category.updated"))["data"][0]
    assert (entry["resource_id"], entry["actor"]["name"]) == (made["id"], member.email)


def test_bad_input_is_refused_in_words_and_writes_nothing(workspace, member):
    form = hidden(ok(member.get("/categories/new")))
    r = member.submit("/categories", {**form, "name": "   "})
    assert r.status_code == 422 and field_error(r, "name") == "Give the category a name."
    assert "The category was not created" in r.text
    long = member.submit("/categories", {**form, "name": "x" * 201})
    assert long.status_code == 422 and "200 characters" in field_error(long, "name")
    assert member.submit("/categories", {**form, "name": "N\x00"}).status_code == 422
    ok(workspace.api.post("/v1/categories", json={"name": "Taken"}), 201)
    taken = member.submit("/categories", {**form, "name": "Taken"})
    assert taken.status_code == 409
    assert field_error(taken, "name") == "A category with this name already exists under the same parent."
    assert 'name="name" value="Taken"' in taken.text
    assert [c["name"] for c in ok(workspace.api.get("/v1/categories"))["data"]] == ["Taken"]


def test_a_category_cannot_move_inside_its_own_subcategory(workspace, member):
    top = ok(workspace.api.post("/v1/categories", json={"name": "Top"}), 201)
    sub = ok(workspace.api.post("/v1/categories", json={"name": "Sub", "parent": top["id"]}), 201)
    page = ok(member.get(f"/categories/{top['id']}/edit"))
    assert f'value="{sub["id"]}"' not in page.text  # not offered
    r = member.submit(f"/categories/{top['id']}/edit", {**hidden(page), "name": "Top", "parent": sub["id"]})
    assert r.status_code == 422
    assert field_error(r, "parent") == "A category cannot be inside itself or its own subcategory."
    assert ok(workspace.api.get(f"/v1/categories/{top['id']}"))["parent"] is None


def test_sending_the_form_twice_makes_one_category(workspace, member):
    form = {**hidden(ok(member.get("/categories/new"))), "name": "Twice"}
    first, second = member.submit("/categories", form), member.submit("/categories", form)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    assert [c["name"] for c in ok(workspace.api.get("/v1/categories"))["data"]] == ["Twice"]


def test_an_edit_after_someone_elses_change_is_refused_and_changes_nothing(workspace, member):
    made = ok(workspace.api.post("/v1/categories", json={"name": "Wax"}), 201)
    page = ok(member.get(f"/categories/{made['id']}/edit"))
    ok(workspace.api.patch(f"/v1/categories/{made['id']}", json={"name": "Waxes"}))  # meanwhile, elsewhere
    r = member.submit(f"/categories/{made['id']}/edit", {**hidden(page), "name": "Wax blocks"})
    assert r.status_code == 409 and "changed by someone else since you opened it" in unescape(r.text)
    assert 'name="name" value="Wax blocks"' in r.text
    assert ok(workspace.api.get(f"/v1/categories/{made['id']}"))["name"] == "Waxes"


def test_delete_and_the_refusals_of_a_category_with_items_or_subcategories(workspace, member):
    full = ok(workspace.api.post("/v1/categories", json={"name": "Full"}), 201)
    ok(workspace.api.post("/v1/items", json={"sku": "IN-FULL", "name": "In full", "category": full["id"]}), 201)
    parent = ok(workspace.api.post("/v1/categories", json={"name": "Parent"}), 201)
    ok(workspace.api.post("/v1/categories", json={"name": "Child", "parent": parent["id"]}), 201)
    empty = ok(workspace.api.post("/v1/categories", json={"name": "Empty"}), 201)
    for made, words in ((full, "The category still has items: move them to another category first."),
                        (parent, "The category has subcategories: delete or move them first.")):
        page = ok(member.get(f"/categories/{made['id']}/edit"))
        r = member.submit(f"/categories/{made['id']}/delete", form_at(page.text, f"/categories/{made['id']}/delete"))
        assert r.status_code == 409 and words in unescape(r.text)
        assert ok(workspace.api.get(f"/v1/categories/{made['id']}"))["name"] == made["name"]
    page = ok(member.get(f"/categories/{empty['id']}/edit"))
    r = member.submit(f"/categories/{empty['id']}/delete", form_at(page.text, f"/categories/{empty['id']}/delete"))
    assert r.status_code == 303 and "Deleted the category Empty." in unescape(member.client.get(
        r.headers["location"]).text)
    assert workspace.api.get(f"/v1/categories/{empty['id']}").status_code == 404
    again = member.submit(f"/categories/{empty['id']}/delete",
                          form_at(page.text, f"/categories/{empty['id']}/delete"))
    assert again.status_code == 303 and again.headers["location"] == r.headers["location"]  # a double click


def test_a_viewer_sees_the_tree_but_may_not_change_it(workspace, viewer):
    made = ok(workspace.api.post("/v1/categories", json={"name": "Seen"}), 201)
    page = ok(viewer.get("/categories"))
    assert "Seen" in page.text and "/categories/new" not in page.text and "/edit" not in page.text
    assert viewer.get("/categories/new").status_code == 403
    r = viewer.submit("/categories", {"name": "Sneaky"})
    assert r.status_code == 403 and "may not change items" in unescape(r.text)
    assert viewer.submit(f"/categories/{made['id']}/edit", {"name": "Mine", "version": "1"}).status_code == 403
    assert viewer.submit(f"/categories/{made['id']}/delete", {"version": "1"}).status_code == 403
    assert named(workspace.api, "Sneaky") == {} and named(workspace.api, "Seen")


def test_another_workspaces_category_is_not_found(workspace, other_workspace, app):
    theirs = ok(other_workspace.api.post("/v1/categories", json={"name": "Theirs"}), 201)
    member = sign_in(app, workspace, "member")
    assert member.get(f"/categories/{theirs['id']}/edit").status_code == 404
    assert member.submit(f"/categories/{theirs['id']}/edit", {"name": "Ours", "version": "1"}).status_code == 404
    assert member.submit(f"/categories/{theirs['id']}/delete", {"version": "1"}).status_code == 404
    assert "Theirs" not in member.get("/categories").text
    inside = member.submit("/categories", {**hidden(member.get("/categories/new")), "name": "Mine",
                                           "parent": theirs["id"]})
    assert inside.status_code == 422
    assert field_error(inside, "parent") == "That category is not here any more: choose another."
    assert ok(workspace.api.get("/v1/categories"))["data"] == []
    assert ok(other_workspace.api.get(f"/v1/categories/{theirs['id']}"))["name"] == "Theirs"


def test_the_page_makes_the_same_statements_however_many_categories(workspace, member, app):
    def count() -> int:
        with statements(workspace.db) as seen:
            ok(member.get("/categories"))
        return len(seen)

    ok(workspace.api.post("/v1/categories", json={"name": "One"}), 201)
    few = count()
    top = ok(workspace.api.post("/v1/categories", json={"name": "Two"}), 201)
    for n in range(5):
        ok(workspace.api.post("/v1/categories", json={"name": f"Inner {n}", "parent": top["id"]}), 201)
    assert count() == few
