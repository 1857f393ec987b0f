"""`storekeeper check`: prove the ledger explains every unit.

For every stock level: on_hand = Σ its movements' deltas, reserved = Σ its active reservations
still reserved; for every item with stock of its own: its on_hand and reserved = the sums of its
levels; for every live variant parent: the sums of its live variants; for every live bundle:
what its components make up; for every item: incoming = what its lines on open purchase orders
still await; for every production line: produced = the sum of its batches not reversed; for
every movement: after = before + delta, and its before = the after of the level's previous
movement; the counts kept for the lists' totals and the movements counter = the rows they count;
the dashboard's running totals (per location, by status, per day) = the levels, items and
movements they sum; the index of items by `updated_at` (`item_updates`) = their `updated_at`;
every live item's home location is a live, active location (a rule of services/locations.py that
no foreign key keeps).
Each rule is one aggregate query, whatever the size of
the data, except bundles (two queries per workspace that has any) and the running totals (the
kept sums read per workspace that has any: one query per table).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from sqlalchemy import and_, case, func, literal, or_, select

from storekeeper.domain.stock import Tracking
from storekeeper.persistence import counters as counter_rows
from storekeeper.persistence.bom import bundle_stock
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import (
    counters,
    item_categories,
    item_updates,
    items,
    locations,
    movements,
    production_batches,
    production_order_lines,
    purchase_order_lines,
    purchase_orders,
    reservations,
    stock_levels,
)
from storekeeper.persistence.types import Micros
from storekeeper.services.check_totals import running_totals
from storekeeper.services.mismatches import Mismatch
from storekeeper.services.mismatches import scoped as _scoped
from storekeeper.services.purchasing import OPEN

# Self-joins of items; made once, as making an alias copies every column of the table.
_VARIANTS = items.alias("variants")

ZERO = Decimal(0)


def check(db: Database, workspace_id: str | None = None) -> tuple[int, list[Mismatch]]:
    """Returns (levels checked, mismatches)."""
    found: list[Mismatch] = []
    with db.read() as conn:
        levels_checked = conn.execute(
            _scoped(select(func.count()).select_from(stock_levels), stock_levels.c.workspace_id, workspace_id)
        ).scalar_one()

        sums = _scoped(
            select(movements.c.workspace_id, movements.c.item_id, movements.c.location_id,
                   func.sum(movements.c.delta, type_=Micros()).label("total"))
            .group_by(movements.c.workspace_id, movements.c.item_id, movements.c.location_id),
            movements.c.workspace_id, workspace_id,
        ).subquery()
        held = _scoped(
            select(reservations.c.workspace_id, reservations.c.item_id, reservations.c.location_id,
                   func.sum(reservations.c.quantity - reservations.c.fulfilled_quantity, type_=Micros()).label("total"))
            .where(reservations.c.status == "active", reservations.c.holds_stock)
            .group_by(reservations.c.workspace_id, reservations.c.item_id, reservations.c.location_id),
            reservations.c.workspace_id, workspace_id,
        ).subquery()
        for rule, column, source in (("on_hand = sum of movements", stock_levels.c.on_hand, sums),
                                     ("reserved = sum of active reservations", stock_levels.c.reserved, held)):
            same_level = and_(source.c.workspace_id == stock_levels.c.workspace_id,
                              source.c.item_id == stock_levels.c.item_id,
                              source.c.location_id == stock_levels.c.location_id)
            expected = func.coalesce(source.c.total, literal(0, Micros()), type_=Micros())
            rows = conn.execute(_scoped(
                select(stock_levels.c.workspace_id, stock_levels.c.item_id, stock_levels.c.location_id,
                       column.label("recorded"), expected.label("expected"))
                .select_from(stock_levels.outerjoin(source, same_level))
                .where(column != expected), stock_levels.c.workspace_id, workspace_id))
            found += [Mismatch(r.workspace_id, rule, r.item_id, r.location_id, r.recorded, r.expected) for r in rows]
            # Movements or reservations of a level that does not exist at all.
            orphans = conn.execute(
                select(source.c.workspace_id, source.c.item_id, source.c.location_id, source.c.total)
                .select_from(source.outerjoin(stock_levels, same_level))
                .where(stock_levels.c.item_id.is_(None), source.c.total != 0))
            found += [Mismatch(r.workspace_id, rule, r.item_id, r.location_id, ZERO, r.total) for r in orphans]

        totals = _scoped(
            select(stock_levels.c.workspace_id, stock_levels.c.item_id,
                   func.sum(stock_levels.c.on_hand, type_=Micros()).label("on_hand"),
                   func.sum(stock_levels.c.reserved, type_=Micros()).label("reserved"))
            .group_by(stock_levels.c.workspace_id, stock_levels.c.item_id),
            stock_levels.c.workspace_id, workspace_id,
        ).subquery()
        same_item = and_(totals.c.workspace_id == items.c.workspace_id, totals.c.item_id == items.c.id)
        for rule, column, total in (("item on_hand = sum of its levels", items.c.on_hand, totals.c.on_hand),
                                    ("item reserved = sum of its levels", items.c.reserved, totals.c.reserved)):
            expected = func.coalesce(total, literal(0, Micros()), type_=Micros())
            rows = conn.execute(_scoped(
                select(items.c.workspace_id, items.c.id, column.label("recorded"), expected.label("expected"))
                .select_from(items.outerjoin(totals, same_item))
                .where(column != expected, ~items.c.has_variants, items.c.tracking != Tracking.BUNDLE.value),
                items.c.workspace_id, workspace_id))
            found += [Mismatch(r.workspace_id, rule, r.id, None, r.recorded, r.expected) for r in rows]
        found += _parents(conn, workspace_id) + _bundles(conn, workspace_id) + _incoming(conn, workspace_id)
        found += _produced(conn, workspace_id) + _counts(conn, workspace_id) + running_totals(conn, workspace_id)
        found += _update_times(conn, workspace_id) + _homes(conn, workspace_id) + _categories(conn, workspace_id)

        previous = func.lag(movements.c.after, type_=Micros()).over(
            partition_by=(movements.c.workspace_id, movements.c.item_id, movements.c.location_id),
            order_by=movements.c.sequence,
        )
        chain = _scoped(
            select(movements.c.workspace_id, movements.c.item_id, movements.c.location_id, movements.c.sequence,
                   movements.c.before, movements.c.after, movements.c.delta, previous.label("previous")),
            movements.c.workspace_id, workspace_id,
        ).subquery()
        rows = conn.execute(select(chain).where(or_(
            chain.c.after != chain.c.before + chain.c.delta,
            and_(chain.c.previous.is_not(None), chain.c.previous != chain.c.before),
        )))
        for r in rows:
            found.append(Mismatch(r.workspace_id, f"movement #{r.sequence} continues the level's history",
                                  r.item_id, r.location_id, r.before,
                                  r.previous if r.previous is not None else r.after - r.delta))
        if found:
            found = _named(conn, found)
    return levels_checked, found


def _counts(conn, workspace_id: str | None) -> list[Mismatch]:
    """The counts the triggers keep (and the movements counter) equal the rows they count."""
    found = []
    counting = [(name, select(items.c.workspace_id.label("ws"), func.count().label("n")).where(condition)
                 .group_by(items.c.workspace_id), items.c.workspace_id)
                for name, condition in counter_rows.KEPT_COUNTS.items()]
    counting.append(("movements", select(movements.c.workspace_id.label("ws"), func.count().label("n"))
                     .group_by(movements.c.workspace_id), movements.c.workspace_id))
    for name, count_query, column in counting:
        counted = {r.ws: r.n for r in conn.execute(_scoped(count_query, column, workspace_id))}
        kept = {r.workspace_id: r.value for r in conn.execute(_scoped(
            select(counters.c.workspace_id, counters.c.value).where(counters.c.name == name),
            counters.c.workspace_id, workspace_id))}
        for ws in sorted(counted.keys() | kept.keys()):
            if counted.get(ws, 0) != kept.get(ws, 0):
                rule = "movements counter = number of movements" if name == "movements" else f"{name} = its items"
                found.append(Mismatch(ws, rule, "", None, Decimal(kept.get(ws, 0)), Decimal(counted.get(ws, 0))))
    return found


def _update_times(conn, workspace_id: str | None) -> list[Mismatch]:
    """Each item's time in `item_updates` (kept by triggers, migration 0015) is its `updated_at`:
    else `updated_since` would miss it or list it for a change long past."""
    kept = and_(item_updates.c.workspace_id == items.c.workspace_id, item_updates.c.item_id == items.c.id)
    rows = conn.execute(_scoped(
        select(items.c.workspace_id, items.c.id, item_updates.c.updated_at.label("kept"), items.c.updated_at)
        .select_from(items.outerjoin(item_updates, kept))
        .where(or_(item_updates.c.updated_at.is_(None), item_updates.c.updated_at != items.c.updated_at)),
        items.c.workspace_id, workspace_id))
    return [Mismatch(r.workspace_id, "item_updates = the item's updated_at", r.id, None, r.kept, r.updated_at)
            for r in rows]


def _homes(conn, workspace_id: str | None) -> list[Mismatch]:
    """Every live item's home location is a live, active location of its workspace: the stock
    of a change that names no location goes there."""
    usable = and_(locations.c.workspace_id == items.c.workspace_id, locations.c.id == items.c.home_location_id,
                  locations.c.deleted_at.is_(None), locations.c.is_active)
    rows = conn.execute(_scoped(
        select(items.c.workspace_id, items.c.id, items.c.home_location_id)
        .select_from(items.outerjoin(locations, usable))
        .where(items.c.home_location_id.is_not(None), items.c.deleted_at.is_(None), locations.c.id.is_(None)),
        items.c.workspace_id, workspace_id))
    return [Mismatch(r.workspace_id, "home location is a live, active location", r.id, r.home_location_id, None, None)
            for r in rows]


def _categories(conn, workspace_id: str | None) -> list[Mismatch]:
    """item_categories mirrors each item's `categories` (domain/categories.py): as many rows as
    the list has, one of them its first, `category_id`; else `?category=` would miss the item."""
    length = func.jsonb_array_length if conn.dialect.name == "postgresql" else func.json_array_length
    mirrored = _scoped(select(item_categories.c.workspace_id, item_categories.c.item_id,
                              func.count().label("n"),
                              func.sum(case((item_categories.c.category_id == items.c.category_id, 1), else_=0))
                              .label("first"))
                       .join(items, and_(items.c.workspace_id == item_categories.c.workspace_id,
                                         items.c.id == item_categories.c.item_id))
                       .group_by(item_categories.c.workspace_id, item_categories.c.item_id),
                       item_categories.c.workspace_id, workspace_id).subquery()
    same = and_(mirrored.c.workspace_id == items.c.workspace_id, mirrored.c.item_id == items.c.id)
    listed = func.coalesce(length(items.c.categories), 0)
    rows = conn.execute(_scoped(
        select(items.c.workspace_id, items.c.id, mirrored.c.n, listed.label("listed"))
        .select_from(items.outerjoin(mirrored, same))
        .where(or_(func.coalesce(mirrored.c.n, 0) != listed,
                   and_(items.c.category_id.is_not(None), func.coalesce(mirrored.c.first, 0) != 1),
                   and_(items.c.category_id.is_(None), listed != 0))),
        items.c.workspace_id, workspace_id))
    return [Mismatch(r.workspace_id, "item_categories = the item's categories", r.id, None,
                     Decimal(r.n or 0), Decimal(r.listed)) for r in rows]


def _parents(conn, workspace_id: str | None) -> list[Mismatch]:
    variants = _VARIANTS
    sums = _scoped(
        select(variants.c.workspace_id, variants.c.parent_id,
               func.sum(variants.c.on_hand, type_=Micros()).label("on_hand"),
               func.sum(variants.c.reserved, type_=Micros()).label("reserved"),
               func.sum(variants.c.incoming, type_=Micros()).label("incoming"))
        .where(variants.c.parent_id.is_not(None), variants.c.deleted_at.is_(None))
        .group_by(variants.c.workspace_id, variants.c.parent_id),
        variants.c.workspace_id, workspace_id,
    ).subquery()
    found = []
    same = and_(sums.c.workspace_id == items.c.workspace_id, sums.c.parent_id == items.c.id)
    for rule, column, total in (("parent on_hand = sum of its variants", items.c.on_hand, sums.c.on_hand),
                                ("parent reserved = sum of its variants", items.c.reserved, sums.c.reserved),
                                ("parent incoming = sum of its variants", items.c.incoming, sums.c.incoming)):
        expected = func.coalesce(total, literal(0, Micros()), type_=Micros())
        rows = conn.execute(_scoped(
            select(items.c.workspace_id, items.c.id, column.label("recorded"), expected.label("expected"))
            .select_from(items.outerjoin(sums, same))
            .where(items.c.has_variants, items.c.deleted_at.is_(None), column != expected),
            items.c.workspace_id, workspace_id))
        found += [Mismatch(r.workspace_id, rule, r.id, None, r.recorded, r.expected) for r in rows]
    return found


def _incoming(conn, workspace_id: str | None) -> list[Mismatch]:
    """An item's `incoming` is what its lines on open purchase orders still await."""
    open_lines = _scoped(
        select(purchase_order_lines.c.workspace_id, purchase_order_lines.c.item_id,
               func.sum(purchase_order_lines.c.quantity - purchase_order_lines.c.received_quantity,
                        type_=Micros()).label("total"))
        .join(purchase_orders, and_(purchase_orders.c.workspace_id == purchase_order_lines.c.workspace_id,
                                    purchase_orders.c.id == purchase_order_lines.c.order_id))
        .where(purchase_orders.c.status.in_(OPEN))
        .group_by(purchase_order_lines.c.workspace_id, purchase_order_lines.c.item_id),
        purchase_order_lines.c.workspace_id, workspace_id,
    ).subquery()
    expected = func.coalesce(open_lines.c.total, literal(0, Micros()), type_=Micros())
    rows = conn.execute(_scoped(
        select(items.c.workspace_id, items.c.id, items.c.incoming, expected.label("expected"))
        .select_from(items.outerjoin(open_lines, and_(open_lines.c.workspace_id == items.c.workspace_id,
                                                      open_lines.c.item_id == items.c.id)))
        .where(~items.c.has_variants, items.c.incoming != expected),
        items.c.workspace_id, workspace_id))
    return [Mismatch(r.workspace_id, "incoming = open purchase order lines", r.id, None, r.incoming, r.expected)
            for r in rows]


def _produced(conn, workspace_id: str | None) -> list[Mismatch]:
    """A production line's produced quantity is the sum of its batches that were not reversed."""
    made = _scoped(
        select(production_batches.c.workspace_id, production_batches.c.line_id,
               func.sum(production_batches.c.quantity, type_=Micros()).label("total"))
        .where(production_batches.c.reversed_at.is_(None))
        .group_by(production_batches.c.workspace_id, production_batches.c.line_id),
        production_batches.c.workspace_id, workspace_id,
    ).subquery()
    lines = production_order_lines
    expected = func.coalesce(made.c.total, literal(0, Micros()), type_=Micros())
    rows = conn.execute(_scoped(
        select(lines.c.workspace_id, lines.c.item_id, lines.c.produced_quantity, expected.label("expected"))
        .select_from(lines.outerjoin(made, and_(made.c.workspace_id == lines.c.workspace_id,
                                                made.c.line_id == lines.c.id)))
        .where(lines.c.produced_quantity != expected),
        lines.c.workspace_id, workspace_id))
    return [Mismatch(r.workspace_id, "produced = sum of the line's batches", r.item_id, None, r.produced_quantity,
                     r.expected) for r in rows]


def _bundles(conn, workspace_id: str | None) -> list[Mismatch]:
    bundles = conn.execute(_scoped(
        select(items.c.workspace_id, items.c.id, items.c.on_hand, items.c.reserved)
        .where(items.c.tracking == Tracking.BUNDLE.value, items.c.deleted_at.is_(None)),
        items.c.workspace_id, workspace_id)).all()
    by_space: dict[str, list] = {}
    for b in bundles:
        by_space.setdefault(b.workspace_id, []).append(b)
    found = []
    for space, rows in by_space.items():
        derived = bundle_stock(conn, space, [r.id for r in rows])
        for r in rows:
            per_place = derived.get(r.id, {}).values()
            on_hand = sum((oh for oh, _ in per_place), ZERO)
            reserved = on_hand - sum((av for _, av in per_place), ZERO)
            if r.on_hand != on_hand:
                found.append(Mismatch(space, "bundle on_hand = what its components make up", r.id, None,
                                      r.on_hand, on_hand))
            if r.reserved != reserved:
                found.append(Mismatch(space, "bundle reserved = what its components' reservations hold", r.id,
                                      None, r.reserved, reserved))
    return found


def _named(conn, found: list[Mismatch]) -> list[Mismatch]:
    """The mismatches with their items' SKUs and locations' names (two queries, only when a
    mismatch was found)."""
    spaces = {m.workspace_id for m in found}
    skus = {(r.workspace_id, r.id): r.sku for r in conn.execute(
        select(items.c.workspace_id, items.c.id, items.c.sku)
        .where(items.c.workspace_id.in_(spaces), items.c.id.in_({m.item_id for m in found})))}
    names = {(r.workspace_id, r.id): r.name for r in conn.execute(
        select(locations.c.workspace_id, locations.c.id, locations.c.name)
        .where(locations.c.workspace_id.in_(spaces),
               locations.c.id.in_({m.location_id for m in found if m.location_id is not None})))}
    return [replace(m, sku=skus.get((m.workspace_id, m.item_id)),
                    location_name=names.get((m.workspace_id, m.location_id))) for m in found]
