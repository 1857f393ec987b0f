"""Webhooks never reach this machine or its networks unless STOREKEEPER_WEBHOOK_ALLOW_PRIVATE is on
(SPEC §6): such URLs are refused when set, and every delivery resolves its host, refuses it if any
of its addresses is not public, and connects to the address it checked. Redirects are not followed.

The receivers listen on 127.0.0.1. A refusal is proved by what the receiver got (nothing) and by
the delivery log; a name that resolves to loopback is given by the delivery's resolver hook
(`resolver({...})`), so no test asks DNS and no traffic leaves loopback. The shared test app
allows private addresses (its receivers are on loopback): `strict` is the same workspace served by
an app with the setting at its default, off.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from storekeeper.api.app import create_app
from storekeeper.domain.clock import utcnow
from storekeeper.persistence.tables import webhooks
from tests.conftest import Api
from tests.integration.test_webhooks import (
    LocalOnly,
    Receiver,
    adjust,
    deliver,
    deliveries,
    error,
    hook,
    register,
    resolver,
    stocked,
)
from tests.waiting import wait_until

# --- fixtures ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def strict_client(settings, db) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"webhook_allow_private": False}), db)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def strict(workspace, strict_client) -> Api:
    """The test's workspace, through an app that refuses private webhook addresses."""
    return Api(strict_client, workspace.key)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


@pytest.fixture(autouse=True)
def endpoints_switched_off_afterwards(workspace):
    """Other tests deliver every workspace's due events: none of this test's endpoints stays on."""
    yield
    with workspace.db.write() as conn:
        conn.execute(update(webhooks).where(webhooks.c.workspace_id == workspace.id).values(is_active=False))


def last_delivery(api, webhook_id: str) -> dict:
    """The endpoint's newest delivery, waiting for the first one (a test event is sent by a thread)."""
    return wait_until(lambda: deliveries(api, webhook_id), "a delivery was recorded")[-1]


def refused_for(row: dict, reason: str) -> None:
    assert (row["status"], row["response_status"]) == ("failed", None), row
    assert row["error"].startswith("Refused: ") and reason in row["error"], row["error"]
    assert "nothing was sent" in row["error"]


# --- refused when set ----------------------------------------------------------------------------------------

REFUSED = {
    "loopback": "http://127.0.0.1:8080/hooks", "loopback, short": "http://127.1/hooks",
    "loopback, decimal": "http://2130706433/hooks", "loopback, octal": "http://0177.0.0.1/hooks",
    "loopback, hex": "http://0x7f.1/hooks", "loopback IPv6": "http://[::1]:8080/hooks",
    "localhost": "http://localhost:8080/hooks", "under localhost": "https://shop.localhost/hooks",
    "unspecified": "http://0.0.0.0/hooks", "unspecified IPv6": "http://[::]/hooks",
    "10/8": "http://10.0.0.5/hooks", "172.16/12": "http://172.20.1.1/hooks", "192.168/16": "http://192.168.1.20/hooks",
    "metadata": "http://169.254.169.254/latest/meta-data/", "CGNAT": "http://100.64.0.1/hooks",
    "unique local": "http://[fd00::5]/hooks", "link-local IPv6": "http://[fe80::1]/hooks",
    "IPv4-mapped": "http://[::ffff:127.0.0.1]/hooks", "multicast": "http://224.0.0.251/hooks",
    "broadcast": "http://255.255.255.255/hooks", "userinfo": "http://user:pw@127.0.0.1/hooks?token=t",
}


@pytest.mark.parametrize("url", REFUSED.values(), ids=REFUSED.keys())
def test_a_url_on_a_non_public_address_is_refused_at_create_and_at_update(strict, url):
    r = strict.post("/v1/webhooks", json={"url": url, "events": []})

    assert error(r) == (422, "VALIDATION_ERROR"), r.text
    [message] = r.json()["error"]["fields"]["url"]
    assert message.startswith("Not a public address: ") and "STOREKEEPER_WEBHOOK_ALLOW_PRIVATE" in message
    assert strict.get("/v1/webhooks").json()["data"] == []

    created = register(strict, "https://hooks.example.com/storekeeper", is_active=False)
    r = strict.patch(f"/v1/webhooks/{created['id']}", json={"url": url})
    assert error(r) == (422, "VALIDATION_ERROR"), r.text
    assert list(r.json()["error"]["fields"]) == ["url"]
    assert hook(strict, created["id"])["url"] == "https://hooks.example.com/storekeeper"


def test_a_public_address_or_a_name_is_accepted_without_asking_dns(strict):
    for url in ("https://hooks.example.com/a?token=1", "http://8.8.8.8/hooks", "https://[2001:4860:4860::8888]/h",
                "http://hooks.test:8080/hooks"):
        assert register(strict, url, is_active=False)["url"] == url


def test_with_the_setting_on_a_private_url_is_accepted(api, receiver):
    assert register(api, receiver.url)["url"] == receiver.url


# --- refused when delivered ----------------------------------------------------------------------------------


def test_an_endpoint_stored_while_allowed_gets_nothing_once_the_setting_is_off(workspace, api, receiver):
    stocked(api, "LAMP")
    created = register(api, receiver.url, ["stock.changed"])
    adjust(api, "LAMP", 1)

    deliver(workspace, allow_private=False)

    assert receiver.got() == []
    [row] = deliveries(api, created["id"])
    refused_for(row, "127.0.0.1 resolves to 127.0.0.1, and 127.0.0.1 is a loopback address")
    state = hook(api, created["id"])
    assert state["failing_since"] is not None and state["delivered_sequence"] == created["delivered_sequence"]

    deliver(workspace, utcnow() + timedelta(seconds=11), allow_private=True)  # the setting alone decided
    assert len(receiver.events()) == 1


@pytest.mark.parametrize("host", ["127.1", "2130706433", "0x7f.1", "0x7f000001"])
def test_an_odd_spelling_of_loopback_is_refused_after_the_system_reads_it(workspace, api, receiver, host):
    """Stored while allowed, these reach the receiver on 127.0.0.1: the system's resolver reads
    them as that address, and so does the check. (httpx refuses to parse `0177.0.0.1`, dotted
    with a leading zero, so that spelling is refused when set but never gets this far.)"""
    stocked(api, "LAMP")
    created = register(api, f"http://{host}:{receiver.port}/hooks", ["stock.changed"])
    adjust(api, "LAMP", 1)

    deliver(workspace, allow_private=False)
    assert receiver.got() == []
    refused_for(deliveries(api, created["id"])[-1], f"{host} resolves to 127.0.0.1")

    deliver(workspace, utcnow() + timedelta(seconds=11), allow_private=True)
    assert len(receiver.events()) == 1


def test_a_name_that_resolves_to_loopback_is_refused_and_with_the_setting_on_reaches_it_by_name(
        workspace, strict, receiver):
    stocked(strict, "LAMP")
    created = register(strict, f"http://hooks.test:{receiver.port}/hooks?token=t", ["stock.changed"])
    adjust(strict, "LAMP", 1)
    names = resolver({"hooks.test": ["127.0.0.1"]})

    deliver(workspace, allow_private=False, resolve=names)

    assert receiver.got() == []
    refused_for(deliveries(strict, created["id"])[-1], "hooks.test resolves to 127.0.0.1, and 127.0.0.1 is a loopback")

    deliver(workspace, utcnow() + timedelta(seconds=11), allow_private=True, resolve=names)
    [request] = receiver.got()
    assert request.headers["host"] == f"hooks.test:{receiver.port}"  # sent to the address, named by its name
    assert request.path == "/hooks?token=t"


@pytest.mark.parametrize("addresses", [["8.8.8.8", "10.0.0.7"], ["::1", "8.8.8.8"],
                                       ["2001:4860:4860::8888", "fd00::1"]])
def test_a_name_with_any_non_public_address_is_refused_before_any_request(workspace, strict, addresses):
    stocked(strict, "LAMP")
    created = register(strict, "https://hooks.test/hooks", ["stock.changed"])
    adjust(strict, "LAMP", 1)
    transport = LocalOnly()

    deliver(workspace, allow_private=False, resolve=resolver({"hooks.test": addresses}),
            client=httpx.Client(transport=transport))

    assert [r for r in transport.seen if r.headers["host"] == "hooks.test"] == []
    [bad] = [a for a in addresses if a not in ("8.8.8.8", "2001:4860:4860::8888")]
    refused_for(deliveries(strict, created["id"])[-1], f"hooks.test resolves to {bad}")


def test_a_name_is_resolved_once_and_the_checked_address_is_the_one_connected_to(workspace, strict, receiver):
    """DNS rebinding: the name answers a public address to the check and loopback afterwards. The
    request goes to the address that was checked (which the test's transport, local only, refuses
    to connect to); the name is never resolved again, so nothing reaches the receiver."""
    stocked(strict, "LAMP")
    created = register(strict, f"http://rebind.test:{receiver.port}/hooks", ["stock.changed"])
    adjust(strict, "LAMP", 1)
    asked: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        if host != "rebind.test":
            return resolver()(host, port)
        asked.append(host)
        return ["93.184.216.34"] if len(asked) == 1 else ["127.0.0.1"]

    transport = LocalOnly()
    deliver(workspace, allow_private=False, resolve=rebinding, client=httpx.Client(transport=transport))

    assert asked == ["rebind.test"]
    [sent] = [r for r in transport.seen if r.headers["host"] == f"rebind.test:{receiver.port}"]
    assert (sent.url.host, sent.url.port) == ("93.184.216.34", receiver.port)
    assert receiver.got() == []
    row = deliveries(strict, created["id"])[-1]
    assert row["status"] == "failed" and "not a local receiver" in row["error"]


def test_a_test_event_to_a_private_address_is_refused_and_logged(api, strict, receiver):
    created = register(api, receiver.url)  # stored while allowed

    r = strict.post(f"/v1/webhooks/{created['id']}/test")

    assert r.status_code == 202, r.text
    row = last_delivery(strict, created["id"])
    assert (row["event_id"], row["event_type"]) == (r.json()["event_id"], "webhook.test")
    refused_for(row, "127.0.0.1 is a loopback address")
    assert receiver.got() == []  # the delivery is recorded after its attempt: none was made


def test_a_redirect_is_not_followed(workspace, api, receiver):
    """Not even by a client that would follow it: a redirect could point anywhere, this machine
    included, and the check was made for the endpoint's own URL."""
    stocked(api, "LAMP")
    elsewhere = Receiver()
    try:
        created = register(api, receiver.url, ["stock.changed"])
        receiver.answer(("redirect", 307, elsewhere.url))
        adjust(api, "LAMP", 1)

        deliver(workspace, client=httpx.Client(transport=LocalOnly(), follow_redirects=True))

        assert len(receiver.got()) == 1
        assert elsewhere.got() == []
        [row] = deliveries(api, created["id"])
        assert (row["status"], row["response_status"], row["error"]) == ("failed", 307, "HTTP 307")
    finally:
        elsewhere.close()


# --- TLS to the checked address ------------------------------------------------------------------------------


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for hooks.test (and nothing else), made by the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=hooks.test",
                    "-addext", "subjectAltName=DNS:hooks.test", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def test_over_https_the_checked_address_is_sent_the_name_in_sni_and_its_certificate_checked_for_it(
        workspace, api, certificate):
    cert, key = certificate
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    tls_receiver = Receiver(tls=server_side)
    trusting = ssl.create_default_context(cafile=str(cert))
    trusting.verify_flags &= ~ssl.VERIFY_X509_STRICT  # a self-signed test certificate has no key identifiers
    names = resolver({"hooks.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    try:
        stocked(api, "LAMP")
        good = register(api, f"https://hooks.test:{tls_receiver.port}/hooks", ["stock.changed"])
        wrong = register(api, f"https://other.test:{tls_receiver.port}/hooks", ["stock.changed"])
        adjust(api, "LAMP", 1)

        deliver(workspace, resolve=names, client=httpx.Client(transport=LocalOnly(verify=trusting)))

        [request] = tls_receiver.got()
        assert request.headers["host"] == f"hooks.test:{tls_receiver.port}"
        assert "hooks.test" in tls_receiver.server_names
        assert deliveries(api, good["id"])[-1]["status"] == "succeeded"
        # The certificate is checked for the URL's name, not the address: other.test's is refused.
        [row] = deliveries(api, wrong["id"])
        assert row["status"] == "failed" and "certificate" in row["error"].lower(), row["error"]
    finally:
        tls_receiver.close()
