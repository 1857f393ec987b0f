"""The one place where the inventorum API's ids meet Storekeeper's.

The document's ids are integers (`"id": 12544049`, `"tax_type": 4672`). They are to be each row's
per-workspace `number` (issue 21, branch compat-numbers); until that lands, the facade shows and
takes Storekeeper's own ids (`itm_…`, `tax_…`, `cat_…`) as they are, a deviation its docs page
states. Everything else in the dialect goes through these functions, so the switch is made here.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StringConstraints

# What a path or a body names a product, tax type or category with.
Id = Annotated[str, StringConstraints(min_length=1, max_length=40)]
ID_TYPE = str  # the JSON type of an id in answers (int once numbers land)


def shown(row: dict[str, Any] | None) -> Any:
    """The id a row is shown with."""
    return None if row is None else row["id"]


def storekeeper_id(kind: str, value: Any) -> str:
    """The Storekeeper id a facade id stands for (`kind`: item, tax_rate, category)."""
    return str(value)
