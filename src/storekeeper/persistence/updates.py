"""Items by when they last changed, catalogue or stock: `updated_since` and `sort=updated_at` of
`GET /v1/items` and `GET /v1/stock`, read from `item_updates` (each item's `updated_at`, kept by
triggers, migration 0015) rather than from an index of `items`, which would make every stock
change rewrite every index of the item's row on PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, and_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.selectable import Join

from storekeeper.domain.clock import to_utc
from storekeeper.persistence.pagination import Sort
from storekeeper.persistence.tables import item_updates, items

SORT = "updated_at"


def is_update_sort(name: str) -> bool:
    return name.lstrip("-") == SORT


def wanted(since: datetime | None, sort: str) -> bool:
    """Whether a list reads the items' times: filtered by them or sorted by them."""
    return since is not None or is_update_sort(sort)


class _Leading(Join):
    """An inner join whose left side SQLite keeps as the outer loop: written `CROSS JOIN … ON`,
    SQLite's documented way to fix the order of a join. Elsewhere a plain join."""

    inherit_cache = True


@compiles(_Leading, "sqlite")
def _cross_join(join: _Leading, compiler, **kw) -> str:
    # The left side is a bare table, so the first " JOIN " is this join's own.
    return compiler.visit_join(join, **kw).replace(" JOIN ", " CROSS JOIN ", 1)


# The items after their times. SQLite plans without statistics: free to choose, it walks the
# items by the list's own index (`created_at`, `sku`, `deleted_at`) and looks each one's time up,
# which at a million items reads them all for the few that changed, or sorts them all for
# `sort=updated_at`. Led by `item_updates`, it reads one range of `ix_item_updates_updated` (the
# times at or after `updated_since`, in order) and looks the items up by key, as it did when
# `items` had an index by `updated_at`. PostgreSQL plans by its statistics either way.
BY_UPDATE = _Leading(item_updates, items, and_(item_updates.c.workspace_id == items.c.workspace_id,
                                               item_updates.c.item_id == items.c.id))


def changed_since(stmt: Select, workspace_id: str, since: datetime | None) -> Select:
    """`stmt`, a select from BY_UPDATE (the workspace's items after their times), with the
    items' `item_id` for the cursor of `sort=updated_at`: those changed at or after `since` if
    given."""
    stmt = stmt.where(item_updates.c.workspace_id == workspace_id).add_columns(item_updates.c.item_id)
    if since is not None:
        stmt = stmt.where(item_updates.c.updated_at >= to_utc(since))
    return stmt


def update_sort(name: str) -> Sort:
    """`updated_at` or `-updated_at` (the name, direction included, goes into the cursor): the
    order of `ix_item_updates_updated`."""
    return Sort(name, item_updates.c.updated_at, item_updates.c.item_id, descending=name.startswith("-"))
