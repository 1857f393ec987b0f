"""The documented shapes of the Inventora API's answers (seed 002): keys and JSON types, checked on
every answer the black-box tests read."""

from __future__ import annotations

PREFIX = "/compat/inventora"
HEADER = "X-Inventora-API-Key"
NUMBER = (int, float)
NULLABLE_NUMBER = (int, float, type(None))
TEXT = (str, type(None))

MATERIAL = {"id": int, "name": str, "sku": str, "unitType": str, "unitPrice": NULLABLE_NUMBER, "stockLevel": NUMBER,
            "minLevel": NUMBER, "quantityUsed": NUMBER}
RESOURCE = {"id": int, "name": str, "sku": str, "stockLevel": NUMBER, "unitType": str, "unitPrice": NULLABLE_NUMBER,
            "minLevel": NUMBER, "notes": TEXT, "retailPrice": NULLABLE_NUMBER, "wholesalePrice": NULLABLE_NUMBER,
            "ean": TEXT, "minimumQuantity": NUMBER, "reorderURLs": list, "locationStockLevels": dict,
            "productionType": str, "materials": list}
PAGINATION = {"totalCount": int, "offset": int, "limit": int}
LOCATION = {"id": str, "name": str, "isDefault": bool, "hideMaterials": bool, "address1": TEXT, "address2": TEXT,
            "city": TEXT, "state": TEXT, "zip": TEXT, "country": TEXT}
PRODUCT = {"id": int, "name": str, "sku": str, "unitType": str, "stockLevel": NUMBER, "type": str}
BATCH = {"id": int, "UserId": TEXT, "quantity": NUMBER, "createdAt": str, "updatedAt": str}
ITEM = {"id": int, "ResourceId": int, "quantity": NUMBER, "unitType": str, "completed": bool, "Product": dict,
        "Batches": list}
TASK = {"id": int, "name": str, "status": str, "order": int, "LocationId": str, "UserId": TEXT, "due": TEXT,
        "completedAt": TEXT, "notes": TEXT, "createdAt": str, "updatedAt": str, "Items": list}
CREATED_BATCH = {"id": int, "TaskResourceId": int, "UserId": TEXT, "quantity": NUMBER, "createdAt": str,
                 "updatedAt": str}
PRODUCTION_TYPES = {"infinite", "single", "produced", "supplied", "bundle"}


def shaped(value: dict, shape: dict) -> bool:
    """`value` has exactly the documented keys, each of its JSON type (a bool is no number)."""
    assert set(value) == set(shape), (sorted(value), sorted(shape))
    for key, kind in shape.items():
        assert isinstance(value[key], kind) and (kind is bool or not isinstance(value[key], bool)), (key, value)
    return True


def resource_shaped(value: dict) -> bool:
    shaped(value, RESOURCE)
    assert value["productionType"] in PRODUCTION_TYPES
    assert all(isinstance(k, str) and isinstance(v, NUMBER) for k, v in value["locationStockLevels"].items())
    assert all(isinstance(url, str) for url in value["reorderURLs"])
    return all(shaped(m, MATERIAL) for m in value["materials"])


def task_shaped(value: dict) -> bool:
    shaped(value, TASK)
    assert value["status"] in {"pending", "in-progress", "done", "cancelled"}
    for item in value["Items"]:
        shaped(item, ITEM)
        shaped(item["Product"], PRODUCT)
        assert all(shaped(batch, BATCH) for batch in item["Batches"])
    return True


def page_shaped(body: dict) -> bool:
    assert set(body) == {"data", "pagination"} and isinstance(body["data"], list)
    return shaped(body["pagination"], PAGINATION)


def refused(r, status: int) -> str:
    """The document's error body, `{"error": "<a sentence>"}`, with this status; the sentence."""
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert set(body) == {"error"} and isinstance(body["error"], str) and body["error"], body
    return body["error"]
