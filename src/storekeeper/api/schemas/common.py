"""Schema building blocks: exact quantities and money, read-only fields, lists and errors.

Request models forbid unknown fields (422) and answer read-only ones with READONLY_FIELD.
Response models describe what the serializers produce; they feed /openapi.json, and the
Schemathesis run checks every response against them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from storekeeper.domain.quantities import InvalidQuantity, parse_decimal


def _parse(value: Any, what: str) -> Decimal:
    try:
        return parse_decimal(value, what=what)
    except InvalidQuantity as exc:
        raise PydanticCustomError("decimal_invalid", str(exc)) from None
    except ArithmeticError:  # decimal.Overflow: an exponent beyond the decimal context, e.g. "1E1000000"
        raise PydanticCustomError("decimal_invalid", f"{what} must be between -10^12 and 10^12") from None


def _quantity(value: Any) -> Decimal:
    return _parse(value, "quantity")


def _money(value: Any) -> Decimal:
    return _parse(value, "amount")


_DECIMAL_IN_SCHEMA = {
    "anyOf": [
        {"type": "number"},
        {"type": "string", "pattern": r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$"},
    ],
}

# Requests: a JSON number or a numeric string, at most 6 decimal places, |q| <= 10^12.
QuantityIn = Annotated[Decimal, BeforeValidator(_quantity), WithJsonSchema(_DECIMAL_IN_SCHEMA)]
MoneyIn = Annotated[Decimal, BeforeValidator(_money), WithJsonSchema(_DECIMAL_IN_SCHEMA)]


def _non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise PydanticCustomError("negative", "Must not be negative.")
    return value


NonNegativeQuantityIn = Annotated[QuantityIn, AfterValidator(_non_negative), WithJsonSchema(_DECIMAL_IN_SCHEMA)]
NonNegativeMoneyIn = Annotated[MoneyIn, AfterValidator(_non_negative), WithJsonSchema(_DECIMAL_IN_SCHEMA)]

# Responses: quantities are JSON numbers, money is a decimal string.
Quantity = Annotated[Decimal, WithJsonSchema({"type": "number"})]
Money = Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2,6}$", "examples": ["5.50"]})]
Timestamp = Annotated[datetime, WithJsonSchema({"type": "string", "format": "date-time"})]


def _reject_readonly(_value: Any) -> Any:
    raise PydanticCustomError("readonly_field", "This field is read-only.")


ReadOnly = SkipJsonSchema[Annotated[Any, AfterValidator(_reject_readonly)]]


class WriteModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReadModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
