"""Import and export from the dashboard (issue 22): a file is checked line by line as the CLI
checks it, then applied all or nothing, once, as the signed-in user; lists download as CSV."""

from __future__ import annotations

import csv
import io
import re

from tests.waiting import wait_until

ITEMS = "sku,name,unit,category,price\nLAMP,Brass lamp,pcs,Lighting,40\nWAX,Soy wax,kg,,\nVASE,Vase,pcs,,12.5\n"
BAD_ITEMS = "sku,name,unit\nLAMP,Brass lamp,pcs\nWAX,Soy wax,parsecs\nLAMP,Again,pcs\n"


def upload(browser, kind: str, text: str, filename: str = "file.csv", **fields):
    r = browser.client.post(f"/import/{kind}", data={"csrf_token": browser.csrf(), **fields},
                            files={"file": (filename, text.encode(), "text/csv")}, follow_redirects=False)
    return r


def job_url(r) -> str:
    assert r.status_code == 303, r.text
    return r.headers["location"]


def settled(browser, url: str, *states: str) -> str:
    """The job's page once it shows one of `states` (words on the page)."""
    return wait_until(lambda: next((p for p in [browser.get(url).text] if any(s in p for s in states)), None),
                      f"the import at {url} to show one of {states}")


def apply(browser, page: str, url: str, key: str | None = None, kind: str = "items"):
    key = key or re.search(r'name="form_key" value="([^"]+)"', page).group(1)
    return browser.submit(f"{url}/apply-{kind}", {"form_key": key})


def test_an_items_file_is_checked_then_applied_as_the_signed_in_user(workspace, member, viewer):
    url = job_url(upload(member, "items", ITEMS, "catalogue.csv"))
    page = settled(member, url, "lines are fine")
    assert "All 3 lines are fine. Nothing has changed yet." in page and "Import all 3 items" in page
    assert workspace.api.get("/v1/items/LAMP").status_code == 404  # checked only
    assert apply(member, page, url).status_code == 303
    done = settled(member, url, "Created 3 items")
    assert "Created 3 items from catalogue.csv; new categories: Lighting." in done
    lamp = workspace.api.get("/v1/items/LAMP").json()
    assert (lamp["name"], lamp["price"]) == ("Brass lamp", "40.00")
    audit = workspace.api.get("/v1/audit-log", params={"action": "item.created"}).json()["data"]
    assert {a["actor"]["name"] for a in audit} == {member.email}
    # The job is the uploader's: another person of the workspace does not see it.
    assert viewer.get(url).status_code == 404


def test_bad_lines_are_named_and_nothing_is_imported(workspace, member):
    url = job_url(upload(member, "items", BAD_ITEMS))
    page = settled(member, url, "bad line")
    assert "2 bad line(s) of 3: nothing was imported." in page
    assert re.search(r'<td class="num">3</td><td class="breakable">unit: [^<]*parsecs', page)
    assert re.search(r'<td class="num">4</td><td class="breakable">[^<]*LAMP', page)
    assert "Import all" not in page
    apply(member, page, url, key="k" * 22)  # pressed anyway: nothing to apply
    assert workspace.api.get("/v1/items", params={"q": "LAMP"}).json()["data"] == []
    # A file that cannot be read as rows at all is refused before any line.
    unreadable = settled(member, job_url(upload(member, "stock", "sku,colour\nLAMP,red\n")), "bad line")
    assert "Unknown columns &#39;colour&#39;" in unreadable


def test_a_stock_file_is_applied_once_however_often_apply_is_pressed(workspace, member):
    for sku in ("LAMP", "VASE"):
        assert workspace.api.post("/v1/items", json={"sku": sku, "name": sku}).status_code == 201
    url = job_url(upload(member, "stock", "sku,location,on_hand\nLAMP,Shop,12\nVASE,Shop,3\n",
                         create_locations="on"))
    page = settled(member, url, "lines are fine")
    first = apply(member, page, url, kind="stock")
    second = apply(member, page, url, key="another-key-from-a-second-tab", kind="stock")
    assert (first.status_code, second.status_code) == (303, 303)
    settled(member, url, "Recorded 2 stock changes")
    moves = workspace.api.get("/v1/stock/movements").json()["data"]
    assert sorted((m["sku"], m["delta"]) for m in moves) == [("LAMP", 12), ("VASE", 3)]
    assert {m["actor"]["name"] for m in moves} == {member.email}


def test_a_viewer_downloads_but_may_not_import(app, workspace, viewer):
    assert workspace.api.post("/v1/items", json={"sku": "LAMP", "name": "Brass lamp"}).status_code == 201
    page = viewer.get("/import")
    assert page.status_code == 200 and "may not import files" in page.text and 'action="/import/' not in page.text
    assert upload(viewer, "items", ITEMS).status_code == 403
    items = viewer.get("/export/items.csv")
    assert items.status_code == 200 and items.headers["content-type"].startswith("text/csv")
    assert [row["sku"] for row in csv.DictReader(io.StringIO(items.text))] == ["LAMP"]
    assert viewer.get("/export/stock.csv").status_code == 200
    assert viewer.get("/export/movements.csv").status_code == 200
    assert viewer.get("/export/nothing.csv").status_code == 404


def test_a_snapshot_downloads_and_another_workspaces_is_not_found(app, workspace, other_workspace, member):
    api = workspace.api
    assert api.post("/v1/items", json={"sku": "LAMP", "name": "Lamp"}).status_code == 201
    assert api.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "receipt", "delta": 4}).status_code == 201
    shot = api.post("/v1/snapshots", json={"note": "Before the fair"}).json()
    theirs = other_workspace.api.post("/v1/snapshots", json={}).json()
    assert "Before the fair (CSV)" in member.get("/import").text
    levels = member.get(f"/export/snapshots/{shot['id']}.csv")
    assert levels.status_code == 200 and "LAMP" in levels.text
    assert member.get(f"/export/snapshots/{theirs['id']}.csv").status_code == 404


def test_a_file_larger_than_an_api_request_may_be_uploaded(workspace, admin):
    rows = "".join(f"SKU-{n},Item {n},pcs,{'x' * 4000}\n" for n in range(300))  # about 1.2 MB
    url = job_url(upload(admin, "items", "sku,name,unit,description\n" + rows))
    assert "All 300 lines are fine" in settled(admin, url, "lines are fine")


def test_no_file_or_an_empty_one_is_refused_in_words(workspace, admin):
    r = admin.client.post("/import/items", data={"csrf_token": admin.csrf()}, follow_redirects=False)
    assert r.status_code == 422 and "Choose a file to import." in r.text
    assert upload(admin, "stock", "").status_code == 422
    url = job_url(upload(admin, "items", ITEMS))
    assert admin.get("/imports/not-a-real-token-at-all-xyz").status_code == 404
    # An items job is applied by the items route only.
    assert apply(admin, settled(admin, url, "lines are fine"), url, kind="stock").status_code == 404
