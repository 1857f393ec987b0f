"""An item's fields and its total on hand, changed in one transaction: what a client that keeps a
single `quantity` per item sends when it edits the item (the modulus dialect's PATCH).

The new total is recorded as a `count` movement of the difference at the location a change that
names no location goes to (the item's home location, else the default location); stock at the
item's other locations stays as it is. The item's row is locked (by the field changes, or on its
own) before its total is read, and every stock change of the item takes that lock first, so no
sale can slip between the read and the count.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from storekeeper.domain.errors import Forbidden
from storekeeper.persistence.database import Database
from storekeeper.services import items, stock
from storekeeper.services.stock import Adjustment

COUNT = "count"


def update_item(db: Database, principal, ref: str, changes: dict[str, Any], *,
                on_hand: Decimal | None = None, note: str | None = None) -> dict[str, Any]:
    """The item after `changes` (as items.update_item takes them) and, with `on_hand`, a count
    that makes its total on hand `on_hand` (nothing is recorded when it already is). Needs
    stock:write for the count besides the items:write of the changes."""
    if on_hand is not None and not principal.allows("stock:write"):
        raise Forbidden("Setting the quantity records a stock count: the key needs the stock:write scope.",
                        details={"required_scope": "stock:write"})
    workspace_id = principal.workspace_id
    with db.write() as conn:
        if changes:
            row = items.update_item(db, workspace_id, ref, changes)
        else:
            row = items.find_item(conn, workspace_id, ref, for_update=True)
        if on_hand is not None and on_hand != row["on_hand"]:
            # A variant parent's or a bundle's total is derived: counting it is refused, rather
            # than a bundle's lower count taking its components out.
            stock.check_stockable(row)
            stock.adjust_one(db, principal, Adjustment(item=row["id"], reason=COUNT, delta=on_hand - row["on_hand"],
                                                       note=note))
        return items.get_item(db, workspace_id, row["id"])
