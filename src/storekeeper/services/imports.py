"""Imports: items and stock from files, all or nothing.

The caller (the CLI) reads the file and gives its rows as `(line number, data)`, where data has
the API's field names and is already validated against the API's schemas, or `(line, RowError)`
for a row that is not. The rows are read twice: first every row is checked against the workspace
(unknown SKUs, locations, categories, parents, reasons; SKUs taken or repeated) and every problem
is reported with its line; only a file without any is applied. It is then applied in batches,
each through the same code as the API's writes (the ledger, the journal), inside ONE transaction:
a batch's events, movements and audit rows are written when the batch ends (so memory stays flat),
but nothing commits unless every batch succeeds. A rule that only the running stock can break (a
count below what is reserved, say) fails its batch; the whole import is then rolled back and the
lines are reported.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, update

from storekeeper.domain import categories as category_rules
from storekeeper.domain.clock import utcnow
from storekeeper.domain.errors import BulkFailed, StorekeeperError, ValidationFailed
from storekeeper.domain.ids import is_id
from storekeeper.domain.stock import Tracking
from storekeeper.persistence import totals
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import categories, items, tax_rates
from storekeeper.services import categories as category_service
from storekeeper.services import journal, locations, stock
from storekeeper.services.context import SystemActor
from storekeeper.services.item_changes import has_stock_history
from storekeeper.services.items import (
    _check_sku,
    _new_row,
    _prepare,
    check_variant_attributes,
    insert_items,
    variant_row,
)
from storekeeper.services.locations import resolve_locations
from storekeeper.services.stock import Adjustment
from storekeeper.services.tax_rates import default_tax_rate_id

ITEM_BATCH = 1000
STOCK_BATCH = stock.MAX_BULK
MAX_REPORTED = 1000


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportResult:
    rows: int = 0
    applied: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    created_categories: list[str] = field(default_factory=list)
    created_locations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def fail(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(RowError(line, message))


Rows = Callable[[], Iterable[tuple[int, "dict[str, Any] | RowError"]]]
Progress = Callable[[str, int], None]


class _Abort(Exception):
    """Rolls the import's transaction back after a batch failed."""


def describe(exc: StorekeeperError) -> str:
    """An error as one line: its fields' messages, or its message."""
    if isinstance(exc, ValidationFailed) and exc.fields:
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.fields.items())
    return exc.message


def _batches(rows: Iterable[tuple[int, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    batch: list[tuple[int, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _noop(_phase: str, _count: int) -> None:
    pass


class _SeenSkus:
    """The SKUs met so far in a file, with their lines, kept in a throwaway SQLite file rather
    than in memory: a file of a million rows checks in the same memory as one of a thousand."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="storekeeper-import-")
        self._conn = sqlite3.connect(Path(self._dir.name) / "skus.db")
        self._conn.execute("PRAGMA journal_mode=OFF")
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.execute("CREATE TABLE seen (sku TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID")

    def add(self, batch: list[tuple[str, int]]) -> dict[int, int]:
        """Record a batch's (sku, line)s; return {line: earlier line} for each SKU met before
        (earlier in the file, or earlier in the batch)."""
        repeats: dict[int, int] = {}
        first_in_batch: dict[str, int] = {}
        fresh = []
        for sku, line in batch:
            if sku in first_in_batch:
                repeats[line] = first_in_batch[sku]
            else:
                first_in_batch[sku] = line
                fresh.append((sku, line))
        earlier = dict(self._conn.execute(
            f"SELECT sku, line FROM seen WHERE sku IN ({','.join('?' * len(fresh))})", [s for s, _ in fresh]
        ).fetchall()) if fresh else {}
        for sku, line in fresh:
            if sku in earlier:
                repeats[line] = earlier[sku]
        self._conn.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", fresh)
        return repeats

    def line_of(self, sku: str) -> int | None:
        row = self._conn.execute("SELECT line FROM seen WHERE sku = ?", (sku,)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self._conn.close()
        self._dir.cleanup()


@contextmanager
def _large_cache(db: Database, conn: Connection):
    """SQLite: a 256 MB page cache for the import's one long transaction. With the default 2 MB,
    pages changed by the transaction were evicted and written to the WAL again and again (a file
    of 100,000 items left a WAL several times the data, and time grew faster than the rows)."""
    if not db.is_sqlite:
        yield
        return
    previous = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {previous}")


_CACHE_KIB = 256 * 1024


# ---------------------------------------------------------------------------------------------
# Items


def _lookup(conn: Connection, table, workspace_id: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """A small table's (ids, {name: [ids]})."""
    by_name: dict[str, list[str]] = {}
    ids = {}
    for row_id, name in conn.execute(select(table.c.id, table.c.name).where(table.c.workspace_id == workspace_id)):
        ids[row_id] = name
        by_name.setdefault(name, []).append(row_id)
    return ids, by_name


@dataclass
class _ItemPlan:
    """What the check learned that applying needs."""

    category_ids: dict[str, str | None]  # the file's category (id or name) -> id; None: to create
    tax_rate_ids: dict[str, str]
    default_tax_rate: str | None
    parents_existing: dict[str, str]  # SKU -> id of an item already in the workspace
    create_locations: bool = False
    home_location_ids: dict[str, str | None] = field(default_factory=dict)  # id or name -> id; None: unknown
    inactive_homes: dict[str, str] = field(default_factory=dict)  # id or name -> the inactive location's name


def import_items(db: Database, workspace_id: str, rows: Rows, progress: Progress = _noop, *,
                 dry_run: bool = False, create_locations: bool = False) -> ImportResult:
    """Create the items of a file: each row an item (`parent`: the SKU of its parent, in the file
    or already in the workspace; `category` and `tax_rate` by id or name, an unknown category name
    is created at the top level; `home_location` by id or name, an unknown name created as a
    warehouse with `create_locations`, else a bad row). New SKUs only: a SKU already in use is a
    bad row."""
    result = ImportResult()
    plan = _check_items(db, workspace_id, rows, result, progress, create_locations)
    if not result.ok or dry_run:
        return result
    try:
        with db.write(settle_inner=True) as conn, _large_cache(db, conn):
            _create_categories(db, workspace_id, plan, result)
            _create_home_locations(db, conn, workspace_id, plan, result)
            done = 0
            # Items first, then variants, whose parents are then all in place.
            for variants in (False, True):
                chosen = ((line, data) for line, data in rows() if bool(data.get("parent")) == variants)
                for batch in _batches(chosen, ITEM_BATCH):
                    with db.write() as inner:
                        _insert_item_batch(inner, workspace_id, batch, plan, variants)
                    done += len(batch)
                    progress("applying", done)
            result.applied = done
            totals.fold(conn, workspace_id)  # the dashboard's totals: a row per item made, one per status now
    except StorekeeperError as exc:  # a race with another writer (a SKU taken meanwhile)
        result.fail(0, describe(exc))
        result.applied = 0
    return result


def _check_items(db: Database, workspace_id: str, rows: Rows, result: ImportResult, progress: Progress,
                 create_locations: bool = False) -> _ItemPlan:
    seen = _SeenSkus()
    parents_wanted: dict[str, int] = {}  # a parent SKU not (yet) seen in the file -> first line naming it
    variant_attributes: dict[str, dict[str, int]] = {}  # parent SKU -> {attributes: line}
    bundles_or_variants: set[str] = set()  # SKUs in the file that cannot be parents
    with db.read() as conn:
        category_names, categories_by_name = _lookup(conn, categories, workspace_id)
        tax_rate_names, tax_rates_by_name = _lookup(conn, tax_rates, workspace_id)
        plan = _ItemPlan({}, {}, default_tax_rate_id(conn, workspace_id), {}, create_locations)

        def resolve(value: str, ids: dict[str, str], by_name: dict[str, list[str]], what: str) -> str | None:
            if value in ids:
                return value
            found = by_name.get(value, [])
            if len(found) > 1:
                raise ValueError(f"{what}: {len(found)} {what.replace('_', ' ')}s are named {value!r}; give its id.")
            return found[0] if found else None

        for batch in _batches(rows(), ITEM_BATCH):
            fine: list[tuple[int, dict[str, Any]]] = []
            _plan_home_locations(conn, workspace_id, batch, plan)
            for line, data in batch:
                result.rows += 1
                if isinstance(data, RowError):
                    result.fail(data.line, data.message)
                    continue
                try:
                    _check_item_row(data)
                    named = [data["category"]] if data.get("category") is not None else []
                    for category in [*named, *data.get("categories", ())]:
                        if category not in plan.category_ids:
                            plan.category_ids[category] = resolve(category, category_names, categories_by_name,
                                                                  "category")
                            if plan.category_ids[category] is None and is_id("category", category):
                                raise ValueError(f"category: no category {category}.")
                    tax_rate = data.get("tax_rate")
                    if tax_rate is not None and tax_rate not in plan.tax_rate_ids:
                        found = resolve(tax_rate, tax_rate_names, tax_rates_by_name, "tax_rate")
                        if found is None:
                            raise ValueError(f"tax_rate: no tax rate {tax_rate!r} (create it first).")
                        plan.tax_rate_ids[tax_rate] = found
                    _check_home_location(data.get("home_location"), plan)
                except StorekeeperError as exc:
                    result.fail(line, describe(exc))
                    continue
                except ValueError as exc:
                    result.fail(line, str(exc))
                    continue
                parent = data.get("parent")
                if parent:
                    bundles_or_variants.add(data["sku"])
                    key = repr(sorted((data.get("attributes") or {}).items()))
                    siblings = variant_attributes.setdefault(parent, {})
                    if key in siblings:
                        result.fail(line, f"attributes: the same as line {siblings[key]}'s, a variant of {parent} "
                                          "too.")
                        continue
                    siblings[key] = line
                    parents_wanted.setdefault(parent, line)
                elif data.get("tracking") == Tracking.BUNDLE:
                    bundles_or_variants.add(data["sku"])
                fine.append((line, data))
            repeats = seen.add([(data["sku"], line) for line, data in fine])
            for line, earlier in repeats.items():
                result.fail(line, f"sku: {dict(fine)[line]['sku']} is already on line {earlier}.")
            fine = [(line, data) for line, data in fine if line not in repeats]
            taken = set(conn.execute(select(items.c.sku).where(
                items.c.workspace_id == workspace_id, items.c.deleted_at.is_(None),
                items.c.sku.in_([data["sku"] for _, data in fine]))).scalars())
            for line, data in fine:
                if data["sku"] in taken:
                    result.fail(line, f"sku: {data['sku']} is already in use (an import creates items; change "
                                      "existing ones with PATCH /v1/items/{sku}).")
            progress("checking", result.rows)
        for parent, line in parents_wanted.items():
            parent_line = seen.line_of(parent)
            if parent_line is not None:
                if parent in bundles_or_variants:
                    result.fail(line, f"parent: {parent} (line {parent_line}) is a variant or a bundle: it "
                                      "cannot have variants.")
                continue
            _check_existing_parent(conn, workspace_id, parent, line, plan, result, variant_attributes[parent])
    seen.close()
    result.errors.sort(key=lambda e: e.line)
    return plan


def _check_item_row(data: dict[str, Any]) -> None:
    values = _prepare({k: v for k, v in data.items() if k not in ("category", "categories", "tax_rate", "parent")})
    _check_sku(values["sku"])
    category_rules.after_write([], {("category_id" if k == "category" else k): v for k, v in data.items()
                                    if k in ("category", "categories")})
    if data.get("parent") and values.get("tracking") == Tracking.BUNDLE:
        raise ValidationFailed({"tracking": ["A variant cannot be a bundle."]})
    if data.get("parent") == data["sku"]:
        raise ValidationFailed({"parent": ["An item cannot be its own parent."]})


def _check_existing_parent(conn: Connection, workspace_id: str, sku: str, line: int, plan: _ItemPlan,
                           result: ImportResult, new_attributes: dict[str, int]) -> None:
    row = conn.execute(select(items).where(items.c.workspace_id == workspace_id, items.c.sku == sku,
                                           items.c.deleted_at.is_(None))).mappings().first()
    if row is None:
        result.fail(line, f"parent: no item {sku} in the file or the workspace.")
    elif row["parent_id"] is not None or row["tracking"] == Tracking.BUNDLE:
        result.fail(line, f"parent: {sku} is a variant or a bundle: it cannot have variants.")
    elif not row["has_variants"] and has_stock_history(conn, workspace_id, row["id"]):
        result.fail(line, f"parent: {sku} has stock of its own; a parent holds none.")
    else:
        existing = conn.execute(select(items.c.attributes).where(
            items.c.workspace_id == workspace_id, items.c.parent_id == row["id"],
            items.c.deleted_at.is_(None))).scalars()
        keys = {repr(sorted(attributes.items())) for attributes in existing}
        for key, variant_line in new_attributes.items():
            if key in keys:
                result.fail(variant_line, f"attributes: {sku} already has a variant with these attributes.")
        plan.parents_existing[sku] = row["id"]


def _plan_home_locations(conn: Connection, workspace_id: str, batch: list[tuple[int, Any]], plan: _ItemPlan) -> None:
    """Look up, in one query a batch, the home locations its rows name that no earlier batch did."""
    wanted = {data["home_location"] for _, data in batch
              if isinstance(data, dict) and data.get("home_location") is not None} - set(plan.home_location_ids)
    if not wanted:
        return
    found = resolve_locations(conn, workspace_id, wanted)
    for ref in wanted:
        row = found.get(ref)
        plan.home_location_ids[ref] = row["id"] if row else None
        if row and not row["is_active"]:
            plan.inactive_homes[ref] = row["name"]


def _check_home_location(ref: str | None, plan: _ItemPlan) -> None:
    if ref is None:
        return
    if ref in plan.inactive_homes:
        raise ValueError(f"home_location: {plan.inactive_homes[ref]} is inactive: it receives no stock.")
    if plan.home_location_ids[ref] is None and (not plan.create_locations or is_id("location", ref)):
        raise ValueError(f"home_location: No location {ref!r} exists.")


def _create_home_locations(db: Database, conn: Connection, workspace_id: str, plan: _ItemPlan,
                           result: ImportResult) -> None:
    for name, found in sorted(plan.home_location_ids.items()):
        if found is None:
            plan.home_location_ids[name] = locations.create_location(db, workspace_id, {"name": name})["id"]
            result.created_locations.append(name)
    # Checked again in the writing transaction, and locked: one deleted or deactivated since the
    # check fails the import (as a SKU taken meanwhile does) rather than becoming a home.
    locations.resolve_homes(conn, workspace_id, set(plan.home_location_ids.values()))


def _create_categories(db: Database, workspace_id: str, plan: _ItemPlan, result: ImportResult) -> None:
    for name, found in sorted(plan.category_ids.items()):
        if found is None:
            plan.category_ids[name] = category_service.create_category(db, workspace_id, name, None)["id"]
            result.created_categories.append(name)


def _values(data: dict[str, Any], plan: _ItemPlan) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if k != "parent"}
    if "category" in values:
        values["category"] = plan.category_ids[values["category"]] if values["category"] is not None else None
    if "categories" in values:
        values["categories"] = [plan.category_ids[name] for name in values["categories"]]
    if "tax_rate" in values:
        values["tax_rate"] = plan.tax_rate_ids[values["tax_rate"]] if values["tax_rate"] is not None else None
    if values.get("home_location") is not None:
        values["home_location"] = plan.home_location_ids[values["home_location"]]
    return _prepare(values)


def _insert_item_batch(conn: Connection, workspace_id: str, batch: list[tuple[int, dict[str, Any]]],
                       plan: _ItemPlan, variants: bool) -> None:
    now = utcnow()
    new_rows = []
    if not variants:
        for _line, data in batch:
            row = _new_row(workspace_id, _values(data, plan), now)
            row.setdefault("tax_rate_id", plan.default_tax_rate)
            new_rows.append(row)
    else:
        parent_skus = sorted({data["parent"] for _, data in batch})
        parents = {r["sku"]: dict(r) for r in conn.execute(select(items).where(
            items.c.workspace_id == workspace_id, items.c.deleted_at.is_(None),
            items.c.sku.in_(parent_skus))).mappings()}
        for _line, data in batch:
            new_rows.append(variant_row(parents[data["parent"]], _values(data, plan), now))
        check_variant_attributes(new_rows)  # among this batch; the check saw the whole file
        becoming = [p["id"] for p in parents.values() if not p["has_variants"]]
        if becoming:
            conn.execute(update(items).where(items.c.workspace_id == workspace_id, items.c.id.in_(becoming))
                         .values(has_variants=True, version=items.c.version + 1, updated_at=now))
    insert_items(conn, workspace_id, new_rows)
    for row in new_rows:
        journal.item_event(conn, "created", None, row)


# ---------------------------------------------------------------------------------------------
# Stock


def import_stock(db: Database, workspace_id: str, rows: Rows, progress: Progress = _noop, *,
                 dry_run: bool = False, create_locations: bool = False, actor: str = "import") -> ImportResult:
    """Apply a file of stock changes: each row an adjustment (a count with `set`, or a `delta`),
    recorded as the system named `actor`. `create_locations`: a location named in the file but
    not in the workspace is created (a warehouse; the first one becomes the default). `dry_run`:
    check only (a count is applied to the running stock, so what only the running stock refuses
    shows when applying)."""
    result = ImportResult()
    principal = SystemActor(workspace_id, actor)
    new_locations: dict[str, dict[str, Any]] = {}
    with db.read() as conn:
        for batch in _batches(rows(), STOCK_BATCH):
            fine: list[tuple[int, Adjustment]] = []
            for line, data in batch:
                result.rows += 1
                if isinstance(data, RowError):
                    result.fail(data.line, data.message)
                else:
                    fine.append((line, data))
            if create_locations:
                named = {adj.location for _, adj in fine if adj.location is not None} - set(new_locations)
                found = resolve_locations(conn, workspace_id, named)
                for name in sorted(named - set(found)):
                    if is_id("location", name):
                        continue  # an id names a location that exists, or none
                    new_locations[name] = {"id": name, "name": name, "read_only": False, "is_active": True}
            errors = stock.check_adjustments(conn, principal, [adj for _, adj in fine], new_locations=new_locations)
            for (line, _adj), error in zip(fine, errors, strict=True):
                if error is not None:
                    result.fail(line, describe(error))
            progress("checking", result.rows)
    result.errors.sort(key=lambda e: e.line)
    if not result.ok or dry_run:
        return result
    try:
        with db.write(settle_inner=True) as conn, _large_cache(db, conn):
            for name in sorted(new_locations):
                locations.create_location(db, workspace_id, {"name": name, "type": "warehouse"})
                result.created_locations.append(name)
            done = 0
            for batch in _batches(rows(), STOCK_BATCH):
                try:
                    stock.adjust(db, principal, [adj for _, adj in batch], atomic=True)
                except BulkFailed as exc:
                    for error in exc.details["errors"]:
                        message = error["message"]
                        if error.get("fields"):
                            message = "; ".join(f"{k}: {' '.join(v)}" for k, v in error["fields"].items())
                        result.fail(batch[error["index"]][0], message)
                    raise _Abort from None
                done += len(batch)
                progress("applying", done)
            result.applied = done
            totals.fold(conn, workspace_id)  # the dashboard's totals: a row per level changed, one per location now
    except _Abort:
        result.applied = 0
        result.created_locations.clear()
    return result


def stock_row(data: dict[str, Any]) -> Adjustment:
    """An adjustment from a row with the API's field names (`set`, `delta`, `reference`…)."""
    reference = data.get("reference") or {}
    return Adjustment(
        item=data["item"], location=data.get("location"), reason=data["reason"], delta=data.get("delta"),
        set_to=data.get("set"), note=data.get("note"), unit_cost=data.get("unit_cost"),
        occurred_at=data.get("occurred_at"), reference_type=reference.get("type"),
        reference_id=reference.get("id"), expected_on_hand=data.get("expected_on_hand"), label=data.get("label"),
    )

