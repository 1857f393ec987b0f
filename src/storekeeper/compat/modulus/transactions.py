"""Inventory transactions of the Inventory Manager API (seed 003): the document sends stock
receipts and adjustments to `/transactions` ("use the /transactions endpoint instead of directly
updating quantity") but never describes it; this is what its clients would expect, over
Storekeeper's adjustments and movement history (docs/dialects/modulus.md, "Transactions")."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import Query

from storekeeper.api.deps import DB
from storekeeper.api.schemas.common import TimestampIn
from storekeeper.compat.facade import json_response
from storekeeper.compat.modulus import mapping
from storekeeper.compat.modulus.common import (
    Paging,
    TransactionsRead,
    TransactionsWrite,
    location_names,
    router,
)
from storekeeper.compat.modulus.schemas import TransactionCreate, TransactionList, TransactionRead, TransactionType
from storekeeper.services import inventory, items, stock
from storekeeper.services.inventory import MovementFilters
from storekeeper.services.stock import Adjustment

transactions_router = router("transactions")


def _shown(db, workspace_id: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = location_names(db, workspace_id, [row["location_id"] for row in rows])
    return [mapping.transaction(row, names) for row in rows]


@transactions_router.get("/transactions", response_model=TransactionList, summary="List Transactions")
def list_transactions(
    principal: TransactionsRead,
    db: DB,
    page: Paging,
    item_id: Annotated[str | None, Query(max_length=200, description="Filter by specific item")] = None,
    type: Annotated[TransactionType | None, Query(description="Filter by transaction type")] = None,
    since: Annotated[TimestampIn | None, Query(description="Return transactions after this timestamp")] = None,
):
    """Every change of stock, newest first: receipts, adjustments, counts, sales, and the
    transfers and production Storekeeper records."""
    if item_id is not None:
        item_id = items.get_item(db, principal.workspace_id, item_id)["id"]
    filters = MovementFilters(item=item_id, reason=mapping.TRANSACTION_REASONS[type] if type else None, since=since)
    result = inventory.list_movements(db, principal.workspace_id, filters, page)
    return json_response(200, {"data": _shown(db, principal.workspace_id, result.rows),
                               "pagination": mapping.pagination(result, page.offset or 0)})


@transactions_router.post("/transactions", status_code=201, response_model=TransactionRead,
                          summary="Create Transaction")
def create_transaction(body: TransactionCreate, principal: TransactionsWrite, db: DB):
    """Receive stock or adjust it: `quantity` is the change (positive in, negative out), at
    `location` (default: the item's home location, else the default location). Nothing goes below
    zero unless the workspace allows negative stock (422 insufficient_stock)."""
    adjustment = Adjustment(item=body.item_id, reason=mapping.TRANSACTION_REASONS[body.type],
                            location=body.location, delta=Decimal(body.quantity), note=body.note)
    movements, _level = stock.adjust_one(db, principal, adjustment)
    return json_response(201, _shown(db, principal.workspace_id, movements)[0])
