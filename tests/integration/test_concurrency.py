"""Many clients at once, on both databases: no lost update, no duplicate, no 500."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

CLIENTS = 16


def _at_once(calls):
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [f.result() for f in [pool.submit(call) for call in calls]]


def test_concurrent_creates_of_one_sku_make_exactly_one_item(api):
    responses = _at_once([lambda: api.post("/v1/items", json={"sku": "RACE-1", "name": "Racer"})] * CLIENTS)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (CLIENTS - 1)
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"DUPLICATE_SKU"}
    assert api.get("/v1/items", params={"sku": "RACE-1"}).json()["meta"]["total"] == 1


def test_concurrent_patches_of_one_item_all_apply_in_turn(api):
    item = api.post("/v1/items", json={"sku": "PATCHED", "name": "Patched"}).json()
    responses = _at_once(
        [lambda n=n: api.patch(f"/v1/items/{item['id']}", json={"description": f"writer {n}"}) for n in range(CLIENTS)]
    )
    assert [r.status_code for r in responses] == [200] * CLIENTS
    versions = sorted(r.json()["version"] for r in responses)
    assert versions == list(range(2, CLIENTS + 2)), "every change got its own version: none overwrote another"
    final = api.get(f"/v1/items/{item['id']}").json()
    assert final["version"] == CLIENTS + 1
    assert final["description"] in {f"writer {n}" for n in range(CLIENTS)}


def test_concurrent_patches_with_the_same_if_match_let_exactly_one_through(api):
    item = api.post("/v1/items", json={"sku": "CAS", "name": "Compare and set"}).json()
    headers = {"If-Match": f'"{item["version"]}"'}
    path = f"/v1/items/{item['id']}"
    responses = _at_once([lambda n=n: api.patch(path, json={"name": f"n{n}"}, headers=headers) for n in range(CLIENTS)])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * (CLIENTS - 1)


def test_concurrent_workspace_setting_changes_are_merged_not_lost(api):
    changes = [
        {"settings": {"allow_negative_stock": True}},
        {"settings": {"trash_retention_days": 7}},
        {"settings": {"auto_snapshot": "daily"}},
        {"name": "Renamed"},
    ] * 4
    responses = _at_once([lambda c=c: api.patch("/v1/workspace", json=c) for c in changes])
    assert all(r.status_code == 200 for r in responses)
    workspace = api.get("/v1/me").json()["workspace"]
    assert workspace["name"] == "Renamed"
    assert workspace["settings"]["allow_negative_stock"] is True
    assert workspace["settings"]["trash_retention_days"] == 7
    assert workspace["settings"]["auto_snapshot"] == "daily"



def test_two_admins_demoting_or_deleting_each_other_at_once_leave_one_admin(api):
    """The admins' rows are locked, in one order, before either change: on PostgreSQL, where each
    transaction would otherwise still see the other user as an admin, exactly one change passes,
    and neither deadlocks."""

    def new_admin(email: str) -> str:
        r = api.post("/v1/users", json={"email": email, "role": "admin"})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    survivor = None
    for n in range(8):
        a, b = new_admin(f"a{n}@example.com"), new_admin(f"b{n}@example.com")
        if survivor is not None:  # the last round's admin goes: a and b are the only admins now
            assert api.delete(f"/v1/users/{survivor}").status_code == 204
        remove_a = (lambda a=a: api.delete(f"/v1/users/{a}")) if n % 2 else (
            lambda a=a: api.patch(f"/v1/users/{a}", json={"role": "member"}))
        responses = _at_once([remove_a, lambda b=b: api.patch(f"/v1/users/{b}", json={"role": "viewer"})])
        outcomes = sorted((r.status_code, r.json()["error"]["code"] if r.status_code >= 400 else None)
                          for r in responses)
        assert outcomes in ([(200, None), (409, "INVALID_STATE")], [(204, None), (409, "INVALID_STATE")]), outcomes
        admins = [u["id"] for u in api.get("/v1/users?role=admin&limit=100").json()["data"]]
        assert len(admins) == 1 and admins[0] in (a, b), admins
        survivor = admins[0]
