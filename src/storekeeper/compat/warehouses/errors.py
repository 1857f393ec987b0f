"""Refusals in the multi-warehouse API's words (seed 001): `{"error": {"code", "message"}}`
with the document's own codes where it names one, Storekeeper's code otherwise."""

from __future__ import annotations

from fastapi.responses import Response

from storekeeper.api.errors import Problem
from storekeeper.compat.facade import json_response

# The document's error codes, for the Storekeeper codes they stand for.
CODES = {
    "ITEM_NOT_FOUND": "INVENTORY_NOT_FOUND",  # "SKU has no inventory record"
    "LOCATION_NOT_FOUND": "WAREHOUSE_NOT_FOUND",
    "READONLY_LOCATION": "READONLY_WAREHOUSE",  # "FBA/FBS warehouses are read-only"
    "NEGATIVE_QUANTITY": "NEGATIVE_QUANTITY",
}


def render(problem: Problem) -> Response:
    body: dict = {"code": CODES.get(problem.code, problem.code), "message": problem.message}
    if problem.fields:
        body["fields"] = problem.fields
    if "errors" in problem.details:  # a refused bulk: each failing update by its index
        body["errors"] = [{**entry, "code": CODES.get(entry.get("code"), entry.get("code"))}
                          for entry in problem.details["errors"]]
    for name in ("shortages", "required_scope"):
        if name in problem.details:
            body[name] = problem.details[name]
    body["request_id"] = problem.request_id
    return json_response(problem.status, {"error": body}, problem.headers or None)
