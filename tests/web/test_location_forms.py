"""Locations made, changed, deleted and restored in the dashboard (issue 22), through the real app:
the same rules as /v1/locations, refusals in words next to their fields, each form acting once,
an edit refused when someone else changed the location since the form was opened, every change
audited as the signed-in user."""

from __future__ import annotations

import re
from html import unescape

from tests.web.conftest import field_error, form_at, sign_in


def ok(r, status: int = 200):
    assert r.status_code == status, r.text
    return r.json() if r.headers.get("content-type", "").startswith("application/json") else r


def hidden(page) -> dict[str, str]:
    """The hidden fields of the page's first form."""
    action = re.search(r'<form method="post" action="(/(?:locations|items)[^"]*)"', page.text).group(1)
    return form_at(page.text, action)


def location(api, name: str) -> dict:
    found = [loc for loc in ok(api.get("/v1/locations?limit=200"))["data"] if loc["name"] == name]
    return found[0] if found else {}


NEW = {"name": "Back room", "type": "store", "is_active": "on", "address.line1": "Marktstraße 4",
       "address.city": "Kassel", "address.country": "DE"}


def test_a_member_creates_a_location_with_its_address_and_type(workspace, member):
    form = hidden(ok(member.get("/locations/new")))
    r = member.submit("/locations", {**form, **NEW})
    assert r.status_code == 303 and r.headers["location"].startswith("/locations?done=")
    assert "Created the location Back room." in unescape(member.client.get(r.headers["location"]).text)
    made = location(workspace.api, "Back room")
    assert (made["type"], made["is_active"], made["read_only"], made["is_default"]) == ("store", True, False, False)
    assert made["address"]["line1"] == "Marktstraße 4" and made["address"]["country"] == "DE"


def test_sending_the_form_twice_creates_one_location(workspace, member):
    form = {**hidden(ok(member.get("/locations/new"))), **NEW, "name": "Twice"}
    first, second = member.submit("/locations", form), member.submit("/locations", form)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    names = [loc["name"] for loc in ok(workspace.api.get("/v1/locations?limit=200"))["data"]]
    assert names.count("Twice") == 1


def test_a_bad_location_is_refused_in_words_next_to_its_fields_with_what_was_typed(workspace, member):
    form = hidden(ok(member.get("/locations/new")))
    r = member.submit("/locations", {**form, "name": "  ", "type": "store", "address.country": "Germany",
                                     "address.city": "Kassel"})
    assert r.status_code == 422
    assert field_error(r, "name") == "Give the location a name."
    assert "2 characters" in field_error(r, "address-country")
    assert 'name="address.city" value="Kassel"' in r.text  # what was typed stays
    assert "The location was not created" in r.text
    ok(workspace.api.post("/v1/locations", json={"name": "Shop"}), 201)
    taken = member.submit("/locations", {**form, "name": "Shop", "type": "store"})
    assert taken.status_code == 409 and field_error(taken, "name") == "A location with this name already exists."
    assert len(ok(workspace.api.get("/v1/locations?limit=200"))["data"]) == 2  # the default and Shop


def test_an_edit_saves_and_is_audited_as_the_signed_in_user(workspace, member):
    made = ok(workspace.api.post("/v1/locations", json={"name": "Shed"}), 201)
    page = ok(member.get(f"/locations/{made['id']}/edit"))
    assert 'name="name" value="Shed"' in page.text
    r = member.submit(f"/locations/{made['id']}/edit", {**hidden(page), "name": "Garden shed", "type": "warehouse",
                                                        "read_only": "on", "marketplace": "Etsy"})
    assert r.status_code == 303, r.text
    after = ok(workspace.api.get(f"/v1/locations/{made['id']}"))
    assert (after["name"], after["read_only"], after["marketplace"], after["is_active"]) == (
        "Garden shed", True, "Etsy", False)  # the box left unticked: inactive
    entry = ok(workspace.api.get("/v1/audit-log?resource_type=location&action=location.updated"))["data"][0]
    assert entry["resource_id"] == made["id"]
    assert (entry["actor"]["type"], entry["actor"]["name"]) == ("user", member.email)


def test_an_edit_after_someone_elses_change_is_refused_and_changes_nothing(workspace, member):
    made = ok(workspace.api.post("/v1/locations", json={"name": "Loft"}), 201)
    page = ok(member.get(f"/locations/{made['id']}/edit"))
    ok(workspace.api.patch(f"/v1/locations/{made['id']}", json={"name": "Attic"}))  # meanwhile, elsewhere
    r = member.submit(f"/locations/{made['id']}/edit", {**hidden(page), "name": "Upper loft", "type": "warehouse",
                                                        "is_active": "on"})
    assert r.status_code == 409
    assert "changed by someone else since you opened it" in unescape(r.text)
    assert 'name="name" value="Upper loft"' in r.text
    assert ok(workspace.api.get(f"/v1/locations/{made['id']}"))["name"] == "Attic"


def test_delete_to_the_trash_and_restore(workspace, member):
    made = ok(workspace.api.post("/v1/locations", json={"name": "Pop-up"}), 201)
    page = ok(member.get(f"/locations/{made['id']}/edit"))
    r = member.submit(f"/locations/{made['id']}/delete", form_at(page.text, f"/locations/{made['id']}/delete"))
    assert r.status_code == 303 and r.headers["location"].startswith("/trash?done=")
    assert location(workspace.api, "Pop-up") == {}
    trash = ok(member.get("/trash"))
    assert "Pop-up" in trash.text and f'/locations/{made["id"]}/restore' in trash.text
    restore = form_at(trash.text, f"/locations/{made['id']}/restore")
    back = member.submit(f"/locations/{made['id']}/restore", restore)
    assert back.status_code == 303, back.text
    assert location(workspace.api, "Pop-up")["id"] == made["id"]
    actions = [e["action"] for e in ok(workspace.api.get(
        "/v1/audit-log?resource_type=location&limit=10"))["data"] if e["resource_id"] == made["id"]]
    assert {"location.deleted", "location.restored"} <= set(actions)


def test_a_location_with_stock_or_the_default_is_not_deleted_and_says_why(workspace, member):
    made = ok(workspace.api.post("/v1/locations", json={"name": "Full"}), 201)
    ok(workspace.api.post("/v1/items", json={"sku": "JAR", "name": "Jar"}), 201)
    ok(workspace.api.post("/v1/stock/adjustments", json={"item": "JAR", "location": "Full", "reason": "receipt",
                                                         "delta": 3}), 201)
    page = ok(member.get(f"/locations/{made['id']}/edit"))
    r = member.submit(f"/locations/{made['id']}/delete", form_at(page.text, f"/locations/{made['id']}/delete"))
    assert r.status_code == 409 and "still holds stock" in unescape(r.text)
    default = location(workspace.api, "Main warehouse") or next(
        loc for loc in ok(workspace.api.get("/v1/locations"))["data"] if loc["is_default"])
    assert "/delete" not in ok(member.get(f"/locations/{default['id']}/edit")).text  # not offered


def test_a_viewer_may_not_make_or_change_locations(workspace, viewer):
    made = ok(workspace.api.post("/v1/locations", json={"name": "Vault"}), 201)
    assert viewer.get("/locations/new").status_code == 403
    r = viewer.submit("/locations", {**NEW, "name": "Sneaky"})
    assert r.status_code == 403 and "may not change stock" in unescape(r.text)
    assert viewer.submit(f"/locations/{made['id']}/edit", {"name": "Mine", "version": "1"}).status_code == 403
    assert location(workspace.api, "Sneaky") == {} and location(workspace.api, "Vault")
    assert "/locations/new" not in ok(viewer.get("/locations")).text


def test_another_workspaces_location_is_not_found(workspace, other_workspace, app):
    theirs = ok(other_workspace.api.post("/v1/locations", json={"name": "Theirs"}), 201)
    member = sign_in(app, workspace, "member")
    assert member.get(f"/locations/{theirs['id']}/edit").status_code == 404
    r = member.submit(f"/locations/{theirs['id']}/edit", {"name": "Ours", "version": "1", "type": "store"})
    assert r.status_code == 404
    assert member.submit(f"/locations/{theirs['id']}/delete", {"version": "1"}).status_code == 404
    assert ok(other_workspace.api.get(f"/v1/locations/{theirs['id']}"))["name"] == "Theirs"


def test_the_locations_page_offers_a_new_location_and_an_edit_of_each(workspace, member):
    page = ok(member.get("/locations"))
    assert 'href="/locations/new"' in page.text and "/edit" in page.text and 'href="/trash"' in page.text


def test_nonsense_in_any_field_is_refused_in_words_and_writes_nothing(workspace, member):
    bad = {"name": "N\x00", "type": "cave", "marketplace": "m" * 101, "fulfilment": "F B A!",
           "address.line1": "\x00", "address.country": "DEU", "address.postal_code": "1" * 21}
    form = hidden(ok(member.get("/locations/new")))
    for name, value in bad.items():
        r = member.submit("/locations", {**form, **NEW, name: value})
        assert 400 <= r.status_code < 500, (name, r.status_code, r.text[-500:])
        assert "was not created" in r.text, name
    assert len(ok(workspace.api.get("/v1/locations"))["data"]) == 1  # the default only


def test_a_form_without_the_sessions_csrf_token_is_refused(workspace, member):
    made = ok(workspace.api.post("/v1/locations", json={"name": "Guarded"}), 201)
    item = ok(workspace.api.post("/v1/items", json={"sku": "GUARDED", "name": "Guarded"}), 201)
    for path, fields in (("/locations", {**NEW, "name": "Forged"}), ("/items", {"sku": "FORGED", "name": "Forged"}),
                         (f"/locations/{made['id']}/delete", {"version": "1"}),
                         (f"/items/{item['id']}/edit", {"sku": "GUARDED", "name": "Forged", "version": "1"}),
                         (f"/items/{item['id']}/delete", {"version": "1"})):
        r = member.submit(path, {**fields, "csrf_token": "not-the-sessions"})
        assert r.status_code == 403 and "came from another site" in unescape(r.text), path
        assert member.submit(path, fields, csrf=False).status_code == 403, path
    assert location(workspace.api, "Forged") == {} and location(workspace.api, "Guarded")
    assert ok(workspace.api.get("/v1/items/GUARDED"))["name"] == "Guarded"
    assert workspace.api.get("/v1/items/FORGED").status_code == 404


def test_a_location_whose_name_was_taken_meanwhile_is_not_restored_and_says_why(workspace, member):
    old = ok(workspace.api.post("/v1/locations", json={"name": "Kiosk"}), 201)
    ok(workspace.api.delete(f"/v1/locations/{old['id']}"), 204)
    new = ok(workspace.api.post("/v1/locations", json={"name": "Kiosk"}), 201)
    trash = ok(member.get("/trash"))
    r = member.submit(f"/locations/{old['id']}/restore", form_at(trash.text, f"/locations/{old['id']}/restore"))
    assert r.status_code == 409 and "A location named 'Kiosk' exists now" in unescape(r.text)
    assert [loc["id"] for loc in ok(workspace.api.get("/v1/locations?limit=200"))["data"]
            if loc["name"] == "Kiosk"] == [new["id"]]
