"""API keys over HTTP: shown once, never listed, revoked at once; and how a key authenticates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from storekeeper.persistence import tables


def error(r) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


def create(api, name: str = "integration", scopes: list[str] | None = None, **fields) -> dict:
    r = api.post("/v1/api-keys", json={"name": name, "scopes": scopes or ["stock:read"], **fields})
    assert r.status_code == 201, r.text
    return r.json()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_new_key_is_shown_once_with_its_details(api, client):
    r = api.post("/v1/api-keys", json={"name": "Shop sync", "scopes": ["items:read", "stock:write"]})
    assert r.status_code == 201
    body = r.json()
    assert body["id"].startswith("key_")
    assert body["key"].startswith("sk_")
    assert body["key"].startswith(body["prefix"])
    assert body == {
        "id": body["id"],
        "name": "Shop sync",
        "prefix": body["prefix"],
        "scopes": ["items:read", "stock:write"],
        "user": None,
        "status": "active",
        "expires_at": None,
        "revoked_at": None,
        "created_at": body["created_at"],
        "key": body["key"],
    }
    me = client.get("/v1/me", headers=bearer(body["key"])).json()
    assert me["key"] == {
        "id": body["id"],
        "name": "Shop sync",
        "prefix": body["prefix"],
        "scopes": ["items:read", "stock:write"],
        "user": None,
    }
    assert me["actor"] == {"type": "api_key", "id": body["id"], "name": "Shop sync"}


def test_listing_or_reading_keys_never_shows_a_secret(api, workspace):
    created = create(api, "Secretive")
    listed = api.get("/v1/api-keys")
    one = api.get(f"/v1/api-keys/{created['id']}")
    assert listed.status_code == one.status_code == 200
    for response in (listed, one):
        assert created["key"] not in response.text
        assert workspace.key not in response.text
        assert "key_hash" not in response.text
    assert "key" not in one.json()
    assert all("key" not in k for k in listed.json()["data"])
    assert one.json() == {k: v for k, v in created.items() if k != "key"}
    assert {k["id"] for k in listed.json()["data"]} == {created["id"], api.get("/v1/me").json()["key"]["id"]}


def test_each_key_is_different(api):
    keys = {create(api)["key"] for _ in range(3)}
    assert len(keys) == 3


def test_repeated_scopes_are_kept_once(api):
    assert create(api, scopes=["stock:read", "stock:read", "admin"])["scopes"] == ["stock:read", "admin"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "k", "scopes": ["stock:delete"]},
        {"name": "k", "scopes": []},
        {"name": "k", "scopes": "admin"},
        {"name": "k"},
        {"scopes": ["admin"]},
        {"name": "", "scopes": ["admin"]},
        {"name": "   ", "scopes": ["admin"]},
        {"name": "k", "scopes": ["admin"], "expires_at": "0001-01-01T00:00:00+14:00"},
        {"name": "k", "scopes": ["admin"], "expires_at": "9999-12-31T23:59:59-14:00"},
        {"name": "k", "scopes": ["admin"], "expires_at": "next week"},
        {"name": "k", "scopes": ["admin"], "colour": "red"},
    ],
)
def test_an_invalid_key_request_is_refused(api, body):
    r = api.post("/v1/api-keys", json=body)
    assert error(r) == (422, "VALIDATION_ERROR")
    assert r.json()["error"]["fields"]


def test_an_unknown_scope_is_named_as_the_field_at_fault(api):
    r = api.post("/v1/api-keys", json={"name": "k", "scopes": ["items:read", "stock:delete"]})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert list(r.json()["error"]["fields"]) == ["scopes[1]"]


@pytest.mark.parametrize("field", ["id", "key", "prefix", "status", "created_at", "revoked_at"])
def test_read_only_fields_in_a_key_request_are_refused(api, field):
    r = api.post("/v1/api-keys", json={"name": "k", "scopes": ["admin"], field: "x"})
    assert error(r) == (422, "READONLY_FIELD")


def test_an_expiry_in_the_past_is_refused(api):
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    r = api.post("/v1/api-keys", json={"name": "k", "scopes": ["admin"], "expires_at": past})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "expires_at" in r.json()["error"]["fields"]


def test_a_key_with_a_future_expiry_works_until_then(api, client):
    created = create(api, expires_at="2099-06-30T12:00:00+02:00")
    assert created["expires_at"] == "2099-06-30T10:00:00.000Z"
    assert created["status"] == "active"
    assert client.get("/v1/me", headers=bearer(created["key"])).status_code == 200


def test_an_expired_key_is_refused_and_listed_as_expired(api, client, db, workspace):
    created = create(api, expires_at="2099-01-01T00:00:00Z")
    with db.write() as conn:
        conn.execute(
            update(tables.api_keys)
            .where(tables.api_keys.c.workspace_id == workspace.id, tables.api_keys.c.id == created["id"])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert error(client.get("/v1/me", headers=bearer(created["key"]))) == (401, "INVALID_API_KEY")
    assert api.get(f"/v1/api-keys/{created['id']}").json()["status"] == "expired"


def test_a_revoked_key_stops_working_at_once(api, client):
    created = create(api)
    assert client.get("/v1/locations", headers=bearer(created["key"])).status_code == 200
    r = api.delete(f"/v1/api-keys/{created['id']}")
    assert r.status_code == 204
    assert error(client.get("/v1/locations", headers=bearer(created["key"]))) == (401, "INVALID_API_KEY")
    shown = api.get(f"/v1/api-keys/{created['id']}").json()
    assert shown["status"] == "revoked"
    assert shown["revoked_at"] is not None
    # Revoking again changes nothing.
    assert api.delete(f"/v1/api-keys/{created['id']}").status_code == 204
    assert api.get(f"/v1/api-keys/{created['id']}").json()["revoked_at"] == shown["revoked_at"]


def test_a_key_can_revoke_itself(workspace, client):
    admin = workspace.key_with("admin")
    own_id = admin.get("/v1/me").json()["key"]["id"]
    assert admin.delete(f"/v1/api-keys/{own_id}").status_code == 204
    assert error(admin.get("/v1/me")) == (401, "INVALID_API_KEY")


def test_an_unknown_or_foreign_key_is_404(api, other_workspace):
    theirs = create(other_workspace.api)
    for key_id in ("key_01JC0000000000000000000000", theirs["id"]):
        assert error(api.get(f"/v1/api-keys/{key_id}")) == (404, "API_KEY_NOT_FOUND")
        assert error(api.delete(f"/v1/api-keys/{key_id}")) == (404, "API_KEY_NOT_FOUND")
    assert other_workspace.api.get(f"/v1/api-keys/{theirs['id']}").json()["status"] == "active"


def test_managing_keys_needs_admin(workspace):
    created = create(workspace.api)
    clerk = workspace.key_with("items:write", "stock:write", "audit:read")
    for r in (
        clerk.get("/v1/api-keys"),
        clerk.get(f"/v1/api-keys/{created['id']}"),
        clerk.post("/v1/api-keys", json={"name": "escalate", "scopes": ["*"]}),
        clerk.delete(f"/v1/api-keys/{created['id']}"),
    ):
        assert error(r) == (403, "INSUFFICIENT_SCOPE")
        assert "admin" in r.json()["error"]["message"]
    admin = workspace.key_with("admin")
    assert admin.post("/v1/api-keys", json={"name": "ok", "scopes": ["stock:read"]}).status_code == 201


@pytest.mark.parametrize(
    ("headers", "query"),
    [
        (lambda key: {"Authorization": f"Bearer {key}"}, ""),
        (lambda key: {"Authorization": f"bearer {key}"}, ""),
        (lambda key: {"X-Api-Key": key}, ""),
        (lambda key: {}, "?api_key={key}"),
    ],
    ids=["bearer", "bearer-lower-case", "x-api-key", "query"],
)
def test_a_key_is_accepted_in_each_of_the_three_places(workspace, client, headers, query):
    r = client.get("/v1/me" + query.format(key=workspace.key), headers=headers(workspace.key))
    assert r.status_code == 200
    assert r.json()["workspace"]["id"] == workspace.id


def test_a_request_without_a_key_is_unauthenticated(client):
    r = client.get("/v1/locations")
    assert error(r) == (401, "UNAUTHENTICATED")
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert error(client.get("/v1/locations", headers={"Authorization": "Bearer "})) == (401, "UNAUTHENTICATED")


@pytest.mark.parametrize(
    "key",
    [
        "garbage",
        "sk_",
        "sk_" + "a" * 58,
        "sk_" + "a" * 32 + "01JC0000000000000000000000",
        "Basic dXNlcjpwYXNz",
        ("sk_" + "é" * 58).encode("latin-1"),
    ],
)
def test_an_unknown_key_is_invalid(client, key):
    r = client.get("/v1/locations", headers={"X-Api-Key": key})
    assert error(r) == (401, "INVALID_API_KEY")


def test_a_key_of_one_workspace_altered_to_name_another_is_invalid(workspace, other_workspace, client):
    forged = workspace.key[:-26] + other_workspace.key[-26:]
    assert error(client.get("/v1/me", headers=bearer(forged))) == (401, "INVALID_API_KEY")


def test_a_key_without_the_scope_is_forbidden_and_told_which_scope(workspace):
    reader = workspace.key_with("items:read")
    r = reader.post("/v1/locations", json={"name": "X"})
    assert error(r) == (403, "INSUFFICIENT_SCOPE")
    assert "stock:write" in r.json()["error"]["message"]


def test_the_key_in_the_query_string_is_not_logged(workspace, client, caplog):
    with caplog.at_level("INFO"):
        client.get(f"/v1/me?api_key={workspace.key}")
    ours = [record.getMessage() for record in caplog.records if record.name.startswith("storekeeper")]
    assert any("/v1/me" in message for message in ours)  # the request was logged, without the key
    assert all(workspace.key not in message for message in ours)
