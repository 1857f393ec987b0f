"""Locations over HTTP: CRUD, the one default location, unique names, deletion rules, scopes."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.stock_stand_in import put_on_hand


def error(r) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


def create(api, name: str, **fields) -> dict:
    r = api.post("/v1/locations", json={"name": name, **fields})
    assert r.status_code == 201, r.text
    return r.json()


def defaults(api) -> list[str]:
    return [loc["name"] for loc in api.get("/v1/locations").json()["data"] if loc["is_default"]]


def names(api) -> list[str]:
    return [loc["name"] for loc in api.get("/v1/locations").json()["data"]]


def test_a_new_workspace_has_one_location_its_default_so_stock_can_be_recorded_at_once(api):
    [main] = api.get("/v1/locations").json()["data"]
    assert (main["name"], main["type"], main["is_default"], main["is_active"]) == (
        "Main warehouse", "warehouse", True, True)
    assert api.post("/v1/items", json={"sku": "LOC-FIRST", "name": "Widget"}).status_code == 201
    r = api.post("/v1/stock/adjustments", json={"item": "LOC-FIRST", "reason": "receipt", "delta": 4})
    assert r.status_code == 201, r.text
    assert r.json()["movement"]["location"] == main["id"]


def test_a_new_location_has_sensible_defaults_and_its_version_as_etag(api):
    r = api.post("/v1/locations", json={"name": "Back room"})
    assert r.status_code == 201
    body = r.json()
    assert body["id"].startswith("loc_")
    assert body == {
        "id": body["id"],
        "name": "Back room",
        "type": "warehouse",
        "read_only": False,
        "marketplace": None,
        "fulfilment": None,
        "address": None,
        "is_default": False,
        "is_active": True,
        "hide_materials": False,
        "version": 1,
        "created_at": body["created_at"],
        "updated_at": body["created_at"],
    }
    assert r.headers["etag"] == '"1"'


def test_every_field_given_on_create_is_kept(api):
    create(api, "Main")
    body = create(
        api,
        "Amazon FBA",
        type="external",
        read_only=True,
        marketplace="amazon",
        address={"line1": "1 Dock Rd", "city": "Leeds", "postal_code": "LS1", "country": "GB"},
        is_active=False,
        hide_materials=True,
    )
    assert body["type"] == "external"
    assert body["read_only"] is True
    assert body["marketplace"] == "amazon"
    assert body["is_active"] is False
    assert body["hide_materials"] is True
    assert body["address"] == {
        "line1": "1 Dock Rd", "line2": None, "city": "Leeds", "region": None, "postal_code": "LS1", "country": "GB"
    }
    assert api.get(f"/v1/locations/{body['id']}").json() == body


def test_a_new_location_leaves_the_default_where_it_is(api):
    first = create(api, "First", is_default=False)
    second = create(api, "Second")
    assert (first["is_default"], second["is_default"]) == (False, False)
    assert defaults(api) == ["Main warehouse"]


def test_creating_a_location_with_is_default_true_moves_the_default(api):
    create(api, "First")
    second = create(api, "Second", is_default=True)
    assert second["is_default"] is True
    assert defaults(api) == ["Second"]


def test_patching_is_default_true_moves_the_default(api):
    first = api.get("/v1/locations/Main warehouse").json()
    second = create(api, "Second")
    r = api.patch(f"/v1/locations/{second['id']}", json={"is_default": True})
    assert r.status_code == 200
    assert r.json()["is_default"] is True
    assert defaults(api) == ["Second"]
    # The former default changed too, so its version moved on.
    assert api.get(f"/v1/locations/{first['id']}").json()["version"] == 2


def test_locations_created_at_the_same_time_end_up_with_exactly_one_default(api):
    start = threading.Barrier(8)

    def create_one(i: int) -> int:
        start.wait()
        return api.post("/v1/locations", json={"name": f"Racer {i}", "is_default": i % 2 == 0}).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(create_one, range(8)))
    assert statuses == [201] * 8
    assert len(defaults(api)) == 1


def test_the_default_location_cannot_be_unset_directly(api):
    first = api.get("/v1/locations/Main warehouse").json()
    create(api, "Second")
    r = api.patch(f"/v1/locations/{first['id']}", json={"is_default": False})
    assert error(r) == (409, "INVALID_STATE")
    assert defaults(api) == ["Main warehouse"]


def test_the_default_location_cannot_be_deactivated(api):
    first = api.get("/v1/locations/Main warehouse").json()
    r = api.patch(f"/v1/locations/{first['id']}", json={"is_active": False})
    assert error(r) == (409, "INVALID_STATE")
    assert api.get(f"/v1/locations/{first['id']}").json()["is_active"] is True


def test_location_names_are_unique(api):
    create(api, "Main")
    r = api.post("/v1/locations", json={"name": "Main"})
    assert error(r) == (409, "DUPLICATE_NAME")
    assert r.json()["error"]["message"]


def test_names_are_compared_after_trimming_spaces(api):
    assert create(api, "  Main  ")["name"] == "Main"
    assert error(api.post("/v1/locations", json={"name": "Main "})) == (409, "DUPLICATE_NAME")


def test_renaming_a_location_to_a_taken_name_is_refused(api):
    create(api, "Main")
    other = create(api, "Other")
    assert error(api.patch(f"/v1/locations/{other['id']}", json={"name": "Main"})) == (409, "DUPLICATE_NAME")
    assert api.get(f"/v1/locations/{other['id']}").json()["name"] == "Other"


def test_renaming_a_location_to_its_own_name_changes_nothing(api):
    loc = create(api, "Main")
    r = api.patch(f"/v1/locations/{loc['id']}", json={"name": "Main"})
    assert r.status_code == 200
    assert r.json()["version"] == 1


def test_a_location_is_found_by_id_or_by_name(api):
    loc = create(api, "Back room")
    assert api.get(f"/v1/locations/{loc['id']}").json()["id"] == loc["id"]
    assert api.get("/v1/locations/Back room").json()["id"] == loc["id"]
    r = api.patch("/v1/locations/Back room", json={"type": "store"})
    assert r.status_code == 200
    assert r.json()["type"] == "store"


def test_an_id_means_that_location_even_if_another_is_named_like_it(api):
    main = create(api, "Main")
    create(api, main["id"])
    assert api.get(f"/v1/locations/{main['id']}").json()["name"] == "Main"


@pytest.mark.parametrize("ref", ["loc_01JC0000000000000000000000", "Nowhere"])
def test_an_unknown_location_is_404(api, ref):
    create(api, "Main")
    for r in (
        api.get(f"/v1/locations/{ref}"),
        api.patch(f"/v1/locations/{ref}", json={"name": "X"}),
        api.delete(f"/v1/locations/{ref}"),
    ):
        assert error(r) == (404, "LOCATION_NOT_FOUND")


def test_another_workspaces_location_is_404(api, other_workspace):
    theirs = create(other_workspace.api, "Theirs")
    assert error(api.get(f"/v1/locations/{theirs['id']}")) == (404, "LOCATION_NOT_FOUND")
    assert error(api.get("/v1/locations/Theirs")) == (404, "LOCATION_NOT_FOUND")
    assert error(api.delete(f"/v1/locations/{theirs['id']}")) == (404, "LOCATION_NOT_FOUND")
    assert other_workspace.api.get(f"/v1/locations/{theirs['id']}").status_code == 200


def test_patch_changes_only_the_given_fields_and_bumps_the_version(api):
    loc = create(api, "Main", type="store", marketplace="pos")
    r = api.patch(f"/v1/locations/{loc['id']}", json={"hide_materials": True})
    assert r.status_code == 200
    body = r.json()
    assert body["hide_materials"] is True
    assert (body["type"], body["marketplace"], body["name"]) == ("store", "pos", "Main")
    assert body["version"] == 2
    assert r.headers["etag"] == '"2"'
    assert body["updated_at"] >= loc["updated_at"]
    assert body["created_at"] == loc["created_at"]


def test_patch_with_nothing_new_keeps_the_version(api):
    loc = create(api, "Main")
    r = api.patch(f"/v1/locations/{loc['id']}", json={"type": "warehouse"})
    assert r.json()["version"] == 1


def test_marketplace_and_address_can_be_cleared_with_null(api):
    loc = create(api, "Main", marketplace="ebay", address={"city": "Oslo"})
    body = api.patch(f"/v1/locations/{loc['id']}", json={"marketplace": None, "address": None}).json()
    assert body["marketplace"] is None
    assert body["address"] is None


def test_patch_and_delete_honour_if_match(api):
    loc = create(api, "Main")
    create(api, "Other")
    assert error(api.patch(f"/v1/locations/{loc['id']}", json={"type": "store"}, headers={"If-Match": '"7"'})) == (
        412,
        "PRECONDITION_FAILED",
    )
    r = api.patch(f"/v1/locations/{loc['id']}", json={"type": "store"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200
    other = api.get("/v1/locations/Other").json()
    stale = api.delete(f"/v1/locations/{other['id']}", headers={"If-Match": '"2"'})
    assert error(stale) == (412, "PRECONDITION_FAILED")
    assert api.delete(f"/v1/locations/{other['id']}", headers={"If-Match": '"1"'}).status_code == 204


def test_a_deleted_location_is_gone_and_its_name_is_free_again(api):
    create(api, "Main")
    old = create(api, "Overflow")
    r = api.delete(f"/v1/locations/{old['id']}")
    assert r.status_code == 204
    assert r.content == b""
    assert error(api.get(f"/v1/locations/{old['id']}")) == (404, "LOCATION_NOT_FOUND")
    assert error(api.get("/v1/locations/Overflow")) == (404, "LOCATION_NOT_FOUND")
    assert error(api.delete(f"/v1/locations/{old['id']}")) == (404, "LOCATION_NOT_FOUND")
    assert "Overflow" not in names(api)
    new = create(api, "Overflow")
    assert new["id"] != old["id"]
    assert api.get("/v1/locations/Overflow").json()["id"] == new["id"]


def test_the_default_location_cannot_be_deleted_even_as_the_only_one(api):
    main = api.get("/v1/locations/Main warehouse").json()
    r = api.delete(f"/v1/locations/{main['id']}")
    assert error(r) == (409, "INVALID_STATE")
    assert "make another location the default" in r.json()["error"]["message"]
    create(api, "Other")
    assert error(api.delete(f"/v1/locations/{main['id']}")) == (409, "INVALID_STATE")
    assert defaults(api) == ["Main warehouse"]


def test_the_former_default_location_can_be_deleted_once_another_is_the_default(api):
    main = api.get("/v1/locations/Main warehouse").json()
    create(api, "Next", is_default=True)
    assert api.delete(f"/v1/locations/{main['id']}").status_code == 204
    assert (names(api), defaults(api)) == (["Next"], ["Next"])


def test_a_location_holding_stock_cannot_be_deleted(api, workspace, db):
    create(api, "Main")
    shelf = create(api, "Shelf")
    item = api.post("/v1/items", json={"sku": "LOC-STOCK-1", "name": "Widget"}).json()
    put_on_hand(workspace, item["id"], shelf["id"], "3")
    assert error(api.delete(f"/v1/locations/{shelf['id']}")) == (409, "LOCATION_NOT_EMPTY")
    assert api.get(f"/v1/locations/{shelf['id']}").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 201},
        {"name": None},
        {"name": 42},
        {"name": "A", "type": "shop"},
        {"name": "A", "is_default": "maybe"},
        {"name": "A", "address": {"country": "DEU"}},
        {"name": "A", "address": {"planet": "Mars"}},
        {"name": "A", "colour": "red"},
    ],
)
def test_an_invalid_location_is_refused_with_the_fields_at_fault(api, body):
    r = api.post("/v1/locations", json=body)
    assert error(r) == (422, "VALIDATION_ERROR")
    assert r.json()["error"]["fields"]
    assert names(api) == ["Main warehouse"]


def test_an_unknown_field_is_named_in_the_error(api):
    r = api.post("/v1/locations", json={"name": "A", "colour": "red"})
    assert r.json()["error"]["fields"] == {"colour": ["Unknown field."]}


@pytest.mark.parametrize("body", [{"name": None}, {"is_default": None}, {"type": "moon"}, {"name": "  "}])
def test_an_invalid_patch_is_refused(api, body):
    loc = create(api, "Main")
    assert error(api.patch(f"/v1/locations/{loc['id']}", json=body)) == (422, "VALIDATION_ERROR")
    assert api.get(f"/v1/locations/{loc['id']}").json()["version"] == 1


@pytest.mark.parametrize("field", ["id", "version", "created_at", "updated_at"])
def test_read_only_fields_in_a_write_are_refused(api, field):
    r = api.post("/v1/locations", json={"name": "A", field: "x"})
    assert error(r) == (422, "READONLY_FIELD")
    assert field in r.json()["error"]["fields"]
    loc = create(api, "B")
    assert error(api.patch(f"/v1/locations/{loc['id']}", json={field: "x"})) == (422, "READONLY_FIELD")


def test_the_list_filters_by_type_activity_read_only_and_name(api):
    create(api, "Central Warehouse")
    create(api, "High Street", type="store")
    create(api, "FBA", type="external", read_only=True)
    create(api, "Old store", type="store", is_active=False)

    def names(query: str) -> list[str]:
        r = api.get(f"/v1/locations?{query}")
        assert r.status_code == 200
        return [loc["name"] for loc in r.json()["data"]]

    assert names("type=store") == ["High Street", "Old store"]
    assert names("is_active=false") == ["Old store"]
    assert names("read_only=true") == ["FBA"]
    assert names("q=STORE") == ["Old store"]
    assert names("q=%25") == []  # a LIKE wildcard is matched literally
    assert error(api.get("/v1/locations?type=moon")) == (422, "VALIDATION_ERROR")


def test_the_list_sorts_by_name_or_creation_either_way(api):
    for name in ["b", "c", "a"]:
        create(api, name)

    def listed(sort: str) -> list[dict]:
        return [loc for loc in api.get(f"/v1/locations?sort={sort}").json()["data"] if loc["name"] in {"a", "b", "c"}]

    assert [loc["name"] for loc in listed("name")] == ["a", "b", "c"]
    assert [loc["name"] for loc in listed("-name")] == ["c", "b", "a"]
    # Locations made within one millisecond are ordered by id: compare with that order.
    oldest_first = listed("created_at")
    assert oldest_first == sorted(oldest_first, key=lambda loc: (loc["created_at"], loc["id"]))
    assert listed("-created_at") == oldest_first[::-1]
    assert error(api.get("/v1/locations?sort=type")) == (422, "VALIDATION_ERROR")


def test_locations_need_the_stock_scopes(workspace):
    loc = create(workspace.api, "Main")
    reader = workspace.key_with("stock:read")
    writer = workspace.key_with("stock:write")
    outsider = workspace.key_with("items:write")

    assert reader.get("/v1/locations").status_code == 200
    assert reader.get(f"/v1/locations/{loc['id']}").status_code == 200
    for r in (
        reader.post("/v1/locations", json={"name": "X"}),
        reader.patch(f"/v1/locations/{loc['id']}", json={"name": "X"}),
        reader.delete(f"/v1/locations/{loc['id']}"),
    ):
        assert error(r) == (403, "INSUFFICIENT_SCOPE")
        assert "stock:write" in r.json()["error"]["message"]

    assert writer.get("/v1/locations").status_code == 200  # a write scope implies its read scope
    assert writer.post("/v1/locations", json={"name": "X"}).status_code == 201

    r = outsider.get("/v1/locations")
    assert error(r) == (403, "INSUFFICIENT_SCOPE")
    assert "stock:read" in r.json()["error"]["message"]


def test_an_external_location_names_its_fulfilment_service(api):
    made = api.post("/v1/locations", json={"name": "FBA EU", "type": "external", "read_only": True,
                                           "marketplace": "amazon_eu", "fulfilment": "FBA"})
    assert made.status_code == 201, made.text
    assert (made.json()["fulfilment"], made.json()["marketplace"]) == ("FBA", "amazon_eu")
    changed = api.patch(f"/v1/locations/{made.json()['id']}", json={"fulfilment": "MCF"})
    assert changed.json()["fulfilment"] == "MCF"
    refused = api.post("/v1/locations", json={"name": "Odd", "fulfilment": "<FBA>"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
    assert "fulfilment" in refused.json()["error"]["fields"]
