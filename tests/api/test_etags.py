"""Optimistic concurrency on every mutable resource (SPEC §2): each has an integer `version`, sent
as `ETag: "<version>"`; a write with an `If-Match` that is not the current version is 412
PRECONDITION_FAILED and changes nothing; with the current one it succeeds and the version goes up.

A `Resource` makes one resource of a kind in a fresh workspace and knows how to read it and how
to change it without `If-Match` (someone else's edit, which makes the ETag a client holds stale).
A `Write` is one way a client changes it with `If-Match`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.factories import error, item, location


@dataclass(frozen=True)
class Resource:
    name: str
    make: Callable  # (api) -> the resource's path
    touch: Callable  # (api, path) -> response: a change without If-Match that bumps the version
    read_path: Callable[[str], str] = lambda path: path
    body_of: Callable[[dict], dict] = lambda body: body  # the resource within the read's body

    def read(self, api, path: str):
        return api.get(self.read_path(path))

    def current(self, api, path: str) -> dict:
        r = self.read(api, path)
        assert r.status_code == 200, r.text
        return self.body_of(r.json())


# Factories: each makes what the resource needs in the test's own workspace.


def _item(api) -> str:
    return f"/v1/items/{item(api, 'ETAG-ITEM')['id']}"


def _location(api) -> str:
    location(api, "Main", is_default=True)  # the first location is the default one, which stays
    return f"/v1/locations/{location(api, 'Spare')['id']}"


def _category(api) -> str:
    return f"/v1/categories/{api.post('/v1/categories', json={'name': 'Mugs'}).json()['id']}"


def _tax_rate(api) -> str:
    return f"/v1/tax-rates/{api.post('/v1/tax-rates', json={'name': 'VAT', 'rate': '0.19'}).json()['id']}"


def _reason(api) -> str:
    r = api.post("/v1/reasons", json={"code": "sample", "name": "Sample", "direction": "out"})
    return f"/v1/reasons/{r.json()['id']}"


def _user(api) -> str:
    return f"/v1/users/{api.post('/v1/users', json={'email': 'ada@example.com', 'name': 'Ada'}).json()['id']}"


def _reservation(api) -> str:
    location(api, "Main", is_default=True)
    item(api, "ETAG-RES", initial_stock=[{"quantity": 10}])
    r = api.post("/v1/reservations", json={"item": "ETAG-RES", "quantity": 5})
    assert r.status_code == 201, r.text
    return f"/v1/reservations/{r.json()['id']}"


def _rename(body: dict) -> Callable:
    return lambda api, path: api.patch(path, json=body)


ITEM = Resource("item", _item, _rename({"description": "Changed by someone else"}))
LOCATION = Resource("location", _location, _rename({"name": "Spare (renamed)"}))
CATEGORY = Resource("category", _category, _rename({"name": "Cups"}))
TAX_RATE = Resource("tax rate", _tax_rate, _rename({"rate": "0.2"}))
REASON = Resource("reason", _reason, _rename({"name": "Samples"}))
USER = Resource("user", _user, _rename({"name": "Ada L."}))
WORKSPACE = Resource("workspace", lambda api: "/v1/workspace", _rename({"name": "Renamed by someone else"}),
                     read_path=lambda path: "/v1/me", body_of=lambda body: body["workspace"])
RESERVATION = Resource("reservation", _reservation,
                       lambda api, path: api.post(f"{path}/fulfil", json={"quantity": 1}))

RESOURCES = [ITEM, LOCATION, CATEGORY, TAX_RATE, REASON, USER, WORKSPACE, RESERVATION]


@dataclass(frozen=True)
class Write:
    resource: Resource
    label: str
    send: Callable  # (api, path, headers) -> response
    removes: bool = False  # the resource is gone afterwards (404)
    answers_with_it: bool = True  # the response is the resource (or carries its ETag)

    def __str__(self) -> str:
        return f"{self.resource.name}: {self.label}"


def _patch(body: dict) -> Callable:
    return lambda api, path, headers: api.patch(path, json=body, headers=headers)


def _delete(api, path, headers):
    return api.delete(path, headers=headers)


def _put_components(api, path, headers):
    if api.get("/v1/items/ETAG-PART").status_code == 404:
        item(api, "ETAG-PART")
    return api.put(f"{path}/components", json=[{"item": "ETAG-PART", "quantity": 2}], headers=headers)


WRITES = [
    Write(ITEM, "PATCH", _patch({"name": "Renamed"})),
    Write(ITEM, "DELETE", _delete, removes=True),
    Write(ITEM, "PUT components", _put_components),
    Write(ITEM, "PUT channel", lambda api, path, headers: api.put(f"{path}/channels/shop", json={"price": "1.00"},
                                                                   headers=headers)),
    Write(LOCATION, "PATCH", _patch({"type": "store"})),
    Write(LOCATION, "DELETE", _delete, removes=True),
    Write(CATEGORY, "PATCH", _patch({"name": "Bowls"})),
    Write(CATEGORY, "DELETE", _delete, removes=True),
    Write(TAX_RATE, "PATCH", _patch({"name": "Reduced", "rate": "0.07"})),
    Write(TAX_RATE, "DELETE", _delete, removes=True),
    Write(REASON, "PATCH", _patch({"direction": "any"})),
    Write(REASON, "DELETE", _delete, removes=True),
    Write(USER, "PATCH", _patch({"role": "viewer"})),
    Write(USER, "DELETE", _delete, removes=True),
    Write(WORKSPACE, "PATCH", _patch({"currency": "USD"})),
    # A reservation changes only through POST actions; they change its version as a PATCH would.
    Write(RESERVATION, "release", lambda api, path, headers: api.post(f"{path}/release", headers=headers)),
    Write(RESERVATION, "fulfil", lambda api, path, headers: api.post(f"{path}/fulfil", json={"quantity": 1},
                                                                      headers=headers), answers_with_it=False),
]


def if_match(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
def test_a_read_gives_the_version_as_the_etag(api, resource):
    path = resource.make(api)
    for expected_version in (1, 2):
        r = resource.read(api, path)
        assert r.status_code == 200, r.text
        assert resource.body_of(r.json())["version"] == expected_version
        assert r.headers.get("etag") == f'"{expected_version}"'
        assert resource.touch(api, path).status_code == 200


@pytest.mark.parametrize("write", WRITES, ids=str)
def test_a_write_with_a_stale_if_match_is_412_and_changes_nothing(api, write):
    resource = write.resource
    path = resource.make(api)
    held = resource.current(api, path)["version"]  # what the client read
    assert resource.touch(api, path).status_code == 200  # someone else changes it meanwhile
    before = resource.current(api, path)
    assert before["version"] == held + 1
    for stale in (held, held + 2):
        r = write.send(api, path, if_match(stale))
        assert r.status_code == 412, r.text
        assert error(r) == (412, "PRECONDITION_FAILED")
        assert resource.current(api, path) == before


@pytest.mark.parametrize("write", WRITES, ids=str)
def test_a_write_with_the_current_if_match_succeeds_and_the_version_goes_up(api, write):
    resource = write.resource
    path = resource.make(api)
    assert resource.touch(api, path).status_code == 200
    version = resource.current(api, path)["version"]
    r = write.send(api, path, if_match(version))
    if write.removes:
        assert r.status_code == 204, r.text
        assert resource.read(api, path).status_code == 404
        return
    assert r.status_code == 200, r.text
    if write.answers_with_it:
        assert r.headers.get("etag") == f'"{version + 1}"'
    assert resource.current(api, path)["version"] == version + 1
