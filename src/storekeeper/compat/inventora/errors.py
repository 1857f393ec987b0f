"""How an Inventora client sends its key, and refusals in Inventora's words (seed 002).

The document's envelope is `{"error": "<a sentence>"}` with 400, 401 and 404. A refusal keeps
its status where the document names it or HTTP gives it a meaning a client acts on (401, 403,
404, 405, 412, 413, 415, 429, 5xx, and 409 for an Idempotency-Key still in use, which a retry
waits out); every other refusal of input or of a rule (Storekeeper's 409 and 422) is the
document's 400 with the sentence that says what is wrong.
"""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.responses import Response

from storekeeper.api.errors import Problem
from storekeeper.compat.facade import json_response
from storekeeper.domain.errors import Code

HEADER = "X-Inventora-API-Key"
QUERY = "x-inventora-api-key"

SECURITY_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": HEADER,
    "description": f"A Storekeeper API key (`sk_…`) in the `{HEADER}` header, or, for a client that cannot "
                   f"set headers, in the query: `?{QUERY}=sk_…` (accepted, never logged).",
}


def inventora_key(request: Request) -> str | None:
    """The key as Inventora's clients send it: the header, else the query parameter."""
    return (request.headers.get(HEADER) or "").strip() or (request.query_params.get(QUERY) or "").strip() or None


# The document's own sentences.
MESSAGES = {
    "UNAUTHENTICATED": "API key missing",
    "INVALID_API_KEY": "Invalid API key",
    "UNIT_COST_LOCKED": "unitPrice can only be updated if the resource has no stock blocks tied to non-initial logs.",
}
# Storekeeper's nouns in the document's words.
NOUNS = {
    "ITEM_NOT_FOUND": "Resource",
    "PRODUCTION_ORDER_NOT_FOUND": "Task",
    "PRODUCTION_ORDER_LINE_NOT_FOUND": "Task item",
    "BATCH_NOT_FOUND": "Task batch",
    "REASON_NOT_FOUND": "Custom status",
    "LOCATION_NOT_FOUND": "Location",
    "USER_NOT_FOUND": "User",
}
KEPT = {401, 403, 404, 405, 412, 413, 415, 429}
_QUOTED = re.compile(r"'([^']*)'")


def status_of(problem: Problem) -> int:
    if problem.status in KEPT or problem.status >= 500 or problem.code == Code.IDEMPOTENCY_KEY_IN_USE:
        return problem.status
    return 400


def message_of(problem: Problem) -> str:
    if problem.code in MESSAGES:
        return MESSAGES[problem.code]
    if problem.code in NOUNS:
        quoted = _QUOTED.search(problem.message)
        return f"{NOUNS[problem.code]} not found" + (f": {quoted.group(1)}" if quoted else "")
    if problem.fields:
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in problem.fields.items())
    return problem.message


def render(problem: Problem) -> Response:
    # Storekeeper's `WWW-Authenticate: Bearer` would name a scheme Inventora's clients do not use.
    headers = {name: value for name, value in problem.headers.items() if name.lower() != "www-authenticate"}
    return json_response(status_of(problem), {"error": message_of(problem)}, headers or None)
