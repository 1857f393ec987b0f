"""Stock changes a client asks for: adjustments (one or a bulk of up to 500) and transfers.

A single adjustment is a bulk of one that raises its own error. Every change goes through the
`Ledger` (services/ledger.py), inside one transaction with its movements. Taking stock out of a
bundle takes each of its components out instead (SPEC §3), all of them or none.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, select, union

from storekeeper.domain.clock import plausible, utcnow
from storekeeper.domain.errors import (
    BulkFailed,
    Code,
    Conflict,
    Forbidden,
    InsufficientStock,
    NotFound,
    NotStockable,
    ReasonDirection,
    StorekeeperError,
    ValidationFailed,
)
from storekeeper.domain.ids import is_id, new_id
from storekeeper.domain.stock import (
    ComponentLine,
    Tracking,
    bundle_levels,
    component_need,
    direction_allows,
    label_problem,
)
from storekeeper.persistence.bom import bom_lines
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import alert_settings, item_stock_columns, items, workspaces
from storekeeper.services.ledger import Change, Ledger, Level, level_out
from storekeeper.services.locations import location_not_found, resolve_locations, stock_location_ref
from storekeeper.services.reasons import direction_of, reason_error
from storekeeper.services.workspaces import with_defaults

MAX_BULK = 500
# A movement may be recorded late (occurred_at in the past), not ahead of time; the margin
# absorbs clocks of clients that run a little fast.
FUTURE_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class Adjustment:
    item: str
    reason: str
    location: str | None = None
    delta: Decimal | None = None
    set_to: Decimal | None = None
    note: str | None = None
    unit_cost: Decimal | None = None
    occurred_at: datetime | None = None
    reference_type: str | None = None
    reference_id: str | None = None
    expected_on_hand: Decimal | None = None
    # Free text beside the reason (another system's own reason, say), matched exactly by
    # the movement lists' `label` filter.
    label: str | None = None


# Statements of every stock change, built once with bound parameters.
# With the statuses its stock alerts are on for (services/alert_outbox.py), so that a stock change
# that worsens a status costs no statement more than one that does not.
_SETTINGS = select(workspaces.c.settings, select(alert_settings.c.statuses).where(
    alert_settings.c.workspace_id == workspaces.c.workspace_id, alert_settings.c.enabled).scalar_subquery()
).where(workspaces.c.workspace_id == bindparam("ws"))


def _items_by_ref(*columns):
    """Live items by id or by SKU, each read from its own index (with an OR, SQLite may scan the
    live items). The SKU arm names no `deleted_at` (the outer query keeps the live ones): with it,
    SQLite chose to walk every live item for a list of 500 SKUs (755 ms a bulk at a million
    items, against 6 ms by the SKU index)."""
    return select(*columns).where(
        items.c.workspace_id == bindparam("ws"),
        items.c.deleted_at.is_(None),
        items.c.id.in_(union(
            select(items.c.id).where(items.c.workspace_id == bindparam("ws"),
                                     items.c.id.in_(bindparam("ids", expanding=True))),
            select(items.c.id).where(items.c.workspace_id == bindparam("ws"),
                                     items.c.sku.in_(bindparam("refs", expanding=True))),
        )),
    )


# Without the catalogue's documents.
_ITEMS_BY_REF = _items_by_ref(*item_stock_columns)
# What a stock change checks before the ledger locks (and reads) the items: every column read
# costs its conversion, 500 times in a bulk.
_ITEM_REFS = _items_by_ref(items.c.id, items.c.sku, items.c.tracking, items.c.has_variants, items.c.safety_stock,
                           items.c.reorder_point, items.c.home_location_id)


def _ledger_settings(conn: Connection, workspace_id: str) -> tuple[bool, tuple[str, ...]]:
    settings, alerting = conn.execute(_SETTINGS, {"ws": workspace_id}).one()
    return bool(with_defaults(settings)["allow_negative_stock"]), tuple(alerting or ())


def allow_negative_stock(conn: Connection, workspace_id: str) -> bool:
    return _ledger_settings(conn, workspace_id)[0]


def ledger_for(conn: Connection, principal, **kwargs) -> Ledger:
    """The ledger of one write transaction, acting as `principal` (an API key's principal or the
    system), with the workspace's negative-stock rule and the statuses its alerts are on for."""
    allow_negative, alerting = _ledger_settings(conn, principal.workspace_id)
    return Ledger(conn, principal.workspace_id, principal.actor, allow_negative, alert_statuses=alerting, **kwargs)


def resolve_items(conn: Connection, workspace_id: str, refs: set[str], *, brief: bool = False
                  ) -> dict[str, dict[str, Any]]:
    """Live items by id or SKU, in one query. `brief`: only what identifies an item, its tracking,
    the thresholds of its status and its home location."""
    refs = {r for r in refs if r is not None}
    if not refs:
        return {}
    rows = conn.execute(_ITEM_REFS if brief else _ITEMS_BY_REF,
                        {"ws": workspace_id, "ids": sorted(r for r in refs if is_id("item", r)),
                         "refs": sorted(refs)}).mappings().all()
    by_id = {r["id"]: dict(r) for r in rows}
    by_sku = {r["sku"]: by_id[r["id"]] for r in rows}
    return {ref: by_id.get(ref) or by_sku[ref] for ref in refs if ref in by_id or ref in by_sku}


def check_stockable(item: dict[str, Any], *, bundle_ok: bool = False) -> None:
    """Only items with their own stock take movements. A bundle may give stock (its components
    go out) where `bundle_ok` says so, never take it."""
    if item["tracking"] == Tracking.NONE:
        raise NotStockable(f"{item['sku']} is not tracked (tracking: none): it has no stock.")
    if item["tracking"] == Tracking.BUNDLE and not bundle_ok:
        raise NotStockable(f"{item['sku']} is a bundle: its stock comes from its components.")
    if item.get("has_variants"):
        raise NotStockable(f"{item['sku']} has variants: stock belongs to each variant.")


def check_bundle_lines(bundle: dict[str, Any], lines: list[ComponentLine], location_id: str) -> None:
    """A bundle gives (or reserves) something only if it has stocked components, none of them in
    the trash."""
    if not any(line.tracked for line in lines):
        raise NotStockable(f"{bundle['sku']} is a bundle without stocked components: it has nothing to give.")
    gone = [line for line in lines if line.deleted]
    if gone:
        raise InsufficientStock(
            [{"item": line.component_id, "sku": None, "location": location_id, "needed": line.quantity,
              "available": Decimal(0)} for line in gone],
            f"{bundle['sku']}: {len(gone)} of its components are in the trash; it makes up nothing.")


def bundle_changes(bundle: dict[str, Any], lines: list[ComponentLine], count: Decimal, change: Change) -> list[Change]:
    """The component changes that take `count` of a bundle out: each tracked component by its
    need, only from available stock, each movement naming the bundle."""
    check_bundle_lines(bundle, lines, change.location_id)
    return [replace(change, item_id=line.component_id, delta=-component_need(line, count), within_available=True,
                    bundle_id=bundle["id"]) for line in lines if line.tracked]


def check_location(principal, location: dict[str, Any], *, incoming: bool) -> None:
    if location["read_only"] and not principal.allows("locations:sync"):
        raise Forbidden(
            f"{location['name']} is read-only (external stock): only keys with locations:sync change it.",
            code=Code.READONLY_LOCATION,
        )
    if incoming and not location["is_active"]:
        raise _inactive(location)


def check_label(label: str | None) -> str | None:
    """A movement's label as given, or the rule it breaks (domain.stock.label_problem)."""
    problem = None if label is None else label_problem(label)
    if problem is not None:
        raise ValidationFailed({"label": [problem]})
    return label


def _inactive(location: dict[str, Any]) -> Conflict:
    return Conflict(f"{location['name']} is inactive: it receives no stock.")


def _check_occurred_at(value: datetime | None, now: datetime) -> datetime | None:
    value = plausible(value, "occurred_at")
    if value is None:
        return None
    if value > now + FUTURE_MARGIN:
        raise ValidationFailed({"occurred_at": ["Must not be in the future."]})
    return value


def _to_changes(adj: Adjustment, item, location, direction, principal, now: datetime,
                lines: dict[str, list[ComponentLine]]) -> list[Change]:
    if item is None:
        raise NotFound("item", adj.item)
    if location is None:
        raise location_not_found(stock_location_ref(adj.location, item))
    bundle = item["tracking"] == Tracking.BUNDLE
    check_stockable(item, bundle_ok=True)
    if bundle and (adj.delta is None or adj.delta >= 0):
        raise NotStockable(f"{item['sku']} is a bundle: stock can only go out of it (a negative delta), which "
                           "takes its components out; add stock to the components.")
    if bundle and adj.expected_on_hand is not None:
        raise ValidationFailed({"expected_on_hand": ["A bundle has no on-hand of its own to compare."]})
    # Which way a count (`set`) goes is known only on the running state: the ledger refuses it
    # at an inactive location if it adds stock.
    check_location(principal, location, incoming=adj.delta is not None and adj.delta > 0)
    if direction is None:
        raise reason_error(adj.reason)
    change = Change(
        item_id=item["id"], location_id=location["id"], reason=adj.reason, direction=direction,
        delta=adj.delta, set_to=adj.set_to, unit_cost=adj.unit_cost, note=adj.note,
        reference_type=adj.reference_type, reference_id=adj.reference_id, label=check_label(adj.label),
        occurred_at=_check_occurred_at(adj.occurred_at, now), expected_on_hand=adj.expected_on_hand,
        refuse_incoming=None if location["is_active"] else _inactive(location),
    )
    if bundle:
        if adj.unit_cost is not None:
            raise ValidationFailed({"unit_cost": ["Only incoming stock carries a unit cost."]})
        return bundle_changes(item, lines.get(item["id"], []), -adj.delta, change)
    return [change]


def _error_entry(index: int, exc: StorekeeperError) -> dict[str, Any]:
    entry = {"index": index, "code": exc.code, "message": exc.message}
    if isinstance(exc, ValidationFailed):
        entry["fields"] = exc.fields
    return entry


def _plan(conn: Connection, principal, adjustments: list[Adjustment], now: datetime, *, single: bool,
          new_locations: dict[str, dict[str, Any]] | None = None):
    """Each adjustment as the ledger's changes, or the error it raises before any stock is read:
    (items by ref, the bundles among them, their bills of materials, [changes or error])."""
    workspace_id = principal.workspace_id
    found_items = resolve_items(conn, workspace_id, {a.item for a in adjustments}, brief=True)
    # Each adjustment's location: the one it names, else its item's home, else the default.
    wanted = [stock_location_ref(a.location, found_items.get(a.item)) for a in adjustments]
    found_locations = {**(new_locations or {}), **resolve_locations(conn, workspace_id, set(wanted))}
    directions = direction_of(conn, workspace_id, {a.reason for a in adjustments})
    bundles = {i["id"] for i in found_items.values() if i["tracking"] == Tracking.BUNDLE}
    lines = bom_lines(conn, workspace_id, bundles)
    planned: list[list[Change] | StorekeeperError] = []
    for adj, where in zip(adjustments, wanted, strict=True):
        try:
            planned.append(_to_changes(adj, found_items.get(adj.item), found_locations.get(where),
                                       directions.get(adj.reason), principal, now, lines))
        except StorekeeperError as exc:
            if single:
                raise
            planned.append(exc)
    return found_items, bundles, lines, planned


def check_adjustments(conn: Connection, principal, adjustments: list[Adjustment], *,
                      new_locations: dict[str, dict[str, Any]] | None = None) -> list[StorekeeperError | None]:
    """What `adjust` would refuse without reading any stock, per adjustment (None: nothing yet):
    an unknown item, location or reason, an item without stock of its own, a read-only or
    inactive location, a moment ahead of now, a delta whose sign the reason does not allow.
    Counts (`set_to`) and the stock rules are checked when applied. `new_locations`: locations
    (by name) taken as existing, active and writable, to be created before the changes apply."""
    *_, planned = _plan(conn, principal, adjustments, utcnow(), single=False, new_locations=new_locations)
    errors: list[StorekeeperError | None] = []
    for changes in planned:
        if isinstance(changes, StorekeeperError):
            errors.append(changes)
            continue
        wrong = next((c for c in changes if c.delta is not None and not direction_allows(c.direction, c.delta)), None)
        errors.append(None if wrong is None else ReasonDirection(wrong.reason, wrong.direction, wrong.delta))
    return errors


def adjust(db: Database, principal, adjustments: list[Adjustment], *, atomic: bool = True,
           single: bool = False) -> list[dict[str, Any]]:
    """Apply adjustments in one transaction. Returns, per adjustment, either
    `{"index", "ok": True, "movement", "level"}` or `{"index", "ok": False, "error"}`.

    atomic: all or nothing (BulkFailed lists every failing index); otherwise each adjustment
    that passes is applied. single: raise the one adjustment's own error."""
    if len(adjustments) > MAX_BULK:
        raise ValidationFailed({"adjustments": [f"At most {MAX_BULK} adjustments per request."]})
    workspace_id = principal.workspace_id
    with db.write() as conn:
        ledger = ledger_for(conn, principal)
        found_items, bundles, lines, planned = _plan(conn, principal, adjustments, ledger.now, single=single)
        ledger.lock({c.item_id for p in planned if isinstance(p, list) for c in p})
        if bundles and bom_lines(conn, workspace_id, bundles) != lines:
            raise Conflict("A bundle's components changed while this change was made; try again.")
        results: list[dict[str, Any]] = []
        for index, (adj, changes) in enumerate(zip(adjustments, planned, strict=True)):
            if isinstance(changes, StorekeeperError):
                results.append({"index": index, "ok": False, "error": changes})
                continue
            try:
                moved = ledger.apply_all(changes)
            except StorekeeperError as exc:
                if single:
                    raise
                results.append({"index": index, "ok": False, "error": exc})
                continue
            item = found_items[adj.item]
            if item["tracking"] == Tracking.BUNDLE:
                level = _bundle_level(ledger, item, lines[item["id"]], changes[0].location_id)
                results.append({"index": index, "ok": True, "movement": None, "movements": moved, "level": level})
            else:
                level = ledger.level(changes[0].item_id, changes[0].location_id)
                results.append({"index": index, "ok": True, "movement": moved[0], "movements": moved,
                                "level": level_out(level, ledger.items[item["id"]].row)})
        failures = [r for r in results if not r["ok"]]
        if atomic and failures:
            raise BulkFailed([_error_entry(r["index"], r["error"]) for r in failures])
        ledger.flush()
    for r in results:
        if not r["ok"]:
            r["error"] = _error_entry(r["index"], r["error"])
    return results


def _bundle_level(ledger: Ledger, bundle: dict[str, Any], lines: list[ComponentLine], location_id: str):
    """The bundle's derived level at one location, from its components' running state."""
    levels = {line.component_id: {location_id: (ledger.level(line.component_id, location_id).on_hand,
                                                ledger.level(line.component_id, location_id).available)}
              for line in lines if line.tracked}
    on_hand, available = bundle_levels(lines, levels).get(location_id, (Decimal(0), Decimal(0)))
    return level_out(Level(bundle["id"], location_id, on_hand, on_hand - available), bundle)


def adjust_one(db: Database, principal, adjustment: Adjustment) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One adjustment: its movements (one, or one per component of a bundle) and the level after."""
    result = adjust(db, principal, [adjustment], single=True)[0]
    return result["movements"], result["level"]


def transfer(db: Database, principal, *, item: str, from_location: str | None, to_location: str | None,
             quantity: Decimal, note: str | None = None, reference_type: str | None = None,
             reference_id: str | None = None, label: str | None = None) -> dict[str, Any]:
    """Move stock between two locations: a transfer_out and a transfer_in movement, atomically,
    both with the transfer's note, reference and label; a missing end is the item's home location,
    else the default. Only available stock (on hand minus
    reserved) can leave, unless negative stock is allowed."""
    if quantity <= 0:
        raise ValidationFailed({"quantity": ["Must be greater than 0."]})
    check_label(label)
    workspace_id = principal.workspace_id
    with db.write() as conn:
        row = resolve_items(conn, workspace_id, {item}, brief=True).get(item)
        if row is None:
            raise NotFound("item", item)
        check_stockable(row)
        # An end the transfer leaves out is the item's home, else the default location.
        from_location, to_location = stock_location_ref(from_location, row), stock_location_ref(to_location, row)
        places = resolve_locations(conn, workspace_id, {from_location, to_location})
        source, target = places.get(from_location), places.get(to_location)
        if source is None:
            raise location_not_found(from_location)
        if target is None:
            raise location_not_found(to_location)
        if source["id"] == target["id"]:
            raise ValidationFailed({"to": ["Must be another location than `from`."]})
        check_location(principal, source, incoming=False)
        check_location(principal, target, incoming=True)
        ledger = ledger_for(conn, principal)
        ledger.lock([row["id"]])
        transfer_id = new_id("transfer")
        common = {"note": note, "reference_type": reference_type, "reference_id": reference_id,
                  "transfer_id": transfer_id, "label": label}
        out = ledger.apply(Change(row["id"], source["id"], "transfer_out", "out", delta=-quantity,
                                  within_available=True, **common))
        into = ledger.apply(Change(row["id"], target["id"], "transfer_in", "in", delta=quantity, **common))
        ledger.flush()
    return {
        "id": transfer_id, "item": row["id"], "sku": row["sku"], "from": source["id"], "to": target["id"],
        "quantity": quantity, "note": note, "label": label,
        "reference": {"type": reference_type, "id": reference_id} if reference_type or reference_id else None,
        "movements": [out, into], "created_at": out["created_at"],
    }




def bring_total_to(conn: Connection, principal, item: dict[str, Any], on_hand: Decimal) -> None:
    """Bring an item's stock over all locations to `on_hand`, in the caller's transaction: a
    `count` movement of the difference where a change that names no location goes, the item's
    home location, else the default location (none when it is already there). For APIs whose
    products have one stock figure (the inventorum and modulus dialects' `quantity`). The
    difference is taken under the item's lock, so concurrent counts end at the last one's figure."""
    if not principal.allows("stock:write"):
        raise Forbidden("Setting the quantity records a stock movement: the key needs the stock:write scope.")
    check_stockable(item)
    where = stock_location_ref(None, item)
    place = resolve_locations(conn, principal.workspace_id, {where}).get(where)
    if place is None:
        raise location_not_found(where)
    ledger = ledger_for(conn, principal)
    ledger.lock({item["id"]})
    difference = on_hand - ledger.items[item["id"]].on_hand
    if difference:
        check_location(principal, place, incoming=difference > 0)
        ledger.apply(Change(item["id"], place["id"], "count", "any", delta=difference))
    ledger.flush()


def record_initial_stock(conn: Connection, principal,
                         entries: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> None:
    """`initial` movements for items created in this transaction: [(item row, [{location,
    quantity, unit_cost}])], an entry without a location at the item's home location (else the
    default). Needs stock:write besides the items:write that created them."""
    if not principal.allows("stock:write"):
        raise Forbidden("initial_stock records stock movements: the key needs the stock:write scope.")
    workspace_id = principal.workspace_id
    places = resolve_locations(conn, workspace_id, {stock_location_ref(e.get("location"), item)
                                                    for item, stock in entries for e in stock})
    changes = []
    for item, stock in entries:
        check_stockable(item)
        for entry in stock:
            where = stock_location_ref(entry.get("location"), item)
            place = places.get(where)
            if place is None:
                raise location_not_found(where)
            check_location(principal, place, incoming=True)
            changes.append(Change(item["id"], place["id"], "initial", "in", delta=entry["quantity"],
                                  unit_cost=entry.get("unit_cost")))
    ledger = ledger_for(conn, principal)
    ledger.lock({c.item_id for c in changes})
    for change in changes:
        ledger.apply(change)
    ledger.flush()
