"""JSON in and out, exactly.

In: numbers are parsed as `Decimal` (never through float), so `0.1` stays 0.1 and
`123456789012.123456` keeps every digit. NaN and Infinity are refused.
Out: storekeeper.jsoncodec (exact decimals as JSON numbers, RFC 3339 times).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from storekeeper.jsoncodec import dumps

__all__ = ["dumps", "loads", "nul_path"]


def _reject_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not a valid JSON number", name, 0)


def loads(body: bytes) -> Any:
    """Raises json.JSONDecodeError for anything that is not strict JSON (FastAPI turns that
    into a `json_invalid` validation error, answered as 400 MALFORMED_JSON)."""
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError) as exc:  # invalid UTF-8, nesting too deep
        raise json.JSONDecodeError(str(exc), "", 0) from None


def nul_path(value: Any, path: str = "") -> str | None:
    """Where the first text containing a NUL character (U+0000) is, as a field path
    (`address.city`, `tags[2]`), or None. Such text is valid JSON but no database column can
    hold it (PostgreSQL refuses it outright), so the API refuses it as input on both databases."""
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and "\x00" in key:
                return where
            found = nul_path(item, where)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = nul_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None
