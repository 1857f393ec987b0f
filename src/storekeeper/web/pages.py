"""The dashboard's pages: the overview, items and an item with its stock and history, and the
stock adjustment form (signing in is web/sign_in.py). Each page reads through the same services as the API, as the
signed-in user (their role's scopes), and renders Jinja2 templates; htmx swaps parts of them."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from storekeeper.api.schemas.items import item_out
from storekeeper.api.schemas.stock import movement_out
from storekeeper.domain.errors import NotFound, StorekeeperError
from storekeeper.domain.quantities import format_quantity
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import dashboard, inventory, items, locations, reasons, reports, stock
from storekeeper.services.inventory import MovementFilters
from storekeeper.services.items import ItemFilters
from storekeeper.services.locations import LocationFilters
from storekeeper.services.reports import ReorderFilters
from storekeeper.services.stock import Adjustment
from storekeeper.web.auth import StockMember, Viewer
from storekeeper.web.common import (
    db_of,
    fields_in_words,
    humanize,
    new_form_key,
    not_found,
    posted_form,
    quantity_field,
    render,
    submit_once,
)

router = APIRouter(include_in_schema=False)

PAGE = 50
STATUSES = ("normal", "low", "critical", "out_of_stock")


# --- Overview -------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, user: Viewer):
    """Counts by status and the stock's value from the running totals (migration 0011), the
    reorder list, the latest movements and the chart: a fixed number of statements at any size."""
    db = db_of(request)
    ws = user.workspace_id
    counts = dashboard.status_counts(db, ws)
    value = dashboard.stock_value(db, ws) if user.allows("stock:read") else None
    reorder = reports.reorder(db, ws, ReorderFilters(), PageRequest(limit=10, include_total=False))
    latest = inventory.list_movements(db, ws, MovementFilters(), PageRequest(limit=10, include_total=False))
    series = dashboard.on_hand_series(db, ws, days=30)
    return render(request, "overview.html", user, counts=counts, value=value, reorder=reorder, movements=[
        movement_out(m) for m in latest.rows], chart=dashboard.as_chart(series), series=series)


# --- Items ----------------------------------------------------------------------------------


@router.get("/items", response_class=HTMLResponse)
def items_page(request: Request, user: Viewer,
               q: Annotated[str | None, Query(max_length=200)] = None,
               status: Annotated[str | None, Query(max_length=20)] = None,
               kind: Annotated[str | None, Query(max_length=20)] = None,
               location: Annotated[str | None, Query(max_length=200)] = None,
               cursor: Annotated[str | None, Query(max_length=500)] = None):
    filters = ItemFilters(q=q or None, status=status if status in STATUSES else None,
                          kind=kind if kind in ("product", "material") else None, location=location or None,
                          sort="sku")
    error = None
    try:
        page = items.list_items(db_of(request), user.workspace_id, filters,
                                PageRequest(limit=PAGE, cursor=cursor or None, include_total=False))
    except StorekeeperError as exc:
        page, error = None, " ".join(humanize(exc))
    rows = [item_out(r) for r in page.rows] if page else []
    query = {k: v for k, v in (("q", q), ("status", status), ("kind", kind), ("location", location)) if v}
    next_url = f"/items?{urlencode({**query, 'cursor': page.next_cursor})}" if page and page.has_more else None
    template = "partials/item_rows.html" if request.headers.get("hx-request") else "items.html"
    return render(request, template, user, rows=rows, next_url=next_url, q=q or "", status=status or "",
                  kind=kind or "", error=error, statuses=STATUSES)


def _item_context(request: Request, user, ref: str) -> dict:
    db = db_of(request)
    row = items.get_item(db, user.workspace_id, ref)
    item = item_out(row)
    history = inventory.list_movements(db, user.workspace_id, MovementFilters(item=row["id"]),
                                       PageRequest(limit=20, include_total=True)) if user.allows("stock:read") else None
    series = dashboard.on_hand_series(db, user.workspace_id, days=30, item_id=row["id"])
    return {"item": item, "movements": [movement_out(m) for m in history.rows] if history else [],
            "movement_total": history.total if history else 0, "chart": dashboard.as_chart(series),
            "variants": row.get("variants", []), "components": row.get("components", [])}


@router.get("/items/{ref}", response_class=HTMLResponse)
def item_page(request: Request, user: Viewer, ref: str, done: str | None = None):
    try:
        context = _item_context(request, user, ref)
    except NotFound:
        return not_found(request, user, f"No item {ref!r}.")
    return render(request, "item.html", user, done=done, **context)


# --- Adjusting stock ------------------------------------------------------------------------


def _adjust_choices(request: Request, user) -> dict:
    db = db_of(request)
    places = locations.list_locations(db, user.workspace_id, LocationFilters(is_active=True),
                                      PageRequest(limit=200, include_total=False)).rows
    codes = reasons.client_reasons(db, user.workspace_id)
    return {"locations": places, "reasons": codes}


@router.get("/items/{ref}/adjust", response_class=HTMLResponse)
def adjust_form(request: Request, user: StockMember, ref: str):
    try:
        item = item_out(items.get_item(db_of(request), user.workspace_id, ref))
    except NotFound:
        return not_found(request, user, f"No item {ref!r}.")
    return render(request, "adjust.html", user, item=item, form={"mode": "delta", "reason": "receipt"},
                  form_key=new_form_key(), errors=[], **_adjust_choices(request, user))


@router.post("/items/{ref}/adjust", response_class=HTMLResponse)
async def adjust(request: Request, user: StockMember, ref: str) -> Response:
    return await run_in_threadpool(_adjust, request, user, ref, await posted_form(request))


def _adjust(request: Request, user, ref: str, form: dict[str, str]) -> Response:
    db = db_of(request)
    field_errors: dict[str, list[str]] = {}
    mode = form.get("mode", "delta")
    amount = quantity_field(form, "quantity", field_errors)
    unit_cost = quantity_field(form, "unit_cost", field_errors, required=False)
    if mode == "out" and amount is not None:
        amount = -amount
    errors = fields_in_words(field_errors)
    if not errors:
        adjustment = Adjustment(
            item=ref, location=form.get("location") or None, reason=form.get("reason") or "correction",
            delta=amount if mode != "set" else None, set_to=amount if mode == "set" else None,
            note=(form.get("note") or "").strip() or None, unit_cost=unit_cost)

        def work() -> str:
            movements, _level = stock.adjust_one(db, user, adjustment)
            sku = movements[0]["sku"] if movements else ref
            return f"/items/{quote(ref)}?done={quote(f'Recorded: {sku} {_signed(movements)}')}"

        try:
            return submit_once(db, user, request, form, work)
        except StorekeeperError as exc:
            errors = humanize(exc)
    try:
        item = item_out(items.get_item(db, user.workspace_id, ref))
    except NotFound:
        return not_found(request, user, f"No item {ref!r}.")
    return render(request, "adjust.html", user, code=422, item=item, form=form, form_key=new_form_key(),
                  errors=errors, **_adjust_choices(request, user))


def _signed(movements: list[dict]) -> str:
    return ", ".join(("+" if m["delta"] > 0 else "") + format_quantity(m["delta"]) for m in movements)
