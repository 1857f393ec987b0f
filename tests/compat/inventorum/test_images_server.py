"""Products' images through the INVENTORUM API (seed 004) against a real `storekeeper serve`:
images named by the ids of the workspace's images (made through /v1: Storekeeper keeps URLs,
not uploads), shown per version, with the product's `thumbnail`; one ledger with /v1."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.compat.inventorum.speaking import (
    IMAGE,
    IMAGE_V7,
    MODIFIED,
    PRODUCT,
    SIZES,
    SUMMARY,
    THUMBNAIL,
    VARIATION,
    create,
    pink_tshirt,
    refusal,
    shaped,
)
from tests.waiting import PATIENCE

FRONT = "https://cdn.example/inventorum/pink-front.png"
BACK = "https://cdn.example/inventorum/pink-back.png"


@pytest.fixture(scope="module")
def pictures(served) -> dict[str, int]:
    """Two images of the workspace, on an item made through /v1: {url: id}."""
    with served.v1() as v1:
        r = v1.post("/v1/items", json={"sku": "IMG-SOURCE", "name": "Pictures",
                                       "images": [{"url": FRONT, "alt": "Front"}, {"url": BACK}]})
        assert r.status_code == 201, r.text
    return {image["url"]: image["id"] for image in r.json()["images"]}


def nested(image_id: int, url: str) -> dict:
    return {"id": image_id, "urls": dict.fromkeys(SIZES, url), "type": 0, "new": True}


def test_the_documents_create_request_with_images_answers_them_and_the_thumbnail(vendor, world, pictures):
    made = create(vendor, pink_tshirt(world, images=[{"id": pictures[FRONT], "new": True}]))
    assert shaped(made, PRODUCT) and shaped(made["images"][0], IMAGE) and shaped(made["thumbnail"], THUMBNAIL)
    assert made["images"] == [nested(pictures[FRONT], FRONT)]
    # The document: the thumbnail's sizes, `new`, and the image's id negated (-751315 for 751315).
    assert made["thumbnail"] == {**dict.fromkeys(SIZES, FRONT), "new": True, "id": -pictures[FRONT]}
    assert vendor.get(f"/api/products/{made['id']}/", headers={"X-Api-Version": "10"}).json() == made
    listed = vendor.get("/api/products/", params={"search": "Pink t-shirt"}).json()["data"]
    entry = next(p for p in listed if p["id"] == made["id"])
    assert shaped(entry, SUMMARY) and entry["thumbnail"] == made["thumbnail"]


def test_v7_shows_images_in_its_own_flat_shape(vendor, world, pictures):
    made = create(vendor, {"name": "Seven", "tax_type": world["tax"],
                           "images": [{"id": pictures[BACK], "new": True}, {"id": pictures[FRONT], "new": True}]})
    seven = vendor.get(f"/api/products/{made['id']}/", headers={"X-Api-Version": "7"}).json()
    assert [shaped(i, IMAGE_V7) for i in seven["images"]] == [True, True]
    assert seven["images"] == [{**dict.fromkeys(SIZES, BACK), "new": True, "id": pictures[BACK]},
                               {**dict.fromkeys(SIZES, FRONT), "new": True, "id": pictures[FRONT]}]
    assert seven["thumbnail"]["id"] == -pictures[BACK]
    eight = vendor.get(f"/api/products/{made['id']}/", headers={"X-Api-Version": "8"}).json()
    assert eight["images"] == [nested(pictures[BACK], BACK), nested(pictures[FRONT], FRONT)]


def test_images_on_create_need_v8_and_an_unknown_image_is_refused_with_nothing_made(vendor, world, pictures):
    body = {"name": "Refused pictures", "tax_type": world["tax"], "images": [{"id": pictures[FRONT], "new": True}]}
    r = vendor.post("/api/products/", json=body, headers={"X-Api-Version": "7"})
    assert refusal(r)[:2] == (400, "common.serializer_error") and "images" in refusal(r)[2]
    r = vendor.post("/api/products/", json={**body, "images": [{"id": 987_654_321, "new": True}]})
    status, key, fields = refusal(r)
    assert (status, key, list(fields)) == (400, "common.serializer_error", ["images"]), r.text
    for bad in ([{"new": True}], [{"id": "front"}], [{"id": -5}], {"id": 1}):
        assert refusal(vendor.post("/api/products/", json={**body, "images": bad}))[:2] == (
            400, "common.serializer_error"), bad
    assert vendor.get("/api/products/", params={"search": "Refused pictures"}).json()["total"] == 0


def test_put_images_sets_the_products_images_and_an_empty_list_clears_them(vendor, world, pictures):
    made = create(vendor, {"name": "Changing pictures", "tax_type": world["tax"]})
    assert (made["images"], made["thumbnail"]) == ([], None)
    path = f"/api/products/{made['id']}/"
    r = vendor.put(path, json={"images": [{"id": pictures[BACK], "new": True}, {"id": pictures[FRONT]}]})
    assert r.status_code == 200, r.text
    assert [i["id"] for i in r.json()["images"]] == [pictures[BACK], pictures[FRONT]]
    kept = vendor.put(path, json={"name": "Renamed pictures"}).json()  # fields not sent stay
    assert [i["id"] for i in kept["images"]] == [pictures[BACK], pictures[FRONT]]
    r = vendor.put(path, json={"images": [{"id": 987_654_321}], "name": "Not renamed"})
    assert refusal(r)[:2] == (400, "common.serializer_error")
    assert vendor.get(path).json()["name"] == "Renamed pictures"
    cleared = vendor.put(path, json={"images": []}).json()
    assert (cleared["images"], cleared["thumbnail"]) == ([], None)


def test_a_variations_image_as_the_documents_v8_request_is_the_products_thumbnail(vendor, world, pictures):
    made = create(vendor, {"name": "T-shirt", "tax_type": world["tax"], "price": 145.00, "brand": "nike",
                           "variations": [
                               {"attributes": {"size": "22", "color": "Red", "material": "Denim"}, "price": 140.00,
                                "quantity": 30, "tax_type": world["tax"]},
                               {"images": [{"id": pictures[BACK], "new": True}],
                                "attributes": {"size": "50", "color": "Blue", "material": "Leather"},
                                "quantity": 150, "price": 100, "tax_type": world["tax"]}]})
    assert made["images"] == []  # the document's parent shows none of its own
    assert made["thumbnail"]["id"] == -pictures[BACK]
    plain, pictured = made["variations"]
    assert shaped(plain, VARIATION) and shaped(pictured, VARIATION)
    assert (plain["images"], pictured["images"]) == ([], [nested(pictures[BACK], BACK)])
    # The list and the sync show the same thumbnail, and the list the variations' price range.
    listed = vendor.get("/api/products/", params={"search": "T-shirt", "limit": 40}).json()["data"]
    entry = next(p for p in listed if p["id"] == made["id"])
    assert (entry["thumbnail"]["id"], entry["min_gross_price"], entry["max_gross_price"]) == (
        -pictures[BACK], "119.00", "166.60")
    synced = vendor.get("/api/products/delta/modified/", params={"order_by": "-id"}).json()["data"]
    assert next(p for p in synced if p["id"] == made["id"])["thumbnail"]["id"] == -pictures[BACK]


def test_delta_modified_verbose_lists_images(vendor, world, pictures):
    made = create(vendor, {"name": "Synced pictures", "tax_type": world["tax"],
                           "images": [{"id": pictures[FRONT], "new": True}]})
    body = vendor.get("/api/products/delta/modified/", params={"verbose": "true", "order_by": "-id",
                                                               "limit": 5}).json()
    entry = next(p for p in body["data"] if p["id"] == made["id"])
    assert shaped({k: v for k, v in entry.items() if k not in ("meta", "images", "publish_states")}, MODIFIED)
    assert entry["images"] == [nested(pictures[FRONT], FRONT)]
    assert entry["thumbnail"]["id"] == -pictures[FRONT]


def test_one_ledger_images_set_here_are_the_items_in_v1_and_back(served, vendor, world, pictures):
    made = create(vendor, {"name": "Shared pictures", "tax_type": world["tax"],
                           "images": [{"id": pictures[FRONT], "new": True}]})
    with served.v1() as v1:
        item = v1.get(f"/v1/items/{made['inv_id']}").json()
        assert item["images"] == [{"id": pictures[FRONT], "url": FRONT, "alt": None}]
        r = v1.patch(f"/v1/items/{made['inv_id']}", json={"images": [
            {"id": pictures[FRONT]}, {"url": "https://cdn.example/inventorum/side.png"}]})
        assert r.status_code == 200, r.text
        side = r.json()["images"][1]["id"]
    shown = vendor.get(f"/api/products/{made['id']}/").json()
    assert shown["images"] == [nested(pictures[FRONT], FRONT), nested(side, "https://cdn.example/inventorum/side.png")]
    published = vendor.post(f"/api/products/{made['id']}/shop/")
    assert published.status_code == 200, published.text
    assert [i["id"] for i in published.json()["images"]] == [pictures[FRONT], side]
    # The new image is the workspace's: another product takes it by its id.
    other = create(vendor, {"name": "Borrowed picture", "tax_type": world["tax"], "images": [{"id": side}]})
    assert [i["id"] for i in other["images"]] == [side]


def test_a_channel_shows_its_own_images_from_meta_else_the_products(served, vendor, world, pictures):
    made = create(vendor, {"name": "Channel pictures", "tax_type": world["tax"], "images": [{"id": pictures[BACK]}],
                           "meta": {"ebay": {"name": "ebay name", "images": [{"id": pictures[FRONT], "new": True}]},
                                    "shop": {"name": "shop name"}}})
    assert made["meta"]["ebay"]["images"] == [nested(pictures[FRONT], FRONT)]
    assert made["meta"]["shop"]["images"] is None  # the shop shows the product's own
    assert made["images"] == [nested(pictures[BACK], BACK)]
    path = f"/api/products/{made['id']}/"
    seven = vendor.get(path, headers={"X-Api-Version": "7"}).json()["meta"]["ebay"]["images"]
    assert seven == [{**dict.fromkeys(SIZES, FRONT), "new": True, "id": pictures[FRONT]}]
    verbose = vendor.get("/api/products/delta/modified/", params={"verbose": "true", "limit": 40}).json()["data"]
    assert next(p for p in verbose if p["id"] == made["id"])["meta"]["ebay"]["images"] == [
        nested(pictures[FRONT], FRONT)]
    with served.v1() as v1:  # one catalogue: /v1 shows the channel's images by the same ids
        item = v1.get(f"/v1/items/{made['inv_id']}").json()
        assert [i["id"] for i in item["channels"]["ebay"]["images"]] == [pictures[FRONT]]
    r = vendor.put(path, json={"meta": {"ebay": {"images": [{"id": 987_654_321}]}}, "name": "Not renamed"})
    assert refusal(r)[:3] == (400, "common.serializer_error", {"meta": ["No image 987654321 in this workspace."]})
    after = vendor.get(path).json()
    assert (after["name"], after["meta"]["ebay"]["images"]) == ("Channel pictures", [nested(pictures[FRONT], FRONT)])
    cleared = vendor.put(path, json={"meta": {"ebay": {"name": "ebay name"}}}).json()
    assert cleared["meta"]["ebay"]["images"] is None


def test_a_repeated_put_of_images_with_an_idempotency_key_is_replayed(vendor, world, pictures):
    made = create(vendor, {"name": "Pictured once", "tax_type": world["tax"]})
    body = {"images": [{"id": pictures[FRONT], "new": True}]}
    path = f"/api/products/{made['id']}/"
    first = vendor.put(path, json=body, headers={"Idempotency-Key": "inv-images-1"})
    again = vendor.put(path, json=body, headers={"Idempotency-Key": "inv-images-1"})
    assert (first.status_code, again.status_code, again.headers.get("idempotent-replayed")) == (200, 200, "true")
    assert again.json() == first.json() and first.json()["images"] == [nested(pictures[FRONT], FRONT)]


def test_many_clients_adding_images_at_once_get_distinct_ids_and_the_books_balance(served, vendor, world, pictures):
    """New images (through /v1, by URL) and products taking them (through the facade), at once:
    every new image gets its own id, each product the images it was given."""
    clients, start = 12, threading.Barrier(12, timeout=PATIENCE)
    made = [create(vendor, {"name": f"Raced pictures {n}", "tax_type": world["tax"]}) for n in range(clients // 2)]

    def write(n: int) -> tuple[int, list[int]]:
        start.wait()
        if n % 2:
            with served.v1() as v1:
                r = v1.post("/v1/items", json={"sku": f"RACE-IMG-{n}", "name": f"Race {n}", "images": [
                    {"url": f"https://cdn.example/race/{n}/{i}.png"} for i in range(3)]})
                return r.status_code, [i["id"] for i in r.json()["images"]]
        headers = {"Authorization": f"Bearer {served.key}", "X-Api-Version": "8"}
        with served.vendor("/compat/inventorum", headers) as client:
            r = client.put(f"/api/products/{made[n // 2]['id']}/", json={"images": [{"id": pictures[BACK]}]})
            return r.status_code, [i["id"] for i in r.json()["images"]]

    with ThreadPoolExecutor(max_workers=clients) as pool:
        outcomes = list(pool.map(write, range(clients)))
    assert Counter(status for status, _ in outcomes) == {200: clients // 2, 201: clients // 2}
    new = [i for n, (_, ids) in enumerate(outcomes) if n % 2 for i in ids]
    assert len(set(new)) == len(new) == 3 * clients // 2 and not set(new) & set(pictures.values())
    assert all(ids == [pictures[BACK]] for n, (_, ids) in enumerate(outcomes) if not n % 2)
    checked = served.server.cli("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
