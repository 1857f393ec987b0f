"""The schema. `workspace_id` leads every primary key, unique index and hot index, so the
schema can be distributed by workspace (e.g. Citus) and every query is scoped by construction.

Quantities and money are `Micros` (integer micro-units); see persistence/types.py.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
    literal_column,
    text,
    type_coerce,
)

from storekeeper.persistence.types import JSONDoc, JSONText, Micros, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

ID = 40  # prefixed ULIDs are at most 31 characters; room for longer prefixes


def _ws() -> Column:
    return Column("workspace_id", String(ID), nullable=False)


def _timestamps() -> list[Column]:
    return [
        Column("created_at", UTCDateTime(), nullable=False),
        Column("updated_at", UTCDateTime(), nullable=False),
    ]


def _number() -> Column:
    """A row's number in its workspace (issue 21): 1, 2, 3 … per workspace and table, given at
    insert from the workspace's counter named after the table (persistence/counters.take_numbers)
    and never given again, not even after a delete. What the /compat facades of seeds 002 and 004
    show as the integer `id`. NOT NULL on PostgreSQL; on SQLite the column was added to tables
    with rows by ALTER TABLE (migration 0021), which cannot add NOT NULL without a default, and
    rebuilding these tables would drop the triggers of `items` and fail on the foreign keys that
    refer to them: there the services alone keep it set (tests/integration/test_schema.py knows)."""
    return Column("number", BigInteger, nullable=False, info={"nullable_on_sqlite": True})


def _number_index(table: str) -> Index:
    return Index(f"uq_{table}_number", "workspace_id", "number", unique=True)


workspaces = Table(
    "workspaces",
    metadata,
    Column("workspace_id", String(ID), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("currency", String(3), nullable=False, server_default="USD"),
    Column("settings", JSONDoc, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    *_timestamps(),
    # Signs the dashboard's session cookies of this workspace's users; made on first use.
    Column("session_secret", String(64), nullable=True),
)

users = Table(
    "users",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    Column("email", String(320), nullable=False),  # stored lower-cased: unique case-insensitively
    Column("name", String(200), nullable=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(200), nullable=True),  # argon2; NULL: cannot sign in
    Column("version", Integer, nullable=False, server_default="1"),
    *_timestamps(),
    Column("deleted_at", UTCDateTime(), nullable=True),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"]),
    Index(
        "uq_users_email",
        "workspace_id",
        "email",
        unique=True,
        sqlite_where=text("deleted_at IS NULL"),
        postgresql_where=text("deleted_at IS NULL"),
    ),
)

# The dashboard's sessions (services/sessions.py): a row per sign-in, deleted by signing out, by a
# new password and with the user; rows past `expires_at` are refused, and purged by the worker.
sessions = Table(
    "sessions",
    metadata,
    _ws(),
    Column("id", String(64), nullable=False),  # sha256 of the cookie's random token, hex
    Column("user_id", String(ID), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"]),
    ForeignKeyConstraint(["workspace_id", "user_id"], ["users.workspace_id", "users.id"]),
    Index("ix_sessions_user", "workspace_id", "user_id"),
    Index("ix_sessions_expires", "workspace_id", "expires_at"),
)

api_keys = Table(
    "api_keys",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    Column("name", String(200), nullable=False),
    Column("key_hash", String(64), nullable=False),  # sha256 of the whole key, hex
    Column("prefix", String(16), nullable=False),  # shown in lists to tell keys apart
    Column("scopes", JSONDoc, nullable=False),
    Column("user_id", String(ID), nullable=True),
    Column("expires_at", UTCDateTime(), nullable=True),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"]),
    ForeignKeyConstraint(["workspace_id", "user_id"], ["users.workspace_id", "users.id"]),
    Index("uq_api_keys_key_hash", "workspace_id", "key_hash", unique=True),
)

locations = Table(
    "locations",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    Column("name", String(200), nullable=False),
    Column("type", String(16), nullable=False),
    Column("read_only", Boolean, nullable=False, server_default=text("false")),
    Column("marketplace", String(100), nullable=True),
    # The fulfilment service an external location is (FBA, FBS, WFS …): what the multi-warehouse
    # dialect (compat/warehouses) shows as a warehouse's `type`.
    Column("fulfilment", String(32), nullable=True),
    Column("address", JSONDoc, nullable=True),
    Column("is_default", Boolean, nullable=False, server_default=text("false")),
    Column("is_active", Boolean, nullable=False, server_default=text("true")),
    Column("hide_materials", Boolean, nullable=False, server_default=text("false")),
    Column("version", Integer, nullable=False, server_default="1"),
    *_timestamps(),
    Column("deleted_at", UTCDateTime(), nullable=True),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"]),
    Index(
        "uq_locations_name",
        "workspace_id",
        "name",
        unique=True,
        sqlite_where=text("deleted_at IS NULL"),
        postgresql_where=text("deleted_at IS NULL"),
    ),
    # At most one default location per workspace, enforced by the database.
    Index(
        "uq_locations_default",
        "workspace_id",
        unique=True,
        sqlite_where=text("is_default AND deleted_at IS NULL"),
        postgresql_where=text("is_default AND deleted_at IS NULL"),
    ),
)

categories = Table(
    "categories",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    _number(),
    Column("name", String(200), nullable=False),
    Column("parent_id", String(ID), nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
    *_timestamps(),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"]),
    ForeignKeyConstraint(["workspace_id", "parent_id"], ["categories.workspace_id", "categories.id"]),
    # Names are unique among siblings ("Men / Shirts" and "Women / Shirts" may both exist).
    Index("uq_categories_name", "workspace_id", func.coalesce(text("parent_id"), ""), "name", unique=True),
    _number_index("categories"),
)

tax_rates = Table(
    "tax_rates",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    _number(),
    Column("name", String(200), nullable=False),
    Column("rate", Micros(), nullable=False),
    Column("is_default", Boolean, nullable=False, server_default=text("false")),
    Column("version", Integer, nullable=False, server_default="1"),
    *_timestamps(),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"]),
    Index("uq_tax_rates_name", "workspace_id", "name", unique=True),
    Index(
        "uq_tax_rates_default",
        "workspace_id",
        unique=True,
        sqlite_where=text("is_default"),
        postgresql_where=text("is_default"),
    ),
    _number_index("tax_rates"),
)

items = Table(
    "items",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    _number(),
    Column("sku", String(64), nullable=False),
    Column("name", String(500), nullable=False),
    Column("name_key", String(500), nullable=False),  # casefolded name: sorting and search
    Column("description", Text, nullable=True),
    Column("kind", String(16), nullable=False),
    Column("tracking", String(16), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("barcode", String(128), nullable=True),
    Column("brand", String(200), nullable=True),
    Column("supplier", String(200), nullable=True),
    Column("category_id", String(ID), nullable=True),
    # Every category the item is in, in order; the first is `category_id` (domain/categories.py;
    # mirrored in item_categories, 0025).
    Column("categories", JSONDoc, nullable=False, server_default=text("'[]'")),
    Column("tags", JSONDoc, nullable=False),
    Column("attributes", JSONDoc, nullable=False),
    Column("parent_id", String(ID), nullable=True),
    Column("reorder_point", Micros(), nullable=False, server_default="0"),
    Column("safety_stock", Micros(), nullable=False, server_default="0"),
    Column("reorder_quantity", Micros(), nullable=False, server_default="0"),
    Column("reorder_urls", JSONDoc, nullable=False),
    Column("unit_cost", Micros(), nullable=True),
    Column("average_cost", Micros(), nullable=True),
    # A net price to 10 places: its first 6 here, places 7 to 10 in `price_rest` as 10^-10 units
    # (domain/pricing.split_price; 0023). Ordered by (price, price_rest) it orders exactly.
    Column("price", Micros(), nullable=True),
    Column("price_rest", Integer, nullable=False, server_default="0"),
    Column("tax_rate_id", String(ID), nullable=True),
    Column("retail_price", Micros(), nullable=True),
    Column("wholesale_price", Micros(), nullable=True),
    Column("package_size_value", Micros(), nullable=True),
    Column("package_size_unit", String(16), nullable=True),
    Column("images", JSONDoc, nullable=False),
    Column("channels", JSONDoc, nullable=False),
    Column("metadata", JSONDoc, nullable=False),
    # What a point-of-sale catalogue keeps on a product (0023): a gift card, a favourite of the
    # till, a price the clerk may change, an item made up at checkout (left out of ordinary lists).
    Column("gift_card", Boolean, nullable=False, server_default=text("false")),
    Column("favourite", Boolean, nullable=False, server_default=text("false")),
    Column("open_price", Boolean, nullable=False, server_default=text("false")),
    Column("ad_hoc", Boolean, nullable=False, server_default=text("false")),
    # Where stock of the item goes when a change names no location (else the default location).
    # A live, active location of the workspace, checked by services/locations.py rather than by a
    # foreign key: locations are deleted softly, which a key would not see (migration 0019).
    Column("home_location_id", String(ID), nullable=True),
    # Sums over the item's stock levels, kept by the stock service in the same transaction as
    # each movement, so lists filter and sort by them without aggregating.
    # For a variant parent: the sums of its live variants; for a bundle: what its components
    # make up at each location, summed (SPEC §3). Kept by the ledger with the change that moves them.
    Column("on_hand", Micros(), nullable=False, server_default="0"),
    Column("reserved", Micros(), nullable=False, server_default="0"),
    # On the open lines (ordered, not yet received) of purchase orders; kept by the purchasing
    # service through the ledger, under the item's lock. A parent's is the sum of its variants'.
    Column("incoming", Micros(), nullable=False, server_default="0"),
    Column("status", String(16), nullable=False),
    # Set once an item gets its first variant, and kept: a parent never holds stock of its own.
    Column("has_variants", Boolean, nullable=False, server_default=text("false")),
    Column("version", Integer, nullable=False, server_default="1"),
    *_timestamps(),
    Column("deleted_at", UTCDateTime(), nullable=True),
    # Emptied from the trash after trash_retention_days: a tombstone that keeps the ledger's
    # history readable (movements are never deleted) but can no longer be restored.
    Column("purged_at", UTCDateTime(), nullable=True),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"]),
    ForeignKeyConstraint(["workspace_id", "category_id"], ["categories.workspace_id", "categories.id"]),
    ForeignKeyConstraint(["workspace_id", "tax_rate_id"], ["tax_rates.workspace_id", "tax_rates.id"]),
    ForeignKeyConstraint(["workspace_id", "parent_id"], ["items.workspace_id", "items.id"]),
    # A SKU is unique among the items that are not in the trash.
    Index(
        "uq_items_sku",
        "workspace_id",
        "sku",
        unique=True,
        sqlite_where=text("deleted_at IS NULL"),
        postgresql_where=text("deleted_at IS NULL"),
    ),
    Index("ix_items_barcode", "workspace_id", "barcode"),
    Index("ix_items_created", "workspace_id", "created_at", "id"),
    # Not `updated_at`, which every stock change moves: indexed here, it would make each of them
    # rewrite every index of the row on PostgreSQL. `item_updates` indexes it instead.
    Index("ix_items_name", "workspace_id", "name_key", "id"),
    Index("ix_items_sku_id", "workspace_id", "sku", "id"),
    Index("ix_items_parent", "workspace_id", "parent_id"),
    Index("ix_items_category", "workspace_id", "category_id"),
    Index("ix_items_tax_rate", "workspace_id", "tax_rate_id"),
    Index("ix_items_status", "workspace_id", "status", "id"),
    Index("ix_items_status_sku", "workspace_id", "status", "sku", "id"),  # 0010
    Index("ix_items_deleted", "workspace_id", "deleted_at", "id"),
    # `?home_location=` and the check before a location is deleted or deactivated; only the items
    # that have a home (most have none, and cost no entry).
    Index(
        "ix_items_home_location",
        "workspace_id",
        "home_location_id",
        sqlite_where=text("home_location_id IS NOT NULL"),
        postgresql_where=text("home_location_id IS NOT NULL"),
    ),
    _number_index("items"),
    # sort=price (0021): ITEM_PRICE_ORDER below, the same expression as the queries write it.
    Index("ix_items_price", "workspace_id", text("coalesce(price, -1)"), "id"),
)

# The order of `GET /v1/items?sort=price`: the net price in micro-units, an item without a price
# (-1) before every priced one, so that both databases put those in the same place (their NULLs
# sort at opposite ends) and the keyset cursor holds a plain integer. -1 is rendered in the SQL,
# not bound, so that the expression is ix_items_price's.
ITEM_PRICE_ORDER = func.coalesce(type_coerce(items.c.price, BigInteger), literal_column("-1", BigInteger))

# Each item's `updated_at`, kept by triggers on `items` (migration 0015) in the statement that
# writes it, whatever code (or SQL) writes it: what `updated_since` and `sort=updated_at` read. In
# a table of its own because a stock change moves an item's updated_at, and a changed indexed
# column of `items` would rule out PostgreSQL's HOT update of the row (every index of items
# rewritten, 0.6-1 ms more an item). `storekeeper check` compares it with `items`.
item_updates = Table(
    "item_updates",
    metadata,
    _ws(),
    Column("item_id", String(ID), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("workspace_id", "item_id"),
    Index("ix_item_updates_updated", "workspace_id", "updated_at", "item_id"),
)

# An item's catalogue documents: no stock change or stock read uses them, and reading them
# decodes their JSON for every item a 500-line bulk touches.
ITEM_DOCUMENTS = frozenset({"description", "categories", "tags", "attributes", "reorder_urls", "images", "channels",
                            "metadata"})
item_stock_columns = tuple(column for column in items.c if column.name not in ITEM_DOCUMENTS)

# Bills of materials: `quantity` of the component (in `unit`, converted to the component's own
# unit when used) per one unit of the item. A bundle's components make up its stock; any other
# item's components are what production consumes to make it.
item_components = Table(
    "item_components",
    metadata,
    _ws(),
    Column("item_id", String(ID), nullable=False),
    Column("component_id", String(ID), nullable=False),
    Column("quantity", Micros(), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("position", Integer, nullable=False),
    PrimaryKeyConstraint("workspace_id", "item_id", "component_id"),
    ForeignKeyConstraint(["workspace_id", "item_id"], ["items.workspace_id", "items.id"],
                         name="fk_item_components_item"),
    ForeignKeyConstraint(["workspace_id", "component_id"], ["items.workspace_id", "items.id"],
                         name="fk_item_components_component"),
    # Where a component is used: the bundles a stock change must refresh, cycle detection.
    Index("ix_item_components_component", "workspace_id", "component_id", "item_id"),
)

# The sales channels an item is published on, beside the `channels` document on the item, so
# that `GET /v1/items?channel=` is an index lookup.
item_channels = Table(
    "item_channels",
    metadata,
    _ws(),
    Column("item_id", String(ID), nullable=False),
    Column("channel", String(40), nullable=False),
    PrimaryKeyConstraint("workspace_id", "item_id", "channel"),
    ForeignKeyConstraint(["workspace_id", "item_id"], ["items.workspace_id", "items.id"]),
    Index("ix_item_channels_channel", "workspace_id", "channel", "item_id"),
)

# The categories an item is in, beside its `categories` document: `?category=` is an index
# lookup, and a category some live item is in cannot be deleted.
item_categories = Table(
    "item_categories",
    metadata,
    _ws(),
    Column("item_id", String(ID), nullable=False),
    Column("category_id", String(ID), nullable=False),
    PrimaryKeyConstraint("workspace_id", "item_id", "category_id"),
    ForeignKeyConstraint(["workspace_id", "item_id"], ["items.workspace_id", "items.id"]),
    ForeignKeyConstraint(["workspace_id", "category_id"], ["categories.workspace_id", "categories.id"]),
    Index("ix_item_categories_category", "workspace_id", "category_id", "item_id"),
)

item_tags = Table(
    "item_tags",
    metadata,
    _ws(),
    Column("item_id", String(ID), nullable=False),
    Column("tag", String(100), nullable=False),
    PrimaryKeyConstraint("workspace_id", "item_id", "tag"),
    ForeignKeyConstraint(["workspace_id", "item_id"], ["items.workspace_id", "items.id"]),
    Index("ix_item_tags_tag", "workspace_id", "tag", "item_id"),
)

stock_levels = Table(
    "stock_levels",
    metadata,
    _ws(),
    Column("item_id", String(ID), nullable=False),
    Column("location_id", String(ID), nullable=False),
    Column("on_hand", Micros(), nullable=False, server_default="0"),
    Column("reserved", Micros(), nullable=False, server_default="0"),
    Column("updated_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("workspace_id", "item_id", "location_id"),
    ForeignKeyConstraint(["workspace_id", "item_id"], ["items.workspace_id", "items.id"]),
    ForeignKeyConstraint(["workspace_id", "location_id"], ["locations.workspace_id", "locations.id"]),
    Index("ix_stock_levels_location", "workspace_id", "location_id", "item_id"),
)

# Per-workspace counters (the ledger's `sequence`). A writer bumps its counter as the last
# statement of its transaction, so the row lock is held only until commit and sequence order
# is commit order: a reader paging by `sequence` never misses a row committed later.
counters = Table(
    "counters",
    metadata,
    _ws(),
    Column("name", String(40), nullable=False),
    Column("value", BigInteger, nullable=False),
    PrimaryKeyConstraint("workspace_id", "name"),
    ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"]),
)

# The images of the workspace's items by id (0024): an item keeps its images in its `images`
# document as {id, url, alt}; an id is a number of the workspace (the counter `images`), and
# this table is what finds an image another item has by its id, as a facade names one.
images = Table(
    "images",
    metadata,
    _ws(),
    Column("number", BigInteger, nullable=False),
    Column("url", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("workspace_id", "number"),
    ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"]),
)

# Running totals, kept by triggers (migration 0011) in the statement that changes a stock level
# or an item: what the dashboard shows of a million items without reading them. Each row is a
# change (rows are only added, so concurrent writers never wait for each other); the sums over a
# workspace's rows are the totals, and `persistence/totals.fold` replaces the rows by their sums
# now and then. `storekeeper check` compares them with the levels and items they sum.
_EXACT = BigInteger().with_variant(Numeric(), "postgresql")  # sums that may pass 2**63 on PostgreSQL

# Per location, over the levels of live (not deleted) items: the items with stock there (on_hand
# not 0), their on-hand, its value at average cost (standard cost while there is none), exact in
# three parts (`value_units` of money + `value` in 10**-6 + `value_rest` in 10**-12), and the
# levels with stock whose item has no cost.
location_totals = Table(
    "location_totals",
    metadata,
    _ws(),
    Column("location_id", String(ID), nullable=False),
    Column("items", BigInteger, nullable=False),
    Column("on_hand", _EXACT, nullable=False),
    Column("value_units", _EXACT, nullable=False),
    Column("value", _EXACT, nullable=False),
    Column("value_rest", _EXACT, nullable=False),
    Column("uncosted", BigInteger, nullable=False),
    # The item's unit (migration 0028): totals are per unit, never kilograms added to pieces.
    Column("unit", String(16), nullable=False, server_default="pcs"),
    Index("ix_location_totals_location", "workspace_id", "location_id"),
)

# Live items by status.
status_totals = Table(
    "status_totals",
    metadata,
    _ws(),
    Column("status", String(16), nullable=False),
    Column("items", BigInteger, nullable=False),
    Index("ix_status_totals_status", "workspace_id", "status"),
)

# On-hand change per day (UTC, `YYYY-MM-DD`) of the workspace's movements (migration 0012): all
# rows sum to its on-hand. The overview's 30-day chart.
day_totals = Table(
    "day_totals",
    metadata,
    _ws(),
    Column("day", String(10), nullable=False),
    Column("on_hand", _EXACT, nullable=False),
    Column("unit", String(16), nullable=False, server_default="pcs"),
    Index("ix_day_totals_day", "workspace_id", "day"),
)

reasons = Table(
    "reasons",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    _number(),
    Column("code", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("direction", String(8), nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    *_timestamps(),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"]),
    Index("uq_reasons_code", "workspace_id", "code", unique=True),
    _number_index("reasons"),
)

# The append-only ledger: nothing updates or deletes a movement.
movements = Table(
    "movements",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("item_id", String(ID), nullable=False),
    Column("location_id", String(ID), nullable=False),
    Column("reason", String(40), nullable=False),
    Column("delta", Micros(), nullable=False),
    Column("before", Micros(), nullable=False),
    Column("after", Micros(), nullable=False),
    Column("unit_cost", Micros(), nullable=True),
    Column("note", Text, nullable=True),
    Column("reference_type", String(40), nullable=True),
    Column("reference_id", String(100), nullable=True),
    Column("transfer_id", String(ID), nullable=True),
    Column("bundle_id", String(ID), nullable=True),  # the bundle whose sale consumed this component
    Column("batch_id", String(ID), nullable=True),  # the production batch that made or reversed it
    # Free text beside the reason, as a client sent it (`supplier_receipt`): domain.stock.MAX_LABEL.
    Column("label", String(64), nullable=True),  # 0016
    Column("actor_type", String(16), nullable=False),
    Column("actor_id", String(ID), nullable=False),
    Column("actor_name", String(320), nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id", "item_id"], ["items.workspace_id", "items.id"]),
    ForeignKeyConstraint(["workspace_id", "location_id"], ["locations.workspace_id", "locations.id"]),
    Index("uq_movements_sequence", "workspace_id", "sequence", unique=True),
    # Each list's filter and its order (newest first by sequence) are one index range (0009).
    Index("ix_movements_item", "workspace_id", "item_id", "location_id", "sequence"),
    Index("ix_movements_item_sequence", "workspace_id", "item_id", "sequence"),
    Index("ix_movements_location", "workspace_id", "location_id", "sequence"),
    Index("ix_movements_occurred", "workspace_id", "occurred_at"),
    Index("ix_movements_reference", "workspace_id", "reference_type", "reference_id", "sequence"),
    Index("ix_movements_transfer", "workspace_id", "transfer_id", "sequence"),
    Index("ix_movements_batch", "workspace_id", "batch_id", "sequence"),
    # The label filter, workspace-wide and per item: with only the first, SQLite (no statistics)
    # read an item's labelled movements from the label's range, 22 ms instead of 0.6 at a million
    # movements. Partial: a movement without a label adds no entry to either (0016).
    Index("ix_movements_label", "workspace_id", "label", "sequence",
          sqlite_where=text("label IS NOT NULL"), postgresql_where=text("label IS NOT NULL")),
    Index("ix_movements_item_label", "workspace_id", "item_id", "label", "sequence",
          sqlite_where=text("label IS NOT NULL"), postgresql_where=text("label IS NOT NULL")),
)

reservations = Table(
    "reservations",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    Column("item_id", String(ID), nullable=False),
    Column("location_id", String(ID), nullable=False),
    Column("quantity", Micros(), nullable=False),
    Column("fulfilled_quantity", Micros(), nullable=False, server_default="0"),
    Column("status", String(16), nullable=False),
    # A bundle's reservation holds nothing itself: its component reservations (parent_id = its
    # id) hold the stock. Neither does a reservation of an untracked item.
    Column("holds_stock", Boolean, nullable=False, server_default=text("true")),
    Column("parent_id", String(ID), nullable=True),
    Column("reference_type", String(40), nullable=True),
    Column("reference_id", String(100), nullable=True),
    Column("expires_at", UTCDateTime(), nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
    *_timestamps(),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id", "item_id"], ["items.workspace_id", "items.id"]),
    ForeignKeyConstraint(["workspace_id", "location_id"], ["locations.workspace_id", "locations.id"]),
    Index("ix_reservations_level", "workspace_id", "item_id", "location_id", "status"),
    Index("ix_reservations_status", "workspace_id", "status", "expires_at"),
    Index("ix_reservations_created", "workspace_id", "created_at", "id"),
    Index("ix_reservations_parent", "workspace_id", "parent_id"),
)

# Responses kept for Idempotency-Key replays: per API key, 24 hours.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    _ws(),
    Column("api_key_id", String(ID), nullable=False),
    Column("key", String(255), nullable=False),
    Column("fingerprint", String(64), nullable=False),  # sha256 of method, path, query and body
    Column("status", String(16), nullable=False),  # in_flight | done
    Column("response_status", Integer, nullable=True),
    Column("response_headers", JSONDoc, nullable=True),
    Column("response_body", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("workspace_id", "api_key_id", "key"),
    ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"]),
    Index("ix_idempotency_keys_expires", "workspace_id", "expires_at"),
)


# Purchasing (SPEC §3 "Purchase orders"). Lines count as the items' `incoming` while the order
# is `ordered` or `partially_received`.
purchase_orders = Table(
    "purchase_orders",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    Column("number", String(64), nullable=False),
    Column("supplier", String(200), nullable=True),
    # Where it is delivered; null: each line at its item's home location, else the default (0019).
    Column("location_id", String(ID), nullable=True),
    Column("status", String(24), nullable=False),
    Column("expected_at", UTCDateTime(), nullable=True),
    Column("notes", Text, nullable=True),
    Column("ordered_at", UTCDateTime(), nullable=True),
    Column("received_at", UTCDateTime(), nullable=True),
    Column("cancelled_at", UTCDateTime(), nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
    *_timestamps(),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"]),
    ForeignKeyConstraint(["workspace_id", "location_id"], ["locations.workspace_id", "locations.id"]),
    Index("uq_purchase_orders_number", "workspace_id", "number", unique=True),
    Index("ix_purchase_orders_created", "workspace_id", "created_at", "id"),
    Index("ix_purchase_orders_status", "workspace_id", "status", "created_at"),
)

purchase_order_lines = Table(
    "purchase_order_lines",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    Column("order_id", String(ID), nullable=False),
    Column("item_id", String(ID), nullable=False),
    Column("quantity", Micros(), nullable=False),
    Column("received_quantity", Micros(), nullable=False, server_default="0"),
    Column("unit_cost", Micros(), nullable=True),
    Column("position", Integer, nullable=False),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id", "order_id"], ["purchase_orders.workspace_id", "purchase_orders.id"],
                         name="fk_purchase_order_lines_order"),
    ForeignKeyConstraint(["workspace_id", "item_id"], ["items.workspace_id", "items.id"],
                         name="fk_purchase_order_lines_item"),
    Index("ix_purchase_order_lines_order", "workspace_id", "order_id", "position"),
    Index("ix_purchase_order_lines_item", "workspace_id", "item_id"),
)

# Production (SPEC §3 "Production"): orders to make items from their bills of materials, in
# batches that each consume the components and add the output in one transaction.
production_orders = Table(
    "production_orders",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    _number(),
    Column("name", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("location_id", String(ID), nullable=False),
    Column("assignee_id", String(ID), nullable=True),
    Column("due", UTCDateTime(), nullable=True),
    Column("notes", Text, nullable=True),
    Column("position", BigInteger, nullable=False),
    Column("completed_at", UTCDateTime(), nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
    *_timestamps(),
    Column("deleted_at", UTCDateTime(), nullable=True),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"]),
    ForeignKeyConstraint(["workspace_id", "location_id"], ["locations.workspace_id", "locations.id"],
                         name="fk_production_orders_location"),
    ForeignKeyConstraint(["workspace_id", "assignee_id"], ["users.workspace_id", "users.id"],
                         name="fk_production_orders_assignee"),
    Index("ix_production_orders_position", "workspace_id", "position", "id"),
    Index("ix_production_orders_created", "workspace_id", "created_at", "id"),
    Index("ix_production_orders_status", "workspace_id", "status"),
    Index("ix_production_orders_assignee", "workspace_id", "assignee_id"),
    _number_index("production_orders"),
)

production_order_lines = Table(
    "production_order_lines",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    _number(),
    Column("order_id", String(ID), nullable=False),
    Column("item_id", String(ID), nullable=False),
    Column("quantity", Micros(), nullable=False),
    Column("produced_quantity", Micros(), nullable=False, server_default="0"),
    Column("position", Integer, nullable=False),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id", "order_id"], ["production_orders.workspace_id", "production_orders.id"],
                         name="fk_production_order_lines_order"),
    ForeignKeyConstraint(["workspace_id", "item_id"], ["items.workspace_id", "items.id"],
                         name="fk_production_order_lines_item"),
    Index("ix_production_order_lines_order", "workspace_id", "order_id", "position"),
    Index("ix_production_order_lines_item", "workspace_id", "item_id"),
    _number_index("production_order_lines"),
)

# A batch's movements carry its id (movements.batch_id). A reversed batch stays, with
# `reversed_at`, and no longer counts as produced.
production_batches = Table(
    "production_batches",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    _number(),
    Column("order_id", String(ID), nullable=False),
    Column("line_id", String(ID), nullable=False),
    Column("item_id", String(ID), nullable=False),
    Column("location_id", String(ID), nullable=False),
    Column("quantity", Micros(), nullable=False),
    Column("unit_cost", Micros(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("reversed_at", UTCDateTime(), nullable=True),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id", "line_id"], ["production_order_lines.workspace_id",
                                                       "production_order_lines.id"],
                         name="fk_production_batches_line"),
    ForeignKeyConstraint(["workspace_id", "item_id"], ["items.workspace_id", "items.id"],
                         name="fk_production_batches_item"),
    Index("ix_production_batches_line", "workspace_id", "line_id", "created_at"),
    Index("ix_production_batches_order", "workspace_id", "order_id"),
    _number_index("production_batches"),
)

# The change feed and the webhooks' outbox (SPEC §3 "Change feed, webhooks, audit, snapshots"):
# written in the transaction of the change it describes; `sequence` comes from the workspace's
# `events` counter, bumped last, so sequences are taken in commit order.
events = Table(
    "events",
    metadata,
    _ws(),
    Column("sequence", BigInteger, nullable=False),
    Column("id", String(ID), nullable=False),
    Column("type", String(64), nullable=False),
    Column("resource_type", String(40), nullable=False),
    Column("resource_id", String(ID), nullable=True),
    Column("data", JSONText(), nullable=False),
    Column("request_id", String(128), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    # No foreign key to workspaces, as for movements: every insert would take a KEY SHARE lock
    # on the workspace's row, which concurrent writers of one workspace would queue on.
    PrimaryKeyConstraint("workspace_id", "sequence"),
    Index("ix_events_type", "workspace_id", "type", "sequence"),
    Index("ix_events_created", "workspace_id", "created_at"),
)

# Every write: who changed what, when and from where, with field-level changes.
audit_log = Table(
    "audit_log",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    Column("action", String(64), nullable=False),
    Column("resource_type", String(40), nullable=False),
    Column("resource_id", String(ID), nullable=True),
    Column("actor_type", String(16), nullable=False),
    Column("actor_id", String(ID), nullable=False),
    Column("actor_name", String(320), nullable=False),
    Column("changes", JSONText(), nullable=False),
    Column("request_id", String(128), nullable=True),
    Column("ip", String(64), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("workspace_id", "id"),  # no foreign key to workspaces: see events
    Index("ix_audit_log_created", "workspace_id", "created_at", "id"),
    Index("ix_audit_log_resource", "workspace_id", "resource_type", "resource_id", "created_at"),
)

# Webhook endpoints. Each keeps its own cursor in the feed (`delivered_sequence`): events reach
# it one after another, in order; a failing one is retried with backoff and holds back the rest.
webhooks = Table(
    "webhooks",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("events", JSONDoc, nullable=False),  # event types or patterns such as "stock.*"; [] = all
    Column("secret", String(200), nullable=False),  # signs deliveries; shown once, on create
    Column("description", String(500), nullable=True),
    Column("is_active", Boolean, nullable=False),
    Column("disabled_reason", String(500), nullable=True),
    Column("delivered_sequence", BigInteger, nullable=False),
    Column("failing_since", UTCDateTime(), nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime(), nullable=True),
    Column("leased_until", UTCDateTime(), nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
    *_timestamps(),
    Column("deleted_at", UTCDateTime(), nullable=True),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"]),
    Index("ix_webhooks_active", "workspace_id", "is_active", "next_attempt_at"),
)

# One row per delivery attempt.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    Column("webhook_id", String(ID), nullable=False),
    Column("event_id", String(ID), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("sequence", BigInteger, nullable=True),  # null for a test delivery
    Column("attempt", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # succeeded | failed
    Column("response_status", Integer, nullable=True),
    Column("error", String(1000), nullable=True),
    Column("duration_ms", Integer, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id", "webhook_id"], ["webhooks.workspace_id", "webhooks.id"]),
    Index("ix_webhook_deliveries_webhook", "workspace_id", "webhook_id", "created_at", "id"),
)

# Snapshots: every stock level of a workspace at one moment (one statement, so consistent).
snapshots = Table(
    "snapshots",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    Column("note", String(2000), nullable=True),
    Column("automatic", Boolean, nullable=False, server_default=text("false")),
    Column("sequence", BigInteger, nullable=False),  # the last movement it includes
    Column("level_count", Integer, nullable=False),
    Column("actor_name", String(320), nullable=False),
    Column("restored_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"]),
    Index("ix_snapshots_created", "workspace_id", "created_at", "id"),
)

snapshot_levels = Table(
    "snapshot_levels",
    metadata,
    _ws(),
    Column("snapshot_id", String(ID), nullable=False),
    Column("item_id", String(ID), nullable=False),
    Column("location_id", String(ID), nullable=False),
    Column("on_hand", Micros(), nullable=False),
    Column("reserved", Micros(), nullable=False),
    PrimaryKeyConstraint("workspace_id", "snapshot_id", "item_id", "location_id"),
    ForeignKeyConstraint(["workspace_id", "snapshot_id"], ["snapshots.workspace_id", "snapshots.id"]),
)

# Stock alerts by email (services/alerts.py, services/alert_mail.py): one row of settings per
# workspace, and an outbox of alerts written by the ledger in the transaction of the stock change
# that caused them, sent by the worker.
alert_settings = Table(
    "alert_settings",
    metadata,
    _ws(),
    Column("enabled", Boolean, nullable=False),
    Column("smtp_host", String(253), nullable=False),
    Column("smtp_port", Integer, nullable=False),
    Column("smtp_security", String(16), nullable=False),  # none | starttls | tls
    Column("smtp_username", String(320), nullable=True),
    Column("smtp_password", String(500), nullable=True),  # never shown back, never logged or audited
    Column("from_address", String(320), nullable=False),
    Column("recipient_users", JSONDoc, nullable=False),  # user ids; their emails are read when sending
    Column("recipient_addresses", JSONDoc, nullable=False),
    Column("statuses", JSONDoc, nullable=False),  # which of low, critical, out_of_stock alert
    Column("mode", String(16), nullable=False),  # immediate | digest
    Column("digest_hour", Integer, nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("dashboard_url", String(2000), nullable=True),  # where the emails' links go
    Column("version", Integer, nullable=False, server_default="1"),
    *_timestamps(),
    PrimaryKeyConstraint("workspace_id"),
    ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"]),
)

# No foreign key to items: an item purged from the trash leaves its alerts to be dropped when sent.
stock_alerts = Table(
    "stock_alerts",
    metadata,
    _ws(),
    Column("id", String(ID), nullable=False),
    Column("item_id", String(ID), nullable=False),
    Column("from_status", String(16), nullable=False),
    Column("to_status", String(16), nullable=False),
    Column("on_hand", Micros(), nullable=False),
    Column("available", Micros(), nullable=False),
    Column("state", String(16), nullable=False),  # pending | sent | failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("lease", String(ID), nullable=True),  # the worker round that is sending it
    Column("leased_until", UTCDateTime(), nullable=True),
    Column("last_error", String(1000), nullable=True),
    Column("sent_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("workspace_id", "id"),
    ForeignKeyConstraint(["workspace_id"], ["workspaces.workspace_id"]),
    Index("ix_stock_alerts_state", "workspace_id", "state", "next_attempt_at"),
    Index("ix_stock_alerts_created", "workspace_id", "created_at", "id"),
)
