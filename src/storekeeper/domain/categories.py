"""The categories an item is in (issue 21, "several categories per product").

An item is in any number of categories, in an order the merchant chooses; the first is its
`category`, the one the valuation report and the exports' `category` column sum it under (as
Square's `reporting_category` among an item's `categories`). A client that knows only `category`
keeps working: sending `category` alone replaces the first category and keeps the others;
`category: null` takes the item out of every category.
"""

from __future__ import annotations

from collections.abc import Sequence

from storekeeper.domain.errors import ValidationFailed

MAX_CATEGORIES = 50


def after_write(previous: Sequence[str], sent: dict[str, object]) -> list[str]:
    """An item's categories after a write whose columns are `sent` (its `category_id` and its
    `categories`, each only if the write gives it), over the `previous` ones. Refused: a
    `category` that is not the first of the `categories` sent with it, more than 50."""
    has_one, has_list = "category_id" in sent, "categories" in sent
    if not has_one and not has_list:
        return list(previous)
    if has_list:
        chosen = list(dict.fromkeys(sent["categories"] or []))  # type: ignore[arg-type]
        if has_one and sent["category_id"] != (chosen[0] if chosen else None):
            raise ValidationFailed({"category": ["The category must be the first of the item's categories."]})
    elif sent["category_id"] is None:
        chosen = []
    else:
        first = str(sent["category_id"])
        chosen = [first, *(c for c in previous[1:] if c != first)]
    if len(chosen) > MAX_CATEGORIES:
        raise ValidationFailed({"categories": [f"An item is in at most {MAX_CATEGORIES} categories."]})
    return chosen


def settle(values: dict[str, object], previous: Sequence[str] = ()) -> dict[str, object]:
    """`values` (columns of a write) with `categories` and `category_id` agreeing, when the
    write names either of them; untouched otherwise."""
    if "category_id" not in values and "categories" not in values:
        return values
    chosen = after_write(previous, values)
    return {**values, "categories": chosen, "category_id": chosen[0] if chosen else None}
