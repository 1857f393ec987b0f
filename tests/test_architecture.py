"""The layers of STYLE.md hold: import-linter's contracts ([tool.importlinter] in pyproject.toml:
domain imports no other layer and none of the project's libraries, services no adapter,
persistence no services), and every module domain/ imports is in the standard library, whatever
new library it might reach for."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ROOT / "src" / "storekeeper" / "domain"


def test_the_import_contracts_are_kept():
    done = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout and "KEPT" in done.stdout


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_domain_imports_only_the_standard_library_and_itself():
    outside = {(path.name, name) for path in DOMAIN.rglob("*.py") for name in _imported(path)
               if name.split(".")[0] not in sys.stdlib_module_names
               and not (name == "storekeeper.domain" or name.startswith("storekeeper.domain."))}
    assert outside == set()
