"""The inventorum facade's lists and product reads cost the same SQL statements for many rows as
for few: the tax rates, categories and variations a page refers to are read once per request,
never once per product. Counts are compared, not hard-coded, so they hold on either database."""

from __future__ import annotations

import pytest

from tests.sql_counting import statements

PREFIX = "/compat/inventorum"


def populate(client, headers, taxes: list[int], categories: list[int], start: int, n: int,
             pictures: list[int] = ()) -> dict:
    """n more products, each with its own tax rate and category (and `pictures`, the ids of the
    workspace's images), and a product with n variations, each with the pictures too."""
    images = [{"id": p, "new": True} for p in pictures]
    for i in range(start, start + n):
        r = client.post(f"{PREFIX}/api/products/", headers=headers, json={
            "name": f"Counted {i}", "tax_type": taxes[i], "categories": [{"id": categories[i]}], "quantity": 3,
            "price": "4.2016806723", "images": images})
        assert r.status_code == 201, r.text
    r = client.post(f"{PREFIX}/api/products/", headers={**headers, "X-Api-Version": "8"}, json={
        "name": f"Parent {start}", "tax_type": taxes[0], "variations": [
            {"attributes": {"size": str(v)}, "quantity": 1, "tax_type": taxes[0], "images": images}
            for v in range(n)]})
    assert r.status_code == 201, r.text
    return r.json()


def counted(client, db, headers, path: str) -> tuple[int, int]:
    with statements(db) as seen:
        r = client.get(PREFIX + path, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    return len(seen), len(body["data"]) if "data" in body else len(body["variations"])


@pytest.mark.parametrize("path", ["/api/products/", "/api/products/delta/modified/?verbose=true",
                                  "/api/products/delta/deleted/", "/api/products/{parent}/"])
def test_a_page_of_many_products_costs_the_statements_of_a_page_of_few(api, client, db, workspace, path):
    headers = {"Authorization": f"Bearer {workspace.key}"}
    taxes = [api.post("/v1/tax-rates", json={"name": f"Rate {i}", "rate": "0.19"}).json()["number"] for i in range(10)]
    top = api.post("/v1/categories", json={"name": "All"}).json()["id"]
    categories = [api.post("/v1/categories", json={"name": f"Category {i}", "parent": top}).json()["number"]
                  for i in range(10)]
    pictures = [i["id"] for i in api.post("/v1/items", json={"sku": "PICTURES", "name": "Pictures", "images": [
        {"url": f"https://cdn.example/{n}.png"} for n in range(3)]}).json()["images"]]
    api.delete(f"/v1/items/{populate(client, headers, taxes, categories, 0, 2)['inv_id']}")
    few = counted(client, db, headers, path.format(parent=populate(client, headers, taxes, categories, 2, 2)["id"]))
    api.delete(f"/v1/items/{populate(client, headers, taxes, categories, 4, 6, pictures)['inv_id']}")
    many = counted(client, db, headers, path.format(
        parent=populate(client, headers, taxes, categories, 4, 6, pictures)["id"]))
    assert many[1] > few[1], (few, many)
    assert many[0] == few[0], (few, many)
