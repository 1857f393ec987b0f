"""No dashboard page escapes sign-in, roles or CSRF (issue 9): the route table is walked, so a
page added later without its `Annotated` dependency (web/auth.py) fails here."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from storekeeper.web.auth import page_scope

PUBLIC = {("GET", "/login"), ("POST", "/login")}
READ_SCOPES = {"items:read", "stock:read", "orders:read", "production:read", "audit:read"}


def _deps(dependant):
    for sub in dependant.dependencies:
        yield sub
        yield from _deps(sub)


def web_pages(app) -> list[tuple[str, str, str | None]]:
    """(method, path, the scope its dependency checks) of every dashboard route."""
    pages = []
    for route in iter_route_contexts(app.routes):
        original = route.original_route
        if not isinstance(original, APIRoute) or not original.endpoint.__module__.startswith("storekeeper.web."):
            continue
        scopes = [page_scope(d.call) for d in _deps(route.dependant) if page_scope(d.call)]
        for method in sorted(route.methods):
            pages.append((method, route.path, scopes[0] if scopes else None))
    return pages


def test_there_are_dashboard_pages_to_check(app):
    paths = {path for _, path, _ in web_pages(app)}
    assert {"/", "/items", "/items/{ref}", "/items/{ref}/adjust", "/login", "/logout"} <= paths


def test_every_page_but_sign_in_needs_a_signed_in_user_with_a_scope(app):
    unguarded = [(m, p) for m, p, scope in web_pages(app) if scope is None and (m, p) not in PUBLIC]
    assert unguarded == []


def test_every_form_that_changes_something_needs_a_write_scope(app):
    reading = [(m, p, s) for m, p, s in web_pages(app)
               if m == "POST" and (m, p) not in PUBLIC and p != "/logout" and s in READ_SCOPES]
    assert reading == []


def test_signed_out_every_page_leads_to_sign_in_and_no_form_acts(app):
    browser = TestClient(app)
    for method, path, _scope in web_pages(app):
        if (method, path) in PUBLIC:
            continue
        concrete = re.sub(r"\{[^}]+\}", "X-1", path)
        r = browser.request(method, concrete, follow_redirects=False, data={"csrf_token": "x"})
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), (method, path, r.status_code)


def test_a_viewer_gets_403_from_every_form(app, viewer):
    for method, path, scope in web_pages(app):
        if method != "POST" or (method, path) in PUBLIC or path == "/logout":
            continue
        concrete = re.sub(r"\{[^}]+\}", "X-1", path)
        r = viewer.submit(concrete, {})
        assert r.status_code == 403, (path, scope, r.status_code)
