"""The trash pages through everything in it (issue 22): each list, items and locations, the
latest deleted first, a page at a time; "More" (htmx, or a plain link without it) reaches the
last of them, and every page is the same statements however much is in the trash."""

from __future__ import annotations

import re
from html import unescape

from storekeeper.web import trash
from tests.sql_counting import statements


def ok(r, status: int = 200):
    assert r.status_code == status, r.text
    return r


def deleted_items(workspace, count: int, prefix: str = "GONE") -> list[str]:
    """SKUs deleted one after the other: the last one deleted last."""
    for n in range(count):
        ok(workspace.api.post("/v1/items", json={"sku": f"{prefix}-{n:03d}", "name": "Gone"}), 201)
        ok(workspace.api.delete(f"/v1/items/{prefix}-{n:03d}"), 204)
    return [f"{prefix}-{n:03d}" for n in range(count)]


def deleted_places(workspace, count: int) -> list[str]:
    for n in range(count):
        ok(workspace.api.post("/v1/locations", json={"name": f"Shed {n:03d}"}), 201)
        ok(workspace.api.delete(f"/v1/locations/Shed {n:03d}"), 204)
    return [f"Shed {n:03d}" for n in range(count)]


def more(text: str, part: str) -> str | None:
    found = re.search(rf'<tr id="more-{part}">.*?hx-get="([^"]+)"', text, re.S)
    return unescape(found.group(1)) if found else None


def walk(member, part: str, pattern: str) -> list[str]:
    """Every row of one list: the trash's first page, then each "More" as htmx fetches it."""
    page = ok(member.get("/trash")).text
    section = page.split("<h2>Locations</h2>")[0 if part == "items" else 1]
    seen, url = re.findall(pattern, section), more(section, part)
    while url:
        rows = ok(member.get(url, headers={"HX-Request": "true"})).text
        assert "<html" not in rows  # rows to append, not a page
        seen += re.findall(pattern, rows)
        url = more(rows, part)
    return seen


def test_more_reaches_every_deleted_item_the_latest_deleted_first(workspace, member):
    skus = deleted_items(workspace, trash.PAGE + 3)
    assert walk(member, "items", r'aria-label="Restore (GONE-\d+)"') == skus[::-1]
    # Without htmx the link opens the trash with that list further on, and a way back.
    page = ok(member.get("/trash")).text
    further = ok(member.get(more(page, "items"))).text
    assert re.findall(r'aria-label="Restore (GONE-\d+)"', further) == skus[::-1][trash.PAGE:]
    assert "back to the latest deleted" in further


def test_more_reaches_every_deleted_location_and_a_viewer_pages_without_restore(workspace, member, viewer,
                                                                                   monkeypatch):
    monkeypatch.setattr(trash, "PAGE", 4)  # more than two pages without making hundreds of locations
    names = deleted_places(workspace, 10)
    assert walk(member, "locations", r"<tr><td>(Shed \d+)</td>") == names[::-1]
    assert walk(viewer, "locations", r"<tr><td>(Shed \d+)</td>") == names[::-1]
    assert "/restore" not in viewer.get("/trash").text


def test_every_page_of_the_trash_runs_the_same_statements_however_much_is_in_it(workspace, member, monkeypatch):
    monkeypatch.setattr(trash, "PAGE", 3)

    def counted(url: str, htmx: bool = False) -> int:
        with statements(workspace.db) as seen:
            ok(member.get(url, headers={"HX-Request": "true"} if htmx else {}))
        return len(seen)

    deleted_items(workspace, 4, "A")
    deleted_places(workspace, 4)
    first, second = counted("/trash"), counted(more(member.get("/trash").text, "items"), htmx=True)
    deleted_items(workspace, 20, "B")
    assert counted("/trash") == first
    assert counted(more(member.get("/trash").text, "items"), htmx=True) == second


def test_a_bad_cursor_is_said_in_words(workspace, member):
    deleted_items(workspace, 1)
    for url in ("/trash?part=items&cursor=nonsense", "/trash?part=locations&cursor=nonsense"):
        r = member.get(url)
        assert r.status_code == 400 and 'class="error"' in r.text and "cursor" in r.text.lower(), url
        r = member.get(url, headers={"HX-Request": "true"})  # said in the rows htmx appends (it swaps only a 2xx)
        assert r.status_code == 200 and 'class="error"' in r.text, url
    assert member.get("/trash?part=items&cursor=" + "x" * 600).status_code == 422
