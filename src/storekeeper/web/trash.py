"""The trash: the items and locations deleted from the dashboard or the API, each with a Restore
button (web/item_forms.py and web/locations.py restore them). Items stay restorable for the
workspace's `trash_retention_days`, locations until restored."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from storekeeper.api.schemas.catalog import location_out
from storekeeper.api.schemas.items import item_out
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import items, locations
from storekeeper.services.items import ItemFilters
from storekeeper.web.auth import Viewer
from storekeeper.web.common import db_of, new_form_key, render

router = APIRouter(include_in_schema=False)

SHOWN = 50  # of each: the list is for undoing a recent deletion, not for browsing


@router.get("/trash", response_class=HTMLResponse)
def trash_page(request: Request, user: Viewer, done: Annotated[str | None, Query(max_length=500)] = None):
    db = db_of(request)
    gone = items.list_items(db, user.workspace_id, ItemFilters(deleted="true", sort="-deleted_at"),
                            PageRequest(limit=SHOWN, include_total=False))
    places = locations.list_deleted_locations(db, user.workspace_id, PageRequest(limit=SHOWN, include_total=False)
                                              ) if user.allows("stock:read") else None
    return render(request, "trash.html", user, done=done, items=[item_out(r) for r in gone.rows],
                  more_items=gone.has_more, places=[location_out(r) for r in places.rows] if places else [],
                  more_places=places.has_more if places else False, form_key=new_form_key(), shown=SHOWN)
