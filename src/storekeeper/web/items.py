"""The dashboard's items: the list (searched, filtered and paged by cursor; at one location, that
location's quantities), an item's page with its levels, chart and latest movements, and all of an
item's movements, page by page. Each reads through the same services as the API, a fixed number
of statements whatever the number of rows."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from storekeeper.api.paths import url_segment
from storekeeper.api.schemas.items import item_out
from storekeeper.api.schemas.stock import movement_out
from storekeeper.domain.errors import NotFound, StorekeeperError
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import dashboard, inventory, items, locations
from storekeeper.services.inventory import MovementFilters, StockFilters
from storekeeper.services.items import ItemFilters
from storekeeper.web.auth import StockViewer, Viewer
from storekeeper.web.common import db_of, humanize, new_form_key, not_found, render

router = APIRouter(include_in_schema=False)

PAGE = 50
ITEM_MOVEMENTS = 20  # the latest, on the item's page; the rest page by page after them
STATUSES = ("normal", "low", "critical", "out_of_stock")
KINDS = ("product", "material")
Text = Annotated[str | None, Query(max_length=200)]
Cursor = Annotated[str | None, Query(max_length=500)]


@router.get("/items", response_class=HTMLResponse)
def items_page(request: Request, user: Viewer, q: Text = None,
               status: Annotated[str | None, Query(max_length=20)] = None,
               kind: Annotated[str | None, Query(max_length=20)] = None, location: Text = None,
               cursor: Cursor = None):
    query = {k: v for k, v in (("q", q), ("status", status), ("kind", kind)) if v}
    shown = {"q": q or "", "status": status or "", "kind": kind or "", "statuses": STATUSES,
             "clear_location": f"/items?{urlencode(query)}" if query else "/items"}
    if location:
        return _items_at(request, user, location, q, status, kind, cursor, query, shown)
    filters = ItemFilters(q=q or None, status=(status,) if status in STATUSES else None,
                          kind=kind if kind in KINDS else None, sort="sku")
    error = None
    try:
        page = items.list_items(db_of(request), user.workspace_id, filters,
                                PageRequest(limit=PAGE, cursor=cursor or None, include_total=False))
    except StorekeeperError as exc:
        page, error = None, " ".join(humanize(exc))
    rows = [item_out(r) for r in page.rows] if page else []
    next_url = f"/items?{urlencode({**query, 'cursor': page.next_cursor})}" if page and page.has_more else None
    template = "partials/item_rows.html" if request.headers.get("hx-request") else "items.html"
    return render(request, template, user, rows=rows, next_url=next_url, error=error, place=None, **shown)


def _items_at(request: Request, user, location: str, q: str | None, status: str | None, kind: str | None,
              cursor: str | None, query: dict[str, str], shown: dict[str, Any]) -> HTMLResponse:
    """The items with stock at one location, with that location's quantities and status (a
    status filter means the status there): GET /v1/stock?location= as the dashboard shows it."""
    db = db_of(request)
    rows, next_url, error, place = [], None, None, None
    try:
        place = locations.get_location(db, user.workspace_id, location)
        filters = StockFilters(location=place["id"], q=q or None, status=status if status in STATUSES else None,
                               kind=kind if kind in KINDS else None)
        page, stock = inventory.list_stock(db, user.workspace_id, filters,
                                           PageRequest(limit=PAGE, cursor=cursor or None, include_total=False))
        rows = [_at(row) for row in stock]
        if page.has_more:
            next_url = f"/items?{urlencode({**query, 'location': location, 'cursor': page.next_cursor})}"
    except NotFound:
        error = f"There is no location {location!r}."
    except StorekeeperError as exc:
        error = " ".join(humanize(exc))
    template = "partials/item_rows_at.html" if request.headers.get("hx-request") else "items.html"
    return render(request, template, user, rows=rows, next_url=next_url, error=error,
                  place=place or {"name": location}, **shown)


def _at(row: dict[str, Any]) -> dict[str, Any]:
    """A stock row filtered by location carries that location's level only (none yet: nothing)."""
    level = row["locations"][0] if row["locations"] else {"on_hand": 0, "available": 0, "status": "out_of_stock"}
    return {"sku": row["sku"], "name": row["name"], "unit": row["unit"], "on_hand": level["on_hand"],
            "available": level["available"], "status": level["status"]}


def _older(ref: str, page) -> str | None:
    return f"/items/{url_segment(ref)}/movements?{urlencode({'cursor': page.next_cursor})}" if page.has_more else None


def _item_context(request: Request, user, ref: str) -> dict:
    db = db_of(request)
    row = items.get_item(db, user.workspace_id, ref)
    item = item_out(row)
    history = inventory.list_movements(db, user.workspace_id, MovementFilters(item=row["id"]),
                                       PageRequest(limit=ITEM_MOVEMENTS, include_total=True)
                                       ) if user.allows("stock:read") else None
    series = dashboard.item_on_hand_series(db, user.workspace_id, row["id"], days=30)
    home = locations.names_of(db, user.workspace_id, {row["home_location_id"]}).get(row["home_location_id"])
    return {"item": item, "home_location": home,
            "movements": [movement_out(m) for m in history.rows] if history else [],
            "movement_total": history.total if history else 0, "chart": dashboard.as_chart(series),
            "more_url": _older(item["sku"], history) if history else None,
            "variants": row.get("variants", []), "components": row.get("components", [])}


@router.get("/items/{ref}", response_class=HTMLResponse)
def item_page(request: Request, user: Viewer, ref: str, done: str | None = None):
    try:
        context = _item_context(request, user, ref)
    except NotFound:
        return _gone(request, user, ref)
    return render(request, "item.html", user, done=done, **context)


def _gone(request: Request, user, ref: str) -> HTMLResponse:
    """An item's page once it is in the trash: 404 still, saying where it went, with Restore."""
    deleted = items.list_items(db_of(request), user.workspace_id,
                               ItemFilters(sku=ref, deleted="true", sort="-created_at"),
                               PageRequest(limit=1, include_total=False)).rows
    if not deleted:
        return not_found(request, user, f"No item {ref!r}.")
    return render(request, "item_in_trash.html", user, code=404, item=item_out(deleted[0]), form_key=new_form_key())


@router.get("/items/{ref}/movements", response_class=HTMLResponse)
def item_movements(request: Request, user: StockViewer, ref: str, cursor: Cursor = None):
    """An item's movements, newest first, PAGE at a time by cursor: "Older movements" under the
    item page's latest appends the next page (htmx), or opens it as a page of its own."""
    db = db_of(request)
    try:
        item = item_out(items.get_item(db, user.workspace_id, ref))
        page = inventory.list_movements(db, user.workspace_id, MovementFilters(item=item["id"]),
                                        PageRequest(limit=PAGE, cursor=cursor or None, include_total=cursor is None))
    except NotFound:
        return not_found(request, user, f"No item {ref!r}.")
    except StorekeeperError as exc:
        return render(request, "refused.html", user, code=422, message=" ".join(humanize(exc)))
    context = {"item": item, "movements": [movement_out(m) for m in page.rows], "more_url": _older(item["sku"], page),
               "movement_total": page.total}
    if request.headers.get("hx-request"):
        return render(request, "partials/movement_rows.html", user, **context)
    return render(request, "item_movements.html", user, **context)
