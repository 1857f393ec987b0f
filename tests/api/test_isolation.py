"""Workspace isolation: another workspace's resource is indistinguishable from one that does not
exist (SPEC §2), on every route, whatever the key's scopes.

Workspace A holds one resource of every kind; workspace B's admin (`*`) key tries them on every
route that takes a path parameter, walked from the route table. `TARGETS` says which of A's
resources each such route is tried with: a route added without an entry fails
`test_every_parametrized_v1_route_has_an_isolation_target`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

HIJACK = {"name": "Hijacked by B"}
# GET routes without a path parameter that are no list: a PDF of the items the query names.
NOT_LISTS = {"/v1/labels"}
BODY_METHODS = {"POST", "PUT", "PATCH"}


@dataclass(frozen=True)
class Target:
    resource: str  # key into the resources of A
    param: str  # the route's path parameter
    code: str  # the expected 404 code
    body: dict | list | None = None  # for writes: a body the route accepts (default: a rename)
    others: tuple[tuple[str, str], ...] = ()  # further path parameters and their values


# Route pattern → which of A's resources to try and the code B must get.
TARGETS = {
    "/v1/items/{ref}": Target("item", "ref", "ITEM_NOT_FOUND"),
    "/v1/locations/{location}": Target("location", "location", "LOCATION_NOT_FOUND"),
    "/v1/categories/{category_id}": Target("category", "category_id", "CATEGORY_NOT_FOUND"),
    "/v1/tax-rates/{tax_rate_id}": Target("tax_rate", "tax_rate_id", "TAX_RATE_NOT_FOUND"),
    "/v1/users/{user_id}": Target("user", "user_id", "USER_NOT_FOUND"),
    "/v1/api-keys/{key_id}": Target("api_key", "key_id", "API_KEY_NOT_FOUND"),
    "/v1/items/{ref}/movements": Target("item", "ref", "ITEM_NOT_FOUND"),
    "/v1/items/{ref}/restore": Target("item", "ref", "ITEM_NOT_FOUND"),
    "/v1/items/{ref}/variants": Target("item", "ref", "ITEM_NOT_FOUND", body={"sku": "HIJACK-VARIANT"}),
    "/v1/items/{ref}/components": Target("item", "ref", "ITEM_NOT_FOUND", body=[]),
    "/v1/items/{ref}/channels/{channel}": Target("item", "ref", "ITEM_NOT_FOUND", body={"name": "Hijacked"},
                                                 others=(("channel", "shop"),)),
    "/v1/stock/{item}": Target("item", "item", "ITEM_NOT_FOUND"),
    "/v1/reasons/{reason_id}": Target("reason", "reason_id", "REASON_NOT_FOUND"),
    "/v1/reservations/{reservation_id}": Target("reservation", "reservation_id", "RESERVATION_NOT_FOUND"),
    "/v1/reservations/{reservation_id}/release": Target("reservation", "reservation_id", "RESERVATION_NOT_FOUND"),
    "/v1/reservations/{reservation_id}/fulfil": Target(
        "reservation", "reservation_id", "RESERVATION_NOT_FOUND", body={"quantity": 1}
    ),
    "/v1/purchase-orders/{order}": Target("purchase_order", "order", "PURCHASE_ORDER_NOT_FOUND",
                                          body={"notes": "Hijacked"}),
    "/v1/purchase-orders/{order}/order": Target("purchase_order", "order", "PURCHASE_ORDER_NOT_FOUND"),
    "/v1/purchase-orders/{order}/receive": Target("purchase_order", "order", "PURCHASE_ORDER_NOT_FOUND", body={}),
    "/v1/purchase-orders/{order}/cancel": Target("purchase_order", "order", "PURCHASE_ORDER_NOT_FOUND"),
    "/v1/purchase-orders/{order}/labels": Target("purchase_order", "order", "PURCHASE_ORDER_NOT_FOUND"),
    "/v1/production-orders/{order_id}": Target("production_order", "order_id", "PRODUCTION_ORDER_NOT_FOUND",
                                               body={"notes": "Hijacked"}),
    "/v1/production-orders/{order_id}/lines/{line_id}/batches": Target(
        "production_order", "order_id", "PRODUCTION_ORDER_NOT_FOUND", body={"quantity": 1},
        others=(("line_id", "prl_01JD0000000000000000000000"),),
    ),
    "/v1/batches/{batch_id}": Target("batch", "batch_id", "BATCH_NOT_FOUND"),
    "/v1/webhooks/{webhook_id}": Target("webhook", "webhook_id", "WEBHOOK_NOT_FOUND",
                                        body={"description": "Hijacked"}),
    "/v1/webhooks/{webhook_id}/deliveries": Target("webhook", "webhook_id", "WEBHOOK_NOT_FOUND"),
    "/v1/webhooks/{webhook_id}/test": Target("webhook", "webhook_id", "WEBHOOK_NOT_FOUND"),
    "/v1/snapshots/{snapshot_id}": Target("snapshot", "snapshot_id", "SNAPSHOT_NOT_FOUND"),
    "/v1/snapshots/{snapshot_id}/diff": Target("snapshot", "snapshot_id", "SNAPSHOT_NOT_FOUND"),
    "/v1/snapshots/{snapshot_id}/restore": Target("snapshot", "snapshot_id", "SNAPSHOT_NOT_FOUND"),
}
# The readable paths of each resource, to compare before and after B's attempts.
READ_PATHS = {
    "item": "/v1/items/{}",
    "location": "/v1/locations/{}",
    "category": "/v1/categories/{}",
    "tax_rate": "/v1/tax-rates/{}",
    "user": "/v1/users/{}",
    "api_key": "/v1/api-keys/{}",
    "reason": "/v1/reasons/{}",
    "reservation": "/v1/reservations/{}",
    "purchase_order": "/v1/purchase-orders/{}",
    "production_order": "/v1/production-orders/{}",
    "batch": "/v1/batches/{}",
    "webhook": "/v1/webhooks/{}",
    "snapshot": "/v1/snapshots/{}",
}


def created(r) -> dict:
    assert r.status_code == 201, r.text
    return r.json()


def populate(api) -> dict[str, dict]:
    """One resource of every kind, the item referring to the category and the tax rate, the key
    belonging to the user."""
    tag = uuid.uuid4().hex[:10]
    tax_rate = created(api.post("/v1/tax-rates", {"name": f"VAT {tag}", "rate": "0.19"}))
    category = created(api.post("/v1/categories", {"name": f"Tools {tag}"}))
    location = created(api.post("/v1/locations", {"name": f"Depot {tag}"}))
    item = created(
        api.post(
            "/v1/items",
            {"sku": f"SKU-{tag}", "name": f"Hammer {tag}", "category": category["id"], "tax_rate": tax_rate["id"]},
        )
    )
    user = created(api.post("/v1/users", {"email": f"ann-{tag}@example.com", "name": "Ann"}))
    api_key = created(api.post("/v1/api-keys", {"name": f"key {tag}", "scopes": ["items:read"], "user": user["id"]}))
    reason = created(api.post("/v1/reasons", {"code": f"gift_{tag}", "name": "Gift", "direction": "out"}))
    created(api.post("/v1/stock/adjustments", {"item": item["id"], "location": location["id"], "reason": "receipt",
                                               "delta": 5}))
    assert api.put(f"/v1/items/{item['id']}/channels/shop", {"price": "9.99"}).status_code == 200
    reservation = created(api.post("/v1/reservations", {"item": item["id"], "location": location["id"], "quantity": 2}))
    purchase_order = created(api.post("/v1/purchase-orders", {"location": location["id"], "lines": [
        {"item": item["id"], "quantity": 3, "unit_cost": "2.50"}]}))
    assert api.post(f"/v1/purchase-orders/{purchase_order['id']}/order").status_code == 200
    kit = created(api.post("/v1/items", {"sku": f"KIT-{tag}", "name": f"Kit {tag}"}))
    assert api.put(f"/v1/items/{kit['id']}/components", [{"item": item["id"], "quantity": 1}]).status_code == 200
    production_order = created(api.post("/v1/production-orders", {"location": location["id"], "assignee": user["id"],
                                                                   "lines": [{"item": kit["id"], "quantity": 2}]}))
    batch = created(api.post(f"/v1/production-orders/{production_order['id']}/lines/"
                             f"{production_order['lines'][0]['id']}/batches", {"quantity": 1}))
    webhook = created(api.post("/v1/webhooks", {"url": "http://127.0.0.1:9/hook", "events": ["stock.*"]}))
    snapshot = created(api.post("/v1/snapshots", {"note": f"before {tag}"}))
    return {
        "item": item,
        "location": location,
        "category": category,
        "tax_rate": tax_rate,
        "user": user,
        "api_key": api_key,
        "reason": reason,
        "reservation": reservation,
        "purchase_order": purchase_order,
        "production_order": production_order,
        "batch": batch,
        "webhook": webhook,
        "snapshot": snapshot,
    }


def snapshot(api, resources: dict[str, dict]) -> dict[str, tuple[int, dict, str | None]]:
    result = {}
    for kind, resource in resources.items():
        r = api.get(READ_PATHS[kind].format(resource["id"]))
        result[kind] = (r.status_code, r.json(), r.headers.get("etag"))
    return result


@pytest.fixture
def a(workspace) -> dict[str, dict]:
    return populate(workspace.api)


@pytest.fixture
def parametrized_operations(operations):
    return [op for op in operations if op.path.startswith("/v1/") and op.path_params]


def test_every_parametrized_v1_route_has_an_isolation_target(parametrized_operations):
    routes = {op.path for op in parametrized_operations}
    assert routes == set(TARGETS), "add the new route to TARGETS (or drop a route that is gone)"
    for op in parametrized_operations:
        target = TARGETS[op.path]
        assert sorted(op.path_params) == sorted([target.param, *(name for name, _ in target.others)]), op


def test_another_workspaces_resources_are_not_found_on_any_route(
    workspace, other_workspace, a, parametrized_operations
):
    before = snapshot(workspace.api, a)
    assert all(status == 200 for status, _body, _etag in before.values())
    wrong, tried = {}, 0
    for op in parametrized_operations:
        target = TARGETS[op.path]
        url = op.url(**{target.param: a[target.resource]["id"]}, **dict(target.others))
        body = {"json": target.body if target.body is not None else HIJACK} if op.method in BODY_METHODS else {}
        r = other_workspace.api.request(op.method, url, **body)
        tried += 1
        code = r.json()["error"]["code"] if r.status_code == 404 else None
        if (r.status_code, code) != (404, target.code):
            wrong[str(op)] = (r.status_code, r.text)
    assert not wrong
    assert tried >= 16
    assert snapshot(workspace.api, a) == before


def test_another_workspaces_key_still_works_after_the_other_workspace_tried_to_revoke_it(
    workspace, other_workspace, a, client
):
    assert other_workspace.api.delete(f"/v1/api-keys/{a['api_key']['id']}").status_code == 404
    assert other_workspace.api.delete(f"/v1/users/{a['user']['id']}").status_code == 404
    r = client.get("/v1/me", headers={"Authorization": f"Bearer {a['api_key']['key']}"})
    assert r.status_code == 200
    assert r.json()["workspace"]["id"] == workspace.id


def test_lists_in_a_workspace_show_its_own_resources_and_never_another_workspaces(
    workspace, other_workspace, a, operations
):
    b = populate(other_workspace.api)
    lists = [op for op in operations if op.path.startswith("/v1/") and op.method == "GET" and not op.path_params
             and op.path not in NOT_LISTS]
    assert len(lists) >= 7
    texts = []
    for op in lists:
        r = other_workspace.api.get(op.path, params={"limit": 1000})
        assert r.status_code == 200, (str(op), r.text)
        texts.append(r.text)
    seen = "\n".join(texts)
    leaked = {kind: res["id"] for kind, res in a.items() if res["id"] in seen}
    assert not leaked
    assert a["item"]["sku"] not in seen
    assert a["location"]["name"] not in seen
    assert a["user"]["email"] not in seen
    assert workspace.id not in seen
    missing = {kind: res["id"] for kind, res in b.items() if res["id"] not in seen}
    assert not missing, "B's own lists should show B's resources (else the check above proves nothing)"


def test_an_item_sku_and_a_location_name_resolve_only_in_their_own_workspace(workspace, other_workspace, a):
    sku, location = a["item"]["sku"], a["location"]["name"]
    assert workspace.api.get(f"/v1/items/{sku}").json()["id"] == a["item"]["id"]
    assert workspace.api.get(f"/v1/locations/{location}").json()["id"] == a["location"]["id"]

    b = other_workspace.api
    r = b.get(f"/v1/items/{sku}")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "ITEM_NOT_FOUND")
    r = b.get(f"/v1/locations/{location}")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "LOCATION_NOT_FOUND")
    for params in (
        {"sku": sku},
        {"q": sku},
        {"q": a["item"]["name"]},
        {"category": a["category"]["id"]},
        {"location": location},
        {"location": a["location"]["id"]},
    ):
        r = b.get("/v1/items", params=params)
        assert r.status_code == 200, r.text
        assert r.json()["data"] == [], params
    r = b.get("/v1/locations", params={"q": location})
    assert r.json()["data"] == []
    r = b.get("/v1/categories", params={"parent": a["category"]["id"]})
    assert r.json()["data"] == []


def test_another_workspaces_ids_cannot_be_referenced_in_a_write(other_workspace, a):
    b = other_workspace.api
    tag = uuid.uuid4().hex[:10]
    category, tax_rate, user = a["category"]["id"], a["tax_rate"]["id"], a["user"]

    def refused(r, code):
        assert (r.status_code, r.json()["error"]["code"]) == (404, code), r.text

    refused(b.post("/v1/items", {"sku": f"B-{tag}", "name": "B", "category": category}), "CATEGORY_NOT_FOUND")
    refused(b.post("/v1/items", {"sku": f"B-{tag}", "name": "B", "tax_rate": tax_rate}), "TAX_RATE_NOT_FOUND")
    refused(b.post("/v1/categories", {"name": f"Sub {tag}", "parent": category}), "CATEGORY_NOT_FOUND")
    for user_ref in (user["id"], user["email"]):
        refused(b.post("/v1/api-keys", {"name": "k", "scopes": ["items:read"], "user": user_ref}), "USER_NOT_FOUND")

    own_item = created(b.post("/v1/items", {"sku": f"B-{tag}", "name": "B"}))
    own_category = created(b.post("/v1/categories", {"name": f"Own {tag}"}))
    refused(b.patch(f"/v1/items/{own_item['id']}", {"category": category}), "CATEGORY_NOT_FOUND")
    refused(b.patch(f"/v1/items/{own_item['id']}", {"tax_rate": tax_rate}), "TAX_RATE_NOT_FOUND")
    refused(b.patch(f"/v1/categories/{own_category['id']}", {"parent": category}), "CATEGORY_NOT_FOUND")
    assert b.get(f"/v1/items/{own_item['id']}").json()["category"] is None
