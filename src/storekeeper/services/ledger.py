"""The ledger: the only code that changes `on_hand` or `reserved`.

One `Ledger` lives inside one write transaction. Locking: it locks the items it touches with
`SELECT … FOR UPDATE` before reading any quantity (on SQLite the transaction's BEGIN IMMEDIATE
already holds the database's write lock), together with their dependents: the variant parents
and the bundles whose quantities are derived from them. One statement locks them all in one
global order — stocked items first, then parents and bundles, each by id — so concurrent
writers touching the same rows in any order cannot deadlock, and holding the item lock makes
its stock levels, its sums and its moving average cost safe to read, compute and write in
Python. A parent or bundle is only written by a writer that holds it, so the one that writes it
last sees every component's committed stock.

The rules of one change (compare-and-set, direction, caps, negative stock, what is available,
costing) are domain/ledger.py's, over frozen snapshots of this running state; this class keeps
the state, locks, reads and writes. Changes are planned one after another on the running state,
so each one sees the ones before it in the same request (two sales of 6 against 10 cannot both
pass), then `flush()` writes levels,
items and audit rows in a fixed number of statements and queues the movements: they are
numbered from the workspace's counter and inserted with the change feed's events as the
transaction's last statements (journal.record_movements).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, func, or_, select, union, update

from storekeeper.domain import ledger as rules
from storekeeper.domain.alerts import alerts_about
from storekeeper.domain.clock import utcnow
from storekeeper.domain.errors import Conflict, InsufficientStock, NotFound, StockError, StorekeeperError
from storekeeper.domain.ids import new_id
from storekeeper.domain.quantities import format_money
from storekeeper.domain.stock import (
    LevelsBefore,
    Tracking,
    bundle_levels,
    levels_before,
    stock_status,
)
from storekeeper.persistence.bom import BUNDLES_CONTAINING, bom_lines, component_levels
from storekeeper.persistence.tables import item_stock_columns, items, reservations, stock_levels
from storekeeper.persistence.types import Micros
from storekeeper.services import alert_outbox, journal

ZERO = Decimal(0)

# The write path's reads, built once with bound parameters (ws, ids, now): building a statement
# costs more than SQLite takes to run it.
_WS, _IDS = bindparam("ws"), bindparam("ids", expanding=True)
# The items with their dependents — variant parents and the bundles made of them — locked in one
# global order: stocked items first, then parents and bundles, each by id.
# What the ledger reads of an item it locks: not the catalogue's documents. (The use cases read
# the rest of a locked item's row: its version, what its events show.)
_LOCK_ITEMS = (
    select(*item_stock_columns)
    .where(items.c.workspace_id == _WS,
           items.c.id.in_(union(
               select(items.c.id).where(items.c.workspace_id == _WS, items.c.id.in_(_IDS)),
               select(items.c.parent_id).where(items.c.workspace_id == _WS, items.c.id.in_(_IDS),
                                               items.c.parent_id.is_not(None)),
               BUNDLES_CONTAINING,
           )))
    .order_by(case((or_(items.c.tracking == Tracking.BUNDLE.value, items.c.has_variants), 1), else_=0), items.c.id)
    .with_for_update()
)
_LEVELS = select(stock_levels).where(stock_levels.c.workspace_id == _WS, stock_levels.c.item_id.in_(_IDS))
_DUE = (
    select(reservations.c.id, reservations.c.item_id, reservations.c.location_id, reservations.c.quantity,
           reservations.c.fulfilled_quantity, reservations.c.holds_stock, reservations.c.parent_id)
    .where(reservations.c.workspace_id == _WS, reservations.c.item_id.in_(_IDS),
           reservations.c.status == "active", reservations.c.expires_at <= bindparam("now"))
)

# The writes of flush(): a statement built (and looked up in SQLAlchemy's cache) per call costs
# more than SQLite takes to run it.
_INSERT_LEVELS = stock_levels.insert()
_UPDATE_LEVELS = (
    update(stock_levels)
    .where(stock_levels.c.workspace_id == _WS, stock_levels.c.item_id == bindparam("item"),
           stock_levels.c.location_id == bindparam("loc"))
    .values(on_hand=bindparam("oh"), reserved=bindparam("rs"), updated_at=bindparam("at"))
)
_ITEM_KEY = and_(items.c.workspace_id == _WS, items.c.id == bindparam("item"))
# An item's sums and status; for a stocked item its moving average cost too (a parent's or a
# bundle's has none of its own). `updated_at` moves with them in the same statement, so that sync
# clients polling `updated_since` see stock changes; `version` does not (it is the catalogue
# edit's If-Match, and a sale must not make a concurrent PATCH fail).
_UPDATE_ITEM_SUMS = update(items).where(_ITEM_KEY).values(
    on_hand=bindparam("oh"), reserved=bindparam("rs"), status=bindparam("st"), incoming=bindparam("in"),
    updated_at=bindparam("at"))
_UPDATE_ITEM_STOCK = update(items).where(_ITEM_KEY).values(
    on_hand=bindparam("oh"), reserved=bindparam("rs"), status=bindparam("st"), incoming=bindparam("in"),
    average_cost=bindparam("ac"), updated_at=bindparam("at"))


@dataclass
class Change:
    """One requested change of on-hand stock at one level."""

    item_id: str
    location_id: str
    reason: str
    direction: str
    delta: Decimal | None = None
    set_to: Decimal | None = None
    unit_cost: Decimal | None = None
    note: str | None = None
    reference_type: str | None = None
    reference_id: str | None = None
    transfer_id: str | None = None
    bundle_id: str | None = None
    batch_id: str | None = None
    label: str | None = None  # checked by the use case (domain.stock.label_problem)
    occurred_at: datetime | None = None
    expected_on_hand: Decimal | None = None
    # Transfers and fulfilments may only take what is available (on hand minus reserved).
    within_available: bool = False
    # Raised if the change turns out to add stock: a count (`set`) at an inactive location may
    # lower its stock, and only the running state tells which way a count goes.
    refuse_incoming: StorekeeperError | None = None


@dataclass
class Level:
    item_id: str
    location_id: str
    on_hand: Decimal = ZERO
    reserved: Decimal = ZERO
    exists: bool = False
    dirty: bool = False
    # (on_hand, reserved) as last written: what a status change is measured from.
    written: tuple[Decimal, Decimal] = (ZERO, ZERO)

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


@dataclass
class ItemState:
    row: dict[str, Any]
    on_hand: Decimal
    reserved: Decimal
    average_cost: Decimal | None
    incoming: Decimal = ZERO
    dirty: bool = False


@dataclass
class Ledger:
    conn: Connection
    workspace_id: str
    actor: dict[str, str]
    allow_negative: bool
    items: dict[str, ItemState] = field(default_factory=dict)
    # Parents and bundles locked because their quantities derive from the locked items.
    dependents: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Parents and bundles to recompute at flush even if none of their parts changed.
    refresh: set[str] = field(default_factory=set)
    levels: dict[tuple[str, str], Level] = field(default_factory=dict)
    planned: list[dict[str, Any]] = field(default_factory=list)
    now: datetime = field(default_factory=utcnow)
    # The statuses the workspace's stock alerts are on for, when the caller read them with its
    # settings (stock.ledger_for); None: the outbox reads them if a status worsens.
    alert_statuses: tuple[str, ...] | None = None

    # Locking and loading

    def lock(self, item_ids: set[str] | list[str], *, live_only: bool = True) -> None:
        """Lock the items and their dependents (variant parents, bundles made of them) and load
        the items' levels; expire their due reservations. Call once per transaction with every
        item the use case touches. An item deleted since the request looked it up is gone
        (ITEM_NOT_FOUND) unless `live_only` is off (releasing or expiring reservations of an
        item in the trash)."""
        wanted = sorted(set(item_ids) - set(self.items))
        if not wanted:
            return
        if self.items:
            raise RuntimeError("lock() must be called once, with every item, to keep the lock order")
        rows = self.conn.execute(_LOCK_ITEMS, {"ws": self.workspace_id, "ids": wanted}).mappings()
        requested = set(wanted)
        for row in rows:
            if row["id"] not in requested:
                self.dependents[row["id"]] = dict(row)
                continue
            if live_only and row["deleted_at"] is not None:
                raise NotFound("item", row["id"])
            self.items[row["id"]] = ItemState(dict(row), row["on_hand"], row["reserved"], row["average_cost"],
                                              row["incoming"])
        levels = self.conn.execute(_LEVELS, {"ws": self.workspace_id, "ids": wanted}).mappings()
        for row in levels:
            key = (row["item_id"], row["location_id"])
            self.levels[key] = Level(key[0], key[1], row["on_hand"], row["reserved"], exists=True,
                                     written=(row["on_hand"], row["reserved"]))
        self._expire_due(wanted)

    def level(self, item_id: str, location_id: str) -> Level:
        key = (item_id, location_id)
        if key not in self.levels:
            self.levels[key] = Level(item_id, location_id)
        return self.levels[key]

    def _expire_due(self, item_ids: list[str]) -> None:
        """Reservations past `expires_at` stop counting the moment anyone writes to their items,
        whether or not the expiry worker has run yet."""
        due = self.conn.execute(_DUE, {"ws": self.workspace_id, "ids": item_ids, "now": self.now}).mappings().all()
        if not due:
            return
        for r in due:
            if r["holds_stock"]:
                self.release(r["item_id"], r["location_id"], r["quantity"] - r["fulfilled_quantity"])
        # A bundle's reservation expires with its component reservations (same expires_at).
        ids = [r["id"] for r in due] + [r["parent_id"] for r in due if r["parent_id"]]
        for reservation_id in sorted({r["parent_id"] or r["id"] for r in due}):
            journal.record(self.conn, self.workspace_id, "reservation.expired", "reservation", reservation_id,
                           changes={"status": ["active", "expired"]},
                           data={"reservation": {"id": reservation_id, "status": "expired"}})
        self.conn.execute(
            update(reservations)
            .where(reservations.c.workspace_id == self.workspace_id, reservations.c.id.in_(ids),
                   reservations.c.status == "active")
            .values(status="expired", updated_at=self.now, version=reservations.c.version + 1)
        )

    # Planning

    def apply(self, change: Change) -> dict[str, Any]:
        """Plan one change on the running state; raise the rule it breaks (domain/ledger.py).
        Returns the movement."""
        state = self.items[change.item_id]
        level = self.level(change.item_id, change.location_id)
        request = rules.ChangeRequest(
            change.location_id, change.reason, change.direction, change.delta, change.set_to, change.unit_cost,
            change.expected_on_hand, change.within_available, change.refuse_incoming is not None)
        try:
            planned = rules.plan_change(self._snapshot(state), self._level_state(change.item_id, change.location_id),
                                        request, allow_negative=self.allow_negative)
        except rules.RefusedIncoming:
            raise change.refuse_incoming from None
        sku = state.row["sku"]
        delta, after, unit_cost = planned.delta, planned.after, planned.unit_cost
        state.average_cost = planned.average_cost
        movement = {
            "workspace_id": self.workspace_id,
            "id": new_id("movement"),
            "item_id": change.item_id,
            "location_id": change.location_id,
            "reason": change.reason,
            "delta": delta,
            "before": level.on_hand,
            "after": after,
            "unit_cost": unit_cost,
            "note": change.note,
            "reference_type": change.reference_type,
            "reference_id": change.reference_id,
            "transfer_id": change.transfer_id,
            "bundle_id": change.bundle_id,
            "batch_id": change.batch_id,
            "label": change.label,
            "actor_type": self.actor["type"],
            "actor_id": self.actor["id"],
            "actor_name": self.actor["name"],
            "occurred_at": change.occurred_at or self.now,
            "created_at": self.now,
            "sku": sku,
        }
        level.on_hand = after
        level.dirty = True
        state.on_hand += delta
        state.dirty = True
        self.planned.append(movement)
        return movement

    def apply_all(self, changes: list[Change]) -> list[dict[str, Any]]:
        """Plan several changes as one: every shortage is reported together (INSUFFICIENT_STOCK
        listing each short component of a bundle), and if any change fails none stays planned."""
        if not self.allow_negative:
            short = [self._shortage(c.item_id, c.location_id, -c.delta) for c in changes
                     if c.within_available and c.delta is not None
                     and -c.delta > self.level(c.item_id, c.location_id).available]
            if short:
                raise self._insufficient(short)
        if len(changes) == 1:  # apply() changes nothing before every check has passed
            return [self.apply(changes[0])]
        saved = self._save([(c.item_id, c.location_id) for c in changes])
        try:
            return [self.apply(c) for c in changes]
        except StorekeeperError:
            self._restore(saved)
            raise

    def reserve_all(self, wanted: list[tuple[str, str, Decimal]]) -> None:
        """Reserve several (item, location, quantity) at once, or none, listing every shortage."""
        short = rules.shortages_of([(self._snapshot(self.items[i]), self._level_state(i, loc), loc, q)
                                    for i, loc, q in wanted])
        if short:
            raise self._insufficient(short)
        for item_id, location_id, quantity in wanted:
            self.reserve(item_id, location_id, quantity)

    def _snapshot(self, state: ItemState) -> rules.ItemState:
        row = state.row
        return rules.ItemState(row["id"], row["sku"], state.on_hand, state.average_cost, row["unit_cost"])

    def _level_state(self, item_id: str, location_id: str) -> rules.LevelState:
        level = self.level(item_id, location_id)
        return rules.LevelState(level.on_hand, level.reserved)

    def _shortage(self, item_id: str, location_id: str, needed: Decimal) -> dict[str, Any]:
        return rules.shortage(self._snapshot(self.items[item_id]), self._level_state(item_id, location_id),
                              location_id, needed)

    @staticmethod
    def _insufficient(shortages: list[dict[str, Any]]) -> StockError:
        return InsufficientStock(shortages)

    def _save(self, keys: list[tuple[str, str]]) -> tuple:
        levels = {k: replace(self.level(*k)) for k in keys}
        states = {k[0]: replace(self.items[k[0]]) for k in keys}
        return levels, states, len(self.planned)

    def _restore(self, saved: tuple) -> None:
        levels, states, planned = saved
        self.levels.update(levels)
        self.items.update(states)
        del self.planned[planned:]

    def reserve(self, item_id: str, location_id: str, quantity: Decimal) -> Level:
        state, level = self.items[item_id], self.level(item_id, location_id)
        if quantity > level.available:
            raise self._insufficient([self._shortage(item_id, location_id, quantity)])
        level.reserved += quantity
        state.reserved += quantity
        level.dirty = state.dirty = True
        return level

    def release(self, item_id: str, location_id: str, quantity: Decimal) -> Level:
        state, level = self.items[item_id], self.level(item_id, location_id)
        level.reserved -= quantity
        state.reserved -= quantity
        level.dirty = state.dirty = True
        return level

    def expect(self, item_id: str, quantity: Decimal) -> None:
        """Count `quantity` more (or, negative, less) as incoming on open purchase orders."""
        state = self.items[item_id]
        state.incoming += quantity
        state.dirty = True

    # Writing

    def flush(self) -> list[dict[str, Any]]:
        """Write everything planned; return the movements, which get their sequence numbers when
        the transaction's write block ends (journal.record_movements writes them then). Each
        movement is audited and published (`stock.changed`), and every level or item whose
        status it moved across normal/low/critical/out_of_stock gets `stock.status_changed`.

        The items whose stock this changes get it as their `updated_at` (the sync clients'
        `updated_since`), taken here rather than when the ledger was made: under the item locks
        and, on SQLite, the write lock, so no change that committed before this one has a later
        time (the worker's ledger is made with the moment it looks for due reservations)."""
        at = utcnow()
        statuses, earlier = self._write_levels(at)
        changed, item_statuses = self._write_items(at)
        statuses += item_statuses + self._refresh_dependents(changed, earlier, at)
        if self.planned:
            journal.audit_movements(self.conn, self.workspace_id, self.planned, self.actor)
            journal.record_movements(self.conn, self.workspace_id, self.planned, movement_view)
        for change in statuses:
            journal.emit(self.conn, self.workspace_id, "stock.status_changed", "item", change["item"], change)
        alert_outbox.queue_alerts(self.conn, self.workspace_id, [c for c in statuses if self._alerts_about(c["item"])],
                                  self.alert_statuses)
        written, self.planned = self.planned, []
        return written

    def _alerts_about(self, item_id: str) -> bool:
        """domain/alerts.alerts_about for an item this ledger holds (locked, or a parent or bundle
        it refreshed)."""
        state = self.items.get(item_id)
        return alerts_about(state.row if state is not None else self.dependents[item_id])

    def _status_change(self, row: dict[str, Any], location_id: str | None, before: str, after: str,
                       on_hand: Decimal, reserved: Decimal) -> list[dict[str, Any]]:
        if before == after:
            return []
        return [{"item": row["id"], "sku": row["sku"], "location": location_id, "from": before, "to": after,
                 "on_hand": on_hand, "available": on_hand - reserved}]

    def _write_levels(self, at: datetime) -> tuple[list[dict[str, Any]], LevelsBefore]:
        """Write the changed levels; return the status changes and what each written level held
        before, (on_hand, available) or None for a new one: what the bundles made of them made up."""
        new = [lv for lv in self.levels.values() if lv.dirty and not lv.exists]
        changed = [lv for lv in self.levels.values() if lv.dirty and lv.exists]
        if new:
            self.conn.execute(_INSERT_LEVELS, [
                {"workspace_id": self.workspace_id, "item_id": lv.item_id, "location_id": lv.location_id,
                 "on_hand": lv.on_hand, "reserved": lv.reserved, "updated_at": at} for lv in new
            ])
        if changed:
            self.conn.execute(
                _UPDATE_LEVELS,
                [{"ws": self.workspace_id, "item": lv.item_id, "loc": lv.location_id, "oh": lv.on_hand,
                  "rs": lv.reserved, "at": at} for lv in changed],
            )
        earlier: LevelsBefore = {(lv.item_id, lv.location_id): None for lv in new}
        earlier |= {(lv.item_id, lv.location_id): (lv.written[0], lv.written[0] - lv.written[1]) for lv in changed}
        statuses = []
        for lv in new + changed:
            row = self.items[lv.item_id].row
            before = stock_status(lv.written[0] - lv.written[1], row["safety_stock"], row["reorder_point"],
                                  row["tracking"]).value
            after = stock_status(lv.available, row["safety_stock"], row["reorder_point"], row["tracking"]).value
            statuses += self._status_change(row, lv.location_id, before, after, lv.on_hand, lv.reserved)
            lv.exists, lv.dirty, lv.written = True, False, (lv.on_hand, lv.reserved)
        return statuses, earlier

    def _write_items(self, at: datetime) -> tuple[list[str], list[dict[str, Any]]]:
        dirty = [s for s in self.items.values() if s.dirty]
        if not dirty:
            return [], []
        rows, statuses = [], []
        for s in dirty:
            status = stock_status(s.on_hand - s.reserved, s.row["safety_stock"], s.row["reorder_point"],
                                  s.row["tracking"]).value
            statuses += self._status_change(s.row, None, s.row["status"], status, s.on_hand, s.reserved)
            rows.append({"ws": self.workspace_id, "item": s.row["id"], "oh": s.on_hand, "rs": s.reserved,
                         "st": status, "ac": s.average_cost, "in": s.incoming, "at": at})
            s.row.update(on_hand=s.on_hand, reserved=s.reserved, status=status, average_cost=s.average_cost,
                         incoming=s.incoming, updated_at=at)
            s.dirty = False
        self.conn.execute(_UPDATE_ITEM_STOCK, rows)
        return [s.row["id"] for s in dirty], statuses

    def _refresh_dependents(self, changed: list[str], earlier: LevelsBefore, at: datetime) -> list[dict[str, Any]]:
        """Recompute the parents and bundles whose parts changed (or that asked to be): a
        parent holds the sums of its live variants, a bundle what its components make up.

        One whose stock as a reader sees it changed gets `at` as its `updated_at`, in the same
        statement as its sums: a parent whenever a variant's stock changed (it shows its
        variants' quantities and their levels summed per location), a bundle when what it makes
        up changed at any location, even with the same totals (a component moved between two)."""
        if not changed and not self.refresh:
            return []
        locked = {**{k: s.row for k, s in self.items.items()}, **self.dependents}
        moved = {locked[i]["parent_id"] for i in changed if locked[i]["parent_id"]}
        parents = moved | {i for i in self.refresh if locked[i]["has_variants"]}
        # The bundles made of what changed, read again under the locks: one that gained a
        # component after this transaction locked its dependents must not be left stale.
        bundles = set(self.conn.execute(BUNDLES_CONTAINING, {"ws": self.workspace_id, "ids": sorted(changed)})
                      .scalars()) if changed else set()
        missed = bundles - set(locked)
        if missed:
            raise Conflict("A bundle's components changed while this change was made; try again.")
        bundles |= {i for i in self.refresh if locked[i]["tracking"] == Tracking.BUNDLE}
        sums, incoming = self._parent_sums(parents)
        moved |= self._bundle_sums(bundles, earlier, sums)
        rows, statuses = [], []
        for item_id in sorted(parents | bundles):
            row = locked[item_id]
            on_hand, reserved = sums.get(item_id, (ZERO, ZERO))
            expected = incoming.get(item_id, ZERO) if item_id in parents else row["incoming"]
            status = stock_status(on_hand - reserved, row["safety_stock"], row["reorder_point"],
                                  row["tracking"]).value
            if item_id in moved or (on_hand, reserved, status, expected) != (row["on_hand"], row["reserved"],
                                                                             row["status"], row["incoming"]):
                rows.append({"ws": self.workspace_id, "item": item_id, "oh": on_hand, "rs": reserved, "st": status,
                             "in": expected, "at": at})
                statuses += self._status_change(row, None, row["status"], status, on_hand, reserved)
                row.update(on_hand=on_hand, reserved=reserved, status=status, incoming=expected, updated_at=at)
        if rows:
            self.conn.execute(_UPDATE_ITEM_SUMS, rows)
        self.refresh = set()
        return statuses

    def _parent_sums(self, parents: set[str]) -> tuple[dict[str, tuple[Decimal, Decimal]], dict[str, Decimal]]:
        """The sums of each parent's live variants, as they are now in this transaction:
        ({parent: (on_hand, reserved)}, {parent: incoming})."""
        if not parents:
            return {}, {}
        totals = self.conn.execute(
            select(items.c.parent_id, func.sum(items.c.on_hand, type_=Micros()).label("on_hand"),
                   func.sum(items.c.reserved, type_=Micros()).label("reserved"),
                   func.sum(items.c.incoming, type_=Micros()).label("incoming"))
            .where(items.c.workspace_id == self.workspace_id, items.c.parent_id.in_(sorted(parents)),
                   items.c.deleted_at.is_(None))
            .group_by(items.c.parent_id)).all()
        return {r.parent_id: (r.on_hand, r.reserved) for r in totals}, {r.parent_id: r.incoming for r in totals}

    def _bundle_sums(self, bundles: set[str], earlier: LevelsBefore,
                     sums: dict[str, tuple[Decimal, Decimal]]) -> set[str]:
        """Put each bundle's totals, (on_hand, reserved) made up by its components, into `sums`;
        return the bundles whose levels at some location differ from before this flush."""
        if not bundles:
            return set()
        lines = bom_lines(self.conn, self.workspace_id, bundles)
        levels = component_levels(self.conn, self.workspace_id, lines)
        before = levels_before(levels, earlier)
        moved = set()
        for bundle_id in bundles:
            made_up = bundle_levels(lines.get(bundle_id, []), levels)
            on_hand = sum((oh for oh, _ in made_up.values()), ZERO)
            sums[bundle_id] = (on_hand, on_hand - sum((av for _, av in made_up.values()), ZERO))
            if made_up != bundle_levels(lines.get(bundle_id, []), before):
                moved.add(bundle_id)
        return moved


def movement_view(row: dict[str, Any]) -> dict[str, Any]:
    """A movement as the API and the change feed show it."""
    reference = None
    if row.get("reference_type") is not None or row.get("reference_id") is not None:
        reference = {"type": row.get("reference_type"), "id": row.get("reference_id")}
    return {
        "id": row["id"], "item": row["item_id"], "sku": row["sku"], "location": row["location_id"],
        "reason": row["reason"], "delta": row["delta"], "before": row["before"], "after": row["after"],
        "unit_cost": format_money(row["unit_cost"]) if row["unit_cost"] is not None else None,
        "note": row["note"], "reference": reference, "transfer": row["transfer_id"],
        "bundle": row.get("bundle_id"), "batch": row.get("batch_id"), "label": row.get("label"),
        "actor": {"type": row["actor_type"], "id": row["actor_id"], "name": row["actor_name"]},
        "occurred_at": row["occurred_at"], "created_at": row["created_at"], "sequence": row.get("sequence"),
    }


def level_out(level: Level, item_row: dict[str, Any]) -> dict[str, Any]:
    return {
        "item": level.item_id,
        "location": level.location_id,
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "available": level.available,
        "status": stock_status(level.available, item_row["safety_stock"], item_row["reorder_point"],
                               item_row["tracking"]).value,
    }
