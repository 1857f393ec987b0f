"""The names of rows a page names by id (issue 22, "read like a person"): the audit log shows
"Lavender candle (CNDL-LAV)" and "Main warehouse" rather than their ids. One query per kind of
row the page refers to, whatever the page holds; rows in the trash keep their names.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from storekeeper.domain.ids import PREFIXES
from storekeeper.persistence.database import Database
from storekeeper.persistence.tables import categories, items, locations, tax_rates, users

_BY_PREFIX = {PREFIXES[kind]: table for kind, table in (
    ("item", items), ("location", locations), ("category", categories), ("tax_rate", tax_rates), ("user", users))}


def names_of(db: Database, workspace_id: str, ids: Iterable[object]) -> dict[str, str]:
    """{id: name} of the workspace's items (name and SKU), locations, categories, tax rates and
    users among `ids` (other values are left out)."""
    wanted: dict[str, set[str]] = {}
    for value in ids:
        if isinstance(value, str) and "_" in value:
            prefix = value.split("_", 1)[0]
            if prefix in _BY_PREFIX:
                wanted.setdefault(prefix, set()).add(value)
    out: dict[str, str] = {}
    if not wanted:
        return out
    with db.read() as conn:
        for prefix, found in wanted.items():
            table = _BY_PREFIX[prefix]
            label = [table.c.sku] if table is items else [table.c.email] if table is users else []
            rows = conn.execute(select(table.c.id, table.c.name, *label).where(
                table.c.workspace_id == workspace_id, table.c.id.in_(sorted(found))))
            for row in rows:
                if table is items:
                    out[row.id] = f"{row.name} ({row.sku})"
                elif table is users:
                    out[row.id] = row.name or row.email
                else:
                    out[row.id] = row.name
    return out
