"""Listing items (SPEC §3 Items): every filter of GET /v1/items."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.stock_stand_in import put_on_hand


def create(api, sku: str, **fields) -> dict:
    r = api.post("/v1/items", json={"sku": sku, "name": fields.pop("name", f"Item {sku}"), **fields})
    assert r.status_code == 201, r.text
    return r.json()


def skus(api, **params) -> list[str]:
    r = api.get("/v1/items", params={"sort": "sku", **params})
    assert r.status_code == 200, r.text
    return [item["sku"] for item in r.json()["data"]]


def test_a_new_workspace_lists_no_items(api):
    body = api.get("/v1/items").json()
    assert body == {"data": [], "meta": {"limit": 50, "total": 0, "has_more": False, "next_cursor": None}}


def test_the_list_shows_only_this_workspaces_items(api, other_workspace):
    create(api, "MINE")
    create(other_workspace.api, "THEIRS")
    assert skus(api) == ["MINE"]
    assert skus(other_workspace.api) == ["THEIRS"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ärmel", ["SLEEVE1"]),
        ("ÄRMEL", ["SLEEVE1"]),
        ("Ärm", ["SLEEVE1"]),
        ("sleeve", ["SLEEVE1"]),  # part of the SKU, any case
        ("pants", ["PANTS1"]),
        ("3339", ["PANTS1"]),  # part of the barcode
        ("abc123", ["SOCK1"]),  # a barcode with letters, any case
        ("wool", ["PANTS1", "SOCK1"]),
        ("50%", ["SOCK1"]),  # % and _ are matched literally
        ("_", []),
        ("nothing like it", []),
    ],
)
def test_q_matches_part_of_the_name_sku_or_barcode_in_any_case(api, q, expected):
    create(api, "SLEEVE1", name="Ärmelschoner", barcode="111")
    create(api, "PANTS1", name="Wool trousers", barcode="4006381333931")
    create(api, "SOCK1", name="WOOL socks 50% off", barcode="ABC123X")
    assert skus(api, q=q) == expected


def test_q_folds_case_beyond_ascii_in_names(api):
    create(api, "BALL1", name="Fußball")
    create(api, "SHOE1", name="ÉCLAIR shoe")
    assert skus(api, q="FUSS") == ["BALL1"]  # ß folds to ss
    assert skus(api, q="éclair") == ["SHOE1"]


def test_q_folds_case_beyond_ascii_in_skus_and_barcodes(api):
    create(api, "ÜBER-1", name="plain")
    create(api, "PLAIN-2", name="plain", barcode="ÄB-1")
    assert skus(api, q="über") == ["ÜBER-1"]
    assert skus(api, q="äb-") == ["PLAIN-2"]


def test_sku_and_barcode_filters_match_exactly(api):
    create(api, "TEE-1", barcode="4006381333931")
    create(api, "TEE-10", barcode="40063813339310")
    assert skus(api, sku="TEE-1") == ["TEE-1"]
    assert skus(api, sku="TEE") == []
    assert skus(api, barcode="4006381333931") == ["TEE-1"]


def test_kind_filter(api):
    create(api, "PROD", kind="product")
    create(api, "MAT", kind="material")
    assert skus(api, kind="material") == ["MAT"]
    assert skus(api, kind="product") == ["PROD"]
    assert api.get("/v1/items", params={"kind": "service"}).status_code == 422


def test_category_filter(api):
    cups = api.post("/v1/categories", json={"name": "Cups"}).json()["id"]
    plates = api.post("/v1/categories", json={"name": "Plates"}).json()["id"]
    create(api, "CUP", category=cups)
    create(api, "PLATE", category=plates)
    create(api, "LOOSE")
    assert skus(api, category=cups) == ["CUP"]
    assert skus(api, category="cat_01J0000000000000000000000A") == []


def test_parent_filter_lists_the_variants_of_a_parent(api):
    parent = create(api, "SHIRT")
    for size in ("M", "L"):
        variant = {"sku": f"SHIRT-{size}", "name": f"Shirt {size}", "attributes": {"size": size}}
        r = api.post(f"/v1/items/{parent['id']}/variants", json=variant)
        assert r.status_code == 201, r.text
    create(api, "OTHER")
    assert skus(api, parent=parent["id"]) == ["SHIRT-L", "SHIRT-M"]
    assert skus(api, parent="itm_01J0000000000000000000000A") == []
    assert api.get(f"/v1/items/{parent['id']}").json()["variant_count"] == 2
    api.delete("/v1/items/SHIRT-L")
    assert skus(api, parent=parent["id"]) == ["SHIRT-M"]
    assert api.get(f"/v1/items/{parent['id']}").json()["variant_count"] == 1


def test_top_level_lists_parents_and_items_without_variants_or_the_variants_alone(api):
    create(api, "TEE", variants=[{"sku": "TEE-S", "attributes": {"size": "S"}},
                                 {"sku": "TEE-M", "attributes": {"size": "M"}}])
    create(api, "MUG")
    create(api, "KIT", tracking="bundle")

    assert skus(api, top_level="true") == ["KIT", "MUG", "TEE"]
    assert skus(api, top_level="false") == ["TEE-M", "TEE-S"]
    assert skus(api) == ["KIT", "MUG", "TEE", "TEE-M", "TEE-S"]
    body = api.get("/v1/items", params={"top_level": "true", "limit": 2}).json()
    assert (body["meta"]["total"], body["meta"]["has_more"]) == (3, True)  # counted with the filter
    assert skus(api, top_level="true", q="tee") == ["TEE"]
    assert api.get("/v1/items", params={"top_level": "maybe"}).status_code == 422


def test_tag_filter_matches_one_whole_tag(api):
    create(api, "RED", tags=["red", "sale"])
    create(api, "BLUE", tags=["blue"])
    create(api, "REDDISH", tags=["reddish"])
    assert skus(api, tag="sale") == ["RED"]
    assert skus(api, tag="red") == ["RED"]
    assert skus(api, tag="green") == []


def test_tag_filter_follows_a_change_of_tags(api):
    item = create(api, "RETAG", tags=["old"])
    api.patch(f"/v1/items/{item['id']}", json={"tags": ["new"]})
    assert skus(api, tag="old") == []
    assert skus(api, tag="new") == ["RETAG"]


def test_status_and_low_stock_filters(api, workspace):
    location = api.post("/v1/locations", json={"name": "Main"}).json()["id"]
    create(api, "EMPTY")
    create(api, "SERVICE", tracking="none")
    for sku, on_hand in (("PLENTY", "100"), ("LOW", "8"), ("CRITICAL", "2")):
        item = create(api, sku, reorder_point=10, safety_stock=3)
        put_on_hand(workspace, item["id"], location, on_hand)
    assert skus(api, status="out_of_stock") == ["EMPTY"]
    assert skus(api, status="critical") == ["CRITICAL"]
    assert skus(api, status="low") == ["LOW"]
    assert skus(api, status="normal") == ["PLENTY", "SERVICE"]
    assert skus(api, low_stock="true") == ["CRITICAL", "EMPTY", "LOW"]
    assert skus(api, low_stock="false") == ["PLENTY", "SERVICE"]
    assert api.get("/v1/items", params={"status": "empty"}).status_code == 422


def test_status_takes_several_statuses_separated_by_commas(api, workspace):
    location = api.post("/v1/locations", json={"name": "Main"}).json()["id"]
    create(api, "EMPTY")
    for sku, on_hand in (("PLENTY", "100"), ("LOW", "8"), ("CRITICAL", "2")):
        item = create(api, sku, reorder_point=10, safety_stock=3)
        put_on_hand(workspace, item["id"], location, on_hand)
    assert skus(api, status="critical,out_of_stock") == ["CRITICAL", "EMPTY"]
    assert skus(api, status="low,critical,out_of_stock,low") == ["CRITICAL", "EMPTY", "LOW"]
    assert api.get("/v1/items", params={"status": "critical,out_of_stock"}).json()["meta"]["total"] == 2
    for bad in ("low,", ",low", "low,empty", "low;critical"):
        r = api.get("/v1/items", params={"status": bad})
        assert r.status_code == 422 and list(r.json()["error"]["fields"]) == ["status"], bad


def test_top_level_lists_parents_and_plain_items_and_false_their_variants(api):
    create(api, "PLAIN")
    create(api, "TEE", variants=[{"sku": "TEE-S", "attributes": {"size": "S"}},
                                 {"sku": "TEE-M", "attributes": {"size": "M"}}])
    assert skus(api, top_level="true") == ["PLAIN", "TEE"]
    assert skus(api, top_level="false") == ["TEE-M", "TEE-S"]
    assert api.get("/v1/items", params={"top_level": "true"}).json()["meta"]["total"] == 2


def test_ad_hoc_filter_tells_items_made_up_at_checkout_from_the_catalogue(api):
    create(api, "CATALOGUE")
    create(api, "AT-THE-TILL", ad_hoc=True)
    assert skus(api, ad_hoc="true") == ["AT-THE-TILL"]
    assert skus(api, ad_hoc="false") == ["CATALOGUE"]
    assert skus(api) == ["AT-THE-TILL", "CATALOGUE"]


def test_location_filter_lists_items_with_a_stock_level_there(api, workspace):
    main = api.post("/v1/locations", json={"name": "Main"}).json()["id"]
    api.post("/v1/locations", json={"name": "Shop"})
    stocked = create(api, "STOCKED")
    create(api, "NOWHERE")
    put_on_hand(workspace, stocked["id"], main, "1")
    assert skus(api, location=main) == ["STOCKED"]
    assert skus(api, location="Main") == ["STOCKED"]  # by name too
    assert skus(api, location="Shop") == []
    r = api.get("/v1/items", params={"location": "Atlantis"})
    assert r.status_code == 200
    assert r.json()["data"] == []
    assert r.json()["meta"]["total"] == 0


def test_updated_since_lists_items_changed_at_or_after_the_time(api):
    old = create(api, "OLD")
    time.sleep(0.005)
    new = create(api, "NEW")
    assert skus(api, updated_since=new["updated_at"]) == ["NEW"]
    assert skus(api, updated_since=old["updated_at"]) == ["NEW", "OLD"]
    time.sleep(0.005)
    touched = api.patch(f"/v1/items/{old['id']}", json={"name": "Touched"}).json()
    assert skus(api, updated_since=touched["updated_at"]) == ["OLD"]
    # the same moment written with another offset is the same moment
    moment = datetime.fromisoformat(new["updated_at"].replace("Z", "+00:00"))
    berlin = moment.astimezone(timezone(timedelta(hours=2))).isoformat()
    assert skus(api, updated_since=berlin) == ["NEW", "OLD"]
    later = (moment + timedelta(days=1)).isoformat()
    assert skus(api, updated_since=later) == []
    assert api.get("/v1/items", params={"updated_since": "yesterday"}).status_code == 422


def test_deleted_filter_chooses_between_live_items_the_trash_and_both(api):
    create(api, "LIVE")
    gone = create(api, "GONE")
    api.delete(f"/v1/items/{gone['id']}")
    assert skus(api) == ["LIVE"]
    assert skus(api, deleted="false") == ["LIVE"]
    assert skus(api, deleted="true") == ["GONE"]
    assert skus(api, deleted="any") == ["GONE", "LIVE"]
    assert api.get("/v1/items", params={"deleted": "maybe"}).status_code == 422


def test_filters_combine(api):
    cups = api.post("/v1/categories", json={"name": "Cups"}).json()["id"]
    create(api, "CUP-RED", category=cups, tags=["red"], kind="product")
    create(api, "CUP-BLUE", category=cups, tags=["blue"], kind="product")
    create(api, "PAINT-RED", tags=["red"], kind="material")
    assert skus(api, category=cups, tag="red") == ["CUP-RED"]
    assert skus(api, tag="red", kind="material") == ["PAINT-RED"]
    assert skus(api, q="cup", tag="blue") == ["CUP-BLUE"]
    r = api.get("/v1/items", params={"tag": "red"})
    assert r.json()["meta"]["total"] == 2
