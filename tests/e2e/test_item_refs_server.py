"""SKUs and location names with `/`, `%`, `?`, `#`, spaces and non-ASCII letters, over real HTTP
to a real `storekeeper serve` (issue 19, item 9): uvicorn decodes `%2F` into `/` in the path it
hands the app, which is what the route class's matching on the raw path is for. The API's item,
stock and location routes and the dashboard's pages, links and forms all reach such an item."""

from __future__ import annotations

import html
import json
import re
import subprocess
from urllib.parse import quote

import pytest

from tests.e2e.test_server import STOREKEEPER, environment, start_server, stop

pytestmark = pytest.mark.slow

SKUS = ["A/B", "X/movements", "/lead", "trail/", "a//b", "50%", "%2F", "what?", "#1", "a b", "Café/Ünï",
        "back\\slash", "deleted/x"]


@pytest.fixture(scope="module")
def served(tmp_path_factory, new_database_url):
    directory = tmp_path_factory.mktemp("e2e-refs")
    env = environment(new_database_url("e2e_refs"))
    done = subprocess.run([*STOREKEEPER, "init", "--workspace", "Refs", "--json"], env=env, cwd=directory,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    running = start_server(directory, env["STOREKEEPER_DATABASE_URL"])
    try:
        yield running, json.loads(done.stdout)
    finally:
        stop(running)


def segment(text: str) -> str:
    return quote(text, safe="")


def stocked(http, prefix: str) -> list[str]:
    """The SKUs, prefixed (each test makes its own), each with 3 received at `Back/room`."""
    if http.get("/v1/locations/Back%2Froom").status_code == 404:
        assert http.post("/v1/locations", json={"name": "Back/room"}).status_code == 201
    skus = [prefix + sku for sku in SKUS]
    for sku in skus:
        r = http.post("/v1/items", json={"sku": sku, "name": f"Item {sku}"})
        assert r.status_code == 201, r.text
        r = http.post("/v1/stock/adjustments", json={"item": sku, "location": "Back/room", "reason": "receipt",
                                                     "delta": 3})
        assert r.status_code == 201, r.text
    return skus


def test_every_item_route_reaches_a_sku_whatever_it_holds(served):
    server, initial = served
    with server.http(initial["api_key"]) as http:
        for sku in stocked(http, ""):
            ref = segment(sku)
            got = http.get(f"/v1/items/{ref}")
            assert got.status_code == 200 and got.json()["sku"] == sku, (sku, got.text)
            stock = http.get(f"/v1/stock/{ref}")
            assert stock.status_code == 200 and stock.json()["on_hand"] == 3, (sku, stock.text)
            moved = http.get(f"/v1/items/{ref}/movements")
            assert moved.status_code == 200 and [m["sku"] for m in moved.json()["data"]] == [sku]
            as_csv = http.get(f"/v1/items/{ref}/movements", headers={"Accept": "text/csv"})
            assert as_csv.status_code == 200 and len(as_csv.text.splitlines()) == 2
            assert http.get(f"/v1/items/{ref}/variants").status_code == 200
            patched = http.patch(f"/v1/items/{ref}", json={"name": f"Renamed {sku}"})
            assert patched.status_code == 200 and patched.json()["name"] == f"Renamed {sku}", patched.text
        # The item `X/movements` is not the movements of an item `X`.
        assert http.get("/v1/items/X%2Fmovements").json()["sku"] == "X/movements"
        assert http.get("/v1/items/X%2fmovements").json()["sku"] == "X/movements"  # either case of hex
        location = http.get("/v1/locations/Back%2Froom")
        assert location.status_code == 200 and location.json()["name"] == "Back/room"
        assert http.patch("/v1/locations/Back%2Froom", json={"type": "store"}).json()["type"] == "store"
        assert http.post("/v1/locations", json={"name": "Empty/shelf"}).status_code == 201
        assert http.delete("/v1/locations/Empty%2Fshelf").status_code == 204
        deleted = http.delete(f"/v1/items/{segment('A/B')}")
        assert deleted.status_code == 204
        assert http.post(f"/v1/items/{segment('A/B')}/restore").status_code == 200


def test_the_dashboard_links_to_and_changes_an_item_with_a_slash_in_its_sku(served):
    server, initial = served
    with server.http(initial["api_key"]) as http:
        skus = stocked(http, "web ")
    with server.http() as browser:
        r = browser.post("/login", data={"email": initial["admin_email"], "password": initial["admin_password"],
                                         "next": "/"})
        assert r.status_code in (200, 303), r.text
        listed = browser.get("/items", params={"q": "web "}).text
        hrefs = {html.unescape(h) for h in re.findall(r'<a href="(/items/[^"?]+)">', listed)}
        assert hrefs == {f"/items/{segment(sku)}" for sku in skus}
        href = f"/items/{segment('web Café/Ünï')}"
        page = browser.get(href)
        assert page.status_code == 200 and "web Café/Ünï" in page.text
        form = browser.get(f"{href}/adjust")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        key = re.search(r'name="form_key" value="([^"]+)"', form.text).group(1)
        r = browser.post(f"{href}/adjust", data={"csrf_token": csrf, "form_key": key, "mode": "in", "quantity": "2",
                                                 "location": "Back/room", "reason": "receipt"})
        assert r.status_code == 303 and r.headers["location"].startswith(f"{href}?done="), r.text
        assert browser.get(r.headers["location"]).status_code == 200
    with server.http(initial["api_key"]) as http:
        assert http.get(f"/v1/stock/{segment('web Café/Ünï')}").json()["on_hand"] == 5
