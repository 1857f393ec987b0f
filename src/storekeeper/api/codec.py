"""JSON in and out, exactly.

In: numbers are parsed as `Decimal` (never through float), so `0.1` stays 0.1 and
`123456789012.123456` keeps every digit. NaN and Infinity are refused.
Out: `Decimal` is written as a plain JSON number (`12.5`, not `"12.5"` nor `12.500000001`)
through orjson's Fragment; datetimes as RFC 3339 UTC with milliseconds and `Z`.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson

from storekeeper.domain.clock import format_timestamp
from storekeeper.domain.quantities import format_quantity


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


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return orjson.Fragment(format_quantity(value))
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def dumps(value: Any) -> bytes:
    # OPT_PASSTHROUGH_DATETIME sends datetimes to _default, which writes them with milliseconds.
    return orjson.dumps(value, default=_default, option=orjson.OPT_PASSTHROUGH_DATETIME)
