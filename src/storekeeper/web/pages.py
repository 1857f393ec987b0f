"""The dashboard's overview, with its first-run steps until the first movement (signing in is
sign_in.py, items items.py and their forms item_forms.py, locations' forms locations.py, the
trash trash.py, the adjustment form adjust.py, orders orders.py). Each page reads through the
same services as the API, as the signed-in user (their role's scopes), and renders Jinja2
templates; htmx swaps parts of them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from storekeeper.api.schemas.catalog import location_out
from storekeeper.api.schemas.items import item_out
from storekeeper.api.schemas.stock import movement_out
from storekeeper.domain.errors import NotFound
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import alerts, dashboard, inventory, items, locations, reports
from storekeeper.services.inventory import MovementFilters
from storekeeper.services.items import ItemFilters
from storekeeper.services.reports import ReorderFilters
from storekeeper.services.sessions import SignedIn
from storekeeper.web.auth import Viewer
from storekeeper.web.common import db_of, render

router = APIRouter(include_in_schema=False)


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
    series = dashboard.on_hand_series(db, ws, days=30)  # {unit: series}
    current = alerts.current_alerts(db, ws)
    charts = {unit: dashboard.as_chart(days) for unit, days in series.items()}
    return render(request, "overview.html", user, counts=counts, value=value, reorder=reorder, movements=[
        movement_out(m) for m in latest.rows], charts=charts, series=series, current_alerts=current,
        first_run=None if latest.rows else _first_run(request, user))


def _first_run(request: Request, user: SignedIn) -> dict[str, Any]:
    """What a workspace without a movement yet still lacks, for the overview's next steps: the
    default location (`storekeeper init` makes one), the first item, its opening stock."""
    db = db_of(request)
    first = items.list_items(db, user.workspace_id, ItemFilters(sort="created_at"),
                             PageRequest(limit=1, include_total=False)).rows
    try:
        home = location_out(locations.get_location(db, user.workspace_id, None))
    except NotFound:
        home = None
    item = item_out(first[0]) if first else None
    return {"location": home, "item": item if item and item["tracking"] == "quantity" else None,
            "any_item": item is not None}
