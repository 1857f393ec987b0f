"""Timestamps as the API shows them: RFC 3339 UTC with milliseconds and `Z`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from storekeeper.domain.clock import format_timestamp, to_utc, utcnow


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
