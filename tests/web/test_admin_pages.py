"""The dashboard's workspace pages (issue 9) through the real app: locations with their stock,
the audit log, API keys shown once and revoked, webhooks with their deliveries; what a member
or a viewer is refused, and what another workspace's admin never reaches."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from storekeeper.api.app import create_app
from storekeeper.domain.ids import new_id
from storekeeper.persistence.tables import webhooks as webhook_rows
from storekeeper.services import api_keys, users, webhooks
from storekeeper.services.context import SystemActor
from tests.sql_counting import statements
from tests.waiting import wait_until
from tests.web.conftest import sign_in


def ok(r, status: int = 200):
    assert r.status_code == status, r.text
    return r.json() if r.headers.get("content-type", "").startswith("application/json") else r


def form_key(page) -> str:
    return re.search(r'name="form_key" value="([^"]+)"', page.text).group(1)


def more_link(page) -> str:
    return re.search(r'hx-get="([^"]+cursor=[^"]+)"', page.text).group(1).replace("&amp;", "&")


class Receiver:
    """A webhook endpoint on 127.0.0.1 that answers every request with `status`."""

    def __init__(self, status: int = 200) -> None:
        self.bodies: list[bytes] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                receiver.bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver(status=202)
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture(autouse=True)
def webhooks_switched_off_afterwards(workspace):
    """Other tests of the shared database deliver due events of every workspace: no endpoint of
    this test may be left on for them."""
    yield
    with workspace.db.write() as conn:
        conn.execute(update(webhook_rows).where(webhook_rows.c.workspace_id == workspace.id).values(is_active=False))


def stocked(api) -> None:
    ok(api.post("/v1/locations", json={"name": "Main", "is_default": True}), 201)
    ok(api.post("/v1/locations", json={"name": "Shop", "type": "store"}), 201)
    ok(api.post("/v1/locations", json={"name": "Amazon", "type": "external", "read_only": True,
                                       "marketplace": "amazon.de"}), 201)
    for sku, name in (("LAMP", "Brass lamp"), ("ROPE", "Hemp rope"), ("VASE", "Clay vase"), ("GONE", "Old stool")):
        ok(api.post("/v1/items", json={"sku": sku, "name": name, **({"unit": "m"} if sku == "ROPE" else {})}), 201)
    for sku, delta in (("LAMP", 12), ("ROPE", "2.5"), ("VASE", 3), ("GONE", 1)):
        ok(api.post("/v1/stock/adjustments", json={"item": sku, "reason": "receipt", "delta": delta}), 201)
    ok(api.post("/v1/stock/transfers", json={"item": "LAMP", "to": "Shop", "quantity": 4}), 201)
    ok(api.post("/v1/stock/transfers", json={"item": "VASE", "to": "Shop", "quantity": 3}), 201)  # none left in Main
    ok(api.post("/v1/stock/transfers", json={"item": "GONE", "to": "Shop", "quantity": 1}), 201)
    assert api.delete("/v1/items/GONE").status_code == 204  # in the trash: its stock counts nowhere


def stock_at(viewer, api) -> dict[str, tuple[str, str]]:
    """What /locations shows, by location name: items with stock and on hand (its text, the units
    apart: "8 pcs · 2.5 m")."""
    page = ok(viewer.get("/locations"))
    places = ok(api.get("/v1/locations"))["data"]
    assert page.text.count('<span id="items-at-') == len(places)
    found = {key: re.sub(r"<[^>]+>", "", value) for key, value in re.findall(
        r'<span id="([\w-]+-at-loc_\w+)">(.*?)</span></td>', page.text)}
    return {place["name"]: (found[f"items-at-{place['id']}"], found[f"on-hand-at-{place['id']}"])
            for place in places}


def test_locations_show_each_places_stocked_items_and_on_hand_as_the_api_counts_them(workspace, viewer):
    stocked(workspace.api)
    shown = stock_at(viewer, workspace.api)
    levels: dict[str, dict[str, Decimal]] = {}
    units = {row["sku"]: row["unit"] for row in ok(workspace.api.get("/v1/items?limit=200"))["data"]}
    for row in ok(workspace.api.get("/v1/stock?limit=200"))["data"]:
        for level in row["locations"]:
            if Decimal(str(level["on_hand"])) != 0:
                per_unit = levels.setdefault(level["name"], {})
                unit = units[row["sku"]]
                per_unit[unit] = per_unit.get(unit, Decimal(0)) + Decimal(str(level["on_hand"]))
    valuation = {b["name"]: b["levels"] for b in ok(workspace.api.get("/v1/reports/valuation"))["by_location"]}
    for name in ("Main", "Shop"):
        count, on_hand = shown[name]
        assert int(count) == valuation[name]
        assert on_hand == " · ".join(f"{q.normalize():f} {unit}" for unit, q in sorted(levels[name].items(),
                                                                                      key=lambda u: u[0] != "pcs"))
    # Kilograms are never added to pieces: the lamps and the rope each in their unit.
    assert shown == {"Main": ("2", "8 pcs · 2.5 m"),  # 8 lamps and 2.5 m of rope; the vases left
                     "Shop": ("2", "7 pcs"),  # 4 lamps, 3 vases; not the stool in the trash
                     "Amazon": ("0", "0"),
                     "Main warehouse": ("0", "0")}  # the workspace's first default, holding nothing
    page = ok(viewer.get("/locations"))
    assert "Read-only · amazon.de" in page.text and "Default" in page.text
    at_shop = ok(viewer.get("/items?location=Shop"))
    assert 'href="/items/LAMP"' in at_shop.text and 'href="/items/VASE"' in at_shop.text
    assert 'href="/items/ROPE"' not in at_shop.text


def test_the_audit_log_shows_an_api_change_field_by_field_and_filters_it(workspace, viewer):
    ok(workspace.api.post("/v1/items", json={"sku": "LAMP", "name": "Brass lamp", "price": "40"}), 201)
    ok(workspace.api.patch("/v1/items/LAMP", json={"name": "Copper lamp", "price": "45"}))
    page = ok(viewer.get("/audit-log?action=item.updated"))
    created, changed = '<td title="item.created">Item created</td>', '<td title="item.updated">Item changed</td>'
    assert page.text.count(changed) == 1 and created not in page.text
    # In words: the item by its name, each field as a person says it, money to the cent.
    assert 'href="/items/itm_' in page.text and ">Copper lamp (LAMP)</a>" in page.text
    assert '<li>name <span class="old">Brass lamp</span> → <span class="new">Copper lamp</span></li>' in page.text
    assert '<li>price <span class="old">40.00</span> → <span class="new">45.00</span></li>' in page.text
    everything = ok(viewer.get("/audit-log"))
    assert everything.text.index("item.updated") < everything.text.index("item.created")  # newest first
    assert created in ok(viewer.get("/audit-log?resource_type=item&since=2000-01-01")).text
    assert "No entries match." in ok(viewer.get("/audit-log?until=2000-01-01")).text
    assert "No entries match." in ok(viewer.get("/audit-log?actor=nobody@example.com")).text
    refused = ok(viewer.get("/audit-log?since=yesterday"))
    assert "Since: &#39;yesterday&#39; is not a date (YYYY-MM-DD)." in refused.text


def test_the_audit_log_names_rows_and_says_values_as_a_person_would(workspace, viewer):
    candles = ok(workspace.api.post("/v1/categories", json={"name": "Candles"}), 201)
    ok(workspace.api.post("/v1/items", json={"sku": "LAV", "name": "Lavender candle", "reorder_point": 10,
                                             "unit_cost": "3.1"}), 201)
    ok(workspace.api.patch("/v1/items/LAV", json={"reorder_point": 12, "category": candles["id"],
                                                  "unit_cost": "3.125"}))
    page = ok(viewer.get("/audit-log?action=item.updated")).text
    assert ">Lavender candle (LAV)</a>" in page  # the item by its name and SKU, not its id
    assert '<li>reorder point <span class="old">10</span> → <span class="new">12</span></li>' in page
    assert '<li>category <span class="old">none</span> → <span class="new">Candles</span></li>' in page
    assert '<li>unit cost <span class="old">3.10</span> → <span class="new">3.13</span></li>' in page
    assert candles["id"] not in page.split("<tbody")[1]
    made = ok(viewer.get("/audit-log?action=item.created")).text  # a row created: its values alone
    assert '<li>name <span class="new">Lavender candle</span></li>' in made and "none</span> →" not in made


def test_the_audit_log_pages_older_entries_by_cursor(workspace, member):
    for n in range(55):
        ok(workspace.api.post("/v1/items", json={"sku": f"MUG-{n:02d}", "name": f"Mug {n}"}), 201)
    first = ok(member.get("/audit-log?action=item.created"))
    assert first.text.count('<td title="item.created">Item created</td>') == 50 and "Older entries" in first.text
    rest = ok(member.get(more_link(first), headers={"HX-Request": "true"}))
    assert rest.text.count('<td title="item.created">Item created</td>') == 5 and "<html" not in rest.text
    shown = re.findall(r'href="/items/(itm_\w+)"', first.text + rest.text)
    assert len(set(shown)) == 55


def new_key(admin, name: str, scopes: list[str], **fields):
    page = ok(admin.get("/api-keys/new"))
    data = {"form_key": form_key(page), "name": name, "scopes": scopes, **fields}
    return admin.submit("/api-keys", data), data


def test_an_admin_creates_a_key_sees_it_once_and_it_works_with_exactly_its_scopes(app, workspace, admin):
    ok(workspace.api.post("/v1/items", json={"sku": "LAMP", "name": "Brass lamp"}), 201)
    created, form = new_key(admin, "Shop sync", ["items:read", "stock:read"], expires_at="2099-01-01T00:00")
    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    secret = re.search(r'<code id="secret">(sk_\w+)</code>', created.text).group(1)
    api = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/v1/items").status_code == 200
    assert api.get("/v1/stock/LAMP").status_code == 200
    assert api.post("/v1/items", json={"sku": "NEW", "name": "New"}).status_code == 403
    assert api.get("/v1/audit-log").status_code == 403
    listed = ok(admin.get("/api-keys"))
    assert "Shop sync" in listed.text and secret[:11] in listed.text and secret not in listed.text
    assert "items:read, stock:read" in listed.text and "2099-01-01 00:00" in listed.text
    # The same form again (a reload, a double click) creates nothing and shows no secret.
    again = admin.submit("/api-keys", form)
    assert again.status_code == 303 and again.headers["location"].startswith("/api-keys?already=key_")
    notice = ok(admin.get(again.headers["location"]))
    assert "That form was sent already" in notice.text and secret not in notice.text
    keys = [k for k in ok(workspace.api.get("/v1/api-keys?limit=100"))["data"] if k["name"] == "Shop sync"]
    assert len(keys) == 1 and keys[0]["scopes"] == ["items:read", "stock:read"]
    audit = ok(admin.get(f"/audit-log?action=api_key.created&actor={admin.email}"))  # the signed-in user did it
    assert audit.text.count('<td title="api_key.created">API key created</td>') == 1 and secret not in audit.text


def test_a_key_form_without_a_name_or_scope_or_with_a_past_expiry_is_refused_in_words(workspace, admin):
    refused, _ = new_key(admin, "", [])
    assert refused.status_code == 422
    assert "Name: between 1 and 200 characters." in refused.text and "Scopes: tick at least one." in refused.text
    refused, _ = new_key(admin, "Late", ["items:read"], expires_at="2001-01-01T00:00")
    assert refused.status_code == 422 and "Must be in the future." in refused.text
    assert not [k for k in ok(workspace.api.get("/v1/api-keys?limit=100"))["data"] if k["name"] == "Late"]


def test_a_revoked_key_fails_with_401_once_the_admin_confirms(workspace, admin):
    key = workspace.key_with("items:read", name="Old sync")
    assert key.get("/v1/items").status_code == 200
    key_id = next(k["id"] for k in ok(workspace.api.get("/v1/api-keys?limit=100"))["data"] if k["name"] == "Old sync")
    confirm = ok(admin.get(f"/api-keys/{key_id}/revoke"))
    assert "Revoke the key “Old sync”?" in confirm.text
    assert key.get("/v1/items").status_code == 200  # asking is not revoking
    fields = {"form_key": form_key(confirm)}
    revoked = admin.submit(f"/api-keys/{key_id}/revoke", fields)
    assert revoked.status_code == 303 and revoked.headers["location"].startswith("/api-keys?done=Revoked")
    assert key.get("/v1/items").status_code == 401
    assert admin.submit(f"/api-keys/{key_id}/revoke", fields).headers["location"] == revoked.headers["location"]
    assert "revoked" in ok(admin.get("/api-keys")).text


def new_webhook(admin, **fields):
    page = ok(admin.get("/webhooks/new"))
    data = {"form_key": form_key(page), **fields}
    return admin.submit("/webhooks", data), data


def page_once_logged(admin, hook_id: str):
    """The webhook's page once its delivery log shows the test event (sent by a thread)."""
    def logged():
        page = ok(admin.get(f"/webhooks/{hook_id}"))
        return page if "webhook.test" in page.text else None

    return wait_until(logged, "the test event in the delivery log")


def webhook_id_of(response) -> str:
    return re.search(r'href="/webhooks/(whk_\w+)"', response.text).group(1)


def test_a_webhook_is_created_with_its_secret_once_paused_resumed_and_tested(workspace, admin, receiver):
    created, form = new_webhook(admin, url=receiver.url, families=["stock.*"], types="item.deleted")
    assert created.status_code == 201, created.text
    secret = re.search(r'<code id="secret">(whsec_[\w-]+)</code>', created.text).group(1)
    hook_id = webhook_id_of(created)
    listed = ok(admin.get("/webhooks"))
    assert receiver.url in listed.text and "stock.*, item.deleted" in listed.text and secret not in listed.text
    again = admin.submit("/webhooks", form)
    assert again.status_code == 303 and again.headers["location"] == f"/webhooks/{hook_id}?already=1"
    assert secret not in ok(admin.get(again.headers["location"])).text
    assert len(ok(workspace.api.get("/v1/webhooks"))["data"]) == 1

    page = ok(admin.get(f"/webhooks/{hook_id}"))
    paused = admin.submit(f"/webhooks/{hook_id}/pause", {"form_key": form_key(page)})
    assert paused.status_code == 303
    assert ok(workspace.api.get(f"/v1/webhooks/{hook_id}"))["is_active"] is False
    page = ok(admin.get(paused.headers["location"]))
    assert "Paused" in page.text and "/resume" in page.text
    admin.submit(f"/webhooks/{hook_id}/resume", {"form_key": form_key(page)})
    assert ok(workspace.api.get(f"/v1/webhooks/{hook_id}"))["is_active"] is True

    page = ok(admin.get(f"/webhooks/{hook_id}"))
    assert "No deliveries yet." in page.text
    test_key = re.search(r'/test".*?name="form_key" value="([^"]+)"', page.text, re.S).group(1)
    sent = admin.submit(f"/webhooks/{hook_id}/test", {"form_key": test_key})
    assert sent.status_code == 303 and "test event is on its way" in ok(admin.get(sent.headers["location"])).text
    page = page_once_logged(admin, hook_id)
    assert re.search(r"<td>webhook.test</td>\s*<td class=\"num\">1</td>\s*<td><span class=\"badge \">succeeded"
                     r"</span></td>\s*<td class=\"num\">202</td>", page.text), page.text
    assert len(receiver.bodies) == 1 and b"webhook.test" in receiver.bodies[0]


def test_a_webhook_form_with_a_bad_url_or_event_is_refused_in_words(workspace, admin):
    refused, _ = new_webhook(admin, url="ftp://example.com/hooks")
    assert refused.status_code == 422 and "URL: An http:// or https:// URL." in refused.text
    refused, _ = new_webhook(admin, url="https://example.com/hooks", types="stock.melted")
    assert refused.status_code == 422 and "Events: Unknown event type &#39;stock.melted&#39;." in refused.text
    assert ok(workspace.api.get("/v1/webhooks"))["data"] == []


@pytest.fixture(scope="module")
def strict_app(settings, db):
    """The dashboard of a server with STOREKEEPER_WEBHOOK_ALLOW_PRIVATE at its default, off (the
    shared test app allows private addresses for the receivers on 127.0.0.1)."""
    return create_app(settings.model_copy(update={"webhook_allow_private": False}), db)


def test_a_webhook_form_with_a_private_address_is_refused_in_words(workspace, strict_app):
    admin = sign_in(strict_app, workspace, "admin")
    for url, why in (("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
                     ("http://localhost:8080/hooks", "localhost names this machine"),
                     ("http://0x7f.1/hooks", "127.0.0.1 is a loopback address")):
        refused, _ = new_webhook(admin, url=url)
        assert refused.status_code == 422, refused.text
        assert f"URL: Not a public address: {why}." in refused.text
        assert "The webhook was not created" in refused.text
    assert ok(workspace.api.get("/v1/webhooks"))["data"] == []


def test_a_test_event_to_a_private_address_is_refused_and_the_page_says_why(workspace, strict_app, receiver):
    """An endpoint stored while the server allowed private addresses, tested after it stopped."""
    hook = webhooks.create_webhook(workspace.db, SystemActor(workspace.id), {"url": receiver.url},
                                   allow_private=True)
    admin = sign_in(strict_app, workspace, "admin")
    page = ok(admin.get(f"/webhooks/{hook['id']}"))
    test_key = re.search(r'/test".*?name="form_key" value="([^"]+)"', page.text, re.S).group(1)
    assert admin.submit(f"/webhooks/{hook['id']}/test", {"form_key": test_key}).status_code == 303
    page = page_once_logged(admin, hook["id"])
    assert "failed" in page.text and "127.0.0.1 is a loopback address; nothing was sent" in page.text
    assert receiver.bodies == []


def test_the_delivery_log_pages_older_deliveries_by_cursor(workspace, admin):
    hook = webhooks.create_webhook(workspace.db, SystemActor(workspace.id), {"url": "https://example.com/hooks"})
    with workspace.db.write() as conn:
        for n in range(55):
            event = {"id": new_id("event"), "type": "stock.changed", "sequence": n + 1}
            webhooks.record_delivery(conn, hook, event, 1 + n % 3, {"ok": n % 2 == 0, "status": 200 if n % 2 == 0
                                                                    else 503, "duration_ms": 12})
    first = ok(admin.get(f"/webhooks/{hook['id']}"))
    assert first.text.count("<td>stock.changed") == 50 and "Older deliveries" in first.text
    assert '<td class="num">503</td>' in first.text and "failed" in first.text
    rest = ok(admin.get(more_link(first), headers={"HX-Request": "true"}))
    assert rest.text.count("<td>stock.changed") == 5 and "<html" not in rest.text
    sequences = re.findall(r"<small>#(\d+)</small>", first.text + rest.text)
    assert sorted(map(int, sequences)) == list(range(1, 56))


def test_an_admin_deletes_a_webhook_once_it_leaves_the_list_and_its_page_is_not_found(workspace, admin):
    hook = webhooks.create_webhook(workspace.db, SystemActor(workspace.id), {"url": "https://example.com/old-hooks"})
    kept = webhooks.create_webhook(workspace.db, SystemActor(workspace.id), {"url": "https://example.com/kept"})
    page = ok(admin.get(f"/webhooks/{hook['id']}"))
    assert f'href="/webhooks/{hook["id"]}/delete"' in page.text
    confirm = ok(admin.get(f"/webhooks/{hook['id']}/delete"))
    assert "Delete the webhook to https://example.com/old-hooks?" in confirm.text
    assert workspace.api.get(f"/v1/webhooks/{hook['id']}").status_code == 200  # asking is not deleting
    fields = {"form_key": form_key(confirm)}
    deleted = admin.submit(f"/webhooks/{hook['id']}/delete", fields)
    assert deleted.status_code == 303 and deleted.headers["location"].startswith("/webhooks?done=")
    listed = ok(admin.get(deleted.headers["location"]))
    assert "Deleted the webhook to https://example.com/old-hooks" in listed.text
    assert f'href="/webhooks/{hook["id"]}"' not in listed.text and f'href="/webhooks/{kept["id"]}"' in listed.text
    assert admin.get(f"/webhooks/{hook['id']}").status_code == 404
    assert admin.get(f"/webhooks/{hook['id']}/delete").status_code == 404
    assert workspace.api.get(f"/v1/webhooks/{hook['id']}").status_code == 404
    assert [h["id"] for h in ok(workspace.api.get("/v1/webhooks"))["data"]] == [kept["id"]]
    # Sent again (a double click), the form goes where the first went; a new one finds nothing to delete.
    assert admin.submit(f"/webhooks/{hook['id']}/delete", fields).headers["location"] == deleted.headers["location"]
    assert admin.submit(f"/webhooks/{hook['id']}/delete", {"form_key": "another"}).status_code == 404
    audit = ok(workspace.api.get("/v1/audit-log?action=webhook.deleted"))["data"]
    assert [(a["resource_id"], a["actor"]["name"]) for a in audit] == [(hook["id"], admin.email)]


def test_members_and_viewers_are_refused_keys_and_webhooks_and_never_see_a_secret(workspace, member, viewer):
    _row, secret = api_keys.create_api_key(workspace.db, workspace.id, "Kept", ["items:read"])
    key_id = _row["id"]
    hook = webhooks.create_webhook(workspace.db, SystemActor(workspace.id), {"url": "https://example.com/hooks"})
    for browser in (member, viewer):
        for path in ("/api-keys", "/api-keys/new", f"/api-keys/{key_id}/revoke", "/webhooks", "/webhooks/new",
                     f"/webhooks/{hook['id']}", f"/webhooks/{hook['id']}/delete"):
            r = browser.get(path)
            assert r.status_code == 403 and "you may not manage the workspace" in r.text, path
            assert secret not in r.text and hook["secret"] not in r.text
        for path, data in (("/api-keys", {"name": "Mine", "scopes": ["*"]}), (f"/api-keys/{key_id}/revoke", {}),
                           ("/webhooks", {"url": "https://evil.example/"}), (f"/webhooks/{hook['id']}/pause", {}),
                           (f"/webhooks/{hook['id']}/test", {}), (f"/webhooks/{hook['id']}/delete", {})):
            r = browser.submit(path, {"form_key": new_id("event"), **data})
            assert r.status_code == 403, path
        audit = ok(browser.get("/audit-log"))
        assert secret not in audit.text and hook["secret"] not in audit.text
    assert [k["name"] for k in ok(workspace.api.get("/v1/api-keys?limit=100"))["data"]].count("Mine") == 0
    assert api_keys.get_api_key(workspace.db, workspace.id, key_id)["revoked_at"] is None
    assert [h["url"] for h in ok(workspace.api.get("/v1/webhooks"))["data"]] == ["https://example.com/hooks"]
    assert ok(workspace.api.get(f"/v1/webhooks/{hook['id']}"))["is_active"] is True


def test_another_workspaces_keys_and_webhooks_are_not_found(app, workspace, other_workspace):
    admin = sign_in(app, workspace, "admin")
    row, secret = api_keys.create_api_key(other_workspace.db, other_workspace.id, "Theirs", ["items:read"])
    hook = webhooks.create_webhook(other_workspace.db, SystemActor(other_workspace.id),
                                   {"url": "https://example.com/theirs"})
    try:
        assert admin.get(f"/api-keys/{row['id']}/revoke").status_code == 404
        assert admin.submit(f"/api-keys/{row['id']}/revoke", {"form_key": "k1"}).status_code == 404
        assert api_keys.authenticate(other_workspace.db, secret).key_id == row["id"]  # still works
        assert admin.get(f"/webhooks/{hook['id']}").status_code == 404
        assert admin.get(f"/webhooks/{hook['id']}/delete").status_code == 404
        for action in ("pause", "test", "delete"):
            assert admin.submit(f"/webhooks/{hook['id']}/{action}", {"form_key": f"k-{action}"}).status_code == 404
        assert webhooks.get_webhook(other_workspace.db, other_workspace.id, hook["id"])["is_active"] is True
        assert "Theirs" not in admin.get("/api-keys").text and "theirs" not in admin.get("/webhooks").text
    finally:
        with other_workspace.db.write() as conn:
            conn.execute(update(webhook_rows).where(webhook_rows.c.workspace_id == other_workspace.id)
                         .values(is_active=False))


def test_each_list_runs_as_many_statements_for_many_rows_as_for_few(workspace, admin):
    def counted(paths: list[str]) -> list[int]:
        seen = []
        for path in paths:
            with statements(workspace.db) as run:
                ok(admin.get(path))
            seen.append(len(run))
        return seen

    hook = webhooks.create_webhook(workspace.db, SystemActor(workspace.id), {"url": "https://example.com/hooks"})

    def grow(n: int) -> None:
        for i in range(n):
            ok(workspace.api.post("/v1/locations", json={"name": f"Place {n}-{i}"}), 201)
            ok(workspace.api.post("/v1/items", json={"sku": f"SKU-{n}-{i}", "name": "Thing"}), 201)
            ok(workspace.api.post("/v1/stock/adjustments", json={"item": f"SKU-{n}-{i}", "location": f"Place {n}-{i}",
                                                                 "reason": "receipt", "delta": 2}), 201)
            api_keys.create_api_key(workspace.db, workspace.id, f"key {n}-{i}", ["items:read"])
            webhooks.create_webhook(workspace.db, SystemActor(workspace.id), {"url": f"https://example.com/{n}/{i}"})
            with workspace.db.write() as conn:
                webhooks.record_delivery(conn, hook, {"id": new_id("event"), "type": "stock.changed", "sequence": i},
                                         1, {"ok": True, "status": 200})

    grow(1)
    paths = ["/locations", "/audit-log", "/audit-log?action=item.created", "/api-keys", "/webhooks",
             f"/webhooks/{hook['id']}"]
    few = counted(paths)
    grow(6)
    assert counted(paths) == few


def test_an_admin_makes_a_user_whose_password_is_shown_once_then_changes_the_role_and_password(app, workspace, admin):
    page = ok(admin.get("/users/new"))
    form = {"form_key": form_key(page), "email": "Vera@Example.com", "name": "Vera", "role": "viewer"}
    created = admin.submit("/users", form)
    assert created.status_code == 201 and created.headers["cache-control"] == "no-store"
    password = re.search(r'<code id="secret">([^<]+)</code>', created.text).group(1)
    again = admin.submit("/users", form)
    assert again.status_code == 303 and "already" in again.headers["location"]
    assert password not in ok(admin.get(again.headers["location"])).text
    vera = [u for u in ok(workspace.api.get("/v1/users?limit=100"))["data"] if u["email"] == "vera@example.com"]
    assert len(vera) == 1 and vera[0]["role"] == "viewer"
    browser = TestClient(app)
    assert browser.post("/login", data={"email": "vera@example.com", "password": password},
                        follow_redirects=False).status_code == 303
    assert browser.get("/users", follow_redirects=False).status_code == 403

    listed = ok(admin.get("/users"))
    assert "vera@example.com" in listed.text and password not in listed.text
    role_key = re.search(rf'/users/{vera[0]["id"]}/role".*?name="form_key" value="([^"]+)"', listed.text, re.S).group(1)
    changed = admin.submit(f"/users/{vera[0]['id']}/role", {"form_key": role_key, "role": "member"})
    assert changed.status_code == 303 and "is now a member" in ok(admin.get(changed.headers["location"])).text
    assert ok(workspace.api.get(f"/v1/users/{vera[0]['id']}"))["role"] == "member"

    reset = admin.submit(f"/users/{vera[0]['id']}/password", {"form_key": "reset-1"})
    assert reset.status_code == 200
    second = re.search(r'<code id="secret">([^<]+)</code>', reset.text).group(1)
    assert second != password
    assert browser.get("/", follow_redirects=False).status_code == 303  # the old session ended
    assert browser.post("/login", data={"email": "vera@example.com", "password": second},
                        follow_redirects=False).status_code == 303


def test_only_an_admin_of_the_workspace_reaches_its_users(app, workspace, other_workspace, member):
    theirs = sign_in(app, other_workspace, "viewer")
    with other_workspace.db.read() as conn:
        their_id = users.find_user(conn, other_workspace.id, theirs.email)["id"]
    assert member.get("/users").status_code == 403
    assert member.submit("/users", {"email": "x@example.com", "role": "admin"}).status_code == 403
    admin = sign_in(app, workspace, "admin")
    assert admin.submit(f"/users/{their_id}/password", {"form_key": "p1"}).status_code == 404
    assert admin.submit(f"/users/{their_id}/role", {"form_key": "r1", "role": "admin"}).status_code == 404
    assert theirs.get("/").status_code == 200  # untouched: still signed in, still a viewer
    assert theirs.get("/users").status_code == 403


def test_the_workspaces_last_admin_is_not_demoted_from_the_dashboard_and_it_says_why(workspace, admin):
    with workspace.db.read() as conn:
        me = users.find_user(conn, workspace.id, admin.email)
    other = ok(workspace.api.post("/v1/users", json={"email": "ida@example.com", "role": "admin"}), 201)
    demoted = admin.submit(f"/users/{other['id']}/role", {"form_key": "r1", "role": "viewer"})
    assert demoted.status_code == 303
    assert "ida@example.com is now a viewer" in ok(admin.get(demoted.headers["location"])).text
    # The page offers no role form for oneself; a form sent anyway is refused, in words, and changes nothing.
    refused = admin.submit(f"/users/{me['id']}/role", {"form_key": "r2", "role": "member"})
    assert refused.status_code == 409
    assert f"{admin.email} is the workspace&#39;s last admin: make another user an admin first." in refused.text
    assert ok(workspace.api.get(f"/v1/users/{me['id']}"))["role"] == "admin"
    assert ok(admin.get("/users")).status_code == 200  # still an admin
    # The refused form freed its key: once there is another admin, the same form goes through.
    ok(workspace.api.patch(f"/v1/users/{other['id']}", json={"role": "admin"}))
    again = admin.submit(f"/users/{me['id']}/role", {"form_key": "r2", "role": "member"})
    assert again.status_code == 303
    assert ok(workspace.api.get(f"/v1/users/{me['id']}"))["role"] == "member"
    assert admin.get("/users").status_code == 403


def test_only_an_admin_finds_users_in_the_nav(workspace, admin, member, viewer):
    nav = re.compile(r"<nav[^>]*>.*</nav>", re.S)
    assert re.search(r'<a href="/users"\s*>Users</a>', nav.search(ok(admin.get("/")).text).group(0))
    assert '<a href="/users" aria-current="page">Users</a>' in nav.search(ok(admin.get("/users")).text).group(0)
    for browser in (member, viewer):
        assert 'href="/users"' not in nav.search(ok(browser.get("/")).text).group(0)


def test_the_overview_and_locations_read_the_same_statements_with_ten_or_ninety_items(workspace, viewer):
    """Counts by status, the stock value and each location's figures come from the running
    totals: more items and more changes add no statement to the pages (and no row read per item)."""
    stocked(workspace.api)

    def more_items(start: int, n: int) -> None:
        for k in range(start, start + n):
            ok(workspace.api.post("/v1/items", json={"sku": f"MORE-{k}", "name": f"More {k}", "unit_cost": "1.5"}), 201)
            ok(workspace.api.post("/v1/stock/adjustments", json={"item": f"MORE-{k}", "reason": "receipt",
                                                                 "delta": 2}), 201)

    def counted() -> list[int]:
        sizes = []
        for path in ("/", "/locations"):
            with statements(workspace.db) as seen:
                assert viewer.get(path).status_code == 200
            sizes.append(len(seen))
        return sizes

    more_items(0, 6)
    counted()  # the per-process running totals of the chart start here
    few = counted()
    more_items(6, 80)
    page = viewer.get("/")
    assert re.search(r'<span class="n">89</span> items', page.text)  # 3 + 86, the trashed one not counted
    assert "258.00</span> USD stock value" in page.text  # 86 x 2 at 1.50
    assert counted() == few
