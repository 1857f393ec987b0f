"""The HTTP contract every endpoint keeps (SPEC §2): the error envelope, request ids, the API
version header, JSON only and at most 1 MiB, ETags, timestamps, ids and pagination.
None of these requests may ever be answered with a 500."""

from __future__ import annotations

import base64
import json
import re
import warnings

import pytest
from fastapi import APIRouter

from storekeeper.api.app import create_app
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.services import locations as location_service
from storekeeper.services.locations import DEFAULT_NAME

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

MIB = 1024 * 1024
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
ULID = "[0-9A-HJKMNP-TV-Z]{26}"
GENERATED_REQUEST_ID = re.compile(rf"^req_{ULID}$")


def error(r) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


def location_names(api) -> list[str]:
    """The workspace's locations: the default one it was created with, and the test's."""
    return [loc["name"] for loc in api.get("/v1/locations").json()["data"]]


def json_post(client, path: str, content, key: str | None = None, **headers: str):
    auth = {"Authorization": f"Bearer {key}"} if key else {}
    return client.post(path, content=content, headers={"Content-Type": "application/json", **auth, **headers})


# --- The error envelope and request ids ------------------------------------------------------


def test_an_error_is_an_envelope_with_code_message_and_request_id(api):
    r = api.get("/v1/locations/Nowhere")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert list(body) == ["error"]
    assert set(body["error"]) == {"code", "message", "request_id"}
    assert body["error"]["code"] == "LOCATION_NOT_FOUND"
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


def test_only_validation_errors_carry_fields(api, client):
    invalid = api.post("/v1/locations", json={"name": "", "type": "moon"})
    assert error(invalid) == (422, "VALIDATION_ERROR")
    fields = invalid.json()["error"]["fields"]
    assert set(fields) == {"name", "type"}
    assert all(isinstance(messages, list) and all(isinstance(m, str) for m in messages) for messages in fields.values())

    api.post("/v1/locations", json={"name": "Main"})
    for r in (
        api.post("/v1/locations", json={"name": "Main"}),  # 409
        api.get("/v1/locations/Nowhere"),  # 404
        client.get("/v1/locations"),  # 401
        json_post(client, "/v1/locations", b"{", api.key),  # 400
        api.get("/v1/nowhere"),  # 404 route
    ):
        assert r.status_code >= 400
        assert "fields" not in r.json()["error"]


def test_the_request_id_in_an_error_is_the_one_in_the_header(api, client):
    for r in (
        api.get("/v1/locations/Nowhere"),
        client.get("/v1/me"),
        api.post("/v1/locations", json={}),
        client.post("/v1/locations", content=b"x", headers={"Content-Type": "text/plain"}),
    ):
        assert r.json()["error"]["request_id"] == r.headers["x-request-id"]
        assert GENERATED_REQUEST_ID.match(r.headers["x-request-id"])


def test_every_request_gets_its_own_request_id(api):
    ids = {api.get("/v1/me").headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3


def test_a_request_id_sent_by_the_client_is_echoed(api, client):
    sent = {"X-Request-Id": "order-sync:42.7"}
    assert client.get("/healthz", headers=sent).headers["x-request-id"] == "order-sync:42.7"
    assert api.get("/v1/me", headers=sent).headers["x-request-id"] == "order-sync:42.7"
    r = api.get("/v1/locations/Nowhere", headers=sent)
    assert r.headers["x-request-id"] == r.json()["error"]["request_id"] == "order-sync:42.7"
    r = client.post("/v1/locations", content=b"x", headers={"Content-Type": "text/plain", **sent})
    assert r.headers["x-request-id"] == r.json()["error"]["request_id"] == "order-sync:42.7"


@pytest.mark.parametrize("sent", ["has spaces", "x" * 129, "<script>", ""])
def test_an_unusable_request_id_is_replaced_by_a_generated_one(api, sent):
    r = api.get("/v1/me", headers={"X-Request-Id": sent})
    assert GENERATED_REQUEST_ID.match(r.headers["x-request-id"])


# --- X-Api-Version --------------------------------------------------------------------------


def _responses_of_every_kind(workspace, client) -> dict[str, object]:
    api = workspace.api
    return {
        "200": api.get("/v1/me"),
        "201": api.post("/v1/locations", json={"name": "Main"}),
        "204": api.delete(f"/v1/locations/{api.get('/v1/locations/Main').json()['id']}"),
        "health": client.get("/healthz"),
        "400 malformed": json_post(client, "/v1/locations", b"{", api.key),
        "400 version": api.get("/v1/me", headers={"X-Api-Version": "2"}),
        "401": client.get("/v1/me"),
        "403": workspace.key_with("items:read").get("/v1/locations"),
        "404 resource": api.get("/v1/locations/Nowhere"),
        "404 route": api.get("/v1/nowhere"),
        "404 outside v1": client.get("/nowhere"),
        "405": api.put("/v1/locations", json={}),
        "413": json_post(client, "/v1/locations", b" " * (MIB + 1), api.key),
        "415": client.post("/v1/locations", content=b"{}", headers={"Content-Type": "text/plain"}),
        "422": api.post("/v1/locations", json={}),
    }


def test_every_response_carries_api_version_1_and_a_request_id(workspace, client):
    responses = _responses_of_every_kind(workspace, client)
    for kind, r in responses.items():
        assert r.headers.get("x-api-version") == "1", kind
        assert r.headers.get("x-request-id"), kind
        assert r.status_code < 500, kind


@pytest.mark.parametrize("version", ["1", " 1 "])
def test_api_version_1_may_be_asked_for(api, version):
    assert api.get("/v1/me", headers={"X-Api-Version": version}).status_code == 200


@pytest.mark.parametrize("version", ["2", "0", "1.0", "v1", ""])
def test_any_other_api_version_is_refused(api, version):
    r = api.get("/v1/me", headers={"X-Api-Version": version})
    assert error(r) == (400, "UNSUPPORTED_API_VERSION")
    assert r.headers["x-api-version"] == "1"


def test_an_unsupported_api_version_changes_nothing(api):
    r = api.post("/v1/locations", json={"name": "Main"}, headers={"X-Api-Version": "2"})
    assert r.status_code == 400
    assert location_names(api) == [DEFAULT_NAME]


# --- JSON bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b'{"name": "Main"',
        b"{'name': 'Main'}",
        b'{"name": "Main"} {"name": "Other"}',
        b'{"name": "Main",}',
        b"\xff\xfe\x00",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"name": "Main", "x": 1' + b"0" * 5000 + b"}",
    ],
    ids=["truncated", "single-quotes", "two-documents", "trailing-comma", "not-utf8", "deep-nesting", "huge-int"],
)
def test_a_body_that_is_not_json_is_malformed(api, client, content):
    r = json_post(client, "/v1/locations", content, api.key)
    assert error(r) == (400, "MALFORMED_JSON")
    assert location_names(api) == [DEFAULT_NAME]


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_are_malformed_json(api, client, literal):
    r = json_post(client, "/v1/tax-rates", b'{"name": "VAT", "rate": ' + literal + b"}", api.key)
    assert error(r) == (400, "MALFORMED_JSON")


def test_json_numbers_are_read_exactly_not_as_floats(api, client):
    # As a float this would be 0.1 and pass; read exactly, it has more than 6 decimal places.
    r = json_post(client, "/v1/tax-rates", b'{"name": "VAT", "rate": 0.10000000000000000001}', api.key)
    assert error(r) == (422, "VALIDATION_ERROR")
    r = json_post(client, "/v1/tax-rates", b'{"name": "VAT", "rate": 0.123456}', api.key)
    assert r.json()["rate"] == "0.123456"


def test_an_empty_body_on_a_write_is_a_validation_error(api, client):
    r = json_post(client, "/v1/locations", b"", api.key)
    assert error(r) == (422, "VALIDATION_ERROR")


@pytest.mark.parametrize("content", [b"[]", b'"Main"', b"null", b"42"])
def test_a_json_body_that_is_not_an_object_is_a_validation_error(api, client, content):
    assert error(json_post(client, "/v1/locations", content, api.key)) == (422, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None]
)
def test_a_write_with_another_content_type_is_415(api, client, content_type):
    headers = {"Authorization": f"Bearer {api.key}"}
    if content_type:
        headers["Content-Type"] = content_type
    r = client.post("/v1/locations", content=b'{"name": "Main"}', headers=headers)
    assert error(r) == (415, "UNSUPPORTED_MEDIA_TYPE")
    assert location_names(api) == [DEFAULT_NAME]


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "APPLICATION/JSON", "application/merge-patch+json"]
)
def test_json_content_types_are_accepted(api, client, content_type):
    r = client.post(
        "/v1/locations",
        content=b'{"name": "Main"}',
        headers={"Authorization": f"Bearer {api.key}", "Content-Type": content_type},
    )
    assert r.status_code == 201


def test_a_body_over_1_mib_is_refused_by_its_content_length(api, client):
    r = json_post(client, "/v1/locations", b'{"name": "Main"}' + b" " * MIB, api.key)
    assert error(r) == (413, "PAYLOAD_TOO_LARGE")
    assert location_names(api) == [DEFAULT_NAME]


def test_a_streamed_body_over_1_mib_is_refused_while_it_arrives(api, client):
    def chunks():
        yield b'{"name": "Main", "marketplace": "'
        for _ in range(11):
            yield b"x" * 100_000
        yield b'"}'

    r = json_post(client, "/v1/locations", chunks(), api.key)
    assert "content-length" not in r.request.headers
    assert error(r) == (413, "PAYLOAD_TOO_LARGE")
    assert location_names(api) == [DEFAULT_NAME]


def test_a_streamed_body_under_1_mib_is_accepted(api, client):
    def chunks():
        yield b'{"name": '
        yield b'"Main"}'

    assert json_post(client, "/v1/locations", chunks(), api.key).status_code == 201


def test_a_body_of_exactly_1_mib_is_accepted(api, client):
    body = b'{"name": "Main"}'
    r = json_post(client, "/v1/locations", body + b" " * (MIB - len(body)), api.key)
    assert r.status_code == 201


def test_text_with_nul_characters_is_refused_wherever_it_is(api):
    api.post("/v1/locations", json={"name": "Main"})
    checks = [
        (api.post("/v1/locations", json={"name": "Ma\u0000in"}), "name"),
        (api.post("/v1/locations", json={"name": "Shelf", "address": {"city": "\u0000"}}), "address.city"),
        (api.post("/v1/users", json={"email": "a\u0000@example.com"}), "email"),
        (api.get("/v1/locations/Ma%00in"), "path"),
        (api.get("/v1/locations?q=%00"), "q"),
        (api.get("/v1/categories?parent=cat_%00"), "parent"),
    ]
    for r, field in checks:
        assert error(r) == (422, "VALIDATION_ERROR"), field
        assert list(r.json()["error"]["fields"]) == [field]
    assert location_names(api) == ["Main", DEFAULT_NAME]


# --- Routes, methods --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/nowhere", "/nowhere", "/v1/locations/a/b", "/v2/locations"])
def test_an_unknown_route_is_a_404_envelope(api, path):
    r = api.get(path)
    assert error(r) == (404, "NOT_FOUND")
    assert r.json()["error"]["request_id"] == r.headers["x-request-id"]


def test_an_unknown_route_is_404_even_without_a_key(client):
    assert error(client.get("/v1/nowhere")) == (404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/v1/locations", {"GET", "POST"}),
        ("POST", "/v1/me", {"GET"}),
        ("DELETE", "/v1/workspace", {"PATCH"}),
        ("POST", "/v1/locations/Main", {"GET", "PATCH", "DELETE"}),
    ],
)
def test_a_wrong_method_is_a_405_envelope_naming_the_allowed_ones(api, method, path, allowed):
    r = api.request(method, path, json={})
    assert error(r) == (405, "METHOD_NOT_ALLOWED")
    assert allowed <= {m.strip() for m in r.headers["allow"].split(",")}


# --- ETag and If-Match ------------------------------------------------------------------------


@pytest.mark.parametrize("if_match", ['"1"', 'W/"1"', "1", "*", ' "1" '])
def test_if_match_accepts_the_current_etag_in_any_usual_form(api, if_match):
    loc = api.post("/v1/locations", json={"name": "Main"}).json()
    r = api.patch(f"/v1/locations/{loc['id']}", json={"type": "store"}, headers={"If-Match": if_match})
    assert r.status_code == 200
    assert r.headers["etag"] == '"2"'


@pytest.mark.parametrize("if_match", ['"2"', 'W/"0"', "garbage", '"1", "2"', '"-1"', ""])
def test_if_match_with_anything_but_the_current_etag_is_412(api, if_match):
    loc = api.post("/v1/locations", json={"name": "Main"}).json()
    r = api.patch(f"/v1/locations/{loc['id']}", json={"type": "store"}, headers={"If-Match": if_match})
    assert error(r) == (412, "PRECONDITION_FAILED")
    assert api.get(f"/v1/locations/{loc['id']}").json()["type"] == "warehouse"


def test_a_read_returns_the_version_as_etag(api):
    loc = api.post("/v1/locations", json={"name": "Main"}).json()
    api.patch(f"/v1/locations/{loc['id']}", json={"type": "store"})
    r = api.get(f"/v1/locations/{loc['id']}")
    assert r.headers["etag"] == f'"{r.json()["version"]}"' == '"2"'


# --- Representation: timestamps and ids --------------------------------------------------------


def _one_of_each(api) -> dict[str, dict]:
    user = api.post("/v1/users", json={"email": "ada@example.com"}).json()
    key = {"name": "k", "scopes": ["admin"], "expires_at": "2099-01-01T01:02:03.456789+01:00", "user": user["id"]}
    return {
        "loc": api.post("/v1/locations", json={"name": "Main"}).json(),
        "cat": api.post("/v1/categories", json={"name": "Tools"}).json(),
        "tax": api.post("/v1/tax-rates", json={"name": "VAT", "rate": "0.19"}).json(),
        "usr": user,
        "key": api.post("/v1/api-keys", json=key).json(),
    }


def test_ids_carry_the_prefix_of_their_kind(api):
    for prefix, resource in _one_of_each(api).items():
        assert re.match(rf"^{prefix}_{ULID}$", resource["id"]), resource
    assert re.match(rf"^ws_{ULID}$", api.get("/v1/me").json()["workspace"]["id"])


def test_timestamps_are_rfc3339_utc_with_milliseconds(api):
    resources = [*_one_of_each(api).values(), api.get("/v1/me").json()["workspace"]]
    for resource in resources:
        stamps = {k: v for k, v in resource.items() if k.endswith("_at") and v is not None}
        assert "created_at" in stamps
        for name, value in stamps.items():
            assert TIMESTAMP.match(value), (name, value)
    key = api.get("/v1/api-keys").json()["data"][-1]
    assert key["expires_at"] == "2099-01-01T00:02:03.456Z"


# --- Pagination -------------------------------------------------------------------------------


def make_locations(workspace, count: int) -> list[str]:
    """`count` more locations: returns the names of all of them, the workspace's default location
    ("Main warehouse", sorted after "Location …") among them."""
    names = [f"Location {i:04d}" for i in range(count)]
    for name in names:
        location_service.create_location(workspace.db, workspace.id, {"name": name})
    return sorted([*names, DEFAULT_NAME])


def test_a_list_is_data_and_meta(api):
    api.post("/v1/locations", json={"name": "Main"})
    r = api.get("/v1/locations")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"data", "meta"}
    assert body["meta"] == {"limit": 50, "total": 2, "has_more": False, "next_cursor": None}


def test_a_page_holds_50_rows_unless_asked_and_at_most_1000(workspace):
    api = workspace.api
    make_locations(workspace, 50)
    first = api.get("/v1/locations").json()
    assert len(first["data"]) == 50
    assert first["meta"]["limit"] == 50
    assert first["meta"]["total"] == 51
    assert first["meta"]["has_more"] is True
    assert first["meta"]["next_cursor"]
    everything = api.get("/v1/locations?limit=1000").json()
    assert len(everything["data"]) == 51
    assert everything["meta"] == {"limit": 1000, "total": 51, "has_more": False, "next_cursor": None}
    for limit in ("0", "1001", "-1", "ten"):
        r = api.get(f"/v1/locations?limit={limit}")
        assert error(r) == (422, "VALIDATION_ERROR")
        assert "limit" in r.json()["error"]["fields"]


@pytest.mark.parametrize("sort", ["name", "-name", "created_at", "-created_at"])
def test_a_cursor_walk_returns_every_location_exactly_once(workspace, sort):
    names = make_locations(workspace, 22)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = f"/v1/locations?limit=5&sort={sort}" + (f"&cursor={cursor}" if cursor else "")
        r = workspace.api.get(query)
        assert r.status_code == 200
        meta = r.json()["meta"]
        seen += [loc["name"] for loc in r.json()["data"]]
        pages += 1
        assert meta["total"] == 23
        assert meta["has_more"] is (meta["next_cursor"] is not None)
        if not meta["has_more"]:
            break
        cursor = meta["next_cursor"]
    assert pages == 5
    assert sorted(seen) == names
    if sort == "name":
        assert seen == names
    if sort == "-name":
        assert seen == names[::-1]


def test_a_cursor_walk_sees_rows_added_behind_it_but_never_a_row_twice(workspace):
    make_locations(workspace, 5)
    first = workspace.api.get("/v1/locations?limit=3").json()
    location_service.create_location(workspace.db, workspace.id, {"name": "Location 0000a"})  # before the cursor
    location_service.create_location(workspace.db, workspace.id, {"name": "Warehouse 9999"})  # after it
    rest = workspace.api.get(f"/v1/locations?limit=100&cursor={first['meta']['next_cursor']}").json()
    names = [loc["name"] for loc in first["data"] + rest["data"]]
    assert len(names) == len(set(names))
    assert names[-1] == "Warehouse 9999"
    assert "Location 0000a" not in names


def test_include_total_false_skips_the_count(workspace):
    make_locations(workspace, 3)
    meta = workspace.api.get("/v1/locations?limit=2&include_total=false").json()["meta"]
    assert meta.get("total") is None
    assert meta["has_more"] is True


def test_offset_skips_rows(workspace):
    names = make_locations(workspace, 4)
    r = workspace.api.get("/v1/locations?offset=3")
    assert [loc["name"] for loc in r.json()["data"]] == names[3:]
    assert r.json()["meta"]["total"] == 5


def test_cursor_and_offset_together_are_refused(workspace):
    make_locations(workspace, 3)
    cursor = workspace.api.get("/v1/locations?limit=1").json()["meta"]["next_cursor"]
    r = workspace.api.get(f"/v1/locations?cursor={cursor}&offset=1")
    assert error(r) == (422, "VALIDATION_ERROR")


def _forged(*parts) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        ("/v1/locations", "not-a-cursor"),
        ("/v1/locations", "%%%"),
        ("/v1/locations", _forged("name", 5, "loc_x")),
        ("/v1/locations", _forged("name", {"t": "2026-01-01T00:00:00"}, "loc_x")),
        ("/v1/locations", _forged("name", None, "loc_x")),
        ("/v1/locations", _forged("name", True, "loc_x")),
        ("/v1/locations", _forged("name", "a", 7)),
        ("/v1/locations", _forged("name", "a\u0000", "loc_x")),
        ("/v1/locations", _forged("name", "a")),
        ("/v1/locations?sort=created_at", _forged("name", "a", "loc_x")),
        ("/v1/locations?sort=created_at", _forged("created_at", "yesterday", "loc_x")),
        ("/v1/locations?sort=created_at", _forged("created_at", {"t": "yesterday"}, "loc_x")),
        ("/v1/users", _forged("created_at", "abc", "usr_x")),
        ("/v1/users", _forged("created_at", 12, "usr_x")),
        ("/v1/api-keys", _forged("created_at", [1], "key_x")),
        ("/v1/categories", _forged("name", {"t": 1}, "cat_x")),
        ("/v1/tax-rates", _forged("name", 1.5, "tax_x")),
    ],
)
def test_a_tampered_or_foreign_cursor_is_a_validation_error(api, path, cursor):
    separator = "&" if "?" in path else "?"
    r = api.get(f"{path}{separator}cursor={cursor}")
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "cursor" in r.json()["error"]["fields"]


def test_a_cursor_of_one_sort_does_not_work_for_another(workspace):
    make_locations(workspace, 3)
    cursor = workspace.api.get("/v1/locations?limit=1&sort=name").json()["meta"]["next_cursor"]
    assert workspace.api.get(f"/v1/locations?limit=1&sort=name&cursor={cursor}").status_code == 200
    assert error(workspace.api.get(f"/v1/locations?limit=1&sort=-created_at&cursor={cursor}")) == (
        422,
        "VALIDATION_ERROR",
    )


# --- Failures on our side -----------------------------------------------------------------------


def test_an_unexpected_failure_is_a_500_envelope_with_both_headers(settings, db):
    app = create_app(settings, db)
    broken = APIRouter(route_class=StorekeeperRoute)

    @broken.get("/broken")
    def fail():
        raise RuntimeError("a bug")

    app.include_router(broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/broken", headers={"X-Request-Id": "bug-report-1"})
    assert error(r) == (500, "INTERNAL")
    assert "a bug" not in r.text
    assert r.headers["x-api-version"] == "1"
    assert r.headers["x-request-id"] == r.json()["error"]["request_id"] == "bug-report-1"
