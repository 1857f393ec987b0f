"""Webhooks, delivered to a real HTTP receiver that the test starts on 127.0.0.1.

Endpoints are registered over the API; the worker's delivery loop is called directly
(`delivery.deliver_due(db, client, now)`), with `now` moved forward to let retries come due.
The receiver records every request it gets (headers and raw body) and answers as the test
tells it: an HTTP status, a pause first, a redirect, or a connection closed without an answer. A
receiver dedupes by event id, so "exactly once" below means once among the requests it accepted.
The shared test app allows webhooks to private addresses (tests/conftest.py), as these receivers
are on loopback; tests/integration/test_webhook_targets.py proves the refusals with it off.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.engine import make_url

from storekeeper.domain.clock import utcnow
from storekeeper.persistence.tables import webhooks
from storekeeper.services import delivery
from tests.concurrency import at_once
from tests.conftest import _drop_postgres_database
from tests.e2e.test_server import STOREKEEPER, Server, environment, start_server, stop
from tests.waiting import PATIENCE, wait_until


def error(r) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


# --- the receiver --------------------------------------------------------------------------------------------


@dataclass
class Request:
    """One request the receiver got (recorded as it arrives), and how it answered."""

    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    answered: int | None = None  # the status it answered with; None: not yet, or it closed the connection

    @property
    def event(self) -> dict:
        return json.loads(self.body)

    @property
    def accepted(self) -> bool:
        return self.answered is not None and 200 <= self.answered < 300


class Receiver:
    """An HTTP server on 127.0.0.1 that records every request as it arrives and answers from a
    plan: each planned answer is used once, in order (a status, ("sleep", seconds, status),
    ("hold", event, status) to answer once the test sets the event, ("redirect", status, location),
    or "close"), then `otherwise` for every request after them.
    `most_at_once` is the largest number of requests it was handling at the same time. With `tls`
    (a server context) it speaks HTTPS, and `server_names` records the SNI of each handshake."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[Request] = []
        self.plan: list = []
        self.otherwise: int | tuple | str = 200
        self.arrived = threading.Event()
        self.in_flight = 0
        self.most_at_once = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with receiver._lock:
                    receiver.requests.append(request)
                    receiver.in_flight += 1
                    receiver.most_at_once = max(receiver.most_at_once, receiver.in_flight)
                    answer = receiver.plan.pop(0) if receiver.plan else receiver.otherwise
                receiver.arrived.set()
                location = None
                if isinstance(answer, tuple) and answer[0] == "redirect":
                    _redirect, answer, location = answer
                elif isinstance(answer, tuple) and answer[0] == "hold":
                    _hold, released, answer = answer
                    released.wait(PATIENCE)  # bounded: a test that never releases it fails, never hangs
                elif isinstance(answer, tuple):
                    _sleep, seconds, answer = answer
                    time.sleep(seconds)
                # Done before the sender can know: its next request always finds this one finished.
                with receiver._lock:
                    receiver.in_flight -= 1
                    request.answered = None if answer == "close" else answer
                if answer == "close":
                    self.close_connection = True
                    return
                self.send_response(answer)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.server_names: list[str | None] = []
        if tls is not None:
            tls.sni_callback = lambda _socket, name, _context: self.server_names.append(name)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
            self.url = f"https://127.0.0.1:{self.port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, name="webhook-receiver", daemon=True)
        self.thread.start()

    def answer(self, *plan, otherwise: int | tuple | str = 200) -> None:
        with self._lock:
            self.plan = list(plan)
            self.otherwise = otherwise

    def got(self, path: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if path is None or r.path == path]

    def events(self, path: str | None = None) -> list[dict]:
        """The events it accepted, in the order they came, each once (deduped by id)."""
        seen: dict[str, dict] = {}
        for r in self.got(path):
            if r.accepted:
                seen.setdefault(r.event["id"], r.event)
        return list(seen.values())

    def wait_for(self, count: int, timeout: float = PATIENCE) -> list[Request]:
        """What arrived, once at least `count` requests did (or the deadline passed: the caller's
        assertion on the list then says what is missing)."""
        deadline = time.monotonic() + timeout
        while len(self.got()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.got()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


@pytest.fixture(autouse=True)
def endpoints_switched_off_afterwards(workspace):
    """deliver_due serves every workspace of the (shared) test database: endpoints a test leaves
    behind would be posted to by the next test's calls, and by other tests of the worker."""
    yield
    with workspace.db.write() as conn:
        conn.execute(update(webhooks).where(webhooks.c.workspace_id == workspace.id).values(is_active=False))


class LocalOnly(httpx.HTTPTransport):
    """Posts only to this machine: endpoints that other tests of the shared database left
    pointing elsewhere fail at once instead of waiting for a network. `seen` holds every request
    it was given, local or not."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.seen: list[httpx.Request] = []

    def handle_request(self, request):
        self.seen.append(request)
        if request.url.host != "127.0.0.1":
            raise httpx.ConnectError("not a local receiver", request=request)
        return super().handle_request(request)


def resolver(names: dict[str, list[str]] | None = None) -> delivery.Resolver:
    """A resolver that never asks DNS: the addresses of the names given, else a numeric host's
    (getaddrinfo with AI_NUMERICHOST, which reads 127.1 or 2130706433 as the system does)."""

    def resolve(host: str, port: int) -> list[str]:
        if names and host in names:
            return names[host]
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
        return list(dict.fromkeys(str(info[4][0]) for info in found))

    return resolve


def deliver(workspace, now: datetime | None = None, *, allow_private: bool = True,
            resolve: delivery.Resolver | None = None, client: httpx.Client | None = None) -> int:
    """One round of the worker's delivery, as a server with STOREKEEPER_WEBHOOK_ALLOW_PRIVATE on
    (unless `allow_private` is off) would run it, through a LocalOnly client and a resolver that
    never asks DNS."""
    with client or httpx.Client(transport=LocalOnly()) as sender:
        return delivery.deliver_due(workspace.db, sender, now, allow_private=allow_private,
                                    resolve=resolve or resolver())


def deliver_all(workspace, rounds: int = 20) -> int:
    """deliver_due until a round delivers nothing; the number of rounds that delivered something."""
    for done in range(rounds):
        if deliver(workspace) == 0:
            return done
    raise AssertionError(f"still delivering after {rounds} rounds")


# --- signatures ----------------------------------------------------------------------------------------------


def verifies(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> bool:
    """What a receiver does: recompute HMAC-SHA256(secret, "<t>.<raw body>") and compare."""
    parts = dict(part.split("=", 1) for part in headers["storekeeper-signature"].split(","))
    timestamp = int(parts["t"])
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - timestamp) <= tolerance


# --- making data ---------------------------------------------------------------------------------------------


def register(api, url: str, events: list[str] | None = None, **fields) -> dict:
    r = api.post("/v1/webhooks", json={"url": url, "events": events if events is not None else [], **fields})
    assert r.status_code == 201, r.text
    return r.json()


def hook(api, webhook_id: str) -> dict:
    r = api.get(f"/v1/webhooks/{webhook_id}")
    assert r.status_code == 200, r.text
    return r.json()


def deliveries(api, webhook_id: str) -> list[dict]:
    """Every delivery attempt, oldest first."""
    rows, cursor = [], None
    while True:
        r = api.get(f"/v1/webhooks/{webhook_id}/deliveries",
                    params={"limit": 100, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        rows += r.json()["data"]
        cursor = r.json()["meta"].get("next_cursor")
        if not cursor:
            return rows[::-1]


def stocked(api, sku: str) -> None:
    if not api.get("/v1/locations").json()["data"]:
        assert api.post("/v1/locations", json={"name": "Main"}).status_code == 201
    r = api.post("/v1/items", json={"sku": sku, "name": sku.title()})
    assert r.status_code == 201, r.text


def adjust(api, sku: str, delta: int) -> dict:
    r = api.post("/v1/stock/adjustments", json={"item": sku, "reason": "receipt" if delta > 0 else "sale",
                                                "delta": delta})
    assert r.status_code == 201, r.text
    return r.json()


def feed(api, after: int = 0, types: str | None = None) -> list[dict]:
    """The change feed after `after`, every page."""
    rows = []
    while True:
        params = {"after": after, "limit": 1000, **({"types": types} if types else {})}
        r = api.get("/v1/events", params=params)
        assert r.status_code == 200, r.text
        rows += r.json()["data"]
        after = r.json()["meta"]["next_after"]
        if not r.json()["meta"]["has_more"]:
            return rows


def last_sequence(api) -> int:
    events = feed(api)
    return events[-1]["sequence"] if events else 0


def as_delivered(event: dict) -> dict:
    """A feed event as an endpoint receives it (the feed also shows the request id)."""
    return {k: v for k, v in event.items() if k != "request_id"}


def sequences(events: list[dict]) -> list[int]:
    return [e["sequence"] for e in events]


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- managing endpoints --------------------------------------------------------------------------------------


def test_the_secret_is_shown_once_on_create_and_never_again(api, receiver):
    created = register(api, receiver.url, ["stock.*"], description="shop")
    assert created["secret"].startswith("whsec_")
    assert len(created["secret"]) > len("whsec_") + 20
    assert (created["url"], created["events"], created["description"], created["is_active"]) == (
        receiver.url, ["stock.*"], "shop", True)

    assert api.patch(f"/v1/webhooks/{created['id']}", json={"description": "the shop"}).status_code == 200
    created["description"], created["version"] = "the shop", created["version"] + 1
    one = api.get(f"/v1/webhooks/{created['id']}")
    listed = api.get("/v1/webhooks")
    audit = api.get("/v1/audit-log", params={"resource_type": "webhook"})
    assert one.status_code == 200
    assert one.json()["secret"] is None
    assert one.json() | {"secret": created["secret"], "updated_at": created["updated_at"]} == created
    assert [(w["id"], w["secret"]) for w in listed.json()["data"]] == [(created["id"], None)]
    assert audit.status_code == 200
    for response in (one, listed, audit):
        assert created["secret"] not in response.text


@pytest.mark.parametrize("url", ["ftp://example.com/hook", "example.com/hook", "http://", "not a url",
                                 "javascript:alert(1)"])
def test_a_url_that_is_not_http_or_https_is_refused(api, url):
    r = api.post("/v1/webhooks", json={"url": url, "events": []})
    assert error(r) == (422, "VALIDATION_ERROR"), r.text
    assert api.get("/v1/webhooks").json()["data"] == []


@pytest.mark.parametrize("events", [["stock.exploded"], ["nothing.*"], ["stock.changed", "item.sold"], ["STOCK.*"]])
def test_an_unknown_event_type_is_refused(api, receiver, events):
    r = api.post("/v1/webhooks", json={"url": receiver.url, "events": events})
    assert error(r) == (422, "VALIDATION_ERROR"), r.text

    created = register(api, receiver.url, ["stock.changed"])
    r = api.patch(f"/v1/webhooks/{created['id']}", json={"events": events})
    assert error(r) == (422, "VALIDATION_ERROR"), r.text
    assert hook(api, created["id"])["events"] == ["stock.changed"]


def test_webhooks_need_the_admin_scope(workspace, receiver):
    created = register(workspace.api, receiver.url)
    writer = workspace.key_with("stock:write", "stock:read", "items:write", "items:read")
    for r in (writer.post("/v1/webhooks", json={"url": receiver.url, "events": []}),
              writer.get("/v1/webhooks"),
              writer.get(f"/v1/webhooks/{created['id']}"),
              writer.patch(f"/v1/webhooks/{created['id']}", json={"is_active": False}),
              writer.get(f"/v1/webhooks/{created['id']}/deliveries"),
              writer.post(f"/v1/webhooks/{created['id']}/test"),
              writer.delete(f"/v1/webhooks/{created['id']}")):
        assert error(r) == (403, "INSUFFICIENT_SCOPE"), r.text
    assert hook(workspace.api, created["id"])["is_active"] is True
    assert receiver.got() == []


def test_a_deleted_endpoint_is_gone_and_told_nothing_more(workspace, api, receiver):
    stocked(api, "LAMP")
    created = register(api, receiver.url)
    assert api.delete(f"/v1/webhooks/{created['id']}").status_code == 204

    assert error(api.get(f"/v1/webhooks/{created['id']}")) == (404, "WEBHOOK_NOT_FOUND")
    assert error(api.patch(f"/v1/webhooks/{created['id']}", json={"is_active": True})) == (404, "WEBHOOK_NOT_FOUND")
    assert error(api.delete(f"/v1/webhooks/{created['id']}")) == (404, "WEBHOOK_NOT_FOUND")
    assert error(api.get(f"/v1/webhooks/{created['id']}/deliveries")) == (404, "WEBHOOK_NOT_FOUND")
    assert error(api.post(f"/v1/webhooks/{created['id']}/test")) == (404, "WEBHOOK_NOT_FOUND")
    assert api.get("/v1/webhooks").json()["data"] == []

    adjust(api, "LAMP", 5)
    deliver(workspace)
    assert receiver.got() == []


def test_an_endpoint_of_another_workspace_is_not_found(api, other_workspace, receiver):
    theirs = register(other_workspace.api, receiver.url)
    assert error(api.get(f"/v1/webhooks/{theirs['id']}"))[0] == 404
    assert error(api.delete(f"/v1/webhooks/{theirs['id']}"))[0] == 404
    assert error(api.get(f"/v1/webhooks/{theirs['id']}/deliveries"))[0] == 404
    assert hook(other_workspace.api, theirs["id"])["is_active"] is True


# --- what a delivery looks like ------------------------------------------------------------------------------


def test_a_delivery_is_signed_with_the_endpoints_secret_over_the_raw_body(workspace, api, receiver):
    stocked(api, "LAMP")
    created = register(api, receiver.url, ["stock.changed"])
    other = register(api, receiver.url + "/other", ["stock.changed"])
    adjust(api, "LAMP", 3)

    deliver(workspace)

    [request] = receiver.got("/hooks")
    assert verifies(created["secret"], request.headers, request.body)
    assert not verifies(other["secret"], request.headers, request.body)
    assert not verifies("whsec_" + "x" * 43, request.headers, request.body)
    tampered = request.body.replace(b'"type":"stock.changed"', b'"type":"stock.changes"')
    assert tampered != request.body
    assert not verifies(created["secret"], request.headers, tampered)
    signature = request.headers["storekeeper-signature"]
    assert signature.startswith("t=") and ",v1=" in signature
    assert abs(int(signature.split(",")[0][2:]) - time.time()) < 60
    [for_other] = receiver.got("/hooks/other")
    assert verifies(other["secret"], for_other.headers, for_other.body)


def test_a_delivery_carries_the_event_as_the_feed_shows_it_and_names_it_in_headers(workspace, api, receiver):
    stocked(api, "LAMP")
    register(api, receiver.url)
    movement = adjust(api, "LAMP", 3)["movement"]

    deliver(workspace)

    requests = receiver.got()
    events = [r.event for r in requests]
    assert events == [as_delivered(e) for e in feed(api, after=events[0]["sequence"] - 1)]
    assert {e["type"] for e in events} == {"stock.changed", "stock.status_changed"}
    for request in requests:
        body = request.event
        assert set(body) == {"id", "sequence", "type", "resource_type", "resource_id", "created_at", "data"}
        assert body["id"].startswith("evt_")
        assert request.headers["storekeeper-event-id"] == body["id"]
        assert request.headers["storekeeper-event-type"] == body["type"]
        assert request.headers["storekeeper-delivery-attempt"] == "1"
        assert request.headers["content-type"].startswith("application/json")
    [changed] = [e for e in events if e["type"] == "stock.changed"]
    assert changed["data"]["movement"] == movement


def test_a_new_endpoint_is_told_only_of_what_happens_after_it_was_registered(workspace, api, receiver):
    stocked(api, "LAMP")
    for _ in range(3):
        adjust(api, "LAMP", 2)
    before = last_sequence(api)

    created = register(api, receiver.url)
    assert created["delivered_sequence"] == before
    deliver(workspace)
    assert receiver.got() == []

    adjust(api, "LAMP", 1)
    deliver(workspace)
    assert receiver.events() == [as_delivered(e) for e in feed(api, after=before)]
    assert all(e["sequence"] > before for e in receiver.events())
    assert len(receiver.events()) == 1


def test_each_endpoint_gets_only_the_events_it_subscribed_to(workspace, api, receiver):
    start = last_sequence(api)
    exact = register(api, receiver.url + "/status", ["stock.status_changed"])
    family = register(api, receiver.url + "/stock", ["stock.*"])
    everything = register(api, receiver.url + "/all", [])
    star = register(api, receiver.url + "/star", ["*"])
    two = register(api, receiver.url + "/two", ["item.created", "reservation.*"])

    stocked(api, "LAMP")
    adjust(api, "LAMP", 4)
    adjust(api, "LAMP", -4)
    adjust(api, "LAMP", 2)
    assert api.patch("/v1/items/LAMP", json={"name": "Desk lamp"}).status_code == 200
    assert api.post("/v1/reservations", json={"item": "LAMP", "quantity": 1}).status_code == 201
    assert api.post("/v1/snapshots", json={"note": "now"}).status_code == 201
    deliver_all(workspace)

    every = feed(api, after=start)
    assert {e["type"].split(".")[0] for e in every} == {"item", "stock", "reservation", "snapshot"}
    assert receiver.events("/hooks/all") == [as_delivered(e) for e in every]
    assert receiver.events("/hooks/star") == [as_delivered(e) for e in every]
    assert receiver.events("/hooks/stock") == [as_delivered(e) for e in every if e["type"].startswith("stock.")]
    assert receiver.events("/hooks/status") == [as_delivered(e) for e in every if e["type"] == "stock.status_changed"]
    # In stock, out of stock, in stock again: the item's total and its level each time.
    assert [e["data"]["to"] for e in receiver.events("/hooks/status") if e["data"]["location"] is None] == [
        "normal", "out_of_stock", "normal"]
    assert receiver.events("/hooks/two") == [
        as_delivered(e) for e in every if e["type"] == "item.created" or e["type"].startswith("reservation.")]
    # Every endpoint stepped over the rest: all caught up with the feed.
    for endpoint in (exact, family, everything, star, two):
        assert hook(api, endpoint["id"])["delivered_sequence"] == every[-1]["sequence"]


def test_a_filtered_endpoint_catches_up_past_a_long_stretch_of_events_it_did_not_subscribe_to(workspace, api,
                                                                                             receiver):
    stocked(api, "LAMP")
    register(api, receiver.url, ["item.updated"])
    r = api.post("/v1/stock/adjustments/bulk",
                 json={"adjustments": [{"item": "LAMP", "reason": "receipt", "delta": 1}] * 250})
    assert r.status_code == 201, r.text
    assert api.patch("/v1/items/LAMP", json={"name": "Desk lamp"}).status_code == 200

    deliver_all(workspace)

    assert [e["type"] for e in receiver.events()] == ["item.updated"]
    assert receiver.events() == [as_delivered(e) for e in feed(api, types="item.updated")]


@pytest.mark.parametrize(("status", "succeeded"), [(200, True), (201, True), (204, True), (302, False),
                                                   (404, False), (410, False), (503, False)])
def test_only_a_2xx_answer_is_a_delivery(workspace, api, receiver, status, succeeded):
    stocked(api, "LAMP")
    created = register(api, receiver.url, ["stock.changed"])
    adjust(api, "LAMP", 1)
    receiver.answer(status)

    deliver(workspace)

    [row] = deliveries(api, created["id"])
    assert (row["status"], row["response_status"]) == ("succeeded" if succeeded else "failed", status)
    assert (row["error"] is None) == succeeded
    state = hook(api, created["id"])
    assert (state["failing_since"] is None, state["next_attempt_at"] is None) == (succeeded, succeeded)


def test_events_of_another_workspace_are_never_delivered(workspace, api, other_workspace, receiver):
    stocked(api, "LAMP")
    stocked(other_workspace.api, "LAMP")
    start = last_sequence(api)
    register(api, receiver.url + "/ours")
    register(other_workspace.api, receiver.url + "/theirs")
    adjust(other_workspace.api, "LAMP", 5)
    adjust(api, "LAMP", 1)

    deliver(workspace)

    assert receiver.events("/hooks/ours") == [as_delivered(e) for e in feed(api, after=start)]
    theirs = {e["id"] for e in feed(other_workspace.api)}
    assert not theirs & {e["id"] for e in receiver.events("/hooks/ours")}
    assert {e["id"] for e in receiver.events("/hooks/theirs")} <= theirs


# --- order, at least once ------------------------------------------------------------------------------------


def test_sixty_adjustments_arrive_each_once_in_feed_order(workspace, api, receiver):
    stocked(api, "LAMP")
    start = last_sequence(api)
    register(api, receiver.url)
    for n in range(60):
        adjust(api, "LAMP", 1 if n % 3 else 2)

    deliver_all(workspace)

    expected = [as_delivered(e) for e in feed(api, after=start)]
    assert len([e for e in expected if e["type"] == "stock.changed"]) == 60
    assert receiver.events() == expected
    arrived = sequences([r.event for r in receiver.got()])
    assert arrived == sorted(arrived)


def test_more_events_than_one_round_delivers_arrive_over_several_rounds_in_feed_order(workspace, api, receiver):
    stocked(api, "LAMP")
    start = last_sequence(api)
    created = register(api, receiver.url)
    r = api.post("/v1/stock/adjustments/bulk",
                 json={"adjustments": [{"item": "LAMP", "reason": "receipt", "delta": 1}] * 230})
    assert r.status_code == 201, r.text
    expected = [as_delivered(e) for e in feed(api, after=start)]
    assert len(expected) > 2 * delivery.BATCH

    deliver(workspace)
    assert len(receiver.got()) == delivery.BATCH
    assert hook(api, created["id"])["delivered_sequence"] == expected[delivery.BATCH - 1]["sequence"]
    rounds = deliver_all(workspace)

    assert rounds >= 2
    assert receiver.events() == expected
    assert len(receiver.got()) == len(expected)
    assert hook(api, created["id"])["delivered_sequence"] == expected[-1]["sequence"]


def test_a_failing_receiver_is_retried_with_backoff_and_later_events_wait_behind(workspace, api, receiver):
    stocked(api, "LAMP")
    start = last_sequence(api)
    created = register(api, receiver.url, ["stock.changed"])
    for _ in range(3):
        adjust(api, "LAMP", 1)
    expected = [as_delivered(e) for e in feed(api, after=start, types="stock.changed")]
    receiver.answer(500, 500, 500)
    t0 = utcnow().replace(microsecond=0)

    deliver(workspace, now=t0)  # attempt 1 fails at t0: next at t0 + 10 s
    state = hook(api, created["id"])
    assert (state["failing_since"], state["next_attempt_at"]) == (timestamp(t0), timestamp(t0 + timedelta(seconds=10)))
    deliver(workspace, now=t0 + timedelta(seconds=10) - timedelta(milliseconds=1))
    assert len(receiver.got()) == 1
    deliver(workspace, now=t0 + timedelta(seconds=10))  # attempt 2 fails: next 20 s later
    assert hook(api, created["id"])["next_attempt_at"] == timestamp(t0 + timedelta(seconds=30))
    deliver(workspace, now=t0 + timedelta(seconds=30) - timedelta(milliseconds=1))
    assert len(receiver.got()) == 2
    deliver(workspace, now=t0 + timedelta(seconds=30))  # attempt 3 fails: next 40 s later
    assert hook(api, created["id"])["next_attempt_at"] == timestamp(t0 + timedelta(seconds=70))
    deliver(workspace, now=t0 + timedelta(seconds=70) - timedelta(milliseconds=1))
    assert len(receiver.got()) == 3
    # Only the first event was ever tried; the later ones waited behind it.
    assert {r.event["id"] for r in receiver.got()} == {expected[0]["id"]}
    assert [r.headers["storekeeper-delivery-attempt"] for r in receiver.got()] == ["1", "2", "3"]

    deliver(workspace, now=t0 + timedelta(seconds=70))  # attempt 4 succeeds, and the rest follow

    assert receiver.events() == expected
    assert [r.event["sequence"] for r in receiver.got()] == [expected[0]["sequence"]] * 4 + sequences(expected[1:])
    log = deliveries(api, created["id"])
    assert [(d["event_id"], d["attempt"], d["status"], d["response_status"]) for d in log] == [
        (expected[0]["id"], 1, "failed", 500), (expected[0]["id"], 2, "failed", 500),
        (expected[0]["id"], 3, "failed", 500), (expected[0]["id"], 4, "succeeded", 200),
        (expected[1]["id"], 1, "succeeded", 200), (expected[2]["id"], 1, "succeeded", 200)]
    assert all(d["error"] for d in log if d["status"] == "failed")
    assert all(d["error"] is None for d in log if d["status"] == "succeeded")
    assert [d["sequence"] for d in log] == [expected[0]["sequence"]] * 4 + sequences(expected[1:])
    assert all(d["event_type"] == "stock.changed" and d["duration_ms"] >= 0 for d in log)
    state = hook(api, created["id"])
    assert (state["failing_since"], state["next_attempt_at"], state["is_active"]) == (None, None, True)


def test_the_retry_delay_doubles_up_to_an_hour(workspace, api, receiver):
    stocked(api, "LAMP")
    created = register(api, receiver.url, ["stock.changed"])
    adjust(api, "LAMP", 1)
    receiver.answer(otherwise=503)
    now = utcnow().replace(microsecond=0)
    delays = []
    for _ in range(11):
        deliver(workspace, now=now)
        due = datetime.fromisoformat(hook(api, created["id"])["next_attempt_at"].replace("Z", "+00:00"))
        delays.append(int((due - now).total_seconds()))
        now = due
    assert delays == [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]
    assert len(receiver.got()) == 11


def test_a_receiver_that_closes_the_connection_is_a_failed_delivery_with_an_error(workspace, api, receiver):
    stocked(api, "LAMP")
    created = register(api, receiver.url, ["stock.changed"])
    adjust(api, "LAMP", 1)
    receiver.answer("close")

    deliver(workspace)

    [failed] = deliveries(api, created["id"])
    assert (failed["status"], failed["response_status"], failed["attempt"]) == ("failed", None, 1)
    assert failed["error"]
    assert hook(api, created["id"])["failing_since"] is not None
    deliver(workspace, now=utcnow() + timedelta(seconds=11))
    assert [d["status"] for d in deliveries(api, created["id"])] == ["failed", "succeeded"]
    assert len(receiver.events()) == 1


def test_a_refused_connection_is_a_failed_delivery_with_an_error(workspace, api):
    stocked(api, "LAMP")
    created = register(api, f"http://127.0.0.1:{closed_port()}/hooks", ["stock.changed"])
    adjust(api, "LAMP", 1)

    deliver(workspace)

    [failed] = deliveries(api, created["id"])
    assert (failed["status"], failed["response_status"], failed["attempt"]) == ("failed", None, 1)
    assert "connect" in failed["error"].lower(), failed["error"]
    state = hook(api, created["id"])
    assert state["is_active"] is True
    assert state["failing_since"] is not None
    assert state["next_attempt_at"] is not None


def test_after_failing_for_24_hours_an_endpoint_is_disabled_and_catches_up_in_order_when_turned_on(workspace, api,
                                                                                                  receiver):
    stocked(api, "LAMP")
    start = last_sequence(api)
    created = register(api, receiver.url, ["stock.*"])
    adjust(api, "LAMP", 2)
    receiver.answer(otherwise=503)
    t0 = utcnow().replace(microsecond=0)

    for hours in (0, 0.01, 1, 6, 12, 20, 23.99):
        deliver(workspace, now=t0 + timedelta(hours=hours))
        state = hook(api, created["id"])
        assert (state["is_active"], state["disabled_reason"]) == (True, None), hours
        assert state["failing_since"] == timestamp(t0)
    tried = len(receiver.got())
    assert tried == 7

    deliver(workspace, now=t0 + timedelta(hours=25))  # the first attempt 24 hours or more after the first failure

    state = hook(api, created["id"])
    assert state["is_active"] is False
    assert state["disabled_reason"] and "24 hours" in state["disabled_reason"]
    assert len(receiver.got()) == tried + 1
    adjust(api, "LAMP", 1)
    for hours in (26, 48):
        deliver(workspace, now=t0 + timedelta(hours=hours))
    deliver(workspace)
    assert len(receiver.got()) == tried + 1
    assert receiver.events() == []

    receiver.answer(otherwise=200)
    r = api.patch(f"/v1/webhooks/{created['id']}", json={"is_active": True})
    assert r.status_code == 200, r.text
    assert (r.json()["is_active"], r.json()["disabled_reason"], r.json()["failing_since"],
            r.json()["next_attempt_at"]) == (True, None, None, None)
    deliver_all(workspace)

    expected = [as_delivered(e) for e in feed(api, after=start, types="stock.*")]
    assert len(expected) >= 3
    assert receiver.events() == expected
    log = deliveries(api, created["id"])
    assert [d["status"] for d in log] == ["failed"] * (tried + 1) + ["succeeded"] * len(expected)
    assert log[tried + 1]["attempt"] == 1  # the count starts again


def test_two_rounds_at_once_never_post_an_endpoints_events_together_nor_out_of_order(workspace, api, receiver):
    stocked(api, "LAMP")
    start = last_sequence(api)
    register(api, receiver.url)
    for _ in range(10):
        adjust(api, "LAMP", 1)
    receiver.answer(otherwise=("sleep", 0.02, 200))

    def more():
        for _ in range(4):
            adjust(api, "LAMP", 1)

    for _ in range(3):
        at_once([lambda: deliver(workspace), lambda: deliver(workspace), more])
    deliver_all(workspace)

    got = receiver.got()
    expected = [as_delivered(e) for e in feed(api, after=start)]
    assert len(expected) >= 22
    assert receiver.events() == expected
    assert sequences([r.event for r in got]) == sequences(expected)  # in order, and nothing posted twice
    assert receiver.most_at_once == 1


def test_a_slow_receiver_does_not_slow_the_api(workspace, api, receiver):
    """The receiver holds its answer until the API has answered a write and a read: an API that
    waited for the delivery would wait out the receiver's deadline, and the delivery be done."""
    stocked(api, "LAMP")
    register(api, receiver.url, ["stock.changed"])
    adjust(api, "LAMP", 1)
    released = threading.Event()
    receiver.answer(("hold", released, 200))

    with ThreadPoolExecutor(max_workers=1) as pool:
        round_ = pool.submit(deliver, workspace)
        try:
            assert receiver.arrived.wait(PATIENCE)
            adjust(api, "LAMP", 1)
            assert api.get("/v1/stock/LAMP").status_code == 200
            assert not round_.done()  # the delivery is still held by the receiver
        finally:
            released.set()
        assert round_.result(timeout=PATIENCE) == 1

    deliver_all(workspace)
    assert [e["data"]["movement"]["after"] for e in receiver.events()] == [1, 2]


def test_a_failing_endpoint_does_not_hold_back_another_one(workspace, api, receiver):
    stocked(api, "LAMP")
    start = last_sequence(api)
    register(api, f"http://127.0.0.1:{closed_port()}/hooks", ["stock.changed"])
    failing = register(api, receiver.url + "/failing", ["stock.changed"])
    register(api, receiver.url + "/fine", ["stock.changed"])
    receiver.answer(500)
    for _ in range(3):
        adjust(api, "LAMP", 1)

    deliver(workspace)

    expected = [as_delivered(e) for e in feed(api, after=start, types="stock.changed")]
    assert receiver.events("/hooks/fine") == expected
    assert receiver.events("/hooks/failing") == []
    assert hook(api, failing["id"])["delivered_sequence"] == start


def test_a_paused_endpoint_is_told_nothing_and_catches_up_in_order_when_turned_on_again(workspace, api, receiver):
    stocked(api, "LAMP")
    start = last_sequence(api)
    created = register(api, receiver.url, ["stock.changed"])
    adjust(api, "LAMP", 1)
    deliver(workspace)
    assert api.patch(f"/v1/webhooks/{created['id']}", json={"is_active": False}).status_code == 200
    adjust(api, "LAMP", 2)
    adjust(api, "LAMP", 3)

    deliver(workspace)
    assert len(receiver.got()) == 1

    r = api.patch(f"/v1/webhooks/{created['id']}", json={"is_active": True})
    assert (r.status_code, r.json()["is_active"]) == (200, True), r.text
    deliver(workspace)
    assert receiver.events() == [as_delivered(e) for e in feed(api, after=start, types="stock.changed")]
    assert len(receiver.got()) == 3


def test_a_changed_url_receives_the_events_that_follow(workspace, api, receiver):
    stocked(api, "LAMP")
    created = register(api, receiver.url + "/old", ["stock.changed"])
    adjust(api, "LAMP", 1)
    deliver(workspace)
    r = api.patch(f"/v1/webhooks/{created['id']}", json={"url": receiver.url + "/new"})
    assert (r.status_code, r.json()["url"]) == (200, receiver.url + "/new"), r.text
    adjust(api, "LAMP", 2)

    deliver(workspace)

    assert [e["data"]["movement"]["delta"] for e in receiver.events("/hooks/old")] == [1]
    assert [e["data"]["movement"]["delta"] for e in receiver.events("/hooks/new")] == [2]
    assert all(verifies(created["secret"], r.headers, r.body) for r in receiver.got())


# --- the test event ------------------------------------------------------------------------------------------


def test_the_test_event_is_posted_signed_in_the_background_and_logged(api, receiver):
    created = register(api, receiver.url, ["stock.changed"])

    r = api.post(f"/v1/webhooks/{created['id']}/test")

    assert r.status_code == 202, r.text
    event_id = r.json()["event_id"]
    [request] = receiver.wait_for(1)
    assert verifies(created["secret"], request.headers, request.body)
    body = request.event
    assert (body["id"], body["type"], body["sequence"], body["resource_type"], body["resource_id"]) == (
        event_id, "webhook.test", None, "webhook", created["id"])
    assert body["data"]["webhook"] == {"id": created["id"], "url": receiver.url}
    assert request.headers["storekeeper-event-id"] == event_id
    assert request.headers["storekeeper-event-type"] == "webhook.test"

    [row] = wait_until(lambda: deliveries(api, created["id"]), "the test event's delivery was logged")
    assert (row["event_id"], row["event_type"], row["sequence"], row["attempt"], row["status"],
            row["response_status"], row["error"]) == (event_id, "webhook.test", None, 1, "succeeded", 200, None)
    # A test event is not part of the feed: the endpoint's cursor did not move.
    assert hook(api, created["id"])["delivered_sequence"] == created["delivered_sequence"]


def test_a_test_event_to_a_failing_receiver_is_logged_as_failed(api, receiver):
    created = register(api, receiver.url)
    receiver.answer(500)

    assert api.post(f"/v1/webhooks/{created['id']}/test").status_code == 202

    [row] = wait_until(lambda: deliveries(api, created["id"]), "the test event's delivery was logged")
    assert (row["status"], row["response_status"]) == ("failed", 500)
    state = hook(api, created["id"])
    assert (state["is_active"], state["failing_since"]) == (True, None)  # a test never holds back real events


# --- a real server -------------------------------------------------------------------------------------------


@pytest.fixture
def server(tmp_path: Path, new_database_url) -> Iterator[tuple[Server, str]]:
    """`storekeeper serve` (with its in-process worker, every 0.2 s, allowed to deliver to this
    machine's receivers) on a database of its own, dropped afterwards on PostgreSQL. It logs
    everything (DEBUG), so that a test can look for what must never be logged."""
    database_url = new_database_url("webhooks_e2e")
    env = environment(database_url)
    env["STOREKEEPER_WORKER_INTERVAL_SECONDS"] = "0.2"
    env["STOREKEEPER_LOG_LEVEL"] = "DEBUG"
    env["STOREKEEPER_WEBHOOK_ALLOW_PRIVATE"] = "true"
    init = subprocess.run([*STOREKEEPER, "init", "--workspace", "Hooks", "--json"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    key = json.loads(init.stdout)["api_key"]
    running = start_server(tmp_path, database_url, env=env)
    try:
        yield running, key
    finally:
        stop(running)
        if os.environ.get("STOREKEEPER_TEST_DATABASE_URL"):
            _drop_postgres_database(os.environ["STOREKEEPER_TEST_DATABASE_URL"], make_url(database_url).database)


@pytest.mark.slow
def test_a_running_server_posts_a_stock_change_to_a_registered_endpoint_within_seconds(server, receiver):
    running, key = server
    with running.http(key) as http:
        assert http.post("/v1/locations", json={"name": "Main"}).status_code == 201
        assert http.post("/v1/items", json={"sku": "LAMP", "name": "Lamp"}).status_code == 201
        r = http.post("/v1/webhooks", json={"url": receiver.url, "events": ["stock.changed"]})
        assert r.status_code == 201, r.text
        created = r.json()
        r = http.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "receipt", "delta": 7})
        assert r.status_code == 201, r.text
        movement = r.json()["movement"]

        [request] = receiver.wait_for(1)
        event = request.event
        assert (event["type"], event["data"]["movement"]) == ("stock.changed", movement)
        assert verifies(created["secret"], request.headers, request.body)
        wait_until(lambda: http.get(f"/v1/webhooks/{created['id']}").json()["delivered_sequence"]
                   >= event["sequence"], "the endpoint's cursor passed the event")
        [row] = http.get(f"/v1/webhooks/{created['id']}/deliveries").json()["data"]
    assert (row["event_id"], row["status"], row["response_status"]) == (event["id"], "succeeded", 200)
    assert len(receiver.got()) == 1


@pytest.mark.slow
def test_a_running_server_logs_deliveries_and_failures_without_the_urls_tokens(server, receiver):
    """Receivers put tokens in a URL's query string and userinfo: the server's logs (at DEBUG,
    everything) name the endpoint and its host, never them."""
    running, key = server
    userinfo = "hook:PASSWORD-IN-USERINFO@"
    token = "?token=TOKEN-IN-QUERY"
    port = closed_port()
    with running.http(key) as http:
        assert http.post("/v1/locations", json={"name": "Main"}).status_code == 201
        assert http.post("/v1/items", json={"sku": "LAMP", "name": "Lamp"}).status_code == 201
        fine = http.post("/v1/webhooks", json={"url": receiver.url.replace("//", "//" + userinfo) + token,
                                               "events": ["stock.changed"]}).json()
        failing = http.post("/v1/webhooks", json={"url": f"http://{userinfo}127.0.0.1:{port}/hooks{token}",
                                                  "events": ["stock.changed"]}).json()
        assert http.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "receipt", "delta": 7}
                         ).status_code == 201
        assert http.post(f"/v1/webhooks/{fine['id']}/test").status_code == 202
        assert len(receiver.wait_for(2)) == 2
        wait_until(lambda: len(http.get(f"/v1/webhooks/{fine['id']}/deliveries").json()["data"]) >= 2
                   and http.get(f"/v1/webhooks/{failing['id']}/deliveries").json()["data"],
                   lambda: f"both endpoints' deliveries logged:\n{running.output()}")
    assert receiver.got()[0].path == "/hooks" + token  # the receiver got its token

    # Each attempt is logged before its outcome is stored: the lines are all there by now.
    logs = running.output()
    assert "TOKEN-IN-QUERY" not in logs
    assert "PASSWORD-IN-USERINFO" not in logs
    assert f"webhook {fine['id']}: webhook.test" in logs
    assert f"webhook {fine['id']}: stock.changed" in logs
    failed = re.search(f"webhook {failing['id']}: stock.changed evt_\\w+ to (\\S+): (.+?)\"", logs)
    assert failed, logs
    assert failed.group(1) == f"http://127.0.0.1:{port}"
    assert "connect" in failed.group(2).lower()
