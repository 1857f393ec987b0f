"""What every /compat facade holds, walked from the app's mounts so that a new dialect or route
is covered without touching this file: each route names its caller's scopes and refuses a
request without a key, or with a key lacking them, in the vendor's envelope; a facade answers
no `X-Api-Version` of /v1's; its refusals before routing (413) are in its envelope too; its
OpenAPI document describes its paths and key; /docs lists it."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount

from storekeeper.api.errors import Problem
from storekeeper.compat import MODULES, chosen
from storekeeper.compat.facade import PREFIX, required_scopes
from storekeeper.domain import scopes as scope_rules

BODY_METHODS = {"POST", "PUT", "PATCH"}


def facades(app) -> list[Mount]:
    return [route for route in app.routes if isinstance(route, Mount) and route.path.startswith(PREFIX + "/")]


def operations(app) -> list[tuple[Mount, APIRoute, str]]:
    return [(mount, route, method) for mount in facades(app) for route in mount.app.routes
            if isinstance(route, APIRoute) for method in sorted(route.methods)]


def url(mount: Mount, route: APIRoute) -> str:
    return mount.path + re.sub(r"{(\w+)(?::\w+)?}", lambda m: f"dummy_{m.group(1)}", route.path)


def call(client, mount, route, method, headers=None):
    body = {"json": {}} if method in BODY_METHODS else {}
    return client.request(method, url(mount, route), headers=headers or {}, **body)


def test_every_dialect_is_served_by_default(app):
    assert sorted(mount.path for mount in facades(app)) == sorted(f"{PREFIX}/{name}" for name in MODULES)


def test_every_facade_route_names_the_scopes_of_its_caller(app):
    unscoped = [f"{method} {mount.path}{route.path}" for mount, route, method in operations(app)
                if not required_scopes(route)]
    assert unscoped == []


def test_a_request_without_a_key_is_refused_by_every_facade_route(app, client):
    for mount, route, method in operations(app):
        r = call(client, mount, route, method)
        assert r.status_code == 401, (method, route.path, r.text)
        assert "x-api-version" not in r.headers


def without_request_id(body):
    return {k: without_request_id(v) for k, v in body.items() if k != "request_id"} if isinstance(body, dict) else body


def test_a_path_with_an_encoded_line_break_still_reaches_its_facade(app, client):
    for mount, route, method in operations(app):
        if "{" not in route.path:
            continue
        path = mount.path + re.sub(r"{(\w+)(?::\w+)?}", "%0A0", route.path)
        r = client.request(method, path, **({"json": {}} if method in BODY_METHODS else {}))
        # The facade's own refusal of a request without a key, not /v1's 404.
        expected = without_request_id(call(client, mount, route, method).json())
        assert (r.status_code, without_request_id(r.json())) == (401, expected), (path, r.text)


def key_headers(mount: Mount, key: str) -> dict[str, str]:
    """The key as the facade's clients send it: Bearer, or the header its OpenAPI scheme names."""
    scheme = mount.app.state.dialect.security_scheme
    named = {scheme["name"]: key} if scheme.get("in") == "header" else {}
    return {"Authorization": f"Bearer {key}", "X-Api-Key": key, **named}


def test_a_key_without_the_mapped_scopes_is_refused_by_every_facade_route(app, client, workspace):
    for mount, route, method in operations(app):
        needed = required_scopes(route)
        lacking = [scope for scope in scope_rules.SCOPES if not any(scope_rules.allows([scope], n) for n in needed)]
        key = workspace.key_with(*lacking, name="lacking")
        r = call(client, mount, route, method, headers=key_headers(mount, key.key))
        assert r.status_code == 403, (method, route.path, needed, r.text)


def test_a_facade_has_its_own_versioning_and_its_own_envelope_before_routing(app, client):
    for mount in facades(app):
        r = client.get(f"{mount.path}/openapi.json", headers={"X-Api-Version": "7"})
        assert r.status_code == 200 and "x-api-version" not in r.headers
        too_big = client.post(f"{mount.path}/anything", content=b"x" * 2_000_000,
                              headers={"Content-Type": "application/json"})
        assert too_big.status_code == 413
        message = "The request body is larger than 1048576 bytes."
        rendered = mount.app.state.render_problem(Problem(413, "PAYLOAD_TOO_LARGE", message,
                                                          too_big.headers["x-request-id"]))
        assert too_big.json() == json.loads(rendered.body)


def test_each_facade_documents_its_paths_and_its_key_and_docs_lists_it(app, client):
    described = client.get("/openapi.json").json()["info"]["description"]
    for mount in facades(app):
        document = client.get(f"{mount.path}/openapi.json").json()
        assert document["servers"] == [{"url": mount.path}]
        assert document["paths"] and all(not path.startswith(PREFIX) for path in document["paths"])
        assert document["security"] == [{"apiKey": []}] and "apiKey" in document["components"]["securitySchemes"]
        page = client.get(f"{mount.path}/docs")
        assert page.status_code == 200 and f"url: '{mount.path}/openapi.json'" in page.text
        assert "'/static/vendor/swagger-ui/swagger-ui-bundle.js'" in page.text.replace('"', "'")
        assert f"]({mount.path.lstrip('/')}/docs)" in described  # /v1's /docs links to it


@pytest.mark.parametrize(("setting", "served"), [
    ("all", list(MODULES)), ("", []), ("none", []), (" NONE ", []),
    (",".join(reversed(list(MODULES))), list(MODULES)), (next(iter(MODULES)), list(MODULES)[:1]),
])
def test_storekeeper_dialects_chooses_the_facades(setting, served):
    assert chosen(setting) == served


def test_an_unknown_dialect_stops_the_server_rather_than_being_ignored():
    with pytest.raises(ValueError, match="names no dialect shopify"):
        chosen("shopify")
