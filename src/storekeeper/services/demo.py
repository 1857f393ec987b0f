"""A sample workspace for `storekeeper serve --demo`, built through the same use cases as the API."""

from __future__ import annotations

from decimal import Decimal

from storekeeper.persistence.database import Database
from storekeeper.services import (
    api_keys,
    batches,
    categories,
    components,
    items,
    locations,
    production,
    purchasing,
    stock,
    tax_rates,
    users,
    workspaces,
)
from storekeeper.services.context import SystemActor
from storekeeper.services.stock import Adjustment

DEMO_NAME = "Demo"


def load_demo(db: Database) -> tuple[str, str]:
    """The demo workspace (created on first use) and a new admin key for it."""
    existing = [w for w in workspaces.list_workspaces(db) if w["name"] == DEMO_NAME]
    if existing:
        workspace_id = existing[0]["workspace_id"]
        _row, key = api_keys.create_api_key(db, workspace_id, "demo admin", ["*"])
        return workspace_id, key
    ws, key = workspaces.create_workspace(db, DEMO_NAME, "EUR")
    workspace_id = ws["workspace_id"]
    _populate(db, workspace_id)
    return workspace_id, key


def _populate(db: Database, ws: str) -> None:
    locations.create_location(db, ws, {"name": "Main warehouse", "type": "warehouse",
                                       "address": {"line1": "Industriestraße 1", "city": "Berlin",
                                                   "postal_code": "12345", "country": "DE"}})
    locations.create_location(db, ws, {"name": "Berlin store", "type": "store"})
    locations.create_location(db, ws, {"name": "Workshop", "type": "production", "hide_materials": False})
    locations.create_location(db, ws, {"name": "Amazon FBA EU", "type": "external", "read_only": True,
                                       "marketplace": "amazon_eu"})
    vat = tax_rates.create_tax_rate(db, ws, {"name": "VAT 19%", "rate": Decimal("0.19"), "is_default": True})
    tax_rates.create_tax_rate(db, ws, {"name": "VAT 7%", "rate": Decimal("0.07")})
    candles = categories.create_category(db, ws, "Candles", None)
    apparel = categories.create_category(db, ws, "Apparel", None)
    materials = categories.create_category(db, ws, "Materials", None)
    users.create_user(db, ws, "owner@example.com", "Olivia Owner", "admin")
    users.create_user(db, ws, "maker@example.com", "Max Maker", "member")
    D = Decimal
    catalog = [
        ("WAX-SOY", "Soy wax", "material", "kg", materials,
         {"unit_cost": D("6.50"), "reorder_point": D(10), "safety_stock": D(4), "supplier": "Wax & Co"}),
        ("WICK-COTTON", "Cotton wick", "material", "pcs", materials, {"unit_cost": D("0.08"), "reorder_point": D(200)}),
        ("JAR-250", "Glass jar 250 ml", "material", "pcs", materials, {"unit_cost": D("0.90")}),
        ("CANDLE-VAN", "Vanilla candle", "product", "pcs", candles,
         {"price": D("12.50"), "barcode": "4006381333931", "reorder_point": D(20), "safety_stock": D(5),
          "tags": ["bestseller", "handmade"], "package_size": {"value": D(250), "unit": "ml"}}),
        ("CANDLE-LAV", "Lavender candle", "product", "pcs", candles, {"price": D("12.50"), "tags": ["handmade"]}),
        ("TSHIRT-LOGO", "Logo t-shirt", "product", "pcs", apparel,
         {"price": D("16.80"), "brand": "Storekeeper", "attributes": {"material": "organic cotton"},
          "variants": [{"sku": f"TSHIRT-LOGO-{size}", "attributes": {"size": size},
                        "initial_stock": [{"location": "Main warehouse", "quantity": D(count)}]}
                       for size, count in (("S", 6), ("M", 14), ("L", 9))]}),
        ("GIFT-WRAP", "Gift wrapping", "product", "pcs", None, {"tracking": "none", "price": D("2.00")}),
    ]
    for sku, name, kind, unit, category, extra in catalog:
        items.create_item(db, ws, {"sku": sku, "name": name, "kind": kind, "unit": unit,
                                   "category": category["id"] if category else None, "tax_rate": vat["id"], **extra})
    for sku, quantity, cost in (("WAX-SOY", "25", "6.50"), ("WICK-COTTON", "500", "0.08"), ("JAR-250", "120", "0.90"),
                                ("CANDLE-VAN", "30", None), ("CANDLE-LAV", "12", None)):
        stock.adjust_one(db, SystemActor(ws, "demo"), Adjustment(
            item=sku, location="Main warehouse", reason="receipt", delta=D(quantity),
            unit_cost=D(cost) if cost else None))
    for candle in ("CANDLE-VAN", "CANDLE-LAV"):
        components.put_components(db, ws, candle, [
            {"item": "WAX-SOY", "quantity": D(180), "unit": "g"}, {"item": "WICK-COTTON", "quantity": D(1)},
            {"item": "JAR-250", "quantity": D(1)}])
    items.create_item(db, ws, {"sku": "GIFT-SET", "name": "Candle gift set", "tracking": "bundle",
                               "category": candles["id"], "price": D("24.00"), "tax_rate": vat["id"]})
    components.put_components(db, ws, "GIFT-SET", [{"item": "CANDLE-VAN", "quantity": D(1)},
                                                   {"item": "CANDLE-LAV", "quantity": D(1)},
                                                   {"item": "GIFT-WRAP", "quantity": D(1)}])
    _orders(db, ws)


def _orders(db: Database, ws: str) -> None:
    """A purchase order on its way (part of it delivered), a draft one, and a production order
    with its first batch made."""
    D = Decimal
    system = SystemActor(ws, "demo")
    order = purchasing.create_purchase_order(db, system, {
        "supplier": "Wax & Co", "location": "Main warehouse", "notes": "Monthly materials",
        "lines": [{"item": "WAX-SOY", "quantity": D(20), "unit_cost": D("6.20")},
                  {"item": "WICK-COTTON", "quantity": D(1000), "unit_cost": D("0.07")}]})
    purchasing.place_purchase_order(db, system, order["id"])
    purchasing.receive_purchase_order(db, system, order["id"],
                                      lines=[{"line": order["lines"][1]["id"], "quantity": D(400)}])
    purchasing.create_purchase_order(db, system, {"supplier": "Glassworks", "location": "Main warehouse",
                                                  "lines": [{"item": "JAR-250", "quantity": D(240)}]})
    made = production.create_production_order(db, system, {
        "name": "Vanilla candles for December", "location": "Main warehouse", "assignee": "maker@example.com",
        "notes": "Pour at 70 °C.", "lines": [{"item": "CANDLE-VAN", "quantity": D(40)}]})
    batches.produce(db, system, made["id"], made["lines"][0]["id"], D(10))
