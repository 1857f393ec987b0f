"""Refusals in the Inventory Manager API's words (seed 003): `{"error": {"code", "message",
"field"}}` with a small set of snake_case codes like the document's `invalid_request`. Every
Storekeeper code maps to one (docs/dialects/modulus.md lists them); the HTTP status stays
Storekeeper's."""

from __future__ import annotations

from fastapi.responses import Response

from storekeeper.api.errors import Problem
from storekeeper.compat.facade import json_response

# Storekeeper codes whose Inventory Manager code is not the one of their status.
CODES = {
    "INVALID_API_KEY": "invalid_api_key",
    "NEGATIVE_QUANTITY": "insufficient_stock",
    "INSUFFICIENT_STOCK": "insufficient_stock",
}
BY_STATUS = {
    400: "invalid_request",
    401: "authentication_required",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "conflict",
    413: "invalid_request",
    415: "invalid_request",
    422: "invalid_request",
    429: "rate_limited",
    503: "service_unavailable",
}
# The field a refusal is about when Storekeeper's error names none.
FIELDS = {
    "DUPLICATE_SKU": "sku",
    "LOCATION_NOT_FOUND": "location",
    "NEGATIVE_QUANTITY": "quantity",
    "INSUFFICIENT_STOCK": "quantity",
}


def code_of(problem: Problem) -> str:
    if problem.code in CODES:
        return CODES[problem.code]
    return BY_STATUS.get(problem.status, "invalid_request" if problem.status < 500 else "internal_error")


def message_of(problem: Problem) -> str:
    """A refused field is named as the document's example names it ("The 'quantity' field …"),
    with how many other fields were refused too."""
    if not problem.fields:
        return problem.message
    (first, messages), *others = problem.fields.items()
    text = f"The '{first}' field is not valid: {messages[0].rstrip('.')}."
    if others:
        text += f" So are {len(others)} other field{'s' if len(others) > 1 else ''}: " \
                f"{', '.join(repr(name) for name, _ in others)}."
    return text


def render(problem: Problem) -> Response:
    body = {"code": code_of(problem), "message": message_of(problem),
            "field": problem.field or FIELDS.get(problem.code)}
    return json_response(problem.status, {"error": body}, problem.headers or None)
