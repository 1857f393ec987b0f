"""A bounded, seeded Schemathesis run over the real app's /openapi.json.

Every documented operation is called with generated valid and invalid input (examples, coverage
and fuzzing phases), authenticated with an admin key of a workspace of its own. Each response
must not be a 5xx, must carry a status code the operation documents, must match the documented
content type and response schema, and must pass Schemathesis' other checks (see
EXCLUDED_CHECKS for the one left out). The run is deterministic (fixed seed, no example
database), so a failure reproduces on the next run; its report ends with a curl command.

The document is read at import time from an app built from the same code, so that pytest
collects one test per operation and xdist spreads them; every request goes to the session's
`app` on the test database. (`schemathesis.pytest.from_fixture` would avoid the second app, but
the installed Schemathesis writes `Function._nodeid`, which pytest 9 no longer has.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from storekeeper.api.app import create_app
from storekeeper.config import Settings
from storekeeper.services import workspaces

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261122,
        "generation": {"max-examples": 20, "deterministic": True, "database": "none"},
        "phases": {"stateful": {"enabled": False}},
    }
)
# Every built-in check: no 5xx, documented status codes, content types, response schemas and
# headers, `Allow` on 405, invalid input refused, auth not ignored, … — except that every
# schema-valid request must succeed: the API rightly refuses more than the schema can say (unknown
# unit codes, a malformed email, a stale cursor, NUL characters, an `If-Match` that is no ETag,
# an expiry in the past), and those answers are documented 4xx responses.
EXCLUDED_CHECKS = [positive_data_acceptance]

# Serving /openapi.json reads no database, so this app's URL names one that cannot be created.
_DOCUMENT_ONLY = Settings(database_url="sqlite:////nonexistent/openapi-only.db")
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_DOCUMENT_ONLY), config=CONFIG)




def documented_headers(case) -> list[str]:
    return [p.get("name") for p in case.operation.definition.raw.get("parameters", []) if p.get("in") == "header"]


def excluded_checks(case) -> list:
    """Where an operation documents no header parameter, a header Schemathesis made invalid on
    purpose is the key of a security scheme, which the test replaces with a valid one: the request
    sent is no longer invalid, and its acceptance no failure (Schemathesis' own filters do not see
    headers the caller replaced)."""
    header = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    if header is not None and header.mode.is_negative and not documented_headers(case):
        return [*EXCLUDED_CHECKS, negative_data_rejection]
    return EXCLUDED_CHECKS


def test_a_list_documents_no_header_parameter_so_its_negative_header_is_the_replaced_key():
    listing, creating = (schema[path][method] for path, method in (("/v1/purchase-orders", "GET"),
                                                                    ("/v1/purchase-orders", "POST")))
    assert documented_headers(listing.Case()) == []
    assert "Idempotency-Key" in documented_headers(creating.Case())


@pytest.fixture
def admin_headers(db) -> dict[str, str]:
    """A fresh workspace per operation, so that what one operation's random writes change (the
    workspace's settings, say) cannot change how another operation answers."""
    _workspace, key = workspaces.create_workspace(db, "Schemathesis")
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def statuses():
    """The status of every call of one operation. Hypothesis runs all of an operation's
    examples within one call of the test, so this list spans the whole run of the operation."""
    seen: list[int] = []
    yield seen
    assert seen, "Schemathesis made no call"
    refused = sorted({status for status in seen if status in (401, 403)})
    assert not refused, f"an admin key was refused with {refused}: the run did not get past authentication"


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_answers_within_its_documented_contract(case, app, admin_headers, statuses):
    response = case.call(app=app, headers=admin_headers)
    statuses.append(response.status_code)
    case.validate_response(
        response, excluded_checks=excluded_checks(case), headers=admin_headers, transport_kwargs={"app": app}
    )
