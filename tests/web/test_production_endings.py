"""A production order cancelled or deleted from its page (issue 22), each after a page that asks
first, through the real app: the same states as /v1 (PATCH status cancelled, DELETE), each form
acting once, a change meanwhile refused in words, another workspace's order not found, and both
audited as the signed-in user."""

from __future__ import annotations

from html import unescape

from tests.web.conftest import form_at, sign_in
from tests.web.test_production_forms import ok, on_hand, order_of, workshop


def made_order(workspace, **fields) -> dict:
    return ok(workspace.api.post("/v1/production-orders", json={
        "lines": [{"item": "CANDLE", "quantity": 5}], **fields}), 201)


def audited(workspace, order_id: str) -> list[tuple[str, str, str]]:
    entries = ok(workspace.api.get("/v1/audit-log?resource_type=production_order&limit=50"))["data"]
    return [(e["action"], e["actor"]["type"], e["actor"]["name"]) for e in entries if e["resource_id"] == order_id]


def test_a_member_cancels_an_order_once_after_being_asked_and_its_batches_stock_stays(workspace, member):
    workshop(workspace)
    made = made_order(workspace, name="Market run")
    line = made["lines"][0]["id"]
    ok(workspace.api.post(f"/v1/production-orders/{made['id']}/lines/{line}/batches", json={"quantity": 2}), 201)
    page = ok(member.get(f"/production/{made['id']}")).text
    assert f'href="/production/{made["id"]}/cancel"' in page
    question = ok(member.get(f"/production/{made['id']}/cancel")).text
    assert "Cancel Market run?" in question
    form = form_at(question, f"/production/{made['id']}/cancel")
    first = member.submit(f"/production/{made['id']}/cancel", form)
    again = member.submit(f"/production/{made['id']}/cancel", form)
    assert first.status_code == again.status_code == 303 and first.headers["location"] == again.headers["location"]
    assert "Cancelled Market run." in unescape(member.client.get(first.headers["location"]).text)
    after = order_of(workspace.api, made["id"])
    assert (after["status"], after["lines"][0]["produced_quantity"]) == ("cancelled", 2)
    assert on_hand(workspace.api, "CANDLE") == 2
    by_users = [entry for entry in audited(workspace, made["id"]) if entry[1] == "user"]
    assert by_users == [("production_order.updated", "user", member.email)]
    # Cancelled: no more cancelling, said in words, whether asked or sent with a fresh form.
    assert f'/production/{made["id"]}/cancel"' not in member.get(f"/production/{made['id']}").text
    r = member.get(f"/production/{made['id']}/cancel")
    assert r.status_code == 409 and "Market run is cancelled already" in unescape(r.text)
    r = member.submit(f"/production/{made['id']}/cancel", {"form_key": "fresh", "version": str(after["version"])})
    assert r.status_code == 409 and "Market run is cancelled already" in unescape(r.text)
    assert order_of(workspace.api, made["id"])["version"] == after["version"]


def test_a_done_order_can_be_cancelled_as_v1_allows(workspace, member):
    workshop(workspace)
    made = made_order(workspace, status="done")
    form = form_at(member.get(f"/production/{made['id']}/cancel").text, f"/production/{made['id']}/cancel")
    assert member.submit(f"/production/{made['id']}/cancel", form).status_code == 303
    after = order_of(workspace.api, made["id"])
    assert (after["status"], after["completed_at"]) == ("cancelled", None)


def test_a_member_deletes_an_order_once_after_being_asked(workspace, member):
    workshop(workspace)
    made = made_order(workspace, name="Spare run")
    assert f'href="/production/{made["id"]}/delete"' in member.get(f"/production/{made['id']}").text
    question = ok(member.get(f"/production/{made['id']}/delete")).text
    assert "Delete Spare run?" in question
    form = form_at(question, f"/production/{made['id']}/delete")
    first = member.submit(f"/production/{made['id']}/delete", form)
    again = member.submit(f"/production/{made['id']}/delete", form)
    assert first.status_code == again.status_code == 303 and first.headers["location"] == again.headers["location"]
    board = unescape(member.client.get(first.headers["location"]).text)
    assert "Deleted Spare run." in board and f"/production/{made['id']}\"" not in board
    assert workspace.api.get(f"/v1/production-orders/{made['id']}").status_code == 404
    assert ("production_order.deleted", "user", member.email) in audited(workspace, made["id"])
    assert member.get(f"/production/{made['id']}/delete").status_code == 404
    longest = made_order(workspace, name="L" * 200)  # the board says what was deleted, whatever its name
    form = form_at(member.get(f"/production/{longest['id']}/delete").text, f"/production/{longest['id']}/delete")
    board = member.client.get(member.submit(f"/production/{longest['id']}/delete", form).headers["location"])
    assert board.status_code == 200 and f"Deleted {'L' * 200}." in board.text
    assert member.submit(f"/production/{made['id']}/delete", {**form, "form_key": "another"}).status_code == 404


def test_a_cancel_or_delete_after_someone_elses_change_is_refused_and_changes_nothing(workspace, member):
    workshop(workspace)
    made = made_order(workspace)
    cancel = form_at(member.get(f"/production/{made['id']}/cancel").text, f"/production/{made['id']}/cancel")
    delete = form_at(member.get(f"/production/{made['id']}/delete").text, f"/production/{made['id']}/delete")
    ok(workspace.api.patch(f"/v1/production-orders/{made['id']}", json={"notes": "Theirs"}))
    for path, form in ((f"/production/{made['id']}/cancel", cancel), (f"/production/{made['id']}/delete", delete)):
        r = member.submit(path, form)
        assert r.status_code == 409 and "changed by someone else since you opened it" in unescape(r.text), path
        r = member.submit(path, {"form_key": "no-version"})
        assert r.status_code == 422 and "lacks the version" in unescape(r.text), path
    after = order_of(workspace.api, made["id"])
    assert (after["status"], after["notes"]) == ("pending", "Theirs")


def test_a_viewer_is_refused_and_another_workspaces_order_is_not_found(app, workspace, other_workspace, viewer):
    workshop(workspace)
    made = made_order(workspace)
    page = viewer.get(f"/production/{made['id']}").text
    assert "/cancel" not in page and "/delete" not in page
    for doing in ("cancel", "delete"):
        assert viewer.get(f"/production/{made['id']}/{doing}").status_code == 403
        r = viewer.submit(f"/production/{made['id']}/{doing}", {"version": str(made["version"])})
        assert r.status_code == 403 and "As a viewer you may not record production" in r.text
    stranger = sign_in(app, other_workspace, "admin")
    for doing in ("cancel", "delete"):
        assert stranger.get(f"/production/{made['id']}/{doing}").status_code == 404
        assert stranger.submit(f"/production/{made['id']}/{doing}",
                               {"version": str(made["version"])}).status_code == 404
    after = order_of(workspace.api, made["id"])
    assert (after["status"], after["version"]) == ("pending", made["version"])
