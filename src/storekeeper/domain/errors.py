"""Typed errors with a stable `code`, raised by the domain and the services.

`api/errors.py` maps each class to its HTTP status and the SPEC's envelope; the CLI maps the
same classes to exit codes. Nothing here knows about HTTP.
"""

from __future__ import annotations

from typing import Any


class StorekeeperError(Exception):
    code = "INTERNAL"

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or {}


class ValidationFailed(StorekeeperError):
    """Input that is well-formed but breaks a rule; `fields` maps a field path to its messages."""

    code = "VALIDATION_ERROR"

    def __init__(self, fields: dict[str, list[str]], message: str = "The request is not valid."):
        super().__init__(message)
        self.fields = fields


class ReadonlyField(ValidationFailed):
    code = "READONLY_FIELD"


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

    code = "INVALID_STATE"


class WorkspaceExists(Conflict):
    """`storekeeper init` on a database that already has the workspace it would make."""

    code = "WORKSPACE_EXISTS"

    def __init__(self, name: str | None, existing: list[dict[str, Any]]):
        if name is None:
            message = "The database already has a workspace; nothing was created."
        else:
            message = f"A workspace named {name!r} already exists; nothing was created."
        super().__init__(message, details={"workspaces": existing})


class PreconditionFailed(StorekeeperError):
    code = "PRECONDITION_FAILED"

    def __init__(self, current_version: int):
        super().__init__(
            f"The resource has changed: its version is now {current_version}.",
            details={"version": current_version},
        )


class DomainRuleBroken(StorekeeperError):
    """A domain rule that makes the request unprocessable (NEGATIVE_QUANTITY, UNIT_MISMATCH, …): 422."""


class Unauthenticated(StorekeeperError):
    code = "UNAUTHENTICATED"


class InvalidApiKey(Unauthenticated):
    code = "INVALID_API_KEY"


class Forbidden(StorekeeperError):
    """The caller is known but may not do this (INSUFFICIENT_SCOPE, READONLY_LOCATION): 403."""

    code = "INSUFFICIENT_SCOPE"


class BadRequest(StorekeeperError):
    """The request itself is unusable (MALFORMED_JSON, UNSUPPORTED_API_VERSION): 400."""


class StockError(DomainRuleBroken):
    """A stock rule refused the change (NEGATIVE_QUANTITY, INSUFFICIENT_STOCK, REASON_DIRECTION,
    NOT_STOCKABLE): 422, with the numbers in `details`."""


class BulkFailed(DomainRuleBroken):
    code = "BULK_FAILED"

    def __init__(self, errors: list[dict]):
        super().__init__(
            f"{len(errors)} of the adjustments cannot be applied; nothing was applied.", details={"errors": errors}
        )
