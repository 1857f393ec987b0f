"""Import and export next to a running server, as an operator would use them: `storekeeper
import` into the database a real `storekeeper serve` is serving, the API seeing the result at
once, and the lists' `Accept: text/csv` streamed over real HTTP (several pages) matching
`storekeeper export` byte for byte."""

from __future__ import annotations

import csv
import io

import pytest

from tests.e2e.test_server import start_server, stop

ITEMS = 1_234  # more than two of the export's pages (500 rows)


@pytest.fixture(scope="module")
def served(tmp_path_factory, new_database_url):
    directory = tmp_path_factory.mktemp("e2e-import")
    running = start_server(directory, new_database_url("e2e_import"), "--demo")
    try:
        yield running, running.wait_for_output(r"Admin API key:\s*(sk_\w+)").group(1)
    finally:
        stop(running)


def test_an_import_is_seen_by_the_server_and_streams_back_as_csv(served):
    server, key = served
    items = server.directory / "items.csv"
    with items.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["sku", "name", "unit", "price", "category", "tags"])
        for n in range(ITEMS):
            writer.writerow([f"BULK-{n:05d}", f"Bulk item {n}", "kg" if n % 3 else "pcs", f"{n % 50}.25",
                             "Imported", "bulk, e2e"])
    stock = server.directory / "stock.csv"
    with stock.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["sku", "location", "delta", "reason", "unit_cost"])
        for n in range(ITEMS):
            writer.writerow([f"BULK-{n:05d}", "Hamburg warehouse" if n % 2 else "Main warehouse",
                             f"{n % 7 + 1}.5", "receipt", "1.10"])
    done = server.cli("import", "items", str(items))
    assert done.returncode == 0, done.stderr
    done = server.cli("import", "stock", str(stock))
    assert done.returncode == 0, done.stderr

    with server.http(key) as http:
        assert http.get("/v1/stock/BULK-01000").json()["on_hand"] == 1000 % 7 + 1.5
        r = http.get("/v1/items?q=bulk-", headers={"Accept": "text/csv"})
        assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert [row["sku"] for row in rows] == [f"BULK-{n:05d}" for n in range(ITEMS)]
        assert {row["category"] for row in rows} == {"Imported"} and rows[7]["tags"] == "bulk, e2e"
        over_http = http.get("/v1/stock/movements?reason=receipt&order=asc", headers={"Accept": "text/csv"}).text
    exported = server.cli("export", "movements")
    assert exported.returncode == 0, exported.stderr
    receipts = [line for line in exported.stdout.splitlines()[1:] if ",receipt," in line]
    assert over_http.splitlines()[1:] == receipts
    assert sum(1 for line in receipts if ",BULK-" in line) == ITEMS
    check = server.cli("check")
    assert check.returncode == 0, check.stdout + check.stderr
