"""Keyset (cursor) and offset pagination for every list endpoint.

A cursor is the sort value and id of the last row of a page, so the next page is an index
range scan that costs the same at any depth: `WHERE (sort, id) > (:v, :id) ORDER BY sort, id
LIMIT n+1`. The extra row tells whether there is a next page. `offset` is accepted for clients
that need page numbers; it slows down with depth, as offsets do.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, Label, Select, func, literal, tuple_
from sqlalchemy.types import TypeDecorator

from storekeeper.domain.errors import ValidationFailed


@dataclass(frozen=True)
class PageRequest:
    limit: int = 50
    cursor: str | None = None
    offset: int | None = None
    include_total: bool = True


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    limit: int
    total: int | None
    has_more: bool
    next_cursor: str | None


@dataclass(frozen=True)
class Sort:
    """An ordering by one column (then the id) — `-name` is descending by name."""

    name: str
    column: Column | Label  # a Label: an expression, selected under that name (the cursor reads it)
    id_column: Column
    descending: bool = False
    # The column alone orders the rows (unique in the workspace, as a movement's sequence): no
    # tiebreak by id, so that an index ending with the column serves a filtered list's order.
    unique: bool = False


def _encode(sort_name: str, value: Any, row_id: str) -> str:
    if isinstance(value, datetime):
        value = {"t": value.isoformat()}
    raw = json.dumps([sort_name, value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _python_type(column: Column) -> type:
    sql_type = column.type
    if isinstance(sql_type, TypeDecorator):
        sql_type = sql_type.impl_instance
    try:
        return sql_type.python_type
    except NotImplementedError:
        return object


def _decode(cursor: str, sort: Sort) -> tuple[Any, str]:
    """The sort value and id a cursor holds. A cursor is opaque to clients but comes from them,
    so everything in it is checked before it reaches SQL: its sort, the type of its value (a
    string compared with a timestamp column would fail in the database), no NUL characters."""
    invalid = ValidationFailed({"cursor": ["This cursor is not valid for this list and sort."]})
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        sort_name, value, row_id = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise invalid from None
    if sort_name != sort.name or not isinstance(row_id, str) or "\x00" in row_id:
        raise invalid
    if isinstance(value, dict) and set(value) == {"t"}:
        try:
            value = datetime.fromisoformat(value["t"])
        except (TypeError, ValueError):
            raise invalid from None
    elif isinstance(value, bool) or not isinstance(value, (str, int)) or (isinstance(value, str) and "\x00" in value):
        raise invalid
    if not isinstance(value, _python_type(sort.column)):
        raise invalid
    return value, row_id


def paginate(conn: Connection, stmt: Select, sort: Sort, page: PageRequest, known_total: int | None = None) -> Page:
    """Run `stmt` (already filtered) for one page ordered by `sort`, with the total if asked:
    `known_total` when the caller knows it without counting (a kept count); the page's rows when
    a first page holds the whole list; else counted."""
    if page.cursor is not None and page.offset is not None:
        raise ValidationFailed({"cursor": ["Give either cursor or offset, not both."]})
    key = sort.column if sort.unique else tuple_(sort.column, sort.id_column)
    paged = stmt
    if page.cursor is not None:
        value, row_id = _decode(page.cursor, sort)
        after = (literal(value, sort.column.type) if sort.unique
                 else tuple_(literal(value, sort.column.type), literal(row_id, sort.id_column.type)))
        paged = paged.where(key < after if sort.descending else key > after)
        if not sort.unique and not isinstance(sort.column, Column):
            # SQLite takes a row value as an index range only over plain columns: over an
            # expression (an index on coalesce(price, -1)) it would scan the index from the
            # start to the cursor. The sort value alone, it takes.
            bound = literal(value, sort.column.type)
            paged = paged.where(sort.column <= bound if sort.descending else sort.column >= bound)
    order = [sort.column] if sort.unique else [sort.column, sort.id_column]
    paged = paged.order_by(*(c.desc() if sort.descending else c.asc() for c in order))
    if page.offset:
        paged = paged.offset(page.offset)
    rows = [dict(r) for r in conn.execute(paged.limit(page.limit + 1)).mappings()]
    has_more = len(rows) > page.limit
    rows = rows[: page.limit]
    total = None
    if page.include_total and known_total is not None:
        total = known_total
    elif page.include_total and page.cursor is None and not page.offset and not has_more:
        total = len(rows)  # the whole list is on this page: counting would run the query again
    elif page.include_total:
        # Count the filtered rows without computing the select list (subqueries, joins' columns).
        counting = stmt.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
        total = conn.execute(counting).scalar_one()
    next_cursor = None
    if has_more and rows:
        last = rows[-1]
        next_cursor = _encode(sort.name, last[sort.column.key], last[sort.id_column.key])
    return Page(rows=rows, limit=page.limit, total=total, has_more=has_more, next_cursor=next_cursor)


def paginate_parts(conn: Connection, parts: list[Select], sort: Sort, page: PageRequest) -> Page:
    """One page of the union of disjoint lists (`parts`, each filtered), ordered by `sort`: each
    part paged on its own (a statement each, a range of its own index, as a stored status reads
    `ix_items_status_sku`), the pages merged. SQLite, without statistics, would otherwise read
    an `IN` over an index's leading column by walking another index in the sort's order until
    the page fills. Ascending sorts by a plain column; no offset (a cursor)."""
    if page.offset or sort.descending or sort.unique:
        raise ValueError("paginate_parts takes ascending, non-unique sorts and cursors only")
    paged = [paginate(conn, part, sort, PageRequest(page.limit, page.cursor, None, page.include_total))
             for part in parts]
    rows = sorted((row for p in paged for row in p.rows), key=lambda r: (r[sort.column.key], r[sort.id_column.key]))
    has_more = len(rows) > page.limit or any(p.has_more for p in paged)
    rows = rows[: page.limit]
    total = sum(p.total for p in paged) if page.include_total else None  # type: ignore[misc]
    next_cursor = None
    if has_more and rows:
        next_cursor = _encode(sort.name, rows[-1][sort.column.key], rows[-1][sort.id_column.key])
    return Page(rows=rows, limit=page.limit, total=total, has_more=has_more, next_cursor=next_cursor)
