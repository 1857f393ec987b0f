"""Stock alerts are about the items that hold stock (issue 22): a variant going low alerts once,
for the variant, not again for its parent (whose status sums its variants'), and a bundle (whose
status is what its components make up) never alerts; neither a parent nor a bundle is on the
overview's list. Through the real app, the worker and a real SMTP server on loopback."""

from __future__ import annotations

from sqlalchemy import select

from storekeeper.persistence.tables import items, stock_alerts
from storekeeper.services import alert_mail
from tests.waiting import wait_until
from tests.web.test_alert_pages import form, send


def ok(r, status: int = 200):
    assert r.status_code == status, r.text
    return r.json()


def alerted(workspace) -> list[tuple[str, str]]:
    """(SKU, status) of each alert recorded, oldest first."""
    with workspace.db.read() as conn:
        return [tuple(r) for r in conn.execute(
            select(items.c.sku, stock_alerts.c.to_status)
            .join(items, (items.c.workspace_id == stock_alerts.c.workspace_id) & (items.c.id == stock_alerts.c.item_id))
            .where(stock_alerts.c.workspace_id == workspace.id)
            .order_by(stock_alerts.c.created_at, stock_alerts.c.id))]


def receive(api, sku: str, quantity: int) -> None:
    ok(api.post("/v1/stock/adjustments", json={"item": sku, "reason": "receipt", "delta": quantity}), 201)


def sell(api, sku: str, quantity: int) -> None:
    ok(api.post("/v1/stock/adjustments", json={"item": sku, "reason": "sale", "delta": -quantity}), 201)


def shop(workspace, admin, smtp_server) -> None:
    """A tee in two sizes (10 each; the parent low at 15 or less of both), and a gift box bundle
    of two candles (20 candles: it makes up 10; low at 3 boxes or fewer), alerts on."""
    api = workspace.api
    assert send(admin, "/alerts", form(smtp_server)).status_code == 303
    ok(api.post("/v1/items", json={"sku": "TEE", "name": "Tee", "reorder_point": 15, "variants": [
        {"sku": "TEE-S", "attributes": {"size": "S"}, "reorder_point": 5},
        {"sku": "TEE-M", "attributes": {"size": "M"}, "reorder_point": 5}]}), 201)
    ok(api.post("/v1/items", json={"sku": "CANDLE", "name": "Candle", "reorder_point": 2}), 201)
    ok(api.post("/v1/items", json={"sku": "BOX", "name": "Gift box", "tracking": "bundle", "reorder_point": 3}), 201)
    ok(api.put("/v1/items/BOX/components", json=[{"item": "CANDLE", "quantity": 2}]))
    for sku, quantity in (("TEE-S", 10), ("TEE-M", 10), ("CANDLE", 20)):
        receive(api, sku, quantity)
    assert alerted(workspace) == []  # better, not worse: out of stock → in stock


def test_a_variant_going_low_alerts_once_for_the_variant_and_a_bundle_never(workspace, admin, viewer, smtp_server,
                                                                             db):
    shop(workspace, admin, smtp_server)
    api = workspace.api
    sell(api, "TEE-S", 6)  # TEE-S 4: low; the tee 14 of 15: low too, but it holds no stock of its own
    sell(api, "CANDLE", 14)  # 6 candles: in stock; the box makes up 3: low, but it holds none either
    statuses = {i["sku"]: i["status"] for i in ok(api.get("/v1/items?limit=100"))["data"]}
    assert (statuses["TEE-S"], statuses["TEE"], statuses["BOX"], statuses["CANDLE"]) == ("low", "low", "low", "normal")
    assert alerted(workspace) == [("TEE-S", "low")]
    alert_mail.send_due(db, allow_loopback=True)
    [mail] = wait_until(lambda: smtp_server.messages(), "the alert at the loopback SMTP server")
    assert mail.subject.startswith("Stock alert: ") and mail.subject.endswith("(TEE-S) is low"), mail.subject
    assert "(SKU TEE-S)" in mail.text and "(SKU TEE)" not in mail.text and "BOX" not in mail.text
    overview = viewer.get("/").text
    assert 'href="/items/TEE-S"' in overview
    assert 'href="/items/TEE"' not in overview and 'href="/items/BOX"' not in overview


def test_a_reorder_point_raised_on_a_parent_or_a_bundle_alerts_nothing(workspace, admin, smtp_server):
    shop(workspace, admin, smtp_server)
    api = workspace.api
    for sku in ("TEE", "BOX"):
        ok(api.patch(f"/v1/items/{sku}", json={"reorder_point": 500}))
    assert {i["sku"]: i["status"] for i in ok(api.get("/v1/items?limit=100"))["data"]}["TEE"] == "low"
    assert alerted(workspace) == []
    ok(api.patch("/v1/items/TEE-M", json={"reorder_point": 50}))  # a variant's own: it alerts
    assert alerted(workspace) == [("TEE-M", "low")]
