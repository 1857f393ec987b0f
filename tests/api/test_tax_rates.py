"""Tax rates over HTTP: a fraction between 0 and 1 shown as a decimal string, one default."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest


def error(r) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


def create(api, name: str, rate="0.19", **fields) -> dict:
    r = api.post("/v1/tax-rates", json={"name": name, "rate": rate, **fields})
    assert r.status_code == 201, r.text
    return r.json()


def defaults(api) -> list[str]:
    return [t["name"] for t in api.get("/v1/tax-rates").json()["data"] if t["is_default"]]


def test_a_tax_rate_is_returned_with_its_rate_as_a_decimal_string(api):
    r = api.post("/v1/tax-rates", json={"name": "VAT standard", "rate": 0.19})
    assert r.status_code == 201
    body = r.json()
    assert body["id"].startswith("tax_")
    assert body == {
        "id": body["id"],
        "number": 1,
        "name": "VAT standard",
        "rate": "0.19",
        "is_default": False,
        "version": 1,
        "created_at": body["created_at"],
        "updated_at": body["created_at"],
    }
    assert r.headers["etag"] == '"1"'
    assert api.get(f"/v1/tax-rates/{body['id']}").json() == body


@pytest.mark.parametrize(
    ("given", "shown"),
    [("0.19", "0.19"), (0.075, "0.075"), ("0.190000", "0.19"), (0, "0"), (1, "1"), ("0.000001", "0.000001")],
)
def test_the_rate_is_kept_exactly(api, given, shown):
    assert create(api, "Rate", given)["rate"] == shown


@pytest.mark.parametrize("rate", [-0.01, "1.01", 2, "abc", "", "NaN", "Infinity", True, None, "0.1234567", [0.1]])
def test_a_rate_outside_0_to_1_or_not_a_number_is_refused(api, rate):
    r = api.post("/v1/tax-rates", json={"name": "Bad", "rate": rate})
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "rate" in r.json()["error"]["fields"]


@pytest.mark.parametrize(
    "body",
    [{"rate": "0.1"}, {"name": "  ", "rate": "0.1"}, {"name": "X"}, {"name": "X", "rate": "0.1", "country": "DE"}],
)
def test_an_invalid_tax_rate_is_refused(api, body):
    r = api.post("/v1/tax-rates", json=body)
    assert error(r) == (422, "VALIDATION_ERROR")
    assert r.json()["error"]["fields"]


def test_tax_rate_names_are_unique(api):
    create(api, "Reduced", "0.07")
    assert error(api.post("/v1/tax-rates", json={"name": "Reduced", "rate": "0.05"})) == (409, "DUPLICATE_NAME")
    other = create(api, "Zero", "0")
    assert error(api.patch(f"/v1/tax-rates/{other['id']}", json={"name": "Reduced"})) == (409, "DUPLICATE_NAME")


def test_there_is_only_ever_one_default_tax_rate(api):
    standard = create(api, "Standard", "0.19", is_default=True)
    assert standard["is_default"] is True
    create(api, "Reduced", "0.07", is_default=True)
    assert defaults(api) == ["Reduced"]
    r = api.patch(f"/v1/tax-rates/{standard['id']}", json={"is_default": True})
    assert r.json()["is_default"] is True
    assert defaults(api) == ["Standard"]


def test_defaults_set_at_the_same_time_leave_exactly_one(api):
    start = threading.Barrier(8)

    def create_one(i: int) -> int:
        start.wait()
        return api.post("/v1/tax-rates", json={"name": f"Racer {i}", "rate": "0.1", "is_default": True}).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(create_one, range(8)))
    assert statuses == [201] * 8
    assert len(defaults(api)) == 1


def test_the_default_can_be_unset_leaving_no_default(api):
    standard = create(api, "Standard", is_default=True)
    assert api.patch(f"/v1/tax-rates/{standard['id']}", json={"is_default": False}).json()["is_default"] is False
    assert defaults(api) == []


def test_a_new_item_gets_the_default_tax_rate(api):
    standard = create(api, "Standard", is_default=True)
    item = api.post("/v1/items", json={"sku": "TAX-DEFAULT", "name": "Mug"}).json()
    assert item["tax_rate"] == standard["id"]


def test_patch_changes_the_rate_and_bumps_the_version(api):
    rate = create(api, "Standard", "0.19")
    r = api.patch(f"/v1/tax-rates/{rate['id']}", json={"rate": "0.2"})
    assert r.status_code == 200
    assert (r.json()["rate"], r.json()["version"], r.json()["name"]) == ("0.2", 2, "Standard")
    assert r.headers["etag"] == '"2"'
    assert error(api.patch(f"/v1/tax-rates/{rate['id']}", json={"rate": "1.5"})) == (422, "VALIDATION_ERROR")
    assert error(api.patch(f"/v1/tax-rates/{rate['id']}", json={"rate": None})) == (422, "VALIDATION_ERROR")


def test_patch_and_delete_honour_if_match(api):
    rate = create(api, "Standard")
    stale = {"If-Match": '"3"'}
    assert error(api.patch(f"/v1/tax-rates/{rate['id']}", json={"rate": "0.2"}, headers=stale)) == (
        412,
        "PRECONDITION_FAILED",
    )
    assert error(api.delete(f"/v1/tax-rates/{rate['id']}", headers=stale)) == (412, "PRECONDITION_FAILED")
    assert api.get(f"/v1/tax-rates/{rate['id']}").json()["rate"] == "0.19"
    assert api.delete(f"/v1/tax-rates/{rate['id']}", headers={"If-Match": '"1"'}).status_code == 204


def test_an_unused_tax_rate_is_deleted(api):
    rate = create(api, "Old")
    assert api.delete(f"/v1/tax-rates/{rate['id']}").status_code == 204
    assert error(api.get(f"/v1/tax-rates/{rate['id']}")) == (404, "TAX_RATE_NOT_FOUND")
    assert error(api.delete(f"/v1/tax-rates/{rate['id']}")) == (404, "TAX_RATE_NOT_FOUND")
    assert create(api, "Old")["id"] != rate["id"]


def test_a_tax_rate_used_by_an_item_cannot_be_deleted(api):
    used = create(api, "Used")
    spare = create(api, "Spare", "0.07")
    assert api.post("/v1/items", json={"sku": "TAX-USED", "name": "Mug", "tax_rate": used["id"]}).status_code == 201
    assert error(api.delete(f"/v1/tax-rates/{used['id']}")) == (409, "INVALID_STATE")
    assert api.get(f"/v1/tax-rates/{used['id']}").status_code == 200
    assert api.patch("/v1/items/TAX-USED", json={"tax_rate": spare["id"]}).status_code == 200
    assert api.delete(f"/v1/tax-rates/{used['id']}").status_code == 204


def test_an_unknown_or_foreign_tax_rate_is_404(api, other_workspace):
    theirs = create(other_workspace.api, "Theirs")
    for ref in ("tax_01JC0000000000000000000000", theirs["id"]):
        for r in (
            api.get(f"/v1/tax-rates/{ref}"),
            api.patch(f"/v1/tax-rates/{ref}", json={"rate": "0"}),
            api.delete(f"/v1/tax-rates/{ref}"),
        ):
            assert error(r) == (404, "TAX_RATE_NOT_FOUND")
    assert other_workspace.api.get(f"/v1/tax-rates/{theirs['id']}").json()["rate"] == "0.19"


def test_the_list_is_sorted_by_name(api):
    for name in ["Zero", "Reduced", "Standard"]:
        create(api, name)
    assert [t["name"] for t in api.get("/v1/tax-rates").json()["data"]] == ["Reduced", "Standard", "Zero"]


def test_read_only_fields_in_a_tax_rate_write_are_refused(api):
    assert error(api.post("/v1/tax-rates", json={"name": "A", "rate": 0, "version": 2})) == (422, "READONLY_FIELD")
    rate = create(api, "B")
    assert error(api.patch(f"/v1/tax-rates/{rate['id']}", json={"id": "tax_x"})) == (422, "READONLY_FIELD")


def test_tax_rates_need_the_items_scopes(workspace):
    rate = create(workspace.api, "Standard")
    reader = workspace.key_with("items:read")
    writer = workspace.key_with("items:write")
    outsider = workspace.key_with("stock:write")

    assert reader.get("/v1/tax-rates").status_code == 200
    assert reader.get(f"/v1/tax-rates/{rate['id']}").status_code == 200
    for r in (
        reader.post("/v1/tax-rates", json={"name": "X", "rate": 0}),
        reader.patch(f"/v1/tax-rates/{rate['id']}", json={"rate": 0}),
        reader.delete(f"/v1/tax-rates/{rate['id']}"),
    ):
        assert error(r) == (403, "INSUFFICIENT_SCOPE")
        assert "items:write" in r.json()["error"]["message"]
    assert writer.get("/v1/tax-rates").status_code == 200
    assert writer.post("/v1/tax-rates", json={"name": "X", "rate": 0}).status_code == 201
    r = outsider.get("/v1/tax-rates")
    assert error(r) == (403, "INSUFFICIENT_SCOPE")
    assert "items:read" in r.json()["error"]["message"]
