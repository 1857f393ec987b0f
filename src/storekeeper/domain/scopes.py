"""API key scopes (SPEC §2): a write scope implies its read scope, `*` grants all."""

from __future__ import annotations

from collections.abc import Iterable

SCOPES: dict[str, str] = {
    "items:read": "Read items, units, categories and tax rates",
    "items:write": "Create, change and delete items, categories and tax rates",
    "stock:read": "Read stock levels, movements and locations",
    "stock:write": "Adjust and transfer stock; manage locations",
    "orders:read": "Read purchase orders and reservations",
    "orders:write": "Manage purchase orders and reservations",
    "production:read": "Read production orders",
    "production:write": "Manage production orders and batches",
    "audit:read": "Read the audit log and the workspace's users",
    "locations:sync": "Change stock at read-only (external) locations",
    "admin": "Manage API keys, users, webhooks, workspace settings; restore snapshots",
    "*": "Everything",
}

# What holding a scope also grants. An admin manages users and keys, so it can read who they are.
_IMPLIES: dict[str, frozenset[str]] = {
    "items:write": frozenset({"items:read"}),
    "stock:write": frozenset({"stock:read"}),
    "orders:write": frozenset({"orders:read"}),
    "production:write": frozenset({"production:read"}),
    "admin": frozenset({"audit:read"}),
}


class UnknownScope(ValueError):
    pass


def validate_scopes(scopes: Iterable[str]) -> list[str]:
    """Known scopes, deduplicated, in a stable order."""
    result: list[str] = []
    for scope in scopes:
        if scope not in SCOPES:
            raise UnknownScope(f"unknown scope {scope!r}; one of: {', '.join(SCOPES)}")
        if scope not in result:
            result.append(scope)
    return result


def effective(granted: Iterable[str]) -> frozenset[str]:
    granted = frozenset(granted)
    if "*" in granted:
        return frozenset(SCOPES)
    implied = set(granted)
    for scope in granted:
        implied |= _IMPLIES.get(scope, frozenset())
    return frozenset(implied)


def allows(granted: Iterable[str], required: str) -> bool:
    return required in effective(granted)
