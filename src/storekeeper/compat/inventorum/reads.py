"""What the inventorum routes share: the API version a request asks for, its page, and products
read through the services and put in the vendor's fields (mapping.py). Each read is a fixed
number of service calls, whatever the page holds: the tax rates and categories a page refers
to are read in one query each, a product's variations in one.

No `from __future__ import annotations` here: `paging` builds its dependency's annotations from
its argument, which FastAPI must see evaluated."""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Query

from storekeeper.compat.inventorum import ids, mapping
from storekeeper.domain.errors import ValidationFailed
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import categories, items, tax_rates
from storekeeper.services.items import ItemFilters

VERSIONS = (6, 7, 8, 10)
LATEST = 10
PAGE_SIZE = 40  # the document's default and maximum `limit`
MAX_VARIATIONS = 100


def unsupported_version(given: str) -> ValidationFailed:
    """An `X-Api-Version` this facade does not speak: refused as a bad request (400)."""
    return ValidationFailed({"X-Api-Version": [
        f"Version {given!r} is not supported: use one of {', '.join(map(str, VERSIONS))}."]})


def api_version(x_api_version: Annotated[str | None, Header(
        description="6, 7, 8 or 10 (default 10)")] = None) -> int:
    """The version a request asks for; the latest when it names none (the document's own curl
    examples of the delta endpoints send none)."""
    if x_api_version is None or not x_api_version.strip():
        return LATEST
    try:
        version = int(x_api_version.strip())
    except ValueError:
        raise unsupported_version(x_api_version) from None
    if version not in VERSIONS:
        raise unsupported_version(x_api_version)
    return version


Version = Annotated[int, Depends(api_version)]


@dataclass(frozen=True)
class Paging:
    page: int
    limit: int

    def request(self) -> PageRequest:
        return PageRequest(limit=self.limit, offset=(self.page - 1) * self.limit)


def paging(max_limit: int):
    """`page` (from 1) and `limit` (default 40, at most `max_limit`) as a dependency."""

    def dependency(
        page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number (default 1)")] = 1,
        limit: Annotated[int, Query(ge=1, le=max_limit, description=f"Default 40, at most {max_limit}")] = PAGE_SIZE,
    ) -> Paging:
        return Paging(page, limit)

    return Annotated[Paging, Depends(dependency)]


def references(db: Database, workspace_id: str, rows: list[dict[str, Any]]):
    """The tax rates and categories (with their parents) the rows refer to, by id (three queries)."""
    places = categories.rows_of(db, workspace_id, {c for r in rows for c in r["categories"]})
    parents = categories.rows_of(db, workspace_id, {c["parent_id"] for c in places.values()} - set(places))
    return tax_rates.rows_of(db, workspace_id, {r.get("tax_rate_id") for r in rows}), {**parents, **places}


def resolver(db: Database, workspace_id: str):
    """`resolve(kind, id)` for mapping.item_fields: the Storekeeper id of a body's tax type or
    category (NotFound, refused as an invalid field)."""
    return lambda kind, value: ids.storekeeper_id(db, workspace_id, kind, value)


def variation_rows(db: Database, workspace_id: str, parent: dict[str, Any]) -> list[dict[str, Any]]:
    if not parent["has_variants"]:
        return []
    return items.list_items(db, workspace_id, ItemFilters(parent=parent["id"]),
                            PageRequest(limit=MAX_VARIATIONS, include_total=False)).rows


def page_variations(db: Database, workspace_id: str, rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The variations of a page's products with variations, by product, in one read: what the
    list's `thumbnail` and gross price range take from them."""
    parents = tuple(sorted(r["id"] for r in rows if r["has_variants"]))
    if not parents:
        return {}
    found = items.list_items(db, workspace_id, ItemFilters(parents=parents),
                             PageRequest(limit=MAX_VARIATIONS * len(parents), include_total=False)).rows
    out: dict[str, list[dict[str, Any]]] = {}
    for row in found:
        out.setdefault(row["parent_id"], []).append(row)
    return out


def product(db: Database, workspace_id: str, row: dict[str, Any], version: int = LATEST) -> dict[str, Any]:
    """A product with its variations, as `GET /products/{id}/` answers in `version`."""
    variants = variation_rows(db, workspace_id, row)
    taxes, places = references(db, workspace_id, [row, *variants])
    return mapping.product(row, taxes, places, variants, version)


def find(db: Database, workspace_id: str, product_id: str) -> dict[str, Any]:
    """The live item a path's product id names (ITEM_NOT_FOUND, `product.not_found`)."""
    return items.get_item(db, workspace_id, ids.storekeeper_id(db, workspace_id, "item", product_id))


def page_body(total: int | None, data: list[Any]) -> dict[str, Any]:
    return {"total": total or 0, "data": data}


def order_by(text: str | None, allowed: dict[str, str], name: str = "order_by") -> str | None:
    """The first field of `order_by` (`name,-id`) as a Storekeeper sort; the document lets a
    client name several, Storekeeper lists by one (then by id)."""
    if not text:
        return None
    first = text.split(",")[0].strip()
    sort = allowed.get(first.lstrip("-"))
    if sort is None:
        raise ValidationFailed({name: [f"Sort by one of {', '.join(sorted(allowed))} (- for descending)."]})
    return f"-{sort}" if first.startswith("-") else sort

