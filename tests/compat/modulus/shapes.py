"""The Inventory Manager API's documented answers (seed 003) as keys and JSON types, for the
black-box tests of the modulus dialect."""

from __future__ import annotations

PREFIX = "/compat/modulus"
OPTIONAL_TEXT = (str, type(None))
ITEM = {"id": str, "name": str, "sku": str, "quantity": int, "location": OPTIONAL_TEXT, "barcode": OPTIONAL_TEXT,
        "reorder_point": int, "created_at": str, "updated_at": str}
PAGINATION = {"total": int, "limit": int, "offset": int, "has_more": bool}
ERROR = {"code": str, "message": str, "field": OPTIONAL_TEXT}
LINE_ITEM = {"id": str, "item_id": str, "sku": str, "name": str, "quantity": int, "received_quantity": int,
             "unit_cost": (int, float, type(None))}
ORDER = {"id": str, "number": str, "supplier": OPTIONAL_TEXT, "status": str, "location": OPTIONAL_TEXT,
         "line_items": list, "total": (int, float), "created_at": str, "updated_at": str}
AUDIT_ENTRY = {"id": str, "action": str, "item_id": OPTIONAL_TEXT, "user_id": str, "user_name": str,
               "resource_type": str, "resource_id": OPTIONAL_TEXT, "event": str, "changes": dict, "created_at": str}
SNAPSHOT = {"id": str, "created_at": str, "note": OPTIONAL_TEXT}
TIMESTAMP = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"


def shaped(value: dict, shape: dict) -> bool:
    """`value` has exactly the documented keys, each of its JSON type (a JSON true is no number)."""
    assert set(value) == set(shape), (sorted(value), sorted(shape))
    for key, kind in shape.items():
        kinds = kind if isinstance(kind, tuple) else (kind,)
        assert isinstance(value[key], kinds) and (bool in kinds or not isinstance(value[key], bool)), (key, value)
    return True


def listed(body: dict, shape: dict) -> list[dict]:
    """A list answer's `data`, each entry of `shape`, after checking its `pagination`."""
    assert set(body) == {"data", "pagination"} and shaped(body["pagination"], PAGINATION)
    assert all(shaped(entry, shape) for entry in body["data"])
    return body["data"]


def error(r) -> tuple[int, str, str | None]:
    """A refusal's status, code and field, after checking the document's envelope."""
    assert set(r.json()) == {"error"} and shaped(r.json()["error"], ERROR), r.text
    return r.status_code, r.json()["error"]["code"], r.json()["error"]["field"]

