"""Every SKU the API accepts is addressable on every route that takes an item ref (issue 19,
item 9), and so is every location name and purchase-order number: the server decodes `%2F` into
`/` before routing, so a SKU `A/B` sent as `/v1/items/A%2FB` found no route until the route
class matched on the raw path (api/paths.py).

The route table is walked: a path parameter is classified by the segment before it (`items`,
`stock`: an item; `locations`: a location; `purchase-orders`: an order), the rest are generated
ids, which never hold a `/`. A route added with a parameter after another segment fails
`test_every_path_parameter_is_known` until it is classified here, so no route can escape.
tests/e2e/test_item_refs_server.py does the same over real HTTP to a `storekeeper serve`.
"""

from __future__ import annotations

import itertools
import re
from urllib.parse import quote, unquote

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Match

from storekeeper.api.paths import path_value, route_path
from storekeeper.domain.skus import RESERVED
from tests.web.conftest import sign_in

ITEM, LOCATION, ORDER = "item", "location", "purchase order"
NAMED = {"items": ITEM, "stock": ITEM, "locations": LOCATION, "purchase-orders": ORDER}
# Segments whose parameter is a generated id (or, for channels, a name of [a-z0-9_-]).
IDS = {"api-keys", "users", "categories", "tax-rates", "reasons", "reservations", "production-orders", "lines",
       "batches", "webhooks", "snapshots", "channels", "production", "imports"}
_PARAM = re.compile(r"{(\w+)(?::\w+)?}")
_counter = itertools.count()


def parameters(path: str) -> list[tuple[str, str]]:
    """(parameter, the segment before it) for each path parameter of a route."""
    segments = path.split("/")
    return [(m.group(1), segments[i - 1]) for i, segment in enumerate(segments) if (m := _PARAM.fullmatch(segment))]


def operations(app) -> list[tuple[str, str, str, str]]:
    """(method, path, parameter, kind) of every route with an item, location or order ref."""
    found = []
    for route in app.routes:
        if isinstance(route, APIRoute):
            for param, before in parameters(route.path):
                if before in NAMED:
                    found.extend((method, route.path, param, NAMED[before]) for method in sorted(route.methods))
    return found


def routed(app, method: str, url: str) -> tuple[str | None, dict]:
    """The route the app's table gives this request (the router's own loop: the first full
    match), and its path parameters, as a server would send it: `path` decoded, `raw_path` not."""
    scope = {"type": "http", "method": method, "path": unquote(url), "raw_path": url.encode(), "root_path": "",
             "query_string": b"", "headers": []}
    for route in app.routes:
        match, child = route.matches(scope)
        if match == Match.FULL:
            return getattr(route, "path", None), child.get("path_params", {})
    return None, {}


def test_every_path_parameter_is_known(app):
    unknown = [(route.path, param, before) for route in app.routes if isinstance(route, APIRoute)
               for param, before in parameters(route.path) if before not in NAMED and before not in IDS]
    assert unknown == [], "classify these in NAMED (a name a person gives) or IDS (generated)"


def test_the_walk_covers_the_routes_that_take_an_item_or_a_location(app):
    paths = {path for _method, path, _param, _kind in operations(app)}
    assert {"/v1/items/{ref}", "/v1/items/{ref}/movements", "/v1/stock/{item}", "/v1/locations/{location}",
            "/items/{ref}", "/items/{ref}/adjust", "/items/{ref}/transfer", "/purchase-orders/{ref}"} <= paths


def test_no_literal_segment_beside_an_item_ref_can_be_a_sku(app):
    """`GET /v1/items/deleted` wins over the item `deleted` (a literal route comes first), so
    such words are not SKUs. `POST /v1/stock/adjustments` takes nothing from `GET /v1/stock/{item}`."""
    templates = {(method, path.rsplit("/", 1)[0]) for method, path, _p, kind in operations(app)
                 if kind == ITEM and path.endswith("}")}
    literals = {route.path.rsplit("/", 1)[1] for route in app.routes if isinstance(route, APIRoute)
                for method in route.methods if (method, route.path.rsplit("/", 1)[0]) in templates
                and "{" not in route.path.rsplit("/", 1)[1]}
    assert literals == RESERVED


def make(api, kind: str, name: str) -> None:
    body, path = {
        ITEM: ({"sku": name, "name": "Slashed"}, "/v1/items"),
        LOCATION: ({"name": name}, "/v1/locations"),
        ORDER: ({"number": name, "supplier": "Wax & Co"}, "/v1/purchase-orders"),
    }[kind]
    r = api.post(path, json=body)
    assert r.status_code == 201, r.text


def order_line(api, number: str) -> str:
    """A line put on the order `number`: the id its line routes take."""
    sku = f"LINE-{next(_counter)}"
    assert api.post("/v1/items", json={"sku": sku, "name": "On a line"}).status_code == 201
    r = api.patch(f"/v1/purchase-orders/{quote(number, safe='')}", json={"lines": [{"item": sku, "quantity": 1}]})
    assert r.status_code == 200, r.text
    return r.json()["lines"][0]["id"]


def request_body(method: str, path: str, n: int) -> dict:
    if method not in ("POST", "PUT", "PATCH"):
        return {}
    if path.endswith("/variants"):
        return {"json": {"sku": f"V{n}/S", "attributes": {"size": "S"}}}
    if path.endswith("/components"):
        return {"json": []}
    if not path.startswith("/v1/"):  # a dashboard form
        return {"data": {"quantity": "1", "mode": "delta", "reason": "receipt"}}
    return {"json": {"notes": "Checked"} if "purchase-orders" in path else {"name": f"Renamed {n}"}
            if path.endswith("}") else {}}


@pytest.fixture
def browser(app, workspace):
    return sign_in(app, workspace, "admin")


def test_every_route_with_an_item_location_or_order_ref_answers_for_one_with_a_slash(app, api, browser):
    assert api.post("/v1/locations", json={"name": "Main"}).status_code == 201
    tried = []
    for method, path, param, kind in operations(app):
        n = next(_counter)
        # `X/movements`: a naive {ref:path} would take `/v1/items/X/movements` for the movements route.
        name = f"Slash/{n}/movements" if kind != ORDER else f"PO/{n}/movements"
        make(api, kind, name)
        values = {param: quote(name, safe=""), "channel": "shop"}
        if "{line_id}" in path:  # a line of that order (the dashboard's line forms)
            values["line_id"] = order_line(api, name)
        url = _PARAM.sub(lambda m, values=values: values[m.group(1)], path)
        if path.endswith("/restore"):  # only an item or a location in the trash can be restored
            trash = "/v1/items" if kind == ITEM else "/v1/locations"
            assert api.delete(f"{trash}/{quote(name, safe='')}").status_code == 204
        if path.endswith("/channels/{channel}") and method == "DELETE":  # only a channel it has
            assert api.put(url, json={"published": True}).status_code == 200
        assert routed(app, method, url) == (path, {**{k: unquote(v) for k, v in values.items()
                                                      if "{" + k + "}" in path}, param: name}), (method, path)
        if path.startswith("/v1/"):
            r = api.request(method, url, **request_body(method, path, n))
        else:
            csrf = {"X-CSRF-Token": browser.csrf()} if method == "POST" else {}
            r = browser.client.request(method, url, headers=csrf, follow_redirects=False,
                                       **request_body(method, path, n))
        # Found and done, or refused by a rule of the resource (a draft order has nothing to receive).
        assert r.status_code < 400 or r.status_code in (409, 422), (method, path, r.status_code, r.text)
        if method == "GET" and path.endswith("}") and path.startswith("/v1/"):
            assert r.status_code == 200 and name in r.text, (method, path)
        tried.append((method, path))
    assert len(tried) >= 25


def test_a_method_an_item_does_not_take_names_the_ones_it_does(api):
    make(api, ITEM, "A/B")
    r = api.post("/v1/items/A%2FB", json={})
    assert r.status_code == 405 and r.headers["allow"] == "DELETE, GET, PATCH"


@pytest.mark.parametrize(("raw", "path", "root", "expected"), [
    (b"/v1/items/A%2FB", "/v1/items/A/B", "", ("/v1/items/A%2FB", True)),
    (b"/v1/items/A%2fB%25/movements", "/v1/items/A/B%/movements", "", ("/v1/items/A%2FB%25/movements", True)),
    (b"/v1/items/caf%C3%A9%2F1", "/v1/items/café/1", "", ("/v1/items/café%2F1", True)),
    (b"/shop/v1/items/A%2FB", "/shop/v1/items/A/B", "/shop", ("/v1/items/A%2FB", True)),
    (b"/v1/items/A%20B", "/v1/items/A B", "", ("/v1/items/A B", False)),
    (b"/v1/items/50%252F", "/v1/items/50%2F", "", ("/v1/items/50%2F", False)),  # the text `50%2F`
    (b"/v1/items/A%2FB/", "/v1/items/A/B", "", ("/v1/items/A/B", False)),  # rewritten since: as routed before
])
def test_the_path_routes_match(raw, path, root, expected):
    scope = {"type": "http", "raw_path": raw, "path": path, "root_path": root}
    assert route_path(scope) == expected
    if expected[1]:
        assert path_value("A%2FB%25") == "A/B%"
