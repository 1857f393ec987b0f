"""The `storekeeper` command as an admin runs it, on a database of its own: `init` makes a
workspace whose first stock adjustment needs no location, refuses to make a second one silently,
`workspaces list` shows what `--workspace` takes, a command that needs one names the candidates,
and `keys list` shows ids whole however narrow the terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import pytest

from storekeeper.api.app import create_app
from storekeeper.config import Settings
from storekeeper.persistence.database import Database
from storekeeper.services import worker, workspaces
from tests.unit.test_cli_help import WORKER_JOBS

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

STOREKEEPER = [sys.executable, "-m", "storekeeper.cli.main"]


def cli(database_url: str, *args: str, columns: int | None = None) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if not name.startswith("STOREKEEPER_")}
    env.update(STOREKEEPER_DATABASE_URL=database_url)
    if columns:
        env["COLUMNS"] = str(columns)
    return subprocess.run([*STOREKEEPER, *args], env=env, capture_output=True, text=True, timeout=120)


def printed_json(result: subprocess.CompletedProcess):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def initialised(new_database_url) -> tuple[str, dict]:
    """A new database after one `storekeeper init --json`: its URL and what init printed."""
    url = new_database_url("cli_init")
    return url, printed_json(cli(url, "init", "--json"))


def test_init_makes_a_workspace_whose_first_adjustment_needs_no_location(initialised):
    url, made = initialised
    assert made["location"]["name"] == "Main warehouse"
    settings = Settings(database_url=url, rate_limit_enabled=False)
    db = Database(url, settings)
    try:
        with TestClient(create_app(settings, db)) as client:
            auth = {"Authorization": f"Bearer {made['api_key']}"}
            assert client.post("/v1/items", json={"sku": "FIRST", "name": "First"}, headers=auth).status_code == 201
            r = client.post("/v1/stock/adjustments", json={"item": "FIRST", "reason": "receipt", "delta": 3},
                            headers=auth)
            assert r.status_code == 201, r.text
            assert r.json()["movement"]["location"] == made["location"]["id"]
            [place] = client.get("/v1/locations", headers=auth).json()["data"]
            assert (place["id"], place["is_default"]) == (made["location"]["id"], True)
    finally:
        db.dispose()


def test_a_second_init_creates_nothing_says_what_there_is_and_what_to_run(initialised):
    url, made = initialised
    for args in (("init",), ("init", "--json"), ("init", "--workspace", "Default", "--json")):
        result = cli(url, *args)
        assert result.returncode == 5, (args, result.stderr)
        assert result.stdout == ""
        assert "WORKSPACE_EXISTS" in result.stderr
        assert f"{made['workspace_id']}  Default" in result.stderr
        assert "storekeeper keys create --workspace ID --name admin --scope '*'" in result.stderr
        assert "storekeeper init --workspace NAME" in result.stderr
    listed = printed_json(cli(url, "workspaces", "list", "--json"))
    assert [(w["id"], w["name"], w["currency"]) for w in listed] == [(made["workspace_id"], "Default", "USD")]


def test_keys_list_shows_ids_whole_that_keys_revoke_takes_even_in_a_narrow_terminal(initialised):
    url, _made = initialised
    for n in range(2):
        printed_json(cli(url, "keys", "create", "--name", f"a rather long key name number {n}", "--scope",
                         "items:read", "--scope", "stock:write", "--json"))
    ids = [key["id"] for key in printed_json(cli(url, "keys", "list", "--json"))]
    assert len(ids) == 3
    narrow = cli(url, "keys", "list", columns=60)
    assert narrow.returncode == 0, narrow.stderr
    lines = narrow.stdout.splitlines()
    assert all(len(line) <= 60 for line in lines), narrow.stdout
    assert all(any(line.split() == [key_id] for line in lines) for key_id in ids), narrow.stdout
    wide = cli(url, "keys", "list", columns=200)  # a table: a line per key
    assert all(any(line.startswith(f"{key_id} ") and "active" in line for line in wide.stdout.splitlines())
               for key_id in ids), wide.stdout


def test_init_makes_all_or_nothing_and_another_workspace_only_by_a_new_name_which_commands_then_list(
        new_database_url):
    url = new_database_url("cli_several")
    refused = cli(url, "init", "--currency", "EURO", "--admin-email", "nobody", "--json")
    assert refused.returncode == 2 and refused.stdout == ""
    assert "currency: A currency is an ISO 4217 code" in refused.stderr
    refused = cli(url, "init", "--admin-email", "nobody")
    assert refused.returncode == 2 and "email:" in refused.stderr
    assert printed_json(cli(url, "workspaces", "list", "--json")) == []  # all or nothing
    first = printed_json(cli(url, "init", "--json"))
    shop = printed_json(cli(url, "init", "--workspace", "Shop", "--currency", "eur", "--location", "Back room",
                            "--json"))
    assert shop["location"]["name"] == "Back room"
    listing = cli(url, "workspaces", "list", columns=60)
    assert listing.returncode == 0, listing.stderr
    assert first["workspace_id"] in listing.stdout and shop["workspace_id"] in listing.stdout
    assert [(w["name"], w["currency"]) for w in printed_json(cli(url, "workspaces", "list", "--json"))] == [
        ("Default", "USD"), ("Shop", "EUR")]
    candidates = [f"{first['workspace_id']}  Default", f"{shop['workspace_id']}  Shop"]

    unnamed = cli(url, "keys", "list")
    assert unnamed.returncode == 2
    assert "name one with --workspace ID" in unnamed.stderr
    assert all(line in unnamed.stderr for line in candidates), unnamed.stderr
    unknown = cli(url, "keys", "list", "--workspace", "Nowhere")
    assert unknown.returncode == 4
    assert all(line in unknown.stderr for line in candidates), unknown.stderr
    assert cli(url, "keys", "list", "--workspace", "Shop").returncode == 0

    # Two workspaces of one name (as a second `init` made them before it refused to): by id only.
    db = Database(url, Settings(database_url=url))
    try:
        twin, _key = workspaces.create_workspace(db, "Shop")
    finally:
        db.dispose()
    ambiguous = cli(url, "keys", "list", "--workspace", "Shop")
    assert ambiguous.returncode == 2
    assert "Several workspaces are named 'Shop'" in ambiguous.stderr
    assert f"{shop['workspace_id']}  Shop" in ambiguous.stderr and f"{twin['workspace_id']}  Shop" in ambiguous.stderr
    assert cli(url, "keys", "list", "--workspace", twin["workspace_id"]).returncode == 0


def test_the_jobs_worker_help_names_are_the_jobs_a_round_runs(initialised):
    url, _made = initialised
    db = Database(url, Settings(database_url=url))
    try:
        assert set(worker.run_once(db)) == set(WORKER_JOBS)
    finally:
        db.dispose()
