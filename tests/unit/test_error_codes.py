"""Error codes come from one StrEnum (domain/errors.Code): each member is its own name, so the
JSON envelope and the /compat dialects' tables keyed by code read the same string; and no code
is written again as a free string where an error is raised or compared."""

from __future__ import annotations

import json
import re
from pathlib import Path

from storekeeper.domain.errors import Code, StockError
from storekeeper.jsoncodec import dumps

SRC = Path(__file__).resolve().parents[2] / "src" / "storekeeper"
FREE = re.compile(r'\bcode\s*=\s*"[A-Z][A-Z_]+"|\.code (?:==|!=) "[A-Z][A-Z_]+"')


def test_each_code_is_its_name_and_serialises_as_it():
    assert all(member.value == member.name for member in Code)
    error = StockError("Only 2 left.", code=Code.INSUFFICIENT_STOCK)
    assert error.code == "INSUFFICIENT_STOCK"
    assert json.loads(dumps({"code": error.code})) == {"code": "INSUFFICIENT_STOCK"}


def test_no_code_is_written_as_a_free_string():
    found = [f"{path.relative_to(SRC)}:{n}" for path in SRC.rglob("*.py") if "migrations" not in path.parts
             for n, line in enumerate(path.read_text().splitlines(), 1) if FREE.search(line)]
    assert found == []
