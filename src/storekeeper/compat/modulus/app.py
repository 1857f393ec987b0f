"""The Inventory Manager API (seed 003) as a Storekeeper dialect: its routes by resource (items,
transactions, orders, audit log and snapshots), its Bearer key, its error envelope and its rate-limit headers,
whose `X-RateLimit-Reset` is a Unix time rather than Storekeeper's seconds to wait."""

from __future__ import annotations

from storekeeper.api.ratelimit import RateLimit
from storekeeper.compat.facade import Dialect, bearer_key
from storekeeper.compat.modulus import errors, mapping
from storekeeper.compat.modulus.history import history_router, snapshots_router
from storekeeper.compat.modulus.items import items_router
from storekeeper.compat.modulus.orders import orders_router
from storekeeper.compat.modulus.transactions import transactions_router
from storekeeper.domain.clock import utcnow


def rate_limit_headers(decision: RateLimit) -> list[tuple[bytes, bytes]]:
    reset = mapping.reset_at(decision.reset, utcnow())
    return [(name, str(reset).encode()) if name == b"x-ratelimit-reset" else (name, value)
            for name, value in decision.headers()]


DIALECT = Dialect(
    name="modulus",
    title="Inventory Manager API (Modulus)",
    version="1",
    description="Items, purchase orders, the audit log and snapshots, as the Inventory Manager API's document "
                "describes them (Storekeeper seed 003). Authenticate with `Authorization: Bearer <Storekeeper API "
                "key>`; `inventory:read` is Storekeeper's `stock:read` + `items:read`, `inventory:write` its "
                "`stock:write` (with `items:write` for an item's own fields).",
    routers=[items_router, transactions_router, orders_router, history_router, snapshots_router],
    key_from=bearer_key,
    render=errors.render,
    rate_limit_headers=rate_limit_headers,
    tags=[{"name": "items", "description": "Inventory items"},
          {"name": "transactions", "description": "Stock received and adjusted"},
          {"name": "orders", "description": "Purchase orders"},
          {"name": "audit-log", "description": "Changes to your inventory"},
          {"name": "snapshots", "description": "Point-in-time backups of your inventory"}],
)
