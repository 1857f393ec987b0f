"""Variants: items that share a parent (a t-shirt in sizes and colours).

A parent holds no stock of its own: the ledger keeps its quantities as the sums of its live
variants, and refuses to move stock of the parent itself (NOT_STOCKABLE). A variant inherits
the parent's unit, prices, category and the like unless it says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from storekeeper.domain.clock import utcnow
from storekeeper.domain.errors import Code, Conflict, NotStockable, ValidationFailed
from storekeeper.domain.stock import Tracking
from storekeeper.persistence.database import Database
from storekeeper.persistence.rows import update_versioned
from storekeeper.persistence.tables import item_components, items
from storekeeper.services import journal
from storekeeper.services.common import translate_integrity
from storekeeper.services.item_changes import change_item, has_stock_history
from storekeeper.services.items import (
    check_references,
    check_variant_attributes,
    find_item,
    insert_items,
    parent_row_from,
    refresh_derived,
    variant_row,
)
from storekeeper.services.stock import record_initial_stock
from storekeeper.services.trash import trash_variants


def _check_not_in_bills(conn, workspace_id: str, item: dict[str, Any]) -> None:
    """A parent has no stock: it can neither be a component nor have components of its own."""
    used_in = conn.execute(select(item_components.c.item_id).where(
        item_components.c.workspace_id == workspace_id, item_components.c.component_id == item["id"]).limit(1)).first()
    made_of = conn.execute(select(item_components.c.component_id).where(
        item_components.c.workspace_id == workspace_id, item_components.c.item_id == item["id"]).limit(1)).first()
    if used_in is not None or made_of is not None:
        raise NotStockable(f"{item['sku']} is in a bill of materials; a variant parent holds no stock to make or be "
                           "made of: give the bill to the variants instead.")


def add_variant(db: Database, principal, ref: str, data: dict[str, Any]) -> dict[str, Any]:
    """Add a variant to an item, which becomes (or stays) a parent. An item that has had stock
    of its own cannot become a parent (409 INVALID_STATE): move its stock to a variant first."""
    workspace_id = principal.workspace_id
    data = dict(data)
    initial = data.pop("initial_stock", None)
    unique = {"uq_items_sku": lambda: Conflict("An item with this SKU already exists.", code=Code.DUPLICATE_SKU)}
    with db.write() as conn, translate_integrity(unique):
        # Only the parent is locked so far, and the new variant is invisible to others until
        # commit, so locking it next cannot deadlock against the ledger's variant-then-parent order.
        parent = find_item(conn, workspace_id, ref, for_update=True)
        if parent["parent_id"] is not None:
            raise ValidationFailed({"parent": ["A variant cannot have variants of its own."]})
        if parent["tracking"] == Tracking.BUNDLE:
            raise ValidationFailed({"parent": ["A bundle cannot have variants."]})
        if not parent["has_variants"]:
            if has_stock_history(conn, workspace_id, parent["id"]):
                raise Conflict(f"{parent['sku']} has stock movements, reservations or order lines of its own; a "
                               "parent holds no stock. "
                               "Create a new parent item for the variants instead.")
            _check_not_in_bills(conn, workspace_id, parent)
        variant = variant_row(parent, data, utcnow())
        check_references(conn, workspace_id, variant)
        siblings = [dict(r) for r in conn.execute(
            select(items.c.sku, items.c.attributes).where(
                items.c.workspace_id == workspace_id, items.c.parent_id == parent["id"],
                items.c.deleted_at.is_(None))).mappings()]
        check_variant_attributes([*siblings, variant])
        update_versioned(conn, items, parent, {"has_variants": True})
        insert_items(conn, workspace_id, [variant])
        journal.item_event(conn, "created", None, variant)
        if initial:
            record_initial_stock(conn, principal, [(variant, initial)])
        return find_item(conn, workspace_id, variant["id"], details=True)


@dataclass(frozen=True)
class KeptVariant:
    """A variant a product's new list of variants keeps: its changes (prepared), and the stock
    over all locations to bring it to, if given."""

    id: str
    changes: dict[str, Any]
    on_hand: Decimal | None = None


def replace_variants(db: Database, principal, ref: str, changes: dict[str, Any], kept: list[KeptVariant],
                     new: list[dict[str, Any]], *, dissolve: bool = False) -> dict[str, Any]:
    """A parent and its whole list of variants, in one transaction (the inventorum dialect's PUT
    of a product with variations): the parent changes, each kept variant changes, each new one
    is added (with its `initial_stock`), and every live variant left out goes to the trash. At
    least one variant must be kept. Locks the variants and the parent first, in the ledger's
    order, so that stock changes of the same variants wait rather than deadlock. `dissolve`, with
    one variant kept and none added: it becomes an item of its own and the parent goes to the
    trash (the answer is then that item)."""
    workspace_id = principal.workspace_id
    unique = {"uq_items_sku": lambda: Conflict("An item with this SKU already exists.", code=Code.DUPLICATE_SKU)}
    with db.write() as conn, translate_integrity(unique):
        parent = find_item(conn, workspace_id, ref)
        live = [r.id for r in conn.execute(select(items.c.id).where(
            items.c.workspace_id == workspace_id, items.c.parent_id == parent["id"], items.c.deleted_at.is_(None)))]
        if not parent["has_variants"]:
            raise ValidationFailed({"variations": ["This product has no variations to change."]})
        strangers = [k.id for k in kept if k.id not in live]
        if strangers:
            raise ValidationFailed({"variations": [f"{', '.join(strangers)}: not a variation of this product."]})
        if not kept:
            raise ValidationFailed({"variations": ["Keep at least one variation (with its id)."]})
        refresh_derived(conn, workspace_id, live)  # takes the ledger's locks: variants, then the parent
        parent = change_item(conn, workspace_id, parent["id"], changes)
        for variant in kept:
            change_item(conn, workspace_id, variant.id, variant.changes, on_hand=variant.on_hand, principal=principal)
        gone = [i for i in live if i not in {k.id for k in kept}]
        if gone:
            trash_variants(conn, workspace_id, gone)
        if dissolve:
            if len(kept) != 1 or new:
                raise ValidationFailed({"variations": ["Only a product's last variation can stand alone."]})
            alone = change_item(conn, workspace_id, kept[0].id, {"parent_id": None})
            trash_variants(conn, workspace_id, [parent["id"]])
            return find_item(conn, workspace_id, alone["id"], details=True)
        _add_variants(conn, principal, parent, new, utcnow())
        return find_item(conn, workspace_id, parent["id"], details=True)


def split_into_variants(db: Database, principal, ref: str, parent: dict[str, Any], itself: KeptVariant,
                        new: list[dict[str, Any]]) -> dict[str, Any]:
    """An item without variants becomes the first variant of a new parent, in one transaction
    (the inventorum dialect's PUT that gives a product its first variations): the parent is made
    from the item's catalogue fields with `parent` (API fields, its SKU) over them; the item keeps
    its id, stock and history and takes `itself.changes`; `new` variants are added. Answers the
    parent. A bundle, or a variant, cannot."""
    workspace_id = principal.workspace_id
    unique = {"uq_items_sku": lambda: Conflict("An item with this SKU already exists.", code=Code.DUPLICATE_SKU)}
    with db.write() as conn, translate_integrity(unique):
        item = find_item(conn, workspace_id, ref, for_update=True)
        if item["parent_id"] is not None or item["has_variants"]:
            raise ValidationFailed({"variations": ["Only an item without variations can become one."]})
        if item["tracking"] == Tracking.BUNDLE:
            raise ValidationFailed({"variations": ["A bundle cannot be a variation."]})
        now = utcnow()
        top = parent_row_from(item, parent, now)
        check_references(conn, workspace_id, top)
        insert_items(conn, workspace_id, [top])
        journal.item_event(conn, "created", None, top)
        change_item(conn, workspace_id, item["id"], {**itself.changes, "parent_id": top["id"]},
                    on_hand=itself.on_hand, principal=principal)
        refresh_derived(conn, workspace_id, [item["id"]])  # the new parent sums its stock
        _add_variants(conn, principal, top, new, now)
        return find_item(conn, workspace_id, top["id"], details=True)


def _add_variants(conn, principal, parent: dict[str, Any], new: list[dict[str, Any]], now) -> None:
    """`new` variants (API fields, `initial_stock` among them) under `parent`, with their events
    and initial stock; then the parent's live variants must differ in their attributes."""
    workspace_id = principal.workspace_id
    added, stock = [], []
    for data in new:
        data = dict(data)
        initial = data.pop("initial_stock", None)
        added.append(variant_row(parent, data, now))
        check_references(conn, workspace_id, added[-1])
        if initial:
            stock.append((added[-1], initial))
    if added:
        insert_items(conn, workspace_id, added)
        for row in added:
            journal.item_event(conn, "created", None, row)
        if stock:
            record_initial_stock(conn, principal, stock)
    check_variant_attributes([dict(r) for r in conn.execute(select(items.c.sku, items.c.attributes).where(
        items.c.workspace_id == workspace_id, items.c.parent_id == parent["id"],
        items.c.deleted_at.is_(None))).mappings()])
