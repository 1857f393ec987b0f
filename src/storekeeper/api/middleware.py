"""Cross-cutting HTTP rules of SPEC §2, as one pure ASGI middleware (no per-request task or
thread, unlike Starlette's BaseHTTPMiddleware):

- `X-Request-Id` echoed when the client sent a sane one, else generated; `X-Api-Version: 1`
  on every response; any other requested version → 400 UNSUPPORTED_API_VERSION.
- Writes with a body must be JSON (415) and at most `max_body_bytes` (413), whether the size is
  declared by Content-Length or only discovered while the body streams in.
- Text with a NUL character in the path or the query → 422 VALIDATION_ERROR (no database
  column can hold it; PostgreSQL refuses it outright).
- An unexpected exception still gets the 500 envelope with both headers; it is re-raised
  afterwards for the server error handler to log.
- The rate-limit headers of an authenticated request (api/ratelimit.py: `authenticate` leaves
  its decision in the request context), on its errors too.
- One access-log line per request with the path and the route template but never the query
  string, which may hold `api_key`; the request counted in the app's metrics by route template.

Under a /compat facade (compat/facade.py) the rules are the vendor's: no `X-Api-Version` (a
facade has its own versioning), refusals in the vendor's envelope, rate-limit headers in the
vendor's form.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import Protocol
from urllib.parse import parse_qsl

from fastapi.routing import iter_route_contexts

from storekeeper.api.errors import NUL_MESSAGE, BodyTooLarge, Problem, render_problem
from storekeeper.api.metrics import Metrics
from storekeeper.api.ratelimit import RateLimit, RateLimiter
from storekeeper.domain.errors import Code
from storekeeper.domain.ids import new_id
from storekeeper.services.context import RequestContext, begin_request, end_request

log = logging.getLogger("storekeeper.access")

# The dashboard's file uploads (web/files.py), which may be larger than an API request.
UPLOAD_PATHS = frozenset({"/import/items", "/import/stock"})

_REQUEST_ID_RE = re.compile(rb"^[A-Za-z0-9._:\-]{1,128}$")
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_METHODS = _WRITE_METHODS | {"GET", "HEAD", "OPTIONS"}
UNMATCHED = "unmatched"  # the route of a request that matched none, or was refused before routing


def _is_json(content_type: bytes) -> bool:
    media = content_type.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or (media.startswith(b"application/") and media.endswith(b"+json"))


def _nul_fields(scope) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    if "\x00" in scope["path"]:
        fields["path"] = [NUL_MESSAGE]
    query = scope.get("query_string", b"")
    if b"%00" in query:
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            if "\x00" in name or "\x00" in value:
                fields[name.replace("\x00", "") or "query"] = [NUL_MESSAGE]
    return fields


class Edge(Protocol):
    """How the API a request came through speaks at its edge: /v1's own rules, or a facade's."""

    @property
    def prefix(self) -> str: ...

    @property
    def render(self) -> Callable[[Problem], object]: ...

    @property
    def rate_limit_headers(self) -> Callable[[RateLimit], list[tuple[bytes, bytes]]]: ...


class RouteTemplates:
    """The template (`/v1/items/{ref}`) of the route that served a request. Routing leaves the
    route in the scope; its template with the prefixes of the routers that include it is read
    once from the app's route table."""

    def __init__(self):
        self._paths: dict[int, str] = {}

    def of(self, scope) -> str:
        route = scope.get("route")
        if route is None:
            return UNMATCHED
        path = self._paths.get(id(route))
        if path is None:
            if "app" in scope:
                contexts = iter_route_contexts(scope["app"].routes)
                self._paths = {id(context.original_route): context.path for context in contexts}
            path = self._paths.setdefault(id(route), getattr(route, "path", UNMATCHED))
        # A facade's route is named with the facade's prefix (compat/facade.py sets it).
        prefix = getattr(getattr(scope.get("app"), "state", None), "route_prefix", "")
        return prefix + path


class ApiMiddleware:
    def __init__(self, app, max_body_bytes: int, metrics: Metrics | None = None, limiter: RateLimiter | None = None,
                 facades: Sequence[Edge] = (), max_upload_bytes: int | None = None):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes or max_body_bytes
        self.metrics = metrics
        self.limiter = limiter
        self.routes = RouteTemplates()
        self.facades = tuple(facades)

    def _facade(self, path: str) -> Edge | None:
        for facade in self.facades:
            if path == facade.prefix or path.startswith(facade.prefix + "/"):
                return facade
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope["headers"])
        client_id = headers.get(b"x-request-id")
        if client_id is not None and _REQUEST_ID_RE.match(client_id):
            request_id = client_id.decode()
        else:
            request_id = new_id("request")
        scope.setdefault("state", {})["request_id"] = request_id
        client = scope.get("client")
        context = RequestContext(request_id=request_id, ip=client[0] if client else None)
        context_token = begin_request(context)
        facade = self._facade(scope["path"])
        extra_headers = [(b"x-request-id", request_id.encode())]
        if facade is None:
            extra_headers.append((b"x-api-version", b"1"))
        status_holder = [500]
        response_started = [False]

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                response_started[0] = True
                status_holder[0] = message["status"]
                message["headers"] = list(message.get("headers", [])) + extra_headers
                if context.rate_limit is not None:
                    message["headers"] += (facade.rate_limit_headers(context.rate_limit) if facade is not None
                                           else context.rate_limit.headers())
            await send(message)

        def raw_error(status: int, code: str, message: str, **extra):
            """An ASGI app answering with an error, before routing: in the envelope of the API
            the request came to."""
            problem = Problem(status, code, message, request_id, **extra)
            return facade.render(problem) if facade is not None else render_problem(problem)

        try:
            rejection = self._reject(scope, headers, raw_error, facade is not None)
            if rejection is not None:
                await rejection(scope, receive, send_with_headers)
                return
            await self.app(scope, self._limited(receive, scope), send_with_headers)
        except Exception:
            if not response_started[0]:
                internal = raw_error(500, Code.INTERNAL, "Something went wrong on our side.")
                await internal(scope, receive, send_with_headers)
            raise
        finally:
            end_request(context_token)
            self._done(scope, context, status_holder[0], time.perf_counter() - started)

    def _done(self, scope, context: RequestContext, status: int, seconds: float) -> None:
        method = scope["method"] if scope["method"] in _METHODS else "OTHER"
        route = self.routes.of(scope)
        if self.metrics is not None:
            self.metrics.observe(method, route, status, seconds)
        if (self.limiter is not None and context.rate_limit is not None and method == "PATCH"
                and route == "/v1/workspace" and status < 300):
            self.limiter.plans.forget(context.rate_limit.workspace_id)  # a new plan applies at once
        duration_ms = round(seconds * 1000, 1)
        log.info(
            "%s %s %s %.1fms", method, scope["path"], status, duration_ms,
            extra={"request_id": context.request_id, "method": method, "route": route, "path": scope["path"],
                   "status": status, "duration_ms": duration_ms},
        )

    def _reject(self, scope, headers, raw_error, facade: bool):
        version = headers.get(b"x-api-version")
        if not facade and version is not None and version.strip() != b"1":
            return raw_error(400, Code.UNSUPPORTED_API_VERSION, "Only X-Api-Version: 1 is supported.")
        nul_fields = _nul_fields(scope)
        if nul_fields:
            return raw_error(422, Code.VALIDATION_ERROR, "The request is not valid.", fields=nul_fields)
        if scope["method"] not in _WRITE_METHODS:
            return None
        length = headers.get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                return raw_error(400, Code.MALFORMED_REQUEST, "Content-Length is not a number.")
            if declared > self._limit(scope):
                return raw_error(413, Code.PAYLOAD_TOO_LARGE, self._too_large_message(scope))
        has_body = (length is not None and length.strip() != b"0") or b"transfer-encoding" in headers
        # The API takes JSON; the dashboard's pages take their forms.
        if has_body and scope["path"].startswith("/v1/") and not _is_json(headers.get(b"content-type", b"")):
            return raw_error(
                415, "UNSUPPORTED_MEDIA_TYPE", "Send the request body as JSON (Content-Type: application/json).")
        return None

    def _limit(self, scope) -> int:
        return self.max_upload_bytes if scope["path"] in UPLOAD_PATHS else self.max_body_bytes

    def _too_large_message(self, scope) -> str:
        return f"The request body is larger than {self._limit(scope)} bytes."

    def _limited(self, receive, scope):
        if scope["method"] not in _WRITE_METHODS:
            return receive
        received = 0
        limit = self._limit(scope)

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(self._too_large_message(scope))
            return message

        return limited_receive
