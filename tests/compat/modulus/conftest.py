"""What the modulus dialect's black-box tests share: a client speaking the document's API with
the admin key, and the document's "Warehouse A" beside a second location (a module may make a
world of its own instead)."""

from __future__ import annotations

import pytest

from tests.compat.modulus.shapes import PREFIX


@pytest.fixture(scope="module")
def world(served):
    """The document's "Warehouse A", and a second location, made through /v1."""
    with served.v1() as v1:
        a = v1.post("/v1/locations", json={"name": "Warehouse A"}).json()
        b = v1.post("/v1/locations", json={"name": "Warehouse B"}).json()
    return {"a": a["id"], "b": b["id"]}


@pytest.fixture(scope="module")
def vendor(served):
    with served.vendor(PREFIX, {"Authorization": f"Bearer {served.key}"}) as client:
        yield client
