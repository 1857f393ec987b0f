"""Images of items have ids (issue 21): a write that sends images keeps the ids of the images it
keeps, by id or by URL, as Shopify's product images; an id names an image of the workspace."""

from __future__ import annotations

from tests.sql_counting import statements

MUG = "https://cdn.example/mug.jpg"
MUG_BACK = "https://cdn.example/mug-back.jpg"


def create(api, sku: str, images: list[dict]) -> dict:
    r = api.post("/v1/items", json={"sku": sku, "name": f"Item {sku}", "images": images})
    assert r.status_code == 201, r.text
    return r.json()


def patch(api, sku: str, images: list[dict]):
    return api.patch(f"/v1/items/{sku}", json={"images": images})


def test_each_image_gets_its_own_id_shown_in_reads(api):
    item = create(api, "MUG", [{"url": MUG, "alt": "A blue mug"}, {"url": MUG_BACK}])
    ids = [image["id"] for image in item["images"]]
    assert all(isinstance(i, int) and i > 0 for i in ids) and len(set(ids)) == 2
    assert api.get("/v1/items/MUG").json()["images"] == [
        {"id": ids[0], "url": MUG, "alt": "A blue mug"}, {"id": ids[1], "url": MUG_BACK, "alt": None}]
    listed = api.get("/v1/items", params={"q": "MUG"}).json()["data"]
    assert listed[0]["images"] == item["images"]


def test_images_resent_by_url_or_id_keep_their_ids_and_a_new_url_gets_a_new_one(api):
    first, back = (i["id"] for i in create(api, "MUG", [{"url": MUG}, {"url": MUG_BACK}])["images"])
    r = patch(api, "MUG", [{"id": back, "alt": "Its handle"}, {"url": MUG}, {"url": "https://cdn.example/side.jpg"}])
    assert r.status_code == 200, r.text
    images = r.json()["images"]
    assert [(i["id"], i["url"], i["alt"]) for i in images[:2]] == [(back, MUG_BACK, "Its handle"), (first, MUG, None)]
    assert images[2]["id"] not in (first, back)


def test_a_dropped_images_id_is_never_given_again_and_still_names_its_image(api):
    back = create(api, "MUG", [{"url": MUG}, {"url": MUG_BACK}])["images"][1]["id"]
    r = patch(api, "MUG", [{"url": MUG}, {"url": "https://cdn.example/new.jpg"}])
    assert r.json()["images"][1]["id"] > back
    # Another item takes the dropped image by its id alone.
    r = api.post("/v1/items", json={"sku": "CUP", "name": "Cup", "images": [{"id": back}]})
    assert r.status_code == 201, r.text
    assert r.json()["images"] == [{"id": back, "url": MUG_BACK, "alt": None}]


def test_an_unknown_id_or_an_ids_other_url_is_refused_and_nothing_changes(api):
    item = create(api, "MUG", [{"url": MUG}])
    mine = item["images"][0]["id"]
    for images, field in (([{"url": MUG_BACK}, {"id": 999_999}], "images[1].id"),
                          ([{"id": mine, "url": MUG_BACK}], "images[0].url")):
        r = patch(api, "MUG", images)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "VALIDATION_ERROR"
        assert field in str(r.json()["error"]), r.text
    r = api.post("/v1/items", json={"sku": "CUP", "name": "Cup", "images": [{"alt": "no url, no id"}]})
    assert r.status_code == 422, r.text
    after = api.get("/v1/items/MUG").json()
    assert (after["images"], after["version"]) == (item["images"], item["version"])


def test_ids_belong_to_one_workspace(api, other_workspace):
    mine = create(api, "MUG", [{"url": MUG}])["images"][0]["id"]
    r = other_workspace.api.post("/v1/items", json={"sku": "MUG", "name": "Mug", "images": [{"id": mine}]})
    assert r.status_code == 422, r.text


def test_writing_many_images_costs_the_statements_of_one(api, db):
    def count(call) -> int:
        with statements(db) as seen:
            r = call()
            assert r.status_code in (200, 201), r.text
        return len(seen)

    shared = create(api, "SHARED", [{"url": MUG}, {"url": MUG_BACK}])["images"]
    one = count(lambda: api.post("/v1/items", json={"sku": "ONE", "name": "One", "images": [
        {"id": shared[0]["id"]}, {"url": "https://cdn.example/one.jpg"}]}))
    ten = count(lambda: api.post("/v1/items", json={"sku": "TEN", "name": "Ten", "images": [
        *({"id": i["id"]} for i in shared), *({"url": f"https://cdn.example/ten/{n}.jpg"} for n in range(10))]}))
    assert one == ten
    one = count(lambda: patch(api, "ONE", [{"id": shared[0]["id"]}, {"url": "https://cdn.example/two.jpg"}]))
    ten = count(lambda: patch(api, "TEN", [*({"id": i["id"]} for i in shared),
                                           *({"url": f"https://cdn.example/more/{n}.jpg"} for n in range(10))]))
    assert one == ten


def test_a_page_of_items_with_images_costs_the_statements_of_a_page_without(api, db):
    def count() -> int:
        with statements(db) as seen:
            r = api.get("/v1/items", params={"limit": 50})
            assert r.status_code == 200, r.text
        return len(seen)

    for n in range(3):
        create(api, f"BARE-{n}", [])
    few = count()
    for n in range(12):
        create(api, f"PICTURED-{n}", [{"url": f"https://cdn.example/{n}/{i}.jpg"} for i in range(4)])
    assert count() == few


def test_a_channel_shows_its_own_images_by_id_or_url(api):
    mine = create(api, "MUG", [{"url": MUG}, {"url": MUG_BACK}])["images"]
    r = api.put("/v1/items/MUG/channels/ebay", json={"images": [{"id": mine[1]["id"]},
                                                               {"url": "https://cdn.example/ebay.jpg"}]})
    assert r.status_code == 200, r.text
    ebay = r.json()["channels"]["ebay"]["images"]
    assert ebay[0] == {"id": mine[1]["id"], "url": MUG_BACK, "alt": None}
    assert ebay[1]["url"] == "https://cdn.example/ebay.jpg" and ebay[1]["id"] not in (i["id"] for i in mine)
    item = api.get("/v1/items/MUG").json()
    assert item["images"] == mine  # the item's own are untouched
    assert item["channels"]["ebay"]["images"] == ebay
    # The channel's new image is an image of the workspace: another item takes it by id.
    assert create(api, "CUP", [{"id": ebay[1]["id"]}])["images"][0]["url"] == "https://cdn.example/ebay.jpg"
    # Sent back as read (PATCH of the whole channels), the ids are kept; without images, the
    # channel shows the item's own again.
    r = api.patch("/v1/items/MUG", json={"channels": {**item["channels"], "shop": {"name": "Mug"}}})
    assert r.status_code == 200, r.text
    assert r.json()["channels"]["ebay"]["images"] == ebay
    assert r.json()["channels"]["shop"].get("images") is None
    r = api.put("/v1/items/MUG/channels/ebay", json={"name": "Mug on eBay"})
    assert r.json()["channels"]["ebay"].get("images") is None


def test_a_channels_unknown_image_is_refused_under_its_field_and_nothing_changes(api):
    before = create(api, "MUG", [{"url": MUG}])
    r = api.patch("/v1/items/MUG", json={"channels": {"ebay": {"images": [{"id": 999_999}]}}})
    assert r.status_code == 422, r.text
    assert "channels.ebay.images[0].id" in r.json()["error"]["fields"], r.text
    r = api.post("/v1/items", json={"sku": "CUP", "name": "Cup", "channels": {"shop": {"images": [{"id": 999_999}]}}})
    assert r.status_code == 422, r.text
    assert api.get("/v1/items/CUP").status_code == 404
    after = api.get("/v1/items/MUG").json()
    assert (after["channels"], after["version"]) == (before["channels"], before["version"])
