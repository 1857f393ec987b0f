"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against a real
`storekeeper serve --demo`.

Never `playwright install`: it downloads browsers from the internet, which the machines this
runs on cannot reach. Without Chromium or the playwright package these tests are skipped, except
under CI=true, where that is a failure (.ci/run installs chromium; playwright is in the dev
extras).

The network is closed here, and the pages must work so: every request a page makes to another
host is aborted, and recorded for `off_host_requests`. Each test gets a new browser context (no
cookies or storage from another test) and leaves a full-page screenshot in
tests/browser/screenshots/<test name>.png, whether it passed or not.

Under pytest-xdist each worker process has its own Chromium and its own server on a database of
its own; session-scoped fixtures are per worker.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.test_server import STOREKEEPER, Server, environment, start_server, stop
from tests.waiting import CLIENT_TIMEOUT, PATIENCE

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking switches Chromium reaches for Google's services at start, and
# on a closed network its connections are then refused.
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).parent / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
BROWSER_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items):
    for item in items:
        if BROWSER_DIR in item.path.parents:
            item.add_marker(pytest.mark.slow)


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run the browser tests", pytrace=False)
    pytest.skip(reason)


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def expect(browser):
    """Playwright's `expect` (assertions that wait), imported only once `browser` found playwright."""
    from playwright.sync_api import expect

    expect.set_options(timeout=PATIENCE * 1000)  # Playwright waits 5 s by default: too short on a busy machine
    return expect


@pytest.fixture
def off_host_requests() -> list[str]:
    """The URLs the test's pages asked for on another host than this machine (all aborted)."""
    return []


@pytest.fixture
def page(browser, request, off_host_requests):
    yield from context_page(browser, request, off_host_requests, viewport=VIEWPORT)


@pytest.fixture
def phone(browser, request, off_host_requests):
    """A page as a phone shows it: 390 x 844 CSS px (an iPhone 12 to 14), touch, a mobile viewport."""
    yield from context_page(browser, request, off_host_requests, viewport=PHONE, has_touch=True, is_mobile=True)


def context_page(browser, request, off_host_requests, **options):
    """A page of a new context (`options` of Playwright's new_context) whose network is closed as
    the module says, and whose screenshot is left when the test ends."""
    context = browser.new_context(**options)
    context.on("request", lambda r: None if is_local(r.url) else off_host_requests.append(r.url))
    context.route(lambda url: not is_local(url), lambda route: route.abort("blockedbyclient"))
    context.set_default_timeout(PATIENCE * 1000)  # clicks, fills and navigations: Playwright's 30 s by default
    new_page = context.new_page()
    yield new_page
    try:
        SCREENSHOTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        new_page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    except Exception as exc:  # a screenshot helps to debug; failing to take one is not the test's failure
        warnings.warn(f"no screenshot of {request.node.name}: {exc}", stacklevel=1)
    finally:
        context.close()


@dataclass
class Served:
    """A running `storekeeper serve --demo`: its address, the admin API key it printed, and the
    process (`server.wait_for_output(...)` reads what else it printed)."""

    url: str
    key: str
    server: Server


@pytest.fixture(scope="session")
def served(browser, tmp_path_factory, new_database_url) -> Iterator[Served]:
    """One demo server per test process, on a new database. Tests share it: a test that changes
    data makes its own items and locations rather than relying on the demo's being untouched.
    (It asks for `browser` so that without Chromium the tests skip before a server starts.)"""
    url = new_database_url("browser")
    # Its stock alerts go to an SMTP server on 127.0.0.1 (tests/browser/test_stock_alerts.py).
    env = {**environment(url), "STOREKEEPER_SMTP_ALLOW_LOOPBACK": "true"}
    running = start_server(tmp_path_factory.mktemp("browser"), url, "--demo", env=env)
    try:
        key = running.wait_for_output(r"Admin API key:\s*(sk_\w+)").group(1)
        yield Served(running.url, key, running)
    finally:
        stop(running)


@pytest.fixture(scope="session")
def admin_password(served) -> str:
    """The demo admin's (owner@example.com) password, as `serve --demo` printed it."""
    return served.server.wait_for_output(r"password ([\w-]+)\)").group(1)


def api(served: Served) -> httpx.Client:
    """The demo server's API with its admin key."""
    return httpx.Client(base_url=served.url, headers={"Authorization": f"Bearer {served.key}"}, timeout=CLIENT_TIMEOUT)


def sign_in(page, served: Served, email: str, password: str) -> None:
    page.goto(f"{served.url}/")
    assert page.url.endswith("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{served.url}/")


# The [scrollWidth, clientWidth] of each table box (.scroll) that scrolls sideways.
_WIDE_BOXES = """Array.from(document.querySelectorAll('.scroll')).filter(b => b.scrollWidth > b.clientWidth + 1)
                 .map(b => [b.scrollWidth, b.clientWidth])"""


def too_wide(page, served: Served, paths: list[str], expect, *, boxes: bool = False
             ) -> tuple[dict[str, list[int]], dict[str, int]]:
    """Open each page: ({path: [scrollWidth, clientWidth]} of those that scroll sideways, and with
    `boxes` {path + " (a table)": …} of those with a table box that does, {path: status} of those
    that did not answer 200)."""
    wide, failed = {}, {}
    for path in paths:
        response = page.goto(f"{served.url}{path}")
        if response.status != 200:
            failed[path] = response.status
            continue
        expect(page.locator("main h1")).to_be_visible()
        width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if width[0] > width[1]:
            wide[path] = width
        if boxes and (inner := page.evaluate(_WIDE_BOXES)):
            wide[f"{path} (a table)"] = inner
    return wide, failed


@contextmanager
def initialised(directory: Path, database_url: str, **extra_env: str) -> Iterator[tuple[Served, dict]]:
    """A server (with its worker) on a database `storekeeper init` just made: one workspace, its
    default location and admin, nothing else. Yields (the server, init's printout)."""
    env = {**environment(database_url), **extra_env}
    made = subprocess.run([*STOREKEEPER, "init", "--workspace", "Candle shop", "--json"], env=env, cwd=directory,
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    printed = json.loads(made.stdout)
    running = start_server(directory, database_url, env=env)
    try:
        yield Served(running.url, printed["api_key"], running), printed
    finally:
        stop(running)
