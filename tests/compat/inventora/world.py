"""The document's resources, made through /v1 as a Storekeeper user would, for the black-box
tests: each test names its own SKUs, as the modules' server is shared."""

from __future__ import annotations

MAIN = {"line1": "123 Storage St", "line2": "Unit 5", "city": "Portland", "region": "OR", "postal_code": "97201",
        "country": "US"}


def make_locations(v1) -> dict[str, str]:
    """The document's locations: `init`'s default one becomes its Main Warehouse, beside a
    Retail Store that hides materials and a Production Floor; their ids."""
    default = v1.get("/v1/locations").json()["data"][0]
    assert v1.patch(f"/v1/locations/{default['id']}", json={"name": "Main Warehouse", "address": MAIN}
                    ).status_code == 200
    retail = v1.post("/v1/locations", json={"name": "Retail Store", "type": "store", "hide_materials": True,
                                            "address": {"line1": "456 Main St", "city": "Portland", "region": "OR",
                                                        "postal_code": "97202", "country": "US"}})
    floor = v1.post("/v1/locations", json={"name": "Production Floor", "type": "production"})
    assert retail.status_code == floor.status_code == 201
    return {"main": default["id"], "retail": retail.json()["id"], "floor": floor.json()["id"]}


def make_candle(v1, sku: str, wax: str = "WAX-SOY") -> int:
    """The document's Handmade Candle (its bill: half a pound of its wax), 30 in the Main
    Warehouse and 15 in the Retail Store as initial stock; its number, the facade's id (`/v1`
    takes its SKU)."""
    made = v1.post("/v1/items", json={
        "sku": sku, "name": "Handmade Candle", "kind": "product", "unit": "pcs", "unit_cost": "5.50",
        "reorder_point": 10, "description": "Vanilla scented", "retail_price": "15.00", "wholesale_price": "10.00",
        "barcode": "1234567890123", "reorder_quantity": 1, "reorder_urls": ["https://example.com/reorder"],
        "initial_stock": [{"location": "Main Warehouse", "quantity": 30},
                          {"location": "Retail Store", "quantity": 15}]})
    assert made.status_code == 201, made.text
    assert v1.put(f"/v1/items/{sku}/components", json=[{"item": wax, "quantity": "0.5"}]).status_code == 200
    return made.json()["number"]


def make_wax(v1, sku: str) -> int:
    """The document's Soy Wax: 80 lb in the Main Warehouse and 20 on the Production Floor."""
    made = v1.post("/v1/items", json={
        "sku": sku, "name": "Soy Wax", "kind": "material", "unit": "weight.lbs", "unit_cost": "3.25",
        "reorder_point": 20, "description": "Food grade soy wax", "barcode": "9876543210987", "reorder_quantity": 10,
        "reorder_urls": ["https://supplier.com/wax"],
        "initial_stock": [{"location": "Main Warehouse", "quantity": 80},
                          {"location": "Production Floor", "quantity": 20}]})
    assert made.status_code == 201, made.text
    return made.json()["number"]
