"""Items by the barcode a scanner types: what a form's item field means when it holds a barcode
rather than a SKU (the dashboard's order lines)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import items


def skus_by_barcode(db: Database, workspace_id: str, codes: set[str]) -> dict[str, str]:
    """{barcode: SKU} of the live items these barcodes name, in one query on the barcode index.
    A barcode several items share names none of them: the person must say which (by SKU)."""
    codes = {code for code in codes if code}
    if not codes:
        return {}
    with db.read() as conn:
        rows = conn.execute(select(items.c.barcode, items.c.sku).where(
            items.c.workspace_id == workspace_id, items.c.barcode.in_(sorted(codes)),
            items.c.deleted_at.is_(None))).all()
    shared = Counter(barcode for barcode, _ in rows)
    return {barcode: sku for barcode, sku in rows if shared[barcode] == 1}
