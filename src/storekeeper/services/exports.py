"""Exports: items, stock levels and movements as flat records, written as CSV or JSON Lines.

`storekeeper export` and the list endpoints' `Accept: text/csv` share them. Records are read page
by page (keyset paging, PAGE rows per read transaction), so an export of a million items holds
one page in memory, never the whole list. An item's category, tax rate and home location are
written by name and its parent by SKU, so that `storekeeper import` can load the file into another
workspace.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from storekeeper.domain.clock import format_timestamp
from storekeeper.domain.csv_cells import escape_cell
from storekeeper.domain.pricing import join_price
from storekeeper.domain.quantities import format_money, format_quantity
from storekeeper.domain.stock import Tracking
from storekeeper.jsoncodec import dumps
from storekeeper.persistence import counters
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest
from storekeeper.persistence.tables import categories, items, locations, tax_rates
from storekeeper.services import images as image_service
from storekeeper.services import inventory
from storekeeper.services import items as item_service
from storekeeper.services.inventory import MovementFilters, StockFilters
from storekeeper.services.items import ItemFilters

PAGE = 500
FORMATS = ("csv", "jsonl")

# What `storekeeper import items` reads, in this order; the rest of an item's columns are shown
# for people reading the file and skipped on import (READ_ONLY_ITEM_COLUMNS).
_FIRST_IMPORT_COLUMNS = (
    "sku", "name", "description", "kind", "tracking", "unit", "barcode", "brand", "supplier", "category",
    "tax_rate", "home_location", "parent", "tags", "attributes", "reorder_point", "safety_stock", "reorder_quantity",
    "reorder_urls", "unit_cost", "price", "retail_price", "wholesale_price", "package_size", "images",
    "channels", "metadata",
)
# `category` is the first of `categories` (domain/categories.py); both are names.
_LATER_IMPORT_COLUMNS = ("categories",)
ITEM_IMPORT_COLUMNS = _FIRST_IMPORT_COLUMNS + _LATER_IMPORT_COLUMNS
# New columns go last, so that readers of the older files' columns by position still find theirs.
READ_ONLY_ITEM_COLUMNS = (
    "id", "on_hand", "reserved", "available", "incoming", "status", "average_cost", "created_at", "updated_at",
    "number",
)
ITEM_COLUMNS = _FIRST_IMPORT_COLUMNS + READ_ONLY_ITEM_COLUMNS + _LATER_IMPORT_COLUMNS
STOCK_COLUMNS = ("sku", "location", "on_hand", "reserved", "available", "unit_cost", "item", "location_id",
                 "item_number")
MOVEMENT_COLUMNS = (
    "sequence", "id", "occurred_at", "created_at", "sku", "item", "location", "location_id", "reason", "delta",
    "before", "after", "unit_cost", "note", "reference_type", "reference_id", "transfer", "bundle", "batch",
    "actor_type", "actor_id", "actor_name", "label", "item_number",
)
SNAPSHOT_COLUMNS = ("item", "sku", "location", "location_name", "on_hand", "reserved")
_MONEY = ("unit_cost", "price", "retail_price", "wholesale_price", "average_cost")


@dataclass(frozen=True)
class Export:
    """What to write: the records, their columns, and how many there are when that is known
    without counting (for a progress bar)."""

    columns: tuple[str, ...]
    records: Iterator[dict[str, Any]]
    total: int | None


def _pages(fetch: Callable[[PageRequest], Page]) -> Iterator[Page]:
    cursor = None
    while True:
        page = fetch(PageRequest(limit=PAGE, cursor=cursor, include_total=False))
        yield page
        if not page.has_more:
            return
        cursor = page.next_cursor


def _names(db: Database, table, workspace_id: str) -> dict[str, str]:
    with db.read() as conn:
        return dict(conn.execute(select(table.c.id, table.c.name).where(table.c.workspace_id == workspace_id)).all())


def _item_numbers(db: Database, workspace_id: str, item_ids: set[str]) -> dict[str, int]:
    """The numbers of a page's items, in one read (the page has at most PAGE of them)."""
    if not item_ids:
        return {}
    with db.read() as conn:
        return dict(conn.execute(select(items.c.id, items.c.number).where(
            items.c.workspace_id == workspace_id, items.c.id.in_(sorted(item_ids)))).all())


def _money(value: Decimal | None) -> str | None:
    return format_money(value) if value is not None else None


def item_record(row: dict[str, Any], category_names: dict[str, str], tax_rate_names: dict[str, str],
                parent_skus: dict[str, str], location_names: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "sku": row["sku"], "name": row["name"], "description": row["description"], "kind": row["kind"],
        "tracking": row["tracking"], "unit": row["unit"], "barcode": row["barcode"], "brand": row["brand"],
        "supplier": row["supplier"],
        "category": category_names.get(row["category_id"]) if row["category_id"] else None,
        "tax_rate": tax_rate_names.get(row["tax_rate_id"]) if row["tax_rate_id"] else None,
        "home_location": location_names.get(row["home_location_id"]) if row["home_location_id"] else None,
        "parent": parent_skus.get(row["parent_id"]) if row["parent_id"] else None,
        "tags": row["tags"], "attributes": row["attributes"], "reorder_point": row["reorder_point"],
        "safety_stock": row["safety_stock"], "reorder_quantity": row["reorder_quantity"],
        "reorder_urls": row["reorder_urls"],
        "package_size": ({"value": row["package_size_value"], "unit": row["package_size_unit"]}
                         if row["package_size_value"] is not None else None),
        "images": image_service.shown(row["images"]), "channels": image_service.shown_channels(row["channels"]),
        "metadata": row["metadata"],
        "id": row["id"], "on_hand": row["on_hand"], "reserved": row["reserved"],
        "available": row["on_hand"] - row["reserved"], "incoming": row["incoming"], "status": row["status"],
        "created_at": row["created_at"], "updated_at": row["updated_at"], "number": row["number"],
        "categories": [category_names.get(c, c) for c in row["categories"]],
    }
    for column in _MONEY:
        record[column] = _money(row[column])
    record["price"] = _money(join_price(row["price"], row["price_rest"]))
    return record


def export_items(db: Database, workspace_id: str, filters: ItemFilters | None = None) -> Export:
    """Every item the filters match (default: every live item, oldest first, so that a parent
    comes before its variants)."""
    filters = filters or ItemFilters()
    category_names = _names(db, categories, workspace_id)
    tax_rate_names = _names(db, tax_rates, workspace_id)
    location_names = _names(db, locations, workspace_id)

    def records() -> Iterator[dict[str, Any]]:
        for page in _pages(lambda request: item_service.list_items(db, workspace_id, filters, request)):
            parent_ids = sorted({r["parent_id"] for r in page.rows if r["parent_id"]})
            parent_skus: dict[str, str] = {}
            if parent_ids:
                with db.read() as conn:
                    parent_skus = dict(conn.execute(select(items.c.id, items.c.sku).where(
                        items.c.workspace_id == workspace_id, items.c.id.in_(parent_ids))).all())
            for row in page.rows:
                yield item_record(row, category_names, tax_rate_names, parent_skus, location_names)

    total = None
    if filters == ItemFilters(sort=filters.sort):
        with db.read() as conn:
            total = counters.value(conn, workspace_id, counters.ITEMS_LIVE)
    return Export(ITEM_COLUMNS, records(), total)


def export_stock(db: Database, workspace_id: str, filters: StockFilters | None = None) -> Export:
    """A record per stock level (item and location) of the items the filters match, by SKU then
    location name; bundles, whose stock is derived from their components, are left out."""
    filters = filters or StockFilters()

    def records() -> Iterator[dict[str, Any]]:
        pending: list[tuple[dict[str, Any], dict[str, Any], tuple[Decimal | None, int | None]]] = []

        def fetch(request: PageRequest) -> Page:
            page, rows = inventory.list_stock(db, workspace_id, filters, request)
            bundles = {r["id"] for r in page.rows if r["tracking"] == Tracking.BUNDLE}
            shown = [row for row in rows if row["item"] not in bundles]
            known: dict[str, tuple[Decimal | None, int | None]] = {}
            if shown:
                with db.read() as conn:
                    known = {r.id: (r.average_cost, r.number) for r in conn.execute(
                        select(items.c.id, items.c.average_cost, items.c.number).where(
                            items.c.workspace_id == workspace_id, items.c.id.in_([r["item"] for r in shown])))}
            pending.extend((row, level, known.get(row["item"], (None, None)))
                           for row in shown for level in row["locations"])
            return page

        for _page in _pages(fetch):
            for row, level, (cost, number) in pending:
                yield {"sku": row["sku"], "location": level["name"], "on_hand": level["on_hand"],
                       "reserved": level["reserved"], "available": level["on_hand"] - level["reserved"],
                       "unit_cost": _money(cost), "item": row["item"], "location_id": level["location"],
                       "item_number": number}
            pending.clear()

    return Export(STOCK_COLUMNS, records(), None)


def export_movements(db: Database, workspace_id: str, filters: MovementFilters | None = None) -> Export:
    """The ledger (default: all of it, oldest first)."""
    filters = filters or MovementFilters(order="asc")
    location_names = _names(db, locations, workspace_id)

    def records() -> Iterator[dict[str, Any]]:
        for page in _pages(lambda request: inventory.list_movements(db, workspace_id, filters, request)):
            item_numbers = _item_numbers(db, workspace_id, {m["item_id"] for m in page.rows})
            for m in page.rows:
                yield {
                    "sequence": m["sequence"], "id": m["id"], "occurred_at": m["occurred_at"],
                    "created_at": m["created_at"], "sku": m["sku"], "item": m["item_id"],
                    "location": location_names.get(m["location_id"]), "location_id": m["location_id"],
                    "reason": m["reason"], "delta": m["delta"], "before": m["before"], "after": m["after"],
                    "unit_cost": _money(m["unit_cost"]), "note": m["note"], "reference_type": m["reference_type"],
                    "reference_id": m["reference_id"], "transfer": m["transfer_id"], "bundle": m.get("bundle_id"),
                    "batch": m.get("batch_id"), "actor_type": m["actor_type"], "actor_id": m["actor_id"],
                    "actor_name": m["actor_name"], "label": m["label"], "item_number": item_numbers.get(m["item_id"]),
                }

    total = None
    if filters == MovementFilters(order=filters.order):
        with db.read() as conn:
            total = counters.value(conn, workspace_id, counters.MOVEMENTS)
    return Export(MOVEMENT_COLUMNS, records(), total)


def export_snapshot_levels(levels: list[dict[str, Any]]) -> Export:
    """A snapshot's levels (already read with the snapshot), a record per item and location."""
    records = ({"item": level["item_id"], "sku": level["sku"], "location": level["location_id"],
                "location_name": level["location_name"], "on_hand": level["on_hand"], "reserved": level["reserved"]}
               for level in levels)
    return Export(SNAPSHOT_COLUMNS, records, len(levels))


def cell(column: str, value: Any) -> str:
    """One CSV cell: empty for none, decimals plain, times in RFC 3339, tags comma-separated,
    a package size as `250 ml`, other lists and objects as JSON. Text is escaped so that no
    spreadsheet runs it as a formula (domain/csv_cells.py); numbers are not, negative ones
    included: quantities come as Decimals, money as the text of a number (the _MONEY columns)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_quantity(value)
    if isinstance(value, int):
        return str(value)
    if column in _MONEY:
        return value
    return escape_cell(_text(column, value))


def _text(column: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return format_timestamp(value) or ""
    if column in ("tags", "categories") and not any("," in name for name in value):
        return ", ".join(value)
    if column == "package_size":
        return f"{format_quantity(value['value'])} {value['unit']}"
    if not value:
        return ""
    return dumps(value).decode()


def csv_chunks(export: Export, rows_per_chunk: int = PAGE) -> Iterator[str]:
    """The export as CSV text, a header and then a chunk of rows at a time. Every CSV the
    service writes (`storekeeper export`, `Accept: text/csv`, a snapshot's levels) is written
    here, so that every cell goes through `cell` and its escaping."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(export.columns)
    for count, record in enumerate(export.records, 1):
        writer.writerow([cell(c, record.get(c)) for c in export.columns])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def jsonl_chunks(export: Export, rows_per_chunk: int = PAGE) -> Iterator[str]:
    """The export as JSON Lines: an object per record, with the columns as keys."""
    lines: list[str] = []
    for record in export.records:
        lines.append(dumps({c: record.get(c) for c in export.columns}).decode())
        if len(lines) == rows_per_chunk:
            yield "\n".join(lines) + "\n"
            lines.clear()
    if lines:
        yield "\n".join(lines) + "\n"


def chunks(export: Export, fmt: str) -> Iterable[str]:
    return csv_chunks(export) if fmt == "csv" else jsonl_chunks(export)
