"""The dashboard's order pages (issue 9), through the real app: a transfer from the item page,
purchase orders listed and received, production orders on a board and their batches recorded.
Every form acts once however often it is sent, says in words why it was refused and changes
nothing then; a viewer reads every page but is offered no form and may send none."""

from __future__ import annotations

import re

from storekeeper.services import production, purchasing
from storekeeper.web import orders as order_pages
from tests.sql_counting import statements
from tests.web.conftest import sign_in


def ok(r):
    assert r.status_code in (200, 201), r.text
    return r.json()


def form_key(page) -> str:
    return re.search(r'name="form_key" value="([^"]+)"', page.text).group(1)


def on_hand(api, sku: str, location: str | None = None):
    stock = ok(api.get(f"/v1/stock/{sku}"))
    if location is None:
        return stock["on_hand"]
    return next((level["on_hand"] for level in stock["locations"] if level["name"] == location), 0)


def stocked(api) -> None:
    """Lamps at Main (the default location), an empty Shop, and a read-only marketplace."""
    ok(api.post("/v1/locations", json={"name": "Main", "is_default": True}))
    ok(api.post("/v1/locations", json={"name": "Shop"}))
    ok(api.post("/v1/locations", json={"name": "Amazon", "type": "external", "read_only": True}))
    ok(api.post("/v1/items", json={"sku": "LAMP", "name": "Brass lamp", "unit_cost": "15"}))
    ok(api.post("/v1/items", json={"sku": "SHADE", "name": "Linen shade"}))
    ok(api.post("/v1/stock/adjustments", json={"item": "LAMP", "reason": "receipt", "delta": 12, "unit_cost": "15"}))


def purchase_order(api, *, place: bool = True, **fields) -> dict:
    order = ok(api.post("/v1/purchase-orders", json={
        "supplier": "Lumen Ltd", "location": "Main",
        "lines": [{"item": "LAMP", "quantity": 10, "unit_cost": "14.50"}, {"item": "SHADE", "quantity": 6}],
        **fields}))
    return ok(api.post(f"/v1/purchase-orders/{order['id']}/order")) if place else order


def workshop(api) -> dict:
    """A candle takes 250 g of wax (kept in kg) and a wick; there are 10 kg of wax and 40 wicks at
    Main. Returns a pending production order for 20 candles."""
    ok(api.post("/v1/locations", json={"name": "Main", "is_default": True}))
    ok(api.post("/v1/items", json={"sku": "WAX", "name": "Soy wax", "unit": "kg", "kind": "material"}))
    ok(api.post("/v1/items", json={"sku": "WICK", "name": "Wick", "kind": "material"}))
    ok(api.post("/v1/items", json={"sku": "CANDLE", "name": "Candle"}))
    ok(api.put("/v1/items/CANDLE/components", json=[{"item": "WAX", "quantity": 250, "unit": "g"},
                                                     {"item": "WICK", "quantity": 1}]))
    ok(api.post("/v1/stock/adjustments", json={"item": "WAX", "reason": "receipt", "delta": 10, "unit_cost": "12"}))
    ok(api.post("/v1/stock/adjustments", json={"item": "WICK", "reason": "receipt", "delta": 40}))
    return ok(api.post("/v1/production-orders", json={"name": "Candle run",
                                                      "lines": [{"item": "CANDLE", "quantity": 20}]}))


# --- Transfers ------------------------------------------------------------------------------


def test_a_transfer_is_recorded_once_however_often_the_form_is_sent(workspace, member):
    stocked(workspace.api)
    assert 'href="/items/LAMP/transfer"' in member.get("/items/LAMP").text
    form = member.get("/items/LAMP/transfer")
    assert form.status_code == 200 and "12 available" in form.text
    fields = {"form_key": form_key(form), "from": "Main", "to": "Shop", "quantity": "4", "note": "For the window"}
    first = member.submit("/items/LAMP/transfer", fields)
    assert first.status_code == 303 and first.headers["location"].startswith("/items/LAMP?done=")
    again = member.submit("/items/LAMP/transfer", fields)
    assert again.status_code == 303 and again.headers["location"] == first.headers["location"]
    assert on_hand(workspace.api, "LAMP", "Main") == 8 and on_hand(workspace.api, "LAMP", "Shop") == 4
    moved = ok(workspace.api.get("/v1/stock/movements?item=LAMP&reason=transfer_in"))["data"]
    assert len(moved) == 1 and moved[0]["note"] == "For the window"
    assert "Transferred 4 of LAMP from Main to Shop." in member.client.get(first.headers["location"]).text


def test_a_refused_transfer_says_why_in_words_and_changes_nothing(workspace, member):
    stocked(workspace.api)
    ok(workspace.api.post("/v1/reservations", json={"item": "LAMP", "quantity": 2, "location": "Main"}))
    refusals = {
        "50": ("Main", "Shop", "LAMP: 50 needed, 10 available"),
        "1": ("Main", "Amazon", "Amazon is read-only (external stock)"),
        "2": ("Main", "Main", "To: Must be another location than"),
        "two": ("Main", "Shop", "Quantity: &#39;two&#39; is not a number."),
        "-3": ("Main", "Shop", "Quantity: Must be greater than 0."),
    }
    for quantity, (source, target, words) in refusals.items():
        r = member.submit("/items/LAMP/transfer", {"from": source, "to": target, "quantity": quantity})
        assert r.status_code == 422, r.text
        assert "The transfer was not recorded" in r.text and words in r.text
        assert f'name="quantity" inputmode="decimal" value="{quantity}"' in r.text  # the form keeps what was typed
    assert on_hand(workspace.api, "LAMP", "Main") == 12 and on_hand(workspace.api, "LAMP", "Shop") == 0
    assert ok(workspace.api.get("/v1/stock/movements?item=LAMP"))["data"][0]["reason"] == "receipt"
    # Refused forms free their key: the corrected form goes through.
    assert member.submit("/items/LAMP/transfer", {"from": "Main", "to": "Shop", "quantity": "10"}).status_code == 303
    assert on_hand(workspace.api, "LAMP", "Shop") == 10


# --- Purchase orders ------------------------------------------------------------------------


def test_a_purchase_order_is_received_through_the_form_once(workspace, member):
    stocked(workspace.api)
    order = purchase_order(workspace.api)
    lamp, shade = order["lines"]
    page = member.get(f"/purchase-orders/{order['id']}")
    assert page.status_code == 200
    assert f'name="receive:{lamp["id"]}"' in page.text and 'value="10"' in page.text  # all that is open, to start
    fields = {"form_key": form_key(page), f"receive:{lamp['id']}": "4", f"receive:{shade['id']}": ""}
    first = member.submit(f"/purchase-orders/{order['id']}/receive", fields)
    assert first.status_code == 303, first.text
    assert first.headers["location"].startswith(f"/purchase-orders/{order['id']}?done=")
    again = member.submit(f"/purchase-orders/{order['id']}/receive", fields)
    assert again.status_code == 303 and again.headers["location"] == first.headers["location"]
    after = ok(workspace.api.get(f"/v1/purchase-orders/{order['id']}"))
    assert after["status"] == "partially_received"
    assert [(line["received_quantity"], line["remaining"]) for line in after["lines"]] == [(4, 6), (0, 6)]
    assert on_hand(workspace.api, "LAMP", "Main") == 16
    shown = member.client.get(first.headers["location"]).text
    assert "Received: LAMP +4." in shown and "Partly received" in shown
    assert re.search(r"<td class=\"num\">10 pcs</td><td class=\"num\">4</td>\s*<td class=\"num\">6</td>", shown)
    # The rest arrives: every line in one receipt, and the order is received, with no form left.
    page = member.get(f"/purchase-orders/{order['id']}")
    fields = {"form_key": form_key(page), f"receive:{lamp['id']}": "6", f"receive:{shade['id']}": "6"}
    assert member.submit(f"/purchase-orders/{order['id']}/receive", fields).status_code == 303
    assert ok(workspace.api.get(f"/v1/purchase-orders/{order['id']}"))["status"] == "received"
    assert on_hand(workspace.api, "LAMP") == 22 and on_hand(workspace.api, "SHADE") == 6
    done = member.get(f"/purchase-orders/{order['id']}").text
    assert "/receive" not in done and "Received</span>" in done


def movement_rows(page) -> list[tuple[str, str, str]]:
    """(SKU, reason code, change) of each row of a page's movements table, top to bottom (the
    cell shows the reason in words, its code in its title)."""
    table = page.text[page.text.index('<table class="movements">'):]
    table = table[:table.index("</table>")]
    return re.findall(r'<a href="/items/[^"]+">([^<]+)</a></td>\s*<td title="(\w+)">[^<]+</td>\s*'
                      r'<td class="num \w+">([^<]+)</td>', table)


def test_a_purchase_orders_page_lists_the_receipts_it_made(workspace, member, viewer):
    stocked(workspace.api)
    order = purchase_order(workspace.api)
    lamp, shade = order["lines"]
    other = purchase_order(workspace.api)
    page = viewer.get(f"/purchase-orders/{order['id']}")
    assert "Movements <small>(0)</small>" in page.text and "No movements yet." in page.text
    for fields in ({f"receive:{lamp['id']}": "4"}, {f"receive:{lamp['id']}": "6", f"receive:{shade['id']}": "6"}):
        assert member.submit(f"/purchase-orders/{order['id']}/receive", fields).status_code == 303
    ok(workspace.api.post(f"/v1/purchase-orders/{other['id']}/receive", {"lines": [{"line": other["lines"][0]["id"],
                                                                                  "quantity": 1}]}))
    page = viewer.get(f"/purchase-orders/{order['number']}")
    assert page.status_code == 200 and "Movements <small>(3)</small>" in page.text
    # Newest first; neither the other order's receipt nor the stock LAMP had before.
    assert movement_rows(page) == [("SHADE", "receipt", "+6"), ("LAMP", "receipt", "+6"), ("LAMP", "receipt", "+4")]
    assert "The latest" not in page.text


def test_a_purchase_orders_page_shows_its_latest_50_movements_in_the_same_statements_at_any_count(workspace, viewer):
    stocked(workspace.api)
    order = ok(workspace.api.post("/v1/purchase-orders", json={
        "location": "Main", "lines": [{"item": "LAMP", "quantity": 100}]}))
    ok(workspace.api.post(f"/v1/purchase-orders/{order['id']}/order"))
    line = order["lines"][0]["id"]

    def received(times: int) -> None:
        for _ in range(times):
            ok(workspace.api.post(f"/v1/purchase-orders/{order['id']}/receive",
                                  {"lines": [{"line": line, "quantity": 1}]}))

    def shown():
        with statements(workspace.db) as seen:
            page = viewer.get(f"/purchase-orders/{order['id']}")
        assert page.status_code == 200
        return page, len(seen)

    received(1)
    page, one = shown()
    assert len(movement_rows(page)) == 1 and "The latest" not in page.text
    received(50)
    page, few = shown()
    assert len(movement_rows(page)) == 50 and "Movements <small>(51)</small>" in page.text
    received(29)
    page, many = shown()
    # Past one page the total is counted (one statement more than for a list that fits on it); no more after that.
    assert many == few == one + 1
    rows = movement_rows(page)
    assert len(rows) == 50 and "Movements <small>(80)</small>" in page.text
    assert "The latest 50 are shown" in page.text
    assert f"reference_type=purchase_order&amp;reference_id={order['id']}" in page.text
    after = [m["after"] for m in ok(workspace.api.get(
        f"/v1/stock/movements?reference_type=purchase_order&reference_id={order['id']}&limit=50"))["data"]]
    # the latest 50: the on-hand after each, then who made it
    assert re.findall(r'<td class="num">(\d+)</td><td class="breakable">', page.text) == [str(a) for a in after]


def test_an_over_receipt_or_an_order_in_the_wrong_state_is_refused_in_words(workspace, member):
    stocked(workspace.api)
    order = purchase_order(workspace.api)
    lamp, shade = order["lines"]
    url = f"/purchase-orders/{order['id']}/receive"
    r = member.submit(url, {f"receive:{lamp['id']}": "11", f"receive:{shade['id']}": "2"})
    assert r.status_code == 422
    assert "Nothing was received" in r.text and "More than ordered: LAMP: 11 received, 10 open." in r.text
    assert f'name="receive:{lamp["id"]}" inputmode="decimal" size="8" aria-label="Arrived now of LAMP"\n' \
           f'          value="11"' in r.text  # what was typed stays in the form
    r = member.submit(url, {f"receive:{lamp['id']}": "", f"receive:{shade['id']}": "0"})
    assert r.status_code == 422 and "Enter how much arrived of at least one line." in r.text
    r = member.submit(url, {f"receive:{lamp['id']}": "-1", f"receive:{shade['id']}": "lots"})
    assert r.status_code == 422
    assert "LAMP: Cannot be below 0." in r.text and "SHADE: &#39;lots&#39; is not a number." in r.text
    after = ok(workspace.api.get(f"/v1/purchase-orders/{order['id']}"))
    assert after["status"] == "ordered" and [line["received_quantity"] for line in after["lines"]] == [0, 0]
    assert on_hand(workspace.api, "LAMP") == 12 and on_hand(workspace.api, "SHADE") == 0
    # A draft is not received (and offers no form); neither is a cancelled order.
    draft = purchase_order(workspace.api, place=False)
    assert "/receive" not in member.get(f"/purchase-orders/{draft['id']}").text
    r = member.submit(f"/purchase-orders/{draft['id']}/receive", {f"receive:{draft['lines'][0]['id']}": "1"})
    assert r.status_code == 422 and "The order is draft: only an ordered one can be received." in r.text
    ok(workspace.api.post(f"/v1/purchase-orders/{order['id']}/cancel"))
    r = member.submit(url, {f"receive:{lamp['id']}": "1"})
    assert r.status_code == 422 and "The order is cancelled" in r.text
    assert on_hand(workspace.api, "LAMP") == 12


def test_purchase_orders_are_listed_by_status_supplier_and_location_a_page_at_a_time(workspace, viewer):
    stocked(workspace.api)
    for n in range(53):
        purchase_order(workspace.api, place=n % 2 == 0, supplier=f"Supplier {n % 3}")
    purchase_order(workspace.api, supplier="Shop supplier", location="Shop")
    first = viewer.get("/purchase-orders")
    assert first.status_code == 200
    assert first.text.count('href="/purchase-orders/po_') == 50
    assert "Lumen" not in first.text and "Shop supplier" in first.text  # newest first
    assert "29.00" not in first.text and "145.00" in first.text  # 10 lamps at 14.50; shades have no cost
    assert "2 (2 open)" in first.text and ">Draft<" in first.text
    more = re.search(r'hx-get="(/purchase-orders\?[^"]+)"', first.text).group(1).replace("&amp;", "&")
    rest = viewer.get(more, headers={"HX-Request": "true"})
    assert rest.text.count('href="/purchase-orders/po_') == 4 and "<html" not in rest.text
    assert viewer.get("/purchase-orders?status=draft").text.count('href="/purchase-orders/po_') == 26
    supplier = viewer.get("/purchase-orders?supplier=Supplier+1&status=ordered")
    assert supplier.text.count('href="/purchase-orders/po_') == 9
    at_shop = viewer.get("/purchase-orders?location=Shop")
    assert at_shop.text.count('href="/purchase-orders/po_') == 1 and "<td>Shop</td>" in at_shop.text
    assert viewer.get("/purchase-orders?q=po-00005").text.count('href="/purchase-orders/po_') == 5
    bad = viewer.get("/purchase-orders?cursor=nonsense")
    assert bad.status_code == 200 and "This cursor is not valid" in bad.text


def test_order_lists_run_as_many_statements_for_a_few_orders_as_for_many(workspace, viewer):
    """A page costs the same statements whatever it holds: no query per order or per line. The
    board's columns are both past their first page (then each is counted) at either size."""
    stocked(workspace.api)
    ok(workspace.api.put("/v1/items/LAMP/components", json=[{"item": "SHADE", "quantity": 1}]))
    ok(workspace.api.post("/v1/users", json={"email": "maker@example.com", "role": "member"}))

    def add(orders: int, per_status: int) -> None:
        for n in range(orders):
            purchase_order(workspace.api, place=n % 2 == 0)
        for status in ("pending", "in_progress", "done", "cancelled"):
            for _ in range(per_status):
                ok(workspace.api.post("/v1/production-orders", json={
                    "status": status, "assignee": "maker@example.com",
                    "lines": [{"item": "LAMP", "quantity": 1}, {"item": "SHADE", "quantity": 2}]}))

    counts = {}
    for size, (orders, per_status) in (("few", (1, 21)), ("many", (60, 21))):
        add(orders, per_status)
        for path in ("/purchase-orders", "/production"):
            with statements(workspace.db) as seen:
                assert viewer.get(path).status_code == 200
            counts[size, path] = len(seen)
    assert counts["few", "/purchase-orders"] == counts["many", "/purchase-orders"]
    assert counts["few", "/production"] == counts["many", "/production"]


# --- Production -----------------------------------------------------------------------------


def test_a_batch_is_recorded_through_the_form_once(workspace, member):
    made = workshop(workspace.api)
    board = member.get("/production")
    assert board.status_code == 200
    pending = board.text[board.text.index('id="column-pending"'):board.text.index('id="column-in_progress"')]
    assert f'href="/production/{made["id"]}"' in pending and "CANDLE: 0 of 20 pcs" in pending
    page = member.get(f"/production/{made['id']}")
    assert page.status_code == 200 and "Record a batch" in page.text
    fields = {"form_key": form_key(page), "line": made["lines"][0]["id"], "quantity": "4", "note": "Morning pour"}
    first = member.submit(f"/production/{made['id']}/batches", fields)
    assert first.status_code == 303, first.text
    again = member.submit(f"/production/{made['id']}/batches", fields)
    assert again.status_code == 303 and again.headers["location"] == first.headers["location"]
    assert on_hand(workspace.api, "CANDLE") == 4
    assert on_hand(workspace.api, "WAX") == 9 and on_hand(workspace.api, "WICK") == 36  # 4 x 250 g, 4 wicks
    after = ok(workspace.api.get(f"/v1/production-orders/{made['id']}"))
    assert after["status"] == "in_progress" and after["lines"][0]["produced_quantity"] == 4
    assert len(after["lines"][0]["batches"]) == 1
    shown = member.client.get(first.headers["location"]).text
    assert "Recorded a batch: CANDLE +4." in shown and "Batches <small>(1)</small>" in shown
    assert re.search(r"<td>CANDLE</td><td class=\"num\">4 pcs</td>", shown)
    board = member.get("/production").text
    doing = board[board.index('id="column-in_progress"'):board.index('id="column-done"')]
    assert "CANDLE: 4 of 20 pcs" in doing


def test_a_production_orders_page_lists_what_its_batches_consumed_and_made(workspace, member, viewer):
    made = workshop(workspace.api)
    line = made["lines"][0]["id"]
    assert "No movements yet." in viewer.get(f"/production/{made['id']}").text
    page = member.get(f"/production/{made['id']}")
    assert member.submit(f"/production/{made['id']}/batches", {"form_key": form_key(page), "line": line,
                                                               "quantity": "4"}).status_code == 303
    batch = ok(workspace.api.post(f"/v1/production-orders/{made['id']}/lines/{line}/batches", {"quantity": 2}))
    assert workspace.api.delete(f"/v1/batches/{batch['id']}").status_code == 204  # reversed
    page = viewer.get(f"/production/{made['id']}")
    assert "Movements <small>(9)</small>" in page.text
    rows = movement_rows(page)
    assert sorted(rows[:3]) == [("CANDLE", "production_reversal", "-2"), ("WAX", "production_reversal", "+0.5"),
                                ("WICK", "production_reversal", "+2")]
    assert sorted(rows[3:6]) == [("CANDLE", "production_output", "+2"), ("WAX", "production_consumption", "-0.5"),
                                 ("WICK", "production_consumption", "-2")]
    assert sorted(rows[6:]) == [("CANDLE", "production_output", "+4"), ("WAX", "production_consumption", "-1"),
                                ("WICK", "production_consumption", "-4")]
    assert '<td title="production_consumption">Used in production</td>' in page.text
    assert '<td title="production_output">Made in production</td>' in page.text
    # The receipts of WAX and WICK before the order are not the order's.
    assert ("WAX", "receipt", "+10") not in rows


def test_a_batch_short_of_components_is_refused_with_the_shortages_in_words(workspace, member):
    made = workshop(workspace.api)
    r = member.submit(f"/production/{made['id']}/batches", {"line": made["lines"][0]["id"], "quantity": "100"})
    assert r.status_code == 422
    assert "The batch was not recorded" in r.text
    assert "<li>WAX: 25 needed, 10 available</li>" in r.text and "<li>WICK: 100 needed, 40 available</li>" in r.text
    # Each shortage is told once, under a heading (the ledger's message is the same list).
    assert r.text.count("WAX: 25 needed") == 1 and r.text.count("WICK: 100 needed") == 1
    assert "<li>Not enough stock at this location:</li>" in r.text
    for quantity, words in (("0", "Quantity: Must be greater than 0."), ("", "Quantity: Enter a number.")):
        r = member.submit(f"/production/{made['id']}/batches", {"line": made["lines"][0]["id"], "quantity": quantity})
        assert r.status_code == 422 and words in r.text
    r = member.submit(f"/production/{made['id']}/batches", {"line": "prl_nonsense", "quantity": "1"})
    assert r.status_code == 422 and "No production order line" in r.text
    assert on_hand(workspace.api, "CANDLE") == 0 and on_hand(workspace.api, "WAX") == 10
    assert ok(workspace.api.get(f"/v1/production-orders/{made['id']}"))["status"] == "pending"
    # A cancelled order makes nothing more, and offers no form.
    ok(workspace.api.patch(f"/v1/production-orders/{made['id']}", json={"status": "cancelled"}))
    assert "Record a batch" not in member.get(f"/production/{made['id']}").text
    r = member.submit(f"/production/{made['id']}/batches", {"line": made["lines"][0]["id"], "quantity": "1"})
    assert r.status_code == 422 and "The order is cancelled: nothing more is made on it." in r.text


def test_the_board_pages_each_column_by_cursor(workspace, viewer):
    ok(workspace.api.post("/v1/locations", json={"name": "Main", "is_default": True}))
    ok(workspace.api.post("/v1/items", json={"sku": "MUG", "name": "Mug"}))
    for n in range(23):
        ok(workspace.api.post("/v1/production-orders", json={"name": f"Mugs {n:02d}",
                                                             "lines": [{"item": "MUG", "quantity": 5}]}))
    ok(workspace.api.post("/v1/production-orders", json={"name": "Old mugs", "status": "done",
                                                         "lines": [{"item": "MUG", "quantity": 5}]}))
    board = viewer.get("/production")
    assert board.text.count('class="order-card"') == 21  # 20 pending, 1 done
    assert "Pending <small>(23)</small>" in board.text and "Done <small>(1)</small>" in board.text
    more = re.search(r'hx-get="(/production\?[^"]+)"', board.text).group(1).replace("&amp;", "&")
    rest = viewer.get(more, headers={"HX-Request": "true"})
    assert rest.text.count('class="order-card"') == 3 and "<html" not in rest.text and "Mugs 22" in rest.text
    assert viewer.get("/production?q=old").text.count('class="order-card"') == 1


def test_the_pages_name_every_status_of_either_kind_of_order():
    assert tuple(order_pages.PO_LABELS) == purchasing.STATUSES
    assert tuple(order_pages.BOARD) == production.STATUSES


# --- Who may do what ------------------------------------------------------------------------


def test_a_viewer_sees_the_order_pages_but_no_forms_and_may_send_none(workspace, viewer):
    stocked(workspace.api)
    order = purchase_order(workspace.api)
    ok(workspace.api.put("/v1/items/LAMP/components", json=[{"item": "SHADE", "quantity": 1}]))
    made = ok(workspace.api.post("/v1/production-orders", json={"lines": [{"item": "LAMP", "quantity": 2}]}))
    for path in ("/purchase-orders", f"/purchase-orders/{order['id']}", "/production", f"/production/{made['id']}",
                 "/items/LAMP"):
        page = viewer.get(path)
        assert page.status_code == 200, path
        assert 'name="form_key"' not in page.text and "/transfer" not in page.text, path
    assert viewer.get("/items/LAMP/transfer").status_code == 403
    for path, fields in (("/items/LAMP/transfer", {"from": "Main", "to": "Shop", "quantity": "1"}),
                         (f"/purchase-orders/{order['id']}/receive", {f"receive:{order['lines'][0]['id']}": "1"}),
                         (f"/production/{made['id']}/batches", {"line": made["lines"][0]["id"], "quantity": "1"})):
        r = viewer.submit(path, fields)
        assert r.status_code == 403 and "As a viewer you may not" in r.text, path
    assert on_hand(workspace.api, "LAMP") == 12
    assert ok(workspace.api.get(f"/v1/purchase-orders/{order['id']}"))["lines"][0]["received_quantity"] == 0
    assert ok(workspace.api.get(f"/v1/production-orders/{made['id']}"))["status"] == "pending"


def test_another_workspaces_orders_are_not_found(app, workspace, other_workspace):
    stocked(other_workspace.api)
    order = purchase_order(other_workspace.api)
    ok(other_workspace.api.put("/v1/items/LAMP/components", json=[{"item": "SHADE", "quantity": 1}]))
    made = ok(other_workspace.api.post("/v1/production-orders", json={"lines": [{"item": "LAMP", "quantity": 2}]}))
    browser = sign_in(app, workspace, "admin")
    for path in (f"/purchase-orders/{order['id']}", f"/purchase-orders/{order['number']}", f"/production/{made['id']}",
                 "/items/LAMP/transfer"):
        assert browser.get(path).status_code == 404, path
    for path, fields in (("/items/LAMP/transfer", {"from": "Main", "to": "Shop", "quantity": "1"}),
                         (f"/purchase-orders/{order['id']}/receive", {f"receive:{order['lines'][0]['id']}": "1"}),
                         (f"/production/{made['id']}/batches", {"line": made["lines"][0]["id"], "quantity": "1"})):
        assert browser.submit(path, fields).status_code == 404, path
    assert order["number"] not in browser.get("/purchase-orders").text
    assert made["name"] not in browser.get("/production").text
    assert on_hand(other_workspace.api, "LAMP") == 12
    assert ok(other_workspace.api.get(f"/v1/purchase-orders/{order['id']}"))["lines"][0]["received_quantity"] == 0
