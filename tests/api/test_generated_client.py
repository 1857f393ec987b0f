"""Clients generated from /openapi.json are whole: `openapi-python-client`, the generator most
Python integrators use, builds one without a single warning. Two schemas that share a name (as
two `ActorRead`s once did) make it drop every model that refers to them, and with them the
responses of the ledger's endpoints, so this test fails on any warning and then reads real
responses through the generated models."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections import Counter

import pytest

from tests.factories import item, location

pytestmark = pytest.mark.slow

# The ledger's responses, which a duplicated `ActorRead` took out of the generated client.
LEDGER_MODELS = ("MovementRead", "AdjustmentRead", "TransferRead", "BatchRead", "ReceiptRead", "FulfilmentRead",
                 "RestoreRead", "PageMovementRead")


@pytest.fixture(scope="module")
def generated(client, tmp_path_factory):
    """The package openapi-python-client generates from this app's /openapi.json, imported."""
    root = tmp_path_factory.mktemp("generated_client")
    schema = client.get("/openapi.json").json()
    (root / "openapi.json").write_text(json.dumps(schema))
    (root / "config.yaml").write_text("post_hooks: []\n")  # no formatter run: the output is only imported
    run = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", "openapi.json", "--meta", "none",
         "--config", "config.yaml", "--fail-on-warning", "--output-path", "storekeeper_client"],
        cwd=root, capture_output=True, text=True, timeout=300)
    output = run.stdout + run.stderr
    assert run.returncode == 0 and "warning" not in output.lower(), output
    sys.path.insert(0, str(root))
    try:
        yield schema, importlib.import_module("storekeeper_client.models")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == "storekeeper_client" or m.startswith("storekeeper_client.")]:
            del sys.modules[name]


def test_every_schema_name_in_openapi_is_unique(generated):
    schema, _models = generated
    names = Counter(name.rsplit("__", 1)[-1] for name in schema["components"]["schemas"])
    assert [name for name, count in names.items() if count > 1] == []
    assert not any("__" in name for name in schema["components"]["schemas"])  # FastAPI's mark of a clash


def test_the_generated_client_has_every_ledger_model(generated):
    _schema, models = generated
    assert [name for name in LEDGER_MODELS if not hasattr(models, name)] == []


def test_the_generated_models_read_the_ledgers_real_answers(generated, api):
    _schema, models = generated
    item(api, "GEN-1")
    location(api, "Gen shelf")
    r = api.post("/v1/stock/adjustments", json={"item": "GEN-1", "location": "Gen shelf", "reason": "receipt",
                                                "delta": 4, "unit_cost": "1.50"})
    assert r.status_code == 201, r.text
    adjustment = models.AdjustmentRead.from_dict(r.json())
    assert adjustment.movement.sku == "GEN-1" and adjustment.movement.actor.type_.value == "api_key"
    page = models.PageMovementRead.from_dict(api.get("/v1/stock/movements", params={"item": "GEN-1"}).json())
    assert [m.id for m in page.data] == [adjustment.movement.id]
    entry = models.AuditEntryRead.from_dict(api.get("/v1/audit-log", params={"limit": 1}).json()["data"][0])
    assert entry.actor.type_.value == "api_key"
