"""/v1/reasons over HTTP: the built-in reasons, a workspace's custom ones, and how adjustments
honour a custom reason's direction."""

from __future__ import annotations

import pytest

from storekeeper.domain.stock import BUILTIN_REASONS, SYSTEM_REASONS


def error(r) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


def create(api, code: str, direction: str = "any", name: str | None = None) -> dict:
    r = api.post("/v1/reasons", json={"code": code, "name": name or code.title(), "direction": direction})
    assert r.status_code == 201, r.text
    return r.json()


def stocked(api, sku: str = "W-1", quantity=10) -> None:
    assert api.post("/v1/locations", json={"name": "Main"}).status_code == 201
    assert api.post("/v1/items", json={"sku": sku, "name": sku}).status_code == 201
    r = api.post("/v1/stock/adjustments", json={"item": sku, "reason": "receipt", "delta": quantity})
    assert r.status_code == 201, r.text


def adjust(api, reason: str, delta, sku: str = "W-1"):
    return api.post("/v1/stock/adjustments", json={"item": sku, "reason": reason, "delta": delta})


def test_the_list_has_the_built_in_reasons_first_then_the_custom_ones_by_code(api):
    create(api, "sample", "out")
    create(api, "found", "in")
    body = api.get("/v1/reasons").json()
    codes = [r["code"] for r in body["data"]]
    built_in = list(BUILTIN_REASONS) + list(SYSTEM_REASONS)
    assert codes == [*built_in, "found", "sample"]
    assert body["meta"]["total"] == len(built_in) + 2
    assert body["meta"]["has_more"] is False
    receipt = body["data"][0]
    assert receipt == {"id": None, "number": None, "code": "receipt", "name": "Receipt", "direction": "in",
                       "builtin": True, "system": False, "version": None}
    by_code = {r["code"]: r for r in body["data"]}
    assert by_code["transfer_out"]["system"] is True
    assert by_code["count"]["direction"] == "any"
    assert by_code["sale"]["direction"] == "out"
    assert {r["code"] for r in body["data"] if r["builtin"]} == set(built_in)


def test_a_custom_reason_is_created_and_read_back(api):
    r = api.post("/v1/reasons", json={"code": "sample", "name": "Sample for a client", "direction": "out"})
    assert r.status_code == 201
    body = r.json()
    assert body["id"].startswith("rsn_")
    assert body == {"id": body["id"], "number": 1, "code": "sample", "name": "Sample for a client", "direction": "out",
                    "builtin": False, "system": False, "version": 1}
    assert r.headers["etag"] == '"1"'
    assert api.get(f"/v1/reasons/{body['id']}").json() == body


@pytest.mark.parametrize("code", [*BUILTIN_REASONS, *SYSTEM_REASONS])
def test_the_code_of_a_built_in_reason_cannot_be_taken(api, code):
    r = api.post("/v1/reasons", json={"code": code, "name": "Mine", "direction": "any"})
    assert error(r) == (409, "DUPLICATE_NAME")


def test_two_custom_reasons_cannot_share_a_code_but_two_workspaces_can(api, other_workspace):
    create(api, "sample")
    assert error(api.post("/v1/reasons", json={"code": "sample", "name": "Again", "direction": "in"})) == (
        409, "DUPLICATE_NAME")
    create(other_workspace.api, "sample")


@pytest.mark.parametrize("body", [
    {"code": "Sample", "name": "x", "direction": "in"},
    {"code": "1st", "name": "x", "direction": "in"},
    {"code": "with-dash", "name": "x", "direction": "in"},
    {"code": "a" * 41, "name": "x", "direction": "in"},
    {"code": "", "name": "x", "direction": "in"},
    {"code": "ok", "name": "", "direction": "in"},
    {"code": "ok", "name": "x", "direction": "up"},
    {"code": "ok", "name": "x"},
    {"code": "ok", "name": "x", "direction": "in", "colour": "red"},
])
def test_an_invalid_reason_is_refused(api, body):
    assert error(api.post("/v1/reasons", json=body)) == (422, "VALIDATION_ERROR")


def test_read_only_fields_of_a_reason_are_named(api):
    r = api.post("/v1/reasons", json={"code": "ok", "name": "x", "direction": "in", "builtin": True})
    assert error(r) == (422, "READONLY_FIELD")
    reason = create(api, "sample")
    assert error(api.patch(f"/v1/reasons/{reason['id']}", json={"code": "other"})) == (422, "READONLY_FIELD")


@pytest.mark.parametrize(("direction", "up", "down"), [("in", True, False), ("out", False, True), ("any", True, True)])
def test_adjustments_honour_a_custom_reasons_direction(api, direction, up, down):
    stocked(api)
    create(api, "custom", direction)
    for delta, allowed in ((2, up), (-1, down)):
        r = adjust(api, "custom", delta)
        if allowed:
            assert r.status_code == 201, r.text
            assert r.json()["movement"]["reason"] == "custom"
        else:
            assert error(r) == (422, "REASON_DIRECTION")
    expected = 10 + (2 if up else 0) - (1 if down else 0)
    assert api.get("/v1/items/W-1").json()["on_hand"] == expected


def test_a_custom_reason_may_be_used_for_a_count(api):
    stocked(api)
    create(api, "audit", "any")
    r = api.post("/v1/stock/adjustments", json={"item": "W-1", "reason": "audit", "set": 4})
    assert r.status_code == 201
    assert r.json()["movement"]["delta"] == -6


def test_renaming_a_reason_and_changing_its_direction_take_effect(api):
    stocked(api)
    reason = create(api, "sample", "in")
    assert error(adjust(api, "sample", -1)) == (422, "REASON_DIRECTION")
    r = api.patch(f"/v1/reasons/{reason['id']}", json={"name": "Sample sent out", "direction": "out"})
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["direction"], r.json()["version"], r.json()["code"]) == (
        "Sample sent out", "out", 2, "sample")
    assert r.headers["etag"] == '"2"'
    assert adjust(api, "sample", -1).status_code == 201
    assert error(adjust(api, "sample", 1)) == (422, "REASON_DIRECTION")
    assert api.get(f"/v1/reasons/{reason['id']}").json()["name"] == "Sample sent out"


@pytest.mark.parametrize("body", [{"direction": "sideways"}, {"name": ""}, {"name": None}, {"colour": "red"}])
def test_an_invalid_change_of_a_reason_is_refused(api, body):
    reason = create(api, "sample", "in")
    assert error(api.patch(f"/v1/reasons/{reason['id']}", json=body)) == (422, "VALIDATION_ERROR")
    assert api.get(f"/v1/reasons/{reason['id']}").json() == reason


def test_if_match_guards_changes_and_deletion_of_a_reason(api):
    reason = create(api, "sample", "in")
    path = f"/v1/reasons/{reason['id']}"
    assert error(api.patch(path, json={"name": "X"}, headers={"If-Match": '"2"'})) == (412, "PRECONDITION_FAILED")
    assert api.patch(path, json={"name": "X"}, headers={"If-Match": '"1"'}).status_code == 200
    assert error(api.delete(path, headers={"If-Match": '"1"'})) == (412, "PRECONDITION_FAILED")
    assert api.delete(path, headers={"If-Match": '"2"'}).status_code == 204


def test_a_deleted_reason_is_gone_but_its_movements_keep_the_code(api):
    stocked(api)
    reason = create(api, "sample", "out")
    movement = adjust(api, "sample", -1).json()["movement"]
    assert api.delete(f"/v1/reasons/{reason['id']}").status_code == 204
    assert error(api.get(f"/v1/reasons/{reason['id']}")) == (404, "REASON_NOT_FOUND")
    assert error(api.delete(f"/v1/reasons/{reason['id']}")) == (404, "REASON_NOT_FOUND")
    assert "sample" not in [r["code"] for r in api.get("/v1/reasons").json()["data"]]
    r = adjust(api, "sample", -1)
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "reason" in r.json()["error"]["fields"]
    assert api.get("/v1/stock/movements", params={"reason": "sample"}).json()["data"] == [movement]
    again = create(api, "sample", "in")
    assert again["id"] != reason["id"]


def test_another_workspaces_reasons_are_neither_seen_nor_usable(api, other_workspace):
    stocked(api)
    theirs = create(other_workspace.api, "theirs", "any")
    assert error(api.get(f"/v1/reasons/{theirs['id']}")) == (404, "REASON_NOT_FOUND")
    assert error(api.patch(f"/v1/reasons/{theirs['id']}", json={"name": "mine"})) == (404, "REASON_NOT_FOUND")
    assert error(api.delete(f"/v1/reasons/{theirs['id']}")) == (404, "REASON_NOT_FOUND")
    assert "theirs" not in [r["code"] for r in api.get("/v1/reasons").json()["data"]]
    assert error(adjust(api, "theirs", 1)) == (422, "VALIDATION_ERROR")
    assert other_workspace.api.get(f"/v1/reasons/{theirs['id']}").json()["name"] == "Theirs"


def test_an_unknown_reason_id_is_not_found(api):
    assert error(api.get("/v1/reasons/rsn_01ARZ3NDEKTSV4RRFFQ69G5FAV")) == (404, "REASON_NOT_FOUND")
    assert error(api.get("/v1/reasons/receipt")) == (404, "REASON_NOT_FOUND")


def test_reading_reasons_needs_stock_read_and_writing_them_stock_write(workspace):
    reader = workspace.key_with("stock:read")
    assert reader.get("/v1/reasons").status_code == 200
    assert error(reader.post("/v1/reasons", json={"code": "x", "name": "x", "direction": "in"})) == (
        403, "INSUFFICIENT_SCOPE")
    assert error(workspace.key_with("items:read").get("/v1/reasons")) == (403, "INSUFFICIENT_SCOPE")
    assert workspace.key_with("stock:write").post(
        "/v1/reasons", json={"code": "x", "name": "x", "direction": "in"}).status_code == 201
