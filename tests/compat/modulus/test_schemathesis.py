"""A bounded, seeded Schemathesis run over the modulus dialect's own /openapi.json (as
tests/api/test_schemathesis.py runs over /v1's): every operation called with generated valid
and invalid input answers within its documented contract — never a 5xx, a documented status,
the documented response schema — in the vendor's error envelope."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from storekeeper.api.app import create_app
from storekeeper.config import Settings
from storekeeper.services import workspaces
from tests.api.test_schemathesis import CONFIG, excluded_checks

_DOCUMENT_ONLY = Settings(database_url="sqlite:////nonexistent/openapi-only.db")
schema = schemathesis.openapi.from_asgi("/compat/modulus/openapi.json", create_app(_DOCUMENT_ONLY), config=CONFIG)


@pytest.fixture
def admin_headers(db) -> dict[str, str]:
    _workspace, key = workspaces.create_workspace(db, "Schemathesis")
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def statuses():
    """The status of every call of one operation: some must have got past authentication
    (Schemathesis' own negative cases leave the key out)."""
    seen: list[int] = []
    yield seen
    assert set(seen) - {401, 403}, sorted(set(seen))


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_modulus_operation_answers_within_its_documented_contract(case, app, admin_headers, statuses):
    response = case.call(app=app, headers=admin_headers)
    statuses.append(response.status_code)
    if response.status_code >= 400:
        assert set(response.json()) == {"error"} and set(response.json()["error"]) == {"code", "message", "field"}
    case.validate_response(
        response, excluded_checks=excluded_checks(case), headers=admin_headers, transport_kwargs={"app": app}
    )
