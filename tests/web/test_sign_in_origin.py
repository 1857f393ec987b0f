"""Login CSRF (issue 19): a sign-in form posted from another site's page is refused with a 403 page
that says why, so that no site can sign a visitor in to a workspace of its choosing; a sign-in
from this site's own page, directly or through a reverse proxy that passes `Host` on, works."""

from __future__ import annotations

import html

import pytest
from fastapi.testclient import TestClient

from storekeeper.services import sessions, users
from tests.web.conftest import PASSWORD

EMAIL = "ada@origin.example"


@pytest.fixture
def ada(workspace) -> str:
    users.create_user(workspace.db, workspace.id, EMAIL, "Ada", "member")
    sessions.set_password(workspace.db, workspace.id, EMAIL, PASSWORD)
    return EMAIL


def post_login(app, headers: dict[str, str], base_url: str = "http://testserver"):
    browser = TestClient(app, base_url=base_url)
    return browser.post("/login", data={"email": EMAIL, "password": PASSWORD, "next": "/"}, headers=headers,
                        follow_redirects=False)


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "http://testserver.evil.example"},
    {"Origin": "http://testserver:8080"},  # another port is another site
    {"Origin": "null"},  # a sandboxed frame, or a page that sends no referrer
    {"Referer": "https://evil.example/sign-you-in.html"},
    {"Sec-Fetch-Site": "cross-site"},
])
def test_a_sign_in_posted_from_another_site_is_refused_with_a_403_page(app, ada, headers):
    r = post_login(app, headers)
    assert r.status_code == 403
    assert "storekeeper_session" not in r.headers.get("set-cookie", "")
    assert "This sign-in form was sent from another site, so it was refused" in html.unescape(r.text)


@pytest.mark.parametrize("headers", [
    {"Origin": "http://testserver"},
    {"Origin": "http://TestServer"},
    {"Referer": "http://testserver/login?next=%2Fitems"},
    {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
    {},  # no browser: a script signing in
])
def test_a_sign_in_from_this_sites_own_page_works(app, ada, headers):
    r = post_login(app, headers)
    assert r.status_code == 303, r.text
    assert "storekeeper_session" in r.headers["set-cookie"]


@pytest.mark.parametrize(("base_url", "origin", "status"), [
    # TLS ends at the proxy, which passes Host on: the browser's page is https, the server sees http.
    ("http://stock.example.com", "https://stock.example.com", 303),
    ("http://stock.example.com:8443", "https://stock.example.com:8443", 303),
    ("http://stock.example.com:8443", "https://stock.example.com", 403),
    ("http://stock.example.com", "https://other.example.com", 403),
])
def test_behind_a_reverse_proxy_that_keeps_the_host_the_origin_is_compared_with_it(app, ada, base_url, origin,
                                                                                   status):
    assert post_login(app, {"Origin": origin}, base_url).status_code == status
