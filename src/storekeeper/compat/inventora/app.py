"""The Inventora API (seed 002) as a dialect: its routes, its key, its envelope."""

from __future__ import annotations

from storekeeper.compat.facade import Dialect
from storekeeper.compat.inventora import catalog, errors, tasks

DIALECT = Dialect(
    name="inventora",
    title="Inventora API",
    version="1",
    description="Products, materials, their stock levels, locations and production tasks, as the Inventora API's "
                "document describes them (Storekeeper seed 002), at `/compat/inventora/api/…`. Authenticate with "
                f"`{errors.HEADER}: <Storekeeper API key>` or `?{errors.QUERY}=<key>`. Products, materials, tasks, "
                "task items, batches and custom statuses are identified by their Storekeeper numbers.",
    routers=[catalog.router, tasks.router],
    key_from=errors.inventora_key,
    render=errors.render,
    tags=[{"name": "products", "description": "Items of kind product"},
          {"name": "materials", "description": "Items of kind material"},
          {"name": "locations", "description": "Storekeeper's locations, by their ids"},
          {"name": "tasks", "description": "Production orders, their lines (task items) and batches"}],
    security_scheme=errors.SECURITY_SCHEME,
)
