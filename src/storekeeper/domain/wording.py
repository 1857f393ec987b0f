"""Words for people (issue 22, "read like a person"): what the dashboard shows instead of the
codes the API speaks — an audit action ("item.updated" → "Item changed"), a field
("reorder_point" → "reorder point"), a stock reason ("production_consumption" → "Used in
production"). The API keeps its codes; only the dashboard reads these.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from storekeeper.domain.quantities import local_text, round_money

RESOURCES = {
    "item": "Item", "location": "Location", "category": "Category", "tax_rate": "Tax rate", "reason": "Reason",
    "purchase_order": "Purchase order", "production_order": "Production order", "reservation": "Reservation",
    "webhook": "Webhook", "api_key": "API key", "user": "User", "workspace": "Workspace", "snapshot": "Snapshot",
    "movement": "Stock movement", "stock": "Stock",
}

VERBS = {
    "created": "created", "updated": "changed", "deleted": "moved to the trash", "restored": "restored",
    "purged": "emptied from the trash", "published": "published on a channel", "unpublished": "unpublished",
    "revoked": "revoked", "cancelled": "cancelled", "ordered": "ordered", "received": "received in full",
    "partially_received": "partly received", "batch_created": "batch recorded", "batch_reversed": "batch reversed",
    "expired": "expired", "fulfilled": "fulfilled", "released": "released", "password_changed": "password changed",
    "changed": "changed", "status_changed": "status changed", "test": "test sent",
}

# Deleting a category, tax rate or reason removes it for good (no trash).
_GONE_FOR_GOOD = {"category", "tax_rate", "reason", "webhook", "user"}

# The stock reasons as a merchant says them (the API's codes and names stay as they are).
REASONS = {
    "receipt": "Received", "return": "Returned", "initial": "Opening stock", "count": "Counted",
    "correction": "Correction", "loss": "Lost", "damage": "Damaged", "theft": "Stolen", "sale": "Sold",
    "transfer_out": "Moved out", "transfer_in": "Moved in", "production_consumption": "Used in production",
    "production_output": "Made in production", "production_reversal": "Production undone",
    "snapshot_restore": "Restored from a snapshot",
}

KINDS = {"product": "Product", "material": "Material"}

# Fields whose words are not their code with spaces.
_FIELDS = {
    "category_id": "category", "tax_rate_id": "tax rate", "home_location_id": "home location",
    "parent_id": "parent", "unit_cost": "unit cost", "average_cost": "average cost", "price_rest": "price",
    "reorder_urls": "reorder links", "is_default": "default location", "is_active": "active",
    "read_only": "read-only", "open_price": "open price", "ad_hoc": "made up at checkout", "gift_card": "gift card",
    "deleted_at": "in the trash since", "purged_at": "emptied from the trash", "package_size_value": "package size",
    "package_size_unit": "package size unit", "location_id": "location", "item_id": "item",
}

# Fields that name another row by id: the dashboard shows that row's name instead.
REFERENCES = frozenset({
    "category_id", "category", "categories", "tax_rate_id", "tax_rate", "home_location_id", "home_location",
    "location_id", "location", "parent_id", "parent", "item_id", "item",
})

# Fields of money: shown to the cent.
MONEY = {"unit_cost", "average_cost", "price", "retail_price", "wholesale_price", "total_cost", "value"}


def action(code: str) -> str:
    """"item.updated" → "Item changed"; an unknown code is shown as it is."""
    resource, _, verb = code.partition(".")
    if resource not in RESOURCES or verb not in VERBS:
        return code
    words = VERBS[verb]
    if verb == "deleted" and resource in _GONE_FOR_GOOD:
        words = "deleted"
    return f"{RESOURCES[resource]} {words}"


def field(code: str) -> str:
    return _FIELDS.get(code, code.replace("_", " "))


def reason(code: str) -> str:
    """A stock reason in words; a workspace's own reasons (not built in) keep their code."""
    return REASONS.get(code, code.replace("_", " "))


def money(value: Decimal) -> str:
    """To the cent, half up, as a price is read ("3.1" → "3.10", "3.125" → "3.13"); exact values
    stay in the API."""
    return f"{round_money(value):f}"


def in_words(field_code: str, raw: Any) -> bool:
    """Whether value() says this mapping in words; any other is shown as its JSON."""
    return field_code == "channels" and isinstance(raw, dict)


def value(field_code: str, raw: Any, names: dict[str, str], mark: str = ".") -> str:
    """A changed field's value as a person reads it: a referenced row by its name (`names` by
    id), money to the cent, yes/no, none for nothing; numbers with the workspace's decimal
    `mark` (a EUR workspace writes 2,5)."""
    if raw is None or raw == "":
        return "none"
    if in_words(field_code, raw):  # the channels by name: what a removal or an unpublishing changed
        return ", ".join(name + ("" if (doc or {}).get("published") else " (unpublished)")
                         for name, doc in sorted(raw.items())) or "none"
    if field_code in REFERENCES and isinstance(raw, str):
        return names.get(raw, raw)
    if field_code == "reason" and isinstance(raw, str):
        return reason(raw)
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if field_code in MONEY and isinstance(raw, (int, float, Decimal, str)):
        try:
            return local_text(money(Decimal(str(raw))), mark)
        except ArithmeticError:
            return str(raw)
    if isinstance(raw, Decimal):
        text = f"{raw.normalize():f}" if raw == raw.to_integral() else f"{raw:f}".rstrip("0")
        return local_text(text, mark)
    if isinstance(raw, datetime):
        return raw.isoformat(timespec="minutes")
    if isinstance(raw, list):
        return ", ".join(value(field_code, v, names, mark) for v in raw) or "none"
    return str(raw)
