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
- One access-log line per request with the path but never the query string, which may hold
  `api_key`.
"""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import parse_qsl

from storekeeper.api.errors import NUL_MESSAGE, BodyTooLarge, raw_error
from storekeeper.domain.ids import new_id

log = logging.getLogger("storekeeper.access")

_REQUEST_ID_RE = re.compile(rb"^[A-Za-z0-9._:\-]{1,128}$")
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


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


class ApiMiddleware:
    def __init__(self, app, max_body_bytes: int):
        self.app = app
        self.max_body_bytes = max_body_bytes

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
        extra_headers = [(b"x-api-version", b"1"), (b"x-request-id", request_id.encode())]
        status_holder = [500]
        response_started = [False]

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                response_started[0] = True
                status_holder[0] = message["status"]
                message["headers"] = list(message.get("headers", [])) + extra_headers
            await send(message)

        try:
            rejection = self._reject(scope, headers, request_id)
            if rejection is not None:
                await rejection(scope, receive, send_with_headers)
                return
            await self.app(scope, self._limited(receive, scope), send_with_headers)
        except Exception:
            if not response_started[0]:
                internal = raw_error(500, "INTERNAL", "Something went wrong on our side.", request_id)
                await internal(scope, receive, send_with_headers)
            raise
        finally:
            log.info(
                "%s %s %s %.1fms",
                scope["method"],
                scope["path"],
                status_holder[0],
                (time.perf_counter() - started) * 1000,
                extra={"request_id": request_id},
            )

    def _reject(self, scope, headers, request_id):
        version = headers.get(b"x-api-version")
        if version is not None and version.strip() != b"1":
            return raw_error(400, "UNSUPPORTED_API_VERSION", "Only X-Api-Version: 1 is supported.", request_id)
        nul_fields = _nul_fields(scope)
        if nul_fields:
            return raw_error(422, "VALIDATION_ERROR", "The request is not valid.", request_id, fields=nul_fields)
        if scope["method"] not in _WRITE_METHODS:
            return None
        length = headers.get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                return raw_error(400, "MALFORMED_REQUEST", "Content-Length is not a number.", request_id)
            if declared > self.max_body_bytes:
                return raw_error(413, "PAYLOAD_TOO_LARGE", self._too_large_message(), request_id)
        has_body = (length is not None and length.strip() != b"0") or b"transfer-encoding" in headers
        if has_body and not _is_json(headers.get(b"content-type", b"")):
            return raw_error(
                415, "UNSUPPORTED_MEDIA_TYPE", "Send the request body as JSON (Content-Type: application/json).",
                request_id,
            )
        return None

    def _too_large_message(self) -> str:
        return f"The request body is larger than {self.max_body_bytes} bytes."

    def _limited(self, receive, scope):
        if scope["method"] not in _WRITE_METHODS:
            return receive
        received = 0
        limit = self.max_body_bytes

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(self._too_large_message())
            return message

        return limited_receive
