"""The items list at one location and an item's movements page by page (issue 19, items 12 and
13), through the real app: a location's link shows that location's quantities and says that the
filter is on, with a way back to every location; an item's page leads to every movement, not
only its latest 20. Each in as many statements for many rows as for few."""

from __future__ import annotations

import re
from html import unescape

from tests.sql_counting import statements


def ok(r, status: int = 200):
    assert r.status_code == status, r.text
    return r.json() if r.headers.get("content-type", "").startswith("application/json") else r


def rows(page) -> list[tuple[str, ...]]:
    """Each item row as (SKU, on hand, available, status) at the location."""
    return [(sku, unescape(on_hand), available, status) for sku, on_hand, available, status in re.findall(
        r'<td[^>]*><a href="/items/[^"]+">([^<]+)</a></td>\s*<td>[^<]*</td>\s*<td class="num">([^<]*)</td>\s*'
        r'<td class="num">([^<]*)</td>\s*<td><span class="badge status-(\w+)"', page.text)]


def stocked(api) -> None:
    """Lamps: 8 at Main, 4 at the Workshop (1 reserved); rope at Main only; a material at both."""
    for name in ("Main", "Workshop"):
        ok(api.post("/v1/locations", json={"name": name, "is_default": name == "Main"}), 201)
    ok(api.post("/v1/items", json={"sku": "LAMP", "name": "Brass lamp", "reorder_point": 5}), 201)
    ok(api.post("/v1/items", json={"sku": "ROPE", "name": "Hemp rope", "unit": "m"}), 201)
    ok(api.post("/v1/items", json={"sku": "WAX", "name": "Soy wax", "kind": "material", "unit": "kg"}), 201)
    ok(api.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "receipt", "delta": 12}), 201)
    ok(api.post("/v1/stock/transfers", json={"item": "LAMP", "from": "Main", "to": "Workshop", "quantity": 4}), 201)
    ok(api.post("/v1/reservations", json={"item": "LAMP", "location": "Workshop", "quantity": 1}), 201)
    ok(api.post("/v1/stock/adjustments", json={"item": "ROPE", "reason": "receipt", "delta": "2.5"}), 201)
    for place, amount in (("Main", 30), ("Workshop", "1.5")):
        ok(api.post("/v1/stock/adjustments", json={"item": "WAX", "location": place, "reason": "receipt",
                                                    "delta": amount}), 201)


def test_a_locations_link_shows_that_locations_quantities_and_says_the_filter_is_on(workspace, viewer):
    stocked(workspace.api)
    locations = ok(viewer.get("/locations"))
    assert 'href="/items?location=Workshop"' in locations.text
    page = ok(viewer.get("/items?location=Workshop"))
    # LAMP: 4 here (not its 12 in all), 3 of them available: low here, though not in all.
    assert rows(page) == [("LAMP", "4 pcs", "3", "low"), ("WAX", "1.5 kg", "1.5", "normal")]
    assert "Only the stock at <strong>Workshop</strong> is shown" in page.text
    assert '<a href="/items">Show every location</a>' in page.text
    assert '<input type="hidden" name="location" value="Workshop">' in page.text  # a search stays there
    assert "On hand here" in page.text
    # Filters apply to the location's figures: the status there, the kind, the search.
    assert rows(ok(viewer.get("/items?location=Workshop&status=low"))) == [("LAMP", "4 pcs", "3", "low")]
    assert rows(ok(viewer.get("/items?location=Main&status=low"))) == []
    assert [r[0] for r in rows(ok(viewer.get("/items?location=Workshop&kind=material")))] == ["WAX"]
    searched = ok(viewer.get("/items?location=Main&q=rope"))
    assert rows(searched) == [("ROPE", "2.5 m", "2.5", "normal")]
    assert '<a href="/items?q=rope">Show every location</a>' in searched.text
    # Without the filter nothing says one is on, and the totals are all locations'.
    everything = ok(viewer.get("/items"))
    assert "Only the stock at" not in everything.text and "Show every location" not in everything.text
    assert re.search(r'<a href="/items/LAMP">LAMP</a></td>\s*<td>Brass lamp</td>\s*<td>Product</td>\s*'
                     r'<td class="num">12 pcs</td>', everything.text)


def test_an_unknown_location_says_so_and_offers_every_location(workspace, viewer):
    stocked(workspace.api)
    page = ok(viewer.get("/items?location=Nowhere"))
    assert "There is no location &#39;Nowhere&#39;." in page.text and rows(page) == []
    assert '<a href="/items">Show every location</a>' in page.text


def test_items_at_a_location_page_by_cursor_in_the_same_statements_for_many_rows_as_for_few(workspace, viewer):
    ok(workspace.api.post("/v1/locations", json={"name": "Main", "is_default": True}), 201)
    ok(workspace.api.post("/v1/locations", json={"name": "Workshop"}), 201)

    def more(start: int, n: int) -> None:
        adjustments = []
        for k in range(start, start + n):
            ok(workspace.api.post("/v1/items", json={"sku": f"MUG-{k:03d}", "name": f"Mug {k}"}), 201)
            adjustments.append({"item": f"MUG-{k:03d}", "location": "Workshop", "reason": "receipt", "delta": k + 1})
        ok(workspace.api.post("/v1/stock/adjustments/bulk", json={"adjustments": adjustments}), 201)

    def counted() -> tuple[int, object]:
        with statements(workspace.db) as seen:
            page = ok(viewer.get("/items?location=Workshop"))
        return len(seen), page

    more(0, 2)
    few, page = counted()
    assert len(rows(page)) == 2 and "More items" not in page.text
    more(2, 58)
    many, page = counted()
    assert many == few and len(rows(page)) == 50
    nxt = re.search(r'hx-get="(/items\?[^"]+)"', page.text).group(1).replace("&amp;", "&")
    assert "location=Workshop" in nxt
    rest = ok(viewer.get(nxt, headers={"HX-Request": "true"}))
    assert [r[0] for r in rows(rest)] == [f"MUG-{k:03d}" for k in range(50, 60)] and "<html" not in rest.text
    assert rows(rest)[-1] == ("MUG-059", "60 pcs", "60", "normal")


def test_an_items_page_leads_to_every_movement_page_by_page(workspace, viewer):
    ok(workspace.api.post("/v1/locations", json={"name": "Main", "is_default": True}), 201)
    ok(workspace.api.post("/v1/items", json={"sku": "LAMP", "name": "Brass lamp"}), 201)
    ok(workspace.api.post("/v1/stock/adjustments/bulk", json={"adjustments": [
        {"item": "LAMP", "reason": "receipt", "delta": n + 1} for n in range(75)]}), 201)
    expected = [m["after"] for m in ok(workspace.api.get("/v1/stock/movements?item=LAMP&limit=100"))["data"]]
    assert len(expected) == 75

    def afters(page) -> list[float]:
        """On hand after each movement listed (the rows of the movements, not the levels)."""
        listed = page.text[max(page.text.find("Movements"), 0):]
        return [float(a) for a in re.findall(r'<td class="num">([\d.]+)</td><td class="breakable">', listed)]

    page = ok(viewer.get("/items/LAMP"))
    assert "Movements <small>(75)</small>" in page.text
    seen = afters(page)
    assert len(seen) == 20
    while True:
        more = re.search(r'<a href="(/items/LAMP/movements\?cursor=[^"]+)" hx-get="[^"]+"[^>]*>Older movements</a>',
                         page.text)
        if more is None:
            break
        page = ok(viewer.get(unescape(more.group(1)), headers={"HX-Request": "true"}))
        assert "<html" not in page.text
        seen += afters(page)
    assert seen == expected  # 20 + 50 + 5, newest first, none twice, none missed
    # Without htmx the link opens a page of its own.
    first = re.search(r'href="(/items/LAMP/movements\?cursor=[^"]+)"', ok(viewer.get("/items/LAMP")).text).group(1)
    own = ok(viewer.get(unescape(first)))
    assert "<h1>Movements of Brass lamp" in own.text and len(afters(own)) == 50
    assert ok(viewer.get("/items/LAMP/movements")).text.count("<h1>Movements of Brass lamp <small>(75)</small>") == 1
    assert viewer.get("/items/NOPE/movements").status_code == 404
