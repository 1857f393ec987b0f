"""Changing an item: `update_item` (PATCH /v1/items/{ref}) and `change_item` in a caller's
transaction, the rules of an item that has stock history (`StockedRules`: /v1's, or a dialect's),
and publishing on sales channels. Creating, finding and listing items is services/items.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, exists, or_, select

from storekeeper.domain import categories as category_rules
from storekeeper.domain.errors import Code, Conflict, NotFound, NotStockable, ValidationFailed
from storekeeper.domain.stock import Tracking
from storekeeper.domain.units import UnitMismatch, convert
from storekeeper.persistence.database import Database
from storekeeper.persistence.rows import check_version, update_versioned
from storekeeper.persistence.tables import (
    item_components,
    items,
    movements,
    production_order_lines,
    purchase_order_lines,
    reservations,
)
from storekeeper.services import images as image_service
from storekeeper.services import item_categories, journal
from storekeeper.services.common import translate_integrity
from storekeeper.services.items import (
    _check_sku,
    _duplicate_sku,
    _prepare,
    _sku_taken,
    _status,
    _write_tags,
    channel_doc,
    check_references,
    find_item,
    refresh_derived,
    write_channels,
)
from storekeeper.services.stock import bring_total_to

# Fields whose change would re-interpret every movement or reservation already recorded.
LOCKED_ONCE_STOCKED = ("unit", "tracking")


@dataclass(frozen=True)
class StockedRules:
    """What may change on an item once it has stock history. /v1 locks `unit` and `tracking`
    (UNIT_LOCKED) and leaves the standard cost free; a /compat dialect may serve its vendor's
    rules instead (compat/inventora: the unit is relabelled, its quantities keep their numbers,
    and the cost is frozen once stock came in other than as initial stock)."""

    locked: tuple[str, ...] = LOCKED_ONCE_STOCKED
    # Movements of these reasons leave `unit_cost` free to change, any other freezes it
    # (UNIT_COST_LOCKED); None: it is never frozen.
    unit_cost_free_after: frozenset[str] | None = None


V1_RULES = StockedRules()


def has_stock_history(conn: Connection, workspace_id: str, item_id: str) -> bool:
    """Whether movements, reservations or order lines (purchase or production) were ever
    recorded for the item: their quantities are in its unit and assume it holds stock."""
    checks = [select(table.c.id).where(table.c.workspace_id == workspace_id, table.c.item_id == item_id)
              for table in (movements, reservations, purchase_order_lines, production_order_lines)]
    return conn.execute(select(or_(*(exists(c) for c in checks)))).scalar_one()


def _check_tracking(conn: Connection, workspace_id: str, row: dict[str, Any], tracking: str) -> None:
    """Rules of a new `tracking` (the item has no stock history yet)."""
    if tracking != Tracking.BUNDLE:
        return
    if row["has_variants"] or row["parent_id"]:
        raise ValidationFailed({"tracking": ["A variant parent or a variant cannot be a bundle."]})
    in_bundles = conn.execute(select(items.c.sku).join(item_components, and_(
        item_components.c.workspace_id == items.c.workspace_id, item_components.c.item_id == items.c.id)).where(
        items.c.workspace_id == workspace_id, item_components.c.component_id == row["id"],
        items.c.tracking == Tracking.BUNDLE.value, items.c.deleted_at.is_(None))).first()
    if in_bundles is not None:
        raise NotStockable(f"{row['sku']} is a component of the bundle {in_bundles.sku}, and a bundle's components "
                           "hold stock: it cannot become a bundle.")


def _check_unit_in_boms(conn: Connection, workspace_id: str, row: dict[str, Any], unit: str) -> None:
    """Every bill of materials that uses the item must still convert to its new unit."""
    used = conn.execute(select(item_components.c.unit, items.c.sku).join(items, and_(
        items.c.workspace_id == item_components.c.workspace_id, items.c.id == item_components.c.item_id)).where(
        item_components.c.workspace_id == workspace_id, item_components.c.component_id == row["id"])).all()
    for line in used:
        try:
            convert(Decimal(1), line.unit, unit)
        except UnitMismatch:
            raise UnitMismatch(f"{line.sku} uses {row['sku']} in {line.unit}, which cannot convert to {unit}.") \
                from None


def has_movements_beyond(conn: Connection, workspace_id: str, item_id: str, reasons: frozenset[str]) -> bool:
    """Whether the item has a movement of any reason but these."""
    return conn.execute(select(movements.c.id).where(
        movements.c.workspace_id == workspace_id, movements.c.item_id == item_id,
        movements.c.reason.not_in(sorted(reasons))).limit(1)).first() is not None


def _check_stocked_rules(conn: Connection, row: dict[str, Any], values: dict[str, Any], rules: StockedRules) -> None:
    locked = [f for f in rules.locked if f in values]
    if locked and has_stock_history(conn, row["workspace_id"], row["id"]):
        raise Conflict(
            f"{' and '.join(locked)} cannot change once the item has stock movements, reservations or order lines.",
            code=Code.UNIT_LOCKED,
        )
    free_after = rules.unit_cost_free_after
    if free_after is not None and "unit_cost" in values and has_movements_beyond(
            conn, row["workspace_id"], row["id"], free_after):
        raise Conflict(f"unit_cost cannot change once the item has movements other than "
                       f"{', '.join(sorted(free_after))}.", code=Code.UNIT_COST_LOCKED)


def update_item(
    db: Database, workspace_id: str, ref: str, changes: dict[str, Any], if_match: int | None = None, *,
    rules: StockedRules = V1_RULES, on_hand: Decimal | None = None, principal=None,
) -> dict[str, Any]:
    """Change an item; with `on_hand` (and a `principal` holding stock:write), bring its stock
    over all locations to that figure in the same transaction (stock.bring_total_to)."""
    values = prepare_changes(changes)
    sku = values.get("sku")
    unique = {"uq_items_sku": _duplicate_sku(sku), "items.sku": _duplicate_sku(sku)}
    with db.write() as conn, translate_integrity(unique):
        updated = change_item(conn, workspace_id, ref, values, if_match, rules=rules, on_hand=on_hand,
                              principal=principal)
        return find_item(conn, workspace_id, updated["id"], details=True)


def prepare_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """A change's API fields as columns, its SKU checked (what change_item takes)."""
    values = _prepare(changes)
    if "sku" in values:
        _check_sku(values["sku"])
    return values


def change_item(
    conn: Connection, workspace_id: str, ref: str, values: dict[str, Any], if_match: int | None = None, *,
    rules: StockedRules = V1_RULES, on_hand: Decimal | None = None, principal=None,
) -> dict[str, Any]:
    """update_item's change in the caller's transaction (`values` from prepare_changes): the
    row after it."""
    sku = values.get("sku")
    row = find_item(conn, workspace_id, ref, for_update=True)
    check_version(row, if_match)
    image_service.assign_all(conn, workspace_id, [(row, values)])
    values = {k: v for k, v in category_rules.settle(values, row["categories"]).items() if row.get(k) != v}
    _check_stocked_rules(conn, row, values, rules)
    if "tracking" in values:
        _check_tracking(conn, workspace_id, row, values["tracking"])
        if row["tracking"] == Tracking.BUNDLE:  # a bundle's quantities were derived, not its own
            values.update(on_hand=Decimal(0), reserved=Decimal(0))
    if "unit" in values:
        _check_unit_in_boms(conn, workspace_id, row, values["unit"])
    check_references(conn, workspace_id, values)
    if sku is not None and "sku" in values and _sku_taken(conn, workspace_id, sku, except_id=row["id"]):
        raise _duplicate_sku(sku)()
    new_status = _status({**row, **values})
    if new_status != row["status"]:
        values["status"] = new_status
    updated = update_versioned(conn, items, row, values)
    if updated is not row:
        journal.item_event(conn, "updated", row, updated)
        if "reorder_point" in values or "safety_stock" in values:
            journal.threshold_status_changes(conn, row, updated)
    if "tags" in values:
        _write_tags(conn, workspace_id, row["id"], values["tags"], replace=True)
    if "categories" in values:
        item_categories.replace(conn, workspace_id, row["id"], values["categories"])
    if "channels" in values:
        write_channels(conn, workspace_id, row["id"], values["channels"])
    if "tracking" in values:
        refresh_derived(conn, workspace_id, [row["id"]], also_self=True)
    if on_hand is not None:
        bring_total_to(conn, principal, updated, on_hand)
    return updated


def set_channel(db: Database, workspace_id: str, ref: str, channel: str, entry: dict[str, Any] | None,
                if_match: int | None = None) -> dict[str, Any]:
    """Publish the item on a sales channel with optional overrides (`entry`), or unpublish it
    (`entry` None: it stays listed with published false, its overrides kept)."""
    with db.write() as conn:
        row = find_item(conn, workspace_id, ref, for_update=True)
        check_version(row, if_match)
        updated = _set_channel(conn, workspace_id, row, channel, entry)
        return find_item(conn, workspace_id, updated["id"], details=True)


def update_item_and_channels(db: Database, workspace_id: str, ref: str, changes: dict[str, Any],
                             channels: dict[str, dict[str, Any] | None], if_match: int | None = None) -> dict[str, Any]:
    """PATCH /v1/items/{ref} with `changes`, then set_channel for each of `channels`, in one
    transaction: the dashboard's item form, saved whole or not at all, its version guard the
    form's. Each channel is published or unpublished as PUT and DELETE
    /v1/items/{ref}/channels/{channel} would, with their events."""
    values = prepare_changes(changes)
    sku = values.get("sku")
    unique = {"uq_items_sku": _duplicate_sku(sku), "items.sku": _duplicate_sku(sku)}
    with db.write() as conn, translate_integrity(unique):
        row = change_item(conn, workspace_id, ref, values, if_match)
        for channel, entry in channels.items():
            row = _set_channel(conn, workspace_id, row, channel, entry)
        return find_item(conn, workspace_id, row["id"], details=True)


def _set_channel(conn: Connection, workspace_id: str, row: dict[str, Any], channel: str,
                 entry: dict[str, Any] | None) -> dict[str, Any]:
    """set_channel on a row locked and checked by the caller: the row after."""
    channels = dict(row["channels"])
    if entry is None:
        if channel not in channels:
            raise NotFound("channel", channel)
        channels[channel] = {**channels[channel], "published": False}
    else:
        channels[channel] = channel_doc({"published": True, **entry})
        image_service.assign_all(conn, workspace_id, [(row, {"channels": {channel: channels[channel]}})])
    updated = update_versioned(conn, items, row, {"channels": channels})
    write_channels(conn, workspace_id, row["id"], channels)
    journal.item_event(conn, "published" if entry is not None else "unpublished", row, updated,
                       channel=channel)
    return updated
