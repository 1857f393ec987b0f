"""The Inventory Manager API of Modulus Software (seed 003), at /compat/modulus
(docs/dialects/modulus.md)."""

from storekeeper.compat.modulus.app import DIALECT

__all__ = ["DIALECT"]
