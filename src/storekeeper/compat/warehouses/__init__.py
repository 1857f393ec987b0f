"""The multi-warehouse inventory API (seed 001), at /compat/warehouses (docs/dialects/warehouses.md)."""

from storekeeper.compat.warehouses.app import DIALECT

__all__ = ["DIALECT"]
