"""Stock alerts on the dashboard: the admin's Alerts page (settings, a test email that a real SMTP
server on loopback receives, the latest alerts), what it refuses in words, the password that never
comes back, and the overview's list of items that alert now."""

from __future__ import annotations

import logging
import re

from storekeeper.services import alert_mail
from tests.factories import item
from tests.sql_counting import statements
from tests.waiting import wait_until
from tests.web.conftest import sign_in

SECRET = "page-Secret-91c2e"


def form(smtp_server, **overrides) -> dict:
    return {"enabled": "on", "smtp_host": "127.0.0.1", "smtp_port": str(smtp_server.port), "smtp_security": "none",
            "from_address": "stock@shop.example", "recipient_addresses": "owner@shop.example\nbuyer@shop.example",
            "statuses": ["low", "critical", "out_of_stock"], "mode": "immediate", "digest_hour": "8",
            "time_zone": "UTC", "form_key": f"k-{id(overrides)}-{len(overrides)}", **overrides}


def send(browser, path: str, data: dict):
    return browser.client.post(path, data={**data, "csrf_token": browser.csrf()}, follow_redirects=False)


def test_an_admin_sets_alerts_up_and_a_test_email_arrives(admin, smtp_server, workspace):
    page = admin.get("/alerts")
    assert page.status_code == 200 and "Stock alerts by email" in page.text
    assert "Send a test email" not in page.text  # nothing saved to test yet
    r = send(admin, "/alerts", form(smtp_server))
    assert r.status_code == 303, r.text
    page = admin.get(r.headers["location"])
    assert "Saved." in page.text and 'value="127.0.0.1"' in page.text
    r = send(admin, "/alerts/test", {})
    assert r.status_code == 303
    page = admin.get(r.headers["location"])
    assert "Sent a test email to owner@shop.example, buyer@shop.example" in page.text
    [mail] = wait_until(lambda: smtp_server.messages(), "the test email at the loopback SMTP server")
    assert sorted(mail.recipients) == ["buyer@shop.example", "owner@shop.example"]
    assert mail.subject == "Storekeeper: test of stock alerts"


def test_a_stopped_server_is_said_in_words_when_testing(admin, smtp_server):
    assert send(admin, "/alerts", form(smtp_server, smtp_port="1")).status_code == 303  # nothing listens on port 1
    page = admin.get(send(admin, "/alerts/test", {}).headers["location"])
    assert "The test email was not sent: Could not reach 127.0.0.1:1" in page.text


def test_the_password_is_never_written_into_a_page_nor_logged(admin, smtp_server, caplog):
    caplog.set_level(logging.DEBUG)
    r = send(admin, "/alerts", form(smtp_server, smtp_username="shop", smtp_password=SECRET))
    assert r.status_code == 303, r.text
    page = admin.get("/alerts")
    assert SECRET not in page.text and "one is stored; leave empty to keep it" in page.text
    refused = send(admin, "/alerts", form(smtp_server, smtp_password=SECRET + "x", from_address="nope", form_key="k2"))
    assert refused.status_code == 422
    assert SECRET not in refused.text and "From: &#39;nope&#39; is not an email address." in refused.text
    send(admin, "/alerts/test", {})
    wait_until(lambda: smtp_server.logins, "a login at the SMTP server")
    assert smtp_server.logins == [("shop", SECRET)]  # kept, and sent to the server only
    assert SECRET not in admin.get("/audit-log").text
    assert SECRET not in caplog.text


def test_an_smtp_host_inside_the_network_is_refused_in_words_and_not_saved(admin, smtp_server):
    for host in ("10.0.0.1", "169.254.169.254"):
        r = send(admin, "/alerts", form(smtp_server, smtp_host=host, form_key=f"k-{host}"))
        assert r.status_code == 422, r.text
        assert f"SMTP server: Not a public address: {host} is a" in r.text
    assert "Send a test email" not in admin.get("/alerts").text


def test_members_and_viewers_may_not_open_the_alerts_page(member, viewer):
    for browser in (member, viewer):
        r = browser.get("/alerts")
        assert r.status_code == 403 and "may not manage the workspace" in r.text
        assert 'href="/alerts"' not in browser.get("/").text


def test_another_workspaces_admin_sees_only_their_own_settings(app, admin, smtp_server, other_workspace):
    assert send(admin, "/alerts", form(smtp_server, smtp_host="localhost")).status_code == 303
    theirs = sign_in(app, other_workspace, "admin")
    page = theirs.get("/alerts")
    assert page.status_code == 200 and 'value="localhost"' not in page.text
    r = send(theirs, "/alerts/test", {})
    assert r.status_code == 409 and "Save the settings first" in r.text
    assert smtp_server.messages() == []


def test_the_latest_alerts_show_how_sending_went(admin, workspace, smtp_server, db):
    assert send(admin, "/alerts", form(smtp_server)).status_code == 303
    api = workspace.api
    item(api, "SHOWN-1", name="Shown candle", reorder_point=5)  # no stock yet: out of stock
    r = api.post("/v1/stock/adjustments", json={"item": "SHOWN-1", "reason": "receipt", "delta": 3})
    assert r.status_code == 201  # out of stock → low is better: no alert
    r = api.post("/v1/stock/adjustments", json={"item": "SHOWN-1", "reason": "sale", "delta": -3})
    assert r.status_code == 201  # low → out of stock
    assert "Waiting to be sent" in admin.get("/alerts").text
    alert_mail.send_due(db, allow_loopback=True)
    page = admin.get("/alerts")
    assert re.search(r"SHOWN-1</a> Shown candle</td>\s*<td>Out of stock</td>", page.text)
    assert "Sent " in page.text


def _make_alerting(api, prefix: str, count: int) -> None:
    for n in range(count):
        sku = f"{prefix}-{n}"
        item(api, sku, reorder_point=5)
        r = api.post("/v1/stock/adjustments", json={"item": sku, "reason": "receipt", "delta": 2 + n % 5})
        assert r.status_code == 201, r.text


def test_the_overview_lists_items_that_alert_now_in_as_many_statements_for_many_as_for_few(workspace, viewer):
    _make_alerting(workspace.api, "FEW", 1)
    with statements(workspace.db) as few:
        page = viewer.get("/")
    assert page.status_code == 200
    assert "Stock alerts now" in page.text and 'href="/items/FEW-0"' in page.text
    _make_alerting(workspace.api, "MANY", 25)
    with statements(workspace.db) as many:
        page = viewer.get("/")
    assert len(many) == len(few)
    assert page.text.count('<a href="/items?status=low">Low</a>') == 10  # the first 10 of the status
