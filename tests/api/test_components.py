"""GET|PUT /v1/items/{ref}/components over HTTP: a bill of materials per one unit of the item,
its units (converted within a dimension, refused across), cycles at any depth, what may be a
component or have one, other workspaces, versions and scopes (SPEC §3 Items)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import error, item


def body(response):
    """The JSON body with exact quantities (JSON numbers as Decimal, never float)."""
    return response.json(parse_float=Decimal)


def put_components(api, ref: str, lines: list[dict], **kwargs):
    return api.put(f"/v1/items/{ref}/components", json=lines, **kwargs)


def components_of(api, ref: str) -> list[dict]:
    r = api.get(f"/v1/items/{ref}/components")
    assert r.status_code == 200, r.text
    return body(r)


def made_of(api, ref: str, lines: list[dict]) -> list[dict]:
    r = put_components(api, ref, lines)
    assert r.status_code == 200, r.text
    return body(r)


def version_of(api, ref: str) -> int:
    return api.get(f"/v1/items/{ref}").json()["version"]


def skus(lines: list[dict]) -> list[str]:
    return [line["sku"] for line in lines]


# Lines and their units


def test_a_component_in_another_unit_of_its_dimension_is_converted_to_the_components_unit(api):
    wax = item(api, "WAX-1", name="Soy wax", unit="kg", kind="material")
    item(api, "CANDLE-1", tracking="bundle")

    lines = made_of(api, "CANDLE-1", [{"item": "WAX-1", "quantity": 500, "unit": "g"}])

    assert lines == [{
        "item": wax["id"], "sku": "WAX-1", "name": "Soy wax", "quantity": 500, "unit": "g",
        "component_unit": "kg", "quantity_in_component_unit": Decimal("0.5"), "deleted": False,
    }]
    assert components_of(api, "CANDLE-1") == lines


def test_a_line_without_a_unit_is_in_the_components_unit(api):
    item(api, "OIL-1", unit="l")
    item(api, "LAMP-1")

    [line] = made_of(api, "LAMP-1", [{"item": "OIL-1", "quantity": "0.25"}])

    assert (line["quantity"], line["unit"], line["component_unit"]) == (Decimal("0.25"), "l", "l")
    assert line["quantity_in_component_unit"] == Decimal("0.25")


def test_a_units_alias_is_stored_as_its_code(api):
    item(api, "FLOUR-1", unit="kg")
    item(api, "BREAD-1")

    [line] = made_of(api, "BREAD-1", [{"item": "FLOUR-1", "quantity": 450, "unit": "grams"}])

    assert (line["unit"], line["quantity_in_component_unit"]) == ("g", Decimal("0.45"))


def test_a_component_can_be_named_by_id_or_sku_and_lines_keep_their_order(api):
    cord = item(api, "CORD-1")
    item(api, "BEAD-1")
    item(api, "CLASP-1")
    item(api, "NECKLACE-1")

    lines = made_of(api, "NECKLACE-1", [{"item": "CLASP-1", "quantity": 1}, {"item": cord["id"], "quantity": 1},
                                        {"item": "BEAD-1", "quantity": 24}])

    assert skus(lines) == ["CLASP-1", "CORD-1", "BEAD-1"]
    assert lines[1]["item"] == cord["id"]


def test_a_unit_of_another_dimension_is_a_unit_mismatch_and_changes_nothing(api):
    item(api, "SUGAR-1", unit="kg")
    item(api, "CAKE-1")
    made_of(api, "CAKE-1", [{"item": "SUGAR-1", "quantity": "0.2"}])

    r = put_components(api, "CAKE-1", [{"item": "SUGAR-1", "quantity": 200, "unit": "ml"}])

    assert error(r) == (422, "UNIT_MISMATCH")
    assert [line["unit"] for line in components_of(api, "CAKE-1")] == ["kg"]


def test_a_unit_without_a_fixed_size_does_not_convert_to_pieces(api):
    item(api, "SCREW-1")
    item(api, "SHELF-1")

    r = put_components(api, "SHELF-1", [{"item": "SCREW-1", "quantity": 1, "unit": "case"}])

    assert error(r) == (422, "UNIT_MISMATCH")


def test_an_unknown_unit_is_a_validation_error(api):
    item(api, "RESIN-1", unit="kg")
    item(api, "TILE-1")

    r = put_components(api, "TILE-1", [{"item": "RESIN-1", "quantity": 1, "unit": "stone"}])

    assert error(r) == (422, "VALIDATION_ERROR")
    assert "components[0].unit" in r.json()["error"]["fields"]
    assert components_of(api, "TILE-1") == []


def test_a_component_listed_twice_is_a_validation_error_even_by_id_and_sku(api):
    thread = item(api, "THREAD-1")
    item(api, "NEEDLE-1")
    item(api, "KIT-1")

    r = put_components(api, "KIT-1", [{"item": "THREAD-1", "quantity": 1}, {"item": "NEEDLE-1", "quantity": 1},
                                      {"item": thread["id"], "quantity": 2}])

    assert error(r) == (422, "VALIDATION_ERROR")
    assert "components[2].item" in r.json()["error"]["fields"]
    assert components_of(api, "KIT-1") == []


@pytest.mark.parametrize("quantity", [0, -1, "0"])
def test_a_line_needs_a_quantity_above_zero(api, quantity):
    item(api, f"PART-Q{quantity}")
    item(api, f"WHOLE-Q{quantity}")

    r = put_components(api, f"WHOLE-Q{quantity}", [{"item": f"PART-Q{quantity}", "quantity": quantity}])

    assert error(r) == (422, "VALIDATION_ERROR")


def test_an_unknown_field_in_a_line_is_refused(api):
    item(api, "PIN-1")
    item(api, "BADGE-1")

    r = put_components(api, "BADGE-1", [{"item": "PIN-1", "quantity": 1, "per": "unit"}])

    assert error(r) == (422, "VALIDATION_ERROR")


# Cycles


def test_an_item_cannot_be_its_own_component(api):
    item(api, "LOOP-1")

    r = put_components(api, "LOOP-1", [{"item": "LOOP-1", "quantity": 1}])

    assert error(r) == (422, "BOM_CYCLE")
    assert components_of(api, "LOOP-1") == []


def test_a_cycle_three_items_deep_is_refused_and_changes_nothing(api):
    for sku in ("CYC-A", "CYC-B", "CYC-C"):
        item(api, sku)
    made_of(api, "CYC-A", [{"item": "CYC-B", "quantity": 1}])
    made_of(api, "CYC-B", [{"item": "CYC-C", "quantity": 1}])
    version = version_of(api, "CYC-C")

    r = put_components(api, "CYC-C", [{"item": "CYC-A", "quantity": 1}])

    assert error(r) == (422, "BOM_CYCLE")
    assert components_of(api, "CYC-C") == []
    assert version_of(api, "CYC-C") == version
    assert skus(components_of(api, "CYC-A")) == ["CYC-B"]
    assert skus(components_of(api, "CYC-B")) == ["CYC-C"]


def test_a_cycle_closed_by_replacing_a_deeper_bill_is_refused_too(api):
    for sku in ("DEEP-A", "DEEP-B", "DEEP-C", "DEEP-D"):
        item(api, sku)
    made_of(api, "DEEP-A", [{"item": "DEEP-B", "quantity": 1}])
    made_of(api, "DEEP-B", [{"item": "DEEP-C", "quantity": 1}])
    made_of(api, "DEEP-C", [{"item": "DEEP-D", "quantity": 1}])

    r = put_components(api, "DEEP-D", [{"item": "DEEP-A", "quantity": 1}])

    assert error(r) == (422, "BOM_CYCLE")
    assert components_of(api, "DEEP-D") == []


def test_a_shared_component_at_two_depths_is_not_a_cycle(api):
    for sku in ("DIA-TOP", "DIA-MID", "DIA-LOW"):
        item(api, sku)
    made_of(api, "DIA-MID", [{"item": "DIA-LOW", "quantity": 1}])

    lines = made_of(api, "DIA-TOP", [{"item": "DIA-MID", "quantity": 1}, {"item": "DIA-LOW", "quantity": 2}])

    assert skus(lines) == ["DIA-MID", "DIA-LOW"]


# What may be a component, and what may have components


def test_a_variant_parent_cannot_be_a_component(api):
    item(api, "SHIRT-P", variants=[{"sku": "SHIRT-P-S", "attributes": {"size": "S"}}])
    item(api, "OUTFIT-1", tracking="bundle")

    r = put_components(api, "OUTFIT-1", [{"item": "SHIRT-P", "quantity": 1}])

    assert error(r) == (422, "NOT_STOCKABLE")


def test_a_variant_can_be_a_component(api):
    item(api, "SOCK-P", variants=[{"sku": "SOCK-P-M", "attributes": {"size": "M"}}])
    item(api, "SOCKPACK-1", tracking="bundle")

    assert skus(made_of(api, "SOCKPACK-1", [{"item": "SOCK-P-M", "quantity": 3}])) == ["SOCK-P-M"]


def test_a_bundle_cannot_be_a_component(api):
    item(api, "INNER-1", tracking="bundle")
    item(api, "OUTER-1", tracking="bundle")

    r = put_components(api, "OUTER-1", [{"item": "INNER-1", "quantity": 1}])

    assert error(r) == (422, "NOT_STOCKABLE")


def test_a_variant_parent_cannot_have_components(api):
    item(api, "BOLT-1")
    item(api, "CHAIR-P", variants=[{"sku": "CHAIR-P-RED", "attributes": {"colour": "red"}}])

    r = put_components(api, "CHAIR-P", [{"item": "BOLT-1", "quantity": 4}])

    assert error(r) == (422, "NOT_STOCKABLE")
    assert components_of(api, "CHAIR-P") == []


def test_an_untracked_item_cannot_have_components(api):
    item(api, "TONER-1")
    item(api, "PRINTING-1", tracking="none")

    r = put_components(api, "PRINTING-1", [{"item": "TONER-1", "quantity": 1}])

    assert error(r) == (422, "NOT_STOCKABLE")


def test_an_untracked_item_can_be_a_component(api):
    item(api, "GIFTWRAP-1", tracking="none")
    item(api, "GIFTSET-1", tracking="bundle")

    assert skus(made_of(api, "GIFTSET-1", [{"item": "GIFTWRAP-1", "quantity": 1}])) == ["GIFTWRAP-1"]


def test_an_item_that_is_a_bundles_component_cannot_become_a_bundle(api):
    item(api, "PIECE-1")
    item(api, "SET-1", tracking="bundle")
    made_of(api, "SET-1", [{"item": "PIECE-1", "quantity": 2}])

    r = api.patch("/v1/items/PIECE-1", json={"tracking": "bundle"})

    assert error(r) == (422, "NOT_STOCKABLE")
    assert api.get("/v1/items/PIECE-1").json()["tracking"] == "quantity"


def test_an_unknown_component_is_not_found(api):
    item(api, "ROBOT-1")

    r = put_components(api, "ROBOT-1", [{"item": "NO-SUCH-PART", "quantity": 1}])

    assert error(r) == (404, "ITEM_NOT_FOUND")


def test_a_deleted_item_cannot_become_a_component(api):
    item(api, "GONE-1")
    assert api.delete("/v1/items/GONE-1").status_code == 204
    item(api, "KEEP-1")

    assert error(put_components(api, "KEEP-1", [{"item": "GONE-1", "quantity": 1}])) == (404, "ITEM_NOT_FOUND")


def test_another_workspaces_item_is_not_found_as_a_component_by_sku_or_id(api, other_workspace):
    theirs = item(other_workspace.api, "THEIRS-1")
    item(api, "OURS-1")

    for ref in ("THEIRS-1", theirs["id"]):
        r = put_components(api, "OURS-1", [{"item": ref, "quantity": 1}])
        assert error(r) == (404, "ITEM_NOT_FOUND")
    assert components_of(api, "OURS-1") == []


def test_another_workspaces_bill_of_materials_is_not_found(api, other_workspace):
    item(other_workspace.api, "THEIR-PART")
    theirs = item(other_workspace.api, "THEIR-WHOLE")
    made_of(other_workspace.api, "THEIR-WHOLE", [{"item": "THEIR-PART", "quantity": 1}])

    assert error(api.get(f"/v1/items/{theirs['id']}/components")) == (404, "ITEM_NOT_FOUND")
    assert error(put_components(api, theirs["id"], [])) == (404, "ITEM_NOT_FOUND")
    assert skus(components_of(other_workspace.api, "THEIR-WHOLE")) == ["THEIR-PART"]


def test_the_components_of_an_unknown_item_are_not_found(api):
    assert error(api.get("/v1/items/NOTHING-1/components")) == (404, "ITEM_NOT_FOUND")


# Replacing, versions, reads


def test_a_put_replaces_the_whole_bill_and_an_empty_one_clears_it(api):
    for sku in ("REP-OLD", "REP-NEW", "REP-WHOLE"):
        item(api, sku)
    made_of(api, "REP-WHOLE", [{"item": "REP-OLD", "quantity": 1}])

    assert skus(made_of(api, "REP-WHOLE", [{"item": "REP-NEW", "quantity": 3}])) == ["REP-NEW"]
    assert made_of(api, "REP-WHOLE", []) == []
    assert components_of(api, "REP-WHOLE") == []
    assert api.get("/v1/items/REP-WHOLE").json()["components"] == []


def test_the_etag_is_the_items_version_and_a_put_bumps_it(api):
    item(api, "VER-PART")
    item(api, "VER-WHOLE")
    before = api.get("/v1/items/VER-WHOLE")
    version = before.json()["version"]
    assert api.get("/v1/items/VER-WHOLE/components").headers["ETag"] == f'"{version}"'

    r = put_components(api, "VER-WHOLE", [{"item": "VER-PART", "quantity": 1}])

    assert r.headers["ETag"] == f'"{version + 1}"'
    assert version_of(api, "VER-WHOLE") == version + 1
    assert api.get("/v1/items/VER-WHOLE/components").headers["ETag"] == f'"{version + 1}"'


def test_a_put_with_the_current_version_in_if_match_applies(api):
    item(api, "IFM-PART")
    item(api, "IFM-WHOLE")
    version = version_of(api, "IFM-WHOLE")

    r = put_components(api, "IFM-WHOLE", [{"item": "IFM-PART", "quantity": 2}], headers={"If-Match": f'"{version}"'})

    assert r.status_code == 200, r.text
    assert skus(components_of(api, "IFM-WHOLE")) == ["IFM-PART"]


def test_a_put_with_a_stale_version_in_if_match_is_refused_and_changes_nothing(api):
    item(api, "STALE-PART")
    item(api, "STALE-WHOLE")
    version = version_of(api, "STALE-WHOLE")
    assert api.patch("/v1/items/STALE-WHOLE", json={"name": "Renamed"}).status_code == 200

    r = put_components(api, "STALE-WHOLE", [{"item": "STALE-PART", "quantity": 1}],
                       headers={"If-Match": f'"{version}"'})

    assert error(r) == (412, "PRECONDITION_FAILED")
    assert components_of(api, "STALE-WHOLE") == []
    assert version_of(api, "STALE-WHOLE") == version + 1


def test_a_refused_put_does_not_bump_the_version(api):
    item(api, "NOBUMP-1")
    version = version_of(api, "NOBUMP-1")

    assert error(put_components(api, "NOBUMP-1", [{"item": "NOBUMP-1", "quantity": 1}])) == (422, "BOM_CYCLE")
    assert version_of(api, "NOBUMP-1") == version


def test_the_item_shows_its_components_and_lists_do_not(api):
    glass = item(api, "GLASS-1", unit="sqm")
    item(api, "FRAME-1")
    item(api, "WINDOW-1")
    made_of(api, "WINDOW-1", [{"item": "FRAME-1", "quantity": 1}, {"item": "GLASS-1", "quantity": 5000,
                                                                     "unit": "sqcm"}])

    shown = body(api.get("/v1/items/WINDOW-1"))["components"]

    assert skus(shown) == ["FRAME-1", "GLASS-1"]
    assert shown[1] == {"item": glass["id"], "sku": "GLASS-1", "name": "Item GLASS-1", "quantity": 5000,
                        "unit": "sqcm", "component_unit": "sqm", "quantity_in_component_unit": Decimal("0.5"),
                        "deleted": False}
    assert body(api.get("/v1/items/GLASS-1"))["components"] == []
    listed = api.get("/v1/items", params={"sku": "WINDOW-1"}).json()["data"]
    assert len(listed) == 1 and "components" not in listed[0]


def test_a_component_in_the_trash_is_shown_as_deleted(api):
    item(api, "TRASHED-PART")
    item(api, "TRASHED-WHOLE")
    made_of(api, "TRASHED-WHOLE", [{"item": "TRASHED-PART", "quantity": 1}])

    assert api.delete("/v1/items/TRASHED-PART").status_code == 204

    assert [line["deleted"] for line in components_of(api, "TRASHED-WHOLE")] == [True]


# A component's unit once a bill uses it


def test_a_components_unit_cannot_change_to_another_dimension_while_a_bill_uses_it(api):
    item(api, "BUTTER-1", unit="kg")
    item(api, "CROISSANT-1")
    made_of(api, "CROISSANT-1", [{"item": "BUTTER-1", "quantity": 30, "unit": "g"}])

    r = api.patch("/v1/items/BUTTER-1", json={"unit": "l"})

    assert error(r) == (422, "UNIT_MISMATCH")
    assert api.get("/v1/items/BUTTER-1").json()["unit"] == "kg"


def test_a_components_unit_may_change_within_its_dimension_and_the_bill_converts_to_it(api):
    item(api, "SALT-1", unit="kg")
    item(api, "PRETZEL-1")
    made_of(api, "PRETZEL-1", [{"item": "SALT-1", "quantity": 5, "unit": "g"}])

    r = api.patch("/v1/items/SALT-1", json={"unit": "g"})

    assert r.status_code == 200, r.text
    [line] = components_of(api, "PRETZEL-1")
    assert (line["unit"], line["component_unit"], line["quantity_in_component_unit"]) == ("g", "g", 5)


def test_a_components_unit_may_change_across_dimensions_once_no_bill_uses_it(api):
    item(api, "SYRUP-1", unit="kg")
    item(api, "SODA-1")
    made_of(api, "SODA-1", [{"item": "SYRUP-1", "quantity": 20, "unit": "g"}])
    made_of(api, "SODA-1", [])

    assert api.patch("/v1/items/SYRUP-1", json={"unit": "l"}).status_code == 200


# Scopes


def test_a_key_with_items_read_can_read_a_bill_but_not_replace_it(api, workspace):
    item(api, "SCOPE-PART")
    item(api, "SCOPE-WHOLE")
    made_of(api, "SCOPE-WHOLE", [{"item": "SCOPE-PART", "quantity": 1}])
    reader = workspace.key_with("items:read")

    assert skus(components_of(reader, "SCOPE-WHOLE")) == ["SCOPE-PART"]
    r = put_components(reader, "SCOPE-WHOLE", [])

    assert error(r) == (403, "INSUFFICIENT_SCOPE")
    assert skus(components_of(api, "SCOPE-WHOLE")) == ["SCOPE-PART"]


def test_a_key_with_items_write_can_replace_a_bill(workspace):
    writer = workspace.key_with("items:write")
    item(writer, "WRITE-PART")
    item(writer, "WRITE-WHOLE")

    assert skus(made_of(writer, "WRITE-WHOLE", [{"item": "WRITE-PART", "quantity": 1}])) == ["WRITE-PART"]


def test_a_key_with_only_stock_scopes_cannot_read_a_bill(api, workspace):
    item(api, "STOCKONLY-1")
    stocker = workspace.key_with("stock:write")

    assert error(stocker.get("/v1/items/STOCKONLY-1/components")) == (403, "INSUFFICIENT_SCOPE")
