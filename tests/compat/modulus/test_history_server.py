"""The Inventory Manager API's purchase orders, audit log and snapshots (seed 003) spoken to a
real `storekeeper serve` over HTTP: documented shapes and types, offset paging, every parameter
and error; what /v1 writes shows here, what is written here shows in /v1."""

from __future__ import annotations

import re

import pytest

from tests.compat.modulus.shapes import (
    AUDIT_ENTRY,
    LINE_ITEM,
    ORDER,
    PREFIX,
    SNAPSHOT,
    TIMESTAMP,
    error,
    listed,
    shaped,
)


@pytest.fixture(scope="module")
def world(served):
    """The document's "Warehouse A" and two items, one with a standard cost, made through /v1."""
    with served.v1() as v1:
        a = v1.post("/v1/locations", json={"name": "Warehouse A"}).json()
        widget = v1.post("/v1/items", json={"sku": "WPX-001", "name": "Widget Pro X"}).json()
        gadget = v1.post("/v1/items", json={"sku": "GAD-1", "name": "Gadget", "unit_cost": "2.50"}).json()
        me = v1.get("/v1/me").json()
    return {"a": a["id"], "widget": widget["id"], "gadget": gadget["id"], "actor": me["actor"]["id"]}


def test_create_order_with_line_items_answers_a_draft_purchase_order(served, vendor, world):
    body = {"supplier": "Acme Supplies", "location": "Warehouse A",
            "line_items": [{"item_id": world["widget"], "quantity": 100, "unit_cost": 4.25},
                           {"item_id": world["gadget"], "quantity": 3}]}
    r = vendor.post("/v1/orders", json=body)
    assert r.status_code == 201, r.text
    order = r.json()
    assert shaped(order, ORDER) and all(shaped(line, LINE_ITEM) for line in order["line_items"])
    assert (order["supplier"], order["status"], order["location"], order["total"]) == (
        "Acme Supplies", "draft", "Warehouse A", 432.5)
    assert [(li["item_id"], li["sku"], li["quantity"], li["unit_cost"]) for li in order["line_items"]] == [
        (world["widget"], "WPX-001", 100, 4.25), (world["gadget"], "GAD-1", 3, 2.5)]
    assert re.match(TIMESTAMP, order["created_at"])
    with served.v1() as v1:
        mine = v1.get(f"/v1/purchase-orders/{order['id']}").json()
        assert (mine["number"], mine["supplier"], mine["location"]) == (order["number"], "Acme Supplies", world["a"])


def test_an_order_without_a_location_names_none_and_is_received_at_each_items_home(served, vendor, world):
    with served.v1() as v1:
        homed = v1.post("/v1/items", json={"sku": "HOMED-1", "name": "Homed", "home_location": "Warehouse A"}).json()
    r = vendor.post("/v1/orders", json={"supplier": "Default Co", "line_items": [{"item_id": homed["id"],
                                                                                  "quantity": 4}]})
    assert r.status_code == 201 and r.json()["location"] is None and shaped(r.json(), ORDER)
    with served.v1() as v1:
        assert v1.post(f"/v1/purchase-orders/{r.json()['id']}/order").status_code == 200
        assert v1.post(f"/v1/purchase-orders/{r.json()['id']}/receive", json={}).status_code == 200
    assert vendor.get(f"/v1/items/{homed['id']}").json()["quantity"] == 4
    assert vendor.get("/v1/orders", params={"limit": 1}).json()["data"][0]["status"] == "received"


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"line_items": [{"item_id": "GAD-1", "quantity": 1}]}, 422, "supplier"),
    ({"supplier": "S", "line_items": []}, 422, "line_items"),
    ({"supplier": "S"}, 422, "line_items"),
    ({"supplier": "S", "line_items": [{"item_id": "GAD-1", "quantity": 0}]}, 422, "line_items[0].quantity"),
    ({"supplier": "S", "line_items": [{"item_id": "GAD-1", "quantity": 1, "unit_cost": -1}]}, 422,
     "line_items[0].unit_cost"),
    ({"supplier": "S", "line_items": [{"quantity": 1}]}, 422, "line_items[0].item_id"),
    ({"supplier": "S", "line_items": [{"item_id": "GAD-1", "quantity": 1}], "location": "Atlantis"}, 404, "location"),
])
def test_a_bad_order_is_refused_in_the_documents_envelope(vendor, world, body, status, field):
    assert error(vendor.post("/v1/orders", json=body)) == (status, "invalid_request" if status == 422 else
                                                           "not_found", field)


def test_an_order_for_an_unknown_item_is_refused_and_nothing_is_made(vendor, world):
    before = vendor.get("/v1/orders").json()["pagination"]["total"]
    assert error(vendor.post("/v1/orders", json={"supplier": "S", "line_items": [
        {"item_id": "GAD-1", "quantity": 1}, {"item_id": "item_nope", "quantity": 1}]}))[:2] == (404, "not_found")
    assert vendor.get("/v1/orders").json()["pagination"]["total"] == before


def test_list_orders_pages_by_offset_newest_first_and_shows_v1s_orders(served, vendor, world):
    # Its own first order: the module's tests may run on several workers, each with its server.
    first = vendor.post("/v1/orders", json={"supplier": "Acme Supplies", "line_items": [{"item_id": "GAD-1",
                                                                                           "quantity": 1}]})
    assert first.status_code == 201, first.text
    with served.v1() as v1:
        made = v1.post("/v1/purchase-orders", json={"supplier": "Made in v1",
                                                    "lines": [{"item": "WPX-001", "quantity": 2}]})
        assert made.status_code == 201, made.text
    body = vendor.get("/v1/orders").json()
    orders = listed(body, ORDER)
    assert orders[0]["id"] == made.json()["id"] and orders[0]["supplier"] == "Made in v1"
    assert body["pagination"] == {"total": len(orders), "limit": 50, "offset": 0, "has_more": False}
    second = vendor.get("/v1/orders", params={"limit": 1, "offset": 1}).json()
    assert [o["id"] for o in listed(second, ORDER)] == [orders[1]["id"]]
    assert second["pagination"] == {"total": len(orders), "limit": 1, "offset": 1, "has_more": len(orders) > 2}
    assert error(vendor.get("/v1/orders", params={"limit": 101})) == (422, "invalid_request", "limit")


def test_orders_need_the_order_scopes(served, world):
    reader = served.key_with("orders:read", name="orders reader")
    with served.vendor(PREFIX, {"Authorization": f"Bearer {reader}"}) as client:
        assert client.get("/v1/orders").status_code == 200
        refused = client.post("/v1/orders", json={"supplier": "S", "line_items": [{"item_id": "GAD-1", "quantity": 1}]})
        assert error(refused)[:2] == (403, "permission_denied")


def test_the_audit_log_shows_an_items_life_as_create_update_delete_and_restore(served, vendor, world):
    item = vendor.post("/v1/items", json={"name": "Audited", "sku": "AUD-1", "quantity": 5}).json()
    vendor.patch(f"/v1/items/{item['id']}", json={"name": "Audited twice"})
    assert vendor.delete(f"/v1/items/{item['id']}").status_code == 204
    assert vendor.post(f"/v1/items/{item['id']}/restore").status_code == 200
    body = vendor.get("/v1/audit-log", params={"item_id": item["id"]}).json()
    entries = listed(body, AUDIT_ENTRY)
    assert [(e["action"], e["event"]) for e in entries] == [
        ("restore", "item.restored"), ("delete", "item.deleted"), ("update", "item.updated"),
        ("update", "movement.created"), ("create", "item.created")]
    assert {(e["item_id"], e["user_id"]) for e in entries} == {(item["id"], world["actor"])}
    assert all(re.match(TIMESTAMP, e["created_at"]) for e in entries)
    assert body["pagination"] == {"total": 5, "limit": 50, "offset": 0, "has_more": False}
    for action, events in (("create", ["item.created"]), ("update", ["item.updated", "movement.created"]),
                           ("delete", ["item.deleted"]), ("restore", ["item.restored"])):
        found = vendor.get("/v1/audit-log", params={"item_id": item["id"], "action": action}).json()["data"]
        assert [e["event"] for e in found] == events, action
    paged = vendor.get("/v1/audit-log", params={"item_id": item["id"], "limit": 2, "offset": 2}).json()
    assert [e["event"] for e in paged["data"]] == ["item.updated", "movement.created"]
    assert paged["pagination"] == {"total": 5, "limit": 2, "offset": 2, "has_more": True}


def test_the_audit_log_filters_by_user_and_since(served, vendor, world):
    other = served.key_with("items:write", "audit:read", name="second user")
    with served.vendor(PREFIX, {"Authorization": f"Bearer {other}"}) as client:
        theirs = client.post("/v1/items", json={"name": "Theirs", "sku": "AUD-THEIRS"}).json()
        mine = client.get("/v1/audit-log", params={"item_id": theirs["id"]}).json()["data"]
    [created] = mine
    by_them = vendor.get("/v1/audit-log", params={"user_id": created["user_id"]}).json()["data"]
    assert [e["item_id"] for e in by_them] == [theirs["id"]] and created["user_id"] != world["actor"]
    assert created["user_name"] == "second user"
    since = vendor.get("/v1/audit-log", params={"since": created["created_at"]}).json()["data"]
    assert theirs["id"] in {e["item_id"] for e in since}
    assert vendor.get("/v1/audit-log", params={"since": "2999-01-01T00:00:00Z"}).json()["data"] == []
    assert vendor.get("/v1/audit-log", params={"since": "2999-01-01T00:00:00"}).json()["data"] == []


@pytest.mark.parametrize(("params", "field"), [({"action": "purge"}, "action"), ({"since": "yesterday"}, "since"),
                                                ({"offset": -1}, "offset"), ({"limit": 500}, "limit")])
def test_bad_audit_log_parameters_are_refused_naming_them(vendor, world, params, field):
    assert error(vendor.get("/v1/audit-log", params=params)) == (422, "invalid_request", field)


def test_the_audit_log_needs_audit_read(served, world):
    reader = served.key_with("stock:read", "items:read", name="inventory:read")
    with served.vendor(PREFIX, {"Authorization": f"Bearer {reader}"}) as client:
        assert error(client.get("/v1/audit-log"))[:2] == (403, "permission_denied")


def test_snapshots_are_listed_with_id_created_at_and_note(served, vendor, world):
    with served.v1() as v1:
        first = v1.post("/v1/snapshots", json={"note": "before stocktake"}).json()
        second = v1.post("/v1/snapshots", json={}).json()
    body = vendor.get("/v1/snapshots").json()
    snapshots = listed(body, SNAPSHOT)
    assert [(s["id"], s["note"]) for s in snapshots[:2]] == [(second["id"], None), (first["id"], "before stocktake")]
    assert all(re.match(TIMESTAMP, s["created_at"]) for s in snapshots)
    assert body["pagination"] == {"total": len(snapshots), "limit": 50, "offset": 0, "has_more": False}
    page = vendor.get("/v1/snapshots", params={"limit": 1, "offset": 1}).json()
    assert [s["id"] for s in page["data"]] == [first["id"]] and page["pagination"]["has_more"] is (len(snapshots) > 2)
    assert error(vendor.get("/v1/snapshots", params={"limit": 0})) == (422, "invalid_request", "limit")
