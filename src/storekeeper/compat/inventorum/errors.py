"""Refusals in the inventorum API's words (seed 000): `{"detail", "error": {"description",
"fields", "key"}}`, a dotted `key` per kind of error, `fields` naming each offending field with
its messages. As the document's examples show, a refused body is `400` with the key
`common.serializer_error` and the description "Serialization error", and a missing product is
`404 product.not_found` with no description."""

from __future__ import annotations

from fastapi.responses import Response

from storekeeper.api.errors import Problem
from storekeeper.compat.facade import json_response

SERIALIZER_ERROR = "Serialization error"
# Storekeeper's codes as the vendor's keys; any other code becomes `common.<code in lower case>`.
KEYS = {
    "VALIDATION_ERROR": "common.serializer_error",
    "READONLY_FIELD": "common.serializer_error",
    "MALFORMED_JSON": "common.parse_error",
    "UNAUTHENTICATED": "common.not_authenticated",
    "INVALID_API_KEY": "common.not_authenticated",
    "INSUFFICIENT_SCOPE": "common.permission_denied",
    "RATE_LIMITED": "common.throttled",
    "ITEM_NOT_FOUND": "product.not_found",
    "CATEGORY_NOT_FOUND": "category.not_found",
    "TAX_RATE_NOT_FOUND": "tax.not_found",
    "NOT_FOUND": "common.unknown",
    "NEGATIVE_QUANTITY": "inventory.negative_stock",
    "INSUFFICIENT_STOCK": "inventory.negative_stock",
}
# The document answers a refused body with 400, where Storekeeper says 422.
AS_BAD_REQUEST = {"VALIDATION_ERROR", "READONLY_FIELD"}


# The document's words for a missing field, and for an unknown tax type or category (refused as
# a bad field of the body, not as a missing resource).
REQUIRED = "This field is required."
AS_FIELDS = {"TAX_RATE_NOT_FOUND": ("tax_type", "Invalid tax"),
             "CATEGORY_NOT_FOUND": ("categories", "Invalid category")}


def _fields(fields: dict[str, list[str]] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, messages in (fields or {}).items():
        # The core names an image by its place (`images[0].id`, a channel's
        # `channels.ebay.images[0].id`); the vendor's body has `images` and `meta`.
        key = "images" if name.startswith("images[") else "meta" if name.startswith("channels.") else name
        out.setdefault(key, []).extend(REQUIRED if m == "Field required" else m for m in messages)
    return out


def key_of(code: str) -> str:
    return KEYS.get(code, f"common.{code.lower()}")


def render(problem: Problem) -> Response:
    if problem.code in AS_FIELDS:
        name, message = AS_FIELDS[problem.code]
        problem = Problem(422, "VALIDATION_ERROR", message, problem.request_id, {name: [message]})
    key = key_of(problem.code)
    serializer = key == "common.serializer_error"
    description = SERIALIZER_ERROR if serializer else (None if key.endswith(".not_found") else problem.message)
    status = 400 if problem.code in AS_BAD_REQUEST else problem.status
    body = {"detail": description or problem.message,
            "error": {"description": description, "fields": _fields(problem.fields), "key": key}}
    return json_response(status, body, problem.headers or None)
