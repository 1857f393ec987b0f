"""The items' trash (SPEC §3 Items): DELETE moves an item (a parent with its variants) to the
trash, POST …/restore brings it back within the workspace's trash_retention_days, the worker
purges it afterwards, and GET /v1/items/deleted tells sync clients what went. Stock stays
recorded while an item is in the trash; parents and bundles show what their live parts make up."""

from __future__ import annotations

import time
from datetime import timedelta

from storekeeper.domain.clock import utcnow
from storekeeper.services.check import check
from storekeeper.services.trash import purge_expired
from tests.factories import error, item, location


def created(r) -> dict:
    assert r.status_code == 201, r.text
    return r.json()


def get(api, ref: str) -> dict:
    r = api.get(f"/v1/items/{ref}")
    assert r.status_code == 200, r.text
    return r.json()


def delete(api, ref: str, **kwargs) -> None:
    r = api.delete(f"/v1/items/{ref}", **kwargs)
    assert r.status_code == 204, r.text


def restore(api, ref: str):
    return api.post(f"/v1/items/{ref}/restore")


def restored(api, ref: str) -> dict:
    r = restore(api, ref)
    assert r.status_code == 200, r.text
    return r.json()


def is_gone(api, ref: str) -> bool:
    return error(api.get(f"/v1/items/{ref}")) == (404, "ITEM_NOT_FOUND")


def skus(api, **params) -> list[str]:
    r = api.get("/v1/items", params={"sort": "sku", **params})
    assert r.status_code == 200, r.text
    return [i["sku"] for i in r.json()["data"]]


def in_trash(api) -> list[str]:
    return skus(api, deleted="true")


def parent_with_variants(api, sku: str, variants: list[dict], **fields) -> dict:
    fields.setdefault("name", f"Item {sku}")
    return created(api.post("/v1/items", json={"sku": sku, "variants": variants, **fields}))


def receive(api, sku: str, quantity, where: str = "Main") -> None:
    created(api.post("/v1/stock/adjustments",
                     json={"item": sku, "location": where, "reason": "receipt", "delta": quantity}))


def quantities(body: dict) -> tuple:
    return body["on_hand"], body["reserved"], body["available"], body["status"]


def set_retention(api, days: int) -> None:
    r = api.patch("/v1/workspace", json={"settings": {"trash_retention_days": days}})
    assert r.status_code == 200, r.text


def deleted_page(api, **params) -> dict:
    r = api.get("/v1/items/deleted", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def ledger_explains_the_stock(workspace) -> bool:
    return check(workspace.db, workspace.id)[1] == []


# Plain items


def test_a_deleted_item_can_be_restored_by_id(api, workspace):
    lamp = item(api, "LAMP", name="Lamp", price="12.00", tags=["light"])
    delete(api, lamp["id"])
    assert is_gone(api, "LAMP")
    assert in_trash(api) == ["LAMP"]
    body = restored(api, lamp["id"])
    assert (body["id"], body["sku"], body["name"], body["price"], body["tags"]) == (
        lamp["id"], "LAMP", "Lamp", "12.00", ["light"])
    assert body["deleted_at"] is None
    assert body["locations"] == [] and body["components"] == []
    assert get(api, "LAMP")["id"] == lamp["id"]
    assert in_trash(api) == []
    assert skus(api) == ["LAMP"]
    assert ledger_explains_the_stock(workspace)


def test_a_deleted_item_can_be_restored_by_its_sku(api, workspace):
    chair = item(api, "CHAIR")
    delete(api, "CHAIR")
    assert restored(api, "CHAIR")["id"] == chair["id"]
    assert get(api, "CHAIR")["deleted_at"] is None
    assert ledger_explains_the_stock(workspace)


def test_a_live_item_is_not_in_the_trash_to_restore(api, workspace):
    item(api, "LIVE")
    assert error(restore(api, "LIVE")) == (404, "ITEM_NOT_FOUND")
    assert error(restore(api, "itm_01J0000000000000000000000A")) == (404, "ITEM_NOT_FOUND")


def test_restoring_is_refused_when_the_sku_was_given_to_another_item_meanwhile(api, workspace):
    old = item(api, "KETTLE", name="Old kettle")
    delete(api, old["id"])
    new = item(api, "KETTLE", name="New kettle")
    for ref in (old["id"], "KETTLE"):
        assert error(restore(api, ref)) == (409, "DUPLICATE_SKU")
    assert get(api, "KETTLE")["id"] == new["id"]
    assert in_trash(api) == ["KETTLE"]
    # Once the new item has another SKU, the old one comes back.
    assert api.patch(f"/v1/items/{new['id']}", json={"sku": "KETTLE-2"}).status_code == 200
    assert restored(api, old["id"])["name"] == "Old kettle"
    assert ledger_explains_the_stock(workspace)


def test_a_stale_if_match_keeps_the_item_out_of_the_trash(api, workspace):
    desk = item(api, "DESK")
    api.patch("/v1/items/DESK", json={"name": "Desk v2"})
    stale = api.delete("/v1/items/DESK", headers={"If-Match": f'"{desk["version"]}"'})
    assert error(stale) == (412, "PRECONDITION_FAILED")
    current = api.get("/v1/items/DESK")
    assert current.status_code == 200
    delete(api, "DESK", headers={"If-Match": current.headers["etag"]})
    assert is_gone(api, "DESK")


def test_the_stock_of_a_deleted_item_is_kept_and_comes_back_on_restore(api, workspace):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    rope = item(api, "ROPE", unit="m", reorder_point=5)
    receive(api, "ROPE", "7.5")
    receive(api, "ROPE", 2, where="Shop")
    delete(api, "ROPE")
    trashed = api.get("/v1/items", params={"deleted": "true"}).json()["data"]
    assert [(i["sku"], i["on_hand"]) for i in trashed] == [("ROPE", 9.5)]
    assert api.get("/v1/stock").json()["data"] == []
    history = api.get("/v1/stock/movements", params={"item": rope["id"]}).json()["data"]
    assert sorted(m["delta"] for m in history) == [2, 7.5]
    assert ledger_explains_the_stock(workspace)
    body = restored(api, "ROPE")
    assert quantities(body) == (9.5, 0, 9.5, "normal")
    assert {lv["name"]: lv["on_hand"] for lv in body["locations"]} == {"Main": 7.5, "Shop": 2}
    assert api.get("/v1/stock/ROPE").json()["on_hand"] == 9.5
    receive(api, "ROPE", 1)  # and it takes stock again
    assert get(api, "ROPE")["on_hand"] == 10.5
    assert ledger_explains_the_stock(workspace)


def test_an_item_in_the_trash_takes_no_stock(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "NAIL")
    receive(api, "NAIL", 10)
    delete(api, "NAIL")
    r = api.post("/v1/stock/adjustments", json={"item": "NAIL", "location": "Main", "reason": "sale", "delta": -1})
    assert error(r) == (404, "ITEM_NOT_FOUND")
    assert restored(api, "NAIL")["on_hand"] == 10
    assert ledger_explains_the_stock(workspace)


# Parents and variants


def test_deleting_a_parent_takes_its_variants_along(api, workspace):
    location(api, "Main", is_default=True)
    parent = parent_with_variants(api, "TEE", [
        {"sku": "TEE-S", "attributes": {"size": "S"}, "initial_stock": [{"quantity": 2}]},
        {"sku": "TEE-M", "attributes": {"size": "M"}},
    ])
    item(api, "UNRELATED")
    delete(api, parent["id"])
    for sku in ("TEE", "TEE-S", "TEE-M"):
        assert is_gone(api, sku)
    trashed = api.get("/v1/items", params={"deleted": "true"}).json()["data"]
    assert sorted(i["sku"] for i in trashed) == ["TEE", "TEE-M", "TEE-S"]
    assert len({i["deleted_at"] for i in trashed}) == 1  # they share the parent's deleted_at
    assert skus(api) == ["UNRELATED"]
    assert [row["sku"] for row in api.get("/v1/stock").json()["data"]] == ["UNRELATED"]
    assert ledger_explains_the_stock(workspace)


def test_restoring_a_parent_brings_back_the_variants_deleted_with_it(api, workspace):
    location(api, "Main", is_default=True)
    parent = parent_with_variants(api, "CAP", [
        {"sku": "CAP-RED", "attributes": {"colour": "red"}, "initial_stock": [{"quantity": 4}]},
        {"sku": "CAP-BLUE", "attributes": {"colour": "blue"}, "initial_stock": [{"quantity": 1}]},
    ], reorder_point=3)
    delete(api, "CAP")
    body = restored(api, "CAP")
    assert body["id"] == parent["id"]
    assert body["variant_count"] == 2
    assert sorted(v["sku"] for v in body["variants"]) == ["CAP-BLUE", "CAP-RED"]
    assert quantities(body) == (5, 0, 5, "normal")
    assert get(api, "CAP-RED")["parent"] == parent["id"]
    assert get(api, "CAP-BLUE")["on_hand"] == 1
    assert in_trash(api) == []
    assert ledger_explains_the_stock(workspace)


def test_a_variant_deleted_before_its_parent_stays_in_the_trash_when_the_parent_comes_back(api, workspace):
    location(api, "Main", is_default=True)
    parent_with_variants(api, "MUG", [
        {"sku": "MUG-RED", "attributes": {"colour": "red"}, "initial_stock": [{"quantity": 4}]},
        {"sku": "MUG-BLUE", "attributes": {"colour": "blue"}, "initial_stock": [{"quantity": 3}]},
    ])
    delete(api, "MUG-RED")
    time.sleep(0.005)
    delete(api, "MUG")
    body = restored(api, "MUG")
    assert [v["sku"] for v in body["variants"]] == ["MUG-BLUE"]
    assert body["variant_count"] == 1
    assert quantities(body) == (3, 0, 3, "normal")
    assert is_gone(api, "MUG-RED")
    assert in_trash(api) == ["MUG-RED"]
    assert ledger_explains_the_stock(workspace)
    # It can still be restored on its own, and counts again.
    assert restored(api, "MUG-RED")["on_hand"] == 4
    assert quantities(get(api, "MUG")) == (7, 0, 7, "normal")
    assert ledger_explains_the_stock(workspace)


def test_deleting_a_variant_lowers_the_parents_sums_and_restoring_it_raises_them_again(api, workspace):
    location(api, "Main", is_default=True)
    location(api, "Shop")
    parent_with_variants(api, "VASE", [
        {"sku": "VASE-S", "attributes": {"size": "S"},
         "initial_stock": [{"location": "Main", "quantity": 5}, {"location": "Shop", "quantity": 1}]},
        {"sku": "VASE-L", "attributes": {"size": "L"}, "initial_stock": [{"location": "Main", "quantity": 3}]},
    ], reorder_point=4)
    created(api.post("/v1/reservations", json={"item": "VASE-S", "location": "Main", "quantity": 2}))
    assert quantities(get(api, "VASE")) == (9, 2, 7, "normal")

    delete(api, "VASE-S")
    parent = get(api, "VASE")
    assert quantities(parent) == (3, 0, 3, "low")
    assert parent["variant_count"] == 1
    assert [v["sku"] for v in parent["variants"]] == ["VASE-L"]
    assert {lv["name"]: (lv["on_hand"], lv["reserved"]) for lv in parent["locations"]} == {"Main": (3, 0)}
    assert api.get("/v1/stock/VASE").json()["on_hand"] == 3
    listed = api.get("/v1/items", params={"sku": "VASE"}).json()["data"][0]
    assert quantities(listed) == (3, 0, 3, "low")
    assert ledger_explains_the_stock(workspace)

    restored(api, "VASE-S")
    parent = get(api, "VASE")
    assert quantities(parent) == (9, 2, 7, "normal")
    assert parent["variant_count"] == 2
    assert {lv["name"]: (lv["on_hand"], lv["reserved"]) for lv in parent["locations"]} == {
        "Main": (8, 2), "Shop": (1, 0)}
    assert api.get("/v1/stock/VASE").json()["on_hand"] == 9
    assert ledger_explains_the_stock(workspace)


def test_a_variant_cannot_be_restored_while_its_parent_is_in_the_trash(api, workspace):
    parent_with_variants(api, "HAT", [
        {"sku": "HAT-S", "attributes": {"size": "S"}},
        {"sku": "HAT-M", "attributes": {"size": "M"}},
    ])
    delete(api, "HAT-S")  # on its own, before the parent
    time.sleep(0.005)
    delete(api, "HAT")
    for sku in ("HAT-S", "HAT-M"):
        assert error(restore(api, sku)) == (409, "INVALID_STATE")
    assert in_trash(api) == ["HAT", "HAT-M", "HAT-S"]
    restored(api, "HAT")
    assert restored(api, "HAT-S")["deleted_at"] is None
    assert ledger_explains_the_stock(workspace)


def test_restoring_a_parent_is_refused_when_a_variants_sku_was_reused_and_nothing_comes_back(api, workspace):
    parent_with_variants(api, "SCARF", [
        {"sku": "SCARF-RED", "attributes": {"colour": "red"}},
        {"sku": "SCARF-BLUE", "attributes": {"colour": "blue"}},
    ])
    delete(api, "SCARF")
    item(api, "SCARF-BLUE")
    assert error(restore(api, "SCARF")) == (409, "DUPLICATE_SKU")
    assert is_gone(api, "SCARF") and is_gone(api, "SCARF-RED")
    assert in_trash(api) == ["SCARF", "SCARF-BLUE", "SCARF-RED"]
    assert get(api, "SCARF-BLUE")["parent"] is None
    assert ledger_explains_the_stock(workspace)


def test_a_stale_if_match_keeps_a_parent_and_its_variants_out_of_the_trash(api, workspace):
    parent = parent_with_variants(api, "BAG", [{"sku": "BAG-S", "attributes": {"size": "S"}}])
    api.patch("/v1/items/BAG", json={"name": "Bag v2"})
    stale = api.delete("/v1/items/BAG", headers={"If-Match": f'"{parent["version"]}"'})
    assert error(stale) == (412, "PRECONDITION_FAILED")
    assert get(api, "BAG-S")["parent"] == parent["id"]
    assert in_trash(api) == []
    delete(api, "BAG", headers={"If-Match": api.get("/v1/items/BAG").headers["etag"]})
    assert in_trash(api) == ["BAG", "BAG-S"]


def test_restoring_a_variant_is_refused_when_a_live_sibling_now_has_its_attributes(api, workspace):
    parent_with_variants(api, "BOOT", [{"sku": "BOOT-42", "attributes": {"size": 42}}])
    delete(api, "BOOT-42")
    created(api.post("/v1/items/BOOT/variants", json={"sku": "BOOT-42-NEW", "attributes": {"size": 42}}))
    r = restore(api, "BOOT-42")
    assert r.status_code == 409, r.text
    assert error(r) == (409, "DUPLICATE_VARIANT")
    assert is_gone(api, "BOOT-42")
    assert [(v["sku"], v["attributes"]) for v in get(api, "BOOT")["variants"]] == [("BOOT-42-NEW", {"size": 42})]
    assert ledger_explains_the_stock(workspace)


# Bundles


def test_a_bundle_makes_up_nothing_while_a_component_is_in_the_trash(api, workspace):
    location(api, "Main", is_default=True)
    item(api, "CANDLE")
    item(api, "MATCHES")
    item(api, "GIFTBOX", tracking="bundle")
    bill = [{"item": "CANDLE", "quantity": 2}, {"item": "MATCHES", "quantity": 1}]
    r = api.put("/v1/items/GIFTBOX/components", json=bill)
    assert r.status_code == 200, r.text
    receive(api, "CANDLE", 10)
    receive(api, "MATCHES", 3)
    assert quantities(get(api, "GIFTBOX")) == (3, 0, 3, "normal")

    delete(api, "MATCHES")
    box = get(api, "GIFTBOX")
    assert (box["on_hand"], box["available"], box["status"]) == (0, 0, "out_of_stock")
    assert [(c["sku"], c["deleted"]) for c in box["components"]] == [("CANDLE", False), ("MATCHES", True)]
    assert api.get("/v1/stock/GIFTBOX").json()["available"] == 0
    listed = api.get("/v1/items", params={"sku": "GIFTBOX"}).json()["data"][0]
    assert (listed["on_hand"], listed["available"]) == (0, 0)
    assert ledger_explains_the_stock(workspace)

    restored(api, "MATCHES")
    box = get(api, "GIFTBOX")
    assert quantities(box) == (3, 0, 3, "normal")
    assert [c["deleted"] for c in box["components"]] == [False, False]
    assert api.get("/v1/items", params={"sku": "GIFTBOX"}).json()["data"][0]["available"] == 3
    assert ledger_explains_the_stock(workspace)


def test_a_bundle_of_a_variant_makes_up_nothing_while_the_variants_parent_is_in_the_trash(api, workspace):
    location(api, "Main", is_default=True)
    parent_with_variants(api, "TEA", [{"sku": "TEA-GREEN", "attributes": {"kind": "green"},
                                       "initial_stock": [{"quantity": 6}]}])
    item(api, "TEASET", tracking="bundle")
    assert api.put("/v1/items/TEASET/components", json=[{"item": "TEA-GREEN", "quantity": 2}]).status_code == 200
    assert quantities(get(api, "TEASET")) == (3, 0, 3, "normal")
    delete(api, "TEA")
    assert quantities(get(api, "TEASET")) == (0, 0, 0, "out_of_stock")
    assert ledger_explains_the_stock(workspace)
    restored(api, "TEA")
    assert quantities(get(api, "TEASET")) == (3, 0, 3, "normal")
    assert ledger_explains_the_stock(workspace)


# Retention and purging


def test_an_item_past_the_retention_cannot_be_restored(api, workspace):
    set_retention(api, 0)
    item(api, "STOOL")
    delete(api, "STOOL")
    assert error(restore(api, "STOOL")) == (404, "ITEM_NOT_FOUND")
    assert is_gone(api, "STOOL")


def test_within_the_retention_the_worker_leaves_a_deleted_item_restorable(api, workspace):
    set_retention(api, 1)
    stool = item(api, "STOOL")
    delete(api, "STOOL")
    purge_expired(workspace.db, now=utcnow() + timedelta(hours=12))
    assert in_trash(api) == ["STOOL"]
    assert deleted_page(api)["data"][0]["purged"] is False
    assert restored(api, stool["id"])["sku"] == "STOOL"
    assert ledger_explains_the_stock(workspace)


def test_purged_items_leave_the_trash_and_cannot_be_restored(api, workspace):
    location(api, "Main", is_default=True)
    set_retention(api, 1)
    plain = item(api, "SOFA")
    receive(api, "SOFA", 2)
    parent = parent_with_variants(api, "RUG", [{"sku": "RUG-1", "attributes": {"size": 1}}])
    variant = get(api, "RUG-1")
    for sku in ("SOFA", "RUG"):
        delete(api, sku)
    purge_expired(workspace.db, now=utcnow() + timedelta(days=2))
    assert in_trash(api) == []
    assert skus(api, deleted="any") == []
    for ref in ("SOFA", plain["id"], "RUG", parent["id"], "RUG-1", variant["id"]):
        assert error(restore(api, ref)) == (404, "ITEM_NOT_FOUND")
    listed = {entry["id"]: entry for entry in deleted_page(api)["data"]}
    assert set(listed) == {plain["id"], parent["id"], variant["id"]}
    assert {(e["sku"], e["purged"]) for e in listed.values()} == {("SOFA", True), ("RUG", True), ("RUG-1", True)}
    assert all(e["deleted_at"].endswith("Z") for e in listed.values())
    # The ledger still names the purged item.
    assert [m["sku"] for m in api.get("/v1/stock/movements", params={"item": plain["id"]}).json()["data"]] == ["SOFA"]
    # An item deleted later is in the trash, not purged.
    item(api, "SOFA")
    delete(api, "SOFA")
    assert in_trash(api) == ["SOFA"]
    assert sorted((e["sku"], e["purged"]) for e in deleted_page(api)["data"]) == [
        ("RUG", True), ("RUG-1", True), ("SOFA", False), ("SOFA", True)]
    assert ledger_explains_the_stock(workspace)


# What sync clients read


def test_deleted_items_are_listed_oldest_first_since_a_moment(api, workspace):
    ids = []
    for sku in ("D-1", "D-2", "D-3"):
        ids.append(item(api, sku)["id"])
    item(api, "KEPT")
    for sku in ("D-2", "D-1", "D-3"):
        delete(api, sku)
        time.sleep(0.005)
    everything = deleted_page(api)
    assert [e["sku"] for e in everything["data"]] == ["D-2", "D-1", "D-3"]
    assert set(everything["data"][0]) == {"id", "number", "sku", "deleted_at", "purged"}
    assert everything["data"][0] == {"id": ids[1], "number": 2, "sku": "D-2",
                                     "deleted_at": everything["data"][0]["deleted_at"], "purged": False}
    second = everything["data"][1]["deleted_at"]
    assert [e["sku"] for e in deleted_page(api, since=second)["data"]] == ["D-1", "D-3"]
    later = (utcnow() + timedelta(minutes=1)).isoformat()
    assert deleted_page(api, since=later)["data"] == []
    assert error(api.get("/v1/items/deleted", params={"since": "yesterday"}))[0] == 422


def test_deleted_items_are_paged_with_a_cursor_oldest_first(api, workspace):
    expected = []
    for n in range(5):
        sku = f"PAGE-{n}"
        item(api, sku)
        delete(api, sku)
        expected.append(sku)
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = deleted_page(api, **params)
        assert len(page["data"]) <= 2
        seen += [e["sku"] for e in page["data"]]
        if not page["meta"]["has_more"]:
            break
        cursor = page["meta"]["next_cursor"]
    assert seen == expected


def test_a_restored_item_leaves_the_deleted_list_and_shows_in_updated_since(api, workspace):
    old = item(api, "OLD")
    back = item(api, "BACK")
    delete(api, "BACK")
    time.sleep(0.005)
    marker = item(api, "MARKER")
    assert skus(api, updated_since=marker["updated_at"]) == ["MARKER"]
    time.sleep(0.005)
    body = restored(api, "BACK")
    assert body["updated_at"] > back["updated_at"]
    assert skus(api, updated_since=marker["updated_at"]) == ["BACK", "MARKER"]
    assert old["sku"] not in skus(api, updated_since=marker["updated_at"])
    assert deleted_page(api)["data"] == []
    assert ledger_explains_the_stock(workspace)


