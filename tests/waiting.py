"""How long a test waits for something to happen, and the one way it waits.

A deadline bounds a failure; it is never a pause. A passing test waits only until its condition
holds, so the deadline can be generous: on a CI machine under load (a load average of 8 to 12 on
two cores) a server's start with its migrations, a demo's sixty days or a worker's next round
take many times what they take on an idle machine. `STOREKEEPER_TEST_PATIENCE` scales every
deadline (2 doubles them) for a slower machine still.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_SCALE = float(os.environ.get("STOREKEEPER_TEST_PATIENCE", "1"))

PATIENCE = 120 * _SCALE
"""Seconds to wait for a condition: a server healthy, a line printed, a delivery, a thread ended."""

CLIENT_TIMEOUT = 60 * _SCALE
"""Seconds an HTTP client of a test waits for one answer from a server under load."""


def wait_until(condition: Callable[[], T], what: str | Callable[[], str], *, timeout: float = PATIENCE,
               interval: float = 0.05) -> T:
    """`condition()` once it is truthy (polled every `interval` s); fail naming `what` if it is not
    within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what() if callable(what) else what}")
        time.sleep(interval)
