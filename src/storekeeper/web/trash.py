"""The trash: the items and locations deleted from the dashboard or the API, each with a Restore
button (web/item_forms.py and web/locations.py restore them). Items stay restorable for the
workspace's `trash_retention_days`, locations until restored.

Each list is its own cursor page, the latest deleted first (items by the index on `deleted_at`):
"More" under a list (htmx) appends that list's next rows; without htmx its link opens the trash
with that list further on. A page is the same few statements however much is in the trash."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from storekeeper.api.schemas.catalog import location_out
from storekeeper.api.schemas.items import item_out
from storekeeper.domain.errors import StorekeeperError
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import items, locations
from storekeeper.services.items import ItemFilters
from storekeeper.services.sessions import SignedIn
from storekeeper.web.auth import Viewer
from storekeeper.web.common import db_of, humanize, new_form_key, render

router = APIRouter(include_in_schema=False)

PAGE = 50  # rows of each list a page shows
Text = Annotated[str | None, Query(max_length=500)]


def _part(request: Request, user: SignedIn, part: str, cursor: str | None) -> dict[str, Any]:
    """One list's page: its rows, the link to its next page, or what was wrong (a bad cursor)."""
    db, ws = db_of(request), user.workspace_id
    paging = PageRequest(limit=PAGE, cursor=cursor or None, include_total=False)
    try:
        if part == "items":
            page = items.list_items(db, ws, ItemFilters(deleted="true", sort="-deleted_at"), paging)
            rows = [item_out(r) for r in page.rows]
        else:
            page = locations.list_deleted_locations(db, ws, paging)
            rows = [location_out(r) for r in page.rows]
    except StorekeeperError as exc:
        return {"rows": [], "next_url": None, "error": " ".join(humanize(exc))}
    more = f"/trash?{urlencode({'part': part, 'cursor': page.next_cursor})}" if page.has_more else None
    return {"rows": rows, "next_url": more, "error": None}


@router.get("/trash", response_class=HTMLResponse)
def trash_page(request: Request, user: Viewer, done: Text = None,
               part: Annotated[str | None, Query(max_length=20)] = None, cursor: Text = None):
    parts = ["items", *(["locations"] if user.allows("stock:read") else [])]
    paged = part if part in parts else None
    if request.headers.get("hx-request") and paged and cursor:
        return render(request, f"partials/trash_{paged}.html", user, form_key=new_form_key(),
                      **{paged: _part(request, user, paged, cursor)})
    shown = {p: _part(request, user, p, cursor if p == paged else None) for p in parts}
    # htmx swaps in only a 2xx answer: the rows above say a bad cursor there; a whole page is a 400.
    code = 400 if any(s["error"] for s in shown.values()) else 200
    return render(request, "trash.html", user, code=code, done=done, form_key=new_form_key(),
                  further=paged if cursor else None, **shown)
