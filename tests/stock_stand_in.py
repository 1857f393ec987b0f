"""Stand-in for the stock ledger, which arrives in a later issue and replaces this module with
real adjustments: a stock level and the item's sums and status, written straight into the
tables as a movement would write them. Used only where a behaviour cannot be reached without
stock (the `location` and `status` filters, LOCATION_NOT_EMPTY, UNIT_LOCKED, per-location levels).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import update

from storekeeper.domain.clock import utcnow
from storekeeper.domain.stock import stock_status
from storekeeper.persistence.tables import items, stock_levels


def put_on_hand(workspace, item_id: str, location_id: str, quantity: str) -> None:
    with workspace.db.write() as conn:
        conn.execute(stock_levels.insert().values(
            workspace_id=workspace.id, item_id=item_id, location_id=location_id, on_hand=Decimal(quantity),
            reserved=Decimal(0), updated_at=utcnow(),
        ))
        row = conn.execute(items.select().where(items.c.workspace_id == workspace.id, items.c.id == item_id)).one()
        on_hand = row.on_hand + Decimal(quantity)
        status = stock_status(on_hand - row.reserved, row.safety_stock, row.reorder_point, row.tracking).value
        conn.execute(
            update(items).where(items.c.workspace_id == workspace.id, items.c.id == item_id)
            .values(on_hand=on_hand, status=status)
        )
