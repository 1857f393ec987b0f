"""Schema building blocks: exact quantities and money, read-only fields, lists and errors.

Request models forbid unknown fields (422) and answer read-only ones with READONLY_FIELD.
Response models describe what the serializers produce; they feed /openapi.json, and the
Schemathesis run checks every response against them.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from storekeeper.domain.clock import IMPLAUSIBLE, is_plausible, to_utc
from storekeeper.domain.quantities import PRICE_SCALE, InvalidQuantity, parse_decimal


def _quantity(value: Any) -> Decimal:
    try:
        return parse_decimal(value)
    except InvalidQuantity as exc:
        raise PydanticCustomError("decimal_invalid", str(exc)) from None


def _money(value: Any) -> Decimal:
    try:
        return parse_decimal(value, what="amount")
    except InvalidQuantity as exc:
        raise PydanticCustomError("decimal_invalid", str(exc)) from None


def _price(value: Any) -> Decimal:
    try:
        return parse_decimal(value, what="price", places=PRICE_SCALE)
    except InvalidQuantity as exc:
        raise PydanticCustomError("decimal_invalid", str(exc)) from None


_DECIMAL_IN_SCHEMA = {
    "anyOf": [
        {"type": "number"},
        {"type": "string", "pattern": r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$"},
    ],
}

# Requests: a JSON number or a numeric string, at most 6 decimal places, |q| <= 10^12.
QuantityIn = Annotated[Decimal, BeforeValidator(_quantity), WithJsonSchema(_DECIMAL_IN_SCHEMA)]
MoneyIn = Annotated[Decimal, BeforeValidator(_money), WithJsonSchema(_DECIMAL_IN_SCHEMA)]
# A net sale price: up to 10 decimal places (4.2016806723, the net of 5.00 at 19 %).
PriceIn = Annotated[Decimal, BeforeValidator(_price), WithJsonSchema(_DECIMAL_IN_SCHEMA)]


def _non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise PydanticCustomError("negative", "Must not be negative.")
    return value


NonNegativeQuantityIn = Annotated[QuantityIn, AfterValidator(_non_negative), WithJsonSchema(_DECIMAL_IN_SCHEMA)]
NonNegativeMoneyIn = Annotated[MoneyIn, AfterValidator(_non_negative), WithJsonSchema(_DECIMAL_IN_SCHEMA)]
NonNegativePriceIn = Annotated[PriceIn, AfterValidator(_non_negative), WithJsonSchema(_DECIMAL_IN_SCHEMA)]

# Responses: quantities are JSON numbers, money is a decimal string.
Quantity = Annotated[Decimal, WithJsonSchema({"type": "number"})]
Money = Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2,6}$", "examples": ["5.50"]})]
Price = Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2,10}$",
                                       "examples": ["4.2016806723"]})]
Timestamp = Annotated[datetime, WithJsonSchema({"type": "string", "format": "date-time"})]


def _not_a_number(value: Any) -> Any:
    """Pydantic reads a number, or a string of digits, as seconds since 1970: `2026` would be
    1970-01-01T00:33:46Z. Timestamps are RFC 3339 (SPEC §2)."""
    if isinstance(value, (int, float, Decimal)) or (isinstance(value, str) and _NUMBER_TEXT.fullmatch(value)):
        raise PydanticCustomError("datetime_type", "Expected an RFC 3339 timestamp such as 2026-03-12T14:00:00Z.")
    return value


_NUMBER_TEXT = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*")


def _representable_in_utc(value: datetime) -> datetime:
    """0001-01-01T00:00:00+01:00 is a valid timestamp whose UTC time is before year 1."""
    try:
        to_utc(value)
    except OverflowError:
        raise PydanticCustomError("datetime_range", "The time in UTC must be within years 1 to 9999.") from None
    return value


# Requests: an RFC 3339 timestamp, never a number.
TimestampIn = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(_representable_in_utc)]


def _plausible(value: datetime) -> datetime:
    if not is_plausible(value):
        raise PydanticCustomError("datetime_range", IMPLAUSIBLE)
    return value


# A date a client records (occurred_at, expected_at, due): from 1970 to 2099 (domain.clock), as the
# services check too. Filters (since, until, as_of) take any timestamp.
RecordedDateIn = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(_plausible)]
# JSON true/false only: lax mode would also take 0, 1, "yes" and "true".
Bool = Annotated[bool, Strict()]


def _reject_readonly(_value: Any) -> Any:
    raise PydanticCustomError("readonly_field", "This field is read-only.")


ReadOnly = SkipJsonSchema[Annotated[Any, AfterValidator(_reject_readonly)]]

# A row's number in its workspace (issue 21): what the /compat facades show as its integer id.
# Read-only: every write model that shows it declares it ReadOnly.
NumberInWorkspace = Annotated[int, Field(
    ge=1, description="Its number in the workspace: 1, 2, 3 … in the order they were made; never given again")]


class WriteModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReadModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ActorRead(ReadModel):
    """Who made a change: a movement's and an audit entry's `actor` (one schema, one name in
    /openapi.json: generated clients drop every model that refers to a name defined twice)."""

    type: Literal["api_key", "user", "system"]
    id: str
    name: str


T = TypeVar("T")


class PageMeta(ReadModel):
    limit: int
    total: int | None = Field(None, description="Rows matching the filters; absent with include_total=false.")
    has_more: bool
    next_cursor: str | None = None


class Page(ReadModel, Generic[T]):
    data: list[T]
    meta: PageMeta


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="allow")
    code: str
    message: str
    fields: dict[str, list[str]] | None = None
    request_id: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody
