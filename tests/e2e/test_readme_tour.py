"""The README's five-minute tour ("A first look"), run as written against a real server.

The commands are read from README.md's ```sh blocks under "## A first look", so editing the
README changes what is tested. They run in one bash script, as a newcomer pastes them, against
`storekeeper serve --demo` on a database of its own — what `make run` starts — with only the
key and the port put in. Every curl fails on an HTTP error status (`--fail-with-body`), so a
command that breaks fails the test; then the test checks what the tour says it did.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.test_server import start_server, stop

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("curl") is None or shutil.which("bash") is None, reason="needs curl and bash"),
]

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## A first look"
README_ADDRESS = "localhost:8000"

# A function, not an alias: it applies inside $( … ) too, and keeps the README's own flags.
PROLOGUE = """\
set -euo pipefail
curl() { command curl --fail-with-body --show-error "$@"; }
set -x
"""


def tour_blocks(readme: str) -> list[str]:
    """The bodies of the ```sh blocks between "## A first look" and the next "## " heading."""
    start = readme.index(f"\n{SECTION}\n")
    end = readme.find("\n## ", start + 1)
    section = readme[start:end if end != -1 else None]
    return re.findall(r"^```sh\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)


def tour_script(readme: str, key: str, address: str) -> str:
    """The tour as one bash script, with the real key and the server's address put in."""
    script = "\n".join(tour_blocks(readme))
    script, keys = re.subn(r"^KEY=\S+", f"KEY={key}", script, flags=re.MULTILINE)
    assert keys == 1, "the tour must set KEY exactly once, at the start of a line"
    assert README_ADDRESS in script, f"the tour no longer talks to {README_ADDRESS}"
    return PROLOGUE + script.replace(README_ADDRESS, address)


def test_the_tour_is_found_in_the_readme_and_covers_the_core_flows():
    blocks = tour_blocks(README.read_text())
    script = "\n".join(blocks)
    assert len(blocks) >= 8, blocks
    for path in ("/items", "/components", "/locations", "/stock/adjustments", "/production-orders",
                 "/batches", "/stock/transfers", "/reservations", "/movements", "/stock/MUG-RED", "/events"):
        assert path in script, f"the tour lost its {path} step"
    assert "Idempotency-Key:" in script


@pytest.fixture(scope="module")
def demo(tmp_path_factory, new_database_url):
    """`storekeeper serve --demo` on a new database, and the admin key it printed."""
    running = start_server(tmp_path_factory.mktemp("e2e-readme"), new_database_url("e2e_readme"), "--demo")
    try:
        yield running, running.wait_for_output(r"Admin API key:\s*(sk_\w+)").group(1)
    finally:
        stop(running)


@pytest.fixture(scope="module")
def tour(demo):
    """The tour, run once; its output, for the tests that read what it printed."""
    server, key = demo
    script = tour_script(README.read_text(), key, server.url.removeprefix("http://"))
    # `python3` in the tour is the one this suite runs on, as it is after `make run`.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    ran = subprocess.run(["bash", "-c", script], cwd=server.directory, env=env,
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, (
        f"the README's tour failed (exit {ran.returncode}); the last command shown is the one that broke:\n"
        f"{ran.stderr[-4000:]}\n--- its output ---\n{ran.stdout[-2000:]}"
    )
    return ran.stdout


def _levels(stock: dict) -> dict[str, tuple]:
    """(on hand, reserved, available) by location name."""
    return {level["name"]: (level["on_hand"], level["reserved"], level["available"]) for level in stock["locations"]}


def test_after_the_tour_each_location_holds_what_the_readme_says(demo, tour):
    server, key = demo
    with server.http(key) as http:
        mugs = http.get("/v1/stock/MUG-RED").json()
        clay = http.get("/v1/stock/CLAY-RED").json()
        mug = http.get("/v1/items/MUG-RED").json()

    # 20 made at the warehouse, 8 moved to the stall, 2 sold there (once, though sent twice), 3 reserved.
    assert _levels(mugs) == {"Main warehouse": (12, 3, 9), "Market stall": (6, 0, 6)}
    assert (mugs["on_hand"], mugs["reserved"], mugs["available"]) == (18, 3, 15)
    # 25 kg received, 20 x 350 g used.
    assert _levels(clay) == {"Main warehouse": (18, 0, 18)}
    # Each mug is costed at the clay it took: 0.35 kg x 2.40.
    assert Decimal(mug["average_cost"]) == Decimal("0.84")
    assert [(c["sku"], c["quantity"], c["unit"]) for c in mug["components"]] == [("CLAY-RED", 350, "g")]


def test_the_ledger_holds_the_receipt_the_batch_the_transfer_pair_and_one_sale(demo, tour):
    server, key = demo
    with server.http(key) as http:
        mug_moves = http.get("/v1/items/MUG-RED/movements", params={"order": "asc"}).json()["data"]
        clay_moves = http.get("/v1/stock/movements", params={"item": "CLAY-RED", "order": "asc"}).json()["data"]
        orders = http.get("/v1/production-orders", params={"item": "MUG-RED"}).json()["data"]
        events = http.get("/v1/events", params={"after": 0, "types": "stock.changed", "limit": 1000}).json()

    assert [(m["reason"], m["delta"]) for m in clay_moves] == [("receipt", 25), ("production_consumption", -7)]
    assert clay_moves[0]["unit_cost"] == "2.40"
    assert [(m["reason"], m["delta"]) for m in mug_moves] == [
        ("production_output", 20), ("transfer_out", -8), ("transfer_in", 8), ("sale", -2)]
    output, transfer_out, transfer_in, sale = mug_moves
    assert output["batch"] and output["batch"] == clay_moves[1]["batch"]
    assert transfer_out["transfer"] and transfer_out["transfer"] == transfer_in["transfer"]
    assert sale["reference"] == {"type": "order", "id": "17"}

    [order] = orders
    assert (order["status"], order["lines"][0]["produced_quantity"]) == ("done", 20)
    # The change feed carries every one of these movements.
    fed = {e["data"]["movement"]["id"] for e in events["data"]}
    assert {m["id"] for m in mug_moves + clay_moves} <= fed


def test_the_repeated_sale_was_replayed_not_applied(tour):
    assert re.search(r"^idempotent-replayed: true\r?$", tour, re.MULTILINE | re.IGNORECASE), tour[-2000:]


def test_storekeeper_check_finds_the_books_balanced_after_the_tour(demo, tour):
    server, _key = demo
    checked = server.cli("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
