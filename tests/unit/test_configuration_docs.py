"""docs/configuration.md against the code: every setting, and every `STOREKEEPER_*` variable
anything reads, is documented with the default it really has — so the reference cannot go stale."""

from __future__ import annotations

import re
from pathlib import Path

from storekeeper.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "configuration.md"
PREFIX = Settings.model_config["env_prefix"]
# Where variables are read or set: the package, the scripts and Makefile, the benchmark, the tests.
READERS = [*(ROOT / "src").rglob("*.py"), *(ROOT / "scripts").iterdir(), ROOT / "Makefile",
           *(ROOT / "bench").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]
VARIABLE = re.compile(PREFIX + r"[A-Z][A-Z0-9_]*")


def _rows() -> dict[str, list[str]]:
    """The table rows of the page: `| `NAME` | cell | … |` → {NAME: [cell, …]}."""
    rows = {}
    for line in DOC.read_text().splitlines():
        match = re.match(r"\| `(" + PREFIX + r"[A-Z0-9_]+)` \|(.*)\|\s*$", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split(" | ")]
    return rows


def _server_variables() -> set[str]:
    """The variables of the first table, the server's settings (the second one is the test suite's)."""
    server_part = DOC.read_text().split("For the test suite")[0]
    return {name for name in _rows() if f"| `{name}` |" in server_part}


def _as_documented(default) -> str:
    if default is None:
        return "unset"
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, float) and default.is_integer():
        return str(int(default))
    return str(default)


def test_every_setting_is_documented_with_its_default():
    rows = _rows()
    for name, field in Settings.model_fields.items():
        variable = PREFIX + name.upper()
        assert variable in rows, f"{variable} (config.py) is missing from docs/configuration.md"
        documented = rows[variable][0].strip("`")
        assert documented == _as_documented(field.default), (
            f"{variable}: the docs say the default is {documented}, config.py has {field.default!r}")


def test_every_server_variable_documented_is_a_setting():
    settings = {PREFIX + name.upper() for name in Settings.model_fields}
    assert _server_variables() - settings == set(), "documented as settings, but config.py has no such field"


def test_every_variable_the_code_reads_is_documented():
    used = {match for path in READERS if path.is_file() and path != Path(__file__)
            for match in VARIABLE.findall(path.read_text(errors="replace"))}
    assert used, "found no variables: the pattern or the paths are wrong"
    assert used - set(_rows()) == set(), "read or set by the code, but not in docs/configuration.md"
