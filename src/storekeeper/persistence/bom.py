"""Queries over bills of materials that the ledger, the catalog and the stock reads share.

Each answers for many items in one statement, so a page of bundles or a bulk of adjustments
costs the same number of queries whatever its size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import Connection, and_, bindparam, exists, select

from storekeeper.domain.stock import ComponentLine, Tracking, bundle_levels
from storekeeper.persistence.tables import item_components, items, stock_levels

# Self-joins of items; made once, as making an alias copies every column of the table.
_COMPONENT = items.alias("component")
_BUNDLE = items.alias("bundle")
_LIVE = items.alias("live")

ZERO = Decimal(0)


def bom_lines(conn: Connection, workspace_id: str, item_ids: Iterable[str]) -> dict[str, list[ComponentLine]]:
    """{item id: its component lines in order}. A component in the trash stays a tracked line
    whose levels are never loaded (component_levels reads live items only): a bundle of it
    makes up nothing until it is restored."""
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    component = _COMPONENT
    rows = conn.execute(
        select(item_components.c.item_id, item_components.c.component_id, item_components.c.quantity,
               item_components.c.unit, component.c.unit.label("component_unit"), component.c.tracking,
               component.c.deleted_at)
        .join(component, and_(component.c.workspace_id == item_components.c.workspace_id,
                              component.c.id == item_components.c.component_id))
        .where(item_components.c.workspace_id == workspace_id, item_components.c.item_id.in_(ids))
        .order_by(item_components.c.item_id, item_components.c.position)
    ).all()
    result: dict[str, list[ComponentLine]] = defaultdict(list)
    for r in rows:
        tracked = r.tracking != Tracking.NONE or r.deleted_at is not None
        result[r.item_id].append(ComponentLine(r.component_id, r.quantity, r.unit, r.component_unit, tracked,
                                               deleted=r.deleted_at is not None))
    return dict(result)


# The ids of live bundles that have any of the items `ids` of workspace `ws` as a component.
# Built once, with bound parameters: statements on the write path cost more to build than to
# run. Written to be read from the components' index whatever the planner knows of the data
# (SQLite without statistics would rather scan the workspace's live items for bundles).
BUNDLES_CONTAINING = (
    select(item_components.c.item_id)
    .where(item_components.c.workspace_id == bindparam("ws"),
           item_components.c.component_id.in_(bindparam("ids", expanding=True)),
           exists().where(_BUNDLE.c.workspace_id == item_components.c.workspace_id,
                          _BUNDLE.c.id == item_components.c.item_id,
                          _BUNDLE.c.tracking == Tracking.BUNDLE.value, _BUNDLE.c.deleted_at.is_(None)))
)


def component_levels(
    conn: Connection, workspace_id: str, lines: dict[str, list[ComponentLine]], deleted: set[str] | None = None
) -> dict[str, dict[str, tuple[Decimal, Decimal]]]:
    """{component id: {location id: (on_hand, available)}} for the tracked components of these
    lines, as stored now (in this transaction, after its own writes)."""
    wanted = sorted({line.component_id for ls in lines.values() for line in ls if line.tracked} - (deleted or set()))
    if not wanted:
        return {}
    live = _LIVE
    rows = conn.execute(
        select(stock_levels.c.item_id, stock_levels.c.location_id, stock_levels.c.on_hand, stock_levels.c.reserved)
        .join(live, and_(live.c.workspace_id == stock_levels.c.workspace_id, live.c.id == stock_levels.c.item_id))
        .where(stock_levels.c.workspace_id == workspace_id, stock_levels.c.item_id.in_(wanted),
               live.c.deleted_at.is_(None))
    ).all()
    result: dict[str, dict[str, tuple[Decimal, Decimal]]] = defaultdict(dict)
    for r in rows:
        result[r.item_id][r.location_id] = (r.on_hand, r.on_hand - r.reserved)
    return dict(result)


def bundle_stock(
    conn: Connection, workspace_id: str, bundle_ids: Iterable[str]
) -> dict[str, dict[str, tuple[Decimal, Decimal]]]:
    """{bundle id: {location id: (on_hand, available)}} from its components' stock (two queries)."""
    lines = bom_lines(conn, workspace_id, bundle_ids)
    levels = component_levels(conn, workspace_id, lines)
    return {bundle_id: bundle_levels(ls, levels) for bundle_id, ls in lines.items()}
