"""Responses rendered by our codec (exact decimals, millisecond timestamps).

Handlers return these directly, so FastAPI does not validate the output a second time; the
response models on each route describe the shape for /openapi.json.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from typing import Any

from fastapi.responses import JSONResponse as FastAPIJSONResponse
from fastapi.responses import Response, StreamingResponse

from storekeeper.api import codec
from storekeeper.api.schemas.common import ErrorResponse
from storekeeper.persistence.pagination import Page
from storekeeper.services.exports import Export, csv_chunks


class JSONResponse(FastAPIJSONResponse):
    """A JSONResponse subclass, not a plain Response: FastAPI documents a route's response model in
    /openapi.json only when the route's response class is one (otherwise the schema says "string")."""

    def render(self, content: Any) -> bytes:
        return codec.dumps(content)


def resource(body: dict[str, Any], status: int = 200, version: int | None = None) -> JSONResponse:
    """A single resource, with its version as the ETag when it has one."""
    headers = {"ETag": f'"{version}"'} if version is not None else None
    return JSONResponse(body, status_code=status, headers=headers)


def page(result: Page, serialize: Callable[[dict[str, Any]], dict[str, Any]]) -> JSONResponse:
    meta: dict[str, Any] = {"limit": result.limit, "has_more": result.has_more, "next_cursor": result.next_cursor}
    if result.total is not None:
        meta["total"] = result.total
    return JSONResponse({"data": [serialize(row) for row in result.rows], "meta": meta})


def wants_csv(accept: str | None) -> bool:
    """`Accept: text/csv` (and not JSON as well)."""
    return bool(accept) and "text/csv" in accept and "application/json" not in accept


def csv_export(export: Export, filename: str) -> StreamingResponse:
    """Every record of a list as CSV, streamed a page at a time. The header and the first page
    are read before the response starts, so that a bad filter is still a 4xx, not a cut stream."""
    chunks = csv_chunks(export)
    first = next(chunks)
    return StreamingResponse(chain([first], chunks), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# A list endpoint's 200 also comes as CSV.
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}},
          "description": "JSON, or with `Accept: text/csv` every matching row as CSV (limit and cursor ignored)"}}


def no_content() -> Response:
    return Response(status_code=204)


_ERROR = {"model": ErrorResponse}
# Every /v1 operation documents these, so clients (and Schemathesis) know the error shape.
COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {**_ERROR, "description": "MALFORMED_JSON or UNSUPPORTED_API_VERSION"},
    401: {**_ERROR, "description": "UNAUTHENTICATED or INVALID_API_KEY"},
    403: {**_ERROR, "description": "INSUFFICIENT_SCOPE"},
    404: {**_ERROR, "description": "…_NOT_FOUND (also another workspace's resource)"},
    409: {**_ERROR, "description": "Conflict with the resource's state"},
    412: {**_ERROR, "description": "PRECONDITION_FAILED (If-Match)"},
    413: {**_ERROR, "description": "PAYLOAD_TOO_LARGE"},
    415: {**_ERROR, "description": "UNSUPPORTED_MEDIA_TYPE"},
    422: {**_ERROR, "description": "VALIDATION_ERROR, READONLY_FIELD or a domain rule"},
    429: {**_ERROR, "description": "RATE_LIMITED"},
}
