"""No /v1 route escapes authentication or its scope.

The routes are walked from the app's route table, not listed by hand, and each route's scope is
read from the route itself (its `Security(authenticate, scopes=[…])` dependency), so a route
added tomorrow is covered without touching this file, and a route added without a scope fails
`test_every_v1_route_except_me_refuses_a_key_without_any_relevant_scope`.

Auth runs before any lookup or body validation, so dummy path ids and an empty JSON object are
enough to reach it.
"""

from __future__ import annotations

import pytest

from storekeeper.domain import scopes as scope_rules

# Routes that any valid key may call: /v1/me tells a key what it is, whatever its scopes.
ANY_KEY_ALLOWED = {("GET", "/v1/me")}
# Routes that check scopes in the handler, with a scope that lets a key through: the change feed
# shows each key the event types its read scopes cover (and refuses a key with none of them).
HANDLER_SCOPED = {("GET", "/v1/events"): ("stock:read",)}
# The route table had 32 /v1 operations when this test was written; it only grows.
MIN_V1_OPERATIONS = 32
BODY_METHODS = {"POST", "PUT", "PATCH"}


@pytest.fixture(scope="module")
def v1_operations(operations):
    return [op for op in operations if op.path.startswith("/v1/")]


def call(client, op, headers=None):
    url = op.url(**{name: f"dummy_{name}" for name in op.path_params})
    body = {"json": {}} if op.method in BODY_METHODS else {}
    return client.request(op.method, url, headers=headers or {}, **body)


def outcome(r) -> tuple[int, str | None]:
    body = r.json() if r.headers.get("content-type", "").startswith("application/json") else None
    error = body.get("error") if isinstance(body, dict) else None
    return r.status_code, error.get("code") if isinstance(error, dict) else None


def scopes_without(required: str) -> list[str]:
    """Every scope except `required` and those that imply it (`*`, its write scope, `admin` for
    `audit:read`)."""
    return [scope for scope in scope_rules.SCOPES if not scope_rules.allows([scope], required)]


def test_the_route_table_holds_every_documented_v1_operation(app, v1_operations):
    documented = {
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        if path.startswith("/v1/")
        for method in item
    }
    walked = {(op.method, op.path) for op in v1_operations}
    assert walked == documented
    assert len(walked) >= MIN_V1_OPERATIONS


def test_each_routes_scope_is_the_one_its_openapi_security_requirement_names(app, v1_operations):
    paths = app.openapi()["paths"]
    for op in v1_operations:
        requirements = paths[op.path][op.method.lower()].get("security", [])
        documented = {tuple(scopes) for requirement in requirements for scopes in requirement.values()}
        assert documented == {op.scopes}, op


def test_every_v1_route_refuses_a_request_without_a_key(client, v1_operations):
    wrong = {}
    for op in v1_operations:
        r = call(client, op)
        if outcome(r) != (401, "UNAUTHENTICATED"):
            wrong[str(op)] = (r.status_code, r.text)
    assert not wrong


def test_every_v1_route_refuses_an_unknown_key(client, v1_operations):
    unknown = "sk_" + "x" * 32 + "01JC0000000000000000000000"
    wrong = {}
    for op in v1_operations:
        r = call(client, op, {"Authorization": f"Bearer {unknown}"})
        if outcome(r) != (401, "INVALID_API_KEY"):
            wrong[str(op)] = (r.status_code, r.text)
    assert not wrong


def test_every_v1_route_refuses_a_key_that_lacks_its_scope(client, workspace, v1_operations):
    checked, wrong = 0, {}
    for op in v1_operations:
        for required in op.scopes:
            api = workspace.key_with(*scopes_without(required))
            r = call(client, op, {"Authorization": f"Bearer {api.key}"})
            checked += 1
            if outcome(r) != (403, "INSUFFICIENT_SCOPE") or required not in r.json()["error"]["message"]:
                wrong[f"{op} without {required}"] = (r.status_code, r.text)
    assert not wrong
    assert checked >= MIN_V1_OPERATIONS - len(ANY_KEY_ALLOWED)


def test_every_v1_route_lets_a_key_with_exactly_its_scopes_past_authorization(client, workspace, v1_operations):
    """The other side of the test above: the scope read from the route is the one that suffices,
    so the 403s above come from the missing scope, not from a route no key can call."""
    wrong = {}
    for op in v1_operations:
        scopes = op.scopes or HANDLER_SCOPED.get((op.method, op.path), ("locations:sync",))
        api = workspace.key_with(*scopes)
        r = call(client, op, {"Authorization": f"Bearer {api.key}"})
        if r.status_code in (401, 403):
            wrong[str(op)] = (r.status_code, r.text)
    assert not wrong


def test_every_v1_route_except_me_refuses_a_key_without_any_relevant_scope(client, workspace, v1_operations):
    """`locations:sync` on its own grants no route: a route declared without a scope (`AnyKey`)
    or without auth answers something else than 403 here, unless it is allow-listed."""
    api = workspace.key_with("locations:sync")
    wrong = {}
    for op in v1_operations:
        if (op.method, op.path) in ANY_KEY_ALLOWED:
            continue
        r = call(client, op, {"Authorization": f"Bearer {api.key}"})
        if outcome(r) != (403, "INSUFFICIENT_SCOPE"):
            wrong[str(op)] = (r.status_code, r.text)
    assert not wrong


def test_the_any_key_allow_list_names_only_routes_that_exist_and_need_no_scope(v1_operations):
    by_route = {(op.method, op.path): op for op in v1_operations}
    for route in ANY_KEY_ALLOWED:
        assert route in by_route
        assert by_route[route].authenticated and by_route[route].scopes == ()


def test_every_v1_route_accepts_the_key_as_a_header_or_a_query_parameter(client, workspace, v1_operations):
    """`X-Api-Key` and `?api_key=` authenticate as `Authorization: Bearer` does (SPEC §2)."""
    wrong = {}
    for op in v1_operations:
        if op.method != "GET":
            continue
        for how in ("header", "query"):
            url = op.url(**{name: f"dummy_{name}" for name in op.path_params})
            if how == "header":
                r = client.get(url, headers={"X-Api-Key": workspace.key})
            else:
                r = client.get(url, params={"api_key": workspace.key})
            if r.status_code in (401, 403):
                wrong[f"{op} ({how})"] = (r.status_code, r.text)
    assert not wrong
