"""A process trusts an API key it read for `api_key_cache_seconds` (issue 23: the key's read was
a transaction of its own on every request): the next request reads nothing of it; a key revoked,
or whose user is deleted or changes email, through this process is seen at once; another
process's revocation within the TTL; a key that expires while trusted is refused; an unknown key
is never trusted."""

from __future__ import annotations

from datetime import timedelta

from storekeeper.domain.clock import utcnow
from storekeeper.services.api_keys import KeyCache, Principal
from tests.sql_counting import statements


def reads_of_keys(db, call) -> int:
    with statements(db) as seen:
        call()
    return sum("FROM api_keys" in s for s in seen)


def test_a_key_read_once_is_trusted_for_the_next_requests(db, api):
    assert api.get("/v1/me").status_code == 200
    assert reads_of_keys(db, lambda: api.get("/v1/me")) == 0
    assert reads_of_keys(db, lambda: api.get("/v1/items")) == 0


def test_a_key_revoked_through_this_process_is_refused_at_once(db, api):
    made = api.post("/v1/api-keys", json={"name": "short", "scopes": ["items:read"]}).json()
    short = {"Authorization": f"Bearer {made['key']}"}
    assert api.client.get("/v1/items", headers=short).status_code == 200  # now trusted
    assert api.delete(f"/v1/api-keys/{made['id']}").status_code == 204
    refused = api.client.get("/v1/items", headers=short)
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "INVALID_API_KEY")


def test_a_key_revoked_behind_the_process_back_is_refused_once_the_ttl_passed():
    """As another process's revocation: the cache alone, its clock moved past the TTL."""
    now = [100.0]
    cache = KeyCache(clock=lambda: now[0])
    principal = Principal(workspace_id="ws", key_id="key_1", key_name="k", key_prefix="sk_", scopes=("*",),
                          user_id=None, user_email=None)
    cache.keep("hash", principal, None, ttl=2.0)
    assert cache.get("hash") is principal
    now[0] += 2.0
    assert cache.get("hash") is None  # read again: a revocation elsewhere is seen
    cache.keep("hash", principal, utcnow() - timedelta(seconds=1), ttl=2.0)
    assert cache.get("hash") is None  # expired while trusted
    cache.keep("hash", principal, None, ttl=2.0)
    cache.forget("ws", user_id="usr_other")
    assert cache.get("hash") is principal
    cache.forget("ws", key_ids={"key_1"})
    assert cache.get("hash") is None


def test_an_unknown_key_is_read_every_time(db, api):
    bogus = {"Authorization": "Bearer sk_" + "x" * 32 + "01JC0000000000000000000000"}
    for _ in range(2):
        assert api.client.get("/v1/items", headers=bogus).status_code == 401
    assert reads_of_keys(db, lambda: api.client.get("/v1/items", headers=bogus)) == 1


def test_a_users_keys_act_under_the_new_email_at_once(api):
    user = api.post("/v1/users", json={"email": "ada@example.com", "name": "Ada", "role": "member",
                                       "password": "correct horse battery"}).json()
    made = api.post("/v1/api-keys", json={"name": "ada's", "scopes": ["items:read"], "user": user["id"]}).json()
    hers = {"Authorization": f"Bearer {made['key']}"}
    assert api.client.get("/v1/me", headers=hers).json()["actor"]["name"] == "ada@example.com"
    assert api.patch(f"/v1/users/{user['id']}", json={"email": "ada.l@example.com"}).status_code == 200
    assert api.client.get("/v1/me", headers=hers).json()["actor"]["name"] == "ada.l@example.com"
    assert api.delete(f"/v1/users/{user['id']}").status_code == 204
    assert api.client.get("/v1/me", headers=hers).status_code == 401
