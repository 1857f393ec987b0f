"""Over its rate limit, a facade request is 429 in the vendor's envelope with Retry-After (the
frame's handler; before it, a 500), on an app of this module's own with rate limits on."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from storekeeper.api.app import create_app
from storekeeper.services import workspaces


@pytest.fixture(scope="module")
def limited_client(settings, db) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"rate_limit_enabled": True, "redis_url": None}), db)
    with TestClient(app) as client:
        yield client


def test_a_request_over_the_limit_is_429_in_the_vendors_envelope(db, limited_client):
    workspace, key = workspaces.create_workspace(db, "Limited inventorum")
    workspaces.update_workspace(db, workspace["workspace_id"],
                                {"settings": {"rate_limit": {"per_second": 0.01, "burst": 2}}})
    headers = {"Authorization": f"Bearer {key}", "X-Api-Version": "10"}
    answers = [limited_client.get("/compat/inventorum/api/products/", headers=headers) for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 429]
    refused = answers[-1]
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["error"]["key"] == "common.throttled"
    assert set(refused.json()) == {"detail", "error"} and "retry after" in refused.json()["detail"]
