"""The caller's workspace: GET /v1/me and PATCH /v1/workspace (name, currency, settings)."""

from __future__ import annotations

import pytest

DEFAULT_SETTINGS = {
    "allow_negative_stock": False,
    "trash_retention_days": 30,
    "auto_snapshot": "off",
    "event_retention_days": 30,
    "decimal_mark": "auto",
    "rate_limit": {"per_second": 20, "burst": 40, "per_minute": None, "per_day": None},
}


def error(r) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


def test_me_names_the_workspace_and_the_calling_key(api, workspace):
    r = api.get("/v1/me")
    assert r.status_code == 200
    body = r.json()
    assert body["workspace"]["id"] == workspace.id
    assert body["workspace"]["name"] == "Test"
    assert body["workspace"]["currency"] == "USD"
    assert body["workspace"]["settings"] == DEFAULT_SETTINGS
    assert body["key"]["id"].startswith("key_")
    assert body["key"]["scopes"] == ["*"]
    assert body["key"]["user"] is None
    assert workspace.key.startswith(body["key"]["prefix"])
    assert body["actor"] == {"type": "api_key", "id": body["key"]["id"], "name": body["key"]["name"]}
    assert body["rate_limit"] == {"per_second": 20, "burst": 40, "per_minute": None, "per_day": None}


def test_me_answers_any_valid_key_whatever_its_scopes(workspace):
    narrow = workspace.key_with("production:read", name="narrow")
    body = narrow.get("/v1/me").json()
    assert body["key"]["name"] == "narrow"
    assert body["key"]["scopes"] == ["production:read"]
    assert body["workspace"]["id"] == workspace.id


def test_me_shows_each_workspace_only_to_its_own_keys(api, other_workspace):
    assert api.get("/v1/me").json()["workspace"]["id"] != other_workspace.id
    assert other_workspace.api.get("/v1/me").json()["workspace"]["id"] == other_workspace.id


def test_the_name_and_currency_change_and_the_version_moves_on(api):
    r = api.patch("/v1/workspace", json={"name": "Acme GmbH", "currency": "EUR"})
    assert r.status_code == 200
    body = r.json()
    assert (body["name"], body["currency"], body["version"]) == ("Acme GmbH", "EUR", 2)
    assert body["settings"] == DEFAULT_SETTINGS
    assert r.headers["etag"] == '"2"'
    assert body["updated_at"] >= body["created_at"]
    me = api.get("/v1/me").json()["workspace"]
    assert me == body


def test_a_single_field_can_change_alone(api):
    assert api.patch("/v1/workspace", json={"name": "Renamed"}).json()["currency"] == "USD"
    assert api.patch("/v1/workspace", json={"currency": "GBP"}).json()["name"] == "Renamed"


def test_an_empty_patch_changes_nothing(api):
    r = api.patch("/v1/workspace", json={})
    assert r.status_code == 200
    assert r.json()["version"] == 1


@pytest.mark.parametrize("currency", ["eur", "EURO", "EU", "€", "", 978, None])
def test_a_currency_must_be_three_upper_case_letters(api, currency):
    r = api.patch("/v1/workspace", json={"currency": currency})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "currency" in r.json()["error"]["fields"]
    assert api.get("/v1/me").json()["workspace"]["currency"] == "USD"


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, None])
def test_a_workspace_name_must_be_given_text(api, name):
    r = api.patch("/v1/workspace", json={"name": name})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "name" in r.json()["error"]["fields"]


def test_settings_are_merged_key_by_key(api):
    api.patch("/v1/workspace", json={"settings": {"allow_negative_stock": True}})
    api.patch("/v1/workspace", json={"settings": {"trash_retention_days": 7, "auto_snapshot": "daily"}})
    r = api.patch("/v1/workspace", json={"settings": {"rate_limit": {"burst": 100}}})
    assert r.json()["settings"] == {
        "allow_negative_stock": True,
        "trash_retention_days": 7,
        "auto_snapshot": "daily",
        "event_retention_days": 30,
        "decimal_mark": "auto",
        "rate_limit": {"per_second": 20, "burst": 100, "per_minute": None, "per_day": None},
    }
    r = api.patch("/v1/workspace", json={"settings": {"rate_limit": {"per_minute": 600, "per_second": 5.5}}})
    assert r.json()["settings"]["rate_limit"] == {"per_second": 5.5, "burst": 100, "per_minute": 600, "per_day": None}
    assert r.json()["version"] == 5


def test_the_rate_limit_plan_shows_in_me(api):
    api.patch("/v1/workspace", json={"settings": {"rate_limit": {"per_day": 10000}}})
    assert api.get("/v1/me").json()["rate_limit"] == {
        "per_second": 20,
        "burst": 40,
        "per_minute": None,
        "per_day": 10000,
    }


def test_a_quota_can_be_removed_again_with_null(api):
    api.patch("/v1/workspace", json={"settings": {"rate_limit": {"per_minute": 60}}})
    r = api.patch("/v1/workspace", json={"settings": {"rate_limit": {"per_minute": None}}})
    assert r.json()["settings"]["rate_limit"]["per_minute"] is None


@pytest.mark.parametrize(
    "change",
    [
        {"auto_snapshot": "weekly"},
        {"allow_negative_stock": "sometimes"},
        {"allow_negative_stock": None},
        {"trash_retention_days": -1},
        {"trash_retention_days": 3651},
        {"trash_retention_days": "thirty"},
        {"rate_limit": {"per_second": 0}},
        {"rate_limit": {"burst": 0}},
        {"rate_limit": {"per_second": None}},
        {"rate_limit": {"per_hour": 5}},
        {"theme": "dark"},
        "daily",
    ],
)
def test_invalid_settings_are_refused_and_nothing_changes(api, change):
    r = api.patch("/v1/workspace", json={"settings": change})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert r.json()["error"]["fields"]
    workspace = api.get("/v1/me").json()["workspace"]
    assert (workspace["settings"], workspace["version"]) == (DEFAULT_SETTINGS, 1)


@pytest.mark.parametrize("field", ["id", "version", "created_at", "updated_at"])
def test_read_only_workspace_fields_are_refused(api, field):
    assert error(api.patch("/v1/workspace", json={field: "x"})) == (422, "READONLY_FIELD")


def test_an_unknown_workspace_field_is_refused(api):
    r = api.patch("/v1/workspace", json={"timezone": "Europe/Berlin"})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert r.json()["error"]["fields"] == {"timezone": ["Unknown field."]}


def test_patch_honours_if_match(api):
    r = api.patch("/v1/workspace", json={"name": "A"}, headers={"If-Match": '"2"'})
    assert error(r) == (412, "PRECONDITION_FAILED")
    assert api.get("/v1/me").json()["workspace"]["name"] == "Test"
    assert api.patch("/v1/workspace", json={"name": "A"}, headers={"If-Match": '"1"'}).status_code == 200
    assert api.patch("/v1/workspace", json={"name": "B"}, headers={"If-Match": 'W/"2"'}).status_code == 200
    assert api.patch("/v1/workspace", json={"name": "C"}, headers={"If-Match": "*"}).status_code == 200
    assert error(api.patch("/v1/workspace", json={"name": "D"}, headers={"If-Match": '"2"'})) == (
        412,
        "PRECONDITION_FAILED",
    )
    assert api.get("/v1/me").json()["workspace"]["name"] == "C"


def test_changing_the_workspace_needs_admin(workspace):
    for scopes in (("items:write", "stock:write", "audit:read"), ("audit:read",)):
        r = workspace.key_with(*scopes).patch("/v1/workspace", json={"name": "Mine now"})
        assert error(r) == (403, "INSUFFICIENT_SCOPE")
        assert "admin" in r.json()["error"]["message"]
    assert workspace.key_with("admin").patch("/v1/workspace", json={"name": "Ours"}).status_code == 200


def test_changing_one_workspace_leaves_the_others_alone(api, other_workspace):
    api.patch("/v1/workspace", json={"name": "Changed", "settings": {"allow_negative_stock": True}})
    other = other_workspace.api.get("/v1/me").json()["workspace"]
    assert (other["name"], other["settings"]) == ("Other", DEFAULT_SETTINGS)
