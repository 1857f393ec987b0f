"""Stock for tests that need some but are not about the ledger (the `location` and `status`
filters, LOCATION_NOT_EMPTY, UNIT_LOCKED, per-location levels): a real adjustment through the
ledger (services.stock.adjust_one), recorded by the system, so the level, the item's sums and
status, and the movement that explains them are exactly what a client's adjustment would write,
and `storekeeper check` stays clean.
"""

from __future__ import annotations

from decimal import Decimal

from storekeeper.services.context import SystemActor
from storekeeper.services.stock import Adjustment, adjust_one


def put_on_hand(workspace, item_id: str, location_id: str, quantity: str) -> None:
    """Add `quantity` to the item's stock at the location: a `receipt` when it is positive,
    a `correction` otherwise."""
    delta = Decimal(quantity)
    reason = "receipt" if delta > 0 else "correction"
    adjust_one(
        workspace.db,
        SystemActor(workspace.id),
        Adjustment(item=item_id, location=location_id, reason=reason, delta=delta),
    )
