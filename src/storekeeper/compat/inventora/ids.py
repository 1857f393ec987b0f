"""Which id an Inventora client sees, in one place: the per-workspace integer `number` of an
item, custom reason, production order, line or batch (issue 21), as the document's clients
expect a short id. `vendor_id` reads it from a row, `core_id`, `core_ids` and `find` look rows
up by it (services/numbers: one indexed read each). Locations keep their `loc_…` ids: they have
no number, and the document's location ids are strings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from storekeeper.persistence.database import Database
from storekeeper.services import numbers

# Numbers as JavaScript clients hold them exactly (up to 2^53).
MAX_ID = 2**53


def vendor_id(row: dict[str, Any], key: str = "number") -> int:
    """The id a client sees of a row (`key`: the column holding the row's number)."""
    return row[key]


def core_id(db: Database, workspace_id: str, kind: str, value: int) -> str:
    """The Storekeeper id of the `kind` numbered `value`; NotFound (`#value`) for none."""
    return numbers.id_of(db, workspace_id, kind, value)


def core_ids(db: Database, workspace_id: str, kind: str, values: Iterable[int]) -> dict[int, str]:
    """{number: id} of the live rows of `kind` among these numbers, in one read."""
    return numbers.ids(db, workspace_id, kind, values)


def find(db: Database, workspace_id: str, kind: str, value: int) -> dict[str, Any]:
    """The row numbered `value` as its service's get function returns it; NotFound for none."""
    return numbers.get(db, workspace_id, kind, value)
