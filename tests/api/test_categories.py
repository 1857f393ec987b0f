"""Categories over HTTP: a tree of names, unique among siblings, without cycles."""

from __future__ import annotations

import pytest


def error(r) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


def create(api, name: str, parent: str | None = None) -> dict:
    r = api.post("/v1/categories", json={"name": name, "parent": parent})
    assert r.status_code == 201, r.text
    return r.json()


def test_a_category_is_created_at_the_top_level_or_under_a_parent(api):
    r = api.post("/v1/categories", json={"name": "Clothing"})
    assert r.status_code == 201
    clothing = r.json()
    assert clothing["id"].startswith("cat_")
    assert clothing == {
        "id": clothing["id"],
        "number": 1,
        "name": "Clothing",
        "parent": None,
        "version": 1,
        "created_at": clothing["created_at"],
        "updated_at": clothing["created_at"],
    }
    assert r.headers["etag"] == '"1"'
    shirts = create(api, "Shirts", clothing["id"])
    assert (shirts["parent"], shirts["number"]) == (clothing["id"], 2)
    assert api.get(f"/v1/categories/{shirts['id']}").json() == shirts


def test_names_are_unique_among_siblings(api):
    clothing = create(api, "Clothing")
    create(api, "Shirts", clothing["id"])
    create(api, "Toys")
    assert error(api.post("/v1/categories", json={"name": "Shirts", "parent": clothing["id"]})) == (
        409,
        "DUPLICATE_NAME",
    )
    assert error(api.post("/v1/categories", json={"name": "Toys"})) == (409, "DUPLICATE_NAME")


def test_the_same_name_under_different_parents_is_fine(api):
    men = create(api, "Men")
    women = create(api, "Women")
    assert create(api, "Shirts", men["id"])["parent"] == men["id"]
    assert create(api, "Shirts", women["id"])["parent"] == women["id"]
    assert create(api, "Shirts")["parent"] is None


def test_renaming_or_moving_onto_a_siblings_name_is_refused(api):
    men = create(api, "Men")
    women = create(api, "Women")
    create(api, "Shirts", men["id"])
    hats = create(api, "Hats", men["id"])
    women_shirts = create(api, "Shirts", women["id"])
    assert error(api.patch(f"/v1/categories/{hats['id']}", json={"name": "Shirts"})) == (409, "DUPLICATE_NAME")
    assert error(api.patch(f"/v1/categories/{women_shirts['id']}", json={"parent": men["id"]})) == (
        409,
        "DUPLICATE_NAME",
    )
    assert api.get(f"/v1/categories/{women_shirts['id']}").json()["parent"] == women["id"]


def test_a_category_can_be_renamed_and_moved(api):
    men = create(api, "Men")
    women = create(api, "Women")
    tops = create(api, "Tops", men["id"])
    r = api.patch(f"/v1/categories/{tops['id']}", json={"name": "Blouses", "parent": women["id"]})
    assert r.status_code == 200
    body = r.json()
    assert (body["name"], body["parent"], body["version"]) == ("Blouses", women["id"], 2)
    assert r.headers["etag"] == '"2"'


def test_a_category_moves_to_the_top_level_with_parent_null(api):
    men = create(api, "Men")
    tops = create(api, "Tops", men["id"])
    assert api.patch(f"/v1/categories/{tops['id']}", json={"parent": None}).json()["parent"] is None


def test_a_category_cannot_be_its_own_parent(api):
    cat = create(api, "Loop")
    r = api.patch(f"/v1/categories/{cat['id']}", json={"parent": cat["id"]})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "parent" in r.json()["error"]["fields"]


def test_a_category_cannot_move_under_its_own_descendant(api):
    a = create(api, "A")
    b = create(api, "B", a["id"])
    c = create(api, "C", b["id"])
    r = api.patch(f"/v1/categories/{a['id']}", json={"parent": c["id"]})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "parent" in r.json()["error"]["fields"]
    assert api.get(f"/v1/categories/{a['id']}").json()["parent"] is None


def test_categories_nest_at_most_32_levels_deep(api):
    parent = None
    for depth in range(32):
        parent = create(api, f"Level {depth}", parent)["id"]
    r = api.post("/v1/categories", json={"name": "Too deep", "parent": parent})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "parent" in r.json()["error"]["fields"]


def test_moving_a_category_counts_its_subcategories_against_the_depth_limit(api):
    chain = []
    for depth in range(31):
        chain.append(create(api, f"Level {depth}", chain[-1] if chain else None)["id"])
    branch = create(api, "Branch")
    create(api, "Leaf", branch["id"])
    r = api.patch(f"/v1/categories/{branch['id']}", json={"parent": chain[-1]})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert api.patch(f"/v1/categories/{branch['id']}", json={"parent": chain[-2]}).status_code == 200


def test_an_unknown_parent_is_404(api, other_workspace):
    theirs = create(other_workspace.api, "Theirs")
    mine = create(api, "Mine")
    for parent in ("cat_01JC0000000000000000000000", theirs["id"]):
        assert error(api.post("/v1/categories", json={"name": "X", "parent": parent})) == (404, "CATEGORY_NOT_FOUND")
        assert error(api.patch(f"/v1/categories/{mine['id']}", json={"parent": parent})) == (404, "CATEGORY_NOT_FOUND")


def test_an_unknown_or_foreign_category_is_404(api, other_workspace):
    theirs = create(other_workspace.api, "Theirs")
    for ref in ("cat_01JC0000000000000000000000", theirs["id"], "Theirs"):
        for r in (
            api.get(f"/v1/categories/{ref}"),
            api.patch(f"/v1/categories/{ref}", json={"name": "Mine now"}),
            api.delete(f"/v1/categories/{ref}"),
        ):
            assert error(r) == (404, "CATEGORY_NOT_FOUND")
    assert other_workspace.api.get(f"/v1/categories/{theirs['id']}").json()["name"] == "Theirs"


def test_an_empty_category_is_deleted(api):
    cat = create(api, "Seasonal")
    r = api.delete(f"/v1/categories/{cat['id']}")
    assert r.status_code == 204
    assert error(api.get(f"/v1/categories/{cat['id']}")) == (404, "CATEGORY_NOT_FOUND")
    assert create(api, "Seasonal")["id"] != cat["id"]


def test_a_category_with_items_cannot_be_deleted(api):
    cat = create(api, "Tools")
    assert api.post("/v1/items", json={"sku": "CAT-HAMMER", "name": "Hammer", "category": cat["id"]}).status_code == 201
    assert error(api.delete(f"/v1/categories/{cat['id']}")) == (409, "INVALID_STATE")
    assert api.get(f"/v1/categories/{cat['id']}").status_code == 200


def test_a_category_whose_items_are_all_in_the_trash_can_be_deleted(api):
    cat = create(api, "Tools")
    api.post("/v1/items", json={"sku": "CAT-SAW", "name": "Saw", "category": cat["id"]})
    assert api.delete("/v1/items/CAT-SAW").status_code == 204
    assert api.delete(f"/v1/categories/{cat['id']}").status_code == 204


def test_a_category_with_subcategories_cannot_be_deleted(api):
    parent = create(api, "Garden")
    create(api, "Seeds", parent["id"])
    assert error(api.delete(f"/v1/categories/{parent['id']}")) == (409, "INVALID_STATE")
    assert api.get(f"/v1/categories/{parent['id']}").status_code == 200


def test_patch_and_delete_honour_if_match(api):
    cat = create(api, "Garden")
    stale = {"If-Match": '"9"'}
    assert error(api.patch(f"/v1/categories/{cat['id']}", json={"name": "Yard"}, headers=stale)) == (
        412,
        "PRECONDITION_FAILED",
    )
    assert error(api.delete(f"/v1/categories/{cat['id']}", headers=stale)) == (412, "PRECONDITION_FAILED")
    r = api.patch(f"/v1/categories/{cat['id']}", json={"name": "Yard"}, headers={"If-Match": '"1"'})
    assert r.json()["name"] == "Yard"
    assert api.delete(f"/v1/categories/{cat['id']}", headers={"If-Match": '"2"'}).status_code == 204


def test_the_list_filters_by_parent_and_name(api):
    men = create(api, "Men")
    create(api, "Shirts", men["id"])
    create(api, "Socks", men["id"])
    create(api, "Toys")

    def names(query: str) -> list[str]:
        r = api.get(f"/v1/categories?{query}")
        assert r.status_code == 200
        return [c["name"] for c in r.json()["data"]]

    assert names("") == ["Men", "Shirts", "Socks", "Toys"]
    assert names(f"parent={men['id']}") == ["Shirts", "Socks"]
    assert names("parent=null") == ["Men", "Toys"]
    assert names("q=SO") == ["Socks"]


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": "   "}, {"name": "x" * 201}, {"name": 5}, {"name": "A", "colour": "red"}],
)
def test_an_invalid_category_is_refused(api, body):
    r = api.post("/v1/categories", json=body)
    assert error(r) == (422, "VALIDATION_ERROR")
    assert r.json()["error"]["fields"]


def test_read_only_fields_in_a_category_write_are_refused(api):
    assert error(api.post("/v1/categories", json={"name": "A", "id": "cat_x"})) == (422, "READONLY_FIELD")
    cat = create(api, "B")
    assert error(api.patch(f"/v1/categories/{cat['id']}", json={"version": 5})) == (422, "READONLY_FIELD")


def test_a_category_name_cannot_be_set_to_null(api):
    cat = create(api, "A")
    assert error(api.patch(f"/v1/categories/{cat['id']}", json={"name": None})) == (422, "VALIDATION_ERROR")


def test_categories_need_the_items_scopes(workspace):
    cat = create(workspace.api, "Tools")
    reader = workspace.key_with("items:read")
    writer = workspace.key_with("items:write")
    outsider = workspace.key_with("stock:write")

    assert reader.get("/v1/categories").status_code == 200
    assert reader.get(f"/v1/categories/{cat['id']}").status_code == 200
    for r in (
        reader.post("/v1/categories", json={"name": "X"}),
        reader.patch(f"/v1/categories/{cat['id']}", json={"name": "X"}),
        reader.delete(f"/v1/categories/{cat['id']}"),
    ):
        assert error(r) == (403, "INSUFFICIENT_SCOPE")
        assert "items:write" in r.json()["error"]["message"]
    assert writer.get("/v1/categories").status_code == 200
    assert writer.post("/v1/categories", json={"name": "X"}).status_code == 201
    r = outsider.get("/v1/categories")
    assert error(r) == (403, "INSUFFICIENT_SCOPE")
    assert "items:read" in r.json()["error"]["message"]
