"""The dashboard's sign-in under attack (issue 19): failures are throttled per email and per client
address (429 with Retry-After, and the page says when to try again), and passwords are checked on
threads of their own, never on the threads that serve the API. Each test builds an app of its own
with the limits it needs, so that no test's failures count against another's."""

from __future__ import annotations

import html
import threading
import time

from fastapi.testclient import TestClient

from storekeeper.api.app import create_app
from storekeeper.services import sessions, users
from tests.web.conftest import PASSWORD

WRONG = "not the password at all"


def app_with(settings, db, **overrides):
    return create_app(settings.model_copy(update=overrides), db)


def person(workspace, email: str, role: str = "member") -> str:
    users.create_user(workspace.db, workspace.id, email, None, role)
    sessions.set_password(workspace.db, workspace.id, email, PASSWORD)
    return email


def attempt(client: TestClient, email: str, password: str):
    return client.post("/login", data={"email": email, "password": password, "next": "/"}, follow_redirects=False)


def message(r) -> str:
    return " ".join(html.unescape(r.text).split())


def test_an_email_that_failed_too_often_is_refused_with_429_and_the_page_says_when_to_try_again(
        settings, db, workspace):
    app = app_with(settings, db, sign_in_failures_per_email=3, sign_in_failures_per_address=100,
                   sign_in_window_seconds=900)
    ada, bob = person(workspace, "ada@throttle.example"), person(workspace, "bob@throttle.example")
    browser = TestClient(app)
    assert [attempt(browser, ada, WRONG).status_code for _ in range(3)] == [401, 401, 401]
    refused = attempt(browser, ada, PASSWORD)  # the right password too: no more guesses for this email
    assert refused.status_code == 429
    assert 290 <= int(refused.headers["retry-after"]) <= 300  # one more try every 900 / 3 seconds
    assert "Too many failed sign-ins with this email. Try again in 5 minutes." in message(refused)
    assert "storekeeper_session" not in refused.headers.get("set-cookie", "")
    # Another email from the same address is not held up by them.
    assert attempt(browser, bob, PASSWORD).status_code == 303
    # An email that belongs to nobody is counted the same way: the answers do not tell which exist.
    nobody = [attempt(browser, "nobody@throttle.example", WRONG).status_code for _ in range(4)]
    assert nobody == [401, 401, 401, 429]


def test_an_address_that_failed_too_often_is_refused_whatever_the_email(settings, db, workspace):
    app = app_with(settings, db, sign_in_failures_per_email=100, sign_in_failures_per_address=3,
                   sign_in_window_seconds=900)
    ada = person(workspace, "ada@address.example")
    guesser = TestClient(app, client=("203.0.113.7", 40000))
    statuses = [attempt(guesser, f"guess{n}@address.example", WRONG).status_code for n in range(3)]
    assert statuses == [401, 401, 401]
    refused = attempt(guesser, ada, PASSWORD)
    assert refused.status_code == 429 and 290 <= int(refused.headers["retry-after"]) <= 300
    assert "Too many failed sign-ins from your network address. Try again in 5 minutes." in message(refused)
    # The same user from another address signs in.
    assert attempt(TestClient(app, client=("198.51.100.20", 40000)), ada, PASSWORD).status_code == 303
    # An IPv6 client's whole /64 is one address: moving within it does not help.
    for n in range(3):
        assert attempt(TestClient(app, client=(f"2001:db8:1:2::{n + 1}", 40000)), ada, WRONG).status_code == 401
    assert attempt(TestClient(app, client=("2001:db8:1:2::99", 40000)), ada, PASSWORD).status_code == 429


def test_only_failures_count_a_successful_sign_in_takes_nothing(settings, db, workspace):
    app = app_with(settings, db, sign_in_failures_per_email=2, sign_in_failures_per_address=2,
                   sign_in_window_seconds=900)
    ada = person(workspace, "ada@success.example")
    browser = TestClient(app)
    statuses = [attempt(browser, ada, password).status_code
                for password in (WRONG, PASSWORD, PASSWORD, PASSWORD, PASSWORD, WRONG, PASSWORD, WRONG)]
    assert statuses == [401, 303, 303, 303, 303, 401, 429, 429]


def test_the_limit_is_lifted_once_the_window_has_passed(settings, db, workspace):
    window = 8.0  # two failures, then one more every 4 seconds, and both again after 8 quiet seconds
    app = app_with(settings, db, sign_in_failures_per_email=2, sign_in_window_seconds=window)
    ada = person(workspace, "ada@window.example")
    browser = TestClient(app)
    assert [attempt(browser, ada, WRONG).status_code for _ in range(2)] == [401, 401]
    refused = attempt(browser, ada, PASSWORD)
    refused_at = time.monotonic()
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 4
    while time.monotonic() < refused_at + window:
        time.sleep(0.2)
    assert [attempt(browser, ada, WRONG).status_code for _ in range(2)] == [401, 401]
    assert attempt(browser, ada, PASSWORD).status_code == 429


def test_sign_ins_waiting_for_a_password_thread_hold_no_request_thread(settings, db, workspace):
    """Passwords are checked on the password threads, and a sign-in waits for one without holding
    a request thread: with the one password thread held, three sign-ins wait in its line while the
    API, on its two request threads, still answers. Before, each checked its password on a request
    thread."""
    app = app_with(settings, db, request_threads=2, password_threads=1, password_queue=4)
    ada = person(workspace, "ada@threads.example")
    gate, answers, me = threading.Event(), [], []
    with TestClient(app) as client:
        passwords = app.state.passwords
        held = passwords.submit(gate.wait, 60)
        signing_in = [threading.Thread(target=lambda: answers.append(attempt(client, ada, PASSWORD).status_code))
                      for _ in range(3)]
        try:
            for thread in signing_in:
                thread.start()
            deadline = time.monotonic() + 60
            while passwords.pending < 4 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert passwords.pending == 4  # the held job and the three sign-ins, in the password line
            asking = threading.Thread(target=lambda: me.append(
                client.get("/v1/me", headers={"Authorization": f"Bearer {workspace.key}"}).status_code))
            asking.start()
            asking.join(timeout=60)
            assert me == [200] and answers == []
        finally:
            gate.set()
            held.result(timeout=60)
            for thread in signing_in:
                thread.join(timeout=60)
    assert answers == [303, 303, 303]


def test_when_the_password_threads_are_busy_a_sign_in_is_refused_at_once_and_the_api_still_answers(
        settings, db, workspace):
    app = app_with(settings, db, password_threads=1, password_queue=0, sign_in_failures_per_email=1)
    ada, bob = person(workspace, "ada@busy.example"), person(workspace, "bob@busy.example")
    browser = TestClient(app)
    api = TestClient(app, headers={"Authorization": f"Bearer {workspace.key}"})
    assert attempt(browser, bob, WRONG).status_code == 401  # bob's email has no tries left
    gate = threading.Event()
    busy = app.state.passwords.submit(gate.wait, 60)  # the one password thread, taken
    try:
        refused = attempt(browser, ada, PASSWORD)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "2"
        assert "Too many sign-ins are being checked right now. Try again in 2 seconds." in message(refused)
        assert attempt(browser, bob, PASSWORD).status_code == 429  # the throttle answers without waiting in line
        assert api.get("/v1/me").status_code == 200
    finally:
        gate.set()
        busy.result(timeout=60)
    assert attempt(browser, ada, PASSWORD).status_code == 303  # the refused try did not count against her
