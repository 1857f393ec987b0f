"""Tax rates made, changed and deleted in the dashboard (issue 22), through the real app: written
as a percentage in the workspace's marks, the same rules as /v1/tax-rates, refusals in words next
to their fields, each form acting once, an edit refused when someone else changed the rate since
the form was opened, every change audited as the signed-in user."""

from __future__ import annotations

import re
from html import unescape

from tests.web.conftest import sign_in
from tests.web.test_location_forms import field_error, form_at, ok


def hidden(page) -> dict[str, str]:
    action = re.search(r'<form method="post" action="(/tax-rates[^"]*)"', page.text).group(1)
    return form_at(page.text, action)


def rates(api) -> dict[str, dict]:
    return {r["name"]: r for r in ok(api.get("/v1/tax-rates?limit=100"))["data"]}


def test_a_member_makes_a_default_rate_written_as_a_percentage(workspace, member):
    ok(workspace.api.post("/v1/tax-rates", json={"name": "Old default", "rate": "0.16", "is_default": True}), 201)
    r = member.submit("/tax-rates", {**hidden(ok(member.get("/tax-rates/new"))), "name": "Standard", "rate": "19",
                                     "is_default": "on"})
    assert r.status_code == 303 and r.headers["location"].startswith("/tax-rates?done=")
    listed = unescape(member.client.get(r.headers["location"]).text)
    assert "Created the tax rate Standard." in listed and "19 %" in listed
    made = rates(workspace.api)
    assert (made["Standard"]["rate"], made["Standard"]["is_default"]) == ("0.19", True)
    assert made["Old default"]["is_default"] is False
    entry = ok(workspace.api.get("/v1/audit-log?resource_type=tax_rate&action=tax_rate.created"))["data"][0]
    assert (entry["actor"]["type"], entry["actor"]["name"]) == ("user", member.email)


def test_a_euro_workspace_writes_the_rate_with_a_decimal_comma(workspace, member):
    ok(workspace.api.patch("/v1/workspace", json={"currency": "EUR"}))
    r = member.submit("/tax-rates", {**hidden(ok(member.get("/tax-rates/new"))), "name": "Reduced", "rate": "7,5"})
    assert r.status_code == 303, r.text
    made = rates(workspace.api)["Reduced"]
    assert made["rate"] == "0.075"
    assert 'name="rate" value="7,5"' in ok(member.get(f"/tax-rates/{made['id']}/edit")).text


def test_an_edit_changes_name_rate_and_default_and_is_audited(workspace, member):
    made = ok(workspace.api.post("/v1/tax-rates", json={"name": "Food", "rate": "0.07"}), 201)
    page = ok(member.get(f"/tax-rates/{made['id']}/edit"))
    assert 'name="rate" value="7"' in page.text
    r = member.submit(f"/tax-rates/{made['id']}/edit", {**hidden(page), "name": "Food and books", "rate": "5",
                                                        "is_default": "on"})
    assert r.status_code == 303, r.text
    after = ok(workspace.api.get(f"/v1/tax-rates/{made['id']}"))
    assert (after["name"], after["rate"], after["is_default"]) == ("Food and books", "0.05", True)
    page = ok(member.get(f"/tax-rates/{made['id']}/edit"))
    ok(member.submit(f"/tax-rates/{made['id']}/edit", {**hidden(page), "name": "Food and books", "rate": "5"}), 303)
    assert ok(workspace.api.get(f"/v1/tax-rates/{made['id']}"))["is_default"] is False  # unticked: not the default
    entry = ok(workspace.api.get("/v1/audit-log?resource_type=tax_rate&action=tax_rate.updated"))["data"][0]
    assert (entry["resource_id"], entry["actor"]["name"]) == (made["id"], member.email)


def test_bad_input_is_refused_in_words_and_writes_nothing(workspace, member):
    form = hidden(ok(member.get("/tax-rates/new")))
    r = member.submit("/tax-rates", {**form, "name": "", "rate": "nineteen"})
    assert r.status_code == 422
    assert field_error(r, "name") == "Give the tax rate a name." and "nineteen" in field_error(r, "rate")
    assert "The tax rate was not created" in r.text
    high = member.submit("/tax-rates", {**form, "name": "Too much", "rate": "120"})
    assert high.status_code == 422
    assert field_error(high, "rate") == "A rate is a percentage from 0 to 100 (19 for 19 %)."
    assert 'name="name" value="Too much"' in high.text
    assert member.submit("/tax-rates", {**form, "name": "Neg", "rate": "-1"}).status_code == 422
    assert member.submit("/tax-rates", {**form, "name": "N\x00", "rate": "1"}).status_code == 422
    ok(workspace.api.post("/v1/tax-rates", json={"name": "Taken", "rate": "0.1"}), 201)
    taken = member.submit("/tax-rates", {**form, "name": "Taken", "rate": "10"})
    assert taken.status_code == 409 and field_error(taken, "name") == "A tax rate with this name already exists."
    assert list(rates(workspace.api)) == ["Taken"]


def test_sending_the_form_twice_makes_one_rate(workspace, member):
    form = {**hidden(ok(member.get("/tax-rates/new"))), "name": "Twice", "rate": "10"}
    first, second = member.submit("/tax-rates", form), member.submit("/tax-rates", form)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    assert list(rates(workspace.api)) == ["Twice"]


def test_an_edit_after_someone_elses_change_is_refused_and_changes_nothing(workspace, member):
    made = ok(workspace.api.post("/v1/tax-rates", json={"name": "Books", "rate": "0.07"}), 201)
    page = ok(member.get(f"/tax-rates/{made['id']}/edit"))
    ok(workspace.api.patch(f"/v1/tax-rates/{made['id']}", json={"rate": "0.05"}))  # meanwhile, elsewhere
    r = member.submit(f"/tax-rates/{made['id']}/edit", {**hidden(page), "name": "Books", "rate": "9"})
    assert r.status_code == 409 and "changed by someone else since you opened it" in unescape(r.text)
    assert 'name="rate" value="9"' in r.text
    assert ok(workspace.api.get(f"/v1/tax-rates/{made['id']}"))["rate"] == "0.05"


def test_delete_and_the_refusal_of_a_rate_that_items_use(workspace, member):
    used = ok(workspace.api.post("/v1/tax-rates", json={"name": "Used", "rate": "0.19"}), 201)
    ok(workspace.api.post("/v1/items", json={"sku": "TAXED", "name": "Taxed", "tax_rate": used["id"]}), 201)
    page = ok(member.get(f"/tax-rates/{used['id']}/edit"))
    r = member.submit(f"/tax-rates/{used['id']}/delete", form_at(page.text, f"/tax-rates/{used['id']}/delete"))
    assert r.status_code == 409
    assert "Items still use this tax rate: give them another rate first." in unescape(r.text)
    assert "Used" in rates(workspace.api)
    spare = ok(workspace.api.post("/v1/tax-rates", json={"name": "Spare", "rate": "0.02"}), 201)
    page = ok(member.get(f"/tax-rates/{spare['id']}/edit"))
    r = member.submit(f"/tax-rates/{spare['id']}/delete", form_at(page.text, f"/tax-rates/{spare['id']}/delete"))
    assert r.status_code == 303 and "Deleted the tax rate Spare." in unescape(member.client.get(
        r.headers["location"]).text)
    assert "Spare" not in rates(workspace.api)
    again = member.submit(f"/tax-rates/{spare['id']}/delete", form_at(page.text, f"/tax-rates/{spare['id']}/delete"))
    assert again.status_code == 303 and again.headers["location"] == r.headers["location"]  # a double click


def test_a_viewer_sees_the_rates_but_may_not_change_them(workspace, viewer):
    made = ok(workspace.api.post("/v1/tax-rates", json={"name": "Seen", "rate": "0.19"}), 201)
    page = ok(viewer.get("/tax-rates"))
    assert "Seen" in page.text and "/tax-rates/new" not in page.text and "/edit" not in page.text
    assert viewer.get("/tax-rates/new").status_code == 403
    r = viewer.submit("/tax-rates", {"name": "Sneaky", "rate": "1"})
    assert r.status_code == 403 and "may not change items" in unescape(r.text)
    assert viewer.submit(f"/tax-rates/{made['id']}/edit", {"name": "Mine", "rate": "1",
                                                           "version": "1"}).status_code == 403
    assert viewer.submit(f"/tax-rates/{made['id']}/delete", {"version": "1"}).status_code == 403
    assert list(rates(workspace.api)) == ["Seen"]


def test_another_workspaces_rate_is_not_found(workspace, other_workspace, app):
    theirs = ok(other_workspace.api.post("/v1/tax-rates", json={"name": "Theirs", "rate": "0.2"}), 201)
    member = sign_in(app, workspace, "member")
    assert member.get(f"/tax-rates/{theirs['id']}/edit").status_code == 404
    r = member.submit(f"/tax-rates/{theirs['id']}/edit", {"name": "Ours", "rate": "1", "version": "1"})
    assert r.status_code == 404
    assert member.submit(f"/tax-rates/{theirs['id']}/delete", {"version": "1"}).status_code == 404
    assert "Theirs" not in member.get("/tax-rates").text
    assert ok(other_workspace.api.get(f"/v1/tax-rates/{theirs['id']}"))["name"] == "Theirs"
