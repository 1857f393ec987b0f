"""The one place where the inventorum API's ids meet Storekeeper's.

The document's ids are integers (`"id": 12544049`, `"tax_type": 4672`): here each row's
per-workspace `number` (services/numbers.py), which names one row for good. Rows are shown with
theirs; a number a client sends is found here, one indexed read, as NotFound (`product.not_found`,
`Invalid tax` …) when no live row has it.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from storekeeper.domain.errors import NotFound
from storekeeper.persistence.database import Database
from storekeeper.services import numbers

# What a body names a tax type or category with.
Id = Annotated[int, Field(ge=1, le=2**53)]
ID_TYPE = int  # the JSON type of an id in answers


def shown(row: dict[str, Any] | None) -> int | None:
    """The id a row is shown with."""
    return None if row is None else row["number"]


def storekeeper_id(db: Database, workspace_id: str, kind: str, value: int | str) -> str:
    """The Storekeeper id of the live row a facade id names (`kind`: item, tax_rate, category).
    A path's id is text: anything but a number names no row."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= 2**53:
        raise NotFound(kind, text)
    return numbers.id_of(db, workspace_id, kind, int(text))


def numbers_of(db: Database, workspace_id: str, kind: str, row_ids) -> dict[str, int]:
    """{Storekeeper id: shown id} of rows a page refers to by id (a variation's parent)."""
    return numbers.numbers_of(db, workspace_id, kind, row_ids)
