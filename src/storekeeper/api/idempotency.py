"""Idempotency-Key on every write (SPEC §2), for every route at once.

`StorekeeperRoute` wraps each write endpoint with `idempotent()`. With an `Idempotency-Key`
header the wrapper claims the key, then runs the endpoint inside one outer write transaction —
the service's own transaction joins it (persistence/database.py) — and stores the rendered
response in that same transaction before it commits. A repeat gets the stored response with
`Idempotent-Replayed: true`; the key with another request gets 422 IDEMPOTENCY_KEY_REUSED; a
repeat while the first runs gets 409 IDEMPOTENCY_KEY_IN_USE. Refusals (4xx) are stored too, so
a retry sees the same answer; an unexpected failure frees the key for a retry.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from storekeeper.api.errors import Problem, render_problem, status_for
from storekeeper.domain.errors import StorekeeperError, ValidationFailed
from storekeeper.services import idempotency
from storekeeper.services.idempotency import Claim

current_request: ContextVar[Request | None] = ContextVar("storekeeper_request", default=None)

_KEY_RE = re.compile(r"[\x21-\x7e]{1,255}")
_KEPT_HEADERS = ("etag", "content-type")
HEADER = "Idempotency-Key"


def _fingerprint(request: Request) -> str:
    body = getattr(request, "_json", None)
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str) if body is not None else ""
    # How the key was sent (`?api_key=` or a header) does not make another request.
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "api_key"])
    text = f"{request.method} {request.url.path}?{query}\n{canonical}"
    return hashlib.sha256(text.encode()).hexdigest()


def _redacted(body: bytes, fields: tuple[str, ...]) -> str:
    text = body.decode()
    if not fields or not text:
        return text
    document = json.loads(text)
    for name in fields:
        if name in document:
            document[name] = None
    return json.dumps(document, separators=(",", ":"))


def idempotent(endpoint: Callable[..., Any], redact: tuple[str, ...] = ()) -> Callable[..., Any]:
    """`redact`: top-level response fields never stored (a new API key's secret): a replay
    shows them as null.

    An endpoint that is already wrapped is returned as it is: FastAPI before 0.137 rebuilds the
    routes of an included router from their (wrapped) endpoints, and a second wrapper would find
    the key claimed by the first and answer 409 IDEMPOTENCY_KEY_IN_USE."""
    if getattr(endpoint, "_storekeeper_idempotent", False):
        return endpoint

    @functools.wraps(endpoint)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        request = current_request.get()
        key = request.headers.get(HEADER) if request is not None else None
        principal, db = kwargs.get("principal"), kwargs.get("db")
        if key is None or principal is None or db is None:
            return endpoint(*args, **kwargs)
        if not _KEY_RE.fullmatch(key):
            raise ValidationFailed({HEADER: ["1 to 255 printable ASCII characters, no spaces."]})
        claim = Claim(principal.workspace_id, principal.key_id, key)

        def refusal(exc: StorekeeperError) -> idempotency.Answer | None:
            if status_for(exc) >= 500:
                return None
            # In the envelope of the API it came through: a /compat facade renders its vendor's.
            render = getattr(request.app.state, "render_problem", render_problem)
            refused = render(Problem.of(exc, getattr(request.state, "request_id", None)))
            return refused.status_code, _headers(refused), refused.body.decode()

        done = idempotency.once(
            db, claim, _fingerprint(request), lambda: endpoint(*args, **kwargs),
            lambda response: (response.status_code, _headers(response), _redacted(response.body, redact)), refusal)
        if done.replayed is not None:
            stored = done.replayed
            return Response(stored.body.encode(), status_code=stored.status,
                            headers={**stored.headers, "Idempotent-Replayed": "true"})
        return done.value

    wrapper._storekeeper_idempotent = True  # type: ignore[attr-defined]
    return wrapper


def _headers(response: Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS}


def redact_on_replay(*fields: str):
    """Mark an endpoint whose response holds secrets that must not be stored for replays.
    Put it below the route decorator, which registers the function it is given."""

    def mark(endpoint):
        endpoint.idempotency_redact = fields
        return endpoint

    return mark
