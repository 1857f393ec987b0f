"""Rate limits per API key (SPEC §2), enforced by `authenticate` once the key is known.

Each key has a token bucket: it holds up to `burst` requests and refills at `per_second`; a
request takes one token. A workspace may also have quotas shared by all its keys, `per_minute`
and `per_day`, counted in fixed windows (the clock's minute, the UTC day). A refused request
takes nothing: neither a token nor a place in a quota. The plan is the workspace's
`settings.rate_limit`, read through a short cache so that a request costs no extra query.

The state lives in this process (`MemoryBackend`), or in Redis (`RedisBackend`) when several
processes serve one workspace: one Lua script checks and takes from the bucket and the quotas
atomically, on Redis' clock. When Redis cannot be reached, requests are let through (fail open)
with a warning: an outage of the limiter must not become an outage of the API.

The dashboard's sign-in throttle (web/throttle.py) keeps its buckets in the same backends, and
gives back (`give_back`) the token of an attempt that succeeded.

`X-RateLimit-*` describe whichever limit is closest to refusing: for the bucket, the burst, the
whole tokens left and the seconds until it is full again; for a quota, the quota, what is left
of it and the seconds until its window ends.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import select

from storekeeper.api.errors import error_response
from storekeeper.config import Settings
from storekeeper.domain.errors import Code, StorekeeperError
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import workspaces
from storekeeper.services.api_keys import Principal
from storekeeper.services.context import RequestContext

log = logging.getLogger("storekeeper.ratelimit")

MINUTE, DAY = 60, 86_400


@dataclass(frozen=True, slots=True)
class Plan:
    per_second: float
    burst: int
    per_minute: int | None = None
    per_day: int | None = None

    def quotas(self) -> list[tuple[int, int]]:
        """(window seconds, limit) of the quotas the plan has, minute first."""
        return [(span, limit) for span, limit in ((MINUTE, self.per_minute), (DAY, self.per_day)) if limit]


@dataclass(frozen=True, slots=True)
class Quota:
    limit: int
    used: int  # in the current window, this request included when it was allowed
    reset: float  # seconds until the window ends


@dataclass(frozen=True, slots=True)
class Usage:
    """What a backend reports for one request."""

    allowed: bool
    tokens: float  # left in the key's bucket, after taking one when allowed
    quotas: tuple[Quota, ...] = ()


@dataclass(frozen=True, slots=True)
class RateLimit:
    """The decision for one request, as its headers say it."""

    workspace_id: str
    allowed: bool
    limit: int
    remaining: int
    reset: int
    retry_after: int | None = None

    def headers(self) -> list[tuple[bytes, bytes]]:
        headers = [
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(self.remaining).encode()),
            (b"x-ratelimit-reset", str(self.reset).encode()),
        ]
        if self.retry_after is not None:
            headers.append((b"retry-after", str(self.retry_after).encode()))
        return headers


def decide(workspace_id: str, plan: Plan, usage: Usage) -> RateLimit:
    tokens = max(0.0, usage.tokens)
    # (remaining, reset, limit) of each limit; the one with the least left is reported, and of
    # two with as little left, the one that takes longer to come back.
    candidates = [(math.floor(tokens + 1e-9), math.ceil(max(0.0, plan.burst - tokens) / plan.per_second - 1e-9),
                   plan.burst)]
    candidates += [(max(0, q.limit - q.used), math.ceil(q.reset), q.limit) for q in usage.quotas]
    remaining, reset, limit = min(candidates, key=lambda c: (c[0], -c[1]))
    retry_after = None
    if not usage.allowed:
        waits = [(1 - tokens) / plan.per_second] if tokens < 1 else []
        waits += [q.reset for q in usage.quotas if q.used >= q.limit]
        retry_after = max(1, math.ceil(max(waits, default=1)))
    return RateLimit(workspace_id, usage.allowed, limit, remaining, max(0, reset), retry_after)


class RateLimited(StorekeeperError):
    code = Code.RATE_LIMITED

    def __init__(self, decision: RateLimit):
        seconds = decision.retry_after or 1
        super().__init__(
            f"Too many requests for this API key or workspace: retry after {seconds} "
            f"second{'s' if seconds != 1 else ''}.",
            details={"retry_after": seconds},
        )
        self.retry_after = seconds


async def rate_limited_handler(request: Request, exc: RateLimited):
    """429 with the SPEC's envelope; `Retry-After` and the X-RateLimit-* headers are added by the
    middleware from the request's decision."""
    return error_response(429, exc.code, exc.message, getattr(request.state, "request_id", None), **exc.details)


class MemoryBackend:
    """This process's buckets and quota counters, behind one lock."""

    MAX_BUCKETS = 100_000

    def __init__(self, clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time):
        self._clock = clock
        self._wall = wall
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float, float]] = {}  # key → (tokens, at, full at)
        self._windows: dict[tuple[str, int], tuple[int, int]] = {}  # (workspace, span) → (window, used)

    def take(self, plan: Plan, workspace_id: str, key_id: str) -> Usage:
        with self._lock:
            now, wall = self._clock(), self._wall()
            tokens, at, _full_at = self._buckets.get(key_id, (float(plan.burst), now, now))
            tokens = min(float(plan.burst), tokens + max(0.0, now - at) * plan.per_second)
            allowed = tokens >= 1
            windows = []
            for span, limit in plan.quotas():
                index = int(wall // span)
                window, used = self._windows.get((workspace_id, span), (index, 0))
                used = used if window == index else 0
                allowed = allowed and used < limit
                windows.append((span, limit, index, used, (index + 1) * span - wall))
            if allowed:
                tokens -= 1
                if len(self._buckets) >= self.MAX_BUCKETS:
                    self._prune(now)
                self._buckets[key_id] = (tokens, now, now + (plan.burst - tokens) / plan.per_second)
                windows = [(span, limit, index, used + 1, reset) for span, limit, index, used, reset in windows]
                for span, _limit, index, used, _reset in windows:
                    self._windows[(workspace_id, span)] = (index, used)
            return Usage(allowed, tokens, tuple(Quota(limit, used, reset) for _s, limit, _i, used, reset in windows))

    def give_back(self, plan: Plan, workspace_id: str, key_id: str) -> None:
        """Return a token taken from a bucket (the sign-in throttle's, for an attempt that
        succeeded: only failures count there)."""
        with self._lock:
            state = self._buckets.get(key_id)
            if state is None:
                return
            now = self._clock()
            tokens = min(float(plan.burst), state[0] + max(0.0, now - state[1]) * plan.per_second + 1)
            self._buckets[key_id] = (tokens, now, now + (plan.burst - tokens) / plan.per_second)

    def _prune(self, now: float) -> None:
        """Forget buckets that are full again: a missing bucket is a full one."""
        self._buckets = {key: state for key, state in self._buckets.items() if state[2] > now}


# KEYS[1]: the key's bucket (a hash of tokens and the time they were counted); KEYS[2]: the prefix
# of the workspace's quota counters. ARGV: per_second, burst, then (window seconds, limit) of each
# quota. Returns allowed, tokens, then (used, seconds to the window's end) of each quota. Numbers
# with fractions go back as strings: Redis would truncate them to integers.
_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = burst
if state[1] then
  tokens = math.min(burst, tonumber(state[1]) + math.max(0, now - tonumber(state[2])) * rate)
end
local allowed = tokens >= 1
local quotas = {}
for i = 3, #ARGV, 2 do
  local span, limit = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  local index = math.floor(now / span)
  local key = KEYS[2] .. ':' .. span .. ':' .. index
  local used = tonumber(redis.call('GET', key) or '0')
  if used >= limit then allowed = false end
  quotas[#quotas + 1] = {key, used, span, (index + 1) * span - now}
end
if allowed then
  tokens = tokens - 1
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
  redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
  for _, q in ipairs(quotas) do
    q[2] = redis.call('INCR', q[1])
    if q[2] == 1 then redis.call('EXPIRE', q[1], q[3] + 60) end
  end
end
local out = {allowed and 1 or 0, tostring(tokens)}
for _, q in ipairs(quotas) do
  out[#out + 1] = q[2]
  out[#out + 1] = tostring(q[4])
end
return out
"""


# KEYS[1]: a bucket; ARGV: per_second, burst. Puts back one token (see MemoryBackend.give_back).
_GIVE_BACK = """
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
if not state[1] then return 0 end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local tokens = math.min(burst, tonumber(state[1]) + math.max(0, now - tonumber(state[2])) * rate + 1)
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return 1
"""


class RedisBackend:
    """Buckets and quotas in Redis, shared by every process that names the same server. Keys of
    one workspace share a hash tag, `{ws_…}`, so that they live on one node of a cluster."""

    # After a failure, let requests through without asking Redis for this long: a server that is
    # down must not add a timeout to every request.
    PAUSE_AFTER_FAILURE = 2.0

    def __init__(self, url: str, prefix: str = "storekeeper:ratelimit", on_error: Callable[[], Any] | None = None):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self._errors = (redis.RedisError, OSError)
        # One retry, at once: enough to replace a pooled connection that a restart of Redis broke,
        # and a request waits a second at most for a Redis that does not answer.
        self._client = redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 1)
        )
        self._script = self._client.register_script(_SCRIPT)
        self._give_back = self._client.register_script(_GIVE_BACK)
        self._prefix = prefix
        self._on_error = on_error
        self._paused_until = 0.0

    def take(self, plan: Plan, workspace_id: str, key_id: str) -> Usage | None:
        if time.monotonic() < self._paused_until:
            return None
        quotas = plan.quotas()
        args: list[Any] = [repr(float(plan.per_second)), plan.burst]
        for span, limit in quotas:
            args += [span, limit]
        tag = f"{self._prefix}:{{{workspace_id}}}"
        try:
            out = self._script(keys=[f"{tag}:key:{key_id}", f"{tag}:quota"], args=args)
        except self._errors as exc:
            self._failed(exc)
            return None
        used = [(int(out[i]), float(out[i + 1])) for i in range(2, len(out), 2)]
        return Usage(
            bool(int(out[0])),
            float(out[1]),
            tuple(Quota(limit, u, reset) for (_span, limit), (u, reset) in zip(quotas, used, strict=True)),
        )

    def give_back(self, plan: Plan, workspace_id: str, key_id: str) -> None:
        if time.monotonic() < self._paused_until:
            return
        try:
            self._give_back(keys=[f"{self._prefix}:{{{workspace_id}}}:key:{key_id}"],
                            args=[repr(float(plan.per_second)), plan.burst])
        except self._errors as exc:
            self._failed(exc)

    def _failed(self, exc: Exception) -> None:
        self._paused_until = time.monotonic() + self.PAUSE_AFTER_FAILURE
        log.warning("rate limits not enforced: Redis is unavailable (%s: %s)", type(exc).__name__, exc)
        if self._on_error is not None:
            self._on_error()

    def close(self) -> None:
        self._client.close()


class PlanCache:
    """Each workspace's plan, read at most once per `ttl` seconds per process. A change through
    PATCH /v1/workspace is seen at once by the process that served it (`forget`), and by the
    others within `ttl`."""

    def __init__(self, db: Database, fallback: Plan, ttl: float, clock: Callable[[], float] = time.monotonic):
        self._db = db
        self._fallback = fallback
        self._ttl = ttl
        self._clock = clock
        self._plans: dict[str, tuple[float, Plan]] = {}
        self._lock = threading.Lock()

    def get(self, workspace_id: str) -> Plan:
        now = self._clock()
        cached = self._plans.get(workspace_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        plan = self._load(workspace_id)
        with self._lock:
            self._plans[workspace_id] = (now + self._ttl, plan)
        return plan

    def forget(self, workspace_id: str) -> None:
        with self._lock:
            self._plans.pop(workspace_id, None)

    def _load(self, workspace_id: str) -> Plan:
        with self._db.read() as conn:
            settings = conn.execute(
                select(workspaces.c.settings).where(workspaces.c.workspace_id == workspace_id)
            ).scalar()
        return plan_of(settings, self._fallback)


def plan_of(settings: dict[str, Any] | None, fallback: Plan) -> Plan:
    raw = (settings or {}).get("rate_limit") or {}
    per_second = raw.get("per_second") or fallback.per_second
    burst = raw.get("burst") or fallback.burst
    return Plan(float(per_second), max(1, int(burst)), raw.get("per_minute") or None, raw.get("per_day") or None)


class RateLimiter:
    def __init__(self, plans: PlanCache, backend: MemoryBackend | RedisBackend):
        self.plans = plans
        self.backend = backend

    def check(self, principal: Principal) -> RateLimit | None:
        """The decision for one more request of this key; None when it cannot be known (Redis
        unreachable) and the request goes through."""
        plan = self.plans.get(principal.workspace_id)
        usage = self.backend.take(plan, principal.workspace_id, principal.key_id)
        return None if usage is None else decide(principal.workspace_id, plan, usage)

    def close(self) -> None:
        close = getattr(self.backend, "close", None)
        if close is not None:
            close()


def build_backend(settings: Settings, on_error: Callable[[], Any] | None = None) -> MemoryBackend | RedisBackend:
    """Where buckets are counted: Redis shared by every process when `redis_url` names one."""
    if settings.redis_url:
        return RedisBackend(settings.redis_url, on_error=on_error)
    return MemoryBackend()


def build_limiter(settings: Settings, db: Database, on_backend_error: Callable[[], Any] | None = None
                  ) -> RateLimiter | None:
    if not settings.rate_limit_enabled:
        return None
    fallback = Plan(settings.rate_limit_per_second, settings.rate_limit_burst)
    plans = PlanCache(db, fallback, settings.rate_limit_plan_ttl_seconds)
    return RateLimiter(plans, build_backend(settings, on_backend_error))


async def limiter_of(request: Request) -> RateLimiter | None:
    return getattr(request.app.state, "limiter", None)


Limiter = Annotated[RateLimiter | None, Depends(limiter_of)]


def enforce(limiter: RateLimiter | None, principal: Principal, context: RequestContext | None) -> None:
    """Count the request against the key's limits, once per request (a route may resolve the
    key twice, for two scopes); raise RateLimited when over."""
    if limiter is None or (context is not None and context.rate_limit is not None):
        return
    decision = limiter.check(principal)
    if decision is None:
        return
    if context is not None:
        context.rate_limit = decision
    if not decision.allowed:
        raise RateLimited(decision)
