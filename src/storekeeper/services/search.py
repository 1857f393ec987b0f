"""`q`: the case-insensitive search of items by name, SKU and barcode (SPEC: `GET /v1/items`,
`GET /v1/stock`), as one condition on `items`, answered from an index (migration 0007).

What matches is always today's condition: `name_key` (the casefolded name), `lower(sku)` or
`lower(barcode)` contains the casefolded needle, LIKE wildcards taken literally. The index only
finds the candidates:

- PostgreSQL: pg_trgm GIN indexes on those three expressions serve the OR of LIKEs as it is.
- SQLite: an FTS5 trigram index over the same three texts (`items_search_fts`) gives the
  candidates, looked up in `items` by (workspace_id, id), and the LIKEs check each. A trigram
  index cannot answer a needle of fewer than three characters: those scan, as before.

The condition is compiled per dialect, so callers build one statement for both databases.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, column, func, or_, select, table, tuple_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from storekeeper.persistence.tables import items

TRIGRAM = 3  # the shortest needle a trigram index can answer

# Kept by triggers (migration 0007), SQLite only; not in tables.py, as no code writes them.
_entries = table("items_search", column("id"), column("workspace_id"), column("item_id"))
_fts = table("items_search_fts", column("rowid"), column("items_search_fts"))


def matches(q: str) -> ColumnElement[bool]:
    """Items whose name, SKU or barcode contains `q`, ignoring case."""
    needle = q.casefold()
    exact = or_(
        items.c.name_key.contains(needle, autoescape=True),
        func.lower(items.c.sku).contains(needle, autoescape=True),
        func.lower(items.c.barcode).contains(needle, autoescape=True),
    )
    if not indexed(q):
        return exact
    return _Search(exact, tuple_(items.c.workspace_id, items.c.id).in_(_candidates(needle)))


def indexed(q: str | None) -> bool:
    """Whether the index can find the items matching `q`."""
    return bool(q) and len(q.casefold()) >= TRIGRAM


def in_workspace(workspace_id: str, q: str | None = None) -> ColumnElement[bool]:
    """The items of the workspace, for a list searched by `q`.

    SQLite plans without statistics (the server never runs ANALYZE): it takes `workspace_id = ?`
    for a handful of rows and walks the whole workspace in the list's order, testing each item
    against the search, rather than looking up the few candidates and sorting them. Written
    `+workspace_id` it cannot use that column of an index, so the search's own (workspace_id, id)
    lookup drives the query. PostgreSQL plans by its statistics and gets the plain column."""
    if indexed(q):
        return _Unindexed(items.c.workspace_id) == workspace_id
    return items.c.workspace_id == workspace_id


def _candidates(needle: str):
    """(workspace_id, item_id) of the items whose searched text contains `needle`, of every
    workspace: FTS5 cannot filter by an unindexed column, and the caller's workspace condition and
    the lookup by key scope them. The needle is one FTS5 phrase, which the trigram tokenizer
    matches as a substring of one column."""
    phrase = '"' + needle.replace('"', '""') + '"'
    hits = select(_fts.c.rowid).where(_fts.c.items_search_fts.match(phrase))
    return select(_entries.c.workspace_id, _entries.c.item_id).where(_entries.c.id.in_(hits))


class _Search(ColumnElement[bool]):
    """`exact`, and on SQLite also `candidates` (the FTS5 lookup), which only SQLite has."""

    inherit_cache = True
    _is_implicitly_boolean = True  # else SQLite gets `(…) = 1`, which no index serves
    _traverse_internals = [("exact", InternalTraversal.dp_clauseelement),
                           ("candidates", InternalTraversal.dp_clauseelement)]

    def __init__(self, exact: ColumnElement[bool], candidates: ColumnElement[bool]):
        self.exact = exact
        self.candidates = candidates
        self.type = exact.type

    @property
    def _from_objects(self):
        return self.exact._from_objects


@compiles(_Search)
def _search_default(element: _Search, compiler, **kw) -> str:
    return compiler.process(element.exact.self_group(), **kw)


@compiles(_Search, "sqlite")
def _search_sqlite(element: _Search, compiler, **kw) -> str:
    return compiler.process(and_(element.candidates, element.exact).self_group(), **kw)


class _Unindexed(ColumnElement):
    """A column that SQLite cannot look up by index (`+column`, its documented hint)."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, col: ColumnElement):
        self.column = col
        self.type = col.type

    @property
    def _from_objects(self):
        return self.column._from_objects


@compiles(_Unindexed)
def _unindexed_default(element: _Unindexed, compiler, **kw) -> str:
    return compiler.process(element.column, **kw)


@compiles(_Unindexed, "sqlite")
def _unindexed_sqlite(element: _Unindexed, compiler, **kw) -> str:
    return "+" + compiler.process(element.column, **kw)
