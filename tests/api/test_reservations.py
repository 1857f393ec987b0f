"""Reservations over HTTP: stock promised to an order, released, fulfilled or expired.

A reservation counts in its level's `reserved` while it is active; past `expires_at` it stops
counting at once, before any worker marks it (SPEC §3 "Stock and the ledger").
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storekeeper.persistence.tables import reservations, stock_levels
from storekeeper.services import worker
from storekeeper.services.check import check


def error(r) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def seconds_ahead(seconds: float) -> str:
    return timestamp(datetime.now(UTC) + timedelta(seconds=seconds))


def wait_until_past(moment: str) -> None:
    due = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.05)


def location(api, name: str = "Main") -> dict:
    """A location; "Main" is made the default, where a reservation that names none goes."""
    r = api.post("/v1/locations", json={"name": name, "is_default": name == "Main"})
    assert r.status_code == 201, r.text
    return r.json()


def stocked_item(api, sku: str, quantity: int | str, at: str | None = None, **fields) -> dict:
    r = api.post("/v1/items", json={"sku": sku, "name": sku.title(), **fields})
    assert r.status_code == 201, r.text
    if quantity:
        receive(api, sku, quantity, at)
    return r.json()


def receive(api, sku: str, quantity: int | str, at: str | None = None) -> None:
    body = {"item": sku, "reason": "receipt", "delta": quantity}
    if at is not None:
        body["location"] = at
    r = api.post("/v1/stock/adjustments", json=body)
    assert r.status_code == 201, r.text


def reserve(api, sku: str, quantity: int | str, **fields):
    return api.post("/v1/reservations", json={"item": sku, "quantity": quantity, **fields})


def reserved(api, sku: str, quantity: int | str, **fields) -> dict:
    r = reserve(api, sku, quantity, **fields)
    assert r.status_code == 201, r.text
    return r.json()


def stock(api, sku: str) -> dict:
    r = api.get(f"/v1/stock/{sku}")
    assert r.status_code == 200, r.text
    return r.json()


def quantities(api, sku: str) -> tuple:
    row = stock(api, sku)
    return row["on_hand"], row["reserved"], row["available"]


def ids(r) -> list[str]:
    assert r.status_code == 200, r.text
    return [row["id"] for row in r.json()["data"]]


def stored_reservation(workspace, reservation_id: str) -> dict:
    with workspace.db.read() as conn:
        return dict(conn.execute(select(reservations).where(
            reservations.c.workspace_id == workspace.id, reservations.c.id == reservation_id)).mappings().one())


def stored_reserved(workspace, item_id: str) -> list:
    with workspace.db.read() as conn:
        return list(conn.execute(select(stock_levels.c.reserved).where(
            stock_levels.c.workspace_id == workspace.id, stock_levels.c.item_id == item_id)).scalars())


# Creating


def test_a_reservation_holds_stock_so_that_it_is_no_longer_available(api):
    main = location(api)
    item = stocked_item(api, "LAMP", 10)
    r = reserve(api, "LAMP", 4, reference={"type": "order", "id": "#1001"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["id"].startswith("res_")
    assert body == {
        "id": body["id"], "item": item["id"], "sku": "LAMP", "location": main["id"], "quantity": 4,
        "fulfilled_quantity": 0, "remaining": 4, "status": "active", "parent": None,
        "reference": {"type": "order", "id": "#1001"},
        "expires_at": None, "version": 1, "created_at": body["created_at"], "updated_at": body["created_at"],
    }
    assert r.headers["etag"] == '"1"'
    row = stock(api, "LAMP")
    assert (row["on_hand"], row["reserved"], row["available"]) == (10, 4, 6)
    assert [(lv["location"], lv["reserved"], lv["available"]) for lv in row["locations"]] == [(main["id"], 4, 6)]
    assert api.get(f"/v1/reservations/{body['id']}").json() == body


def test_a_reservation_names_its_location_by_name_and_takes_exact_decimal_quantities(api):
    location(api)
    depot = location(api, "Depot")
    stocked_item(api, "ROPE", "2.5", at="Depot", unit="m")
    body = reserved(api, "ROPE", "0.1", location="Depot")
    for _ in range(9):
        reserved(api, "ROPE", 0.1, location=depot["id"])
    assert body["location"] == depot["id"]
    assert quantities(api, "ROPE") == (2.5, 1, 1.5)


def test_reserving_more_than_is_available_is_refused_with_the_shortage_and_writes_nothing(api):
    main = location(api)
    item = stocked_item(api, "BULB", 10)
    r = reserve(api, "BULB", 11, reference={"type": "order", "id": "#1"})
    assert error(r) == (422, "INSUFFICIENT_STOCK")
    assert r.json()["error"]["shortages"] == [
        {"item": item["id"], "sku": "BULB", "location": main["id"], "needed": 11, "available": 10}
    ]
    assert api.get("/v1/reservations").json()["data"] == []
    assert quantities(api, "BULB") == (10, 0, 10)


def test_an_item_without_stock_at_the_location_cannot_be_reserved(api):
    location(api)
    location(api, "Empty shelf")
    stocked_item(api, "FUSE", 5)
    r = reserve(api, "FUSE", 1, location="Empty shelf")
    assert error(r) == (422, "INSUFFICIENT_STOCK")
    assert r.json()["error"]["shortages"][0]["available"] == 0


def test_reserved_stock_cannot_be_reserved_twice(api):
    location(api)
    stocked_item(api, "DESK", 10)
    reserved(api, "DESK", 6)
    r = reserve(api, "DESK", 5)
    assert error(r) == (422, "INSUFFICIENT_STOCK")
    assert r.json()["error"]["shortages"][0]["available"] == 4
    reserved(api, "DESK", 4)
    assert quantities(api, "DESK") == (10, 10, 0)
    assert error(reserve(api, "DESK", "0.000001")) == (422, "INSUFFICIENT_STOCK")


def test_reserved_stock_cannot_be_transferred_away(api):
    location(api)
    location(api, "Shop")
    stocked_item(api, "CHAIR", 10)
    reserved(api, "CHAIR", 8)
    refused = api.post("/v1/stock/transfers", json={"item": "CHAIR", "to": "Shop", "quantity": 3})
    assert error(refused) == (422, "INSUFFICIENT_STOCK")
    assert refused.json()["error"]["shortages"][0]["available"] == 2
    moved = api.post("/v1/stock/transfers", json={"item": "CHAIR", "to": "Shop", "quantity": 2})
    assert moved.status_code == 201, moved.text
    assert quantities(api, "CHAIR") == (10, 8, 2)
    main_level = next(lv for lv in stock(api, "CHAIR")["locations"] if lv["name"] == "Main")
    assert (main_level["on_hand"], main_level["reserved"], main_level["available"]) == (8, 8, 0)


def test_the_quantity_must_be_positive_and_the_fields_known(api):
    location(api)
    stocked_item(api, "NAIL", 10)
    for quantity in (0, -1, "abc", "0.0000001"):
        r = reserve(api, "NAIL", quantity)
        assert error(r) == (422, "VALIDATION_ERROR"), quantity
        assert "quantity" in r.json()["error"]["fields"]
    assert error(reserve(api, "NAIL", 1, colour="red")) == (422, "VALIDATION_ERROR")
    assert error(reserve(api, "NAIL", 1, status="fulfilled")) == (422, "READONLY_FIELD")
    assert quantities(api, "NAIL") == (10, 0, 10)


def test_an_expiry_in_the_past_is_refused(api):
    location(api)
    stocked_item(api, "MILK", 10)
    r = reserve(api, "MILK", 1, expires_at=timestamp(datetime.now(UTC) - timedelta(minutes=1)))
    assert error(r) == (422, "VALIDATION_ERROR")
    assert "expires_at" in r.json()["error"]["fields"]
    assert api.get("/v1/reservations").json()["data"] == []


def test_a_variant_parent_and_a_bundle_without_components_cannot_be_reserved(api):
    location(api)
    api.post("/v1/items", json={"sku": "TEE", "name": "Tee", "variants": [{"sku": "TEE-M"}]})
    api.post("/v1/items", json={"sku": "KIT", "name": "Starter kit", "tracking": "bundle"})
    assert error(reserve(api, "TEE", 1)) == (422, "NOT_STOCKABLE")
    assert error(reserve(api, "KIT", 1)) == (422, "NOT_STOCKABLE")
    assert api.get("/v1/reservations").json()["data"] == []


def test_unknown_items_and_locations_are_not_found(api):
    location(api)
    stocked_item(api, "BOLT", 10)
    assert error(reserve(api, "NO-SUCH-SKU", 1)) == (404, "ITEM_NOT_FOUND")
    assert error(reserve(api, "BOLT", 1, location="Nowhere")) == (404, "LOCATION_NOT_FOUND")


def test_without_any_location_there_is_no_default_to_reserve_at_and_the_error_says_how_to_make_one(
        workspace_without_locations):
    api = workspace_without_locations.api
    api.post("/v1/items", json={"sku": "GHOST", "name": "Ghost"})
    r = reserve(api, "GHOST", 1)
    assert error(r) == (404, "LOCATION_NOT_FOUND")
    assert "POST /v1/locations" in r.json()["error"]["message"]


# Releasing and fulfilling


def test_releasing_gives_the_stock_back(api):
    location(api)
    stocked_item(api, "LAMP", 10)
    reservation = reserved(api, "LAMP", 7)
    r = api.post(f"/v1/reservations/{reservation['id']}/release")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["status"], body["remaining"], body["version"]) == ("released", 0, 2)
    assert r.headers["etag"] == '"2"'
    assert quantities(api, "LAMP") == (10, 0, 10)
    assert api.get("/v1/stock/movements", params={"item": "LAMP"}).json()["meta"]["total"] == 1
    reserved(api, "LAMP", 10)


def test_fulfilling_writes_a_sale_that_names_the_reservations_reference(api):
    main = location(api)
    item = stocked_item(api, "LAMP", 10)
    reservation = reserved(api, "LAMP", 4, reference={"type": "order", "id": "#1042"})
    r = api.post(f"/v1/reservations/{reservation['id']}/fulfil")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["reservation"] | {"updated_at": None} == reservation | {
        "status": "fulfilled", "fulfilled_quantity": 4, "remaining": 0, "version": 2, "updated_at": None,
    }
    movement = body["movement"]
    assert (movement["item"], movement["location"], movement["reason"]) == (item["id"], main["id"], "sale")
    assert (movement["delta"], movement["before"], movement["after"]) == (-4, 10, 6)
    assert movement["reference"] == {"type": "order", "id": "#1042"}
    assert quantities(api, "LAMP") == (6, 0, 6)
    history = api.get("/v1/stock/movements", params={"reference_type": "order", "reference_id": "#1042"})
    assert [m["id"] for m in history.json()["data"]] == [movement["id"]]


def test_a_fulfilment_without_an_order_reference_refers_to_the_reservation(api):
    location(api)
    stocked_item(api, "LAMP", 10)
    reservation = reserved(api, "LAMP", 3)
    movement = api.post(f"/v1/reservations/{reservation['id']}/fulfil", json={}).json()["movement"]
    assert movement["reference"] == {"type": "reservation", "id": reservation["id"]}


def test_a_partial_fulfilment_keeps_the_rest_reserved(api):
    location(api)
    stocked_item(api, "CABLE", 10)
    reservation = reserved(api, "CABLE", 5)
    path = f"/v1/reservations/{reservation['id']}/fulfil"

    first = api.post(path, json={"quantity": "1.5"})
    assert first.status_code == 200, first.text
    part = first.json()["reservation"]
    assert (part["status"], part["fulfilled_quantity"], part["remaining"]) == ("active", 1.5, 3.5)
    assert first.json()["movement"]["delta"] == -1.5
    assert quantities(api, "CABLE") == (8.5, 3.5, 5)

    too_much = api.post(path, json={"quantity": 4})
    assert error(too_much) == (422, "VALIDATION_ERROR")
    assert "quantity" in too_much.json()["error"]["fields"]
    assert quantities(api, "CABLE") == (8.5, 3.5, 5)

    rest = api.post(path)
    assert rest.status_code == 200, rest.text
    assert rest.json()["movement"]["delta"] == -3.5
    done = rest.json()["reservation"]
    assert (done["status"], done["fulfilled_quantity"], done["remaining"]) == ("fulfilled", 5, 0)
    assert quantities(api, "CABLE") == (5, 0, 5)
    assert api.get("/v1/stock/movements", params={"item": "CABLE", "reason": "sale"}).json()["meta"]["total"] == 2


def test_fulfilling_more_than_the_reservation_is_refused_and_changes_nothing(api):
    location(api)
    stocked_item(api, "CABLE", 10)
    reservation = reserved(api, "CABLE", 2)
    for quantity in (3, 0, -1):
        r = api.post(f"/v1/reservations/{reservation['id']}/fulfil", json={"quantity": quantity})
        assert error(r) == (422, "VALIDATION_ERROR"), quantity
    assert quantities(api, "CABLE") == (10, 2, 8)
    assert api.get(f"/v1/reservations/{reservation['id']}").json()["version"] == 1


def test_only_an_active_reservation_can_be_released_or_fulfilled(api):
    location(api)
    stocked_item(api, "LAMP", 10)
    released = reserved(api, "LAMP", 2)
    api.post(f"/v1/reservations/{released['id']}/release")
    fulfilled = reserved(api, "LAMP", 3)
    api.post(f"/v1/reservations/{fulfilled['id']}/fulfil")
    for reservation in (released, fulfilled):
        for action in ("release", "fulfil"):
            r = api.post(f"/v1/reservations/{reservation['id']}/{action}")
            assert error(r) == (409, "INVALID_STATE"), (reservation["id"], action)
    assert quantities(api, "LAMP") == (7, 0, 7)
    assert api.get("/v1/stock/movements", params={"item": "LAMP"}).json()["meta"]["total"] == 2


def test_another_workspaces_reservation_is_not_found(api, other_workspace):
    location(api)
    stocked_item(api, "LAMP", 10)
    reservation = reserved(api, "LAMP", 2)
    stranger = other_workspace.api
    for r in (stranger.get(f"/v1/reservations/{reservation['id']}"),
              stranger.post(f"/v1/reservations/{reservation['id']}/release"),
              stranger.post(f"/v1/reservations/{reservation['id']}/fulfil")):
        assert error(r) == (404, "RESERVATION_NOT_FOUND")
    assert stranger.get("/v1/reservations").json()["data"] == []
    assert api.get(f"/v1/reservations/{reservation['id']}").json()["status"] == "active"
    assert error(api.get("/v1/reservations/res_01JC0000000000000000000000")) == (404, "RESERVATION_NOT_FOUND")


def test_reservations_need_the_orders_scopes(workspace):
    location(workspace.api)
    stocked_item(workspace.api, "LAMP", 10)
    reservation = reserved(workspace.api, "LAMP", 2)
    reader = workspace.key_with("orders:read")
    stock_keeper = workspace.key_with("stock:write")
    writer = workspace.key_with("orders:write")
    assert reader.get(f"/v1/reservations/{reservation['id']}").status_code == 200
    for refused in (reserve(reader, "LAMP", 1), reader.post(f"/v1/reservations/{reservation['id']}/release"),
                    reserve(stock_keeper, "LAMP", 1), stock_keeper.get("/v1/reservations")):
        assert error(refused) == (403, "INSUFFICIENT_SCOPE")
    assert reserve(writer, "LAMP", 1).status_code == 201
    assert writer.get("/v1/reservations").status_code == 200


# Expiry


def test_a_reservation_past_its_expiry_stops_counting_at_once_before_any_worker_runs(workspace):
    api = workspace.api
    location(api)
    item = stocked_item(api, "TICKET", 10)
    expires_at = seconds_ahead(1)
    reservation = reserved(api, "TICKET", 10, expires_at=expires_at)
    assert reservation["expires_at"] == expires_at
    assert quantities(api, "TICKET") == (10, 10, 0)
    assert api.get("/v1/reservations", params={"status": "active"}).json()["data"][0]["id"] == reservation["id"]

    wait_until_past(expires_at)

    assert quantities(api, "TICKET") == (10, 0, 10)
    shown = api.get(f"/v1/reservations/{reservation['id']}").json()
    assert (shown["status"], shown["remaining"]) == ("expired", 0)
    assert ids(api.get("/v1/reservations", params={"status": "active"})) == []
    assert ids(api.get("/v1/reservations", params={"status": "expired"})) == [reservation["id"]]
    for action in ("release", "fulfil"):
        assert error(api.post(f"/v1/reservations/{reservation['id']}/{action}")) == (409, "INVALID_STATE")
    # Nothing has written to the item yet: the table still holds it as active, and reads discount it.
    assert stored_reservation(workspace, reservation["id"])["status"] == "active"
    assert stored_reserved(workspace, item["id"]) == [10]

    worker.run_once(workspace.db)

    row = stored_reservation(workspace, reservation["id"])
    assert (row["status"], row["version"]) == ("expired", 2)
    assert stored_reserved(workspace, item["id"]) == [0]
    assert api.get(f"/v1/reservations/{reservation['id']}").json()["status"] == "expired"
    assert quantities(api, "TICKET") == (10, 0, 10)
    assert check(workspace.db, workspace.id)[1] == []


def test_stock_of_an_expired_reservation_can_be_reserved_again_before_any_worker_runs(workspace):
    api = workspace.api
    location(api)
    item = stocked_item(api, "SEAT", 4)
    expires_at = seconds_ahead(1)
    old = reserved(api, "SEAT", 4, expires_at=expires_at)
    assert error(reserve(api, "SEAT", 4)) == (422, "INSUFFICIENT_STOCK")

    wait_until_past(expires_at)

    new = reserve(api, "SEAT", 4)
    assert new.status_code == 201, new.text
    assert quantities(api, "SEAT") == (4, 4, 0)
    assert stored_reservation(workspace, old["id"])["status"] == "expired"
    assert stored_reserved(workspace, item["id"]) == [4]
    assert check(workspace.db, workspace.id)[1] == []


def test_stock_of_an_expired_reservation_can_be_transferred_and_sold(workspace):
    api = workspace.api
    location(api)
    location(api, "Shop")
    stocked_item(api, "SEAT", 4)
    expires_at = seconds_ahead(1)
    reserved(api, "SEAT", 4, expires_at=expires_at)
    wait_until_past(expires_at)
    moved = api.post("/v1/stock/transfers", json={"item": "SEAT", "to": "Shop", "quantity": 3})
    assert moved.status_code == 201, moved.text
    sold = api.post("/v1/stock/adjustments", json={"item": "SEAT", "reason": "sale", "delta": -1})
    assert sold.status_code == 201, sold.text
    assert sold.json()["level"] | {"status": None} == {
        "item": sold.json()["level"]["item"], "location": sold.json()["level"]["location"],
        "on_hand": 0, "reserved": 0, "available": 0, "status": None,
    }
    assert quantities(api, "SEAT") == (3, 0, 3)
    assert check(workspace.db, workspace.id)[1] == []


def test_a_reservation_that_expires_later_keeps_counting_until_then(api):
    location(api)
    stocked_item(api, "SEAT", 4)
    reservation = reserved(api, "SEAT", 4, expires_at=seconds_ahead(3600))
    assert api.get(f"/v1/reservations/{reservation['id']}").json()["status"] == "active"
    assert quantities(api, "SEAT") == (4, 4, 0)
    assert error(reserve(api, "SEAT", 1)) == (422, "INSUFFICIENT_STOCK")


# Listing


def test_reservations_are_listed_newest_first_and_filtered(api):
    location(api)
    location(api, "Shop")
    lamp = stocked_item(api, "LAMP", 20)
    stocked_item(api, "DESK", 20)
    receive(api, "LAMP", 5, at="Shop")
    expires_at = seconds_ahead(1)
    due = reserved(api, "LAMP", 1, reference={"type": "order", "id": "#3"}, expires_at=expires_at)
    first = reserved(api, "LAMP", 2, reference={"type": "order", "id": "#1"})
    shop = reserved(api, "LAMP", 1, location="Shop", reference={"type": "order", "id": "#2"})
    desk = reserved(api, "DESK", 3, reference={"type": "quote", "id": "#1"})
    released = reserved(api, "DESK", 1)
    api.post(f"/v1/reservations/{released['id']}/release")
    fulfilled = reserved(api, "DESK", 1)
    api.post(f"/v1/reservations/{fulfilled['id']}/fulfil")
    wait_until_past(expires_at)

    def listed(**params) -> list[str]:
        return ids(api.get("/v1/reservations", params=params))

    assert listed() == [fulfilled["id"], released["id"], desk["id"], shop["id"], first["id"], due["id"]]
    assert listed(item="LAMP") == listed(item=lamp["id"]) == [shop["id"], first["id"], due["id"]]
    assert listed(location="Shop") == [shop["id"]]
    assert listed(status="active") == [desk["id"], shop["id"], first["id"]]
    assert listed(status="expired") == [due["id"]]
    assert listed(status="released") == [released["id"]]
    assert listed(status="fulfilled") == [fulfilled["id"]]
    assert listed(reference_type="order") == [shop["id"], first["id"], due["id"]]
    assert listed(reference_id="#1") == [desk["id"], first["id"]]
    assert listed(reference_type="order", reference_id="#1") == [first["id"]]
    assert listed(item="LAMP", status="active", location="Main") == [first["id"]]
    assert listed(item="NO-SUCH-SKU") == []
    assert listed(location="Nowhere") == []
    assert error(api.get("/v1/reservations", params={"status": "pending"})) == (422, "VALIDATION_ERROR")


def test_reservations_page_by_cursor_without_gaps_or_repeats(api):
    location(api)
    stocked_item(api, "LAMP", 20)
    made = [reserved(api, "LAMP", 1)["id"] for _ in range(5)]
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = api.get("/v1/reservations", params=params).json()
        seen += [row["id"] for row in body["data"]]
        assert body["meta"]["total"] == 5
        if not body["meta"]["has_more"]:
            break
        cursor = body["meta"]["next_cursor"]
    assert seen == made[::-1]
