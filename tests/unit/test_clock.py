"""Timestamps as the API shows them: RFC 3339 UTC with milliseconds and `Z`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from storekeeper.domain.clock import format_timestamp, plausible, to_utc, utcnow
from storekeeper.domain.errors import ValidationFailed


def test_timestamps_are_utc_with_milliseconds_and_z():
    assert format_timestamp(datetime(2026, 3, 12, 14, 0, tzinfo=UTC)) == "2026-03-12T14:00:00.000Z"
    assert format_timestamp(datetime(2026, 3, 12, 14, 0, 5, 123999, tzinfo=UTC)) == "2026-03-12T14:00:05.123Z"


def test_other_offsets_are_converted_to_utc_and_naive_times_taken_as_utc():
    berlin = timezone(timedelta(hours=2))
    assert format_timestamp(datetime(2026, 3, 12, 16, 0, tzinfo=berlin)) == "2026-03-12T14:00:00.000Z"
    assert format_timestamp(datetime(2026, 3, 12, 14, 0)) == "2026-03-12T14:00:00.000Z"
    assert to_utc(datetime(2026, 3, 12, 14, 0)).tzinfo is UTC


def test_no_timestamp_stays_none():
    assert format_timestamp(None) is None


def test_now_is_utc_at_millisecond_precision():
    now = utcnow()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert now.microsecond % 1000 == 0


def test_years_before_1000_are_written_with_four_digits():
    from datetime import UTC, datetime

    from storekeeper.domain.clock import format_timestamp

    assert format_timestamp(datetime(1, 1, 1, tzinfo=UTC)) == "0001-01-01T00:00:00.000Z"


def test_a_recorded_date_from_1970_to_2099_is_kept_in_utc():
    berlin = timezone(timedelta(hours=1))
    assert plausible(datetime(1970, 1, 1, 1, 0, tzinfo=berlin), "due") == datetime(1970, 1, 1, tzinfo=UTC)
    assert plausible(datetime(2099, 12, 31, 23, 59, 59), "due") == datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert plausible(None, "due") is None


def test_an_implausible_date_is_refused_naming_the_field_and_the_range():
    for moment in (datetime(1, 1, 1, tzinfo=UTC), datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC),
                   datetime(2100, 1, 1, tzinfo=UTC),
                   datetime(9999, 12, 31, 23, 0, tzinfo=timezone(-timedelta(hours=2))),
                   datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))):
        with pytest.raises(ValidationFailed) as refused:
            plausible(moment, "occurred_at")
        assert refused.value.fields == {"occurred_at": ["Must be a date from 1970-01-01 to 2099-12-31 (UTC)."]}
