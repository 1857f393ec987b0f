"""Column types that keep values exact and comparable on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, DateTime, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

from storekeeper.domain.quantities import from_micros, to_micros
from storekeeper.jsoncodec import dumps


class Micros(TypeDecorator[Decimal]):
    """An exact decimal with 6 places, stored as integer micro-units (BIGINT).

    Integer storage makes `on_hand + :delta` and SUM() exact on both databases; SQLite has no
    exact NUMERIC type.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        # Values are amounts (5 means five units), never micro-units: an int is converted too.
        if value is None:
            return None
        return to_micros(value if isinstance(value, Decimal) else Decimal(value))

    def process_result_value(self, value, dialect):
        return from_micros(value)


class UTCDateTime(TypeDecorator[datetime]):
    """timestamptz on PostgreSQL; naive UTC text on SQLite (which sorts correctly as text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONDoc = JSON().with_variant(JSONB(), "postgresql")


class JSONText(TypeDecorator[str]):
    """A document written with storekeeper.jsoncodec (exact decimals, RFC 3339 times) and read
    back as its JSON text, to be sent on as it is (the change feed, webhook bodies, the audit
    log). JSON columns would turn decimals into floats."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return dumps(value).decode()

    def process_result_value(self, value, dialect):
        return value
