"""Stock alerts by email, end to end: /v1/alerts/settings, a stock change through the API, the
worker's round, and a real SMTP server on loopback (tests/smtp_server.py) that receives them."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, select

from storekeeper.config import Settings
from storekeeper.domain.clock import utcnow
from storekeeper.persistence.tables import stock_alerts
from storekeeper.services import alert_mail, worker
from storekeeper.services.locations import DEFAULT_NAME
from tests.concurrency import at_once
from tests.factories import error, item
from tests.waiting import wait_until

PASSWORD = "pw-Never-Shown-7f3a9"


def configure(api, smtp_server, **overrides) -> dict:
    body = {"smtp_host": "127.0.0.1", "smtp_port": smtp_server.port, "smtp_security": "none",
            "from_address": "stock@shop.example", "recipient_addresses": ["owner@shop.example"], **overrides}
    r = api.put("/v1/alerts/settings", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def stocked(api, sku: str, *, name: str | None = None, quantity: int = 10, reorder_point: int = 5) -> None:
    item(api, sku, name=name or f"Candle {sku}", reorder_point=reorder_point, safety_stock=1)
    r = api.post("/v1/stock/adjustments", json={"item": sku, "reason": "receipt", "delta": quantity})
    assert r.status_code == 201, r.text


def sell(api, sku: str, quantity: int) -> None:
    r = api.post("/v1/stock/adjustments", json={"item": sku, "reason": "sale", "delta": -quantity})
    assert r.status_code == 201, r.text


def alerts_of(workspace) -> list[dict]:
    with workspace.db.read() as conn:
        return [dict(r) for r in conn.execute(select(stock_alerts).where(
            stock_alerts.c.workspace_id == workspace.id).order_by(stock_alerts.c.created_at)).mappings()]


def arrived(smtp_server, count: int):
    return wait_until(lambda: len(smtp_server.messages()) >= count and smtp_server.messages(),
                      f"{count} email(s) at the loopback SMTP server")


def test_a_sale_into_low_stock_sends_one_email_with_the_item_its_stock_and_a_link(workspace, db, smtp_server):
    api = workspace.api
    configure(api, smtp_server)
    stocked(api, "LAV-1", name="Lavender candle")
    sell(api, "LAV-1", 6)  # 4 left, at or below the reorder point of 5: low
    worker.run_once(db, smtp_allow_loopback=True)
    worker.run_once(db, smtp_allow_loopback=True)
    [mail] = arrived(smtp_server, 1)
    assert mail.recipients == ["owner@shop.example"]
    assert mail.sender == "stock@shop.example"
    assert mail.subject == "Stock alert: Lavender candle (LAV-1) is low"
    assert "Lavender candle (SKU LAV-1) is low (was in stock): 4 pcs available, 4 pcs on hand." in mail.text
    assert f"- {DEFAULT_NAME}: 4 pcs on hand, 4 pcs available" in mail.text
    assert "http://testserver/items/LAV-1" in mail.text
    assert [a["state"] for a in alerts_of(workspace)] == ["sent"]
    worker.run_once(db, smtp_allow_loopback=True)
    assert len(smtp_server.messages()) == 1


def test_a_server_that_refuses_at_first_gets_the_alert_once_when_it_accepts(workspace, db, smtp_server):
    api = workspace.api
    configure(api, smtp_server)
    stocked(api, "RETRY-1")
    smtp_server.refuse_next = 1
    sell(api, "RETRY-1", 9)  # 1 left: critical (safety stock 1)
    assert alert_mail.send_due(db, allow_loopback=True) == 0
    assert smtp_server.refused == 1 and smtp_server.messages() == []
    [pending] = alerts_of(workspace)
    assert (pending["state"], pending["attempts"]) == ("pending", 1)
    assert "451" in pending["last_error"]
    assert pending["next_attempt_at"] > utcnow()  # not again before its pause
    assert alert_mail.send_due(db, allow_loopback=True) == 0
    later = utcnow() + timedelta(minutes=1)
    assert alert_mail.send_due(db, later, allow_loopback=True) == 1
    [mail] = arrived(smtp_server, 1)
    assert "is critical" in mail.subject
    assert alert_mail.send_due(db, later + timedelta(hours=1), allow_loopback=True) == 0
    assert len(smtp_server.messages()) == 1
    assert [a["state"] for a in alerts_of(workspace)] == ["sent"]


def test_a_change_rolled_back_records_and_sends_nothing(workspace, db, smtp_server):
    api = workspace.api
    configure(api, smtp_server)
    stocked(api, "ROLL-1")
    stocked(api, "ROLL-2", quantity=1)
    r = api.post("/v1/stock/adjustments/bulk", json={"adjustments": [
        {"item": "ROLL-1", "reason": "sale", "delta": -10},  # would be out of stock…
        {"item": "ROLL-2", "reason": "sale", "delta": -5}]})  # …but this one cannot be: nothing is applied
    assert r.status_code == 422, r.text
    assert alerts_of(workspace) == []
    worker.run_once(db, smtp_allow_loopback=True)
    assert smtp_server.messages() == []


def test_only_the_chosen_statuses_alert_and_only_when_worse(workspace, db, smtp_server):
    api = workspace.api
    configure(api, smtp_server, statuses=["out_of_stock"])
    stocked(api, "CHOSEN-1")
    sell(api, "CHOSEN-1", 6)  # low: not chosen
    assert alerts_of(workspace) == []
    sell(api, "CHOSEN-1", 4)  # out of stock
    r = api.post("/v1/stock/adjustments", json={"item": "CHOSEN-1", "reason": "receipt", "delta": 2})
    assert r.status_code == 201  # better again (critical… low): nobody is told
    assert [(a["from_status"], a["to_status"]) for a in alerts_of(workspace)] == [("low", "out_of_stock")]


def test_a_daily_digest_sends_one_email_with_every_item_at_its_hour(workspace, db, smtp_server):
    api = workspace.api
    now = utcnow()
    hour = (now + timedelta(hours=1)).hour
    configure(api, smtp_server, mode="digest", digest_hour=hour, time_zone="UTC")
    for sku in ("DIG-1", "DIG-2", "DIG-3"):
        stocked(api, sku)
        sell(api, sku, 6)
    sell(api, "DIG-3", 4)  # low, then out of stock: one entry, from in stock to out of stock
    assert alert_mail.send_due(db, allow_loopback=True) == 0  # before the digest's hour
    at_hour = (now + timedelta(hours=1)).replace(minute=0, second=30, microsecond=0)
    assert alert_mail.send_due(db, at_hour, allow_loopback=True) == 4
    [mail] = arrived(smtp_server, 1)
    assert mail.subject == "Daily stock alerts: 3 items"
    for sku in ("DIG-1", "DIG-2"):
        assert f"Candle {sku} (SKU {sku}) is low (was in stock)" in mail.text
    assert "Candle DIG-3 (SKU DIG-3) is out of stock (was in stock)" in mail.text
    assert alert_mail.send_due(db, at_hour + timedelta(minutes=5), allow_loopback=True) == 0
    assert len(smtp_server.messages()) == 1


def test_chosen_users_get_the_email_at_their_address(workspace, db, smtp_server):
    api = workspace.api
    r = api.post("/v1/users", json={"email": "Buyer@Shop.example", "name": "Buyer", "role": "member"})
    assert r.status_code == 201, r.text
    settings = configure(api, smtp_server, recipient_users=["buyer@shop.example"], recipient_addresses=[])
    assert settings["recipient_users"] == [r.json()["id"]]
    stocked(api, "USER-1")
    sell(api, "USER-1", 10)
    alert_mail.send_due(db, allow_loopback=True)
    [mail] = arrived(smtp_server, 1)
    assert mail.recipients == ["buyer@shop.example"]


def test_the_password_is_never_shown_nor_logged_but_reaches_the_server(api, db, smtp_server, caplog):
    caplog.set_level(logging.DEBUG)
    shown = configure(api, smtp_server, smtp_username="shop", smtp_password=PASSWORD)
    assert shown["password_set"] is True and "smtp_password" not in shown
    r = api.get("/v1/alerts/settings")
    assert r.status_code == 200 and PASSWORD not in r.text and r.json()["password_set"] is True
    kept = configure(api, smtp_server, smtp_username="shop")  # left out: kept
    assert kept["password_set"] is True
    r = api.post("/v1/alerts/settings/test")
    assert r.status_code == 200 and r.json() == {"sent": True, "recipients": ["owner@shop.example"], "error": None}
    arrived(smtp_server, 1)
    assert smtp_server.logins == [("shop", PASSWORD)]
    audit = api.get("/v1/audit-log?resource_type=alert_settings")
    assert audit.status_code == 200 and len(audit.json()["data"]) == 2
    assert PASSWORD not in audit.text
    assert PASSWORD not in caplog.text
    assert PASSWORD not in api.get("/v1/events?types=*").text
    assert configure(api, smtp_server, smtp_password=None)["password_set"] is False


def test_smtp_hosts_inside_the_network_are_refused_at_save(api):
    for host in ("10.0.0.1", "169.254.169.254", "0xa9fea9fe", "[::ffff:10.0.0.1]", "192.168.1.5", "0.0.0.0"):
        r = api.put("/v1/alerts/settings", json={"smtp_host": host, "from_address": "a@shop.example",
                                                 "recipient_addresses": ["b@shop.example"]})
        assert error(r) == (422, "VALIDATION_ERROR"), host
        assert "smtp_host" in r.json()["error"]["fields"], r.text
    assert api.get("/v1/alerts/settings").json()["version"] == 0  # nothing was stored


def test_loopback_is_refused_unless_the_server_allows_it(database_url, db):
    from fastapi.testclient import TestClient

    from storekeeper.api.app import create_app
    from tests.conftest import make_workspace

    strict = Settings(database_url=database_url, sqlite_synchronous="NORMAL", rate_limit_enabled=False)
    with TestClient(create_app(strict, db)) as client:
        api = make_workspace(db, client).api
        for host in ("127.0.0.1", "localhost", "[::1]", "2130706433"):
            r = api.put("/v1/alerts/settings", json={"smtp_host": host, "from_address": "a@shop.example",
                                                     "recipient_addresses": ["b@shop.example"]})
            assert error(r) == (422, "VALIDATION_ERROR"), host
            assert "STOREKEEPER_SMTP_ALLOW_LOOPBACK" in r.text


def test_a_name_that_resolves_inside_the_network_is_never_connected_to(workspace, db, smtp_server):
    api = workspace.api
    configure(api, smtp_server, smtp_host="mail.shop.example")
    stocked(api, "DNS-1")
    sell(api, "DNS-1", 10)

    def inside(host: str, port: int) -> list[str]:
        assert (host, port) == ("mail.shop.example", smtp_server.port)
        return ["169.254.169.254"]  # a connection there would hang for the timeout, not fail at once

    assert alert_mail.send_due(db, allow_loopback=True, resolve=inside) == 0
    [alert] = alerts_of(workspace)
    assert alert["last_error"].startswith("Refused: mail.shop.example resolves to 169.254.169.254")
    assert "Nothing was sent" in alert["last_error"]


def test_bad_settings_are_refused_in_words(api):
    r = api.put("/v1/alerts/settings", json={"smtp_host": "smtp.shop.example", "from_address": "not an address",
                                             "recipient_users": ["nobody@shop.example"], "time_zone": "Mars/Base"})
    assert error(r) == (422, "VALIDATION_ERROR")
    fields = r.json()["error"]["fields"]
    assert set(fields) >= {"from_address", "time_zone"}, fields
    r = api.put("/v1/alerts/settings", json={"smtp_host": "smtp.shop.example", "from_address": "a@shop.example"})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "recipient_users" in r.json()["error"]["fields"]


def test_another_workspace_sees_only_its_own_alert_settings_and_cannot_test_ours(api, other_workspace, smtp_server):
    configure(api, smtp_server)
    theirs = other_workspace.api.get("/v1/alerts/settings")
    assert theirs.status_code == 200, theirs.text
    assert (theirs.json()["enabled"], theirs.json()["smtp_host"], theirs.json()["version"]) == (False, None, 0)
    assert error(other_workspace.api.post("/v1/alerts/settings/test")) == (404, "ALERT_SETTINGS_NOT_FOUND")
    assert smtp_server.messages() == []


def test_alert_settings_need_the_admin_scope(workspace, smtp_server):
    reader = workspace.key_with("items:read", "stock:write")
    assert error(reader.get("/v1/alerts/settings"))[0] == 403
    assert error(reader.put("/v1/alerts/settings", json={}))[0] == 403


def test_a_workspace_without_alerts_queues_nothing(workspace, db):
    stocked(workspace.api, "NONE-1")
    sell(workspace.api, "NONE-1", 10)
    assert alerts_of(workspace) == []
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(stock_alerts).where(
            stock_alerts.c.workspace_id == workspace.id)).scalar_one() == 0


def test_workers_sending_at_once_send_each_alert_once(workspace, db, smtp_server):
    api = workspace.api
    configure(api, smtp_server)
    for sku in ("RACE-1", "RACE-2"):
        stocked(api, sku)
        sell(api, sku, 10)
    sent = at_once([lambda: alert_mail.send_due(db, allow_loopback=True) for _ in range(4)])
    assert sorted(sent) == [0, 0, 0, 2]
    [mail] = arrived(smtp_server, 1)
    assert mail.subject == "Stock alerts: 2 items"
    assert [a["state"] for a in alerts_of(workspace)] == ["sent", "sent"]


def test_alerts_are_purged_a_month_after_they_were_sent(workspace, db, smtp_server):
    api = workspace.api
    configure(api, smtp_server)
    stocked(api, "OLD-1")
    sell(api, "OLD-1", 10)
    assert alert_mail.send_due(db, allow_loopback=True) == 1
    assert alert_mail.purge_old(db) == 0
    assert alert_mail.purge_old(db, utcnow() + timedelta(days=31)) >= 1
    assert alerts_of(workspace) == []


def test_a_reorder_point_raised_above_the_stock_alerts_too(workspace, db, smtp_server):
    api = workspace.api
    configure(api, smtp_server)
    stocked(api, "RAISE-1", name="Raised candle")
    r = api.patch("/v1/items/RAISE-1", json={"reorder_point": 20})
    assert r.status_code == 200, r.text
    assert alert_mail.send_due(db, allow_loopback=True) == 1
    [mail] = arrived(smtp_server, 1)
    assert mail.subject == "Stock alert: Raised candle (RAISE-1) is low"


def test_a_line_break_in_an_items_name_stays_out_of_the_subjects_header(workspace, db, smtp_server):
    api = workspace.api
    configure(api, smtp_server)
    r = api.post("/v1/items", json={"sku": "NL-1", "name": "Lavender\r\nBcc: someone@else.example", "reorder_point": 5})
    assert r.status_code == 201, r.text
    r = api.post("/v1/stock/adjustments", json={"item": "NL-1", "reason": "receipt", "delta": 1})
    assert r.status_code == 201, r.text  # out of stock → low is better: no alert; sell it to alert
    sell(api, "NL-1", 1)
    assert alert_mail.send_due(db, allow_loopback=True) == 1
    [mail] = arrived(smtp_server, 1)
    assert mail.recipients == ["owner@shop.example"] and mail.message["Bcc"] is None
    assert mail.subject == "Stock alert: Lavender Bcc: someone@else.example (NL-1) is out of stock"
