"""A bounded, seeded Schemathesis run over the inventorum facade's own /openapi.json: generated
valid and invalid paths, queries, headers and bodies never get a 5xx, and each refusal is in the
vendor's envelope. (Its answers are not described as schemas in the document, so only these
two are checked; tests/compat/inventorum/test_inventorum_server.py checks their shapes.)"""

from __future__ import annotations

from urllib.parse import unquote

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from storekeeper.api.app import create_app
from storekeeper.config import Settings
from storekeeper.services import workspaces

PREFIX = "/compat/inventorum"
CONFIG = schemathesis.Config.from_dict({
    "seed": 20261207,
    "generation": {"max-examples": 25, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
})
_DOCUMENT_ONLY = Settings(database_url="sqlite:////nonexistent/openapi-only.db")
schema = schemathesis.openapi.from_asgi(f"{PREFIX}/openapi.json", create_app(_DOCUMENT_ONLY), config=CONFIG)


@pytest.fixture
def admin_headers(db) -> dict[str, str]:
    _workspace, key = workspaces.create_workspace(db, "Schemathesis inventorum")
    return {"Authorization": f"Bearer {key}"}


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_request_gets_a_server_error_and_every_refusal_is_in_the_vendors_envelope(case, app, admin_headers):
    response = case.call(app=app, headers={**(case.headers or {}), **admin_headers})
    case.validate_response(response, checks=[not_a_server_error], headers=admin_headers,
                           transport_kwargs={"app": app})
    # A path with a line break never reaches the facade: the /compat mount's pattern stops at it,
    # and /v1's 404 answers (a quirk of the frame, for every dialect alike).
    reached = not any("\n" in unquote(str(value)) for value in (case.path_parameters or {}).values())
    if reached and response.status_code >= 400 and response.content:
        body = response.json()
        assert set(body) == {"detail", "error"} and set(body["error"]) == {"description", "fields", "key"}, body
