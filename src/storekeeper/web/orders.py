"""The dashboard's pages that move stock by order: a transfer between two locations, purchase
orders and receiving them, production orders on a board by status and recording their batches.

Reads go through the same services as the API and are shaped by the API's own `*_out`
functions; every list is a cursor page with a fixed number of statements whatever its length.
Every form is sent once per form key (common.submit_once) and a refusal comes back on the same
form, in words (common.humanize)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from storekeeper.api.paths import url_segment
from storekeeper.api.schemas.items import item_out
from storekeeper.api.schemas.production import production_order_out
from storekeeper.api.schemas.purchasing import purchase_order_out
from storekeeper.api.schemas.stock import movement_out
from storekeeper.domain.errors import NotFound, StorekeeperError
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import batches, inventory, items, locations, production, purchasing, stock
from storekeeper.services.inventory import MovementFilters
from storekeeper.services.locations import LocationFilters
from storekeeper.services.production import ProductionFilters
from storekeeper.services.purchasing import PurchaseOrderFilters
from storekeeper.web.auth import OrdersMember, OrdersViewer, ProductionMember, ProductionViewer, StockMember
from storekeeper.web.common import (
    db_of,
    decimal_mark,
    fields_in_words,
    humanize,
    local_quantity,
    new_form_key,
    not_found,
    posted_form,
    quantity_field,
    render,
    submit_once,
)

router = APIRouter(include_in_schema=False)

PAGE = 50
CARDS = 20  # per board column, and per "more"
NOTE_MAX = 2000
SEARCH = Annotated[str | None, Query(max_length=200)]
CURSOR = Annotated[str | None, Query(max_length=500)]
DONE = Annotated[str | None, Query(max_length=500)]  # what was just done: it may name an order (200 characters)
# Every status of either kind of order, in order (tests/web/test_orders.py checks them against the services').
PO_LABELS = {"draft": "Draft", "ordered": "Ordered", "partially_received": "Partly received", "received": "Received",
             "cancelled": "Cancelled"}
BOARD = {"pending": "Pending", "in_progress": "In progress", "done": "Done", "cancelled": "Cancelled"}


def _note(form: dict[str, str], errors: dict[str, list[str]]) -> str | None:
    note = (form.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors.setdefault("note", []).append(f"At most {NOTE_MAX} characters.")
    return note or None


def _positive(form: dict[str, str], name: str, errors: dict[str, list[str]], *, separator: str,
              required: bool = True) -> Decimal | None:
    value = quantity_field(form, name, errors, separator=separator, required=required)
    if value is not None and value <= 0:
        errors.setdefault(name, []).append("Must be greater than 0.")
        return None
    return value


def _places(db, workspace_id: str) -> list[dict[str, Any]]:
    """The locations to choose from (a workspace has a few; the first 200 by name)."""
    return locations.list_locations(db, workspace_id, LocationFilters(),
                                    PageRequest(limit=200, include_total=False)).rows


def _with_done(path: str, message: str) -> str:
    return f"{path}?done={quote(message)}"


def _movements_of(db, user, reference_type: str, order_id: str) -> dict[str, Any]:
    """The latest PAGE movements an order caused (each carries the order as its reference: a PO's
    receipts, a production order's consumption, output and reversals), newest first, and how many
    there are: two statements on the movements' reference index, however many there are. Empty
    for a role that may not read stock."""
    if not user.allows("stock:read"):
        return {"movements": [], "movement_total": 0}
    page = inventory.list_movements(db, user.workspace_id,
                                    MovementFilters(reference_type=reference_type, reference_id=order_id),
                                    PageRequest(limit=PAGE, include_total=True))
    return {"movements": [movement_out(m) for m in page.rows], "movement_total": page.total}


# --- Transfers ------------------------------------------------------------------------------


@router.get("/items/{ref}/transfer", response_class=HTMLResponse)
def transfer_form(request: Request, user: StockMember, ref: str):
    try:
        item = item_out(items.get_item(db_of(request), user.workspace_id, ref))
    except NotFound:
        return not_found(request, user, f"No item {ref!r}.")
    return _transfer_page(request, user, item, {}, [])


def _transfer_page(request: Request, user, item: dict[str, Any], form: dict[str, str], errors: list[str],
                   code: int = 200) -> HTMLResponse:
    places = _places(db_of(request), user.workspace_id)
    levels = {level["location"]: level for level in item.get("locations", [])}
    if not form:  # from where most is available, to the first other active location that takes stock
        stocked = sorted((p for p in places if p["id"] in levels), key=lambda p: -levels[p["id"]]["available"])
        source = (stocked or [p for p in places if p["is_default"]] or places or [{"name": ""}])[0]["name"]
        others = sorted((p for p in places if p["name"] != source and p["is_active"]), key=lambda p: p["read_only"])
        target = others[0]["name"] if others else ""
        form = {"from": source, "to": target}
    return render(request, "orders/transfer.html", user, code=code, item=item, places=places, levels=levels,
                  form=form, form_key=new_form_key(), errors=errors)


@router.post("/items/{ref}/transfer", response_class=HTMLResponse)
async def transfer(request: Request, user: StockMember, ref: str) -> Response:
    return await run_in_threadpool(_transfer, request, user, ref, await posted_form(request))


def _transfer(request: Request, user, ref: str, form: dict[str, str]) -> Response:
    db = db_of(request)
    field_errors: dict[str, list[str]] = {}
    mark = decimal_mark(request, user)
    quantity = quantity_field(form, "quantity", field_errors, separator=mark)
    note = _note(form, field_errors)
    errors = fields_in_words(field_errors)
    if not errors:
        source, target = form.get("from") or None, form.get("to") or None

        def work() -> str:
            moved = stock.transfer(db, user, item=ref, from_location=source, to_location=target, quantity=quantity,
                                   note=note)
            return _with_done(f"/items/{url_segment(ref)}",
                              f"Transferred {local_quantity(quantity, mark)} of {moved['sku']} "
                              f"from {source} to {target}.")

        try:
            return submit_once(db, user, request, form, work)
        except StorekeeperError as exc:
            errors = humanize(exc, mark)
    try:
        item = item_out(items.get_item(db, user.workspace_id, ref))
    except NotFound:
        return not_found(request, user, f"No item {ref!r}.")
    return _transfer_page(request, user, item, form, errors, code=422)


# --- Purchase orders ------------------------------------------------------------------------


@router.get("/purchase-orders", response_class=HTMLResponse)
def purchase_orders_page(request: Request, user: OrdersViewer, status: SEARCH = None, supplier: SEARCH = None,
                         location: SEARCH = None, q: SEARCH = None, cursor: CURSOR = None):
    db = db_of(request)
    ws = user.workspace_id
    filters = PurchaseOrderFilters(status=status if status in PO_LABELS else None, supplier=supplier or None,
                                   location=location or None, q=q or None)
    error = None
    try:
        page = purchasing.list_purchase_orders(db, ws, filters,
                                               PageRequest(limit=PAGE, cursor=cursor or None, include_total=False))
    except StorekeeperError as exc:
        page, error = None, " ".join(humanize(exc))
    rows = [purchase_order_out(r) for r in page.rows] if page else []
    query = {k: v for k, v in (("status", status), ("supplier", supplier), ("location", location), ("q", q)) if v}
    next_url = (f"/purchase-orders?{urlencode({**query, 'cursor': page.next_cursor})}"
                if page and page.has_more else None)
    context = {"rows": rows, "names": locations.names_of(db, ws, {r["location"] for r in rows}), "next_url": next_url,
               "error": error, "labels": PO_LABELS}
    if request.headers.get("hx-request"):
        return render(request, "orders/partials/purchase_order_rows.html", user, **context)
    return render(request, "orders/purchase_orders.html", user, places=_places(db, ws), status=status or "",
                  supplier=supplier or "", location=location or "", q=q or "", **context)


def purchase_order_context(request: Request, user, ref: str) -> dict[str, Any]:
    db = db_of(request)
    ws = user.workspace_id
    order = purchase_order_out(purchasing.get_purchase_order(db, ws, ref))
    return {"order": order, "place": locations.names_of(db, ws, {order["location"]}).get(order["location"]),
            "labels": PO_LABELS, "receivable": order["status"] in purchasing.OPEN and user.allows("orders:write"),
            **_movements_of(db, user, "purchase_order", order["id"])}


@router.get("/purchase-orders/{ref}", response_class=HTMLResponse)
def purchase_order_page(request: Request, user: OrdersViewer, ref: str, done: str | None = None):
    try:
        context = purchase_order_context(request, user, ref)
    except NotFound:
        return not_found(request, user, f"No purchase order {ref!r}.")
    return render(request, "orders/purchase_order.html", user, done=done, form={}, form_key=new_form_key(),
                  errors=[], **context)


@router.post("/purchase-orders/{ref}/receive", response_class=HTMLResponse)
async def receive(request: Request, user: OrdersMember, ref: str) -> Response:
    return await run_in_threadpool(_receive, request, user, ref, await posted_form(request))


def _receive(request: Request, user, ref: str, form: dict[str, str]) -> Response:
    """All the quantities of the form in one receipt; a line left empty (or 0) receives nothing."""
    db = db_of(request)
    try:
        context = purchase_order_context(request, user, ref)
    except NotFound:
        return not_found(request, user, f"No purchase order {ref!r}.")
    order = context["order"]
    field_errors: dict[str, list[str]] = {}
    wanted = []
    mark = decimal_mark(request, user)
    for line in order["lines"]:
        name = f"receive:{line['id']}"
        quantity = quantity_field(form, name, field_errors, separator=mark, required=False)
        if quantity is not None and quantity < 0:
            field_errors.setdefault(name, []).append("Cannot be below 0.")
        elif quantity:
            wanted.append({"line": line["id"], "quantity": quantity})
    skus = {f"receive:{line['id']}": line["sku"] for line in order["lines"]}
    errors = [f"{skus[k]}: {' '.join(v)}" for k, v in field_errors.items()]
    if not errors and not wanted:
        errors = ["Enter how much arrived of at least one line."]
    if not errors:
        def work() -> str:
            _row, moved = purchasing.receive_purchase_order(db, user, order["id"], lines=wanted)
            text = ", ".join(f"{m['sku']} +{local_quantity(m['delta'], mark)}" for m in moved)
            return _with_done(f"/purchase-orders/{url_segment(order['id'])}", f"Received: {text}.")

        try:
            return submit_once(db, user, request, form, work)
        except StorekeeperError as exc:
            errors = humanize(exc, mark)
    return render(request, "orders/purchase_order.html", user, code=422, done=None, form=form,
                  form_key=new_form_key(), errors=errors, **context)


# --- Production -----------------------------------------------------------------------------


def _column(db, workspace_id: str, status: str, cursor: str | None, q: str | None) -> dict[str, Any]:
    """One column of the board: a page of its orders by position, and the link to the next."""
    try:
        page = production.list_production_orders(
            db, workspace_id, ProductionFilters(status=status, q=q),
            PageRequest(limit=CARDS, cursor=cursor, include_total=cursor is None))
    except StorekeeperError as exc:
        return {"status": status, "label": BOARD[status], "orders": [], "total": None, "more": None,
                "error": " ".join(humanize(exc))}
    more = None
    if page.has_more:
        more = f"/production?{urlencode({'status': status, 'cursor': page.next_cursor, **({'q': q} if q else {})})}"
    return {"status": status, "label": BOARD[status], "orders": [production_order_out(r) for r in page.rows],
            "total": page.total, "more": more, "error": None}


@router.get("/production", response_class=HTMLResponse)
def production_board(request: Request, user: ProductionViewer, status: SEARCH = None, q: SEARCH = None,
                     cursor: CURSOR = None, done: DONE = None):
    """Four columns, each its own cursor page: "more" in a column (htmx) appends that column's next
    cards; without htmx the link opens the board with that column further on."""
    db = db_of(request)
    ws = user.workspace_id
    paged = status if status in BOARD else None
    if request.headers.get("hx-request") and paged and cursor:
        column = _column(db, ws, paged, cursor, q or None)
        return render(request, "orders/partials/cards.html", user, column=column,
                      names=locations.names_of(db, ws, {o["location"] for o in column["orders"]}))
    columns = [_column(db, ws, s, cursor if s == paged else None, q or None) for s in BOARD]
    names = locations.names_of(db, ws, {o["location"] for c in columns for o in c["orders"]})
    return render(request, "orders/board.html", user, columns=columns, names=names, q=q or "", done=done)


def production_context(request: Request, user, order_id: str) -> dict[str, Any]:
    db = db_of(request)
    ws = user.workspace_id
    order = production_order_out(production.get_production_order(db, ws, order_id))
    made = sorted(({**b, "sku": line["sku"], "unit": line["unit"]} for line in order["lines"] for b in line["batches"]),
                  key=lambda b: (b["created_at"], b["id"]), reverse=True)
    return {"order": order, "place": locations.names_of(db, ws, {order["location"]}).get(order["location"]),
            "batches": made[:PAGE], "batch_count": len(made), "labels": BOARD,
            "makeable": order["status"] != "cancelled" and user.allows("production:write"),
            **_movements_of(db, user, "production_order", order["id"])}


@router.get("/production/{order_id}", response_class=HTMLResponse)
def production_order_page(request: Request, user: ProductionViewer, order_id: str, done: str | None = None):
    try:
        context = production_context(request, user, order_id)
    except NotFound:
        return not_found(request, user, f"No production order {order_id!r}.")
    first_open = next((line for line in context["order"]["lines"] if not line["completed"]), None)
    form = {"line": first_open["id"]} if first_open else {}
    return render(request, "orders/production_order.html", user, done=done, form=form, form_key=new_form_key(),
                  errors=[], **context)


@router.post("/production/{order_id}/batches", response_class=HTMLResponse)
async def record_batch(request: Request, user: ProductionMember, order_id: str) -> Response:
    return await run_in_threadpool(_record_batch, request, user, order_id, await posted_form(request))


def _record_batch(request: Request, user, order_id: str, form: dict[str, str]) -> Response:
    db = db_of(request)
    field_errors: dict[str, list[str]] = {}
    line_id = (form.get("line") or "").strip()
    if not line_id:
        field_errors["line"] = ["Choose what to make."]
    mark = decimal_mark(request, user)
    quantity = _positive(form, "quantity", field_errors, separator=mark)
    note = _note(form, field_errors)
    errors = fields_in_words(field_errors)
    if not errors:
        def work() -> str:
            batch = batches.produce(db, user, order_id, line_id, quantity, note=note)
            return _with_done(f"/production/{url_segment(order_id)}",
                              f"Recorded a batch: {batch['sku']} +{local_quantity(quantity, mark)}.")

        try:
            return submit_once(db, user, request, form, work)
        except StorekeeperError as exc:
            errors = humanize(exc, mark)
    try:
        context = production_context(request, user, order_id)
    except NotFound:
        return not_found(request, user, f"No production order {order_id!r}.")
    return render(request, "orders/production_order.html", user, code=422, done=None, form=form,
                  form_key=new_form_key(), errors=errors, **context)
