"""The adjust form's reasons follow what happened (issue 19, item 11), through the real app and
without JavaScript: each kind of change offers only the reasons that fit it (built-in and custom,
by direction), starts with the everyday one, and a reason that does not fit is explained in words
and the form offered again with the right reasons, nothing recorded."""

from __future__ import annotations

import json
import re
from html import unescape

from tests.web.conftest import sign_in


def ok(r, status: int = 200):
    assert r.status_code == status, r.text
    return r.json() if r.headers.get("content-type", "").startswith("application/json") else r


def stocked(api) -> None:
    ok(api.post("/v1/locations", json={"name": "Main", "is_default": True}), 201)
    ok(api.post("/v1/items", json={"sku": "LAMP", "name": "Brass lamp"}), 201)
    ok(api.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "receipt", "delta": 12}), 201)
    for code, direction in (("gift", "in"), ("sample", "out"), ("audit", "any")):
        ok(api.post("/v1/reasons", json={"code": code, "name": code.title(), "direction": direction}), 201)


def offered(page) -> tuple[list[str], str]:
    """The reasons the page's select offers, and the one chosen."""
    select = re.search(r'<select name="reason">(.*?)</select>', page.text, re.S).group(1)
    codes = re.findall(r'<option value="([^"]+)"', select)
    chosen = re.search(r'<option value="([^"]+)" selected', select).group(1)
    return codes, chosen


def form_fields(page) -> dict[str, str]:
    """What the page's form sends as rendered: its hidden fields, the kind checked, the reason chosen."""
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
    fields["mode"] = re.search(r'name="mode" value="(\w+)" checked', page.text).group(1)
    fields["reason"] = offered(page)[1]
    return fields


def last_movement(api) -> dict:
    return ok(api.get("/v1/stock/movements?item=LAMP&limit=1"))["data"][0]


def test_each_kind_of_change_offers_the_reasons_that_fit_it_with_its_everyday_one_chosen(workspace, member):
    stocked(workspace.api)
    expected = {
        "in": (["receipt", "return", "initial", "correction", "audit", "gift"], "receipt"),
        "out": (["sale", "correction", "loss", "damage", "theft", "audit", "sample"], "sale"),
        "set": (["count", "correction", "audit"], "count"),
    }
    for kind, (codes, chosen) in expected.items():
        page = ok(member.get(f"/items/LAMP/adjust?mode={kind}"))
        assert offered(page) == (codes, chosen), kind
        assert re.search(rf'name="mode" value="{kind}" checked', page.text)
    # A fresh form is stock coming in; the page carries every kind's reasons for the script.
    assert offered(ok(member.get("/items/LAMP/adjust"))) == (expected["in"][0], "receipt")
    page = ok(member.get("/items/LAMP/adjust"))
    by_kind = json.loads(unescape(re.search(r"data-reasons='([^']+)'", page.text).group(1)))
    assert {kind: [r["code"] for r in reasons] for kind, reasons in by_kind.items()} == {
        kind: codes for kind, (codes, _) in expected.items()}


def test_a_sale_and_a_count_are_recorded_from_a_fresh_form_of_their_kind(workspace, member):
    stocked(workspace.api)
    sale = form_fields(ok(member.get("/items/LAMP/adjust?mode=out")))
    r = member.submit("/items/LAMP/adjust", {**sale, "quantity": "3", "location": "Main"})
    assert r.status_code == 303, r.text
    assert "Recorded: LAMP -3" in unescape(member.client.get(r.headers["location"]).text)
    assert (last_movement(workspace.api)["reason"], last_movement(workspace.api)["delta"]) == ("sale", -3)

    count = form_fields(ok(member.get("/items/LAMP/adjust?mode=set")))
    r = member.submit("/items/LAMP/adjust", {**count, "quantity": "7", "location": "Main"})
    assert r.status_code == 303, r.text
    assert (last_movement(workspace.api)["reason"], last_movement(workspace.api)["after"]) == ("count", 7)
    assert ok(workspace.api.get("/v1/stock/LAMP"))["on_hand"] == 7


def test_without_javascript_another_kind_gets_its_reasons_from_the_server(workspace, member):
    """A browser without the script sends the kind it switched to with the reason of the kind it
    left: the form says why in words and comes back with the new kind's reasons, nothing recorded;
    its "Show the reasons" button asks for them without recording anything."""
    stocked(workspace.api)
    fresh = form_fields(ok(member.get("/items/LAMP/adjust")))
    assert fresh["reason"] == "receipt"
    r = member.submit("/items/LAMP/adjust", {**fresh, "mode": "out", "quantity": "2", "location": "Main"})
    assert r.status_code == 422
    text = unescape(r.text)
    assert ("Reason: Receipt does not fit stock that went out. For stock that went out, choose Sale, Correction, "
            "Loss, Damage, Theft, Audit or Sample.") in text
    assert "REASON_DIRECTION" not in text and "must increase" not in text
    assert offered(r) == (["sale", "correction", "loss", "damage", "theft", "audit", "sample"], "sale")
    assert 'name="quantity" inputmode="decimal" value="2"' in r.text  # what was typed stays
    again = member.submit("/items/LAMP/adjust", {**form_fields(r), "quantity": "2", "location": "Main"})
    assert again.status_code == 303, again.text
    assert last_movement(workspace.api)["reason"] == "sale"

    shown = member.submit("/items/LAMP/adjust", {**fresh, "mode": "set", "show": "reasons", "quantity": "5"})
    assert shown.status_code == 200 and offered(shown) == (["count", "correction", "audit"], "count")
    assert "not recorded" not in shown.text
    assert ok(workspace.api.get("/v1/stock/LAMP"))["on_hand"] == 10


def test_a_kind_or_quantity_that_makes_no_sense_is_refused_in_words(workspace, member):
    stocked(workspace.api)
    cases = {
        ("sideways", "1"): "What happened: Choose whether stock came in, went out or was counted.",
        ("out", "0"): "Quantity: Must be more than 0.",
        ("in", "-2"): "Quantity: Must be more than 0.",
    }
    for (kind, quantity), words in cases.items():
        r = member.submit("/items/LAMP/adjust", {"mode": kind, "quantity": quantity, "location": "Main"})
        assert r.status_code == 422 and words in unescape(r.text), (kind, quantity)
    assert ok(workspace.api.get("/v1/stock/LAMP"))["on_hand"] == 12


def test_custom_reasons_are_offered_to_a_member_of_their_workspace_only(workspace, other_workspace, app):
    stocked(workspace.api)
    other = sign_in(app, other_workspace, "member")
    ok(other_workspace.api.post("/v1/items", json={"sku": "LAMP", "name": "Their lamp"}), 201)
    codes, _ = offered(ok(other.get("/items/LAMP/adjust?mode=out")))
    assert "sample" not in codes and "sale" in codes


def test_an_unusually_large_receipt_is_asked_about_before_it_is_recorded(workspace, member):
    """1200 typed for 12 (a slip of the keyboard) is asked about, not recorded; confirmed, it is
    recorded once; another number typed at the question is asked about again."""
    stocked(workspace.api)
    receipt = form_fields(ok(member.get("/items/LAMP/adjust?mode=in")))
    asked = member.submit("/items/LAMP/adjust", {**receipt, "quantity": "1300", "location": "Main"})
    assert asked.status_code == 200
    assert "1300 pcs is more than 100 times the 12 pcs there now." in unescape(asked.text)
    assert "Yes, record it" in asked.text
    assert ok(workspace.api.get("/v1/stock/LAMP"))["on_hand"] == 12  # nothing recorded yet
    confirm = form_fields(asked)
    assert confirm["confirmed"] == "1300@Main"
    changed = member.submit("/items/LAMP/adjust", {**confirm, "quantity": "1400", "location": "Main"})
    assert changed.status_code == 200 and "1400 pcs is more than 100 times" in unescape(changed.text)
    done = member.submit("/items/LAMP/adjust", {**confirm, "quantity": "1300", "location": "Main"})
    assert done.status_code == 303, done.text
    again = member.submit("/items/LAMP/adjust", {**confirm, "quantity": "1300", "location": "Main"})
    assert again.status_code == 303  # the same form again acts once
    assert ok(workspace.api.get("/v1/stock/LAMP"))["on_hand"] == 1312
    # An everyday quantity asks nothing.
    r = member.submit("/items/LAMP/adjust", {**form_fields(ok(member.get("/items/LAMP/adjust?mode=in"))),
                                             "quantity": "120", "location": "Main"})
    assert r.status_code == 303, r.text

