"""The Inventora API document's own examples (seed 002), verbatim: the fixtures of the dialect's
tests. Its ids are its own (`"asdf123"`, `"task_123"`); the tests put the dialect's in their
place (`identified`)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

_EXAMPLES: dict[tuple[str, str], str] = {
    ('GET /products', 'response'): """\
{
  "data": [
    {
      "id": "asdf123",
      "name": "Handmade Candle",
      "sku": "CANDLE-001",
      "stockLevel": 45,
      "unitType": "pieces",
      "unitPrice": 5.50,
      "minLevel": 10,
      "notes": "Vanilla scented",
      "retailPrice": 15.00,
      "wholesalePrice": 10.00,
      "ean": "1234567890123",
      "minimumQuantity": 1,
      "reorderURLs": ["https://example.com/reorder"],
      "locationStockLevels": {
        "Main Warehouse": 30,
        "Retail Store": 15
      },
      "productionType": "produced",
      "materials": [
        {
          "id": "asdf456",
          "name": "Soy Wax",
          "sku": "WAX-SOY",
          "unitType": "weight.lbs",
          "unitPrice": 3.25,
          "stockLevel": 100,
          "minLevel": 20,
          "quantityUsed": 0.5
        }
      ]
    }
  ],
  "pagination": {
    "totalCount": 150,
    "offset": 0,
    "limit": 100
  }
}""",
    ('GET /products/:id', 'response'): """\
{
  "id": "asdf123",
  "name": "Handmade Candle",
  "sku": "CANDLE-001",
  "stockLevel": 45,
  "unitType": "pieces",
  "unitPrice": 5.50,
  "minLevel": 10,
  "notes": "Vanilla scented",
  "retailPrice": 15.00,
  "wholesalePrice": 10.00,
  "ean": "1234567890123",
  "minimumQuantity": 1,
  "reorderURLs": ["https://example.com/reorder"],
  "locationStockLevels": {
    "Main Warehouse": 30,
    "Retail Store": 15
  },
  "productionType": "produced",
  "materials": [
    {
      "id": "asdf456",
      "name": "Soy Wax",
      "sku": "WAX-SOY",
      "unitType": "weight.lbs",
      "unitPrice": 3.25,
      "stockLevel": 100,
      "minLevel": 20,
      "quantityUsed": 0.5
    }
  ]
}""",
    ('GET /materials', 'response'): """\
{
  "data": [
    {
      "id": "asdf456",
      "name": "Soy Wax",
      "sku": "WAX-SOY",
      "stockLevel": 100,
      "unitType": "weight.lbs",
      "unitPrice": 3.25,
      "minLevel": 20,
      "notes": "Food grade soy wax",
      "retailPrice": null,
      "wholesalePrice": null,
      "ean": "9876543210987",
      "minimumQuantity": 10,
      "reorderURLs": ["https://supplier.com/wax"],
      "locationStockLevels": {
        "Main Warehouse": 80,
        "Production Floor": 20
      },
      "productionType": "supplied",
      "materials": []
    }
  ],
  "pagination": {
    "totalCount": 75,
    "offset": 0,
    "limit": 100
  }
}""",
    ('GET /materials/:id', 'response'): """\
{
  "id": "asdf456",
  "name": "Soy Wax",
  "sku": "WAX-SOY",
  "stockLevel": 100,
  "unitType": "weight.lbs",
  "unitPrice": 3.25,
  "minLevel": 20,
  "notes": "Food grade soy wax",
  "retailPrice": null,
  "wholesalePrice": null,
  "ean": "9876543210987",
  "minimumQuantity": 10,
  "reorderURLs": ["https://supplier.com/wax"],
  "locationStockLevels": {
    "Main Warehouse": 80,
    "Production Floor": 20
  },
  "productionType": "supplied",
  "materials": []
}""",
    ('PATCH /products/:id', 'request'): """\
{
  "name": "Updated Product Name",
  "sku": "NEW-SKU",
  "unitType": "pieces",
  "unitPrice": 6.00,
  "minLevel": 15,
  "notes": "Updated notes",
  "retailPrice": 18.00,
  "wholesalePrice": 12.00,
  "ean": "1234567890124",
  "minimumQuantity": 2,
  "reorderURLs": ["https://example.com/reorder-new"]
}""",
    ('PATCH /products/:id', 'response'): """\
{
  "id": "asdf123",
  "name": "Updated Product Name",
  "sku": "NEW-SKU",
  "stockLevel": 45,
  "unitType": "pieces",
  "unitPrice": 6.00,
  "minLevel": 15,
  "notes": "Updated notes",
  "retailPrice": 18.00,
  "wholesalePrice": 12.00,
  "ean": "1234567890124",
  "minimumQuantity": 2,
  "reorderURLs": ["https://example.com/reorder-new"],
  "locationStockLevels": {
    "Main Warehouse": 30,
    "Retail Store": 15
  },
  "productionType": "produced",
  "materials": [
    {
      "id": "asdf456",
      "name": "Soy Wax",
      "sku": "WAX-SOY",
      "unitType": "weight.lbs",
      "unitPrice": 3.25,
      "stockLevel": 100,
      "minLevel": 20,
      "quantityUsed": 0.5
    }
  ]
}""",
    ('PATCH /materials/:id', 'request'): """\
{
  "name": "Updated Material Name",
  "sku": "NEW-MAT-SKU",
  "unitType": "weight.kg",
  "unitPrice": 4.00,
  "minLevel": 25,
  "notes": "Updated material notes",
  "retailPrice": null,
  "wholesalePrice": null,
  "ean": "9876543210988",
  "minimumQuantity": 15,
  "reorderURLs": ["https://supplier.com/wax-new"]
}""",
    ('PATCH /materials/:id', 'response'): """\
{
  "id": "asdf456",
  "name": "Updated Material Name",
  "sku": "NEW-MAT-SKU",
  "stockLevel": 100,
  "unitType": "weight.kg",
  "unitPrice": 4.00,
  "minLevel": 25,
  "notes": "Updated material notes",
  "retailPrice": null,
  "wholesalePrice": null,
  "ean": "9876543210988",
  "minimumQuantity": 15,
  "reorderURLs": ["https://supplier.com/wax-new"],
  "locationStockLevels": {
    "Main Warehouse": 80,
    "Production Floor": 20
  },
  "productionType": "supplied",
  "materials": []
}""",
    ('POST /products/:id/stock-level-updates', 'request'): """\
{
  "quantity": 10,
  "locationName": "Main Warehouse",
  "updateType": "audit",
  "notes": "Weekly inventory count",
  "customStatusId": null
}""",
    ('POST /products/:id/stock-level-updates', 'response'): """\
{
  "id": "asdf123",
  "name": "Handmade Candle",
  "sku": "CANDLE-001",
  "stockLevel": 55,
  "unitType": "pieces",
  "unitPrice": 5.50,
  "minLevel": 10,
  "notes": "Vanilla scented",
  "retailPrice": 15.00,
  "wholesalePrice": 10.00,
  "ean": "1234567890123",
  "minimumQuantity": 1,
  "reorderURLs": ["https://example.com/reorder"],
  "locationStockLevels": {
    "Main Warehouse": 40,
    "Retail Store": 15
  },
  "productionType": "produced",
  "materials": [
    {
      "id": "asdf456",
      "name": "Soy Wax",
      "sku": "WAX-SOY",
      "unitType": "weight.lbs",
      "unitPrice": 3.25,
      "stockLevel": 100,
      "minLevel": 20,
      "quantityUsed": 0.5
    }
  ]
}""",
    ('POST /materials/:id/stock-level-updates', 'request'): """\
{
  "quantity": 50,
  "locationName": "Main Warehouse",
  "updateType": "restock",
  "notes": "Received shipment from supplier",
  "customStatusId": null
}""",
    ('POST /materials/:id/stock-level-updates', 'response'): """\
{
  "id": "asdf456",
  "name": "Soy Wax",
  "sku": "WAX-SOY",
  "stockLevel": 150,
  "unitType": "weight.lbs",
  "unitPrice": 3.25,
  "minLevel": 20,
  "notes": "Food grade soy wax",
  "retailPrice": null,
  "wholesalePrice": null,
  "ean": "9876543210987",
  "minimumQuantity": 10,
  "reorderURLs": ["https://supplier.com/wax"],
  "locationStockLevels": {
    "Main Warehouse": 130,
    "Production Floor": 20
  },
  "productionType": "supplied",
  "materials": []
}""",
    ('GET /locations', 'response'): """\
{
  "data": [
    {
      "id": "loc_789",
      "name": "Main Warehouse",
      "isDefault": true,
      "hideMaterials": false,
      "address1": "123 Storage St",
      "address2": "Unit 5",
      "city": "Portland",
      "state": "OR",
      "zip": "97201",
      "country": "US"
    },
    {
      "id": "loc_790",
      "name": "Retail Store",
      "isDefault": false,
      "hideMaterials": true,
      "address1": "456 Main St",
      "address2": null,
      "city": "Portland",
      "state": "OR",
      "zip": "97202",
      "country": "US"
    }
  ],
  "pagination": {
    "totalCount": 2,
    "offset": 0,
    "limit": 100
  }
}""",
    ('GET /tasks', 'response'): """\
{
  "data": [
    {
      "id": "task_123",
      "name": "Produce 50 Candles",
      "status": "pending",
      "order": 1,
      "LocationId": "loc_789",
      "UserId": "user_456",
      "due": "2024-03-15T10:00:00Z",
      "completedAt": null,
      "notes": "Rush order for weekend market",
      "createdAt": "2024-03-01T09:00:00Z",
      "updatedAt": "2024-03-01T09:00:00Z",
      "Items": [
        {
          "id": 1,
          "ResourceId": "asdf123",
          "quantity": 50,
          "unitType": "pieces",
          "completed": false,
          "Product": {
            "id": "asdf123",
            "name": "Handmade Candle",
            "sku": "CANDLE-001",
            "unitType": "pieces",
            "stockLevel": 45,
            "type": "product"
          },
          "Batches": []
        }
      ]
    }
  ],
  "pagination": {
    "totalCount": 25,
    "offset": 0,
    "limit": 100
  }
}""",
    ('GET /tasks/:id', 'response'): """\
{
  "id": "task_123",
  "name": "Produce 50 Candles",
  "status": "pending",
  "order": 1,
  "LocationId": "loc_789",
  "UserId": "user_456",
  "due": "2024-03-15T10:00:00Z",
  "completedAt": null,
  "notes": "Rush order for weekend market",
  "createdAt": "2024-03-01T09:00:00Z",
  "updatedAt": "2024-03-01T09:00:00Z",
  "Items": [
    {
      "id": 1,
      "ResourceId": "asdf123",
      "quantity": 50,
      "unitType": "pieces",
      "completed": false,
      "Product": {
        "id": "asdf123",
        "name": "Handmade Candle",
        "sku": "CANDLE-001",
        "unitType": "pieces",
        "stockLevel": 45,
        "type": "product"
      },
      "Batches": [
        {
          "id": 1,
          "UserId": "user_456",
          "quantity": 25,
          "createdAt": "2024-03-02T14:30:00Z",
          "updatedAt": "2024-03-02T14:30:00Z"
        }
      ]
    }
  ]
}""",
    ('POST /tasks', 'request'): """\
{
  "name": "Produce 50 Candles",
  "Assignee": "user@example.com",
  "Items": [
    {
      "ProductId": "asdf123",
      "quantity": 50,
      "unitType": "pieces"
    }
  ],
  "LocationId": "loc_789",
  "due": "2024-03-15T10:00:00Z",
  "notes": "Rush order for weekend market",
  "status": "pending"
}""",
    ('POST /tasks', 'response'): """\
{
  "id": "task_123",
  "name": "Produce 50 Candles",
  "status": "pending",
  "order": 1,
  "LocationId": "loc_789",
  "UserId": "user_456",
  "due": "2024-03-15T10:00:00Z",
  "completedAt": null,
  "notes": "Rush order for weekend market",
  "createdAt": "2024-03-01T09:00:00Z",
  "updatedAt": "2024-03-01T09:00:00Z",
  "Items": [
    {
      "id": 1,
      "ResourceId": "asdf123",
      "quantity": 50,
      "unitType": "pieces",
      "completed": false,
      "Product": {
        "id": "asdf123",
        "name": "Handmade Candle",
        "sku": "CANDLE-001",
        "unitType": "pieces",
        "stockLevel": 45,
        "type": "product"
      },
      "Batches": []
    }
  ]
}""",
    ('PATCH /tasks/:id', 'request'): """\
{
  "name": "Produce 75 Candles",
  "Assignee": "newuser@example.com",
  "status": "in-progress",
  "LocationId": "loc_790",
  "due": "2024-03-16T10:00:00Z",
  "notes": "Updated quantity and deadline"
}""",
    ('PATCH /tasks/:id', 'response'): """\
{
  "id": "task_123",
  "name": "Produce 75 Candles",
  "status": "in-progress",
  "order": 1,
  "LocationId": "loc_790",
  "UserId": "user_789",
  "due": "2024-03-16T10:00:00Z",
  "completedAt": null,
  "notes": "Updated quantity and deadline",
  "createdAt": "2024-03-01T09:00:00Z",
  "updatedAt": "2024-03-01T15:30:00Z",
  "Items": [
    {
      "id": 1,
      "ResourceId": "asdf123",
      "quantity": 50,
      "unitType": "pieces",
      "completed": false,
      "Product": {
        "id": "asdf123",
        "name": "Handmade Candle",
        "sku": "CANDLE-001",
        "unitType": "pieces",
        "stockLevel": 45,
        "type": "product"
      },
      "Batches": []
    }
  ]
}""",
    ('POST /tasks/:id/items/:item_id/batches', 'request'): """\
{
  "quantity": 25
}""",
    ('POST /tasks/:id/items/:item_id/batches', 'response'): """\
{
  "id": 1,
  "TaskResourceId": 1,
  "UserId": null,
  "quantity": 25,
  "createdAt": "2024-03-02T14:30:00Z",
  "updatedAt": "2024-03-02T14:30:00Z"
}""",
}

ERRORS = ({"error": "API key missing"}, {"error": "Invalid API key"})


def example(endpoint: str, kind: str = "response") -> Any:
    """An example as a client reads it: numbers exact (Decimal, never float)."""
    return json.loads(_EXAMPLES[(endpoint, kind)], parse_float=Decimal)


def body(endpoint: str) -> Any:
    """An example request as a client sends it."""
    return json.loads(_EXAMPLES[(endpoint, "request")])


def identified(value: Any, ids: dict[str, Any]) -> Any:
    """The example with each string id of `ids` replaced by the dialect's id."""
    if isinstance(value, dict):
        return {key: identified(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [identified(item, ids) for item in value]
    return ids.get(value, value) if isinstance(value, str) else value
