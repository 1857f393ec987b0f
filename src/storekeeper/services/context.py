"""Who acts: an API key's principal, or the system itself (workers, the CLI)."""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class SystemActor:
    """The system acting on a workspace (expiry worker, `storekeeper` commands): every scope."""

    workspace_id: str
    name: str = "storekeeper"

    def allows(self, scope: str) -> bool:
        return True

    @property
    def actor(self) -> dict[str, str]:
        return {"type": "system", "id": "system", "name": self.name}


@dataclass(slots=True)
class RequestContext:
    """What the audit log and the change feed record about the request being served: set by the
    HTTP middleware when a request starts; `actor` by authentication once the key is known.
    Outside a request (CLI, worker) there is none and the system acts."""

    request_id: str | None = None
    ip: str | None = None
    actor: dict[str, str] | None = None
    # The rate-limit decision for the calling key (api/ratelimit.RateLimit), set by
    # authentication: the middleware turns it into X-RateLimit-* headers.
    rate_limit: Any = None


_current: ContextVar[RequestContext | None] = ContextVar("storekeeper_request", default=None)


def current_request() -> RequestContext | None:
    return _current.get()


def begin_request(context: RequestContext) -> Token:
    """Start serving a request in this context. The object is shared, not copied, with the
    worker threads that run the request's dependencies and handler, so authentication can set
    its actor for the handler to see."""
    return _current.set(context)


def end_request(token: Token) -> None:
    _current.reset(token)
