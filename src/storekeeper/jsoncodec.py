"""JSON out, exactly: `Decimal` as a plain JSON number (`12.5`, never `"12.5"` nor
`12.500000001`, through orjson's Fragment), datetimes as RFC 3339 UTC with milliseconds and `Z`.
The API's responses, the change feed's stored payloads and webhook bodies all use it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson

from storekeeper.domain.clock import format_timestamp
from storekeeper.domain.quantities import format_quantity


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
