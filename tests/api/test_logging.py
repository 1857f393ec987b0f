"""Logs: one JSON object per line, an access line per request with its request id, and no
secret ever — not the `api_key` of a query string, not an Authorization or X-Api-Key header."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest

from storekeeper.logs import JsonFormatter, configure_logging, logging_config
from storekeeper.services import api_keys
from storekeeper.services.context import RequestContext, begin_request, end_request


@pytest.fixture
def lines(caplog):
    """The JSON lines of everything logged under `storekeeper` while the test runs."""
    caplog.set_level(logging.INFO, logger="storekeeper")
    formatter = JsonFormatter()
    return lambda: [formatter.format(record) for record in caplog.records if record.name.startswith("storekeeper")]


def access_entries(lines) -> list[dict]:
    entries = [json.loads(line) for line in lines()]
    return [entry for entry in entries if entry["logger"] == "storekeeper.access"]


def test_each_request_has_one_json_access_line_with_its_request_id_route_status_and_duration(client, api, lines):
    r = api.get("/v1/items/NO-SUCH-SKU", headers={"X-Request-Id": "log-test-1"})
    assert r.status_code == 404
    [entry] = [e for e in access_entries(lines) if e["request_id"] == "log-test-1"]
    assert entry["level"] == "INFO"
    assert (entry["method"], entry["route"], entry["path"], entry["status"]) == (
        "GET", "/v1/items/{ref}", "/v1/items/NO-SUCH-SKU", 404
    )
    assert isinstance(entry["duration_ms"], int | float) and entry["duration_ms"] >= 0
    assert entry["message"].startswith("GET /v1/items/NO-SUCH-SKU 404 ")
    assert entry["timestamp"].endswith("Z") and "T" in entry["timestamp"]


def test_an_api_key_in_the_query_or_in_a_header_never_reaches_the_log(client, workspace, lines):
    _row, reader = api_keys.create_api_key(workspace.db, workspace.id, "query key", ["items:read"])
    bogus = "sk_" + "q" * 32 + "01JC0000000000000000000000"
    responses = [
        client.get("/v1/me", params={"api_key": reader}),
        client.get("/v1/items/NO-SUCH-SKU", params={"api_key": reader}),
        client.get("/v1/items", params={"api_key": reader, "limit": "0"}),
        client.get("/v1/no-such-endpoint", params={"api_key": reader}),
        client.get("/v1/users", params={"api_key": reader}),
        client.get("/v1/me", params={"api_key": bogus}),
        client.get("/v1/me", headers={"Authorization": f"Bearer {reader}"}),
        client.get("/v1/me", headers={"X-Api-Key": reader}),
        client.post("/v1/items", params={"api_key": reader}, content=b"{", headers={"Content-Type": "text/plain"}),
    ]
    assert [r.status_code for r in responses] == [200, 404, 422, 404, 403, 401, 200, 200, 415]
    logged = "\n".join(lines())
    for secret in (reader, reader[11:], bogus, workspace.key):
        assert secret not in logged
    assert "api_key=" not in logged
    # Every request had its access line, each with the request id its response carried.
    entries = access_entries(lines)
    assert {r.headers["x-request-id"] for r in responses} <= {e["request_id"] for e in entries}
    assert all(entry["request_id"] for entry in entries)


def test_a_line_logged_while_serving_a_request_carries_its_request_id():
    record = logging.LogRecord("storekeeper.services", logging.WARNING, __file__, 1, "stock %s", ("low",), None)
    token = begin_request(RequestContext(request_id="req_inside"))
    try:
        entry = json.loads(JsonFormatter().format(record))
    finally:
        end_request(token)
    assert entry == {
        "timestamp": entry["timestamp"], "level": "WARNING", "logger": "storekeeper.services",
        "message": "stock low", "request_id": "req_inside",
    }
    outside = json.loads(JsonFormatter().format(record))
    assert outside["request_id"] is None


def test_an_exception_is_one_json_line_with_its_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("storekeeper.api", logging.ERROR, __file__, 1, "unhandled error", (),
                                   sys.exc_info())
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "unhandled error"
    assert entry["exception"].startswith("Traceback") and "ValueError: boom" in entry["exception"]


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_the_configured_format_applies_to_our_loggers_and_uvicorns(log_format, monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("INFO", log_format)
        logging.getLogger("storekeeper.worker").info("worker: %s", {"expired": 1})
        logging.getLogger("uvicorn.error").info("Started server process [42]")
        logging.getLogger("storekeeper.worker").debug("not at INFO")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    written = stream.getvalue().splitlines()
    assert len(written) == 2
    if log_format == "json":
        assert [json.loads(line)["logger"] for line in written] == ["storekeeper.worker", "uvicorn.error"]
        assert json.loads(written[1])["message"] == "Started server process [42]"
    else:
        assert written[0].endswith(" INFO storekeeper.worker worker: {'expired': 1}")
    assert logging_config("debug", log_format)["root"]["level"] == "DEBUG"
