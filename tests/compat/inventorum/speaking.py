"""How the inventorum black-box tests speak the vendor's API: the documented answers' keys and
JSON types, the error envelope, and the document's own example requests."""

from __future__ import annotations

from storekeeper.compat.inventorum.ids import ID_TYPE

PREFIX = "/compat/inventorum"
NULL = type(None)
ID = ID_TYPE
# GET /products/ (V6), as the document's list entry shows it.
SUMMARY = {"name": str, "id": ID, "quantity": str, "reorder_level": str, "safety_stock": str, "price": (str, NULL),
           "tax_type": (ID, NULL), "custom_price": bool, "ebay_product_id": NULL, "ebay_url": NULL, "in_shop": bool,
           "shop_url": NULL, "thumbnail": (dict, NULL), "variation_count": int, "is_giftcard": bool,
           "gross_price": (str, NULL), "ean": str, "inv_id": (str, NULL), "reorder_level_reached": bool,
           "safety_stock_reached": bool, "min_gross_price": (str, NULL), "max_gross_price": (str, NULL)}
# GET /products/{id}/ (V10) and every write's answer: the list entry and these.
PRODUCT = {**SUMMARY, "attributes": dict, "variations": list, "average_purchase_price": str, "description": str,
           "product_code": (str, NULL), "categories": list, "images": list, "custom_sale": bool,
           "shipping_services": list, "is_favourite": bool, "brand": str, "supplier": str, "meta": dict,
           "purchase_price": str, "states": list, "attributes_str": str, "package_size_value": (str, NULL),
           "package_size_unit": (str, NULL), "base_price": (str, NULL), "base_size_value": (str, NULL),
           "base_size_unit": (str, NULL)}
VARIATION = {"id": ID, "attributes": dict, "quantity": str, "reorder_level": str, "safety_stock": str, "ean": str,
             "price": (str, NULL), "product_code": (str, NULL), "tax_type": (ID, NULL), "name": str, "images": list,
             "meta": dict, "gross_price": (str, NULL), "purchase_price": str, "average_purchase_price": str,
             "attributes_str": str, "inv_id": NULL, "package_size_value": (str, NULL),
             "package_size_unit": (str, NULL), "base_price": (str, NULL), "base_size_value": (str, NULL),
             "base_size_unit": (str, NULL), "is_giftcard": bool}
MODIFIED = {**{k: v for k, v in SUMMARY.items() if k not in (
    "reorder_level_reached", "safety_stock_reached", "min_gross_price", "max_gross_price")},
    "state": str, "parent": (ID, NULL), "custom_sale": bool, "categories": list, "attributes_str": str,
    "description": str, "product_code": (str, NULL), "attributes": dict, "brand": str, "average_purchase_price": str}
SHOP = {"price": (str, NULL), "gross_price": (str, NULL), "purchase_price": (str, NULL), "average_price": NULL,
        "average_purchase_price": (str, NULL), "is_favourite": bool, "stock": (int, float), "reorder": (int, float),
        "safety": (int, float), "images": list, "tax_rate": (int, float, NULL), "address": str,
        "shipping_services": list, "categories": list, "shop_url": NULL, "ebay_url": NULL, "in_shop": bool, "id": ID,
        "name": str, "description": str, "supplier": str, "brand": str, "product_code": (str, NULL), "gtin": str,
        "ebay_product_id": NULL, "custom_price": bool, "is_giftcard": bool, "attributes": list, "tags": list}


SIZES = ("ipad", "thumb", "image", "ipad_retina", "ebay", "thumb_retina", "original")
# An image as V8 and V10 show it, as V7 shows it, and a product's `thumbnail`.
IMAGE = {"id": ID, "urls": dict, "type": int, "new": bool}
IMAGE_V7 = {**dict.fromkeys(SIZES, str), "new": bool, "id": ID}
THUMBNAIL = IMAGE_V7


def shaped(value: dict, shape: dict) -> bool:
    """`value` has exactly the documented keys, each of its JSON type."""
    assert set(value) == set(shape), (sorted(set(value) - set(shape)), sorted(set(shape) - set(value)))
    for key, kind in shape.items():
        kinds = kind if isinstance(kind, tuple) else (kind,)
        ok = isinstance(value[key], kinds) and (bool in kinds or not isinstance(value[key], bool))
        assert ok, (key, value[key])
    return True


def refusal(r) -> tuple[int, str, dict]:
    body = r.json()
    assert set(body) == {"detail", "error"} and set(body["error"]) == {"description", "fields", "key"}, body
    return r.status_code, body["error"]["key"], body["error"]["fields"]


def pink_tshirt(world, **changes) -> dict:
    """The document's `POST /products/` request for a product without variants (its `images`, ids
    of images the workspace has, given by the tests that have them)."""
    return {"quantity": 200, "reorder_level": 75, "safety_stock": 50, "purchase_price": 10.50,
            "name": "Pink t-shirt", "brand": "Nike", "tax_type": world["tax"],
            "categories": [{"id": world["category"]}], "price": 100,
            "attributes": {"weight": ["1"], "size": ["S"], "color": ["pink"]},
            "product_code": "22222222222222", "ean": "121312121212", "package_size_value": "1",
            "package_size_unit": "pc", **changes}


def create(vendor, body: dict) -> dict:
    r = vendor.post("/api/products/", json=body)
    assert r.status_code == 201, r.text
    return r.json()
