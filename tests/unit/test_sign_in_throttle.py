"""The sign-in throttle's arithmetic (web/throttle.py), on the API's in-memory buckets with a clock
the test moves: five failures, then one more every window / limit, all again after the window;
what a refused or successful attempt takes; which addresses share a bucket; waits in words."""

from __future__ import annotations

import pytest

from storekeeper.api.ratelimit import MemoryBackend
from storekeeper.config import Settings
from storekeeper.web.sign_in import in_words
from storekeeper.web.throttle import Attempt, Refused, SignInThrottle, address_key


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def throttle(clock: Clock, per_email: int = 5, per_address: int = 20, window: float = 900) -> SignInThrottle:
    settings = Settings(sign_in_failures_per_email=per_email, sign_in_failures_per_address=per_address,
                        sign_in_window_seconds=window)
    return SignInThrottle.from_settings(settings, MemoryBackend(clock=clock, wall=clock))


def test_five_failures_then_one_more_every_three_minutes_and_all_again_after_the_window():
    clock = Clock()
    limits = throttle(clock)
    assert all(isinstance(limits.begin("192.0.2.1", "ada@example.com"), Attempt) for _ in range(5))
    assert limits.begin("192.0.2.1", "ada@example.com") == Refused("email", 180)
    clock.now += 120
    assert limits.begin("192.0.2.1", "ada@example.com") == Refused("email", 60)
    clock.now += 60
    assert isinstance(limits.begin("192.0.2.1", "ada@example.com"), Attempt)
    assert isinstance(limits.begin("192.0.2.1", "ada@example.com"), Refused)
    clock.now += 900
    assert all(isinstance(limits.begin("192.0.2.1", "ada@example.com"), Attempt) for _ in range(5))


def test_an_attempt_refused_for_its_email_takes_nothing_from_its_address():
    clock = Clock()
    limits = throttle(clock, per_email=1, per_address=3)
    assert isinstance(limits.begin("192.0.2.1", "ada@example.com"), Attempt)
    for _ in range(10):
        assert limits.begin("192.0.2.1", "ada@example.com") == Refused("email", 900)
    assert [isinstance(limits.begin("192.0.2.1", f"u{n}@example.com"), Attempt) for n in range(3)] == [
        True, True, False]


def test_a_successful_attempt_gives_back_what_it_took():
    clock = Clock()
    limits = throttle(clock, per_email=2, per_address=2)
    for _ in range(10):
        attempt = limits.begin("192.0.2.1", "ada@example.com")
        assert isinstance(attempt, Attempt)
        limits.give_back(attempt)
    assert [isinstance(limits.begin("192.0.2.1", "ada@example.com"), Attempt) for _ in range(3)] == [
        True, True, False]


def test_emails_are_counted_whatever_their_case_and_spaces():
    limits = throttle(Clock(), per_email=1)
    assert isinstance(limits.begin("192.0.2.1", "Ada@Example.com "), Attempt)
    assert isinstance(limits.begin("192.0.2.2", "ada@example.com"), Refused)


@pytest.mark.parametrize(("one", "other", "shared"), [
    ("192.0.2.1", "192.0.2.2", False),
    ("2001:db8:1:2::1", "2001:db8:1:2:ffff::9", True),  # one subscriber's /64
    ("2001:db8:1:2::1", "2001:db8:1:3::1", False),
    ("::ffff:192.0.2.1", "192.0.2.1", True),  # an IPv4 client on a dual-stack socket
    ("testclient", "testclient", True),
])
def test_which_client_addresses_share_a_bucket(one, other, shared):
    assert (address_key(one) == address_key(other)) is shared


@pytest.mark.parametrize(("seconds", "words"), [
    (1, "1 second"), (45, "45 seconds"), (60, "1 minute"), (61, "2 minutes"), (180, "3 minutes"),
    (3600, "1 hour"), (5400, "2 hours"),
])
def test_a_wait_in_words(seconds, words):
    assert in_words(seconds) == words
