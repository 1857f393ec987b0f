"""The inventorum black-box tests' world: a tax rate and a category made through /v1, and a client
speaking the vendor's API to the module's real server (tests/compat/conftest.py's `served`)."""

from __future__ import annotations

import pytest

from tests.compat.inventorum.speaking import PREFIX
from tests.waiting import wait_until


@pytest.fixture(scope="module")
def world(served):
    """A 19 % tax rate and a category, made through /v1 (the document's ids are theirs)."""
    with served.v1() as v1:
        # Room for the bursts of requests these tests make (a new workspace allows 40 at once);
        # the server reads a workspace's plan anew within seconds.
        plan = {"per_second": 100_000.0, "burst": 100_000}
        assert v1.patch("/v1/workspace", json={"settings": {"rate_limit": plan}}).status_code == 200
        wait_until(lambda: v1.get("/v1/me").headers.get("x-ratelimit-limit") == "100000", "the new rate-limit plan")
        vat = v1.post("/v1/tax-rates", json={"name": "MwSt 19", "rate": "0.19"}).json()
        category = v1.post("/v1/categories", json={"name": "Alben"}).json()
    return {"tax": vat["number"], "category": category["number"]}


@pytest.fixture(scope="module")
def vendor(served):
    headers = {"Authorization": f"Bearer {served.key}", "Accept": "application/json", "X-Api-Version": "8"}
    with served.vendor(PREFIX, headers) as client:
        yield client
