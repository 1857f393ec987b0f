"""The dashboard's pages: sign-in and the overview (items are in items.py, the adjustment form in
adjust.py, orders in orders.py). Each page reads through the same services as the API, as the
signed-in user (their role's scopes), and renders Jinja2 templates; htmx swaps parts of them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from storekeeper.api.schemas.stock import movement_out
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import dashboard, inventory, reports, sessions
from storekeeper.services.inventory import MovementFilters
from storekeeper.services.reports import ReorderFilters
from storekeeper.web.auth import COOKIE, Viewer, current_user
from storekeeper.web.common import db_of, render

router = APIRouter(include_in_schema=False)


def _safe_next(value: str | None) -> str:
    """Only a path of this site: never another host (an open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


# --- Signing in -----------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None):
    if current_user(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", None, next=_safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, email: Annotated[str, Form(max_length=320)] = "",
          password: Annotated[str, Form(max_length=1000)] = "", next: Annotated[str, Form()] = "/"):
    cookie = sessions.sign_in(db_of(request), email, password, request.app.state.settings.secret_key)
    if cookie is None:
        return render(request, "login.html", None, code=401, next=_safe_next(next), email=email,
                      error="That email and password do not match a user who may sign in.")
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(COOKIE, cookie, max_age=sessions.SESSION_SECONDS, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")
    return response


@router.post("/logout")
def logout(request: Request, user: Viewer):
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


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
