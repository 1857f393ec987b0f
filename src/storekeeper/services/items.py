"""Items: products and materials, variant parents and their variants, bundles.

An item is found by id or by SKU. SKUs are unique among items not in the trash. `on_hand`,
`reserved` and `status` are kept on the item row by the ledger (only movements change them);
this module never writes quantities, it only recomputes `status` when the thresholds it depends
on change. Creating an item may create its variants and record its initial stock, all in one
transaction. The trash is services/trash.py, bills of materials services/components.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, and_, bindparam, delete, exists, false, func, literal, or_, select

from storekeeper.domain import categories as category_rules
from storekeeper.domain.clock import utcnow
from storekeeper.domain.errors import Code, Conflict, NotFound, ValidationFailed
from storekeeper.domain.ids import is_id, new_id
from storekeeper.domain.pricing import split_price
from storekeeper.domain.quantities import format_money
from storekeeper.domain.skus import InvalidSku, check_sku
from storekeeper.domain.stock import StockStatus, Tracking, stock_status
from storekeeper.domain.units import UnknownUnit, resolve_unit
from storekeeper.persistence import counters, updates
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest, Sort, paginate
from storekeeper.persistence.rows import fetch
from storekeeper.persistence.tables import (
    ITEM_PRICE_ORDER,
    item_channels,
    item_tags,
    items,
    reservations,
    stock_levels,
    tax_rates,
)
from storekeeper.persistence.types import Micros
from storekeeper.services import images as image_service
from storekeeper.services import item_categories, journal, search
from storekeeper.services.common import translate_integrity
from storekeeper.services.context import SystemActor
from storekeeper.services.item_details import item_details, page_details
from storekeeper.services.locations import find_location, resolve_homes
from storekeeper.services.stock import ledger_for, record_initial_stock
from storekeeper.services.tax_rates import default_tax_rate_id

# Self-joins of items; made once, as making an alias copies every column of the table.
_VARIANTS = items.alias("variants")

SORTS: dict[str, str] = {
    "created_at": "created_at",
    "updated_at": "updated_at",
    "name": "name_key",
    "sku": "sku",
    # The trash, newest first, by ix_items_deleted (the dashboard's /trash; not a /v1 sort).
    "deleted_at": "deleted_at",
}

# What a variant takes from its parent unless it says otherwise.
INHERITED = ("description", "kind", "tracking", "unit", "brand", "supplier", "category_id", "categories", "tags",
             "tax_rate_id",
             "unit_cost", "price", "price_rest", "retail_price", "wholesale_price", "package_size_value",
             "package_size_unit", "home_location_id")


def _duplicate_sku(sku: str | None = None):
    def make():
        return Conflict(
            f"An item with SKU {sku!r} already exists." if sku else "An item with this SKU already exists.",
            code=Code.DUPLICATE_SKU,
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
    parents: tuple[str, ...] | None = None  # variants of any of these (a page of parents' variants at once)
    tag: str | None = None
    status: tuple[str, ...] | None = None  # any of these
    low_stock: bool | None = None
    ad_hoc: bool | None = None
    location: str | None = None
    home_location: str | None = None
    updated_since: datetime | None = None
    channel: str | None = None
    deleted: str = "false"
    top_level: bool | None = None  # true: no variants (parents and plain items); false: variants only
    sort: str = "created_at"


def _details(base=items) -> Select:
    """Items with what their representation needs: the tax rate and the number of variants.
    `base`: items, or items after their times (updates.BY_UPDATE)."""
    variants = _VARIANTS
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
    # longer counts (SPEC), so reads subtract it at once. `now` is read when the statement runs.
    due_reserved = (
        select(func.coalesce(func.sum(reservations.c.quantity - reservations.c.fulfilled_quantity, type_=Micros()),
                             literal(0, Micros()), type_=Micros()))
        .where(
            reservations.c.workspace_id == items.c.workspace_id,
            reservations.c.item_id == items.c.id,
            reservations.c.status == "active",
            reservations.c.expires_at <= bindparam("now", callable_=utcnow),
        )
        .scalar_subquery()
        .label("due_reserved")
    )
    return select(items, tax_rates.c.rate.label("tax_rate_value"), variant_count, due_reserved).select_from(
        base.outerjoin(
            tax_rates,
            and_(tax_rates.c.workspace_id == items.c.workspace_id, tax_rates.c.id == items.c.tax_rate_id),
        )
    )


# Every read of items starts from one of them: built once.
_WITH_DETAILS = _details()
_WITH_DETAILS_BY_UPDATE = _details(updates.BY_UPDATE)


def _ref_condition(ref: str):
    if is_id("item", ref):
        return or_(items.c.id == ref, items.c.sku == ref)
    return items.c.sku == ref


def find_item(
    conn: Connection, workspace_id: str, ref: str, *, details: bool = False, for_update: bool = False
) -> dict[str, Any]:
    """The live item by id or SKU. `for_update` locks its row (PostgreSQL) so that concurrent
    changes of one item wait for each other instead of failing on its version."""
    stmt = (_WITH_DETAILS if details else select(items)).where(
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
    """Wherever a SKU is set (create, PATCH, variants, imports): domain/skus.py's rule, and not
    like an item id (an id wins a lookup by ref, so the item could not be found by its SKU)."""
    try:
        check_sku(sku)
    except InvalidSku as exc:
        raise ValidationFailed({"sku": [str(exc)]}) from None
    if is_id("item", sku):
        raise ValidationFailed({"sku": ["A SKU must not look like an item id."]})


def check_references(conn: Connection, workspace_id: str, values: dict[str, Any]) -> None:
    """The categories and tax rate must exist; the home location, given by id or name, must be a
    live, active location, and is replaced by its id."""
    item_categories.check_exist(conn, workspace_id, [values])
    if values.get("tax_rate_id") is not None:
        fetch(conn, tax_rates, workspace_id, values["tax_rate_id"], "tax_rate")
    resolve_home_refs(conn, workspace_id, [values])


def resolve_home_refs(conn: Connection, workspace_id: str, rows: list[dict[str, Any]]) -> None:
    """Replace each row's `home_location_id`, as given (an id or a name), by the location's id;
    every row in one query."""
    refs = {row["home_location_id"] for row in rows if row.get("home_location_id") is not None}
    if refs:
        ids = resolve_homes(conn, workspace_id, refs)
        for row in rows:
            if row.get("home_location_id") is not None:
                row["home_location_id"] = ids[row["home_location_id"]]


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
    if "home_location" in out:  # an id or a name until check_references resolves it
        out["home_location_id"] = out.pop("home_location")
    if "unit" in out:
        out["unit"] = _unit_code(out["unit"])
    if "name" in out:
        out["name_key"] = out["name"].casefold()
    if "price" in out:
        out["price"], out["price_rest"] = split_price(out["price"])
    if "package_size" in out:
        package = out.pop("package_size")
        out["package_size_value"] = package["value"] if package else None
        out["package_size_unit"] = _unit_code(package["unit"], "package_size.unit") if package else None
    if "tags" in out:
        out["tags"] = list(dict.fromkeys(out["tags"]))
    if "channels" in out:
        out["channels"] = {name: channel_doc(entry) for name, entry in (out["channels"] or {}).items()}
    return out


def channel_doc(entry: dict[str, Any]) -> dict[str, Any]:
    """A channel's publication as stored: published, and only the overrides given (money as
    text; images as sent, until services/images.assign_all gives them their ids)."""
    doc: dict[str, Any] = {"published": bool(entry.get("published", True))}
    for key in ("name", "description", "images"):
        if entry.get(key) is not None:
            doc[key] = entry[key]
    if entry.get("price") is not None:
        doc["price"] = format_money(entry["price"])
    return doc


def write_channels(conn: Connection, workspace_id: str, item_id: str, channels: dict[str, Any]) -> None:
    """Mirror the published channels into item_channels, which `?channel=` filters on."""
    conn.execute(delete(item_channels).where(item_channels.c.workspace_id == workspace_id,
                                             item_channels.c.item_id == item_id))
    published = [name for name, doc in channels.items() if doc.get("published")]
    if published:
        conn.execute(item_channels.insert(),
                     [{"workspace_id": workspace_id, "item_id": item_id, "channel": name} for name in published])


def _status(row: dict[str, Any]) -> str:
    available = (row.get("on_hand") or Decimal(0)) - (row.get("reserved") or Decimal(0))
    return stock_status(available, row["safety_stock"], row["reorder_point"], row["tracking"]).value


def _new_row(workspace_id: str, values: dict[str, Any], now: datetime) -> dict[str, Any]:
    values = category_rules.settle(values)
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
        "categories": [],
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
        "price_rest": 0,
        "retail_price": None,
        "wholesale_price": None,
        "package_size_value": None,
        "package_size_unit": None,
        "images": [],
        "channels": {},
        "metadata": {},
        "gift_card": False,
        "favourite": False,
        "open_price": False,
        "ad_hoc": False,
        "home_location_id": None,
        **values,
        "on_hand": Decimal(0),
        "reserved": Decimal(0),
        "incoming": Decimal(0),
        "has_variants": False,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
        "purged_at": None,
    }
    row["status"] = _status(row)
    return row


def parent_row_from(item: dict[str, Any], data: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A new parent for an item that becomes its variant: the item's catalogue fields (what a
    variant inherits, its name, attributes aside) with `data` (API fields, a new SKU) over them."""
    values = _prepare(data)
    _check_sku(values["sku"])
    cloned = {k: item[k] for k in (*INHERITED, "name", "name_key", "barcode", "reorder_point", "safety_stock",
                                   "reorder_quantity", "images", "channels", "metadata") if k not in _given(values)}
    row = _new_row(item["workspace_id"], {**cloned, **values}, now)
    row["has_variants"] = True
    return row


def variant_row(parent: dict[str, Any], data: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A new variant of `parent`: what the request gives, the rest inherited from the parent.
    Its name defaults to the parent's followed by its attribute values ("T-shirt / M / red")."""
    values = _prepare(data)
    _check_sku(values["sku"])
    if values.get("tracking") == Tracking.BUNDLE:
        raise ValidationFailed({"tracking": ["A variant cannot be a bundle."]})
    inherited = {k: parent[k] for k in INHERITED if k not in _given(values)}
    if "name" not in values:
        suffix = " / ".join(str(v) for v in values.get("attributes", {}).values()) or values["sku"]
        values["name"] = f"{parent['name']} / {suffix}"[:500]
        values["name_key"] = values["name"].casefold()
    return _new_row(parent["workspace_id"], {**inherited, **values, "parent_id": parent["id"]}, now)


def _given(values: dict[str, Any]) -> set[str]:
    """The columns a write names; naming either of `category_id` and `categories` names both
    (the other follows from it, domain/categories.settle)."""
    given = set(values)
    if given & {"category_id", "categories"}:
        given |= {"category_id", "categories"}
    return given


def check_variant_attributes(siblings: list[dict[str, Any]]) -> None:
    """Two variants of one parent cannot have the same attributes (Shopify's rule for options)."""
    seen: dict[str, str] = {}
    for v in siblings:
        key = repr(sorted(v["attributes"].items()))
        if key in seen:
            raise Conflict(f"Variants {seen[key]} and {v['sku']} have the same attributes {v['attributes']}.",
                           code=Code.DUPLICATE_VARIANT)
        seen[key] = v["sku"]


def insert_items(conn: Connection, workspace_id: str, rows: list[dict[str, Any]]) -> None:
    """Insert new items with their tags and channels, refusing a SKU already in use. The rows
    get their numbers (in their order: a parent before its variants) from one counter statement."""
    skus = [r["sku"] for r in rows]
    repeated = next((sku for sku in skus if skus.count(sku) > 1), None)
    if repeated is not None:
        raise _duplicate_sku(repeated)()
    taken = conn.execute(select(items.c.sku).where(
        items.c.workspace_id == workspace_id, items.c.sku.in_(skus), items.c.deleted_at.is_(None))).first()
    if taken is not None:
        raise _duplicate_sku(taken.sku)()
    counters.take_numbers(conn, workspace_id, items, rows)
    image_service.assign_all(conn, workspace_id, [(None, r) for r in rows])
    conn.execute(items.insert(), rows)
    item_categories.insert(conn, workspace_id, rows)
    tags = [{"workspace_id": workspace_id, "item_id": r["id"], "tag": t} for r in rows for t in r["tags"]]
    if tags:
        conn.execute(item_tags.insert(), tags)
    published = [{"workspace_id": workspace_id, "item_id": r["id"], "channel": name}
                 for r in rows for name, doc in r["channels"].items() if doc.get("published")]
    if published:
        conn.execute(item_channels.insert(), published)


def create_item(db: Database, workspace_id: str, data: dict[str, Any], principal=None) -> dict[str, Any]:
    """Create an item; with `variants`, a parent and its variants; with `initial_stock` (on the
    item or on each variant), its `initial` movements. One transaction. `principal` records the
    stock (default: the system) and must hold stock:write for it."""
    data = dict(data)
    variants = data.pop("variants", None)
    initial = data.pop("initial_stock", None)
    values = _prepare(data)
    _check_sku(values["sku"])
    now = utcnow()
    row = _new_row(workspace_id, values, now)
    unique = {"uq_items_sku": _duplicate_sku(), "items.sku": _duplicate_sku()}
    with db.write() as conn, translate_integrity(unique):
        if "tax_rate_id" not in row:
            row["tax_rate_id"] = default_tax_rate_id(conn, workspace_id)
        check_references(conn, workspace_id, row)
        rows, stock = [row], [(row, initial)] if initial else []
        if variants is not None:
            if row["tracking"] == Tracking.BUNDLE:
                raise ValidationFailed({"variants": ["A bundle cannot have variants."]})
            if initial:
                raise ValidationFailed({"initial_stock": [
                    "A parent holds no stock of its own: give each variant its initial_stock."]})
            row["has_variants"] = True
            for entry in variants:
                entry = dict(entry)
                variant_stock = entry.pop("initial_stock", None)
                rows.append(variant_row(row, entry, now))
                if variant_stock:
                    stock.append((rows[-1], variant_stock))
            check_variant_attributes(rows[1:])
            # Each category and tax rate the variants name (most inherit the parent's, checked above).
            own = [r for r in rows[1:] if r["categories"] != row["categories"]]
            item_categories.check_exist(conn, workspace_id, own)
            for value in {r["tax_rate_id"] for r in rows[1:]} - {row["tax_rate_id"], None}:
                check_references(conn, workspace_id, {"tax_rate_id": value})
            # And each home location a variant names for itself.
            resolve_home_refs(conn, workspace_id,
                              [r for r in rows[1:] if r["home_location_id"] != row["home_location_id"]])
        insert_items(conn, workspace_id, rows)
        for created in rows:
            journal.item_event(conn, "created", None, created)
        if stock:
            record_initial_stock(conn, principal or SystemActor(workspace_id), stock)
        return find_item(conn, workspace_id, row["id"], details=True)


def get_item(db: Database, workspace_id: str, ref: str) -> dict[str, Any]:
    """The item with its per-location levels, its variants (a parent) and its components (an
    item with a bill of materials)."""
    with db.read() as conn:
        row = find_item(conn, workspace_id, ref, details=True)
        return {**row, **item_details(conn, workspace_id, row)}


def list_items(db: Database, workspace_id: str, filters: ItemFilters, page: PageRequest, *,
               details: bool = False) -> Page:
    """`details`: each row with its `locations` and `components`, read with the page (a fixed
    number of queries more)."""
    by_update = updates.wanted(filters.updated_since, filters.sort)
    stmt = (_WITH_DETAILS_BY_UPDATE if by_update else _WITH_DETAILS).where(
        search.in_workspace(workspace_id, filters.q), items.c.purged_at.is_(None))
    if filters.deleted == "false":
        stmt = stmt.where(items.c.deleted_at.is_(None))
    elif filters.deleted == "true":
        stmt = stmt.where(items.c.deleted_at.is_not(None))
    if filters.q:
        stmt = stmt.where(search.matches(filters.q))
    for column, value in (
        ("sku", filters.sku),
        ("barcode", filters.barcode),
        ("kind", filters.kind),
        ("parent_id", filters.parent),
        ("ad_hoc", filters.ad_hoc),
    ):
        if value is not None:
            stmt = stmt.where(items.c[column] == value)
    if filters.parents is not None:
        stmt = stmt.where(items.c.parent_id.in_(filters.parents))
    if filters.status is not None:
        stmt = stmt.where(items.c.status.in_(filters.status))
    if filters.top_level is not None:
        stmt = stmt.where(items.c.parent_id.is_(None) if filters.top_level else items.c.parent_id.is_not(None))
    if filters.low_stock is True:
        stmt = stmt.where(items.c.status != StockStatus.NORMAL.value)
    elif filters.low_stock is False:
        stmt = stmt.where(items.c.status == StockStatus.NORMAL.value)
    if filters.category is not None:
        stmt = stmt.where(item_categories.in_category(workspace_id, filters.category))
    if filters.tag is not None:
        stmt = stmt.where(
            exists().where(
                item_tags.c.workspace_id == items.c.workspace_id,
                item_tags.c.item_id == items.c.id,
                item_tags.c.tag == filters.tag,
            )
        )
    if filters.channel is not None:
        stmt = stmt.where(
            exists().where(
                item_channels.c.workspace_id == items.c.workspace_id,
                item_channels.c.item_id == items.c.id,
                item_channels.c.channel == filters.channel,
            )
        )
    if by_update:
        stmt = updates.changed_since(stmt, workspace_id, filters.updated_since)
    with db.read() as conn:
        if filters.home_location is not None:
            home = find_location(conn, workspace_id, filters.home_location)
            # An unknown location is no item's home: an empty list (`== None` would mean "no home").
            stmt = stmt.where(items.c.home_location_id == home["id"] if home else false())
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
        stmt, sort = _sorted(stmt, filters.sort)
        unfiltered = page.include_total and filters == ItemFilters(sort=filters.sort)
        known_total = counters.value(conn, workspace_id, counters.ITEMS_LIVE) if unfiltered else None
        result = paginate(conn, stmt, sort, page, known_total)
        if details:
            found = page_details(conn, workspace_id, result.rows)
            for row in result.rows:
                row.update(found[row["id"]])
        return result


def _sorted(stmt: Select, name: str) -> tuple[Select, Sort]:
    """The list's statement and its sort. The sort's full name, direction included, goes into
    the cursor: a cursor of `name` must not walk a `-name` list (it would silently skip rows)."""
    descending = name.startswith("-")
    if updates.is_update_sort(name):
        return stmt, updates.update_sort(name)
    if name.lstrip("-") == "price":
        # Selected as well, for the cursor to read from the last row.
        key = ITEM_PRICE_ORDER.label("price_order")
        return stmt.add_columns(key), Sort(name, key, items.c.id, descending=descending)
    return stmt, Sort(name, items.c[SORTS[name.lstrip("-")]], items.c.id, descending=descending)


def refresh_derived(conn: Connection, workspace_id: str, item_ids: list[str], *, also_self: bool = False,
                    live_only: bool = True) -> None:
    """Recompute the parents and bundles that derive from these items (and, with `also_self`,
    the items themselves if they are parents or bundles), under the ledger's locks."""
    ledger = ledger_for(conn, SystemActor(workspace_id))
    ledger.lock(item_ids, live_only=live_only)
    ledger.refresh = set(ledger.dependents) | (set(item_ids) if also_self else set())
    ledger.flush()
