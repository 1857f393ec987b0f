"""The frame every seed dialect is built on (SPEC §5, STYLE's compat/).

A dialect is a FastAPI app of its own, mounted at `/compat/<name>` and serving the vendor's own
paths there, with its own OpenAPI document at `/compat/<name>/openapi.json`. It shares the
server's database, settings, rate limiter and password threads, and its routes are
`StorekeeperRoute`s, so every write honours `Idempotency-Key` as /v1 does. What a dialect says
for itself (`Dialect`): how the vendor sends the API key, how an error looks in the vendor's
envelope (every refusal is first a neutral `Problem`, then the dialect renders it), and how the
vendor writes its rate-limit headers. Its routes are thin translations over the same services
as /v1: one workspace, one ledger.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from storekeeper.api import codec, docs
from storekeeper.api.errors import InvalidInput, Problem, allowed_methods, validation_fields
from storekeeper.api.ratelimit import RateLimit, RateLimited, enforce
from storekeeper.api.routing import StorekeeperRoute, add_routes
from storekeeper.domain import errors as e
from storekeeper.services import api_keys
from storekeeper.services.api_keys import Principal
from storekeeper.services.context import current_request

log = logging.getLogger("storekeeper.compat")

PREFIX = "/compat"


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(codec.dumps(body), status_code=status, media_type="application/json", headers=headers)


def storekeeper_rate_limit_headers(decision: RateLimit) -> list[tuple[bytes, bytes]]:
    return decision.headers()


@dataclass(frozen=True)
class Dialect:
    """What makes a facade speak one vendor's API."""

    name: str  # the path segment: /compat/<name>
    title: str
    version: str
    description: str
    routers: Sequence[APIRouter]
    key_from: Callable[[Request], str | None]  # the API key as the vendor's clients send it
    render: Callable[[Problem], Response]  # a refusal in the vendor's envelope
    rate_limit_headers: Callable[[RateLimit], list[tuple[bytes, bytes]]] = storekeeper_rate_limit_headers
    tags: Sequence[dict[str, str]] = ()
    # How the OpenAPI document describes the key (an OpenAPI security scheme object).
    security_scheme: dict[str, Any] = field(default_factory=lambda: dict(BEARER_SCHEME))

    @property
    def prefix(self) -> str:
        return f"{PREFIX}/{self.name}"


BEARER_SCHEME = {"type": "http", "scheme": "bearer", "description": "A Storekeeper API key: `Bearer sk_…`"}


def bearer_key(request: Request) -> str | None:
    """`Authorization: Bearer <key>`, the style of most vendors."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() or None if scheme.lower() == "bearer" else None


def dialect_of(request: Request) -> Dialect:
    return request.app.state.dialect


def _authenticate(request: Request, scopes: tuple[str, ...]) -> Principal:
    """The caller of a facade route: the key as the vendor sends it, counted against the key's
    rate limits as on /v1, and refused without every Storekeeper scope the route maps to."""
    key = dialect_of(request).key_from(request)
    if not key:
        raise e.Unauthenticated("An API key is required.")
    principal = api_keys.authenticate(request.app.state.db, key.strip())
    context = current_request()
    if context is not None:
        context.actor = principal.actor
    enforce(request.app.state.limiter, principal, context)
    for scope in scopes:
        if not principal.allows(scope):
            raise e.Forbidden(f"This API key lacks the scope {scope!r}.", details={"required_scope": scope})
    return principal


def caller(*scopes: str):
    """A route's caller with the Storekeeper scopes its vendor scope maps to, as an `Annotated`
    alias like /v1's `StockRead`. `tests/compat/` walks each facade's routes for it."""

    def dependency(request: Request) -> Principal:
        return _authenticate(request, scopes)

    dependency.scopes = scopes  # read by the route-security test
    return Annotated[Principal, Depends(dependency)]


def required_scopes(route) -> tuple[str, ...] | None:
    """The scopes a facade route's caller needs, or None for a route without a caller."""
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        scopes = getattr(dependant.call, "scopes", None)
        if scopes is not None and dependant.call.__qualname__.startswith("caller."):
            return scopes
        pending += dependant.dependencies
    return None


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def _install_error_handlers(app: FastAPI, dialect: Dialect) -> None:
    render = dialect.render

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = list(exc.errors())
        if any(err.get("type") == "json_invalid" for err in errors):
            return render(Problem(400, "MALFORMED_JSON", "The request body is not valid JSON.", _request_id(request)))
        return render(Problem(422, "VALIDATION_ERROR", "The request is not valid.", _request_id(request),
                              validation_fields(errors)))

    # The parent app's handler for it does not reach a mounted app: without this, a facade's
    # client over its key's rate would get a 500.
    @app.exception_handler(RateLimited)
    async def _rate_limited(request: Request, exc: RateLimited):
        return render(Problem(429, exc.code, exc.message, _request_id(request), details=exc.details))

    @app.exception_handler(e.StorekeeperError)
    async def _domain(request: Request, exc: e.StorekeeperError):
        return render(Problem.of(exc, _request_id(request)))

    # A route's caller counts the request against the key's limits (`caller`): over them, 429 in
    # the vendor's envelope, as /v1's rate_limited_handler answers (Problem.of knows no status
    # for it: it is an API error, not a domain one). The middleware adds Retry-After.
    @app.exception_handler(RateLimited)
    async def _rate_limited(request: Request, exc: RateLimited):
        return render(Problem(429, exc.code, exc.message, _request_id(request), details=dict(exc.details)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if isinstance(exc, InvalidInput):
            return render(Problem(422, "VALIDATION_ERROR", str(exc.detail), _request_id(request), exc.fields))
        codes = {404: ("NOT_FOUND", "No such endpoint."), 405: ("METHOD_NOT_ALLOWED", str(exc.detail)),
                 413: ("PAYLOAD_TOO_LARGE", str(exc.detail))}
        code, message = codes.get(exc.status_code, ("HTTP_ERROR", str(exc.detail)))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request) or headers.get("Allow", "")
        return render(Problem(exc.status_code, code, message, _request_id(request), headers=headers))

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError):
        if "database is locked" not in str(exc.orig):
            log.exception("unhandled error", extra={"request_id": _request_id(request)})
            return render(Problem(500, "INTERNAL", "Something went wrong on our side.", _request_id(request)))
        return render(Problem(503, "DATABASE_BUSY", "The database is busy with another write; nothing was changed. "
                              "Try again shortly.", _request_id(request), headers={"Retry-After": "1"}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unhandled error", extra={"request_id": _request_id(request)})
        return render(Problem(500, "INTERNAL", "Something went wrong on our side.", _request_id(request)))


def build(dialect: Dialect, parent: FastAPI) -> FastAPI:
    """The facade's app, sharing `parent`'s state; mount it at `dialect.prefix`. A mounted app's
    lifespan never runs, so everything it needs is set here."""
    app = FastAPI(title=dialect.title, version=dialect.version, description=dialect.description,
                  openapi_url="/openapi.json", docs_url=None, redoc_url=None, openapi_tags=list(dialect.tags) or None)
    for name in ("db", "settings", "metrics", "limiter", "passwords"):
        setattr(app.state, name, getattr(parent.state, name, None))
    app.state.dialect = dialect
    app.state.route_prefix = dialect.prefix  # metrics and access logs name the route with it
    app.state.render_problem = dialect.render
    app.router.route_class = StorekeeperRoute
    _install_error_handlers(app, dialect)
    for router in dialect.routers:
        if router.route_class is not StorekeeperRoute:
            raise TypeError(f"{dialect.name}: build its routers with route_class=StorekeeperRoute")
        add_routes(app.router, router)
    _document_the_key(app, dialect)
    docs.install_facade(app, dialect.prefix)
    return app


def _document_the_key(app: FastAPI, dialect: Dialect) -> None:
    """The key's scheme in the facade's OpenAPI document, required by every operation (the
    routes' `caller` is a plain dependency, which FastAPI does not document)."""
    build_schema = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build_schema()
            schema.setdefault("components", {})["securitySchemes"] = {"apiKey": dialect.security_scheme}
            schema["security"] = [{"apiKey": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi
