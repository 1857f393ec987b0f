"""The Inventora API (seed 002), at /compat/inventora (docs/dialects/inventora.md)."""

from storekeeper.compat.inventora.app import DIALECT

__all__ = ["DIALECT"]
