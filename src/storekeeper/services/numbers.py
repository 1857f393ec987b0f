"""Numbers: items (variants included), categories, tax rates, custom reasons, production orders,
their lines and batches each have an integer `number` in their workspace besides their id
(issue 21) — what the /compat facades of seeds 002 and 004 show and take as `id`.

A row gets its number when it is inserted (persistence/counters.take_numbers) and keeps it; no
other row of its kind in the workspace ever gets it, not even after a delete. So a number names
one id for good, and finding the id in one read and acting on it in another is safe. Here:
finding rows by number, each an indexed read of (workspace_id, number). Numbers are not refs of
/v1 paths and bodies: a SKU may be all digits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, exists, select

from storekeeper.domain.errors import NotFound
from storekeeper.persistence.database import Database
from storekeeper.persistence.rows import fetch, fetch_by_number, ids_by_number
from storekeeper.persistence.tables import (
    categories,
    items,
    production_batches,
    production_order_lines,
    production_orders,
    reasons,
    tax_rates,
)
from storekeeper.services import batches, production
from storekeeper.services import categories as category_service
from storekeeper.services import items as item_service
from storekeeper.services import reasons as reason_service
from storekeeper.services import tax_rates as tax_rate_service

# Each numbered kind (as NotFound names it: ITEM_NOT_FOUND …) and its table.
KINDS: dict[str, Table] = {
    "item": items,
    "category": categories,
    "tax_rate": tax_rates,
    "reason": reasons,
    "production_order": production_orders,
    "production_order_line": production_order_lines,
    "batch": production_batches,
}


def _order_live(table: Table) -> tuple[ColumnElement[bool], ...]:
    return (exists().where(production_orders.c.workspace_id == table.c.workspace_id,
                           production_orders.c.id == table.c.order_id, production_orders.c.deleted_at.is_(None)),)


# A production line or a batch is found only while its order is live, as on /v1.
_ALSO: dict[str, tuple[ColumnElement[bool], ...]] = {
    "production_order_line": _order_live(production_order_lines),
    "batch": _order_live(production_batches),
}


def ids(db: Database, workspace_id: str, kind: str, numbers: Iterable[int]) -> dict[int, str]:
    """{number: id} for many numbers of one kind, in one query. Left out: a number no row has,
    an item's or a production order's while it is in the trash, and a line's or a batch's of
    such an order."""
    with db.read() as conn:
        return ids_by_number(conn, KINDS[kind], workspace_id, numbers, *_ALSO.get(kind, ()))


def id_of(db: Database, workspace_id: str, kind: str, number: int) -> str:
    """The id of the row numbered `number`, or NotFound (`ITEM_NOT_FOUND` …) naming `#number`."""
    found = ids(db, workspace_id, kind, [number])
    if number not in found:
        raise NotFound(kind, f"#{number}")
    return found[number]


def find(conn: Connection, workspace_id: str, kind: str, number: int, *, for_update: bool = False
         ) -> dict[str, Any]:
    """The row numbered `number`, read in the caller's transaction (`for_update` locks it, as the
    services' own finders do), or NotFound."""
    return fetch_by_number(conn, KINDS[kind], workspace_id, number, kind, *_ALSO.get(kind, ()),
                           for_update=for_update)


def _line(db: Database, workspace_id: str, line_id: str) -> dict[str, Any]:
    """A production line with its order's id; not found with its order deleted, as on /v1."""
    with db.read() as conn:
        line = fetch(conn, production_order_lines, workspace_id, line_id, "production_order_line")
        try:
            production.find_order(conn, workspace_id, line["order_id"])
        except NotFound:
            raise NotFound("production_order_line", line_id) from None
        return line


_GETTERS: dict[str, Callable[[Database, str, str], dict[str, Any]]] = {
    "item": item_service.get_item,
    "category": category_service.get_category,
    "tax_rate": tax_rate_service.get_tax_rate,
    "reason": reason_service.get_reason,
    "production_order": production.get_production_order,
    "production_order_line": _line,
    "batch": batches.get_batch,
}


def get(db: Database, workspace_id: str, kind: str, number: int) -> dict[str, Any]:
    """The resource numbered `number` as its service's get function returns it by id (an item
    with its levels, variants and components; an order with its lines; a batch with its
    movements; a production line with its `order_id`), or NotFound naming `#number`. Two reads:
    the number names the same row for good, so one deleted in between is simply not found."""
    try:
        return _GETTERS[kind](db, workspace_id, id_of(db, workspace_id, kind, number))
    except NotFound as exc:
        if exc.resource != kind:
            raise
        raise NotFound(kind, f"#{number}") from None


def numbers_of(db: Database, workspace_id: str, kind: str, row_ids: Iterable[str | None]) -> dict[str, int]:
    """{id: number} for many rows of one kind, in one query (trashed ones included: a number
    names its row for good); what a facade shows for the ids a page refers to (a parent's)."""
    wanted = sorted({i for i in row_ids if i})
    if not wanted:
        return {}
    table = KINDS[kind]
    with db.read() as conn:
        return dict(conn.execute(select(table.c.id, table.c.number).where(
            table.c.workspace_id == workspace_id, table.c.id.in_(wanted))).all())
