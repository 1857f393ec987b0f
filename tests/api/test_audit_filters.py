"""The audit log's `action` patterns and its `item` filter (GET /v1/audit-log): what a client
needs to ask "every entry that deleted something" or "the whole history of this item" in one
list, paged and counted by the database."""

from __future__ import annotations

from tests.api.test_events_and_audit import audit_log, ok
from tests.factories import error, item


def actions(api, **params) -> list[str]:
    return [entry["action"] for entry in audit_log(api, **params)]


def test_an_action_pattern_matches_any_text_where_it_has_a_star(api):
    kept = item(api, "PAT-1")
    gone = item(api, "PAT-2")
    assert api.delete(f"/v1/items/{gone['id']}").status_code == 204
    ok(api.post("/v1/stock/adjustments", json={"item": kept["id"], "reason": "receipt", "delta": 5}), 201)

    assert actions(api, action="item.*") == ["item.deleted", "item.created", "item.created"]
    assert actions(api, action="*.deleted") == ["item.deleted"]
    assert actions(api, action="*.deleted,movement.*") == ["movement.created", "item.deleted"]
    # `_` in an action is a letter, not LIKE's one-character wildcard.
    assert actions(api, action="*_order.*") == []
    assert actions(api, action="item.created") == ["item.created", "item.created"]


def test_a_leading_minus_leaves_entries_out_of_the_list(api):
    first = item(api, "MIN-1")
    ok(api.patch(f"/v1/items/{first['id']}", json={"name": "Renamed"}))
    ok(api.post("/v1/stock/adjustments", json={"item": first["id"], "reason": "receipt", "delta": 2}), 201)

    assert {"api_key.created", "location.created", "item.created"} <= set(actions(api))
    assert actions(api, action="-*.created") == ["item.updated"]
    assert actions(api, action="-*.created,-*.updated") == []
    assert actions(api, action="item.*,-item.created") == ["item.updated"]


def test_a_bar_joins_lists_of_actions_as_alternatives(api):
    first = item(api, "ALT-1")
    ok(api.patch(f"/v1/items/{first['id']}", json={"name": "Renamed"}))
    ok(api.post("/v1/stock/adjustments", json={"item": first["id"], "reason": "receipt", "delta": 2}), 201)

    assert actions(api, action="movement.created|-*.created") == ["movement.created", "item.updated"]
    assert actions(api, action="item.updated|item.created", item=first["id"]) == ["item.updated", "item.created"]
    assert actions(api, action="|item.updated|") == ["item.updated"]


def test_the_item_filter_lists_the_items_own_entries_and_its_movements(api):
    ours = item(api, "HIS-1")
    other = item(api, "HIS-2")
    ok(api.post("/v1/stock/adjustments", json={"item": ours["id"], "reason": "receipt", "delta": 7}), 201)
    ok(api.post("/v1/stock/adjustments", json={"item": other["id"], "reason": "receipt", "delta": 3}), 201)
    ok(api.patch(f"/v1/items/{ours['id']}", json={"reorder_point": 2}))

    history = audit_log(api, item=ours["id"])
    assert [e["action"] for e in history] == ["item.updated", "movement.created", "item.created"]
    assert history[1]["changes"]["item"] == [None, ours["id"]]
    assert history[1]["changes"]["on_hand"] == [0, 7]
    assert [e["action"] for e in audit_log(api, item=ours["id"], action="movement.*")] == ["movement.created"]
    assert audit_log(api, item="item_nonexistent") == []
    page = ok(api.get("/v1/audit-log", params={"item": ours["id"], "limit": 1}))
    assert page["meta"]["total"] == 3 and page["meta"]["has_more"] is True


def test_an_action_filter_longer_than_the_limit_is_refused(api):
    assert error(api.get("/v1/audit-log", params={"action": "x" * 501})) == (422, "VALIDATION_ERROR")
