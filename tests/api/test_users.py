"""Users over HTTP: unique emails (any case), roles, keys that belong to a user."""

from __future__ import annotations

import pytest


def error(r) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


def create(api, email: str, **fields) -> dict:
    r = api.post("/v1/users", json={"email": email, **fields})
    assert r.status_code == 201, r.text
    return r.json()


def user_key(api, user: str, scopes: list[str] | None = None) -> str:
    r = api.post("/v1/api-keys", json={"name": "laptop", "scopes": scopes or ["stock:read"], "user": user})
    assert r.status_code == 201, r.text
    return r.json()["key"]


def test_a_user_is_created_with_a_lower_cased_email_and_the_member_role_by_default(api):
    r = api.post("/v1/users", json={"email": "  Ada.Lovelace@Example.COM ", "name": "Ada"})
    assert r.status_code == 201
    body = r.json()
    assert body["id"].startswith("usr_")
    assert body == {
        "id": body["id"],
        "email": "ada.lovelace@example.com",
        "name": "Ada",
        "role": "member",
        "version": 1,
        "created_at": body["created_at"],
        "updated_at": body["created_at"],
    }
    assert r.headers["etag"] == '"1"'
    assert api.get(f"/v1/users/{body['id']}").json() == body


@pytest.mark.parametrize("role", ["admin", "member", "viewer"])
def test_each_role_can_be_given(api, role):
    assert create(api, f"{role}@example.com", role=role)["role"] == role


def test_emails_are_unique_whatever_their_case(api):
    create(api, "grace@example.com")
    r = api.post("/v1/users", json={"email": "GRACE@Example.com"})
    assert error(r) == (409, "DUPLICATE_EMAIL")
    assert [u["email"] for u in api.get("/v1/users").json()["data"]] == ["grace@example.com"]


def test_changing_an_email_to_one_in_use_is_refused(api):
    create(api, "grace@example.com")
    other = create(api, "alan@example.com")
    assert error(api.patch(f"/v1/users/{other['id']}", json={"email": "Grace@example.com"})) == (409, "DUPLICATE_EMAIL")
    assert api.get(f"/v1/users/{other['id']}").json()["email"] == "alan@example.com"


def test_a_user_can_change_the_case_of_their_own_email(api):
    user = create(api, "grace@example.com")
    r = api.patch(f"/v1/users/{user['id']}", json={"email": "GRACE@example.com"})
    assert r.status_code == 200
    assert r.json()["email"] == "grace@example.com"


@pytest.mark.parametrize("email", ["", "nope", "a@b", "no spaces@example.com", "two@@example.com", "@example.com", 7])
def test_an_invalid_email_is_refused(api, email):
    r = api.post("/v1/users", json={"email": email})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "email" in r.json()["error"]["fields"]


@pytest.mark.parametrize(
    "body", [{}, {"email": "a@example.com", "role": "owner"}, {"email": "a@example.com", "age": 3}]
)
def test_an_invalid_user_is_refused(api, body):
    r = api.post("/v1/users", json=body)
    assert error(r) == (422, "VALIDATION_ERROR")
    assert r.json()["error"]["fields"]


def test_patch_changes_name_and_role_and_bumps_the_version(api):
    user = create(api, "grace@example.com", name="Grace")
    r = api.patch(f"/v1/users/{user['id']}", json={"role": "viewer", "name": None})
    assert r.status_code == 200
    body = r.json()
    assert (body["role"], body["name"], body["email"], body["version"]) == ("viewer", None, "grace@example.com", 2)
    assert r.headers["etag"] == '"2"'
    assert error(api.patch(f"/v1/users/{user['id']}", json={"role": "root"})) == (422, "VALIDATION_ERROR")
    assert error(api.patch(f"/v1/users/{user['id']}", json={"email": "broken"})) == (422, "VALIDATION_ERROR")


def test_patch_and_delete_honour_if_match(api):
    user = create(api, "grace@example.com")
    stale = {"If-Match": '"4"'}
    r = api.patch(f"/v1/users/{user['id']}", json={"name": "G"}, headers=stale)
    assert error(r) == (412, "PRECONDITION_FAILED")
    assert error(api.delete(f"/v1/users/{user['id']}", headers=stale)) == (412, "PRECONDITION_FAILED")
    assert api.patch(f"/v1/users/{user['id']}", json={"name": "G"}, headers={"If-Match": '"1"'}).status_code == 200
    assert api.delete(f"/v1/users/{user['id']}", headers={"If-Match": '"2"'}).status_code == 204


def test_the_list_filters_by_role(api):
    create(api, "a@example.com", role="admin")
    create(api, "m@example.com")
    create(api, "v@example.com", role="viewer")
    assert sorted(u["email"] for u in api.get("/v1/users").json()["data"]) == [
        "a@example.com",
        "m@example.com",
        "v@example.com",
    ]
    assert [u["email"] for u in api.get("/v1/users?role=viewer").json()["data"]] == ["v@example.com"]
    assert error(api.get("/v1/users?role=owner")) == (422, "VALIDATION_ERROR")


def test_a_deleted_user_is_gone_and_their_email_is_free_again(api):
    user = create(api, "grace@example.com")
    assert api.delete(f"/v1/users/{user['id']}").status_code == 204
    assert error(api.get(f"/v1/users/{user['id']}")) == (404, "USER_NOT_FOUND")
    assert error(api.patch(f"/v1/users/{user['id']}", json={"name": "X"})) == (404, "USER_NOT_FOUND")
    assert error(api.delete(f"/v1/users/{user['id']}")) == (404, "USER_NOT_FOUND")
    assert api.get("/v1/users").json()["data"] == []
    assert create(api, "grace@example.com")["id"] != user["id"]


def test_deleting_a_user_revokes_the_users_keys(api, client):
    user = create(api, "grace@example.com")
    key = user_key(api, user["id"])
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert api.delete(f"/v1/users/{user['id']}").status_code == 204
    r = client.get("/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert error(r) == (401, "INVALID_API_KEY")
    assert [k["status"] for k in api.get("/v1/api-keys").json()["data"] if k["user"] == user["id"]] == ["revoked"]


def test_a_key_of_a_user_acts_as_that_user(api, client):
    user = create(api, "Grace@Example.com")
    key = user_key(api, user["id"])
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {key}"}).json()
    assert me["actor"] == {"type": "user", "id": user["id"], "name": "grace@example.com"}
    assert me["key"]["user"] == user["id"]
    api.patch(f"/v1/users/{user['id']}", json={"email": "grace.hopper@example.com"})
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {key}"}).json()
    assert me["actor"]["name"] == "grace.hopper@example.com"


def test_a_key_can_name_its_user_by_email_in_any_case(api):
    user = create(api, "grace@example.com")
    r = api.post("/v1/api-keys", json={"name": "k", "scopes": ["stock:read"], "user": "GRACE@example.com"})
    assert r.status_code == 201
    assert r.json()["user"] == user["id"]


def test_a_key_cannot_be_given_to_an_unknown_or_deleted_user(api):
    user = create(api, "grace@example.com")
    api.delete(f"/v1/users/{user['id']}")
    for ref in (user["id"], "grace@example.com", "usr_01JC0000000000000000000000"):
        r = api.post("/v1/api-keys", json={"name": "k", "scopes": ["stock:read"], "user": ref})
        assert error(r) == (404, "USER_NOT_FOUND")


def test_an_unknown_or_foreign_user_is_404(api, other_workspace):
    theirs = create(other_workspace.api, "theirs@example.com")
    for ref in ("usr_01JC0000000000000000000000", theirs["id"]):
        for r in (
            api.get(f"/v1/users/{ref}"),
            api.patch(f"/v1/users/{ref}", json={"name": "X"}),
            api.delete(f"/v1/users/{ref}"),
        ):
            assert error(r) == (404, "USER_NOT_FOUND")
    r = api.post("/v1/api-keys", json={"name": "k", "scopes": ["*"], "user": theirs["id"]})
    assert error(r) == (404, "USER_NOT_FOUND")
    assert other_workspace.api.get(f"/v1/users/{theirs['id']}").status_code == 200


def test_reading_users_needs_audit_read_which_admin_implies(workspace):
    user = create(workspace.api, "grace@example.com")
    auditor = workspace.key_with("audit:read")
    admin = workspace.key_with("admin")
    clerk = workspace.key_with("items:write", "stock:write")
    for api in (auditor, admin):
        assert api.get("/v1/users").status_code == 200
        assert api.get(f"/v1/users/{user['id']}").status_code == 200
    r = clerk.get("/v1/users")
    assert error(r) == (403, "INSUFFICIENT_SCOPE")
    assert "audit:read" in r.json()["error"]["message"]


def test_changing_users_needs_admin(workspace):
    user = create(workspace.api, "grace@example.com")
    auditor = workspace.key_with("audit:read")
    for r in (
        auditor.post("/v1/users", json={"email": "new@example.com"}),
        auditor.patch(f"/v1/users/{user['id']}", json={"role": "admin"}),
        auditor.delete(f"/v1/users/{user['id']}"),
    ):
        assert error(r) == (403, "INSUFFICIENT_SCOPE")
        assert "admin" in r.json()["error"]["message"]
    assert workspace.key_with("admin").post("/v1/users", json={"email": "new@example.com"}).status_code == 201
    assert workspace.api.get(f"/v1/users/{user['id']}").json()["role"] == "member"


def test_the_workspaces_last_admin_is_neither_demoted_nor_deleted(api):
    ada = create(api, "ada@example.com", role="admin")
    gone = create(api, "gone@example.com", role="admin")
    assert api.delete(f"/v1/users/{gone['id']}").status_code == 204  # a deleted admin does not count
    for r in (api.patch(f"/v1/users/{ada['id']}", json={"role": "member"}), api.delete(f"/v1/users/{ada['id']}")):
        assert error(r) == (409, "INVALID_STATE")
        assert r.json()["error"]["message"] == ("ada@example.com is the workspace's last admin: make another user an "
                                                "admin first.")
    assert api.get(f"/v1/users/{ada['id']}").json() == {**ada, "role": "admin"}  # nothing changed, not even the version
    # Other changes of the last admin, and any of another user, go through.
    assert api.patch(f"/v1/users/{ada['id']}", json={"name": "Ada", "role": "admin"}).status_code == 200
    grace = create(api, "grace@example.com")
    assert api.patch(f"/v1/users/{grace['id']}", json={"role": "viewer"}).status_code == 200
    assert api.delete(f"/v1/users/{grace['id']}").status_code == 204
    # With a second admin, either may go, and then the other is the last.
    alan = create(api, "alan@example.com", role="admin")
    assert api.patch(f"/v1/users/{ada['id']}", json={"role": "viewer"}).status_code == 200
    assert error(api.delete(f"/v1/users/{alan['id']}")) == (409, "INVALID_STATE")
    assert api.patch(f"/v1/users/{ada['id']}", json={"role": "admin"}).status_code == 200
    assert api.delete(f"/v1/users/{alan['id']}").status_code == 204
    assert [u["email"] for u in api.get("/v1/users?role=admin").json()["data"]] == ["ada@example.com"]


def test_a_workspace_without_admin_users_changes_its_users_freely(api):
    """Its admin keys manage it: the rule keeps the last admin user, it does not ask for one."""
    grace = create(api, "grace@example.com")
    assert api.patch(f"/v1/users/{grace['id']}", json={"role": "viewer"}).status_code == 200
    assert api.delete(f"/v1/users/{grace['id']}").status_code == 204
