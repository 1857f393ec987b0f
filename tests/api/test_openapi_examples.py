"""Every operation in /openapi.json shows an example of its JSON request body and of each JSON
success response (api/examples.py), and every example is valid against its own schema, so /docs
can be read on its own. A new route without examples fails here, by name."""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs  # a dependency of Schemathesis; `jsonschema` itself is not installed
import pytest

from storekeeper.api.examples import EXAMPLES

JSON = "application/json"
ID_LIKE = re.compile(r"^([a-z]+)_0[0-9A-Z]")  # a prefixed ULID, or meant to be one


@pytest.fixture(scope="module")
def document(client) -> dict[str, Any]:
    r = client.get("/openapi.json")
    assert r.status_code == 200
    return r.json()


def _operations(document: dict[str, Any]):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def _json_bodies(document: dict[str, Any]):
    """(where, media type object) for each JSON request body and each JSON 2xx response."""
    for name, operation in _operations(document):
        body = operation.get("requestBody", {}).get("content", {}).get(JSON)
        if body is not None:
            yield f"{name} request", body
        for status, response in operation["responses"].items():
            media = response.get("content", {}).get(JSON)
            if status.startswith("2") and media is not None:
                yield f"{name} {status}", media


def test_every_json_request_body_and_success_response_has_an_example(document):
    missing = [where for where, media in _json_bodies(document) if "example" not in media]
    assert not missing, "Give these an example in src/storekeeper/api/examples.py:\n" + "\n".join(missing)


def test_the_examples_cover_a_good_many_operations(document):
    """A guard on the test above: if the document lost its JSON bodies, it would pass vacuously."""
    names = [where for where, _media in _json_bodies(document)]
    assert sum(where.endswith(" request") for where in names) >= 30
    assert len(names) - sum(where.endswith(" request") for where in names) >= 75


def test_every_example_is_valid_against_its_schema(document):
    invalid = []
    for where, media in _json_bodies(document):
        if "example" not in media:
            continue  # the test above names it
        # The schema's $refs point into the document's components, so validate within them.
        schema = {"components": document["components"], "allOf": [media["schema"]]}
        validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
        invalid += [f"{where}: {error.message} at /{'/'.join(map(str, error.instance_path))}"
                    for error in validator.iter_errors(media["example"])]
    assert not invalid, "\n".join(invalid)


def test_every_example_belongs_to_an_operation_and_status_the_document_has(document):
    """An example left behind when a route is renamed, or a status no operation answers with,
    would silently never show."""
    stale = []
    for (method, path), example in EXAMPLES.items():
        operation = document["paths"].get(path, {}).get(method.lower())
        if operation is None:
            stale.append(f"{method} {path}: no such operation")
            continue
        if example.request is not None and JSON not in operation.get("requestBody", {}).get("content", {}):
            stale.append(f"{method} {path}: takes no JSON body")
        for status in example.responses:
            if JSON not in operation["responses"].get(status, {}).get("content", {}):
                stale.append(f"{method} {path}: no JSON {status} response")
    assert not stale, "\n".join(stale)


def test_ids_in_examples_look_like_the_ones_the_api_makes(document):
    from storekeeper.domain.ids import PREFIXES, is_id

    kinds = {prefix: kind for kind, prefix in PREFIXES.items()}
    malformed = []

    def walk(value: Any, where: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{where}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{where}[{i}]")
        elif isinstance(value, str) and (found := ID_LIKE.match(value)):
            prefix = found.group(1)
            if prefix not in kinds or not is_id(kinds[prefix], value):
                malformed.append(f"{where}: {value}")

    for where, media in _json_bodies(document):
        walk(media.get("example"), where)
    assert not malformed, "\n".join(malformed)
