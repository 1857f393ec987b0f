"""The INVENTORUM products API (seeds 000 + 004), at /compat/inventorum (docs/dialects/inventorum.md)."""

from storekeeper.compat.inventorum.app import DIALECT

__all__ = ["DIALECT"]
