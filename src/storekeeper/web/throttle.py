"""The sign-in throttle (SPEC §6): failed sign-ins counted per email and per client address, in
the API's rate-limit buckets (api/ratelimit.py): in the process's memory, or in Redis shared by
every process when `STOREKEEPER_REDIS_URL` is set.

Each email and each address has a bucket of `failures` tokens that fills again over the window:
with 5 and 15 minutes, five wrong passwords in a row, then one more try every 3 minutes, and five
again after 15 quiet minutes. An attempt takes a token from both buckets before its password is
checked, so that attempts sent at once cannot all pass, and one that succeeds gives them back:
only failures count, and a user's sign-in never uses up the limit of the address it shares. A
refused attempt takes nothing and checks no password. An email that belongs to nobody is counted
as any other (no probing which exist), and is kept only as a hash.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from typing import Literal

from storekeeper.api.ratelimit import MemoryBackend, Plan, RedisBackend, Usage, decide
from storekeeper.config import Settings

NAMESPACE = "sign-in"  # where the buckets live in the backend, apart from every workspace's


@dataclass(frozen=True, slots=True)
class Refused:
    limit: Literal["email", "address"]
    retry_after: int  # seconds until the next try may be made


@dataclass(frozen=True, slots=True)
class Attempt:
    """The tokens an attempt took, to give back if it succeeds."""

    taken: tuple[tuple[Plan, str], ...]


def address_key(host: str | None) -> str:
    """The bucket of a client address. An IPv6 client gets its /64, the block one subscriber
    holds: counted address by address, it would have 2^64 buckets to spread its guesses over."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return f"address:{host}"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"address:{address.ipv4_mapped}"
        return f"address:{ipaddress.IPv6Network((address, 64), strict=False)}"
    return f"address:{address}"


def email_key(email: str) -> str:
    return "email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


class SignInThrottle:
    def __init__(self, backend: MemoryBackend | RedisBackend, per_email: Plan, per_address: Plan):
        self.backend = backend
        self.per_email = per_email
        self.per_address = per_address

    @classmethod
    def from_settings(cls, settings: Settings, backend: MemoryBackend | RedisBackend) -> SignInThrottle:
        window = settings.sign_in_window_seconds
        return cls(backend, _plan(settings.sign_in_failures_per_email, window),
                   _plan(settings.sign_in_failures_per_address, window))

    @property
    def shared(self) -> bool:
        """Counted in Redis: each call is a network round trip."""
        return isinstance(self.backend, RedisBackend)

    def begin(self, host: str | None, email: str) -> Attempt | Refused:
        """Take a token for the address, then for the email; a refusal gives back what it took."""
        taken: list[tuple[Plan, str]] = []
        for limit, plan, key in (("address", self.per_address, address_key(host)),
                                 ("email", self.per_email, email_key(email))):
            usage: Usage | None = self.backend.take(plan, NAMESPACE, key)
            if usage is None:  # Redis unreachable: let the attempt through, as the API does
                continue
            if not usage.allowed:
                self.give_back(Attempt(tuple(taken)))
                return Refused(limit, decide(NAMESPACE, plan, usage).retry_after or 1)
            taken.append((plan, key))
        return Attempt(tuple(taken))

    def give_back(self, attempt: Attempt) -> None:
        """For an attempt that succeeded (or was refused by the other limit): it counts for nothing."""
        for plan, key in attempt.taken:
            self.backend.give_back(plan, NAMESPACE, key)

    def close(self) -> None:
        close = getattr(self.backend, "close", None)
        if close is not None:
            close()


def _plan(failures: int, window: float) -> Plan:
    return Plan(per_second=failures / window, burst=failures)
