"""An item's components from the dashboard (issue 22): a bill of materials or a bundle's
contents replaced as PUT /v1/items/{ref}/components replaces it, each refusal said under the row
it is about, once per form, refused when the item changed since the form was opened."""

from __future__ import annotations

from html import unescape

from tests.web.test_location_forms import field_error, hidden, ok


def parts(api) -> dict:
    ok(api.post("/v1/items", json={"sku": "WAX", "name": "Wax", "unit": "kg"}), 201)
    ok(api.post("/v1/items", json={"sku": "WICK", "name": "Wick"}), 201)
    ok(api.post("/v1/items", json={"sku": "JAR", "name": "Jar"}), 201)
    return ok(api.post("/v1/items", json={"sku": "CANDLE", "name": "Candle"}), 201)


def lines(api, sku: str) -> list[tuple[str, float, str]]:
    return [(c["sku"], c["quantity"], c["unit"]) for c in ok(api.get(f"/v1/items/{sku}/components"))]


def test_a_bill_of_materials_is_saved_in_grams_of_a_kilogram_material_and_changed_again(workspace, member):
    candle = parts(workspace.api)
    page = ok(member.get("/items/CANDLE/components"))
    form = {**hidden(page), "components[0].item": "WAX", "components[0].quantity": "180", "components[0].unit": "g",
            "components[2].item": "WICK", "components[2].quantity": "1"}  # a row left empty between them
    r = member.submit(f"/items/{candle['id']}/components", form)
    assert r.status_code == 303 and "Saved the components of CANDLE." in unescape(
        member.client.get(r.headers["location"]).text)
    assert lines(workspace.api, "CANDLE") == [("WAX", 180, "g"), ("WICK", 1, "pcs")]
    again = ok(member.get("/items/CANDLE/components"))
    assert 'name="components[0].item" value="WAX"' in again.text
    r = member.submit(f"/items/{candle['id']}/components", {**hidden(again), "components[0].item": "JAR",
                                                              "components[0].quantity": "1"})
    assert r.status_code == 303
    assert lines(workspace.api, "CANDLE") == [("JAR", 1, "pcs")]
    entry = ok(workspace.api.get("/v1/audit-log?action=item.updated"))["data"][0]
    assert entry["actor"]["name"] == member.email and "components" in entry["changes"]


def test_each_refusal_is_said_under_its_row_and_nothing_is_saved(workspace, member):
    candle = parts(workspace.api)
    form = hidden(ok(member.get("/items/CANDLE/components")))
    r = member.submit(f"/items/{candle['id']}/components", {
        **form, "components[0].item": "WAX", "components[0].quantity": "lots",
        "components[1].quantity": "2", "components[2].item": "WICK", "components[2].quantity": "-1"})
    assert r.status_code == 422
    assert "lots" in field_error(r, "components[0]-quantity")
    assert field_error(r, "components[1]-item") == "Give the SKU of the component."
    assert field_error(r, "components[2]-quantity")
    twice = member.submit(f"/items/{candle['id']}/components", {
        **form, "components[0].item": "WICK", "components[0].quantity": "1",
        "components[2].item": "WICK", "components[2].quantity": "2"})
    assert twice.status_code == 422 and "listed twice" in field_error(twice, "components[2]-item")
    mismatch = member.submit(f"/items/{candle['id']}/components", {
        **form, "components[1].item": "WAX", "components[1].quantity": "2", "components[1].unit": "pcs"})
    assert mismatch.status_code == 422 and "The components were not saved" in mismatch.text
    unknown = member.submit(f"/items/{candle['id']}/components", {
        **form, "components[0].item": "NOPE", "components[0].quantity": "1"})
    assert unknown.status_code == 422 and "No item 'NOPE' exists." in unescape(unknown.text)
    assert lines(workspace.api, "CANDLE") == []


def test_sent_twice_it_saves_once_and_a_stale_form_is_refused(workspace, member):
    candle = parts(workspace.api)
    page = ok(member.get("/items/CANDLE/components"))
    other_tab = ok(member.get("/items/CANDLE/components"))  # opened at the same version
    form = {**hidden(page), "components[0].item": "WICK", "components[0].quantity": "1"}
    first, second = (member.submit(f"/items/{candle['id']}/components", form) for _ in range(2))
    assert first.status_code == second.status_code == 303
    assert ok(workspace.api.get("/v1/items/CANDLE"))["version"] == candle["version"] + 1
    stale = member.submit(f"/items/{candle['id']}/components", {**hidden(other_tab), "components[0].item": "JAR",
                                                                  "components[0].quantity": "1"})
    assert stale.status_code == 409 and "changed by someone else since you opened it" in unescape(stale.text)
    assert lines(workspace.api, "CANDLE") == [("WICK", 1, "pcs")]


def test_more_rows_saves_nothing_and_a_viewer_may_not_change_components(workspace, member, viewer):
    candle = parts(workspace.api)
    page = ok(member.get("/items/CANDLE/components"))
    more = member.submit(f"/items/{candle['id']}/components", {**hidden(page), "more": "rows",
                                                                 "components[0].item": "WICK"})
    assert more.status_code == 200 and 'name="components[5].item"' in more.text
    assert 'name="components[0].item" value="WICK"' in more.text and lines(workspace.api, "CANDLE") == []
    assert viewer.get("/items/CANDLE/components").status_code == 403
    assert viewer.submit(f"/items/{candle['id']}/components", {"components[0].item": "WICK",
                                                                "components[0].quantity": "1"}).status_code == 403
    assert lines(workspace.api, "CANDLE") == []
