"""Dependencies shared by the routers: the database, the caller and its scopes, paging.

Scopes and rate limits are enforced here and only here: every /v1 route declares its scope with
one of the `Annotated` aliases below (`ItemsRead`, `StockWrite`, …), which resolve the API key
and refuse a key over its rate limit (api/ratelimit.py) or without the scope before the handler
runs. tests/api/test_route_security.py walks the route table to prove that no route escapes this.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Query, Request, Security
from fastapi.security import (
    APIKeyHeader,
    APIKeyQuery,
    HTTPAuthorizationCredentials,
    HTTPBearer,
    SecurityScopes,
)

from storekeeper.api.ratelimit import Limiter, enforce
from storekeeper.domain.errors import Forbidden, Unauthenticated
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import api_keys
from storekeeper.services.api_keys import Principal
from storekeeper.services.context import current_request
from storekeeper.services.passwords import PasswordWork


# The dependencies that only read the request are `async def`: FastAPI runs a plain `def`
# dependency on a worker thread, a hop that costs more than the dependency itself.
async def get_db(request: Request) -> Database:
    return request.app.state.db


DB = Annotated[Database, Depends(get_db)]


async def get_passwords(request: Request) -> PasswordWork:
    return request.app.state.passwords


# Where a route that sets a password hashes it: the server's password threads (services/passwords.py).
Passwords = Annotated[PasswordWork, Depends(get_passwords)]

_bearer = HTTPBearer(auto_error=False, scheme_name="bearer", description="`Authorization: Bearer sk_…`")
_header = APIKeyHeader(name="X-Api-Key", auto_error=False, scheme_name="apiKeyHeader")
_query = APIKeyQuery(
    name="api_key", auto_error=False, scheme_name="apiKeyQuery",
    description="Accepted for clients that cannot set headers; never logged.",
)


def authenticate(
    security_scopes: SecurityScopes,
    db: DB,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header: Annotated[str | None, Depends(_header)],
    query: Annotated[str | None, Depends(_query)],
    limiter: Limiter,
) -> Principal:
    key = (bearer.credentials if bearer else None) or header or query
    if not key:
        raise Unauthenticated(
            "An API key is required: send `Authorization: Bearer <key>` or `X-Api-Key: <key>`."
        )
    principal = api_keys.authenticate(db, key.strip())
    request = current_request()
    if request is not None:
        request.actor = principal.actor
    # Rate limits count every request of a known key, one that lacks the scope too (SPEC §2).
    enforce(limiter, principal, request)
    for scope in security_scopes.scopes:
        if not principal.allows(scope):
            raise Forbidden(f"This API key lacks the scope {scope!r}.", details={"required_scope": scope})
    return principal


def _scoped(scope: str):
    return Annotated[Principal, Security(authenticate, scopes=[scope])]


AnyKey = Annotated[Principal, Security(authenticate)]
ItemsRead = _scoped("items:read")
ItemsWrite = _scoped("items:write")
StockRead = _scoped("stock:read")
StockWrite = _scoped("stock:write")
OrdersRead = _scoped("orders:read")
OrdersWrite = _scoped("orders:write")
ProductionRead = _scoped("production:read")
ProductionWrite = _scoped("production:write")
AuditRead = _scoped("audit:read")
Admin = _scoped("admin")


async def page_request(
    limit: Annotated[int, Query(ge=1, le=1000, description="Rows per page (default 50, max 1000).")] = 50,
    cursor: Annotated[str | None, Query(max_length=512, description="`next_cursor` of the previous page.")] = None,
    offset: Annotated[
        int | None, Query(ge=0, le=10_000_000, description="Rows to skip (use cursor when you can).")
    ] = None,
    include_total: Annotated[bool, Query(description="false skips counting the matching rows.")] = True,
) -> PageRequest:
    return PageRequest(limit=limit, cursor=cursor, offset=offset, include_total=include_total)


Paging = Annotated[PageRequest, Depends(page_request)]

_ETAG_RE = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')
# What an If-Match that is no ETag of ours stands for: versions start at 1, so it matches none and
# the service answers 412 with the resource's real version, after the body was validated and the
# resource found (a 404 or a 422 says more than a 412 would).
NO_VERSION = -1


async def if_match(
    value: Annotated[
        str | None,
        Header(alias="If-Match", description="The `ETag` (version) you last read; 412 if it changed."),
    ] = None,
) -> int | None:
    if value is None or value.strip() == "*":
        return None
    match = _ETAG_RE.match(value)
    return int(match.group(1)) if match else NO_VERSION


IfMatch = Annotated[int | None, Depends(if_match)]
