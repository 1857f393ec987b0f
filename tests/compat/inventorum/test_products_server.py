"""The INVENTORUM products API (seeds 000 + 004) spoken to a real `storekeeper serve` over HTTP,
as a client written against the vendor's documents would: products listed, created (with
variations), read, changed (their variations added, kept and removed), refused; paging,
versions, keys. Their example requests as fixtures, the documented answers' keys and types."""

from __future__ import annotations

from tests.compat.inventorum.speaking import (
    PREFIX,
    PRODUCT,
    SUMMARY,
    VARIATION,
    create,
    pink_tshirt,
    refusal,
    shaped,
)


def test_create_a_product_with_the_documents_request_answers_the_documented_product(vendor, world):
    made = create(vendor, pink_tshirt(world))
    assert shaped(made, PRODUCT)
    assert {k: made[k] for k in ("name", "quantity", "reorder_level", "safety_stock", "price", "gross_price",
                                  "purchase_price", "attributes", "attributes_str", "product_code", "ean", "brand",
                                  "package_size_value", "package_size_unit", "base_price", "base_size_value",
                                  "base_size_unit", "variation_count", "in_shop", "tax_type")} == {
        "name": "Pink t-shirt", "quantity": "200.00", "reorder_level": "75.00", "safety_stock": "50.00",
        "price": "100", "gross_price": "119.00", "purchase_price": "10.50",
        "attributes": {"weight": ["1"], "size": ["S"], "color": ["pink"]}, "attributes_str": "S, pink, 1",
        "product_code": "22222222222222", "ean": "121312121212", "brand": "Nike", "package_size_value": "1.00",
        "package_size_unit": "pc", "base_price": "119.00", "base_size_value": "1", "base_size_unit": "pc",
        "variation_count": 0, "in_shop": False, "tax_type": world["tax"]}
    assert [(c["id"], c["name"]) for c in made["categories"]] == [(world["category"], "Alben")]
    assert vendor.get(f"/api/products/{made['id']}/").json() == made


def test_a_net_price_of_ten_places_round_trips_and_gives_its_round_gross_price(vendor, world):
    made = create(vendor, {"name": "00001 Drink", "tax_type": world["tax"], "price": "4.2016806723", "quantity": 150})
    assert (made["price"], made["gross_price"], made["quantity"]) == ("4.2016806723", "5.00", "150.00")
    again = vendor.get(f"/api/products/{made['id']}/", headers={"X-Api-Version": "10"}).json()
    assert (again["price"], again["gross_price"], again["min_gross_price"]) == ("4.2016806723", "5.00", "5.00")
    changed = vendor.put(f"/api/products/{made['id']}/", json={"price": 0.5042016807}).json()
    assert (changed["price"], changed["gross_price"]) == ("0.5042016807", "0.60")


def test_a_missing_name_and_tax_type_are_refused_as_the_document_shows(vendor, world):
    r = vendor.post("/api/products/", json={"price": 1})
    assert refusal(r) == (400, "common.serializer_error", {"name": ["This field is required."],
                                                          "tax_type": ["This field is required."]})
    assert r.json()["error"]["description"] == "Serialization error"
    r = vendor.post("/api/products/", json={"name": "x", "tax_type": 999999})
    assert refusal(r) == (400, "common.serializer_error", {"tax_type": ["Invalid tax"]})
    not_a_number = vendor.post("/api/products/", json={"name": "x", "tax_type": "MwSt"})
    assert refusal(not_a_number)[:2] == (400, "common.serializer_error") and "tax_type" in refusal(not_a_number)[2]
    too_precise = vendor.post("/api/products/", json={"name": "x", "tax_type": world["tax"], "price": "1.12345678901"})
    assert refusal(too_precise)[:2] == (400, "common.serializer_error")
    assert "price" in refusal(too_precise)[2]


def test_an_unknown_product_is_404_product_not_found(vendor):
    for method, path in (("GET", "/api/products/999999/"), ("GET", "/api/products/itm_01/"),
                         ("GET", "/api/products/0/"), ("GET", "/api/products/99999999999999999999/"),
                         ("PUT", "/api/products/999999/"),
                         ("DELETE", "/api/products/999999/")):
        r = vendor.request(method, path, json={} if method == "PUT" else None)
        assert refusal(r) == (404, "product.not_found", {}), (method, r.text)
        assert r.json()["error"]["description"] is None


def test_the_list_pages_by_page_and_limit_with_total_and_data(served, vendor, world):
    for n in range(3):
        create(vendor, {"name": f"Paged {n}", "tax_type": world["tax"], "product_code": "PAGED"})
    body = vendor.get("/api/products/", params={"limit": 2}).json()
    assert set(body) == {"total", "data"} and len(body["data"]) == 2 and body["total"] >= 3
    assert all(shaped(p, SUMMARY) for p in body["data"])
    pages = [vendor.get("/api/products/", params={"limit": 2, "page": n}).json()["data"] for n in (1, 2)]
    assert not {p["id"] for p in pages[0]} & {p["id"] for p in pages[1]}
    assert len(vendor.get("/api/products/").json()["data"]) == min(40, body["total"])
    assert refusal(vendor.get("/api/products/", params={"limit": 41}))[:2] == (400, "common.serializer_error")
    assert refusal(vendor.get("/api/products/", params={"page": 0}))[:2] == (400, "common.serializer_error")
    moved = vendor.get("/api/products", params={"limit": 1}, follow_redirects=False)
    assert (moved.status_code, moved.headers["location"].split("?")[0]) == (307, served.url + PREFIX + "/api/products/")
    found = vendor.get("/api/products/", params={"search": "paged 1"}).json()
    assert [p["name"] for p in found["data"]] == ["Paged 1"] and found["total"] == 1


def test_v6_filters_by_reorder_and_safety_levels_and_sorts(vendor, world):
    low = create(vendor, {"name": "V6 low", "tax_type": world["tax"], "quantity": 8, "reorder_level": 10,
                          "safety_stock": 3, "product_code": "V6", "price": "4.2016806723"})
    critical = create(vendor, {"name": "V6 critical", "tax_type": world["tax"], "quantity": 2, "reorder_level": 10,
                               "safety_stock": 3, "product_code": "V6", "price": "5.5"})
    v6 = {"X-Api-Version": "6"}
    reorder = vendor.get("/api/products/", params={"filter": "reorder", "search": "V6 "}, headers=v6).json()["data"]
    safety = vendor.get("/api/products/", params={"filter": "safety", "search": "V6 "}, headers=v6).json()["data"]
    assert {p["id"] for p in reorder} == {low["id"], critical["id"]} and [p["id"] for p in safety] == [critical["id"]]
    assert (low["reorder_level_reached"], low["safety_stock_reached"]) == (True, False)
    named = vendor.get("/api/products/", params={"sort": "-name", "search": "V6 "}, headers=v6).json()["data"]
    assert [p["name"] for p in named] == ["V6 low", "V6 critical"]
    assert refusal(vendor.get("/api/products/", params={"filter": "cheap"}, headers=v6))[0] == 400
    by_price = vendor.get("/api/products/", params={"sort": "-price", "search": "V6 "}, headers=v6).json()["data"]
    assert [p["name"] for p in by_price] == ["V6 critical", "V6 low"]
    assert list(refusal(vendor.get("/api/products/", params={"sort": "colour"}, headers=v6))[2]) == ["sort"]


def test_versions_6_7_8_and_10_are_spoken_and_others_refused(vendor):
    for version in ("6", "7", "8", "10"):
        assert vendor.get("/api/products/", params={"limit": 1}, headers={"X-Api-Version": version}).status_code == 200
    status, key, fields = refusal(vendor.get("/api/products/", headers={"X-Api-Version": "9"}))
    assert (status, key, list(fields)) == (400, "common.serializer_error", ["X-Api-Version"])
    assert refusal(vendor.get("/api/products/", headers={"X-Api-Version": "ten"}))[0] == 400


def test_a_product_with_variations_as_the_documents_v8_request(vendor, world):
    body = {"name": "T-shirt", "tax_type": world["tax"], "price": 145.00, "brand": "nike", "variations": [
        {"attributes": {"size": "22", "color": "Red", "material": "Denim"}, "price": 140.00, "quantity": 30,
         "safety_stock": 45, "reorder_level": 40, "purchase_price": 15.99, "tax_type": world["tax"], "ean": "11111",
         "product_code": "99999", "package_size_value": 1, "package_size_unit": "pc"},
        {"attributes": {"size": "50", "color": "Blue", "material": "Leather"}, "quantity": 150, "safety_stock": 5,
         "reorder_level": 10, "purchase_price": 17.99, "price": 100, "tax_type": world["tax"], "ean": "2222222",
         "product_code": "8888888", "package_size_value": 1, "package_size_unit": "pc"}]}
    made = create(vendor, body)
    assert shaped(made, PRODUCT) and all(shaped(v, VARIATION) for v in made["variations"])
    assert (made["quantity"], made["reorder_level"], made["safety_stock"], made["variation_count"]) == (
        "180.00", "40.00", "45.00", 2)
    assert [(v["name"], v["price"], v["gross_price"], v["quantity"], v["attributes"]) for v in made["variations"]] == [
        ("T-shirt, 22, Red, Denim", "140.0000000000", "166.60", "30.00",
         {"size": ["22"], "color": ["Red"], "material": ["Denim"]}),
        ("T-shirt, 50, Blue, Leather", "100.0000000000", "119.00", "150.00",
         {"size": ["50"], "color": ["Blue"], "material": ["Leather"]})]
    assert (made["min_gross_price"], made["max_gross_price"]) == ("119.00", "166.60")
    assert refusal(vendor.post("/api/products/", json=body, headers={"X-Api-Version": "7"}))[0] == 400
    listed = vendor.get("/api/products/", params={"search": "T-shirt, 22"}).json()["data"]
    assert listed == []  # variations are not products of the list


def test_put_changes_only_the_fields_sent_and_quantity_is_a_count_in_the_ledger(served, vendor, world):
    made = create(vendor, pink_tshirt(world, name="Put me", quantity=10))
    r = vendor.put(f"/api/products/{made['id']}/", json={
        "name": "T-shirt", "quantity": 200, "reorder_level": 100, "price": 155.89, "description": "Desc",
        "ean": "aaggagga", "supplier": "Wholesaler inc.", "is_favourite": True, "custom_price": True,
        "attributes": {"color": ["blue"], "material": ["Denim"], "size": ["SM"]}, "variations": []},
        headers={"X-Api-Version": "7"})
    assert r.status_code == 200, r.text
    changed = r.json()
    assert shaped(changed, PRODUCT)
    assert (changed["name"], changed["quantity"], changed["reorder_level"], changed["safety_stock"], changed["price"],
            changed["gross_price"], changed["brand"], changed["is_favourite"], changed["custom_price"],
            changed["attributes_str"]) == (
        "T-shirt", "200.00", "100.00", "50.00", "155.89", "185.51", "Nike", True, True, "SM, blue, Denim")
    with served.v1() as v1:
        item = v1.get(f"/v1/items/{made['inv_id']}").json()
        assert (item["favourite"], item["open_price"], item["barcode"]) == (True, True, "aaggagga")
        moves = v1.get("/v1/stock/movements", params={"item": made["inv_id"], "order": "asc"}).json()["data"]
        assert [(m["reason"], m["delta"]) for m in moves] == [("initial", 10), ("count", 190)]
        pictured = v1.post("/v1/items", json={"sku": "EBAY-PICTURE", "name": "A picture's holder",
                                              "images": [{"url": "https://cdn.example/ebay.png"}]}).json()
    ebay_image = pictured["images"][0]["id"]  # the document's 763101: an image the workspace has
    meta = {"atalanda": {"description": "atalanda desc", "id": 4586506, "name": "atalanda name", "price": 203},
            "shop": {"description": "shop desc", "name": "shop name", "price": 204},
            "ebay": {"description": "ebay desc", "images": [{"id": ebay_image, "new": True}], "name": "ebay name",
                     "price": 200}}
    with_meta = vendor.put(f"/api/products/{made['id']}/", json={"meta": meta}).json()
    assert with_meta["meta"]["shop"] == {"channel": None, "description": "shop desc", "gross_price": "242.76",
                                         "id": None, "images": None, "name": "shop name", "price": "204.0000000000"}
    assert set(with_meta["meta"]) == {"atalanda", "shop", "ebay"} and with_meta["in_shop"] is False
    assert [i["id"] for i in with_meta["meta"]["ebay"]["images"]] == [ebay_image]
    vendor.post(f"/api/products/{made['id']}/shop/")
    kept = vendor.put(f"/api/products/{made['id']}/", json={"meta": {"shop": {"name": None, "price": 10}}}).json()
    assert (kept["in_shop"], kept["meta"]["shop"]["name"], kept["meta"]["shop"]["price"]) == (
        True, None, "10.0000000000")
    assert kept["meta"]["ebay"]["name"] == "ebay name"
    bad = vendor.put(f"/api/products/{made['id']}/", json={"tax_type": 999999,
                                                            "name": "Never"})
    assert refusal(bad) == (400, "common.serializer_error", {"tax_type": ["Invalid tax"]})
    assert vendor.get(f"/api/products/{made['id']}/").json()["name"] == "T-shirt"  # nothing written


def test_keys_and_scopes_as_the_vendor_uses_them(served, vendor, world):
    with served.vendor(PREFIX, {}) as anonymous:
        assert refusal(anonymous.get("/api/products/"))[:2] == (401, "common.not_authenticated")
    reader = served.key_with("items:read", name="reader")
    with served.vendor(PREFIX, {"Authorization": f"Bearer {reader}"}) as read_only:
        assert read_only.get("/api/products/").status_code == 200
        r = read_only.post("/api/products/", json={"name": "No", "tax_type": world["tax"]})
        assert refusal(r)[:2] == (403, "common.permission_denied")


def test_put_with_variations_keeps_those_with_an_id_adds_the_others_and_deletes_the_rest(served, vendor, world):
    made = create(vendor, {"name": "Simplest Product", "price": 4.20, "tax_type": world["tax"], "variations": [
        {"attributes": {"size": "22", "color": "Blue", "material": "Denim"}, "quantity": 5},
        {"attributes": {"size": "22", "color": "Red", "material": "Denim"}, "quantity": 7}]})
    blue, red = (v["id"] for v in made["variations"])
    r = vendor.put(f"/api/products/{made['id']}/", json={"name": "Simplest Product", "variations": [
        {"id": blue, "attributes": {"size": "22", "color": "Blue", "material": "Denim"}, "quantity": 9},
        {"attributes": {"size": "22", "color": "Green", "material": "Denim"}, "price": 4.20,
         "tax_type": world["tax"], "quantity": 2}]})
    assert r.status_code == 200, r.text
    changed = r.json()
    assert shaped(changed, PRODUCT) and all(shaped(v, VARIATION) for v in changed["variations"])
    assert changed["id"] == made["id"] and changed["quantity"] == "11.00" and changed["variation_count"] == 2
    assert [(v["id"] == blue, v["name"], v["quantity"]) for v in changed["variations"]] == [
        (True, "Simplest Product, 22, Blue, Denim", "9.00"), (False, "Simplest Product, 22, Green, Denim", "2.00")]
    assert red in vendor.get("/api/products/delta/deleted/").json()["data"]
    assert refusal(vendor.get(f"/api/products/{red}/"))[:2] == (404, "product.not_found")
    with served.v1() as v1:
        blue_item = v1.get(f"/v1/items/{made['inv_id']}").json()["variants"][0]["id"]
    # The document's "Converting one product with variation into a product without variations".
    alone = vendor.put(f"/api/products/{made['id']}/", json={"name": "Renamed", "variations": [{"id": blue}]})
    assert alone.status_code == 200, alone.text
    assert (alone.json()["id"], alone.json()["name"], alone.json()["quantity"], alone.json()["variation_count"]) == (
        blue, "Renamed", "9.00", 0)
    assert made["id"] in vendor.get("/api/products/delta/deleted/").json()["data"]
    assert blue in [p["id"] for p in vendor.get("/api/products/", params={"search": "Renamed"}).json()["data"]]
    with served.v1() as v1:
        moves = v1.get("/v1/stock/movements", params={"item": blue_item, "order": "asc"}).json()
        assert v1.get(f"/v1/items/{blue_item}").json()["parent"] is None
    assert [(m["reason"], m["delta"]) for m in moves["data"]] == [("initial", 5), ("count", 4)]
    checked = served.server.cli("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_put_with_variations_is_refused_whole_without_an_id_or_with_a_stranger(vendor, world):
    made = create(vendor, {"name": "Strict", "tax_type": world["tax"], "variations": [
        {"attributes": {"size": "S"}}, {"attributes": {"size": "M"}}]})
    other = create(vendor, {"name": "Other", "tax_type": world["tax"]})
    for variations in ([{"attributes": {"size": "L"}}], [{"id": other["id"]}],
                       [{"id": made["variations"][0]["id"], "attributes": {"size": "M"}},
                        {"attributes": {"size": "M"}}]):
        r = vendor.put(f"/api/products/{made['id']}/", json={"name": "Never", "variations": variations})
        assert r.status_code in (400, 409), r.text
    after = vendor.get(f"/api/products/{made['id']}/").json()
    assert after["name"] == "Strict" and [v["attributes"] for v in after["variations"]] == [
        {"size": ["S"]}, {"size": ["M"]}]
    for variations in ([{"attributes": {"size": "L"}}], [{"id": made["id"]}, {"attributes": {"size": "L"}}]):
        plain = vendor.put(f"/api/products/{other['id']}/", json={"variations": variations})
        assert refusal(plain)[:2] == (400, "common.serializer_error")
    assert vendor.get(f"/api/products/{other['id']}/").json()["variation_count"] == 0


def test_a_product_given_variations_becomes_one_of_them_under_a_new_product(served, vendor, world):
    """The document's "Adding and removing variations", case 1."""
    original = create(vendor, {"name": "Simplest Product", "price": 4.20, "tax_type": world["tax"], "quantity": 3})
    r = vendor.put(f"/api/products/{original['id']}/", json={"name": "Simplest Product", "variations": [
        {"id": original["id"], "attributes": {"size": "22", "color": "Blue", "material": "Denim"}},
        {"attributes": {"size": "22", "color": "Red", "material": "Denim"}, "price": 4.20, "tax_type": world["tax"],
         "quantity": 4}]})
    assert r.status_code == 200, r.text
    clone = r.json()
    assert shaped(clone, PRODUCT) and clone["id"] != original["id"]
    assert (clone["name"], clone["price"], clone["quantity"], clone["variation_count"]) == (
        "Simplest Product", "4.2", "7.00", 2)
    assert [(v["id"] == original["id"], v["name"], v["quantity"]) for v in clone["variations"]] == [
        (True, "Simplest Product, 22, Blue, Denim", "3.00"), (False, "Simplest Product, 22, Red, Denim", "4.00")]
    listed = [p["id"] for p in vendor.get("/api/products/", params={"search": "Simplest Product"}).json()["data"]]
    assert clone["id"] in listed and original["id"] not in listed
    with served.v1() as v1:
        item = v1.get(f"/v1/items/{original['inv_id']}").json()
        assert (item["parent"], item["on_hand"]) == (clone["inv_id"], 3)
        moves = v1.get("/v1/stock/movements", params={"item": original["inv_id"]}).json()["data"]
        assert [(m["reason"], m["delta"]) for m in moves] == [("initial", 3)]  # its history stays its own
    checked = served.server.cli("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_product_is_in_every_category_it_names_in_their_order(vendor, world, served):
    with served.v1() as v1:
        gifts, summer = (v1.post("/v1/categories", json={"name": name}).json() for name in ("Gifts", "Summer"))
    made = create(vendor, {"name": "Two places", "tax_type": world["tax"], "price": 1,
                           "categories": [{"id": world["category"]}, {"id": gifts["number"]}]})
    assert [(c["id"], c["name"]) for c in made["categories"]] == [(world["category"], "Alben"),
                                                                 (gifts["number"], "Gifts")]
    changed = vendor.put(f"/api/products/{made['id']}/", json={
        "categories": [{"id": summer["number"]}, {"id": world["category"]}]})
    assert changed.status_code == 200, changed.text
    assert [c["id"] for c in changed.json()["categories"]] == [summer["number"], world["category"]]
    with served.v1() as v1:  # the same item, seen through /v1
        in_summer = v1.get("/v1/items", params={"category": summer["id"]}).json()["data"]
        assert [i["number"] for i in in_summer] == [made["id"]]
        assert in_summer[0]["category"] == summer["id"] and len(in_summer[0]["categories"]) == 2
    r = vendor.put(f"/api/products/{made['id']}/", json={"categories": [{"id": 999999}]})
    assert refusal(r)[:1] == (400,) and r.json()["error"]["fields"] == {"categories": ["Invalid category"]}
    assert [c["id"] for c in vendor.get(f"/api/products/{made['id']}/").json()["categories"]] == [
        summer["number"], world["category"]]
