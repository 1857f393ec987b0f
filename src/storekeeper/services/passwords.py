"""Passwords of the dashboard's users: argon2 hashes (argon2-cffi's defaults: argon2id), made and
checked on threads of their own.

One hash or check takes about a tenth of a second of a core, and argon2-cffi releases the GIL
while it works: on the threads that serve the API, eight clients sending wrong passwords took
the CPU from every other request (GET /v1/me went from 5 ms to 1.5 s). `PasswordWork` runs
them on at most `threads` threads of its own, so they never take more than that many cores,
and refuses a sign-in (`PasswordsBusy`) when more than `queue` are waiting rather than letting
the line grow without end. They only ever run argon2: nothing here waits for the database, so
a request that holds a write lock while it waits for a hash cannot wait for itself.
"""

from __future__ import annotations

import asyncio
import contextvars
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from storekeeper.domain.errors import Code, StorekeeperError, ValidationFailed

T = TypeVar("T")

_HASHER = PasswordHasher()
MIN_PASSWORD = 10
# A hash to check a password against when no user has the email given, so that the answer takes
# as long either way (no probing which emails exist by timing).
DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))
THREAD_NAME = "storekeeper-passwords"


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed({"password": [f"At least {MIN_PASSWORD} characters."]})
    return _HASHER.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """A password to print once (`storekeeper init`, `users password`): 16 url-safe characters."""
    return secrets.token_urlsafe(12)


class PasswordsBusy(StorekeeperError):
    code = Code.SIGN_IN_BUSY

    def __init__(self, retry_after: int = 2):
        super().__init__(f"Too many sign-ins are being checked: retry after {retry_after} seconds.",
                         details={"retry_after": retry_after})
        self.retry_after = retry_after


class PasswordWork:
    """A server process's password threads and the line in front of them."""

    def __init__(self, threads: int, queue: int):
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=THREAD_NAME)
        self._places = threading.BoundedSemaphore(threads + queue)
        self._lock = threading.Lock()
        self._pending = 0

    @property
    def pending(self) -> int:
        """Jobs running or waiting in line."""
        return self._pending

    def submit(self, fn: Callable[..., T], *args: Any, wait: bool = False) -> Future[T]:
        """Run `fn(*args)` on a password thread (with the caller's context: request id, ip).
        When every thread is busy and the line is full: PasswordsBusy, or with `wait` a wait."""
        if not self._places.acquire(blocking=wait):
            raise PasswordsBusy()
        self._count(+1)
        try:
            future = self._executor.submit(contextvars.copy_context().run, fn, *args)
        except BaseException:
            self._done()
            raise
        future.add_done_callback(lambda _future: self._done())
        return future

    def _count(self, change: int) -> None:
        with self._lock:
            self._pending += change

    def _done(self) -> None:
        self._count(-1)
        self._places.release()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """For an async endpoint: the request waits without holding any thread."""
        return await asyncio.wrap_future(self.submit(fn, *args))

    def hash(self, password: str) -> str:
        """A new hash, for a request thread setting a password (an admin's change through the API
        or the dashboard): it waits its turn rather than being refused, as it is rare and the
        API's rate limits already bound it."""
        return self.submit(hash_password, password, wait=True).result()
