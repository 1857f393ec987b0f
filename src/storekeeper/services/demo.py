"""A sample workspace for `storekeeper serve --demo`, built through the same use cases as the API.

Two warehouses, a store, a workshop and a read-only marketplace location; candles made from wax,
wicks and jars (a bill of materials), t-shirts in three sizes (variants), a gift set (a bundle),
purchase and production orders, and sixty days of trading behind them.

The sixty days are planned first, in the order things happened, against a book of what each
place holds; then they are applied as backdated adjustments in that same order. Nothing takes
more than the book holds, so the negative-stock guard refuses nothing, and stock as at any past
moment is never below zero either. The choices come from a fixed seed: every demo is the same
but for its dates. Transfers, production batches and purchase receipts take no occurred_at:
they happen today, after the history.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from storekeeper.domain.clock import utcnow
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
DEMO_ADMIN = "owner@example.com"  # `serve --demo` gives this admin a new password and prints it
SEED = 8
HISTORY_DAYS = 60
D = Decimal

MAIN, HAMBURG, STORE, WORKSHOP, AMAZON = (
    "Main warehouse", "Hamburg warehouse", "Berlin store", "Workshop", "Amazon FBA EU")
SIZES = ("S", "M", "L")
# One candle: 180 g of wax, a wick and a jar. One gift set: a candle of each scent, wrapped.
CANDLE_BILL = [{"item": "WAX-SOY", "quantity": D(180), "unit": "g"}, {"item": "WICK-COTTON", "quantity": D(1)},
               {"item": "JAR-250", "quantity": D(1)}]
GIFT_SET = {"CANDLE-VAN": D(1), "CANDLE-LAV": D(1), "GIFT-WRAP": D(1)}
UNTRACKED = {"GIFT-WRAP"}

# What each place held sixty days ago, and at what cost (t-shirts at their standard cost).
OPENING = {
    MAIN: {"CANDLE-VAN": 100, "CANDLE-LAV": 52, "TSHIRT-LOGO-S": 5, "TSHIRT-LOGO-M": 30, "TSHIRT-LOGO-L": 24},
    HAMBURG: {"CANDLE-VAN": 70, "CANDLE-LAV": 40, "TSHIRT-LOGO-S": 6, "TSHIRT-LOGO-M": 26, "TSHIRT-LOGO-L": 20},
    STORE: {"CANDLE-VAN": 90, "CANDLE-LAV": 50, "TSHIRT-LOGO-S": 4, "TSHIRT-LOGO-M": 16, "TSHIRT-LOGO-L": 16},
    WORKSHOP: {"WAX-SOY": 4, "WICK-COTTON": 250, "JAR-250": 30},
}
OPENING_COST = {"CANDLE-VAN": D("2.20"), "CANDLE-LAV": D("2.30"), "WAX-SOY": D("6.50"), "WICK-COTTON": D("0.08"),
                "JAR-250": D("0.90")}
# The chance that a place sells an item on a given day. The warehouses ship the web shop's orders.
DEMAND = {
    STORE: {"CANDLE-VAN": 0.9, "CANDLE-LAV": 0.6, "GIFT-SET": 0.15,
            "TSHIRT-LOGO-S": 0.1, "TSHIRT-LOGO-M": 0.25, "TSHIRT-LOGO-L": 0.2},
    MAIN: {"CANDLE-VAN": 0.8, "CANDLE-LAV": 0.5, "TSHIRT-LOGO-S": 0.2, "TSHIRT-LOGO-M": 0.35, "TSHIRT-LOGO-L": 0.25},
    HAMBURG: {"CANDLE-VAN": 0.6, "CANDLE-LAV": 0.4, "TSHIRT-LOGO-S": 0.15, "TSHIRT-LOGO-M": 0.25,
              "TSHIRT-LOGO-L": 0.15},
}
# How many one sale takes: one to three candles, one or two sets or shirts.
SOLD_AT_ONCE = {"CANDLE-VAN": (1, 1, 1, 2, 2, 3), "CANDLE-LAV": (1, 1, 1, 2, 2, 3), "GIFT-SET": (1, 1, 2)}
SHIRTS_AT_ONCE = (1, 1, 1, 2)
# Delivered to the workshop every week: quantity and unit cost.
WEEKLY = {"WAX-SOY": (D(2), D("6.40")), "WICK-COTTON": (D(50), D("0.08")), "JAR-250": (D(10), D("0.90"))}
# Now and then something breaks or goes missing.
MISHAPS = [("CANDLE-VAN", MAIN, "damage", D(1), "Cracked jar"), ("CANDLE-LAV", STORE, "damage", D(1), "Dropped"),
           ("JAR-250", WORKSHOP, "damage", D(2), "Broken in delivery"),
           ("TSHIRT-LOGO-M", STORE, "theft", D(1), "Missing from the shelf"),
           ("WAX-SOY", WORKSHOP, "loss", D("0.5"), "Spilt while pouring")]
COUNTS = {31: STORE, 12: HAMBURG}  # days ago: the place counted
SYNCED = ("CANDLE-VAN", "CANDLE-LAV")  # what the marketplace holds of ours, reported every third day


def load_demo(db: Database) -> tuple[str, str]:
    """The demo workspace (created on first use) and a new admin key for it."""
    existing = [w for w in workspaces.list_workspaces(db) if w["name"] == DEMO_NAME]
    if existing:
        workspace_id = existing[0]["workspace_id"]
        _row, key = api_keys.create_api_key(db, workspace_id, "demo admin", ["*"])
        return workspace_id, key
    ws, key = workspaces.create_workspace(db, DEMO_NAME, "EUR", location=MAIN)
    workspace_id = ws["workspace_id"]
    _populate(db, workspace_id)
    return workspace_id, key


def _populate(db: Database, ws: str) -> None:
    _places(db, ws)
    _catalog(db, ws)
    history = _plan(utcnow().replace(hour=0, minute=0, second=0, microsecond=0))
    # The marketplace's reports change a read-only location: the system may (it holds every
    # scope, locations:sync among them), and it signs them with the marketplace's name.
    for principal, planned in ((SystemActor(ws, "demo"), history.adjustments),
                               (SystemActor(ws, "Amazon sync"), history.syncs)):
        for start in range(0, len(planned), stock.MAX_BULK):
            stock.adjust(db, principal, planned[start:start + stock.MAX_BULK])
    _orders(db, ws)
    _transfers(db, ws, history.book)


def _places(db: Database, ws: str) -> None:
    # The workspace's default location, which it was created with.
    locations.update_location(db, ws, MAIN, {"address": {"line1": "Industriestraße 1", "city": "Berlin",
                                                         "postal_code": "12345", "country": "DE"}})
    locations.create_location(db, ws, {"name": HAMBURG, "type": "warehouse",
                                       "address": {"line1": "Am Sandtorkai 5", "city": "Hamburg",
                                                   "postal_code": "20457", "country": "DE"}})
    locations.create_location(db, ws, {"name": STORE, "type": "store"})
    locations.create_location(db, ws, {"name": WORKSHOP, "type": "production", "hide_materials": False})
    locations.create_location(db, ws, {"name": AMAZON, "type": "external", "read_only": True,
                                       "marketplace": "amazon_eu", "fulfilment": "FBA"})
    users.create_user(db, ws, DEMO_ADMIN, "Olivia Owner", "admin")
    users.create_user(db, ws, "maker@example.com", "Max Maker", "member")


def _catalog(db: Database, ws: str) -> None:
    vat = tax_rates.create_tax_rate(db, ws, {"name": "VAT 19%", "rate": D("0.19"), "is_default": True})
    tax_rates.create_tax_rate(db, ws, {"name": "VAT 7%", "rate": D("0.07")})
    candles = categories.create_category(db, ws, "Candles", None)
    apparel = categories.create_category(db, ws, "Apparel", None)
    materials = categories.create_category(db, ws, "Materials", None)
    catalog = [
        ("WAX-SOY", "Soy wax", "material", "kg", materials,
         {"unit_cost": D("6.50"), "reorder_point": D(10), "safety_stock": D(4), "supplier": "Wax & Co"}),
        ("WICK-COTTON", "Cotton wick", "material", "pcs", materials,
         {"unit_cost": D("0.08"), "reorder_point": D(200), "supplier": "Wax & Co"}),
        ("JAR-250", "Glass jar 250 ml", "material", "pcs", materials,
         {"unit_cost": D("0.90"), "reorder_point": D(60), "supplier": "Glassworks"}),
        ("CANDLE-VAN", "Vanilla candle", "product", "pcs", candles,
         {"price": D("12.50"), "barcode": "4006381333931", "reorder_point": D(20), "safety_stock": D(5),
          "tags": ["bestseller", "handmade"], "package_size": {"value": D(250), "unit": "ml"}}),
        ("CANDLE-LAV", "Lavender candle", "product", "pcs", candles,
         {"price": D("12.50"), "reorder_point": D(30), "safety_stock": D(5), "tags": ["handmade"]}),
        ("TSHIRT-LOGO", "Logo t-shirt", "product", "pcs", apparel,
         {"price": D("16.80"), "unit_cost": D("6.40"), "brand": "Storekeeper", "supplier": "Shirt Studio",
          "attributes": {"material": "organic cotton"},
          "variants": [{"sku": f"TSHIRT-LOGO-{size}", "attributes": {"size": size}, "reorder_point": D(10),
                        "safety_stock": D(3)} for size in SIZES]}),
        ("GIFT-WRAP", "Gift wrapping", "product", "pcs", None, {"tracking": "none", "price": D("2.00")}),
    ]
    for sku, name, kind, unit, category, extra in catalog:
        items.create_item(db, ws, {"sku": sku, "name": name, "kind": kind, "unit": unit,
                                   "category": category["id"] if category else None, "tax_rate": vat["id"], **extra})
    for candle in ("CANDLE-VAN", "CANDLE-LAV"):
        components.put_components(db, ws, candle, CANDLE_BILL)
    items.create_item(db, ws, {"sku": "GIFT-SET", "name": "Candle gift set", "tracking": "bundle",
                               "category": candles["id"], "price": D("24.00"), "tax_rate": vat["id"]})
    components.put_components(db, ws, "GIFT-SET", [{"item": sku, "quantity": n} for sku, n in GIFT_SET.items()])


class _History:
    """Backdated adjustments in the order they happened, and the book of what each (SKU, place)
    holds after them. Each day's changes happen from 8 o'clock on, a few minutes apart; the
    marketplace reports its stock at 6 o'clock, once a day at most, in a list of its own: its
    reports are the only changes of its levels, so they keep their order whichever list goes first."""

    def __init__(self, today: datetime, rng: random.Random):
        self.today = today  # midnight UTC: every planned moment lies before it
        self.rng = rng
        self.book: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
        self.adjustments: list[Adjustment] = []
        self.syncs: list[Adjustment] = []
        self.days_ago = HISTORY_DAYS
        self.clock = today
        self.order_number = 1000

    def open_day(self, days_ago: int) -> None:
        self.days_ago = days_ago
        self.clock = self.today - timedelta(days=days_ago) + timedelta(hours=8)

    def _tick(self) -> datetime:
        self.clock += timedelta(minutes=self.rng.randint(3, 25))
        return self.clock

    def put(self, sku: str, place: str, quantity: Decimal, reason: str = "receipt", **extra) -> None:
        self.book[sku, place] += quantity
        self.adjustments.append(Adjustment(item=sku, location=place, reason=reason, delta=quantity,
                                           occurred_at=self._tick(), **extra))

    def take(self, sku: str, place: str, wanted: Decimal, reason: str = "sale", **extra) -> None:
        """Take what is wanted or what is left; a sale the shelf cannot serve is lost."""
        quantity = min(wanted, self.book[sku, place])
        if quantity <= 0:
            return
        self.book[sku, place] -= quantity
        self.adjustments.append(Adjustment(item=sku, location=place, reason=reason, delta=-quantity,
                                           occurred_at=self._tick(), **extra))

    def sell(self, sku: str, place: str, wanted: Decimal) -> None:
        self.order_number += 1
        reference = {"reference_type": "order", "reference_id": str(self.order_number)}
        if sku != "GIFT-SET":
            self.take(sku, place, wanted, **reference)
            return
        # A set takes its stocked components out: there must be enough of each.
        parts = {part: n for part, n in GIFT_SET.items() if part not in UNTRACKED}
        wanted = min([wanted, *(self.book[part, place] // n for part, n in parts.items())])
        if wanted <= 0:
            return
        for part, n in parts.items():
            self.book[part, place] -= n * wanted
        self.adjustments.append(Adjustment(item=sku, location=place, reason="sale", delta=-wanted,
                                           occurred_at=self._tick(), **reference))

    def count(self, sku: str, place: str, found: Decimal) -> None:
        self.book[sku, place] = found
        self.adjustments.append(Adjustment(item=sku, location=place, reason="count", set_to=found,
                                           note="Monthly stock count", occurred_at=self._tick()))

    def sync(self, sku: str, reported: Decimal) -> None:
        self.book[sku, AMAZON] = reported
        at = self.today - timedelta(days=self.days_ago) + timedelta(hours=6, minutes=self.rng.randint(0, 20))
        self.syncs.append(Adjustment(item=sku, location=AMAZON, reason="count", set_to=reported,
                                     note="Marketplace stock report", occurred_at=at))


def _plan(today: datetime) -> _History:
    history = _History(today, random.Random(SEED))
    for days_ago in range(HISTORY_DAYS, 0, -1):
        history.open_day(days_ago)
        if days_ago == HISTORY_DAYS:
            _opening(history)
        elif days_ago % 7 == 0:
            for sku, (quantity, cost) in WEEKLY.items():
                history.put(sku, WORKSHOP, quantity, unit_cost=cost, note="Weekly delivery")
        for place, demand in DEMAND.items():
            for sku, chance in demand.items():
                if history.rng.random() < chance:
                    history.sell(sku, place, D(history.rng.choice(SOLD_AT_ONCE.get(sku, SHIRTS_AT_ONCE))))
        if history.rng.random() < 0.15:
            sku, place, reason, quantity, note = history.rng.choice(MISHAPS)
            history.take(sku, place, quantity, reason, note=note)
        if days_ago in COUNTS:
            place = COUNTS[days_ago]
            for sku, held in sorted((sku, held) for (sku, at), held in history.book.items() if at == place):
                history.count(sku, place, max(held - history.rng.choice((0, 0, 0, 0, 1, 2)), D(0)))
        if days_ago % 3 == 0 and days_ago != HISTORY_DAYS:
            _marketplace(history)
    return history


def _opening(history: _History) -> None:
    for place, held in OPENING.items():
        for sku, quantity in held.items():
            history.put(sku, place, D(quantity), "initial", unit_cost=OPENING_COST.get(sku), note="Opening stock")
    for sku in SYNCED:
        history.sync(sku, D(24))


def _marketplace(history: _History) -> None:
    """The marketplace sold some since its last report, and was restocked when it ran low (but
    not in the last ten days: what it holds now is running down)."""
    for sku in SYNCED:
        left = max(history.book[sku, AMAZON] - history.rng.randint(0, 4), D(0))
        history.sync(sku, left + 24 if left < 6 and history.days_ago > 10 else left)


def _orders(db: Database, ws: str) -> None:
    """Materials on their way (part of them delivered), a draft order of jars, t-shirts ordered,
    and a production order with its first batches made today."""
    system = SystemActor(ws, "demo")
    order = purchasing.create_purchase_order(db, system, {
        "supplier": "Wax & Co", "location": WORKSHOP, "notes": "Monthly materials",
        "lines": [{"item": "WAX-SOY", "quantity": D(20), "unit_cost": D("6.20")},
                  {"item": "WICK-COTTON", "quantity": D(1000), "unit_cost": D("0.07")}]})
    purchasing.place_purchase_order(db, system, order["id"])
    purchasing.receive_purchase_order(db, system, order["id"],
                                      lines=[{"line": order["lines"][1]["id"], "quantity": D(400)}])
    purchasing.create_purchase_order(db, system, {"supplier": "Glassworks", "location": WORKSHOP,
                                                  "lines": [{"item": "JAR-250", "quantity": D(240)}]})
    shirts = purchasing.create_purchase_order(db, system, {
        "supplier": "Shirt Studio", "location": MAIN, "expected_at": utcnow() + timedelta(days=10),
        "lines": [{"item": "TSHIRT-LOGO-S", "quantity": D(30), "unit_cost": D("6.40")},
                  {"item": "TSHIRT-LOGO-M", "quantity": D(20), "unit_cost": D("6.40")}]})
    purchasing.place_purchase_order(db, system, shirts["id"])
    made = production.create_production_order(db, system, {
        "name": "Candle restock", "location": WORKSHOP, "assignee": "maker@example.com",
        "notes": "Pour at 70 °C.", "lines": [{"item": "CANDLE-VAN", "quantity": D(60)},
                                             {"item": "CANDLE-LAV", "quantity": D(30)}]})
    for line, quantity in ((0, D(24)), (0, D(16)), (1, D(12))):
        batches.produce(db, system, made["id"], made["lines"][line]["id"], quantity)


def _transfers(db: Database, ws: str, book: dict[tuple[str, str], Decimal]) -> None:
    """Today's candles leave the workshop; Hamburg sends t-shirts to Berlin if it has any."""
    system = SystemActor(ws, "demo")
    for sku, source, target, quantity in (("CANDLE-VAN", WORKSHOP, MAIN, D(30)),
                                          ("CANDLE-VAN", WORKSHOP, STORE, D(10)),
                                          ("CANDLE-LAV", WORKSHOP, STORE, D(12)),
                                          ("TSHIRT-LOGO-L", HAMBURG, MAIN, min(D(6), book["TSHIRT-LOGO-L", HAMBURG]))):
        if quantity > 0:
            stock.transfer(db, system, item=sku, from_location=source, to_location=target, quantity=quantity,
                           note="Weekly restock")
