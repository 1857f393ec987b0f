"""Typed errors with a stable `code`, raised by the domain and the services.

`api/errors.py` maps each class to its HTTP status and the SPEC's envelope; the CLI maps the
same classes to exit codes. Nothing here knows about HTTP.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Code(StrEnum):
    """Every error code the API answers with (SPEC's error envelope), in one place: raise and
    compare with these, never with a string written again. A member equals its string, so the
    /compat dialects' tables keyed by code and JSON output are unchanged. Not-found codes are
    derived from the resource (`ITEM_NOT_FOUND`, `LOCATION_NOT_FOUND`, …: NotFound below)."""

    BOM_CYCLE = "BOM_CYCLE"
    BULK_FAILED = "BULK_FAILED"
    DATABASE_BUSY = "DATABASE_BUSY"
    DUPLICATE_EMAIL = "DUPLICATE_EMAIL"
    DUPLICATE_NAME = "DUPLICATE_NAME"
    DUPLICATE_SKU = "DUPLICATE_SKU"
    DUPLICATE_VARIANT = "DUPLICATE_VARIANT"
    HTTP_ERROR = "HTTP_ERROR"
    IDEMPOTENCY_KEY_IN_USE = "IDEMPOTENCY_KEY_IN_USE"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    INSUFFICIENT_SCOPE = "INSUFFICIENT_SCOPE"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    INTERNAL = "INTERNAL"
    INVALID_API_KEY = "INVALID_API_KEY"
    INVALID_REQUEST = "INVALID_REQUEST"
    INVALID_STATE = "INVALID_STATE"
    LOCATION_NOT_EMPTY = "LOCATION_NOT_EMPTY"
    MALFORMED_JSON = "MALFORMED_JSON"
    MALFORMED_REQUEST = "MALFORMED_REQUEST"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    NEGATIVE_QUANTITY = "NEGATIVE_QUANTITY"
    NOT_FOUND = "NOT_FOUND"
    NOT_STOCKABLE = "NOT_STOCKABLE"
    OVER_RECEIPT = "OVER_RECEIPT"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    PRECONDITION_FAILED = "PRECONDITION_FAILED"
    RATE_LIMITED = "RATE_LIMITED"
    READONLY_FIELD = "READONLY_FIELD"
    READONLY_LOCATION = "READONLY_LOCATION"
    REASON_DIRECTION = "REASON_DIRECTION"
    SIGN_IN_BUSY = "SIGN_IN_BUSY"
    STOCK_CHANGED = "STOCK_CHANGED"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    UNIT_COST_LOCKED = "UNIT_COST_LOCKED"
    UNIT_LOCKED = "UNIT_LOCKED"
    UNIT_MISMATCH = "UNIT_MISMATCH"
    UNSUPPORTED_API_VERSION = "UNSUPPORTED_API_VERSION"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    WORKSPACE_EXISTS = "WORKSPACE_EXISTS"


class StorekeeperError(Exception):
    code = Code.INTERNAL

    def __init__(self, message: str, *, code: Code | str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or {}


class ValidationFailed(StorekeeperError):
    """Input that is well-formed but breaks a rule; `fields` maps a field path to its messages."""

    code = Code.VALIDATION_ERROR

    def __init__(self, fields: dict[str, list[str]], message: str = "The request is not valid."):
        super().__init__(message)
        self.fields = fields


class ReadonlyField(ValidationFailed):
    code = Code.READONLY_FIELD


class NotFound(StorekeeperError):
    """Unknown, deleted, or another workspace's resource — indistinguishable on purpose."""

    def __init__(self, resource: str, ref: str | None = None):
        label = resource.replace("_", " ")
        message = f"No {label} {ref!r} exists." if ref is not None else f"No such {label}."
        super().__init__(message, code=f"{resource.upper()}_NOT_FOUND")
        self.resource = resource


class NoDefaultLocation(NotFound):
    """A request that names no location, in a workspace with no default location to go to (one
    whose locations were all deleted before the default location could no longer be)."""

    def __init__(self) -> None:
        super().__init__("location", "(default)")
        # The dashboard lists locations but does not create them: the API does.
        self.message = ("The workspace has no default location: create a location with POST /v1/locations "
                        "(the first one becomes the default), or name a location in the request.")
        self.args = (self.message,)


class Conflict(StorekeeperError):
    """A uniqueness or state rule (DUPLICATE_SKU, DUPLICATE_NAME, INVALID_STATE, …): HTTP 409."""

    code = Code.INVALID_STATE


class WorkspaceExists(Conflict):
    """`storekeeper init` on a database that already has the workspace it would make."""

    code = Code.WORKSPACE_EXISTS

    def __init__(self, name: str | None, existing: list[dict[str, Any]]):
        if name is None:
            message = "The database already has a workspace; nothing was created."
        else:
            message = f"A workspace named {name!r} already exists; nothing was created."
        super().__init__(message, details={"workspaces": existing})


class PreconditionFailed(StorekeeperError):
    code = Code.PRECONDITION_FAILED

    def __init__(self, current_version: int):
        super().__init__(
            f"The resource has changed: its version is now {current_version}.",
            details={"version": current_version},
        )


class DomainRuleBroken(StorekeeperError):
    """A domain rule that makes the request unprocessable (NEGATIVE_QUANTITY, UNIT_MISMATCH, …): 422."""


class Unauthenticated(StorekeeperError):
    code = Code.UNAUTHENTICATED


class InvalidApiKey(Unauthenticated):
    code = Code.INVALID_API_KEY


class Forbidden(StorekeeperError):
    """The caller is known but may not do this (INSUFFICIENT_SCOPE, READONLY_LOCATION): 403."""

    code = Code.INSUFFICIENT_SCOPE


class BadRequest(StorekeeperError):
    """The request itself is unusable (MALFORMED_JSON, UNSUPPORTED_API_VERSION): 400."""


class StockError(DomainRuleBroken):
    """A stock rule refused the change (NEGATIVE_QUANTITY, INSUFFICIENT_STOCK, REASON_DIRECTION,
    NOT_STOCKABLE): 422, with the numbers in `details`."""


class BulkFailed(DomainRuleBroken):
    code = Code.BULK_FAILED

    def __init__(self, errors: list[dict]):
        super().__init__(
            f"{len(errors)} of the adjustments cannot be applied; nothing was applied.", details={"errors": errors}
        )


# The stock rules' refusals (domain/ledger.py), typed: the numbers a client needs are attributes
# and `details`, the message says them in words.


class NotStockable(StockError):
    """The item holds no stock of its own for this: untracked, a variant parent, a bundle (whose
    stock is its components'), or one that a bill of materials cannot use."""

    code = Code.NOT_STOCKABLE


class InsufficientStock(StockError):
    """Less is available (on hand less reserved) than the change takes: every shortage listed."""

    code = Code.INSUFFICIENT_STOCK

    def __init__(self, shortages: list[dict[str, Any]], message: str | None = None):
        text = "; ".join(f"{s['sku']}: {s['needed']} needed, {s['available']} available" for s in shortages)
        super().__init__(message or f"{text} at this location.", details={"shortages": shortages})
        self.shortages = shortages


class NegativeStock(StockError):
    """The change would take a level below zero where the workspace does not allow it."""

    code = Code.NEGATIVE_QUANTITY

    def __init__(self, item_id: str, sku: str, location_id: str, on_hand: Any, delta: Any, *, counted: bool = False):
        after = on_hand + delta
        super().__init__(
            f"{sku}: a count cannot set on hand below 0 ({after})." if counted else
            f"{sku} has {on_hand} on hand at this location; {-delta} more cannot go out.",
            details={"item": item_id, "sku": sku, "location": location_id, "on_hand": on_hand, "delta": delta,
                     "shortage": -after})


class ReasonDirection(StockError):
    """A reason that only adds (or only takes) stock used for a change the other way."""

    code = Code.REASON_DIRECTION

    def __init__(self, reason: str, direction: str, delta: Any):
        sign = {"in": "increase", "out": "decrease"}.get(direction, "change")
        super().__init__(f"Reason {reason!r} must {sign} stock; this would change it by {delta}.",
                         details={"reason": reason, "delta": delta})


class StockChanged(Conflict):
    """Compare-and-set: on hand is no longer what the client expected (409)."""

    code = Code.STOCK_CHANGED

    def __init__(self, *, expected: Any, on_hand: Any):
        super().__init__(f"On hand is {on_hand}, not the expected {expected}.",
                         details={"expected_on_hand": expected, "on_hand": on_hand})
