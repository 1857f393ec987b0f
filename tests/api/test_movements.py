"""The ledger over HTTP: GET /v1/stock/movements and GET /v1/items/{ref}/movements, their
filters, their order and cursor paging over many movements."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from tests.factories import error, item, location
from tests.sql_counting import statements


def adjust(api, sku: str, delta, location: str | None = None, reason: str = "correction", **fields) -> dict:
    r = api.post("/v1/stock/adjustments", json={"item": sku, "location": location, "reason": reason, "delta": delta,
                                                **fields})
    assert r.status_code == 201, r.text
    return r.json()["movement"]


def listed(api, path: str = "/v1/stock/movements", **params) -> list[dict]:
    r = api.get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def ids(movements: list[dict]) -> list[str]:
    return [m["id"] for m in movements]


def all_pages(api, path: str = "/v1/stock/movements", **params) -> list[dict]:
    seen, cursor = [], None
    while True:
        body = api.get(path, params={**params, **({"cursor": cursor} if cursor else {})}).json()
        seen += body["data"]
        if not body["meta"]["has_more"]:
            assert body["meta"]["next_cursor"] is None
            return seen
        cursor = body["meta"]["next_cursor"]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def test_the_newest_movement_comes_first_by_default_and_asc_reverses_it(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    written = [adjust(api, "W-1", n) for n in (1, 2, 3)]
    newest_first = listed(api)
    assert newest_first == list(reversed(written))
    assert listed(api, order="desc") == newest_first
    assert listed(api, order="asc") == written
    assert api.get("/v1/stock/movements").json()["meta"]["total"] == 3


def test_a_listed_movement_has_every_field_of_the_one_written(api):
    location(api, "Main", is_default=True)
    item(api, "W-1", unit_cost="1.50")
    written = adjust(api, "W-1", 4, reason="receipt", note="n", reference={"type": "po", "id": "PO-1"},
                     label="supplier_receipt")
    [shown] = listed(api)
    assert shown == written
    assert set(shown) == {"id", "item", "sku", "location", "reason", "delta", "before", "after", "unit_cost", "note",
                          "reference", "transfer", "bundle", "batch", "label", "actor", "occurred_at", "created_at",
                          "sequence"}
    assert shown["unit_cost"] == "1.50" and shown["label"] == "supplier_receipt"


def test_filter_by_item_by_id_or_sku_and_by_location_by_id_or_name(api):
    main = location(api, "Main", is_default=True)
    location(api, "Shop")
    widget = item(api, "W-1")
    item(api, "W-2")
    a = adjust(api, "W-1", 1, "Main")
    b = adjust(api, "W-2", 1, "Main")
    c = adjust(api, "W-1", 1, "Shop")
    assert ids(listed(api, item="W-1", order="asc")) == [a["id"], c["id"]]
    assert ids(listed(api, item=widget["id"], order="asc")) == [a["id"], c["id"]]
    assert ids(listed(api, location="Main", order="asc")) == [a["id"], b["id"]]
    assert ids(listed(api, location=main["id"], order="asc")) == [a["id"], b["id"]]
    assert ids(listed(api, item="W-1", location="Shop")) == [c["id"]]
    assert listed(api, item="NOPE") == []
    assert listed(api, location="Nowhere") == []


def test_filter_by_reason(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    receipt = adjust(api, "W-1", 5, reason="receipt")
    sale = adjust(api, "W-1", -1, reason="sale")
    assert ids(listed(api, reason="receipt")) == [receipt["id"]]
    assert ids(listed(api, reason="sale")) == [sale["id"]]
    assert listed(api, reason="theft") == []


def test_since_includes_and_until_excludes_the_moment_a_movement_occurred(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    early = adjust(api, "W-1", 1, occurred_at="2025-03-01T08:00:00Z")
    middle = adjust(api, "W-1", 1, occurred_at="2025-03-02T08:00:00Z")
    late = adjust(api, "W-1", 1, occurred_at="2025-03-03T08:00:00Z")
    assert ids(listed(api, since="2025-03-02T08:00:00Z", order="asc")) == [middle["id"], late["id"]]
    assert ids(listed(api, until="2025-03-02T08:00:00Z")) == [early["id"]]
    assert ids(listed(api, since="2025-03-01T09:00:00.001+01:00", until="2025-03-03T08:00:00Z")) == [middle["id"]]
    assert ids(listed(api, since="2025-03-01T08:00:00.001Z", until="2025-03-02T08:00:00.001Z")) == [middle["id"]]


def test_since_and_until_go_by_when_it_occurred_not_when_it_was_recorded(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    start = now_iso()
    time.sleep(0.01)
    now = adjust(api, "W-1", 1)
    backdated = adjust(api, "W-1", 1, occurred_at="2020-01-01T00:00:00Z")
    assert ids(listed(api, since=start)) == [now["id"]]
    assert ids(listed(api, until=start)) == [backdated["id"]]


def test_filter_by_actor_id_key_name_or_user_email(workspace):
    api = workspace.api
    location(api, "Main", is_default=True)
    item(api, "W-1")
    till = api.post("/v1/api-keys", json={"name": "Till 3", "scopes": ["stock:write"]}).json()
    user = api.post("/v1/users", json={"email": "ana@example.com"}).json()
    anas = api.post("/v1/api-keys", json={"name": "Ana's", "scopes": ["stock:write"], "user": user["id"]}).json()
    by_admin = adjust(api, "W-1", 1)
    by_till = adjust(type(api)(api.client, till["key"]), "W-1", 1)
    by_ana = adjust(type(api)(api.client, anas["key"]), "W-1", 1)
    assert ids(listed(api, actor=till["id"])) == [by_till["id"]]
    assert ids(listed(api, actor="Till 3")) == [by_till["id"]]
    assert ids(listed(api, actor="ana@example.com")) == [by_ana["id"]]
    assert ids(listed(api, actor=user["id"])) == [by_ana["id"]]
    assert ids(listed(api, actor=by_admin["actor"]["id"])) == [by_admin["id"]]
    assert listed(api, actor="nobody") == []


def test_filter_by_reference_type_and_id(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    order_1 = adjust(api, "W-1", 3, reference={"type": "order", "id": "1001"})
    order_2 = adjust(api, "W-1", 3, reference={"type": "order", "id": "1002"})
    delivery = adjust(api, "W-1", 3, reference={"type": "delivery", "id": "1001"})
    adjust(api, "W-1", 3)
    assert ids(listed(api, reference_type="order", order="asc")) == [order_1["id"], order_2["id"]]
    assert ids(listed(api, reference_id="1001", order="asc")) == [order_1["id"], delivery["id"]]
    assert ids(listed(api, reference_type="order", reference_id="1001")) == [order_1["id"]]


def test_filter_by_transfer(api):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    item(api, "W-1")
    adjust(api, "W-1", 10)
    first = api.post("/v1/stock/transfers", json={"item": "W-1", "to": "Shop", "quantity": 1}).json()
    api.post("/v1/stock/transfers", json={"item": "W-1", "to": "Shop", "quantity": 2})
    assert ids(listed(api, transfer=first["id"], order="asc")) == ids(first["movements"])
    assert listed(api, transfer="trf_01ARZ3NDEKTSV4RRFFQ69G5FAV") == []
    assert ids(listed(api, transfer=first["id"], reason="transfer_in")) == [first["movements"][1]["id"]]


def test_an_items_movements_are_its_own(api):
    location(api, "Main", is_default=True)
    widget = item(api, "W-1")
    item(api, "W-2")
    mine = [adjust(api, "W-1", 1), adjust(api, "W-1", 2, reason="receipt")]
    adjust(api, "W-2", 1)
    assert listed(api, "/v1/items/W-1/movements") == list(reversed(mine))
    assert listed(api, f"/v1/items/{widget['id']}/movements", order="asc") == mine
    assert ids(listed(api, "/v1/items/W-1/movements", reason="receipt")) == [mine[1]["id"]]
    assert listed(api, "/v1/items/W-1/movements", item="W-2") == list(reversed(mine))
    assert error(api.get("/v1/items/NOPE/movements")) == (404, "ITEM_NOT_FOUND")


def test_a_deleted_items_history_stays_readable_by_id(api):
    location(api, "Main", is_default=True)
    widget = item(api, "W-1")
    written = adjust(api, "W-1", 1)
    adjust(api, "W-1", -1)
    assert api.delete("/v1/items/W-1").status_code == 204
    assert ids(listed(api, item=widget["id"], order="asc"))[0] == written["id"]
    assert len(listed(api, item=widget["id"])) == 2


@pytest.mark.parametrize("order", ["desc", "asc"])
def test_cursor_pages_over_many_movements_return_each_once_in_sequence_order(api, order):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    item(api, "W-1")
    item(api, "W-2")
    r = api.post("/v1/stock/adjustments/bulk", json={"adjustments": [
        {"item": f"W-{1 + n % 2}", "location": ["Main", "Shop"][n % 3 % 2], "reason": "receipt", "delta": 1}
        for n in range(47)
    ]})
    assert r.status_code == 201
    written = [x["movement"]["sequence"] for x in r.json()["results"]]
    seen = all_pages(api, limit=5, order=order)
    sequences = [m["sequence"] for m in seen]
    assert sequences == (sorted(written, reverse=True) if order == "desc" else sorted(written))
    assert len(set(ids(seen))) == 47


def test_cursor_pages_of_a_filtered_list_keep_the_filter(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    item(api, "W-2")
    api.post("/v1/stock/adjustments/bulk", json={"adjustments": [
        {"item": f"W-{1 + n % 2}", "reason": "receipt", "delta": 1} for n in range(20)
    ]})
    seen = all_pages(api, "/v1/items/W-2/movements", limit=3, order="asc")
    assert [m["sku"] for m in seen] == ["W-2"] * 10
    assert [m["after"] for m in seen] == list(range(1, 11))


def test_movements_written_while_paging_newest_first_are_not_seen_twice_nor_shift_the_pages(api):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    for _ in range(6):
        adjust(api, "W-1", 1)
    first = api.get("/v1/stock/movements", params={"limit": 3}).json()
    adjust(api, "W-1", 1)
    second = api.get("/v1/stock/movements", params={"limit": 3, "cursor": first["meta"]["next_cursor"]}).json()
    assert [m["after"] for m in first["data"] + second["data"]] == [6, 5, 4, 3, 2, 1]


def test_a_page_of_movements_costs_the_same_statements_for_few_as_for_many(api, db):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    item(api, "W-2")

    def page_statements(adjustments: int) -> int:
        api.post("/v1/stock/adjustments/bulk", json={"adjustments": [
            {"item": f"W-{1 + n % 2}", "reason": "receipt", "delta": 1} for n in range(adjustments)]})
        api.get("/v1/stock/movements")
        with statements(db) as seen:
            api.get("/v1/stock/movements", params={"limit": 100})
            api.get("/v1/items/W-1/movements", params={"limit": 100})
        return len(seen)

    assert 0 < page_statements(2) == page_statements(40)


def test_another_workspaces_movements_are_not_listed(api, other_workspace):
    location(api, "Main", is_default=True)
    item(api, "W-1")
    location(other_workspace.api, "Theirs")
    theirs = item(other_workspace.api, "W-1")
    adjust(other_workspace.api, "W-1", 5)
    assert listed(api) == []
    assert listed(api, item=theirs["id"]) == []
    assert error(api.get(f"/v1/items/{theirs['id']}/movements")) == (404, "ITEM_NOT_FOUND")


@pytest.mark.parametrize("query", [
    "reason=sale&reason=receipt",
    "order=asc&order=desc",
    "item=A&item=B",
    "since=2025-01-01T00:00:00Z&since=2025-01-02T00:00:00Z",
])
def test_a_repeated_single_valued_parameter_is_refused(api, query):
    r = api.get(f"/v1/stock/movements?{query}")
    assert error(r) == (422, "VALIDATION_ERROR")
    assert query.split("=")[0] in r.json()["error"]["fields"]
    assert error(api.get(f"/v1/items/X/movements?{query}"))[0] == 422


@pytest.mark.parametrize("params", [{"order": "newest"}, {"since": "yesterday"}, {"until": "2025-13-01T00:00:00Z"},
                                    {"limit": 0}, {"limit": 1001}, {"cursor": "not-a-cursor"}])
def test_invalid_parameters_are_refused(api, params):
    assert error(api.get("/v1/stock/movements", params=params)) == (422, "VALIDATION_ERROR")


def test_reading_the_ledger_needs_stock_read(workspace):
    location(workspace.api, "Main", is_default=True)
    item(workspace.api, "W-1")
    items_only = workspace.key_with("items:read")
    assert error(items_only.get("/v1/stock/movements")) == (403, "INSUFFICIENT_SCOPE")
    assert error(items_only.get("/v1/items/W-1/movements")) == (403, "INSUFFICIENT_SCOPE")
    assert workspace.key_with("stock:read").get("/v1/items/W-1/movements").status_code == 200
