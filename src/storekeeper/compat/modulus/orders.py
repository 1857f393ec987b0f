"""Purchase orders of the Inventory Manager API (seed 003) over Storekeeper's purchasing."""

from __future__ import annotations

from typing import Any

from storekeeper.api.deps import DB
from storekeeper.compat.facade import json_response
from storekeeper.compat.modulus import mapping
from storekeeper.compat.modulus.common import OrdersRead, OrdersWrite, Paging, location_names, router
from storekeeper.compat.modulus.schemas import OrderCreate, OrderList, OrderRead
from storekeeper.services import purchasing
from storekeeper.services.purchasing import PurchaseOrderFilters

orders_router = router("orders")


def _orders(db, workspace_id: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = location_names(db, workspace_id, [row["location_id"] for row in rows])
    return [mapping.order(row, names) for row in rows]


@orders_router.get("/orders", response_model=OrderList, summary="List Orders")
def list_orders(principal: OrdersRead, db: DB, page: Paging):
    """Retrieve all purchase orders for your company, newest first."""
    result = purchasing.list_purchase_orders(db, principal.workspace_id, PurchaseOrderFilters(), page)
    return json_response(200, {"data": _orders(db, principal.workspace_id, result.rows),
                               "pagination": mapping.pagination(result, page.offset or 0)})


@orders_router.post("/orders", status_code=201, response_model=OrderRead, summary="Create Order")
def create_order(body: OrderCreate, principal: OrdersWrite, db: DB):
    """Create a new purchase order with line items: a draft, delivered to `location` (without
    one, each line to its item's home location, else the default location). A line without
    `unit_cost` costs its item's standard cost."""
    row = purchasing.create_purchase_order(db, principal, mapping.order_fields(body.model_dump(exclude_unset=True)))
    return json_response(201, _orders(db, principal.workspace_id, [row])[0])
