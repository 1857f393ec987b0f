"""Signing in and out in a real browser (issue 19): Chromium posting a sign-in form from another
site's page (a page served here on another loopback origin) is refused, with a page that says
why; and once a user signs out, a copy of the session cookie taken before opens nothing."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

EMAIL, PASSWORD = "sally@example.com", "sally's own long password"


@pytest.fixture(scope="module")
def sally(served) -> str:
    with httpx.Client(base_url=served.url, headers={"Authorization": f"Bearer {served.key}"}, timeout=10) as api:
        created = api.post("/v1/users", json={"email": EMAIL, "role": "member", "password": PASSWORD})
        assert created.status_code in (201, 409), created.text
    return EMAIL


@pytest.fixture
def other_site(served) -> Iterator[str]:
    """Another origin (localhost on another port) whose page holds a form that signs a visitor in
    to the server under test with credentials the page chose."""
    form = f"""<!doctype html><title>Win a prize</title>
<form method="post" action="{html.escape(served.url)}/login">
  <input type="hidden" name="email" value="{EMAIL}"><input type="hidden" name="password" value="{PASSWORD}">
  <button type="submit">Claim your prize</button>
</form>""".encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(form)))
            self.end_headers()
            self.wfile.write(form)

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def sign_in(page, served) -> None:
    page.goto(f"{served.url}/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{served.url}/")


def test_a_sign_in_form_on_another_site_is_refused_and_signs_nobody_in(page, served, sally, other_site, expect,
                                                                        off_host_requests):
    page.goto(other_site)
    with page.expect_navigation() as sent:
        page.get_by_role("button", name="Claim your prize").click()
    assert sent.value.status == 403
    expect(page.get_by_role("alert")).to_contain_text("This sign-in form was sent from another site")
    page.goto(f"{served.url}/")
    assert page.url.startswith(f"{served.url}/login")
    # This site's own sign-in page still signs in.
    sign_in(page, served)
    assert off_host_requests == []


def test_after_signing_out_a_copy_of_the_session_cookie_opens_nothing(page, browser, served, sally, expect):
    sign_in(page, served)
    copied = page.context.cookies()
    assert any(cookie["name"] == "storekeeper_session" for cookie in copied)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{served.url}/login")
    elsewhere = browser.new_context()
    try:
        elsewhere.add_cookies(copied)
        other = elsewhere.new_page()
        other.goto(f"{served.url}/items")
        assert other.url.startswith(f"{served.url}/login")
        expect(other.get_by_role("button", name="Sign in")).to_be_visible()
    finally:
        elsewhere.close()
