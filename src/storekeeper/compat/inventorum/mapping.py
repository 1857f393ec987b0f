"""Storekeeper's items in the inventorum API's fields (seeds 000 + 004), and back: pure
functions, tested on the document's own examples (tests/compat/inventorum/test_mapping.py).

An item row here is what services/items returns (`get_item`, `list_items`), with the tax rate's
value as `tax_rate_value`. Quantities are written as the document writes them, decimal strings
with at least two places (`"150.00"`); a net price exactly, up to 10 places (`"4.2016806723"`);
gross prices computed (price * (1 + rate), half-up to cents).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from storekeeper.compat.inventorum import ids
from storekeeper.compat.inventorum import images as pictures
from storekeeper.domain.errors import ValidationFailed
from storekeeper.domain.pricing import gross_price, join_price, unit_price
from storekeeper.domain.quantities import PRICE_SCALE, format_money

SHOP = "shop"  # the Storekeeper sales channel the document's online shop is
# The document's package units for Storekeeper's unit codes (pc is pcs, m2 is sqm).
PACKAGE_UNITS = {"pcs": "pc", "sqm": "m2"}
LATEST = 10  # the API version an answer takes when the caller names none
FROM_PACKAGE_UNITS = {"pc": "pcs", "m2": "sqm"}
_ZERO = Decimal(0)


def amount(value: Decimal | None) -> str | None:
    """A quantity or amount as the document writes it: at least two places, `"150.00"`."""
    return None if value is None else format_money(value)


def price_text(value: Decimal | None, *, places: int | None = None) -> str | None:
    """A net price exactly (`"4.2016806723"`, `"100"`); with `places`, padded to them, as the
    document writes a variation's price (`"140.0000000000"`)."""
    if value is None:
        return None
    if places is not None:
        return f"{value:.{places}f}"
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))


def net_price(row: dict[str, Any]) -> Decimal | None:
    return join_price(row["price"], row.get("price_rest") or 0)


def attribute_lists(attributes: dict[str, Any]) -> dict[str, list[str]]:
    """Attributes as the document shows them: each a list of text (`{"color": ["pink"]}`), in
    the order the document's examples show them, shorter names first ("size", "color",
    "weight"; PostgreSQL's JSONB order, so that both databases answer alike)."""
    return {name: [str(v) for v in (value if isinstance(value, list) else [value])]
            for name, value in sorted(attributes.items(), key=lambda kv: (len(kv[0]), kv[0]))}


def attributes_str(attributes: dict[str, Any]) -> str:
    """Every attribute value, joined by ", " (`"S, pink, 1"`)."""
    return ", ".join(v for values in attribute_lists(attributes).values() for v in values)


def variant_name(parent_name: str, attributes: dict[str, Any]) -> str:
    """A variation's name: the product's, then its attribute values (`"T-shirt, 22, Red, Denim"`),
    as the document's vendor names them."""
    text = attributes_str(attributes)
    return f"{parent_name}, {text}"[:500] if text else parent_name


def in_shop(row: dict[str, Any]) -> bool:
    return bool((row.get("channels") or {}).get(SHOP, {}).get("published"))


def states(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The publishing state on each channel the item was ever put on."""
    return [{"channel": name, "details": None, "state": "published" if doc.get("published") else "unpublished"}
            for name, doc in sorted((row.get("channels") or {}).items())]


def package(row: dict[str, Any], gross: Decimal | None) -> dict[str, Any]:
    """package_size_* and the base price per kg, l, m, m² or piece (`base_size_value` is 1)."""
    value, unit = row.get("package_size_value"), row.get("package_size_unit")
    if value is None or unit is None:
        return {"package_size_value": None, "package_size_unit": None, "base_price": None,
                "base_size_value": None, "base_size_unit": None}
    per_unit = unit_price(gross, value, unit)
    return {"package_size_value": amount(value), "package_size_unit": PACKAGE_UNITS.get(unit, unit),
            "base_price": amount(per_unit[0]) if per_unit else None,
            "base_size_value": "1" if per_unit else None,
            "base_size_unit": PACKAGE_UNITS.get(per_unit[1], per_unit[1]) if per_unit else None}


def category(row: dict[str, Any], categories: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A category of a product, with what Storekeeper keeps of it (no translations, image or
    channel; `hint` is its name); `categories` by id hold its parent."""
    return {"parent": ids.shown(categories.get(row["parent_id"])) if row.get("parent_id") else None,
            "hint": row["name"], "id": ids.shown(row), "channel": None, "translations": [], "image": None,
            "name": row["name"]}


def _reached(quantity: Decimal, level: Decimal) -> bool:
    return quantity <= level


def summary(row: dict[str, Any], tax_rates: dict[str, dict[str, Any]],
            variant_rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A product as `GET /products/` lists it (the document's V6 list entry). `variant_rows`,
    for a parent: its variations, whose gross prices give min/max_gross_price."""
    price = net_price(row)
    gross = gross_price(price, row.get("tax_rate_value"))
    grosses = [gross_price(net_price(v), v.get("tax_rate_value")) for v in variant_rows or []]
    grosses = [g for g in grosses if g is not None] or ([gross] if gross is not None else [])
    quantity = row["on_hand"]
    return {
        "name": row["name"],
        "id": ids.shown(row),
        "quantity": amount(quantity),
        "reorder_level": amount(row["reorder_point"]),
        "safety_stock": amount(row["safety_stock"]),
        "price": price_text(price),
        "tax_type": ids.shown(tax_rates.get(row["tax_rate_id"])) if row.get("tax_rate_id") else None,
        "custom_price": row["open_price"],
        "ebay_product_id": None,
        "ebay_url": None,
        "in_shop": in_shop(row),
        "shop_url": None,
        "thumbnail": pictures.thumbnail(row, variant_rows or ()),
        "variation_count": row.get("variant_count") or 0,
        "is_giftcard": row["gift_card"],
        "gross_price": amount(gross),
        "ean": row["barcode"] or "",
        "inv_id": row["id"] if not row.get("parent_id") else None,
        "reorder_level_reached": _reached(quantity, row["reorder_point"]),
        "safety_stock_reached": _reached(quantity, row["safety_stock"]),
        "min_gross_price": amount(min(grosses)) if grosses else None,
        "max_gross_price": amount(max(grosses)) if grosses else None,
    }


def product_code(row: dict[str, Any]) -> str | None:
    """The product code a client gave (kept beside the item), else the item's SKU."""
    return (row.get("metadata") or {}).get("product_code") or row["sku"]


def _details(row: dict[str, Any], gross: Decimal | None, categories: dict[str, dict[str, Any]],
             version: int) -> dict[str, Any]:
    return {
        "attributes_str": attributes_str(row["attributes"]),
        "purchase_price": amount(row["unit_cost"]) if row["unit_cost"] is not None else "0",
        "average_purchase_price": price_text(row["average_cost"]) if row["average_cost"] is not None else "0",
        "meta": meta(row, version),
        "images": pictures.images(row, version),
        "product_code": product_code(row),
        "categories": [category(categories[c], categories) for c in row["categories"] if c in categories],
        **package(row, gross),
    }


def variation(row: dict[str, Any], tax_rates: dict[str, dict[str, Any]], version: int = LATEST) -> dict[str, Any]:
    """A product's variation, as `GET /products/{id}/` nests it (V8/V10)."""
    price = net_price(row)
    gross = gross_price(price, row.get("tax_rate_value"))
    out = {
        "id": ids.shown(row),
        "attributes": attribute_lists(row["attributes"]),
        "quantity": amount(row["on_hand"]),
        "reorder_level": amount(row["reorder_point"]),
        "safety_stock": amount(row["safety_stock"]),
        "ean": row["barcode"] or "",
        "price": price_text(price, places=PRICE_SCALE),
        "product_code": product_code(row),
        "tax_type": ids.shown(tax_rates.get(row["tax_rate_id"])) if row.get("tax_rate_id") else None,
        "name": row["name"],
        "gross_price": amount(gross),
        "inv_id": None,
        "is_giftcard": row["gift_card"],
    }
    details = _details(row, gross, {}, version)
    for key in ("images", "meta", "purchase_price", "average_purchase_price", "attributes_str", "package_size_value",
                "package_size_unit", "base_price", "base_size_value", "base_size_unit"):
        out[key] = details[key]
    return out


def product(row: dict[str, Any], tax_rates: dict[str, dict[str, Any]], categories: dict[str, dict[str, Any]],
            variant_rows: list[dict[str, Any]] | None = None, version: int = LATEST) -> dict[str, Any]:
    """A product as `GET /products/{id}/` shows it (V10; `version` shapes its images), and as
    every write answers it."""
    out = summary(row, tax_rates, variant_rows)
    gross = gross_price(net_price(row), row.get("tax_rate_value"))
    out.update({
        "attributes": attribute_lists(row["attributes"]),
        "variations": [variation(v, tax_rates, version) for v in variant_rows or []],
        "description": row["description"] or "",
        "custom_sale": row["ad_hoc"],
        "shipping_services": [],
        "is_favourite": row["favourite"],
        "brand": row["brand"] or "",
        "supplier": row["supplier"] or "",
        "states": states(row),
        **_details(row, gross, categories, version),
    })
    return out


def modified(row: dict[str, Any], tax_rates: dict[str, dict[str, Any]], categories: dict[str, dict[str, Any]],
             parents: dict[str, int], *, verbose: bool, version: int = LATEST,
             variant_rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A product of `GET /products/delta/modified/`: the list entry with its `state` (`created`
    until its catalogue fields change, then `updated`), `parent` and catalogue fields; `verbose`
    adds meta, images, publish_states. `parents`: the shown ids of variations' products;
    `variant_rows` a product's variations (its `thumbnail` may be theirs)."""
    out = summary(row, tax_rates, variant_rows)
    for key in ("reorder_level_reached", "safety_stock_reached", "min_gross_price", "max_gross_price"):
        out.pop(key)
    out.update({
        # Stock changes move updated_at but not the version: a product never edited is "created".
        "state": "created" if row["version"] == 1 else "updated",
        "parent": parents.get(row["parent_id"]) if row.get("parent_id") else None,
        "custom_sale": row["ad_hoc"],
        "categories": [{"id": ids.shown(c), "hint": c["name"], "name": c["name"]}
                       for c in (categories.get(i) for i in row["categories"]) if c],
        "attributes_str": attributes_str(row["attributes"]),
        "description": row["description"] or "",
        "product_code": product_code(row),
        "attributes": attribute_lists(row["attributes"]),
        "brand": row["brand"] or "",
        "average_purchase_price": price_text(row["average_cost"]) if row["average_cost"] is not None else "0",
    })
    if verbose:
        out.update({"meta": meta(row, version), "images": pictures.images(row, version), "publish_states": states(row)})
    return out


def adjustment_date(text: str) -> date:
    """`DD.MM.YYYY`, the document's date of a stock adjustment (`"15.01.2018"`)."""
    day, month, year = text.split(".")
    if len(day) != 2 or len(month) != 2 or len(year) != 4:
        raise ValueError(text)
    return date(int(year), int(month), int(day))


def shop_product(row: dict[str, Any]) -> dict[str, Any]:
    """The answer of publishing and unpublishing (`POST`/`DELETE /products/{id}/shop/`)."""
    price = net_price(row)
    rate = row.get("tax_rate_value")
    return {
        "price": price_text(price, places=PRICE_SCALE) if price is not None else None,
        "gross_price": amount(gross_price(price, rate)),
        "purchase_price": price_text(row["unit_cost"], places=PRICE_SCALE) if row["unit_cost"] is not None else None,
        "average_price": None,
        "average_purchase_price": (price_text(row["average_cost"], places=PRICE_SCALE)
                                   if row["average_cost"] is not None else None),
        "is_favourite": row["favourite"],
        "stock": _number(row["on_hand"]),
        "reorder": _number(row["reorder_point"]),
        "safety": _number(row["safety_stock"]),
        "images": pictures.images(row, LATEST),
        "tax_rate": _number(rate * 100) if rate is not None else None,
        "address": "",
        "shipping_services": [],
        "categories": [],
        "shop_url": None,
        "ebay_url": None,
        "in_shop": in_shop(row),
        "id": ids.shown(row),
        "name": row["name"],
        "description": row["description"] or "",
        "supplier": row["supplier"] or "",
        "brand": row["brand"] or "",
        "product_code": product_code(row),
        "gtin": row["barcode"] or "",
        "ebay_product_id": None,
        "custom_price": row["open_price"],
        "is_giftcard": row["gift_card"],
        "attributes": [],
        "tags": list(row.get("tags") or []),
    }


def _number(value: Decimal) -> int | float:
    """A JSON number as the shop answer writes it: `1`, `19`, or a fraction where there is one."""
    return int(value) if value == value.to_integral_value() else float(value)


def is_zero(value: Decimal | None) -> bool:
    return value is None or value == _ZERO


# The document's product fields and the Storekeeper item fields they are.
_RENAMED = {"name": "name", "reorder_level": "reorder_point", "safety_stock": "safety_stock", "price": "price",
            "purchase_price": "unit_cost", "custom_price": "open_price", "is_giftcard": "gift_card",
            "custom_sale": "ad_hoc", "is_favourite": "favourite", "brand": "brand", "supplier": "supplier",
            "description": "description"}


def item_fields(data: dict[str, Any], resolve: Callable[[str, Any], str],
                metadata: dict[str, str] | None = None, channels: dict[str, Any] | None = None) -> dict[str, Any]:
    """A product body's fields (only those sent) as the item fields of /v1 (`services/items`).
    `resolve(kind, id)`: the Storekeeper id of a tax type or category the body names (ids.py).
    `metadata`: the item's own, which `product_code` is kept in; `channels` its own, which `meta`
    changes (each channel's name, description and price; publishing is left as it was); `images`
    the workspace's images by id. Not here: `quantity` (stock, recorded by the ledger), `variations`."""
    out = {ours: data[theirs] for theirs, ours in _RENAMED.items() if theirs in data}
    if "tax_type" in data:
        out["tax_rate"] = resolve("tax_rate", data["tax_type"])
    if "ean" in data:
        out["barcode"] = data["ean"] or None
    if "attributes" in data:
        out["attributes"] = attribute_lists(data["attributes"])
    if "categories" in data:
        out["categories"] = [resolve("category", chosen["id"]) for chosen in data["categories"] or []]
    if "package_size_value" in data or "package_size_unit" in data:
        value, unit = data.get("package_size_value"), data.get("package_size_unit")
        if (value is None) != (unit is None):
            raise ValidationFailed({"package_size_unit": ["Give package_size_value and package_size_unit together."]})
        out["package_size"] = {"value": value, "unit": FROM_PACKAGE_UNITS.get(unit, unit)} if value else None
    if data.get("images") is not None:
        out["images"] = pictures.item_images(data["images"])
    if data.get("meta") is not None:
        out["channels"] = channels_with(channels or {}, data["meta"])
    if "product_code" in data:
        kept = dict(metadata or {})
        if data["product_code"]:
            kept["product_code"] = data["product_code"]
        else:
            kept.pop("product_code", None)
        out["metadata"] = kept
    return out


def channels_with(channels: dict[str, Any], meta: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    """The item's channels with the overrides `meta` gives per channel: as sent (a `null` field
    clears it), each channel published as it was (a new one unpublished)."""
    # Stored prices are text; the items service takes amounts.
    out = {name: {**doc, **({"price": Decimal(doc["price"])} if doc.get("price") is not None else {})}
           for name, doc in channels.items()}
    for name, overrides in meta.items():
        doc = {"published": bool(out.get(name, {}).get("published"))}
        for key in ("name", "description", "price"):
            value = (overrides or {}).get(key)
            if value not in (None, ""):
                doc[key] = value
        if (overrides or {}).get("images") is not None:
            doc["images"] = pictures.item_images(overrides["images"])
        out[name] = doc
    return out


def meta(row: dict[str, Any], version: int) -> dict[str, Any]:
    """`meta`: per channel, what it shows instead of the product's (`null` where it shows the
    product's own; its images in `version`'s shape); `gross_price` from its price and the
    product's tax rate."""
    out = {}
    for name, doc in sorted((row.get("channels") or {}).items()):
        price = Decimal(doc["price"]) if doc.get("price") is not None else None
        gross = gross_price(price, row.get("tax_rate_value"))
        out[name] = {"channel": None, "description": doc.get("description"), "gross_price": amount(gross),
                     "id": None, "images": pictures.images(doc, version) if doc.get("images") is not None else None,
                     "name": doc.get("name"),
                     "price": price_text(price, places=PRICE_SCALE)}
    return out
