"""`storekeeper --help` and the help of every command: flags show as flags, and `worker` names
every job it runs. Rendered in-process; no database is opened for help."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import typer
from packaging.requirements import Requirement
from typer.testing import CliRunner

from storekeeper.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
# What `storekeeper worker` does each round (services/worker.run_once), in the words of its help;
# tests/integration/test_cli.py checks that run_once reports exactly these jobs.
WORKER_JOBS = {
    "events_delivered": "deliver webhooks",
    "alerts_sent": "send stock alert emails",
    "alerts_purged": "alerts sent more than 30 days ago",
    "expired_reservation_items": "expire reservations",
    "snapshots_taken": "take the daily snapshots",
    "totals_folded": "fold the dashboard's running totals",
    "idempotency_keys_purged": "purge Idempotency-Key records",
    "events_purged": "events past their retention",
    "items_purged": "items past the trash retention",
    "sessions_purged": "dashboard sessions past their end",
}


def _paths(command, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _paths(sub, (*prefix, name))
    return found


COMMANDS = _paths(typer.main.get_command(app))


def help_of(*path: str) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: " ".join(path) or "storekeeper")
def test_flags_show_as_flags_without_a_value(path):
    shown = help_of(*path)
    assert "--help  " in shown
    assert "<bool>" not in shown and "BOOLEAN" not in shown


def test_the_flags_of_init_and_worker_are_listed_plainly():
    assert "--json  " in help_of("init") and "--once  " in help_of("worker")


def test_worker_help_names_every_job_it_runs():
    shown = " ".join(help_of("worker").split())
    missing = [words for words in WORKER_JOBS.values() if words not in shown]
    assert missing == [], shown


def test_the_typer_release_that_shows_flags_with_a_value_is_not_installed_by_pyproject():
    """typer 0.29 renders every flag as `--json <bool>` (the help tests above fail under it); the
    requirement keeps a fresh install (`make run`) below it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    [typer_requirement] = [Requirement(r) for r in project["dependencies"] if Requirement(r).name == "typer"]
    assert not typer_requirement.specifier.contains("0.29.3")
    assert typer_requirement.specifier.contains(typer.__version__)


def test_the_license_is_an_spdx_expression_which_the_build_backend_required_reads():
    """A license table makes setuptools warn on every install; a string needs setuptools 77."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "MIT"
    [setuptools] = [Requirement(r) for r in project["build-system"]["requires"] if r.startswith("setuptools")]
    assert not setuptools.specifier.contains("76.1.0") and setuptools.specifier.contains("77.0.0")
