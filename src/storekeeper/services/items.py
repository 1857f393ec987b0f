"""Items: products and materials.

An item is found by id or by SKU. SKUs are unique among items not in the trash. `on_hand`,
`reserved` and `status` are kept on the item row by the stock service (only movements change
them); this module never writes quantities, it only recomputes `status` when the thresholds it
depends on change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, and_, delete, exists, func, literal, or_, select

from storekeeper.domain.clock import to_utc, utcnow
from storekeeper.domain.errors import Conflict, NotFound, ValidationFailed
from storekeeper.domain.ids import is_id, new_id
from storekeeper.domain.stock import StockStatus, stock_status
from storekeeper.domain.units import UnknownUnit, resolve_unit
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest, Sort, paginate
from storekeeper.persistence.rows import check_version, fetch, update_versioned
from storekeeper.persistence.tables import (
    categories,
    item_tags,
    items,
    locations,
    movements,
    reservations,
    stock_levels,
    tax_rates,
)
from storekeeper.persistence.types import Micros
from storekeeper.services.common import translate_integrity
from storekeeper.services.inventory import due_reserved
from storekeeper.services.locations import find_location
from storekeeper.services.tax_rates import default_tax_rate_id

SORTS: dict[str, str] = {
    "created_at": "created_at",
    "updated_at": "updated_at",
    "name": "name_key",
    "sku": "sku",
}
# Fields whose change would re-interpret every movement already recorded.
LOCKED_ONCE_STOCKED = ("unit", "tracking")


def _duplicate_sku(sku: str | None = None):
    def make():
        return Conflict(
            f"An item with SKU {sku!r} already exists." if sku else "An item with this SKU already exists.",
            code="DUPLICATE_SKU",
        )

    return make


@dataclass(frozen=True)
class ItemFilters:
    q: str | None = None
    sku: str | None = None
    barcode: str | None = None
    kind: str | None = None
    category: str | None = None
    parent: str | None = None
    tag: str | None = None
    status: str | None = None
    low_stock: bool | None = None
    location: str | None = None
    updated_since: datetime | None = None
    deleted: str = "false"
    sort: str = "created_at"


def _with_details() -> Select:
    """Items with what their representation needs: the tax rate and the number of variants."""
    variants = items.alias("variants")
    variant_count = (
        select(func.count())
        .where(
            variants.c.workspace_id == items.c.workspace_id,
            variants.c.parent_id == items.c.id,
            variants.c.deleted_at.is_(None),
        )
        .scalar_subquery()
        .label("variant_count")
    )
    # Reserved stock of reservations past expires_at that the worker has not marked yet: it no
    # longer counts (SPEC), so reads subtract it at once.
    due_reserved = (
        select(func.coalesce(func.sum(reservations.c.quantity - reservations.c.fulfilled_quantity, type_=Micros()),
                             literal(0, Micros()), type_=Micros()))
        .where(
            reservations.c.workspace_id == items.c.workspace_id,
            reservations.c.item_id == items.c.id,
            reservations.c.status == "active",
            reservations.c.expires_at <= utcnow(),
        )
        .scalar_subquery()
        .label("due_reserved")
    )
    return select(items, tax_rates.c.rate.label("tax_rate_value"), variant_count, due_reserved).select_from(
        items.outerjoin(
            tax_rates,
            and_(tax_rates.c.workspace_id == items.c.workspace_id, tax_rates.c.id == items.c.tax_rate_id),
        )
    )


def _ref_condition(ref: str):
    if is_id("item", ref):
        return or_(items.c.id == ref, items.c.sku == ref)
    return items.c.sku == ref


def _find(
    conn: Connection, workspace_id: str, ref: str, *, details: bool = False, for_update: bool = False
) -> dict[str, Any]:
    """The live item by id or SKU. `for_update` locks its row (PostgreSQL) so that concurrent
    changes of one item wait for each other instead of failing on its version."""
    stmt = (_with_details() if details else select(items)).where(
        items.c.workspace_id == workspace_id, items.c.deleted_at.is_(None), _ref_condition(ref)
    )
    if for_update:
        stmt = stmt.with_for_update()
    rows = conn.execute(stmt).mappings().all()
    if not rows:
        raise NotFound("item", ref)
    # An id beats a SKU that happens to look like one.
    return dict(next((r for r in rows if r["id"] == ref), rows[0]))


def _unit_code(value: str, field: str = "unit") -> str:
    try:
        return resolve_unit(value).code
    except UnknownUnit as exc:
        raise ValidationFailed({field: [str(exc)]}) from None


def _check_sku(sku: str) -> None:
    if is_id("item", sku):
        raise ValidationFailed({"sku": ["A SKU must not look like an item id."]})


def _check_references(conn: Connection, workspace_id: str, values: dict[str, Any]) -> None:
    if values.get("category_id") is not None:
        fetch(conn, categories, workspace_id, values["category_id"], "category")
    if values.get("tax_rate_id") is not None:
        fetch(conn, tax_rates, workspace_id, values["tax_rate_id"], "tax_rate")


def _sku_taken(conn: Connection, workspace_id: str, sku: str, except_id: str | None = None) -> bool:
    stmt = select(items.c.id).where(
        items.c.workspace_id == workspace_id, items.c.sku == sku, items.c.deleted_at.is_(None)
    )
    if except_id:
        stmt = stmt.where(items.c.id != except_id)
    return conn.execute(stmt).first() is not None


def _write_tags(conn: Connection, workspace_id: str, item_id: str, tags: list[str], replace: bool) -> None:
    if replace:
        conn.execute(delete(item_tags).where(item_tags.c.workspace_id == workspace_id, item_tags.c.item_id == item_id))
    if tags:
        conn.execute(item_tags.insert(), [{"workspace_id": workspace_id, "item_id": item_id, "tag": t} for t in tags])


def _prepare(values: dict[str, Any]) -> dict[str, Any]:
    """API field names and shapes to columns."""
    out = dict(values)
    if "category" in out:
        out["category_id"] = out.pop("category")
    if "tax_rate" in out:
        out["tax_rate_id"] = out.pop("tax_rate")
    if "unit" in out:
        out["unit"] = _unit_code(out["unit"])
    if "name" in out:
        out["name_key"] = out["name"].casefold()
    if "package_size" in out:
        package = out.pop("package_size")
        out["package_size_value"] = package["value"] if package else None
        out["package_size_unit"] = _unit_code(package["unit"], "package_size.unit") if package else None
    if "tags" in out:
        out["tags"] = list(dict.fromkeys(out["tags"]))
    return out


def _status(row: dict[str, Any]) -> str:
    available = (row.get("on_hand") or Decimal(0)) - (row.get("reserved") or Decimal(0))
    return stock_status(available, row["safety_stock"], row["reorder_point"], row["tracking"]).value


def create_item(db: Database, workspace_id: str, data: dict[str, Any]) -> dict[str, Any]:
    values = _prepare(data)
    _check_sku(values["sku"])
    now = utcnow()
    row: dict[str, Any] = {
        "workspace_id": workspace_id,
        "id": new_id("item"),
        "description": None,
        "kind": "product",
        "tracking": "quantity",
        "unit": "pcs",
        "barcode": None,
        "brand": None,
        "supplier": None,
        "category_id": None,
        "tags": [],
        "attributes": {},
        "parent_id": None,
        "reorder_point": Decimal(0),
        "safety_stock": Decimal(0),
        "reorder_quantity": Decimal(0),
        "reorder_urls": [],
        "unit_cost": None,
        "average_cost": None,
        "price": None,
        "retail_price": None,
        "wholesale_price": None,
        "package_size_value": None,
        "package_size_unit": None,
        "images": [],
        "channels": {},
        "metadata": {},
        **values,
        "on_hand": Decimal(0),
        "reserved": Decimal(0),
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
    }
    row["status"] = _status(row)
    unique = {"uq_items_sku": _duplicate_sku(row["sku"]), "items.sku": _duplicate_sku(row["sku"])}
    with db.write() as conn, translate_integrity(unique):
        if "tax_rate_id" not in row:
            row["tax_rate_id"] = default_tax_rate_id(conn, workspace_id)
        _check_references(conn, workspace_id, row)
        if _sku_taken(conn, workspace_id, row["sku"]):
            raise _duplicate_sku(row["sku"])()
        conn.execute(items.insert().values(row))
        _write_tags(conn, workspace_id, row["id"], row["tags"], replace=False)
        return _find(conn, workspace_id, row["id"], details=True)


def get_item(db: Database, workspace_id: str, ref: str) -> dict[str, Any]:
    """The item with its per-location levels."""
    with db.read() as conn:
        row = _find(conn, workspace_id, ref, details=True)
        row["locations"] = [
            dict(r)
            for r in conn.execute(
                select(
                    stock_levels.c.location_id,
                    locations.c.name.label("location_name"),
                    locations.c.type.label("location_type"),
                    stock_levels.c.on_hand,
                    stock_levels.c.reserved,
                )
                .join(
                    locations,
                    and_(
                        locations.c.workspace_id == stock_levels.c.workspace_id,
                        locations.c.id == stock_levels.c.location_id,
                    ),
                )
                .where(stock_levels.c.workspace_id == workspace_id, stock_levels.c.item_id == row["id"],
                       locations.c.deleted_at.is_(None))
                .order_by(locations.c.name)
            ).mappings()
        ]
        due = due_reserved(conn, workspace_id, [row["id"]])
        for level in row["locations"]:
            level["reserved"] -= due.get((row["id"], level["location_id"]), Decimal(0))
    return row


def list_items(db: Database, workspace_id: str, filters: ItemFilters, page: PageRequest) -> Page:
    stmt = _with_details().where(items.c.workspace_id == workspace_id)
    if filters.deleted == "false":
        stmt = stmt.where(items.c.deleted_at.is_(None))
    elif filters.deleted == "true":
        stmt = stmt.where(items.c.deleted_at.is_not(None))
    if filters.q:
        needle = filters.q.casefold()
        stmt = stmt.where(
            or_(
                items.c.name_key.contains(needle, autoescape=True),
                func.lower(items.c.sku).contains(needle, autoescape=True),
                func.lower(items.c.barcode).contains(needle, autoescape=True),
            )
        )
    for column, value in (
        ("sku", filters.sku),
        ("barcode", filters.barcode),
        ("kind", filters.kind),
        ("category_id", filters.category),
        ("parent_id", filters.parent),
        ("status", filters.status),
    ):
        if value is not None:
            stmt = stmt.where(items.c[column] == value)
    if filters.low_stock is True:
        stmt = stmt.where(items.c.status != StockStatus.NORMAL.value)
    elif filters.low_stock is False:
        stmt = stmt.where(items.c.status == StockStatus.NORMAL.value)
    if filters.tag is not None:
        stmt = stmt.where(
            exists().where(
                item_tags.c.workspace_id == items.c.workspace_id,
                item_tags.c.item_id == items.c.id,
                item_tags.c.tag == filters.tag,
            )
        )
    if filters.updated_since is not None:
        stmt = stmt.where(items.c.updated_at >= to_utc(filters.updated_since))
    with db.read() as conn:
        if filters.location is not None:
            place = find_location(conn, workspace_id, filters.location)
            location_id = place["id"] if place else None  # an unknown location has no stock: empty list
            stmt = stmt.where(
                exists().where(
                    stock_levels.c.workspace_id == items.c.workspace_id,
                    stock_levels.c.item_id == items.c.id,
                    stock_levels.c.location_id == location_id,
                )
            )
        column = items.c[SORTS[filters.sort.lstrip("-")]]
        # The sort's full name, direction included, goes into the cursor: a cursor of `name`
        # must not walk a `-name` list (it would silently skip rows).
        sort = Sort(filters.sort, column, items.c.id, descending=filters.sort.startswith("-"))
        return paginate(conn, stmt, sort, page)


def _has_stock_history(conn: Connection, workspace_id: str, item_id: str) -> bool:
    return conn.execute(
        select(movements.c.id).where(movements.c.workspace_id == workspace_id, movements.c.item_id == item_id).limit(1)
    ).first() is not None


def update_item(
    db: Database, workspace_id: str, ref: str, changes: dict[str, Any], if_match: int | None = None
) -> dict[str, Any]:
    values = _prepare(changes)
    if "sku" in values:
        _check_sku(values["sku"])
    sku = values.get("sku")
    unique = {"uq_items_sku": _duplicate_sku(sku), "items.sku": _duplicate_sku(sku)}
    with db.write() as conn, translate_integrity(unique):
        row = _find(conn, workspace_id, ref, for_update=True)
        check_version(row, if_match)
        values = {k: v for k, v in values.items() if row.get(k) != v}
        locked = [f for f in LOCKED_ONCE_STOCKED if f in values]
        if locked and _has_stock_history(conn, workspace_id, row["id"]):
            raise Conflict(
                f"{' and '.join(locked)} cannot change once the item has stock movements.", code="UNIT_LOCKED"
            )
        _check_references(conn, workspace_id, values)
        if sku is not None and "sku" in values and _sku_taken(conn, workspace_id, sku, except_id=row["id"]):
            raise _duplicate_sku(sku)()
        new_status = _status({**row, **values})
        if new_status != row["status"]:
            values["status"] = new_status
        updated = update_versioned(conn, items, row, values)
        if "tags" in values:
            _write_tags(conn, workspace_id, row["id"], values["tags"], replace=True)
        return _find(conn, workspace_id, updated["id"], details=True)


def delete_item(db: Database, workspace_id: str, ref: str, if_match: int | None = None) -> None:
    """Soft delete: the item goes to the trash and its SKU becomes free for a new item."""
    with db.write() as conn:
        row = _find(conn, workspace_id, ref, for_update=True)
        check_version(row, if_match)
        update_versioned(conn, items, row, {"deleted_at": utcnow()})
