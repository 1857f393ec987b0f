"""What every route of the Inventory Manager API shares: its callers (the document's scopes as
Storekeeper's), its rule that a body is JSON, its offset paging and its documented errors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.exceptions import HTTPException

from storekeeper.api.routing import StorekeeperRoute
from storekeeper.compat.facade import caller
from storekeeper.compat.modulus.schemas import ErrorResponse
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import locations

# The document's inventory:read is Storekeeper's stock:read + items:read; its inventory:write is
# stock:write where a quantity is written (stock.bring_total_to and create_item check it), and an
# item's own fields are Storekeeper's items:write.
ItemsRead = caller("items:read", "stock:read")
ItemsWrite = caller("items:write")
OrdersRead = caller("orders:read")
OrdersWrite = caller("orders:write")
AuditRead = caller("audit:read")
SnapshotsRead = caller("stock:read")  # as GET /v1/snapshots
TransactionsRead = caller("stock:read")  # as GET /v1/stock/movements
TransactionsWrite = caller("stock:write")

_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


async def json_body(request: Request) -> None:
    """The document: requests carry `Content-Type: application/json`. A body of another type (or
    of none) is refused before anything is read from it; a request without a body needs none."""
    if request.method not in _BODY_METHODS:
        return
    length = request.headers.get("content-length")
    has_body = (length is not None and length.strip() != "0") or "transfer-encoding" in request.headers
    if has_body and not _is_json(request.headers.get("content-type", "")):
        raise HTTPException(415, "Send the request body as JSON (Content-Type: application/json).")


async def paging(
    limit: Annotated[int, Query(ge=1, le=100, description="Number of items to return (default: 50, max: 100)")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Number of items to skip for pagination")] = 0,
) -> PageRequest:
    return PageRequest(limit=limit, offset=offset, include_total=True)


Paging = Annotated[PageRequest, Depends(paging)]

_ERROR: dict[str, Any] = {"model": ErrorResponse}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {**_ERROR, "description": "invalid_request: the body is not JSON"},
    401: {**_ERROR, "description": "authentication_required or invalid_api_key"},
    403: {**_ERROR, "description": "permission_denied: the key lacks a scope"},
    404: {**_ERROR, "description": "not_found"},
    409: {**_ERROR, "description": "conflict: a duplicate SKU, or a state that forbids the change"},
    413: {**_ERROR, "description": "invalid_request: the body is too large"},
    415: {**_ERROR, "description": "invalid_request: the body is not sent as application/json"},
    422: {**_ERROR, "description": "invalid_request (with the field), or insufficient_stock"},
    429: {**_ERROR, "description": "rate_limited"},
}


def router(tag: str) -> APIRouter:
    return APIRouter(prefix="/v1", tags=[tag], route_class=StorekeeperRoute, dependencies=[Depends(json_body)],
                     responses=ERRORS)


def location_names(db, workspace_id: str, ids) -> dict[str, str]:
    """The names of the locations the rows name, in one query."""
    return locations.names_of(db, workspace_id, set(ids))
