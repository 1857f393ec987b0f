"""Time as the API shows it: UTC, millisecond precision, RFC 3339 with `Z`."""

from __future__ import annotations

from datetime import UTC, datetime

from storekeeper.domain.errors import ValidationFailed

# The dates a client records (when a movement happened, when a purchase order is expected, when
# a production order is due) lie from 1970 to 2099: a year 0001 or 20260 is a slip of the
# keyboard, never a date of a stock's history or plans, and is refused rather than kept.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)  # the first moment refused
IMPLAUSIBLE = "Must be a date from 1970-01-01 to 2099-12-31 (UTC)."


def utcnow() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def to_utc(value: datetime) -> datetime:
    """Aware datetimes are converted to UTC; naive ones are taken as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    value = to_utc(value)
    return f"{value.year:04d}-" + value.strftime("%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def is_plausible(value: datetime) -> bool:
    try:
        return EARLIEST <= to_utc(value) < LATEST
    except OverflowError:  # an offset took it past year 1 or 9999
        return False


def plausible(value: datetime | None, field: str) -> datetime | None:
    """`value` in UTC if it lies within EARLIEST and LATEST, else a VALIDATION_ERROR on `field`."""
    if value is None:
        return None
    if not is_plausible(value):
        raise ValidationFailed({field: [IMPLAUSIBLE]})
    return to_utc(value)
