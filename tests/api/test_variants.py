"""Variants (SPEC §3 Items): a parent and its variants made in one request or one variant at a
time, what a variant takes from its parent, the duplicates refused, and a parent's quantities,
which are the sums of its live variants and never stock of its own."""

from __future__ import annotations

from storekeeper.services.check import check
from tests.factories import error, item, location

MISSING_ID = "itm_01J0000000000000000000000A"


def created(r) -> dict:
    assert r.status_code == 201, r.text
    return r.json()


def parent_with_variants(api, sku: str, variants: list[dict], **fields) -> dict:
    fields.setdefault("name", f"Item {sku}")
    return created(api.post("/v1/items", json={"sku": sku, "variants": variants, **fields}))


def get(api, ref: str) -> dict:
    r = api.get(f"/v1/items/{ref}")
    assert r.status_code == 200, r.text
    return r.json()


def is_free(api, sku: str) -> bool:
    """No item, live or in the trash, has this SKU."""
    return api.get("/v1/items", params={"sku": sku, "deleted": "any"}).json()["data"] == []


def adjust(api, sku: str, reason: str, delta, where: str = "Main"):
    return api.post("/v1/stock/adjustments", json={"item": sku, "location": where, "reason": reason, "delta": delta})


def movement_count(api) -> int:
    return api.get("/v1/stock/movements").json()["meta"]["total"]


def ledger_explains_the_stock(workspace) -> bool:
    return check(workspace.db, workspace.id)[1] == []


def quantities(body: dict) -> tuple:
    return body["on_hand"], body["reserved"], body["available"], body["status"]


def per_location(body: dict) -> dict:
    return {level["name"]: (level["on_hand"], level["reserved"], level["available"], level["status"])
            for level in body["locations"]}


# Creating a parent with its variants in one request


def test_creating_an_item_with_variants_makes_a_parent_and_its_variants_in_one_request(api, workspace):
    parent = parent_with_variants(api, "TEE", [
        {"sku": "TEE-S", "attributes": {"size": "S"}},
        {"sku": "TEE-M", "attributes": {"size": "M"}},
    ], name="T-shirt")
    assert parent["has_variants"] is True
    assert parent["parent"] is None
    assert parent["variant_count"] == 2
    assert (parent["on_hand"], parent["reserved"], parent["available"]) == (0, 0, 0)
    for sku, size in (("TEE-S", "S"), ("TEE-M", "M")):
        variant = get(api, sku)
        assert variant["parent"] == parent["id"]
        assert variant["has_variants"] is False
        assert variant["attributes"] == {"size": size}
    listed = api.get("/v1/items", params={"parent": parent["id"], "sort": "sku"}).json()["data"]
    assert [v["sku"] for v in listed] == ["TEE-M", "TEE-S"]
    assert ledger_explains_the_stock(workspace)


def test_variants_take_the_parents_fields_unless_they_give_their_own(api, workspace):
    category = created(api.post("/v1/categories", json={"name": "Paint"}))["id"]
    tax = created(api.post("/v1/tax-rates", json={"name": "Reduced", "rate": "0.07"}))["id"]
    parent = parent_with_variants(api, "PAINT", [
        {"sku": "PAINT-RED", "attributes": {"colour": "red"}},
        {"sku": "PAINT-BLUE", "attributes": {"colour": "blue"}, "price": "9.00", "brand": "Own",
         "unit": "ml", "tags": ["blue"], "package_size": {"value": 500, "unit": "ml"}, "kind": "product"},
    ], name="Paint", description="Acrylic", kind="material", unit="l", brand="Acme", supplier="Acme Supply",
        category=category, tax_rate=tax, tags=["paint", "acrylic"], unit_cost="2.50", price="7.00",
        retail_price="8.00", wholesale_price="6.00", package_size={"value": 1, "unit": "l"})
    red = get(api, "PAINT-RED")
    inherited = ("description", "kind", "tracking", "unit", "brand", "supplier", "category", "tags", "tax_rate",
                 "unit_cost", "price", "retail_price", "wholesale_price", "package_size")
    assert {f: red[f] for f in inherited} == {f: parent[f] for f in inherited}
    assert red["price"] == "7.00"
    assert red["tax_rate"] == tax
    assert red["package_size"] == {"value": 1, "unit": "l"}
    blue = get(api, "PAINT-BLUE")
    assert (blue["price"], blue["brand"], blue["unit"], blue["tags"], blue["kind"]) == (
        "9.00", "Own", "ml", ["blue"], "product")
    assert blue["package_size"] == {"value": 500, "unit": "ml"}
    assert (blue["supplier"], blue["category"], blue["description"]) == ("Acme Supply", category, "Acrylic")
    assert ledger_explains_the_stock(workspace)


def test_a_variants_name_defaults_to_the_parents_name_and_its_attribute_values(api, workspace):
    parent_with_variants(api, "SHIRT", [
        {"sku": "SHIRT-M-RED", "attributes": {"size": "M", "colour": "red"}},
        {"sku": "SHIRT-PLAIN"},
        {"sku": "SHIRT-NAMED", "attributes": {"size": "L"}, "name": "Big shirt"},
    ], name="Shirt")
    assert get(api, "SHIRT-M-RED")["name"] == "Shirt / M / red"
    assert get(api, "SHIRT-PLAIN")["name"] == "Shirt / SHIRT-PLAIN"
    assert get(api, "SHIRT-NAMED")["name"] == "Big shirt"
    added = created(api.post("/v1/items/SHIRT/variants", json={"sku": "SHIRT-XL", "attributes": {"size": "XL"}}))
    assert added["name"] == "Shirt / XL"
    assert ledger_explains_the_stock(workspace)


def test_initial_stock_of_variants_is_recorded_and_summed_on_the_parent(api, workspace):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    parent = parent_with_variants(api, "MUG", [
        {"sku": "MUG-RED", "attributes": {"colour": "red"},
         "initial_stock": [{"location": "Main", "quantity": 5}, {"location": "Shop", "quantity": 2}]},
        {"sku": "MUG-BLUE", "attributes": {"colour": "blue"}, "initial_stock": [{"quantity": 3, "unit_cost": "1.20"}]},
    ], name="Mug")
    assert (parent["on_hand"], parent["available"]) == (10, 10)
    assert (get(api, "MUG-RED")["on_hand"], get(api, "MUG-BLUE")["on_hand"]) == (7, 3)
    assert per_location(get(api, "MUG")) == {"Main": (8, 0, 8, "normal"), "Shop": (2, 0, 2, "normal")}
    moves = api.get("/v1/stock/movements", params={"order": "asc"}).json()["data"]
    assert sorted((m["sku"], m["reason"], m["delta"]) for m in moves) == [
        ("MUG-BLUE", "initial", 3), ("MUG-RED", "initial", 2), ("MUG-RED", "initial", 5)]
    assert get(api, "MUG-BLUE")["average_cost"] == "1.20"
    assert ledger_explains_the_stock(workspace)


def test_two_variants_with_the_same_attributes_are_refused_and_nothing_is_created(api, workspace):
    r = api.post("/v1/items", json={"sku": "CAP", "name": "Cap", "variants": [
        {"sku": "CAP-1", "attributes": {"size": "M", "colour": "red"}},
        {"sku": "CAP-2", "attributes": {"colour": "red", "size": "M"}},  # the same, in another order
    ]})
    assert error(r) == (409, "DUPLICATE_VARIANT")
    assert is_free(api, "CAP") and is_free(api, "CAP-1") and is_free(api, "CAP-2")
    item(api, "CAP")  # the parent's SKU is still free
    assert ledger_explains_the_stock(workspace)


def test_variants_that_differ_in_one_attribute_value_are_not_duplicates(api, workspace):
    parent = parent_with_variants(api, "SOCK", [
        {"sku": "SOCK-M-RED", "attributes": {"size": "M", "colour": "red"}},
        {"sku": "SOCK-M-BLUE", "attributes": {"size": "M", "colour": "blue"}},
    ])
    assert parent["variant_count"] == 2
    assert ledger_explains_the_stock(workspace)


def test_a_sku_repeated_inside_the_request_is_refused_and_nothing_is_created(api, workspace):
    location(api, "Main", is_default=True)
    twice = api.post("/v1/items", json={"sku": "HAT", "name": "Hat", "variants": [
        {"sku": "HAT-1", "attributes": {"size": "S"}, "initial_stock": [{"quantity": 1}]},
        {"sku": "HAT-1", "attributes": {"size": "M"}},
    ]})
    assert error(twice) == (409, "DUPLICATE_SKU")
    as_parent = api.post("/v1/items", json={"sku": "HAT", "name": "Hat", "variants": [
        {"sku": "HAT", "attributes": {"size": "S"}},
    ]})
    assert error(as_parent) == (409, "DUPLICATE_SKU")
    assert is_free(api, "HAT") and is_free(api, "HAT-1")
    assert movement_count(api) == 0
    item(api, "HAT")
    assert ledger_explains_the_stock(workspace)


def test_a_variant_sku_already_in_use_is_refused_and_nothing_is_created(api, workspace):
    location(api, "Main", is_default=True)
    existing = item(api, "BAG-RED")
    r = api.post("/v1/items", json={"sku": "BAG", "name": "Bag", "variants": [
        {"sku": "BAG-BLUE", "attributes": {"colour": "blue"}, "initial_stock": [{"quantity": 4}]},
        {"sku": "BAG-RED", "attributes": {"colour": "red"}},
    ]})
    assert error(r) == (409, "DUPLICATE_SKU")
    assert is_free(api, "BAG") and is_free(api, "BAG-BLUE")
    assert movement_count(api) == 0
    assert get(api, "BAG-RED")["id"] == existing["id"]
    assert get(api, "BAG-RED")["parent"] is None
    item(api, "BAG")
    assert ledger_explains_the_stock(workspace)


def test_a_parent_sku_already_in_use_is_refused_and_no_variant_is_created(api, workspace):
    item(api, "BELT")
    r = api.post("/v1/items", json={"sku": "BELT", "name": "Belt", "variants": [{"sku": "BELT-90"}]})
    assert error(r) == (409, "DUPLICATE_SKU")
    assert is_free(api, "BELT-90")
    assert ledger_explains_the_stock(workspace)


def test_initial_stock_on_a_parent_with_variants_is_refused(api, workspace):
    location(api, "Main", is_default=True)
    r = api.post("/v1/items", json={"sku": "JAR", "name": "Jar", "initial_stock": [{"quantity": 5}],
                                    "variants": [{"sku": "JAR-1", "attributes": {"size": "1l"}}]})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert is_free(api, "JAR") and is_free(api, "JAR-1")
    assert movement_count(api) == 0


def test_initial_stock_of_an_untracked_variant_is_not_stockable_and_creates_nothing(api, workspace):
    location(api, "Main", is_default=True)
    r = api.post("/v1/items", json={"sku": "REPAIR", "name": "Repair", "tracking": "none", "variants": [
        {"sku": "REPAIR-1H", "attributes": {"length": "1h"}, "initial_stock": [{"quantity": 1}]}]})
    assert error(r) == (422, "NOT_STOCKABLE")
    assert is_free(api, "REPAIR") and is_free(api, "REPAIR-1H")
    assert movement_count(api) == 0


def test_a_bundle_cannot_be_created_with_variants(api, workspace):
    r = api.post("/v1/items", json={"sku": "KIT", "name": "Kit", "tracking": "bundle",
                                    "variants": [{"sku": "KIT-1", "attributes": {"size": "S"}}]})
    assert r.status_code == 422
    assert is_free(api, "KIT") and is_free(api, "KIT-1")


def test_initial_stock_without_the_stock_write_scope_is_forbidden_and_creates_nothing(api, workspace):
    location(api, "Main", is_default=True)
    catalog = workspace.key_with("items:write")
    r = catalog.post("/v1/items", json={"sku": "PEN", "name": "Pen", "variants": [
        {"sku": "PEN-BLACK", "attributes": {"ink": "black"}, "initial_stock": [{"quantity": 10}]},
    ]})
    assert error(r) == (403, "INSUFFICIENT_SCOPE")
    plain = catalog.post("/v1/items", json={"sku": "INK", "name": "Ink", "initial_stock": [{"quantity": 10}]})
    assert error(plain) == (403, "INSUFFICIENT_SCOPE")
    assert is_free(api, "PEN") and is_free(api, "PEN-BLACK") and is_free(api, "INK")
    assert movement_count(api) == 0
    # Without initial_stock the same key may create them.
    assert catalog.post("/v1/items", json={"sku": "PEN", "name": "Pen", "variants": [
        {"sku": "PEN-BLACK", "attributes": {"ink": "black"}}]}).status_code == 201
    assert ledger_explains_the_stock(workspace)


def test_a_variant_added_with_initial_stock_needs_the_stock_write_scope(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "CUP")
    catalog = workspace.key_with("items:write")
    r = catalog.post("/v1/items/CUP/variants", json={"sku": "CUP-S", "initial_stock": [{"quantity": 3}]})
    assert error(r) == (403, "INSUFFICIENT_SCOPE")
    assert is_free(api, "CUP-S")
    assert get(api, "CUP")["has_variants"] is False
    assert movement_count(api) == 0
    assert ledger_explains_the_stock(workspace)


# Adding variants one at a time


def test_adding_a_variant_makes_the_item_a_parent(api, workspace):
    shoe = item(api, "SHOE", name="Shoe", price="50.00")
    assert shoe["has_variants"] is False
    variant = created(api.post("/v1/items/SHOE/variants", json={"sku": "SHOE-42", "attributes": {"size": 42}}))
    assert variant["parent"] == shoe["id"]
    assert variant["name"] == "Shoe / 42"
    assert variant["price"] == "50.00"
    created(api.post(f"/v1/items/{shoe['id']}/variants", json={"sku": "SHOE-43", "attributes": {"size": 43}}))
    parent = get(api, "SHOE")
    assert parent["has_variants"] is True
    assert parent["variant_count"] == 2
    assert sorted(v["sku"] for v in parent["variants"]) == ["SHOE-42", "SHOE-43"]
    assert ledger_explains_the_stock(workspace)


def test_the_variants_of_an_item_are_listed_as_a_page_of_full_items(api, workspace):
    parent = parent_with_variants(api, "LAMP", [
        {"sku": "LAMP-W", "attributes": {"light": "warm"}},
        {"sku": "LAMP-C", "attributes": {"light": "cold"}},
    ], price="20.00")
    item(api, "OTHER")
    for ref in ("LAMP", parent["id"]):
        r = api.get(f"/v1/items/{ref}/variants")
        assert r.status_code == 200, r.text
        body = r.json()
        assert sorted(v["sku"] for v in body["data"]) == ["LAMP-C", "LAMP-W"]
        assert body["meta"]["total"] == 2
        assert all(v["parent"] == parent["id"] and v["price"] == "20.00" for v in body["data"])
    first = api.get("/v1/items/LAMP/variants", params={"limit": 1}).json()
    assert len(first["data"]) == 1 and first["meta"]["has_more"] is True
    assert api.get("/v1/items/OTHER/variants").json()["data"] == []
    assert error(api.get(f"/v1/items/{MISSING_ID}/variants")) == (404, "ITEM_NOT_FOUND")


def test_a_variant_can_be_added_with_its_initial_stock(api, workspace):
    location(api, "Main", is_default=True)
    parent = parent_with_variants(api, "BOX", [{"sku": "BOX-S", "attributes": {"size": "S"},
                                                "initial_stock": [{"quantity": 2}]}])
    variant = created(api.post("/v1/items/BOX/variants", json={
        "sku": "BOX-L", "attributes": {"size": "L"}, "initial_stock": [{"location": "Main", "quantity": 5}]}))
    assert variant["on_hand"] == 5
    assert get(api, parent["id"])["on_hand"] == 7
    assert ledger_explains_the_stock(workspace)


def test_an_item_with_stock_movements_of_its_own_cannot_get_variants(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "BOTTLE")
    assert adjust(api, "BOTTLE", "receipt", 3).status_code == 201
    assert adjust(api, "BOTTLE", "sale", -3).status_code == 201  # empty again, but it has a history
    r = api.post("/v1/items/BOTTLE/variants", json={"sku": "BOTTLE-1L", "attributes": {"size": "1l"}})
    assert error(r) == (409, "INVALID_STATE")
    assert is_free(api, "BOTTLE-1L")
    assert get(api, "BOTTLE")["has_variants"] is False
    assert ledger_explains_the_stock(workspace)


def test_a_variant_cannot_have_variants_of_its_own(api, workspace):
    parent_with_variants(api, "COAT", [{"sku": "COAT-M", "attributes": {"size": "M"}}])
    r = api.post("/v1/items/COAT-M/variants", json={"sku": "COAT-M-RED", "attributes": {"colour": "red"}})
    assert r.status_code == 422
    assert is_free(api, "COAT-M-RED")
    assert get(api, "COAT-M")["has_variants"] is False


def test_a_bundle_cannot_get_variants(api, workspace):
    item(api, "GIFT", tracking="bundle")
    r = api.post("/v1/items/GIFT/variants", json={"sku": "GIFT-BIG", "attributes": {"size": "big"}})
    assert r.status_code == 422
    assert is_free(api, "GIFT-BIG")
    assert get(api, "GIFT")["has_variants"] is False


def test_an_item_with_a_reservation_of_its_own_cannot_get_variants(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "SERVICE", tracking="none")
    created(api.post("/v1/reservations", json={"item": "SERVICE", "location": "Main", "quantity": 1}))
    r = api.post("/v1/items/SERVICE/variants", json={"sku": "SERVICE-1H", "attributes": {"length": "1h"}})
    assert error(r) == (409, "INVALID_STATE")
    assert is_free(api, "SERVICE-1H")
    assert get(api, "SERVICE")["has_variants"] is False


def test_a_component_of_a_bundle_cannot_become_a_parent(api, workspace):
    # A parent holds no stock of its own, so a bundle made of it would make up nothing; the
    # components endpoint refuses a parent as a component (NOT_STOCKABLE) for that reason.
    location(api, "Main", is_default=True)
    item(api, "CANDLE")
    item(api, "CANDLESET", tracking="bundle")
    assert api.put("/v1/items/CANDLESET/components", json=[{"item": "CANDLE", "quantity": 1}]).status_code == 200
    r = api.post("/v1/items/CANDLE/variants", json={"sku": "CANDLE-RED", "attributes": {"colour": "red"},
                                                     "initial_stock": [{"quantity": 3}]})
    assert r.status_code == 422, r.text
    assert error(r) == (422, "NOT_STOCKABLE")
    assert is_free(api, "CANDLE-RED")
    assert get(api, "CANDLE")["has_variants"] is False
    assert ledger_explains_the_stock(workspace)


def test_an_item_with_a_bill_of_materials_cannot_become_a_parent(api, workspace):
    # A parent may not have a bill of materials (PUT …/components on a parent is NOT_STOCKABLE).
    item(api, "TABLE")
    item(api, "LEG")
    assert api.put("/v1/items/TABLE/components", json=[{"item": "LEG", "quantity": 4}]).status_code == 200
    r = api.post("/v1/items/TABLE/variants", json={"sku": "TABLE-OAK", "attributes": {"wood": "oak"}})
    assert r.status_code == 422, r.text
    assert error(r) == (422, "NOT_STOCKABLE")
    assert is_free(api, "TABLE-OAK")
    assert get(api, "TABLE")["has_variants"] is False


def test_a_variant_cannot_be_a_bundle(api, workspace):
    item(api, "TRAY")
    r = api.post("/v1/items/TRAY/variants", json={"sku": "TRAY-SET", "tracking": "bundle"})
    assert r.status_code == 422
    assert is_free(api, "TRAY-SET")


def test_an_added_variant_with_the_attributes_of_a_sibling_is_a_duplicate_variant(api, workspace):
    parent_with_variants(api, "SCARF", [{"sku": "SCARF-RED", "attributes": {"colour": "red"}}])
    r = api.post("/v1/items/SCARF/variants", json={"sku": "SCARF-RED-2", "attributes": {"colour": "red"}})
    assert error(r) == (409, "DUPLICATE_VARIANT")
    assert is_free(api, "SCARF-RED-2")
    assert get(api, "SCARF")["variant_count"] == 1


def test_an_added_variant_with_a_sku_in_use_is_a_duplicate_sku(api, workspace):
    item(api, "GLOVE")
    item(api, "TAKEN")
    r = api.post("/v1/items/GLOVE/variants", json={"sku": "TAKEN", "attributes": {"size": "S"}})
    assert error(r) == (409, "DUPLICATE_SKU")
    assert get(api, "TAKEN")["parent"] is None
    assert get(api, "GLOVE")["has_variants"] is False
    assert get(api, "GLOVE")["variant_count"] == 0


# A parent's quantities: the sums of its variants


def test_a_variant_sale_lowers_the_parents_quantities_and_its_status_follows_the_parents_thresholds(api, workspace):
    location(api, "Main", is_default=True)
    parent_with_variants(api, "VASE", [
        {"sku": "VASE-S", "attributes": {"size": "S"}, "initial_stock": [{"quantity": 6}]},
        {"sku": "VASE-L", "attributes": {"size": "L"}, "initial_stock": [{"quantity": 6}]},
    ], reorder_point=10, safety_stock=3)
    assert quantities(get(api, "VASE")) == (12, 0, 12, "normal")
    assert adjust(api, "VASE-S", "sale", -4).status_code == 201
    assert quantities(get(api, "VASE")) == (8, 0, 8, "low")
    assert quantities(get(api, "VASE-S")) == (2, 0, 2, "normal")  # the variant's own thresholds are 0
    assert adjust(api, "VASE-L", "sale", -6).status_code == 201
    assert quantities(get(api, "VASE")) == (2, 0, 2, "critical")
    assert adjust(api, "VASE-S", "sale", -2).status_code == 201
    assert quantities(get(api, "VASE")) == (0, 0, 0, "out_of_stock")
    listed = api.get("/v1/items", params={"sku": "VASE"}).json()["data"][0]
    assert quantities(listed) == (0, 0, 0, "out_of_stock")
    assert api.get("/v1/items", params={"status": "out_of_stock", "sku": "VASE"}).json()["meta"]["total"] == 1
    assert ledger_explains_the_stock(workspace)


def test_changing_a_parents_thresholds_recomputes_its_status_from_its_variants_sums(api, workspace):
    location(api, "Main", is_default=True)
    parent_with_variants(api, "TOWEL", [
        {"sku": "TOWEL-S", "attributes": {"size": "S"}, "initial_stock": [{"quantity": 12}]},
    ])
    assert quantities(get(api, "TOWEL")) == (12, 0, 12, "normal")
    r = api.patch("/v1/items/TOWEL", json={"reorder_point": 20})
    assert r.status_code == 200, r.text
    assert quantities(r.json()) == (12, 0, 12, "low")
    assert quantities(get(api, "TOWEL")) == (12, 0, 12, "low")
    assert get(api, "TOWEL-S")["status"] == "normal"
    assert api.patch("/v1/items/TOWEL", json={"safety_stock": 15}).json()["status"] == "critical"
    assert ledger_explains_the_stock(workspace)


def test_reserving_a_variant_raises_the_parents_reserved_and_lowers_its_available(api, workspace):
    location(api, "Main", is_default=True)
    parent_with_variants(api, "CLOCK", [
        {"sku": "CLOCK-GOLD", "attributes": {"finish": "gold"}, "initial_stock": [{"quantity": 5}]},
        {"sku": "CLOCK-STEEL", "attributes": {"finish": "steel"}, "initial_stock": [{"quantity": 5}]},
    ], reorder_point=6)
    reservation = created(api.post("/v1/reservations", json={"item": "CLOCK-GOLD", "location": "Main", "quantity": 4}))
    parent = get(api, "CLOCK")
    assert quantities(parent) == (10, 4, 6, "low")
    gold = next(v for v in parent["variants"] if v["sku"] == "CLOCK-GOLD")
    assert (gold["on_hand"], gold["reserved"], gold["available"]) == (5, 4, 1)
    assert per_location(parent) == {"Main": (10, 4, 6, "low")}
    fulfilled = api.post(f"/v1/reservations/{reservation['id']}/fulfil", json={"quantity": 1})
    assert fulfilled.status_code == 200, fulfilled.text
    assert quantities(get(api, "CLOCK")) == (9, 3, 6, "low")
    assert api.post(f"/v1/reservations/{reservation['id']}/release").status_code == 200
    assert quantities(get(api, "CLOCK")) == (9, 0, 9, "normal")
    assert ledger_explains_the_stock(workspace)


def test_a_transfer_of_a_variant_moves_the_parents_stock_between_locations(api, workspace):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    parent_with_variants(api, "RUG", [
        {"sku": "RUG-RED", "attributes": {"colour": "red"}, "initial_stock": [{"location": "Main", "quantity": 8}]},
        {"sku": "RUG-BLUE", "attributes": {"colour": "blue"}, "initial_stock": [{"location": "Shop", "quantity": 1}]},
    ])
    r = api.post("/v1/stock/transfers", json={"item": "RUG-RED", "from": "Main", "to": "Shop", "quantity": 3})
    assert r.status_code == 201, r.text
    parent = get(api, "RUG")
    assert quantities(parent) == (9, 0, 9, "normal")
    assert per_location(parent) == {"Main": (5, 0, 5, "normal"), "Shop": (4, 0, 4, "normal")}
    assert ledger_explains_the_stock(workspace)


def test_a_parent_shows_its_variants_levels_summed_per_location_and_its_variants(api, workspace):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    parent = parent_with_variants(api, "PLANT", [
        {"sku": "PLANT-S", "attributes": {"size": "S"}, "price": "4.00",
         "initial_stock": [{"location": "Main", "quantity": 3}, {"location": "Shop", "quantity": 1}]},
        {"sku": "PLANT-L", "attributes": {"size": "L"}, "safety_stock": 5,
         "initial_stock": [{"location": "Main", "quantity": 2}]},
    ], price="9.00", reorder_point=4, safety_stock=1)
    created(api.post("/v1/reservations", json={"item": "PLANT-S", "location": "Shop", "quantity": 1}))
    body = get(api, "PLANT")
    assert quantities(body) == (6, 1, 5, "normal")
    # Per-location status from the parent's thresholds: 5 available > 4; 0 available.
    assert per_location(body) == {"Main": (5, 0, 5, "normal"), "Shop": (1, 1, 0, "out_of_stock")}
    small = get(api, "PLANT-S")
    large = get(api, "PLANT-L")
    # The parent and its variants are numbered together, in the order they were listed.
    assert (body["number"], small["number"], large["number"]) == (1, 2, 3)
    assert sorted(body["variants"], key=lambda v: v["sku"]) == [
        {"id": large["id"], "number": large["number"], "sku": "PLANT-L", "name": large["name"],
         "attributes": {"size": "L"}, "on_hand": 2, "reserved": 0, "available": 2, "status": "critical",
         "price": "9.00"},
        {"id": small["id"], "number": small["number"], "sku": "PLANT-S", "name": small["name"],
         "attributes": {"size": "S"}, "on_hand": 4, "reserved": 1, "available": 3, "status": "normal", "price": "4.00"},
    ]
    assert body["components"] == []
    # Lists leave out what only a single item shows.
    listed = api.get("/v1/items", params={"sku": "PLANT"}).json()["data"][0]
    assert listed["id"] == parent["id"]
    assert listed.get("variants") is None and listed.get("locations") is None
    assert ledger_explains_the_stock(workspace)


def test_a_parent_cannot_be_adjusted_reserved_or_transferred(api, workspace):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    parent_with_variants(api, "DESK", [
        {"sku": "DESK-OAK", "attributes": {"wood": "oak"}, "initial_stock": [{"quantity": 4}]},
    ])
    before = movement_count(api)
    for reason, delta in (("receipt", 1), ("sale", -1)):
        assert error(adjust(api, "DESK", reason, delta)) == (422, "NOT_STOCKABLE")
    counted = api.post("/v1/stock/adjustments", json={"item": "DESK", "location": "Main", "reason": "count", "set": 0})
    assert error(counted) == (422, "NOT_STOCKABLE")
    reserved = api.post("/v1/reservations", json={"item": "DESK", "location": "Main", "quantity": 1})
    assert error(reserved) == (422, "NOT_STOCKABLE")
    moved = api.post("/v1/stock/transfers", json={"item": "DESK", "from": "Main", "to": "Shop", "quantity": 1})
    assert error(moved) == (422, "NOT_STOCKABLE")
    assert movement_count(api) == before
    assert quantities(get(api, "DESK")) == (4, 0, 4, "normal")
    assert api.get("/v1/reservations").json()["data"] == []
    assert ledger_explains_the_stock(workspace)


def test_the_stock_list_shows_variants_not_their_parents(api, workspace):
    location(api, "Main", is_default=True)
    parent_with_variants(api, "FAN", [
        {"sku": "FAN-W", "attributes": {"colour": "white"}, "initial_stock": [{"quantity": 2}]},
        {"sku": "FAN-B", "attributes": {"colour": "black"}},
    ])
    item(api, "SOLO")
    r = api.get("/v1/stock")
    assert r.status_code == 200, r.text
    assert [row["sku"] for row in r.json()["data"]] == ["FAN-B", "FAN-W", "SOLO"]
    assert api.get("/v1/stock", params={"sku": "FAN"}).json()["data"] == []


def test_the_stock_of_a_parent_is_its_variants_summed(api, workspace):
    main = location(api, "Main", is_default=True)
    shop = location(api, "Shop")
    parent = parent_with_variants(api, "BENCH", [
        {"sku": "BENCH-1", "attributes": {"seats": 1},
         "initial_stock": [{"location": "Main", "quantity": 4}, {"location": "Shop", "quantity": 1}]},
        {"sku": "BENCH-2", "attributes": {"seats": 2}, "initial_stock": [{"location": "Main", "quantity": 3}]},
    ], reorder_point=5)
    created(api.post("/v1/reservations", json={"item": "BENCH-2", "location": "Main", "quantity": 2}))
    for ref in ("BENCH", parent["id"]):
        r = api.get(f"/v1/stock/{ref}")
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["item"], body["sku"]) == (parent["id"], "BENCH")
        assert (body["on_hand"], body["reserved"], body["available"], body["status"]) == (8, 2, 6, "normal")
        assert [(lv["location"], lv["on_hand"], lv["reserved"], lv["available"], lv["status"])
                for lv in body["locations"]] == [(main["id"], 7, 2, 5, "low"), (shop["id"], 1, 0, 1, "low")]
    assert ledger_explains_the_stock(workspace)


def test_a_variant_naming_an_unknown_category_or_tax_rate_is_not_found_and_nothing_is_created(api):
    real = created(api.post("/v1/categories", json={"name": "Real"}))["id"]
    for field, code in (("category", "CATEGORY_NOT_FOUND"), ("tax_rate", "TAX_RATE_NOT_FOUND")):
        unknown = "cat_01J0000000000000000000000A" if field == "category" else "tax_01J0000000000000000000000A"
        r = api.post("/v1/items", json={"sku": f"REF-{field}", "name": "Refs", "category": real, "variants": [
            {"sku": f"REF-{field}-1", "attributes": {"n": 1}},
            {"sku": f"REF-{field}-2", "attributes": {"n": 2}, field: unknown},
            {"sku": f"REF-{field}-3", "attributes": {"n": 3}}]})
        assert error(r) == (404, code)
        assert api.get(f"/v1/items/REF-{field}").status_code == 404
