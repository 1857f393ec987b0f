"""`q`: the case-insensitive search of items by name, SKU and barcode (SPEC: `GET /v1/items`,
`GET /v1/stock`), as one condition on `items`."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_

from storekeeper.persistence.tables import items


def matches(q: str) -> ColumnElement[bool]:
    """Items whose name, SKU or barcode contains `q`, ignoring case."""
    needle = q.casefold()
    return or_(
        items.c.name_key.contains(needle, autoescape=True),
        func.lower(items.c.sku).contains(needle, autoescape=True),
        func.lower(items.c.barcode).contains(needle, autoescape=True),
    )
