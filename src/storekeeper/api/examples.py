"""Examples in /openapi.json: a request body and a success response for every operation, so that
/docs can be read on its own.

One small business throughout, Northwick Candle Co. (soy candles made from wax and wicks in its
workshop, logo t-shirts in three sizes, a warehouse, a shop), so an id or a SKU in one example is
the same thing in every other. Ids are prefixed ULIDs (domain/ids.py) whose time part is the
resource's `created_at`. Responses are shaped as the API renders them: quantities are JSON
numbers, money is a string with two to six decimals, timestamps are UTC to the millisecond.
Requests send quantities and money as strings, which the API reads exactly.

`install` puts the examples into the document when FastAPI first builds it; the routers and
schemas stay free of them. tests/api/test_openapi_examples.py checks that every operation has
its examples and that each one is valid against its own schema.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

# --- Ids ---------------------------------------------------------------------------------------

WORKSPACE = "ws_01M45JYJR4M1GCP0ANWDFP7ZXR"
ADMIN_KEY = "key_01M45JYJR6SSHJ5TPDEHH500K6"
SYNC_KEY = "key_01M4RG670C9NH8EZ2TQ2NCVAFY"
MAYA = "usr_01M4RG1R0HFHRRKSCQG9BSXK09"
MAIN = "loc_01M45KKZDP968FS063FV2231Q1"
SHOP = "loc_01M45KP97DBTGN109V2BHYJ97B"
WORKSHOP = "loc_01M45KREQ2R8N8PRXXE2N46JT6"
CANDLES = "cat_01M45MSVMHWDHE5MJ3RR15FQF0"
VAT = "tax_01M45MZSK129MJ0RBNS40BQJC3"
WAX = "itm_01M48B5WNS1SZ8320G3R3HVK96"
WICK = "itm_01M48B8T8W7X4WHYWF2MXC2DEC"
CANDLE = "itm_01M48BMXKMCRHRW5CR9BKED36W"
TEE = "itm_01M4DX5N1P4YR222589527FN0N"
TEE_S = "itm_01M4DX5N1P4YR222589527FN0P"
TEE_M = "itm_01M4DX5N1P4YR222589527FN0Q"
TEE_L = "itm_01M4DXA46B1N37YTZJ2DZYV4ZP"
XMAS = "itm_01K7H75N86ARTCW5YMHRYSCETT"
HOOK = "whk_01M5CPZCTPAT50BSQFH5T9PKZ2"
SAMPLE = "rsn_01M5HF6N2RK2393JFTMV8MQJF2"
PO = "po_01M7HSBQNS79AMKM869KD7Q1QV"
PO_WAX = "pol_01M7HSBQNS79AMKM869KD7Q1QW"
PO_WICK = "pol_01M7HSBQNS79AMKM869KD7Q1QX"
PO2 = "po_01M7HTK15KY9CRYFTRCWHCGR3A"
PO2_WAX = "pol_01M7HTK15KY9CRYFTRCWHCGR3B"
TRANSFER = "trf_01M7T6WZY6AF8MFBPH3XETNR1C"
RES = "res_01M7W9XXKD2QW66K05QEBMB9VK"
RES2 = "res_01M7WCJSV7WC0QCPNGE2S4S1Q0"
MO = "prd_01M869474Y5XFXKQER7FRCNET2"
MO_LINE = "prl_01M869474Y5XFXKQER7FRCNET3"
BATCH = "bat_01M898CJ7N4SQK9JE8YNMCW5WX"
SNAPSHOT = "snap_01M8PSH4EWF8NJ4YQP0KQF3BH5"

ADMIN_ACTOR = {"type": "api_key", "id": ADMIN_KEY, "name": "admin"}
# The Shopify sync key belongs to Maya, so what it changes is recorded as hers.
SYNC_ACTOR = {"type": "user", "id": MAYA, "name": "maya@northwick.example"}


def _page(*rows: Any, limit: int = 50, total: int | None = None, next_cursor: str | None = None) -> dict[str, Any]:
    meta = {"limit": limit, "has_more": next_cursor is not None, "next_cursor": next_cursor,
            "total": len(rows) if total is None else total}
    return {"data": list(rows), "meta": meta}


# --- Workspace, keys and users -----------------------------------------------------------------

RATE_LIMIT = {"per_second": 20, "burst": 40, "per_minute": None, "per_day": None}
WORKSPACE_READ = {
    "id": WORKSPACE, "name": "Northwick Candle Co.", "currency": "GBP",
    "settings": {"allow_negative_stock": False, "trash_retention_days": 30, "auto_snapshot": "daily",
                 "event_retention_days": 30, "decimal_mark": "auto", "rate_limit": RATE_LIMIT},
    "version": 2, "created_at": "2026-10-05T08:30:11.204Z", "updated_at": "2026-10-05T08:36:40.127Z",
}
ADMIN_KEY_READ = {
    "id": ADMIN_KEY, "name": "admin", "prefix": "sk_Y34PmjMv", "scopes": ["*"], "user": None, "status": "active",
    "expires_at": None, "revoked_at": None, "created_at": "2026-10-05T08:30:11.206Z",
}
SYNC_KEY_READ = {
    "id": SYNC_KEY, "name": "Shopify sync", "prefix": "sk_U735zFIV",
    "scopes": ["items:read", "stock:write", "orders:write"], "user": MAYA, "status": "active", "expires_at": None,
    "revoked_at": None, "created_at": "2026-10-12T16:47:29.804Z",
}
MAYA_READ = {
    "id": MAYA, "email": "maya@northwick.example", "name": "Maya Lindqvist", "role": "member", "version": 1,
    "created_at": "2026-10-12T16:45:03.377Z", "updated_at": "2026-10-12T16:45:03.377Z",
}
UNITS = {"data": [
    {"code": "pcs", "name": "pieces", "dimension": "count", "base_unit": "pcs", "factor": 1,
     "aliases": ["pieces", "piece", "pc", "ea", "each", "unit", "units", "count.pcs"]},
    {"code": "g", "name": "gram", "dimension": "mass", "base_unit": "g", "factor": 1,
     "aliases": ["gram", "grams", "weight.g", "weight.grams"]},
    {"code": "kg", "name": "kilogram", "dimension": "mass", "base_unit": "g", "factor": 1000,
     "aliases": ["kilogram", "kilograms", "kilo", "kilos", "weight.kg"]},
    {"code": "ml", "name": "millilitre", "dimension": "volume", "base_unit": "ml", "factor": 1,
     "aliases": ["milliliter", "milliliters", "millilitre", "volume.ml"]},
    {"code": "case", "name": "case", "dimension": "count", "base_unit": "pcs", "factor": None, "aliases": ["cases"]},
]}

# --- Locations, categories, tax rates, reasons -------------------------------------------------


def _location(id_: str, name: str, type_: str, created_at: str, **fields: Any) -> dict[str, Any]:
    return {"id": id_, "name": name, "type": type_, "read_only": False, "marketplace": None, "fulfilment": None,
            "address": None,
            "is_default": False, "is_active": True, "hide_materials": False, "version": 1,
            "created_at": created_at, "updated_at": created_at, **fields}


MAIN_READ = _location(MAIN, "Main warehouse", "warehouse", "2026-10-05T08:41:52.310Z", is_default=True, address={
    "line1": "Unit 4, Mill Lane", "line2": None, "city": "Leeds", "region": None, "postal_code": "LS9 8AB",
    "country": "GB"})
SHOP_READ = _location(SHOP, "Market Street shop", "store", "2026-10-05T08:43:07.885Z")
WORKSHOP_READ = _location(WORKSHOP, "Workshop", "production", "2026-10-05T08:44:19.042Z")
SHOP_UPDATED = {**SHOP_READ, "version": 2, "updated_at": "2026-10-09T11:20:45.318Z", "address": {
    "line1": "12 Market Street", "line2": None, "city": "York", "region": None, "postal_code": "YO1 8SL",
    "country": "GB"}}

CANDLES_READ = {"id": CANDLES, "number": 1, "name": "Candles", "parent": None, "version": 1,
                "created_at": "2026-10-05T09:02:33.617Z", "updated_at": "2026-10-05T09:02:33.617Z"}
VAT_READ = {"id": VAT, "number": 1, "name": "Standard VAT", "rate": "0.2", "is_default": True, "version": 1,
            "created_at": "2026-10-05T09:05:48.129Z", "updated_at": "2026-10-05T09:05:48.129Z"}


def _reason(code: str, name: str, direction: str, system: bool = False) -> dict[str, Any]:
    return {"id": None, "number": None, "code": code, "name": name, "direction": direction, "builtin": True,
            "system": system, "version": None}


SAMPLE_READ = {"id": SAMPLE, "number": 1, "code": "market_sample", "name": "Market sample", "direction": "out",
               "builtin": False, "system": False, "version": 1}
REASONS = _page(
    _reason("receipt", "Receipt", "in"), _reason("return", "Return", "in"), _reason("initial", "Initial stock", "in"),
    _reason("count", "Stock count", "any"), _reason("correction", "Correction", "any"),
    _reason("loss", "Loss", "out"), _reason("damage", "Damage", "out"), _reason("theft", "Theft", "out"),
    _reason("sale", "Sale", "out"), _reason("transfer_out", "Transfer out", "out", system=True),
    _reason("transfer_in", "Transfer in", "in", system=True),
    _reason("production_consumption", "Production consumption", "out", system=True),
    _reason("production_output", "Production output", "in", system=True),
    _reason("production_reversal", "Production reversal", "any", system=True),
    _reason("snapshot_restore", "Snapshot restore", "any", system=True),
    SAMPLE_READ,
)

# --- Items -------------------------------------------------------------------------------------


def _item(id_: str, number: int, sku: str, name: str, created_at: str, **fields: Any) -> dict[str, Any]:
    """An ItemRead with the defaults of a new item (the workspace's default tax rate included)."""
    return {
        "id": id_, "number": number, "sku": sku, "name": name, "description": None, "kind": "product",
        "tracking": "quantity", "unit": "pcs", "barcode": None, "brand": None, "supplier": None, "category": None,
        "categories": [], "home_location": None, "tags": [], "attributes": {}, "parent": None, "has_variants": False,
        "variant_count": 0, "gift_card": False, "favourite": False, "open_price": False, "ad_hoc": False,
        "reorder_point": 0,
        "safety_stock": 0, "reorder_quantity": 0, "reorder_urls": [], "unit_cost": None, "average_cost": None,
        "price": None, "tax_rate": VAT, "gross_price": None, "retail_price": None, "wholesale_price": None,
        "package_size": None, "base_price": None, "base_price_unit": None, "images": [], "channels": {},
        "on_hand": 0, "reserved": 0, "available": 0, "incoming": 0, "status": "out_of_stock", "metadata": {},
        "version": 1, "created_at": created_at, "updated_at": created_at, "deleted_at": None, **fields,
    }


CANDLE_CREATE = {
    "sku": "CNDL-LAV-200", "name": "Lavender soy candle 200 g",
    "description": "Hand-poured soy wax candle with lavender essential oil.", "unit": "pcs",
    "barcode": "5060123450017", "brand": "Northwick", "category": CANDLES, "tags": ["candle", "lavender"],
    "attributes": {"scent": "lavender", "burn_hours": 40}, "reorder_point": "20", "safety_stock": "5",
    "reorder_quantity": "60", "unit_cost": "3.10", "price": "18.00", "tax_rate": VAT,
    "home_location": "Main warehouse", "package_size": {"value": "200", "unit": "g"},
    "images": [{"url": "https://cdn.northwick.example/candles/lavender-200.jpg",
                "alt": "Lavender candle in amber jar"}],
    "initial_stock": [{"quantity": "48", "unit_cost": "3.10"}],  # at its home location
}
CANDLE_CREATED = _item(
    CANDLE, 4, "CNDL-LAV-200", "Lavender soy candle 200 g", "2026-10-06T10:20:17.908Z",
    description=CANDLE_CREATE["description"], barcode="5060123450017", brand="Northwick", category=CANDLES,
    categories=[CANDLES], home_location=MAIN,
    tags=["candle", "lavender"], attributes={"scent": "lavender", "burn_hours": 40}, reorder_point=20,
    safety_stock=5, reorder_quantity=60, unit_cost="3.10", average_cost="3.10", price="18.00",
    gross_price="21.60", package_size={"value": 200, "unit": "g"}, base_price="108.00", base_price_unit="kg",
    images=[{"id": 1, **CANDLE_CREATE["images"][0]}], on_hand=48, available=48, status="normal",
)
SHOPIFY = {"published": True, "name": "Lavender Soy Candle", "price": "19.50", "description": None}
# The candle today: repriced, listed on Shopify, its stock spread over three locations.
CANDLE_READ = {
    **CANDLE_CREATED, "reorder_point": 24, "price": "19.00", "gross_price": "22.80", "base_price": "114.00",
    "average_cost": "2.64", "channels": {"shopify": SHOPIFY}, "on_hand": 55, "reserved": 2, "available": 53,
    "version": 5, "updated_at": "2026-11-18T14:26:09.082Z",
}
CANDLE_COMPONENTS = [
    {"item": WAX, "sku": "WAX-SOY-KG", "name": "Soy wax flakes", "quantity": 0.2, "unit": "kg",
     "component_unit": "kg", "quantity_in_component_unit": 0.2, "deleted": False},
    {"item": WICK, "sku": "WICK-CD10", "name": "Cotton wick CD-10", "quantity": 1, "unit": "pcs",
     "component_unit": "pcs", "quantity_in_component_unit": 1, "deleted": False},
]
# Its last stock change, the shop top-up, moved its updated_at (not its version).
CANDLE_TOPPED_UP_AT = "2026-11-19T15:30:44.806Z"
CANDLE_DETAIL = {
    **CANDLE_READ, "updated_at": CANDLE_TOPPED_UP_AT,
    "locations": [
        {"location": MAIN, "name": "Main warehouse", "type": "warehouse", "on_hand": 31, "reserved": 2,
         "available": 29, "status": "normal"},
        {"location": SHOP, "name": "Market Street shop", "type": "store", "on_hand": 12, "reserved": 0,
         "available": 12, "status": "low"},
        {"location": WORKSHOP, "name": "Workshop", "type": "production", "on_hand": 12, "reserved": 0,
         "available": 12, "status": "low"},
    ],
    "components": CANDLE_COMPONENTS,
}
WAX_READ = _item(
    WAX, 2, "WAX-SOY-KG", "Soy wax flakes", "2026-10-06T10:12:05.433Z", kind="material", unit="kg", supplier="Kerax",
    reorder_point=25, reorder_quantity=100, unit_cost="4.80", average_cost="4.70", on_hand=143.1, available=143.1,
    incoming=40, status="normal", reorder_urls=["https://kerax.example/products/soy-wax-flakes"],
    version=2, updated_at="2026-11-23T10:41:18.902Z",
)


def _tee(id_: str, number: int, size: str, created_at: str, **fields: Any) -> dict[str, Any]:
    return _item(id_, number, f"TEE-LOGO-{size}", f"Logo t-shirt {size}", created_at, parent=TEE,
                 attributes={"size": size}, reorder_point=5, safety_stock=2, reorder_quantity=20, unit_cost="6.40",
                 average_cost="6.40", price="24.00", gross_price="28.80", **fields)


TEE_S_READ = _tee(TEE_S, 6, "S", "2026-10-08T14:02:44.150Z", on_hand=3, available=3, status="low")
TEE_M_READ = _tee(TEE_M, 7, "M", "2026-10-08T14:02:44.150Z", on_hand=14, available=14, status="normal")
TEE_L_READ = _tee(TEE_L, 8, "L", "2026-10-08T14:05:10.731Z")
XMAS_LISTED = _item(XMAS, 1, "CNDL-XMAS-23", "Christmas spice candle 2023", "2025-10-14T11:20:00.518Z",
                      category=CANDLES, price="16.00", gross_price="19.20", version=4,
                      updated_at="2026-11-30T09:14:22.650Z")
XMAS_RESTORED = {**XMAS_LISTED, "locations": [], "components": []}

# --- Stock -------------------------------------------------------------------------------------


def _movement(id_: str, item: str, sku: str, location: str, reason: str, delta: float, before: float,
              at: str, sequence: int, **fields: Any) -> dict[str, Any]:
    return {"id": id_, "item": item, "sku": sku, "location": location, "reason": reason, "delta": delta,
            "before": before, "after": round(before + delta, 6), "unit_cost": None, "note": None, "reference": None,
            "transfer": None, "bundle": None, "batch": None, "label": None, "actor": ADMIN_ACTOR, "occurred_at": at,
            "created_at": at, "sequence": sequence, **fields}


def _level(item: str, location: str, on_hand: float, reserved: float = 0, status: str = "normal") -> dict[str, Any]:
    return {"item": item, "location": location, "on_hand": on_hand, "reserved": reserved,
            "available": round(on_hand - reserved, 6), "status": status}


ORDER_1042 = {"type": "order", "id": "#1042"}
SALE = _movement("mov_01M7Q1TTBZ6E6VR8QW58TWB41S", CANDLE, "CNDL-LAV-200", MAIN, "sale", -2, 49,
                 "2026-11-18T10:04:27.391Z", 214, reference=ORDER_1042, actor=SYNC_ACTOR)
WAX_RECEIPT = _movement("mov_01M7M95QZ6Z8T61SJB5W5GMATC", WAX, "WAX-SOY-KG", MAIN, "receipt", 50, 35.5,
                        "2026-11-17T08:15:02.118Z", 212, unit_cost="4.80", label="supplier_receipt")
WICK_COUNT = _movement("mov_01M7M95QZ6Z8T61SJB5W5GMATD", WICK, "WICK-CD10", MAIN, "count", 6, 1194,
                       "2026-11-17T08:15:02.118Z", 213)
_TRANSFER_FIELDS = {"note": "Weekly shop top-up", "transfer": TRANSFER}
TRANSFER_OUT = _movement("mov_01M7T6WZY6AF8MFBPH3XETNR1D", CANDLE, "CNDL-LAV-200", MAIN, "transfer_out", -12, 47,
                         "2026-11-19T15:30:44.806Z", 216, **_TRANSFER_FIELDS)
TRANSFER_IN = _movement("mov_01M7T6WZY6AF8MFBPH3XETNR1E", CANDLE, "CNDL-LAV-200", SHOP, "transfer_in", 12, 0,
                        "2026-11-19T15:30:44.806Z", 217, **_TRANSFER_FIELDS)
MOVEMENTS_PAGE = _page(TRANSFER_IN, TRANSFER_OUT, limit=2, total=240,
                       next_cursor="WyItc2VxdWVuY2UiLDIxNiwibW92XzAxTTdUNldaWTZBRjhNRkJQSDNYRVROUjFEIl0")


def _adjusted(movement: dict[str, Any], level: dict[str, Any]) -> dict[str, Any]:
    return {"movement": movement, "movements": [movement], "level": level}


TEE_SALE = _movement("mov_01M7Q2B644CHNVD1CEKB3HQT68", TEE_M, "TEE-LOGO-M", SHOP, "sale", -2, 16,
                     "2026-11-18T10:13:23.716Z", 215, actor=SYNC_ACTOR, reference={"type": "order", "id": "#1044"})
BULK_PARTIAL = {"atomic": False, "results": [
    {"index": 0, "ok": True, **_adjusted(TEE_SALE, _level(TEE_M, SHOP, 14))},
    {"index": 1, "ok": False, "error": {"index": 1, "code": "NEGATIVE_QUANTITY",
                                        "message": "TEE-LOGO-S has 3 on hand at this location; 5 more cannot go out."}},
    {"index": 2, "ok": False, "error": {"index": 2, "code": "ITEM_NOT_FOUND",
                                        "message": "No item 'TEE-LOGO-XL' exists."}},
]}


def _stock_location(location: dict[str, Any], on_hand: float, reserved: float, status: str) -> dict[str, Any]:
    return {"location": location["id"], "name": location["name"], "type": location["type"], "on_hand": on_hand,
            "reserved": reserved, "available": round(on_hand - reserved, 6), "status": status}


CANDLE_STOCK = {
    "item": CANDLE, "sku": "CNDL-LAV-200", "name": "Lavender soy candle 200 g", "unit": "pcs", "on_hand": 55,
    "reserved": 2, "available": 53, "incoming": 0, "safety_stock": 5, "reorder_point": 24, "status": "normal",
    "locations": [_stock_location(MAIN_READ, 31, 2, "normal"), _stock_location(SHOP_READ, 12, 0, "low"),
                  _stock_location(WORKSHOP_READ, 12, 0, "low")], "updated_at": CANDLE_TOPPED_UP_AT,
}
XMAS_STOCK = {
    "item": XMAS, "sku": "CNDL-XMAS-23", "name": "Christmas spice candle 2023", "unit": "pcs", "on_hand": 0,
    "reserved": 0, "available": 0, "incoming": 0, "safety_stock": 0, "reorder_point": 0, "status": "out_of_stock",
    "locations": [], "updated_at": XMAS_LISTED["updated_at"],
}

# --- Reservations ------------------------------------------------------------------------------

ORDER_1043 = {"type": "order", "id": "#1043"}
RES_READ = {
    "id": RES, "item": CANDLE, "sku": "CNDL-LAV-200", "location": MAIN, "quantity": 4, "fulfilled_quantity": 0,
    "remaining": 4, "status": "active", "parent": None, "reference": ORDER_1043,
    "expires_at": "2026-11-27T11:02:09.000Z", "version": 1,
    "created_at": "2026-11-20T11:02:09.773Z", "updated_at": "2026-11-20T11:02:09.773Z",
}
FULFIL_SALE = _movement("mov_01M7YP2M2RCTKVDWPGCDT9RJ6C", CANDLE, "CNDL-LAV-200", MAIN, "sale", -4, 35,
                        "2026-11-21T09:12:55.640Z", 219, reference=ORDER_1043, actor=SYNC_ACTOR)
RES_RELEASED = {
    **RES_READ, "id": RES2, "quantity": 2, "remaining": 0, "status": "released", "reference": None,
    "expires_at": None, "version": 2, "created_at": "2026-11-20T11:48:31.207Z",
    "updated_at": "2026-11-20T16:05:12.934Z",
}

# --- Purchase orders ---------------------------------------------------------------------------


def _po_line(id_: str, item: str, sku: str, name: str, unit: str, quantity: float, received: float,
             unit_cost: str) -> dict[str, Any]:
    return {"id": id_, "item": item, "sku": sku, "name": name, "unit": unit, "quantity": quantity,
            "received_quantity": received, "remaining": quantity - received, "unit_cost": unit_cost}


PO_DRAFT = {
    "id": PO, "number": "PO-000014", "supplier": "Kerax", "location": MAIN, "status": "draft",
    "expected_at": "2026-11-23T00:00:00.000Z", "notes": "Deliver to goods-in door",
    "lines": [_po_line(PO_WAX, WAX, "WAX-SOY-KG", "Soy wax flakes", "kg", 100, 0, "4.65"),
              _po_line(PO_WICK, WICK, "WICK-CD10", "Cotton wick CD-10", "pcs", 2000, 0, "0.05")],
    "total_cost": "565.00", "ordered_at": None, "received_at": None, "cancelled_at": None, "version": 1,
    "created_at": "2026-11-16T09:00:12.345Z", "updated_at": "2026-11-16T09:00:12.345Z",
}
PO_UPDATED = {**PO_DRAFT, "notes": "Deliver to goods-in door; call ahead", "version": 2,
              "updated_at": "2026-11-16T09:03:58.201Z"}
PO_ORDERED = {**PO_UPDATED, "status": "ordered", "ordered_at": "2026-11-16T09:05:37.448Z", "version": 3,
              "updated_at": "2026-11-16T09:05:37.448Z"}
PO_PARTIAL = {
    **PO_ORDERED, "status": "partially_received", "version": 4, "updated_at": "2026-11-23T10:41:18.902Z",
    "lines": [_po_line(PO_WAX, WAX, "WAX-SOY-KG", "Soy wax flakes", "kg", 100, 60, "4.65"), PO_DRAFT["lines"][1]],
}
PO_RECEIPT = _movement("mov_01M83ZXX1P61CS0J8YGGC0K9WT", WAX, "WAX-SOY-KG", MAIN, "receipt", 60, 85.5,
                       "2026-11-23T10:41:18.902Z", 224, unit_cost="4.65",
                       reference={"type": "purchase_order", "id": PO})
PO_CANCELLED = {
    "id": PO2, "number": "PO-000015", "supplier": "Kerax", "location": MAIN, "status": "cancelled",
    "expected_at": None, "notes": None,
    "lines": [{**_po_line(PO2_WAX, WAX, "WAX-SOY-KG", "Soy wax flakes", "kg", 50, 0, "4.80"), "remaining": 0}],
    "total_cost": "240.00", "ordered_at": None, "received_at": None, "cancelled_at": "2026-11-16T09:24:02.776Z",
    "version": 2, "created_at": "2026-11-16T09:21:40.019Z", "updated_at": "2026-11-16T09:24:02.776Z",
}

# --- Production --------------------------------------------------------------------------------

POUR = {"type": "production_order", "id": MO}
_BATCH_FIELDS = {"note": "Morning pour", "reference": POUR, "batch": BATCH}
_POURED_AT = "2026-11-25T11:45:20.117Z"
BATCH_MOVEMENTS = [
    _movement("mov_01M898CJ7N4SQK9JE8YNMCW5WY", WAX, "WAX-SOY-KG", WORKSHOP, "production_consumption", -2.4, 10,
              _POURED_AT, 231, **_BATCH_FIELDS),
    _movement("mov_01M898CJ7N4SQK9JE8YNMCW5WZ", WICK, "WICK-CD10", WORKSHOP, "production_consumption", -12, 50,
              _POURED_AT, 232, **_BATCH_FIELDS),
    _movement("mov_01M898CJ7N4SQK9JE8YNMCW5X0", CANDLE, "CNDL-LAV-200", WORKSHOP, "production_output", 12, 0,
              _POURED_AT, 233, unit_cost="1.00", **_BATCH_FIELDS),
]
BATCH_READ = {
    "id": BATCH, "number": 9, "order": MO, "line": MO_LINE, "item": CANDLE, "location": WORKSHOP, "quantity": 12,
    "unit_cost": "1.00", "total_cost": "12.00", "created_at": _POURED_AT, "reversed_at": None,
    "movements": BATCH_MOVEMENTS,
}


def _production_order(status: str, notes: str | None, produced: float, version: int, updated_at: str,
                      batches: list[dict[str, Any]]) -> dict[str, Any]:
    line = {"id": MO_LINE, "number": 5, "item": CANDLE, "sku": "CNDL-LAV-200", "name": "Lavender soy candle 200 g",
            "unit": "pcs", "quantity": 24, "produced_quantity": produced, "completed": False, "batches": batches}
    return {"id": MO, "number": 3, "name": "Lavender pour", "status": status, "location": WORKSHOP, "assignee": MAYA,
            "assignee_email": "maya@northwick.example", "due": "2026-11-27T17:00:00.000Z", "notes": notes,
            "position": 3, "lines": [line], "version": version, "created_at": "2026-11-24T08:00:31.902Z",
            "updated_at": updated_at, "completed_at": None}


MO_CREATED = _production_order("pending", None, 0, 1, "2026-11-24T08:00:31.902Z", [])
MO_STARTED = _production_order("in_progress", "Cure 48 h before labelling", 0, 2, "2026-11-25T08:12:40.530Z", [])
MO_READ = _production_order("in_progress", "Cure 48 h before labelling", 12, 3, _POURED_AT, [
    {"id": BATCH, "number": 9, "quantity": 12, "unit_cost": "1.00", "created_at": _POURED_AT}])

# --- Events, audit and webhooks ----------------------------------------------------------------

CANDLE_REF = {"id": CANDLE, "number": 4, "sku": "CNDL-LAV-200", "name": "Lavender soy candle 200 g", "kind": "product",
              "tracking": "quantity", "unit": "pcs", "parent": None}
EVENTS = {
    "data": [
        {"id": "evt_01M7Q1TTC32NPJ009N1MFQE9NS", "sequence": 1187, "type": "stock.changed", "resource_type": "item",
         "resource_id": CANDLE, "data": {"movement": SALE}, "request_id": "req_01M7Q1TTBMK30CGWFBNJ8EEXCY",
         "created_at": "2026-11-18T10:04:27.395Z"},
        {"id": "evt_01M7QGT01T8PCBAK7C07WZ3GH6", "sequence": 1190, "type": "item.updated", "resource_type": "item",
         "resource_id": CANDLE,
         "data": {"item": CANDLE_REF, "changes": {"price": [18, 19], "reorder_point": [20, 24]}},
         "request_id": "req_01M7QGT01FDYHPH7F2XC2ABD3M", "created_at": "2026-11-18T14:26:09.082Z"},
    ],
    "meta": {"limit": 2, "has_more": True, "next_after": 1190, "oldest_sequence": 412},
}
AUDIT_LOG = _page(
    {"id": "aud_01M8BMN42C754FPJ048DN71M2K", "action": "webhook.updated", "resource_type": "webhook",
     "resource_id": HOOK, "actor": ADMIN_ACTOR,
     "changes": {"events": [["stock.changed", "item.*"], ["stock.changed"]]},
     "request_id": "req_01M8BMN423KQ0T4C4B3YDC5XT4", "ip": "203.0.113.24", "created_at": "2026-11-26T09:58:12.300Z"},
    {"id": "aud_01M7QGT01TNS5XWPMJGKF42Y89", "action": "item.updated", "resource_type": "item", "resource_id": CANDLE,
     "actor": ADMIN_ACTOR, "changes": {"price": [18, 19], "reorder_point": [20, 24]},
     "request_id": "req_01M7QGT01FDYHPH7F2XC2ABD3M", "ip": "203.0.113.24", "created_at": "2026-11-18T14:26:09.082Z"},
    limit=2, total=1433,
    next_cursor="WyItY3JlYXRlZF9hdCIseyJ0IjoiMjAyNi0xMS0xOFQxNDoyNjowOS4wODIwMDArMDA6MDAifSwiYXVkXzAxTTdRR1QwMVROUzVYV1BNSkdLRjQyWTg5Il0",
)
HOOK_CREATE = {"url": "https://shop.northwick.example/hooks/storekeeper", "events": ["stock.changed", "item.*"],
               "description": "Storefront stock sync"}
HOOK_READ = {
    "id": HOOK, **HOOK_CREATE, "is_active": True, "disabled_reason": None, "delivered_sequence": 1298,
    "failing_since": None, "next_attempt_at": None, "secret": None, "version": 1,
    "created_at": "2026-10-20T13:10:55.062Z", "updated_at": "2026-10-20T13:10:55.062Z",
}
HOOK_CREATED = {**HOOK_READ, "delivered_sequence": 412, "secret": "whsec_50TI6dQKqU56cECA0YgxcOrezM6jVdwfhm6FlTEoJ5Y"}
HOOK_UPDATED = {**HOOK_READ, "events": ["stock.changed"], "version": 2, "updated_at": "2026-11-26T09:58:12.300Z"}
DELIVERIES = _page(
    {"id": "dlv_01M7Q1TV2J5E5N8KWN93M22A6B", "event_id": "evt_01M7Q1TTC32NPJ009N1MFQE9NS",
     "event_type": "stock.changed", "sequence": 1187, "attempt": 1, "status": "succeeded", "response_status": 200,
     "error": None, "duration_ms": 84, "created_at": "2026-11-18T10:04:28.114Z"},
)

# --- Snapshots and reports ---------------------------------------------------------------------

SNAPSHOT_READ = {"id": SNAPSHOT, "note": "Before stocktake", "automatic": False, "sequence": 238, "level_count": 7,
                 "created_by": "admin", "restored_at": None, "created_at": "2026-11-30T17:55:03.260Z"}


def _snapshot_level(item: str, sku: str, location: dict[str, Any], on_hand: float, reserved: float = 0):
    return {"item": item, "sku": sku, "location": location["id"], "location_name": location["name"],
            "on_hand": on_hand, "reserved": reserved}


SNAPSHOT_WITH_LEVELS = {**SNAPSHOT_READ, "levels": [
    _snapshot_level(CANDLE, "CNDL-LAV-200", MAIN_READ, 31, 2),
    _snapshot_level(CANDLE, "CNDL-LAV-200", SHOP_READ, 12),
    _snapshot_level(CANDLE, "CNDL-LAV-200", WORKSHOP_READ, 12),
    _snapshot_level(WAX, "WAX-SOY-KG", MAIN_READ, 135.5),
    _snapshot_level(WAX, "WAX-SOY-KG", WORKSHOP_READ, 7.6),
    _snapshot_level(WICK, "WICK-CD10", MAIN_READ, 1150),
    _snapshot_level(WICK, "WICK-CD10", WORKSHOP_READ, 38),
]}
SNAPSHOT_DIFF = {"snapshot": SNAPSHOT_READ, "levels": [
    {"item": CANDLE, "sku": "CNDL-LAV-200", "location": SHOP, "location_name": "Market Street shop",
     "snapshot_on_hand": 12, "current_on_hand": 10, "difference": -2}]}
SNAPSHOT_RESTORED = {
    "snapshot": {**SNAPSHOT_READ, "restored_at": "2026-12-01T09:12:40.515Z"},
    "movements": [_movement("mov_01M8RE1B9Z58QQS4CE5W0YAY7R", CANDLE, "CNDL-LAV-200", SHOP, "snapshot_restore", 2, 10,
                            "2026-12-01T09:12:40.511Z", 240, note=f"Restore of snapshot {SNAPSHOT}",
                            reference={"type": "snapshot", "id": SNAPSHOT})],
    "skipped": [],
}
# The levels of SNAPSHOT_WITH_LEVELS at average cost: candles 2.64, wax 4.70 a kg, wicks 0.06.
VALUATION = {
    "currency": "GBP", "total_value": "889.05", "levels": 7, "uncosted_levels": 0,
    "by_location": [
        {"location": MAIN, "name": "Main warehouse", "value": "787.69", "levels": 3, "uncosted_levels": 0},
        {"location": SHOP, "name": "Market Street shop", "value": "31.68", "levels": 1, "uncosted_levels": 0},
        {"location": WORKSHOP, "name": "Workshop", "value": "69.68", "levels": 3, "uncosted_levels": 0},
    ],
    "by_category": [
        {"category": CANDLES, "name": "Candles", "value": "145.20", "levels": 3, "uncosted_levels": 0},
        {"category": None, "name": None, "value": "743.85", "levels": 4, "uncosted_levels": 0},
    ],
}


def _reorder_row(item: dict[str, Any], suggested: float, estimated_cost: str) -> dict[str, Any]:
    keys = ("sku", "name", "unit", "kind", "supplier", "status", "on_hand", "reserved", "available", "incoming",
            "reorder_point", "safety_stock", "reorder_quantity", "unit_cost", "reorder_urls")
    return {"item": item["id"], **{k: item[k] for k in keys}, "suggested_quantity": suggested,
            "estimated_cost": estimated_cost}


REORDER = _page(_reorder_row(TEE_L_READ, 20, "128.00"), _reorder_row(TEE_S_READ, 20, "128.00"))

ALERT_SETTINGS_WRITE = {
    "smtp_host": "smtp.northwick.example", "smtp_security": "starttls", "smtp_username": "stock@northwick.example",
    "smtp_password": "app-password-from-your-mail-provider", "from_address": "stock@northwick.example",
    "recipient_users": ["maya@northwick.example"], "recipient_addresses": ["orders@northwick.example"],
    "statuses": ["low", "critical", "out_of_stock"], "mode": "digest", "digest_hour": 7,
    "time_zone": "Europe/London"}
ALERT_SETTINGS_READ = {
    **{k: v for k, v in ALERT_SETTINGS_WRITE.items() if k != "smtp_password"}, "enabled": True, "smtp_port": 587,
    "password_set": True, "recipient_users": [MAYA_READ["id"]], "dashboard_url": "https://stock.northwick.example",
    "version": 2, "created_at": "2026-12-01T09:00:00.000Z", "updated_at": "2026-12-07T08:15:02.114Z"}


# --- The operations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """What one operation shows in /docs: its JSON request body, if it takes one, and a JSON
    response for each of its success statuses."""

    responses: dict[str, Any]
    request: Any = None


def ok(response: Any, request: Any = None) -> Example:
    return Example({"200": response}, request)


def created(response: Any, request: Any) -> Example:
    return Example({"201": response}, request)


EXAMPLES: dict[tuple[str, str], Example] = {
    ("GET", "/healthz"): ok({"status": "ok"}),
    ("GET", "/readyz"): ok({"status": "ok", "database": "postgresql"}),
    ("GET", "/v1/me"): ok({"workspace": WORKSPACE_READ,
                           "key": {k: ADMIN_KEY_READ[k] for k in ("id", "name", "prefix", "scopes", "user")},
                           "actor": ADMIN_ACTOR, "rate_limit": RATE_LIMIT}),
    ("PATCH", "/v1/workspace"): ok(WORKSPACE_READ, {
        "currency": "GBP", "settings": {"auto_snapshot": "daily", "trash_retention_days": 30}}),
    # API keys and users
    ("POST", "/v1/api-keys"): created(
        {**SYNC_KEY_READ, "key": "sk_U735zFIVD0MAuwJetRnaWLIoDRcELM1P01M45JYJR4M1GCP0ANWDFP7ZXR"},
        {"name": "Shopify sync", "scopes": ["items:read", "stock:write", "orders:write"],
         "user": "maya@northwick.example"}),
    ("GET", "/v1/api-keys"): ok(_page(ADMIN_KEY_READ, SYNC_KEY_READ)),
    ("GET", "/v1/api-keys/{key_id}"): ok(SYNC_KEY_READ),
    ("POST", "/v1/users"): created(MAYA_READ, {"email": "maya@northwick.example", "name": "Maya Lindqvist",
                                               "role": "member"}),
    ("GET", "/v1/users"): ok(_page(MAYA_READ)),
    ("GET", "/v1/users/{user_id}"): ok(MAYA_READ),
    ("PATCH", "/v1/users/{user_id}"): ok({**MAYA_READ, "role": "admin", "version": 2,
                                          "updated_at": "2026-11-02T08:51:37.615Z"}, {"role": "admin"}),
    ("GET", "/v1/units"): ok(UNITS),
    # Locations, categories, tax rates
    ("POST", "/v1/locations"): created(MAIN_READ, {
        "name": "Main warehouse", "type": "warehouse", "is_default": True,
        "address": {"line1": "Unit 4, Mill Lane", "city": "Leeds", "postal_code": "LS9 8AB", "country": "GB"}}),
    ("GET", "/v1/locations"): ok(_page(MAIN_READ, SHOP_UPDATED, WORKSHOP_READ)),
    ("GET", "/v1/locations/{location}"): ok(MAIN_READ),
    ("PATCH", "/v1/locations/{location}"): ok(SHOP_UPDATED, {"address": {
        "line1": "12 Market Street", "city": "York", "postal_code": "YO1 8SL", "country": "GB"}}),
    ("POST", "/v1/categories"): created(CANDLES_READ, {"name": "Candles"}),
    ("GET", "/v1/categories"): ok(_page(CANDLES_READ)),
    ("GET", "/v1/categories/{category_id}"): ok(CANDLES_READ),
    ("PATCH", "/v1/categories/{category_id}"): ok({**CANDLES_READ, "name": "Scented candles", "version": 2,
                                                   "updated_at": "2026-10-30T15:17:04.408Z"},
                                                  {"name": "Scented candles"}),
    ("POST", "/v1/tax-rates"): created(VAT_READ, {"name": "Standard VAT", "rate": "0.20", "is_default": True}),
    ("GET", "/v1/tax-rates"): ok(_page(VAT_READ)),
    ("GET", "/v1/tax-rates/{tax_rate_id}"): ok(VAT_READ),
    ("PATCH", "/v1/tax-rates/{tax_rate_id}"): ok({**VAT_READ, "name": "UK standard VAT", "version": 2,
                                                  "updated_at": "2026-10-30T15:20:51.993Z"},
                                                 {"name": "UK standard VAT"}),
    # Items
    ("POST", "/v1/items"): created(CANDLE_CREATED, CANDLE_CREATE),
    ("GET", "/v1/items"): ok(_page(
        XMAS_LISTED, WAX_READ, limit=2, total=8,
        next_cursor="WyJjcmVhdGVkX2F0Iix7InQiOiIyMDI2LTEwLTA2VDEwOjEyOjA1LjQzMzAwMCswMDowMCJ9LCJpdG1fMDFNNDhCNVdOUzFTWjgzMjBHM1IzSFZLOTYiXQ")),
    ("GET", "/v1/items/deleted"): ok(_page({"id": XMAS, "number": 1, "sku": "CNDL-XMAS-23",
                                            "deleted_at": "2026-11-28T16:03:51.224Z", "purged": False})),
    ("GET", "/v1/items/{ref}"): ok(CANDLE_DETAIL),
    ("PATCH", "/v1/items/{ref}"): ok(CANDLE_READ, {"price": "19.00", "reorder_point": "24"}),
    ("POST", "/v1/items/{ref}/restore"): ok(XMAS_RESTORED),
    ("GET", "/v1/items/{ref}/variants"): ok(_page(TEE_S_READ, TEE_M_READ, TEE_L_READ)),
    ("POST", "/v1/items/{ref}/variants"): created(TEE_L_READ, {
        "sku": "TEE-LOGO-L", "name": "Logo t-shirt L", "attributes": {"size": "L"}, "price": "24.00",
        "unit_cost": "6.40", "reorder_point": "5", "safety_stock": "2", "reorder_quantity": "20"}),
    ("PUT", "/v1/items/{ref}/channels/{channel}"): ok(CANDLE_READ, {
        "published": True, "name": "Lavender Soy Candle", "price": "19.50"}),
    ("DELETE", "/v1/items/{ref}/channels/{channel}"): ok({
        **CANDLE_READ, "channels": {"shopify": {**SHOPIFY, "published": False}}, "version": 6,
        "updated_at": "2026-12-01T10:02:17.446Z"}),
    ("GET", "/v1/items/{ref}/components"): ok(CANDLE_COMPONENTS),
    ("PUT", "/v1/items/{ref}/components"): ok(CANDLE_COMPONENTS, [{"item": "WAX-SOY-KG", "quantity": "0.2"},
                                                                  {"item": "WICK-CD10", "quantity": "1"}]),
    ("GET", "/v1/items/{ref}/movements"): ok({**MOVEMENTS_PAGE, "meta": {**MOVEMENTS_PAGE["meta"], "total": 37}}),
    # Stock
    ("POST", "/v1/stock/adjustments"): created(_adjusted(SALE, _level(CANDLE, MAIN, 47)), {
        "item": "CNDL-LAV-200", "location": "Main warehouse", "reason": "sale", "delta": "-2",
        "reference": ORDER_1042}),
    ("POST", "/v1/stock/adjustments/bulk"): Example(
        {"201": {"atomic": True, "results": [
            {"index": 0, "ok": True, **_adjusted(WAX_RECEIPT, _level(WAX, MAIN, 85.5))},
            {"index": 1, "ok": True, **_adjusted(WICK_COUNT, _level(WICK, MAIN, 1200))}]},
         "200": BULK_PARTIAL},
        {"atomic": True, "adjustments": [
            {"item": "WAX-SOY-KG", "location": "Main warehouse", "reason": "receipt", "delta": "50",
             "unit_cost": "4.80", "label": "supplier_receipt"},
            {"item": "WICK-CD10", "location": "Main warehouse", "reason": "count", "set": "1200"}]}),
    ("POST", "/v1/stock/transfers"): created(
        {"id": TRANSFER, "item": CANDLE, "sku": "CNDL-LAV-200", "from": MAIN, "to": SHOP, "quantity": 12,
         "note": "Weekly shop top-up", "label": None, "reference": None, "movements": [TRANSFER_OUT, TRANSFER_IN],
         "created_at": "2026-11-19T15:30:44.806Z"},
        {"item": "CNDL-LAV-200", "from": "Main warehouse", "to": "Market Street shop", "quantity": "12",
         "note": "Weekly shop top-up"}),
    ("GET", "/v1/stock/movements"): ok(MOVEMENTS_PAGE),
    ("GET", "/v1/stock"): ok(_page(CANDLE_STOCK, XMAS_STOCK, limit=2, total=7,
                                   next_cursor="WyJza3UiLCJDTkRMLVhNQVMtMjMiLCJpdG1fMDFLN0g3NU44NkFSVENXNVlNSFJZU0NFVFQiXQ")),
    ("GET", "/v1/stock/{item}"): ok(CANDLE_STOCK),
    ("GET", "/v1/reasons"): ok(REASONS),
    ("POST", "/v1/reasons"): created(SAMPLE_READ, {"code": "market_sample", "name": "Market sample",
                                                   "direction": "out"}),
    ("GET", "/v1/reasons/{reason_id}"): ok(SAMPLE_READ),
    ("PATCH", "/v1/reasons/{reason_id}"): ok({**SAMPLE_READ, "name": "Craft-market sample", "version": 2},
                                             {"name": "Craft-market sample"}),
    # Reservations
    ("POST", "/v1/reservations"): created(RES_READ, {
        "item": "CNDL-LAV-200", "location": "Main warehouse", "quantity": "4", "reference": ORDER_1043,
        "expires_at": "2026-11-27T11:02:09.000Z"}),
    ("GET", "/v1/reservations"): ok(_page(RES_READ)),
    ("GET", "/v1/reservations/{reservation_id}"): ok(RES_READ),
    ("POST", "/v1/reservations/{reservation_id}/release"): ok(RES_RELEASED),
    ("POST", "/v1/reservations/{reservation_id}/fulfil"): ok(
        {"reservation": {**RES_READ, "fulfilled_quantity": 4, "remaining": 0, "status": "fulfilled", "version": 2,
                         "updated_at": "2026-11-21T09:12:55.640Z"},
         "movement": FULFIL_SALE, "movements": [FULFIL_SALE]},
        {"quantity": "4"}),
    # Purchase orders
    ("POST", "/v1/purchase-orders"): created(PO_DRAFT, {
        "supplier": "Kerax", "location": "Main warehouse", "expected_at": "2026-11-23T00:00:00.000Z",
        "notes": "Deliver to goods-in door",
        "lines": [{"item": "WAX-SOY-KG", "quantity": "100", "unit_cost": "4.65"},
                  {"item": "WICK-CD10", "quantity": "2000", "unit_cost": "0.05"}]}),
    ("GET", "/v1/purchase-orders"): ok(_page(PO_PARTIAL, PO_CANCELLED)),
    ("GET", "/v1/purchase-orders/{order}"): ok(PO_PARTIAL),
    ("PATCH", "/v1/purchase-orders/{order}"): ok(PO_UPDATED, {"notes": "Deliver to goods-in door; call ahead"}),
    ("POST", "/v1/purchase-orders/{order}/order"): ok(PO_ORDERED),
    ("POST", "/v1/purchase-orders/{order}/receive"): ok({"purchase_order": PO_PARTIAL, "movements": [PO_RECEIPT]},
                                                        {"lines": [{"line": PO_WAX, "quantity": "60"}]}),
    ("POST", "/v1/purchase-orders/{order}/cancel"): ok(PO_CANCELLED),
    # Labels (the answer is a PDF)
    ("POST", "/v1/labels"): Example({}, {"items": [{"item": "CNDL-LAV-200", "copies": 12},
                                                   {"item": "WICK-CD10", "copies": 2}],
                                         "size": "L7160", "code": "barcode"}),
    # Production
    ("POST", "/v1/production-orders"): created(MO_CREATED, {
        "name": "Lavender pour", "location": "Workshop", "assignee": "maya@northwick.example",
        "due": "2026-11-27T17:00:00.000Z", "lines": [{"item": "CNDL-LAV-200", "quantity": "24"}]}),
    ("GET", "/v1/production-orders"): ok(_page(MO_READ)),
    ("GET", "/v1/production-orders/{order_id}"): ok(MO_READ),
    ("PATCH", "/v1/production-orders/{order_id}"): ok(MO_STARTED, {"status": "in_progress",
                                                                   "notes": "Cure 48 h before labelling"}),
    ("POST", "/v1/production-orders/{order_id}/lines/{line_id}/batches"): created(
        BATCH_READ, {"quantity": "12", "note": "Morning pour"}),
    ("GET", "/v1/batches/{batch_id}"): ok(BATCH_READ),
    # Reports, events, audit, webhooks
    ("GET", "/v1/reports/valuation"): ok(VALUATION),
    ("GET", "/v1/reports/reorder"): ok(REORDER),
    ("GET", "/v1/events"): ok(EVENTS),
    ("GET", "/v1/audit-log"): ok(AUDIT_LOG),
    ("POST", "/v1/webhooks"): created(HOOK_CREATED, HOOK_CREATE),
    ("GET", "/v1/webhooks"): ok(_page(HOOK_READ)),
    ("GET", "/v1/webhooks/{webhook_id}"): ok(HOOK_READ),
    ("PATCH", "/v1/webhooks/{webhook_id}"): ok(HOOK_UPDATED, {"events": ["stock.changed"]}),
    ("GET", "/v1/webhooks/{webhook_id}/deliveries"): ok(DELIVERIES),
    ("POST", "/v1/webhooks/{webhook_id}/test"): Example({"202": {"event_id": "evt_01M8BMRHVV9B7PV832HD161BZN"}}),
    # Stock alerts by email
    ("GET", "/v1/alerts/settings"): ok(ALERT_SETTINGS_READ),
    ("PUT", "/v1/alerts/settings"): ok(ALERT_SETTINGS_READ, ALERT_SETTINGS_WRITE),
    ("POST", "/v1/alerts/settings/test"): ok({"sent": True, "recipients": ["maya@northwick.example",
                                                                         "orders@northwick.example"], "error": None}),
    # Snapshots
    ("POST", "/v1/snapshots"): created(SNAPSHOT_READ, {"note": "Before stocktake"}),
    ("GET", "/v1/snapshots"): ok(_page(SNAPSHOT_READ)),
    ("GET", "/v1/snapshots/{snapshot_id}"): ok(SNAPSHOT_WITH_LEVELS),
    ("GET", "/v1/snapshots/{snapshot_id}/diff"): ok(SNAPSHOT_DIFF),
    ("POST", "/v1/snapshots/{snapshot_id}/restore"): ok(SNAPSHOT_RESTORED),
}

JSON = "application/json"


def add_examples(document: dict[str, Any]) -> None:
    """Set `example` on the JSON request body and the JSON success responses of each operation
    that EXAMPLES names. An operation without an entry is left as it is (the test names it), so
    a new route never breaks /openapi.json."""
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            example = EXAMPLES.get((method.upper(), path))
            if example is None:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get(JSON)
            if body is not None and example.request is not None:
                body["example"] = copy.deepcopy(example.request)
            for status, response in example.responses.items():
                media = operation.get("responses", {}).get(status, {}).get("content", {}).get(JSON)
                if media is not None:
                    media["example"] = copy.deepcopy(response)


def install(app: FastAPI) -> None:
    """Wrap `app.openapi` so the document FastAPI builds (once; it caches it on the app) carries
    the examples."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            add_examples(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
