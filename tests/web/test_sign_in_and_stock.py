"""The dashboard's sign-in, sessions, CSRF and roles, and its stock pages (issue 9), through the
real app: what a person signing in, browsing and adjusting stock relies on."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from storekeeper.services import sessions, users
from tests.web.conftest import PASSWORD, sign_in


def ok(r):
    assert r.status_code in (200, 201), r.text
    return r.json()


def stocked(api) -> None:
    ok(api.post("/v1/locations", json={"name": "Main", "is_default": True}))
    ok(api.post("/v1/locations", json={"name": "Shop"}))
    ok(api.post("/v1/items", json={"sku": "LAMP", "name": "Brass lamp", "reorder_point": 5, "price": "40"}))
    ok(api.post("/v1/items", json={"sku": "ROPE", "name": "Hemp rope", "unit": "m"}))
    ok(api.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "receipt", "delta": 12, "unit_cost": "15"}))
    ok(api.post("/v1/stock/adjustments", json={"item": "ROPE", "reason": "receipt", "delta": "2.5"}))


def test_signed_out_pages_send_you_to_sign_in_and_back(app, workspace):
    browser = TestClient(app)
    r = browser.get("/items?q=lamp", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fitems%3Fq%3Dlamp"
    assert browser.get("/", follow_redirects=False).headers["location"] == "/login"
    users.create_user(workspace.db, workspace.id, "ada@example.com", "Ada", "member")
    sessions.set_password(workspace.db, workspace.id, "ada@example.com", PASSWORD)
    r = browser.post("/login", data={"email": "ADA@example.com", "password": PASSWORD, "next": "/items?q=lamp"},
                     follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/items?q=lamp"
    assert "httponly" in r.headers["set-cookie"].lower() and "samesite=lax" in r.headers["set-cookie"].lower()
    assert browser.get("/items?q=lamp").status_code == 200


def test_a_wrong_password_or_unknown_email_is_refused_alike(app, workspace):
    users.create_user(workspace.db, workspace.id, "ada@example.com", "Ada", "admin")
    sessions.set_password(workspace.db, workspace.id, "ada@example.com", PASSWORD)
    browser = TestClient(app)
    for email, password in (("ada@example.com", "wrong password"), ("nobody@example.com", PASSWORD)):
        r = browser.post("/login", data={"email": email, "password": password}, follow_redirects=False)
        assert r.status_code == 401
        assert "do not match a user who may sign in" in r.text
        assert "storekeeper_session" not in r.headers.get("set-cookie", "")
    # A user without a password cannot sign in at all.
    users.create_user(workspace.db, workspace.id, "bob@example.com", "Bob", "admin")
    assert browser.post("/login", data={"email": "bob@example.com", "password": ""}).status_code in (401, 422)


def test_sign_in_never_leads_to_another_site(app, workspace):
    browser = sign_in(app, workspace)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        r = browser.client.post("/login", data={"email": browser.email, "password": PASSWORD, "next": target},
                                follow_redirects=False)
        assert r.headers["location"] == "/"


def test_a_changed_password_or_deleted_user_ends_the_session(app, workspace, admin):
    assert admin.get("/").status_code == 200
    sessions.set_password(workspace.db, workspace.id, admin.email, "another long password")
    assert admin.get("/").status_code == 303
    other = sign_in(app, workspace, "member")
    with workspace.db.read() as conn:
        found = users.find_user(conn, workspace.id, other.email)
    users.delete_user(workspace.db, workspace.id, found["id"])
    assert other.get("/items").status_code == 303


def test_a_forged_or_foreign_cookie_signs_nobody_in(app, workspace, other_workspace, admin):
    cookie = admin.client.cookies.get("storekeeper_session")
    forged = TestClient(app)
    forged.cookies.set("storekeeper_session", cookie[:-3] + "abc")
    assert forged.get("/", follow_redirects=False).status_code == 303
    # Another workspace's key does not verify this workspace's session.
    moved = TestClient(app)
    moved.cookies.set("storekeeper_session", other_workspace.id + cookie[cookie.index("."):])
    assert moved.get("/", follow_redirects=False).status_code == 303


def test_the_overview_counts_by_status_and_charts_the_ledger(workspace, admin):
    stocked(workspace.api)
    ok(workspace.api.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "sale", "delta": -9}))
    page = admin.get("/")
    assert page.status_code == 200
    assert re.search(r'<span class="n">2</span> items', page.text)
    assert re.search(r'status-low" href="/items\?status=low"><span class="n">1</span>', page.text)
    # One chart per unit: 3 lamps and 2.5 m of rope today, never "5.5" of nothing.
    charts = dict(re.findall(r'id="total-chart-(\w+)" data-chart=\'([^\']+)\'', page.text))
    assert sorted(charts) == ["m", "pcs"]
    assert charts["pcs"].endswith(", 3.0]}") and charts["m"].endswith(", 2.5]}")
    assert '<span class="nowrap">3 pcs</span> · <span class="nowrap">2.5 m</span>' in page.text
    assert "LAMP" in page.text and "Brass lamp" in page.text  # needs reordering, and moved
    assert "45.00</span> USD stock value" in page.text  # 3 lamps at 15.00; the rope has no cost
    assert "(1 levels without a cost)" in page.text


def test_items_search_filter_and_page_by_cursor(workspace, viewer):
    for n in range(60):
        ok(workspace.api.post("/v1/items", json={"sku": f"MUG-{n:02d}", "name": f"Mug {n}"}))
    first = viewer.get("/items?q=mug")
    assert first.status_code == 200
    assert first.text.count('href="/items/MUG-') == 50
    more = re.search(r'hx-get="(/items\?[^"]+)"', first.text).group(1).replace("&amp;", "&")
    rest = viewer.get(more, headers={"HX-Request": "true"})
    assert rest.text.count('href="/items/MUG-') == 10 and "<html" not in rest.text
    assert viewer.get("/items?status=out_of_stock&q=mug-0").text.count('href="/items/MUG-') == 10


def test_the_item_page_shows_levels_chart_and_movements(workspace, viewer):
    stocked(workspace.api)
    ok(workspace.api.post("/v1/stock/transfers", json={"item": "LAMP", "to": "Shop", "quantity": 4}))
    page = viewer.get("/items/LAMP")
    assert page.status_code == 200
    assert re.search(r"<td>Main</td><td class=\"num\">8</td>", page.text)
    assert re.search(r"<td>Shop</td><td class=\"num\">4</td>", page.text)
    assert "transfer_in" in page.text and "Movements <small>(3)</small>" in page.text
    assert "Adjust stock" not in page.text  # a viewer is not offered the form
    assert viewer.get("/items/NOPE").status_code == 404


def test_the_item_pages_show_each_movements_label_beside_its_reason(workspace, viewer):
    stocked(workspace.api)
    ok(workspace.api.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "count", "set": 11,
                                                         "label": "<b>cycle_count</b>"}))
    for path in ("/items/LAMP", "/items/LAMP/movements"):
        page = viewer.get(path)
        assert page.status_code == 200
        assert ('<td title="count">Counted <span class="hint label">&lt;b&gt;cycle_count&lt;/b&gt;</span></td>'
                in page.text), path
        assert '<td title="receipt">Received</td>' in page.text  # no label, nothing beside the reason


def test_an_adjustment_is_recorded_once_however_often_the_form_is_sent(workspace, member):
    stocked(workspace.api)
    form = member.get("/items/LAMP/adjust")
    assert form.status_code == 200
    key = re.search(r'name="form_key" value="([^"]+)"', form.text).group(1)
    fields = {"form_key": key, "mode": "in", "quantity": "3", "location": "Shop", "reason": "receipt",
              "unit_cost": "16"}
    first = member.submit("/items/LAMP/adjust", fields)
    assert first.status_code == 303 and first.headers["location"].startswith("/items/LAMP?done=")
    again = member.submit("/items/LAMP/adjust", fields)
    assert again.status_code == 303 and again.headers["location"] == first.headers["location"]
    stock = ok(workspace.api.get("/v1/stock/LAMP"))
    assert stock["on_hand"] == 15
    moved = ok(workspace.api.get("/v1/stock/movements?item=LAMP&limit=1"))["data"][0]
    assert moved["actor"] == {"type": "user", "id": moved["actor"]["id"], "name": member.email}
    assert moved["unit_cost"] == "16.00"


def test_a_refused_adjustment_says_why_in_words_and_changes_nothing(workspace, member):
    stocked(workspace.api)
    r = member.submit("/items/LAMP/adjust", {"mode": "out", "quantity": "50", "location": "Main", "reason": "sale"})
    assert r.status_code == 422
    assert "LAMP has 12 on hand at this location; 50 more cannot go out." in r.text
    r = member.submit("/items/LAMP/adjust", {"mode": "in", "quantity": "two", "reason": "receipt"})
    assert r.status_code == 422 and "&#39;two&#39; is not a number." in r.text
    r = member.submit("/items/LAMP/adjust", {"mode": "in", "quantity": "2", "location": "Main", "reason": "sale"})
    assert r.status_code == 422 and "Reason: Sale does not fit stock that came in." in r.text
    assert ok(workspace.api.get("/v1/stock/LAMP"))["on_hand"] == 12


def test_a_form_without_the_sessions_csrf_token_is_refused(workspace, member):
    stocked(workspace.api)
    fields = {"mode": "in", "quantity": "1", "reason": "receipt"}
    assert member.submit("/items/LAMP/adjust", fields, csrf=False).status_code == 403
    assert member.submit("/items/LAMP/adjust", {**fields, "csrf_token": "forged"}, csrf=False).status_code == 403
    assert ok(workspace.api.get("/v1/stock/LAMP"))["on_hand"] == 12


def test_a_viewer_may_look_but_not_adjust(workspace, viewer):
    stocked(workspace.api)
    assert viewer.get("/items/LAMP/adjust").status_code == 403
    r = viewer.submit("/items/LAMP/adjust", {"mode": "in", "quantity": "1", "reason": "receipt"})
    assert r.status_code == 403 and "As a viewer you may not change stock" in r.text
    assert ok(workspace.api.get("/v1/stock/LAMP"))["on_hand"] == 12


def test_another_workspaces_items_are_not_found(workspace, other_workspace, app):
    stocked(other_workspace.api)
    browser = sign_in(app, workspace, "admin")
    assert browser.get("/items/LAMP").status_code == 404
    assert "LAMP" not in browser.get("/items").text


def test_an_admin_gives_a_user_a_password_through_the_api_and_it_is_never_shown(app, workspace):
    created = ok(workspace.api.post("/v1/users", json={"email": "cy@example.com", "role": "viewer",
                                                       "password": "a long enough secret"}))
    assert "password" not in created and "password_hash" not in created
    browser = TestClient(app)
    r = browser.post("/login", data={"email": "cy@example.com", "password": "a long enough secret"},
                     follow_redirects=False)
    assert r.status_code == 303
    assert browser.get("/items", follow_redirects=False).status_code == 200
    short = workspace.api.patch(f"/v1/users/{created['id']}", json={"password": "short"})
    assert short.status_code == 422 and short.json()["error"]["fields"]["password"]
    ok(workspace.api.patch(f"/v1/users/{created['id']}", json={"password": "another long secret"}))
    assert browser.get("/items", follow_redirects=False).status_code == 303  # the old session ended
    audit = workspace.api.get(f"/v1/audit-log?resource_id={created['id']}").text
    assert "secret" not in audit and "argon2" not in audit


def test_the_audit_log_names_the_signed_in_user_for_a_dashboard_write(workspace, member):
    stocked(workspace.api)
    r = member.submit("/items/LAMP/adjust", {"mode": "out", "quantity": "1", "location": "Main", "reason": "sale"})
    assert r.status_code == 303, r.text
    entry = ok(workspace.api.get("/v1/audit-log?action=movement.created&limit=1"))["data"][0]
    assert entry["actor"]["type"] == "user" and entry["actor"]["name"] == member.email
