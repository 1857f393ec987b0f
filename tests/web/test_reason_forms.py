"""The workspace's own stock reasons made, changed and deleted in the dashboard (issue 22), the
built-in ones listed read-only, through the real app: the same rules as /v1/reasons (stock:write),
refusals in words next to their fields, each form acting once, an edit refused when someone else
changed the reason since the form was opened, every change audited as the signed-in user."""

from __future__ import annotations

import re
from html import unescape

from tests.web.conftest import sign_in
from tests.web.test_location_forms import field_error, form_at, ok


def hidden(page) -> dict[str, str]:
    action = re.search(r'<form method="post" action="(/reasons[^"]*)"', page.text).group(1)
    return form_at(page.text, action)


def custom(api) -> dict[str, dict]:
    return {r["code"]: r for r in ok(api.get("/v1/reasons"))["data"] if not r["builtin"]}


NEW = {"code": "sample", "name": "Free sample", "direction": "out"}


def test_a_member_makes_a_reason_that_the_adjust_form_then_offers(workspace, member):
    r = member.submit("/reasons", {**hidden(ok(member.get("/reasons/new"))), **NEW})
    assert r.status_code == 303 and r.headers["location"].startswith("/reasons?done=")
    listed = unescape(member.client.get(r.headers["location"]).text)
    assert "Created the reason Free sample." in listed and "Stock goes out" in listed
    made = custom(workspace.api)["sample"]
    assert (made["name"], made["direction"]) == ("Free sample", "out")
    ok(workspace.api.post("/v1/items", json={"sku": "SAMPLED", "name": "Sampled"}), 201)
    assert "Free sample" in ok(member.get("/items/SAMPLED/adjust?mode=out")).text
    entry = ok(workspace.api.get("/v1/audit-log?resource_type=reason&action=reason.created"))["data"][0]
    assert (entry["actor"]["type"], entry["actor"]["name"]) == ("user", member.email)


def test_the_built_in_reasons_are_listed_and_offer_no_edit(workspace, member):
    page = unescape(ok(member.get("/reasons")).text)
    assert "Built-in reasons" in page and "<code>receipt</code>" in page and "<code>sale</code>" in page
    assert "/reasons/None/edit" not in page and page.count("/edit") == 0


def test_an_edit_changes_name_and_direction_but_never_the_code(workspace, member):
    made = ok(workspace.api.post("/v1/reasons", json=NEW), 201)
    page = ok(member.get(f"/reasons/{made['id']}/edit"))
    assert 'name="code"' not in page.text and "<code>sample</code>" in page.text
    r = member.submit(f"/reasons/{made['id']}/edit", {**hidden(page), "name": "Tasting", "direction": "any",
                                                      "code": "other"})
    assert r.status_code == 303, r.text
    after = ok(workspace.api.get(f"/v1/reasons/{made['id']}"))
    assert (after["code"], after["name"], after["direction"]) == ("sample", "Tasting", "any")
    entry = ok(workspace.api.get("/v1/audit-log?resource_type=reason&action=reason.updated"))["data"][0]
    assert (entry["resource_id"], entry["actor"]["name"]) == (made["id"], member.email)


def test_bad_input_is_refused_in_words_and_writes_nothing(workspace, member):
    form = hidden(ok(member.get("/reasons/new")))
    r = member.submit("/reasons", {**form, "code": "Free Sample!", "name": "", "direction": "sideways"})
    assert r.status_code == 422
    assert field_error(r, "code").startswith("Use lower-case letters, digits and _")
    assert field_error(r, "name").startswith("Give the reason a name")
    assert field_error(r, "direction")
    assert 'name="code" value="Free Sample!"' in r.text and "The reason was not created" in r.text
    assert member.submit("/reasons", {**form, **NEW, "name": "x" * 201}).status_code == 422
    assert member.submit("/reasons", {**form, **NEW, "name": "N\x00"}).status_code == 422
    builtin = member.submit("/reasons", {**form, **NEW, "code": "sale"})
    assert builtin.status_code == 409 and field_error(builtin, "code") == "A reason with this code already exists."
    ok(workspace.api.post("/v1/reasons", json=NEW), 201)
    taken = member.submit("/reasons", {**form, **NEW, "name": "Again"})
    assert taken.status_code == 409 and field_error(taken, "code") == "A reason with this code already exists."
    assert list(custom(workspace.api)) == ["sample"]


def test_sending_the_form_twice_makes_one_reason(workspace, member):
    form = {**hidden(ok(member.get("/reasons/new"))), **NEW}
    first, second = member.submit("/reasons", form), member.submit("/reasons", form)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    assert list(custom(workspace.api)) == ["sample"]


def test_an_edit_after_someone_elses_change_is_refused_and_changes_nothing(workspace, member):
    made = ok(workspace.api.post("/v1/reasons", json=NEW), 201)
    page = ok(member.get(f"/reasons/{made['id']}/edit"))
    ok(workspace.api.patch(f"/v1/reasons/{made['id']}", json={"name": "Giveaway"}))  # meanwhile, elsewhere
    r = member.submit(f"/reasons/{made['id']}/edit", {**hidden(page), "name": "Tasting", "direction": "out"})
    assert r.status_code == 409 and "changed by someone else since you opened it" in unescape(r.text)
    assert 'name="name" value="Tasting"' in r.text
    assert ok(workspace.api.get(f"/v1/reasons/{made['id']}"))["name"] == "Giveaway"


def test_delete_keeps_the_movements_code(workspace, member):
    made = ok(workspace.api.post("/v1/reasons", json={**NEW, "direction": "any"}), 201)
    ok(workspace.api.post("/v1/items", json={"sku": "GIVEN", "name": "Given"}), 201)
    ok(workspace.api.post("/v1/stock/adjustments", json={"item": "GIVEN", "reason": "sample", "delta": 2}), 201)
    page = ok(member.get(f"/reasons/{made['id']}/edit"))
    r = member.submit(f"/reasons/{made['id']}/delete", form_at(page.text, f"/reasons/{made['id']}/delete"))
    assert r.status_code == 303 and "Deleted the reason Free sample." in unescape(member.client.get(
        r.headers["location"]).text)
    assert custom(workspace.api) == {}
    moved = ok(workspace.api.get("/v1/stock/movements?item=GIVEN"))["data"]
    assert [m["reason"] for m in moved] == ["sample"]
    again = member.submit(f"/reasons/{made['id']}/delete", form_at(page.text, f"/reasons/{made['id']}/delete"))
    assert again.status_code == 303 and again.headers["location"] == r.headers["location"]  # a double click


def test_a_viewer_sees_the_reasons_but_may_not_change_them(workspace, viewer):
    made = ok(workspace.api.post("/v1/reasons", json=NEW), 201)
    page = ok(viewer.get("/reasons"))
    assert "Free sample" in page.text and "/reasons/new" not in page.text and "/edit" not in page.text
    assert viewer.get("/reasons/new").status_code == 403
    r = viewer.submit("/reasons", {**NEW, "code": "sneaky"})
    assert r.status_code == 403 and "may not change stock" in unescape(r.text)
    assert viewer.submit(f"/reasons/{made['id']}/edit", {"name": "Mine", "direction": "in",
                                                         "version": "1"}).status_code == 403
    assert viewer.submit(f"/reasons/{made['id']}/delete", {"version": "1"}).status_code == 403
    assert list(custom(workspace.api)) == ["sample"]


def test_another_workspaces_reason_is_not_found(workspace, other_workspace, app):
    theirs = ok(other_workspace.api.post("/v1/reasons", json=NEW), 201)
    member = sign_in(app, workspace, "member")
    assert member.get(f"/reasons/{theirs['id']}/edit").status_code == 404
    r = member.submit(f"/reasons/{theirs['id']}/edit", {"name": "Ours", "direction": "in", "version": "1"})
    assert r.status_code == 404
    assert member.submit(f"/reasons/{theirs['id']}/delete", {"version": "1"}).status_code == 404
    assert "Free sample" not in member.get("/reasons").text
    assert ok(other_workspace.api.get(f"/v1/reasons/{theirs['id']}"))["name"] == "Free sample"
