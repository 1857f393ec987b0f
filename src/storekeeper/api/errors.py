"""The one place that turns errors into HTTP: statuses and the SPEC's envelope

    {"error": {"code": "…", "message": "…", "fields": {…}, "request_id": "req_…"}}

`fields` appears only on validation errors; an error's other details (e.g. `errors` of a failed
bulk, `shortages`) sit beside `message`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from storekeeper.api import codec, paths
from storekeeper.domain import errors as e
from storekeeper.domain.errors import Code

log = logging.getLogger("storekeeper.api")

# Most specific first: the first class an error is an instance of decides its status.
STATUS_BY_CLASS: list[tuple[type[e.StorekeeperError], int]] = [
    (e.ValidationFailed, 422),
    (e.NotFound, 404),
    (e.PreconditionFailed, 412),
    (e.Conflict, 409),
    (e.DomainRuleBroken, 422),
    (e.Unauthenticated, 401),
    (e.Forbidden, 403),
    (e.BadRequest, 400),
]

_HTTP_CODES = {
    404: ("NOT_FOUND", "No such endpoint."),
    405: ("METHOD_NOT_ALLOWED", "This endpoint does not accept that method."),
    413: ("PAYLOAD_TOO_LARGE", None),
}


class BodyTooLarge(HTTPException):
    """Raised while the body streams in past the limit; an HTTPException so that FastAPI's
    body reading passes it through instead of calling it a parse error."""

    def __init__(self, detail: str):
        super().__init__(status_code=413, detail=detail)


NUL_MESSAGE = "Text must not contain NUL (\\u0000) characters."


class InvalidInput(HTTPException):
    """Input refused before validation (text with NUL characters): 422 VALIDATION_ERROR with
    `fields`. An HTTPException so that FastAPI's body reading passes it through."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__(status_code=422, detail="The request is not valid.")
        self.fields = fields


def status_for(error: e.StorekeeperError) -> int:
    for cls, status in STATUS_BY_CLASS:
        if isinstance(error, cls):
            return status
    return 500


def envelope(code: str, message: str, request_id: str | None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    body["request_id"] = request_id
    return {"error": body}


def error_response(status: int, code: str, message: str, request_id: str | None, **extra: Any) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="storekeeper"'} if status == 401 else None
    return Response(
        codec.dumps(envelope(code, message, request_id, **extra)),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def allowed_methods(request: Request) -> str:
    """Every method the app serves at the request's path. Starlette's 405 `Allow` names only the
    methods of the first route whose path matched, but FastAPI makes one route per method
    (`GET` and `DELETE /v1/api-keys/{key_id}` are two), and HTTP wants all of the resource's.
    Where a literal path and a template both match (`/v1/stock/adjustments` and
    `/v1/stock/{item}`), the literal one is the resource."""
    path = paths.route_path(request.scope)[0]  # as the routes matched it (an encoded slash kept)
    matches: list[tuple[int, set[str]]] = []
    for route in iter_route_contexts(request.app.routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            matches.append((len(getattr(route, "param_convertors", {}) or {}), set(route.methods or ())))
    if not matches:
        return ""
    fewest = min(params for params, _methods in matches)
    return ", ".join(sorted(set().union(*(m for params, m in matches if params == fewest))))


@dataclass(frozen=True)
class Problem:
    """A refusal before it is put in words: Storekeeper's code and status (SPEC §2), the
    offending fields, the error's details (shortages, a bulk's errors) and headers. /v1 renders
    it in the SPEC's envelope (`render_problem`); each /compat dialect in its vendor's."""

    status: int
    code: str
    message: str
    request_id: str | None = None
    fields: dict[str, list[str]] | None = None
    details: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, exc: e.StorekeeperError, request_id: str | None) -> Problem:
        status = status_for(exc)
        if status == 500:
            log.error("unmapped error %s", exc.code, exc_info=exc)
            return cls(500, "INTERNAL", "Something went wrong on our side.", request_id)
        fields = exc.fields if isinstance(exc, e.ValidationFailed) else None
        headers = {"WWW-Authenticate": 'Bearer realm="storekeeper"'} if status == 401 else {}
        return cls(status, exc.code, exc.message, request_id, fields, dict(exc.details), headers)

    @property
    def field(self) -> str | None:
        """The first offending field, for envelopes that name one."""
        return next(iter(self.fields), None) if self.fields else None


def render_problem(problem: Problem) -> Response:
    """A refusal in the SPEC's envelope."""
    response = error_response(problem.status, problem.code, problem.message, problem.request_id,
                              fields=problem.fields, **problem.details)
    response.headers.update(problem.headers)
    return response


def domain_error_response(exc: e.StorekeeperError, request_id: str | None) -> Response:
    return render_problem(Problem.of(exc, request_id))


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = list(loc[1:]) if loc and loc[0] in ("body", "query", "path", "header") else list(loc)
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif isinstance(part, str) and ("[" in part or "(" in part):
            continue  # union member or validator labels pydantic adds to the location
        else:
            path += f".{part}" if path else str(part)
    return path or (str(loc[0]) if loc else "body")


def _message(err: dict[str, Any]) -> str:
    if err.get("type") == "extra_forbidden":
        return "Unknown field."
    msg = str(err.get("msg", "Invalid value."))
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    return msg


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Pydantic's errors as `fields`: a field path (`lines[1].quantity`) to its messages."""
    fields: dict[str, list[str]] = {}
    for err in errors:
        fields.setdefault(_field_path(tuple(err.get("loc", ()))), []).append(_message(err))
    return fields


def validation_response(errors: list[dict[str, Any]], request_id: str | None) -> Response:
    if any(err.get("type") == "json_invalid" for err in errors):
        return error_response(400, Code.MALFORMED_JSON, "The request body is not valid JSON.", request_id)
    fields = validation_fields(errors)
    if any(err.get("type") == "readonly_field" for err in errors):
        return error_response(422, Code.READONLY_FIELD, "The request sets read-only fields.", request_id, fields=fields)
    return error_response(422, Code.VALIDATION_ERROR, "The request is not valid.", request_id, fields=fields)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        return validation_response(list(exc.errors()), _request_id(request))

    @app.exception_handler(e.StorekeeperError)
    async def _domain(request: Request, exc: e.StorekeeperError):
        return domain_error_response(exc, _request_id(request))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if isinstance(exc, InvalidInput):
            return error_response(422, Code.VALIDATION_ERROR, str(exc.detail), _request_id(request), fields=exc.fields)
        code, message = _HTTP_CODES.get(exc.status_code, ("HTTP_ERROR", None))
        response = error_response(exc.status_code, code, message or str(exc.detail), _request_id(request))
        response.headers.update(exc.headers or {})  # e.g. `Allow` on 405, as HTTP requires
        if exc.status_code == 405:
            response.headers["Allow"] = allowed_methods(request) or response.headers.get("Allow", "")
        return response

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError):
        if "database is locked" not in str(exc.orig):
            log.exception("unhandled error", extra={"request_id": _request_id(request)})
            return error_response(500, Code.INTERNAL, "Something went wrong on our side.", _request_id(request))
        # SQLite's write lock held past STOREKEEPER_SQLITE_BUSY_TIMEOUT_MS (by a long import,
        # say): the transaction rolled back, and trying again later is the answer.
        log.warning("database busy", extra={"request_id": _request_id(request)})
        response = error_response(503, Code.DATABASE_BUSY, "The database is busy with another write; nothing was "
                                  "changed. Try again shortly.", _request_id(request))
        response.headers["Retry-After"] = "1"
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unhandled error", extra={"request_id": _request_id(request)})
        return error_response(500, Code.INTERNAL, "Something went wrong on our side.", _request_id(request))
