"""The dashboard's workspace pages: locations with their stock, and the admin's API keys and
webhooks (the audit log is web/audit.py; web/users.py, the users, shares the forms' helpers).
Each list is one page of a cursor: a fixed number of statements, whatever the size of the workspace. Each
form acts once per form key, and its writes are audited as the signed-in user's.

A new key's or webhook's secret is shown once, in the answer to the form that created it, and
stored nowhere: a repeat of that form (same form key) finds only the new resource's id in its
idempotency record and is sent on with a notice, never to a second secret.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from storekeeper.api.paths import url_segment
from storekeeper.api.schemas.account import api_key_out
from storekeeper.api.schemas.catalog import location_out
from storekeeper.api.schemas.feed import delivery_out, webhook_out
from storekeeper.domain.errors import Code, Conflict, NotFound, StorekeeperError
from storekeeper.domain.scopes import SCOPES
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import api_keys, dashboard, delivery, idempotency, locations, webhooks
from storekeeper.services.feed import FAMILY_SCOPES
from storekeeper.services.idempotency import Claim
from storekeeper.services.locations import LocationFilters
from storekeeper.services.sessions import SignedIn
from storekeeper.web.auth import Admin, StockViewer
from storekeeper.web.common import (
    db_of,
    humanize,
    new_form_key,
    not_found,
    posted_form,
    render,
    submit_once,
)

router = APIRouter(include_in_schema=False)

PAGE = 50
Cursor = Annotated[str | None, Query(max_length=500)]
Text = Annotated[str | None, Query(max_length=320)]


def next_page_url(path: str, query: dict[str, str | None], cursor: str | None) -> str | None:
    kept = {k: v for k, v in query.items() if v}
    return f"{path}?{urlencode({**kept, 'cursor': cursor})}" if cursor else None


# --- Locations ------------------------------------------------------------------------------

def _locations(request: Request, user: SignedIn, cursor: str | None):
    return locations.list_locations(db_of(request), user.workspace_id, LocationFilters(),
                                    PageRequest(limit=PAGE, cursor=cursor or None, include_total=False))


@router.get("/locations", response_class=HTMLResponse)
def locations_page(request: Request, user: StockViewer, cursor: Cursor = None, done: Text = None):
    """A page of locations, each with its live items with stock and their on-hand per unit, from
    the running totals (migrations 0011, 0028)."""
    error = None
    try:
        page = _locations(request, user, cursor)
    except StorekeeperError as exc:
        page, error = None, " ".join(humanize(exc))
    places = [location_out(r) for r in page.rows] if page else []
    found = dashboard.stock_by_location(db_of(request), user.workspace_id, [p["id"] for p in places])
    figures = {p["id"]: found.get(p["id"], (0, {})) for p in places}
    template = "admin/location_rows.html" if request.headers.get("hx-request") else "admin/locations.html"
    return render(request, template, user, places=places, figures=figures, error=error, done=done,
                  next_url=next_page_url("/locations", {}, page.next_cursor if page else None))


# --- Creating once, showing a secret once ---------------------------------------------------


def create_once(request: Request, user: SignedIn, form: dict[str, str],
                 create: Callable[[], tuple[str, Response]], repeat: Callable[[str], str]) -> Response:
    """Run `create` once per form key and answer with the response it renders (holding the secret).
    The form's idempotency record keeps only where a repeat goes: `repeat(new id)`."""
    db = db_of(request)
    claim = Claim(user.workspace_id, f"user:{user.user_id}", (form.get("form_key") or new_form_key())[:255])
    # The form key alone identifies the form: a repeat with other fields must not create a second one.
    fingerprint = hashlib.sha256(request.url.path.encode()).hexdigest()
    done = idempotency.once(db, claim, fingerprint, create,
                            lambda made: (303, {"location": repeat(made[0])}, ""))
    if done.replayed is not None:
        return RedirectResponse(done.replayed.headers.get("location", "/"), status_code=303)
    response = done.value[1]
    response.headers["Cache-Control"] = "no-store"  # the secret stays out of caches and history
    return response


def change_once(request: Request, user: SignedIn, form: dict[str, str], work: Callable[[], str], what: str) -> Response:
    """submit_once (the page's dependency has named the signed-in user for the audit log); 404 for
    another workspace's `what`."""
    try:
        return submit_once(db_of(request), user, request, form, work)
    except NotFound:
        return not_found(request, user, f"No such {what} here.")
    except StorekeeperError as exc:  # a rule of the resource's state (the last admin, a form being sent) is a 409
        return render(request, "admin/not_done.html", user, code=409 if isinstance(exc, Conflict) else 422,
                      errors=in_words(exc))


def in_words(exc: StorekeeperError) -> list[str]:
    if exc.code == Code.IDEMPOTENCY_KEY_IN_USE:
        return ["This form is being sent already: look at the list in a moment before sending it again."]
    return humanize(exc)


# --- API keys -------------------------------------------------------------------------------


@router.get("/api-keys", response_class=HTMLResponse)
def api_keys_page(request: Request, user: Admin, cursor: Cursor = None, done: Text = None, already: Text = None):
    db = db_of(request)
    page = api_keys.list_api_keys(db, user.workspace_id, PageRequest(limit=PAGE, cursor=cursor or None,
                                                                     include_total=False))
    notice = None
    if already:
        try:
            key = api_keys.get_api_key(db, user.workspace_id, already)
            notice = (f"That form was sent already: it created the key “{key['name']}” ({key['prefix']}…). Its "
                      "secret was shown once and is not stored; revoke the key and create another if it is lost.")
        except NotFound:
            pass
    keys = [api_key_out(r) for r in page.rows]
    template = "admin/api_key_rows.html" if request.headers.get("hx-request") else "admin/api_keys.html"
    return render(request, template, user, keys=keys, next_url=next_page_url("/api-keys", {}, page.next_cursor),
                  done=done, notice=notice)


def _key_form(request: Request, user: SignedIn, form: dict[str, str], errors: list[str], code: int = 200):
    chosen = set(filter(None, (form.get("scopes") or "").split(",")))
    return render(request, "admin/api_key_form.html", user, code=code, form=form, chosen=chosen, errors=errors,
                  scopes=SCOPES, form_key=new_form_key())


@router.get("/api-keys/new", response_class=HTMLResponse)
def new_api_key(request: Request, user: Admin):
    return _key_form(request, user, {}, [])


def _expiry(value: str, errors: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        errors.append(f"Expires: {value!r} is not a date and time.")
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@router.post("/api-keys", response_class=HTMLResponse)
async def create_api_key(request: Request, user: Admin) -> Response:
    return await run_in_threadpool(_create_api_key, request, user, await posted_form(request))


def _create_api_key(request: Request, user: SignedIn, form: dict[str, str]) -> Response:
    errors: list[str] = []
    name = (form.get("name") or "").strip()
    scopes = [s for s in (form.get("scopes") or "").split(",") if s]
    if not name or len(name) > 200:
        errors.append("Name: between 1 and 200 characters.")
    if not scopes:
        errors.append("Scopes: tick at least one.")
    expires_at = _expiry((form.get("expires_at") or "").strip(), errors)
    if errors:
        return _key_form(request, user, form, errors, 422)

    def create() -> tuple[str, Response]:
        row, secret = api_keys.create_api_key(db_of(request), user.workspace_id, name, scopes, expires_at=expires_at)
        return row["id"], render(request, "admin/api_key_created.html", user, code=201, key=api_key_out(row),
                                 secret=secret)

    try:
        return create_once(request, user, form, create, lambda key_id: f"/api-keys?already={quote(key_id)}")
    except StorekeeperError as exc:
        return _key_form(request, user, form, in_words(exc), 409 if exc.code == Code.IDEMPOTENCY_KEY_IN_USE else 422)


@router.get("/api-keys/{key_id}/revoke", response_class=HTMLResponse)
def confirm_revoke(request: Request, user: Admin, key_id: str):
    try:
        key = api_key_out(api_keys.get_api_key(db_of(request), user.workspace_id, key_id))
    except NotFound:
        return not_found(request, user, "No such API key here.")
    return render(request, "admin/api_key_revoke.html", user, key=key, form_key=new_form_key())


@router.post("/api-keys/{key_id}/revoke", response_class=HTMLResponse)
async def revoke_api_key(request: Request, user: Admin, key_id: str) -> Response:
    form = await posted_form(request)

    def work() -> str:
        api_keys.revoke_api_key(db_of(request), user.workspace_id, key_id)
        return f"/api-keys?done={quote('Revoked: the key no longer works.')}"

    return await run_in_threadpool(change_once, request, user, form, work, "API key")


# --- Webhooks -------------------------------------------------------------------------------

EVENT_FAMILIES = tuple(f"{family}.*" for family in FAMILY_SCOPES)


@router.get("/webhooks", response_class=HTMLResponse)
def webhooks_page(request: Request, user: Admin, cursor: Cursor = None, done: Text = None):
    page = webhooks.list_webhooks(db_of(request), user.workspace_id,
                                  PageRequest(limit=PAGE, cursor=cursor or None, include_total=False))
    hooks = [webhook_out(r) for r in page.rows]
    template = "admin/webhook_rows.html" if request.headers.get("hx-request") else "admin/webhooks.html"
    return render(request, template, user, hooks=hooks, next_url=next_page_url("/webhooks", {}, page.next_cursor),
                  done=done)


def _allow_private(request: Request) -> bool:
    """STOREKEEPER_WEBHOOK_ALLOW_PRIVATE of the app's settings."""
    return request.app.state.settings.webhook_allow_private


def _webhook_form(request: Request, user: SignedIn, form: dict[str, str], errors: list[str], code: int = 200):
    chosen = set(filter(None, (form.get("families") or "").split(",")))
    return render(request, "admin/webhook_form.html", user, code=code, form=form, chosen=chosen, errors=errors,
                  families=EVENT_FAMILIES, form_key=new_form_key())


@router.get("/webhooks/new", response_class=HTMLResponse)
def new_webhook(request: Request, user: Admin):
    return _webhook_form(request, user, {}, [])


@router.post("/webhooks", response_class=HTMLResponse)
async def create_webhook(request: Request, user: Admin) -> Response:
    return await run_in_threadpool(_create_webhook, request, user, await posted_form(request))


def _create_webhook(request: Request, user: SignedIn, form: dict[str, str]) -> Response:
    url = (form.get("url") or "").strip()
    events = [e for e in (form.get("families") or "").split(",") if e]
    events += [e.strip() for e in (form.get("types") or "").replace("\n", ",").split(",") if e.strip()]
    if not url or len(url) > 2000:
        return _webhook_form(request, user, form, ["URL: an http:// or https:// URL."], 422)
    data = {"url": url, "events": list(dict.fromkeys(events)), "description": (form.get("description") or "").strip()
            or None}

    def create() -> tuple[str, Response]:
        row = webhooks.create_webhook(db_of(request), user, data, allow_private=_allow_private(request))
        return row["id"], render(request, "admin/webhook_created.html", user, code=201, hook=webhook_out(row),
                                 secret=row["secret"])

    try:
        return create_once(request, user, form, create, lambda hook_id: f"/webhooks/{url_segment(hook_id)}?already=1")
    except StorekeeperError as exc:
        errors = [e.replace("Types:", "Events:") for e in in_words(exc)]
        return _webhook_form(request, user, form, errors, 409 if exc.code == Code.IDEMPOTENCY_KEY_IN_USE else 422)


@router.get("/webhooks/{webhook_id}", response_class=HTMLResponse)
def webhook_page(request: Request, user: Admin, webhook_id: str, cursor: Cursor = None, done: Text = None,
                 already: Text = None):
    db = db_of(request)
    try:
        hook = webhook_out(webhooks.get_webhook(db, user.workspace_id, webhook_id))
        page = webhooks.list_deliveries(db, user.workspace_id, webhook_id,
                                        PageRequest(limit=PAGE, cursor=cursor or None, include_total=False))
    except NotFound:
        return not_found(request, user, "No such webhook here.")
    rows = [delivery_out(r) for r in page.rows]
    next_url = next_page_url(f"/webhooks/{url_segment(webhook_id)}", {}, page.next_cursor)
    if request.headers.get("hx-request"):
        return render(request, "admin/delivery_rows.html", user, hook=hook, deliveries=rows, next_url=next_url)
    notice = ("That form was sent already: it created this webhook. Its signing secret was shown once and is not "
              "stored.") if already else None
    return render(request, "admin/webhook.html", user, hook=hook, deliveries=rows, next_url=next_url, done=done,
                  notice=notice, form_key=new_form_key())


def _webhook_change(request: Request, user: SignedIn, webhook_id: str, form: dict[str, str],
                    change: Callable[[], str]) -> Response:
    def work() -> str:
        return f"/webhooks/{url_segment(webhook_id)}?done={quote(change())}"

    return change_once(request, user, form, work, "webhook")


@router.post("/webhooks/{webhook_id}/pause", response_class=HTMLResponse)
async def pause_webhook(request: Request, user: Admin, webhook_id: str) -> Response:
    def change() -> str:
        webhooks.update_webhook(db_of(request), user, webhook_id, {"is_active": False})
        return "Paused: no events are sent until it is resumed."

    return await run_in_threadpool(_webhook_change, request, user, webhook_id, await posted_form(request), change)


@router.post("/webhooks/{webhook_id}/resume", response_class=HTMLResponse)
async def resume_webhook(request: Request, user: Admin, webhook_id: str) -> Response:
    def change() -> str:
        webhooks.update_webhook(db_of(request), user, webhook_id, {"is_active": True})
        return "Resumed: the events held back are sent in order, then every new one."

    return await run_in_threadpool(_webhook_change, request, user, webhook_id, await posted_form(request), change)


@router.post("/webhooks/{webhook_id}/test", response_class=HTMLResponse)
async def test_webhook(request: Request, user: Admin, webhook_id: str) -> Response:
    def change() -> str:
        delivery.send_test(db_of(request), webhooks.get_webhook(db_of(request), user.workspace_id, webhook_id),
                           allow_private=_allow_private(request))
        return "A webhook.test event is on its way: its delivery shows below in a moment (reload)."

    return await run_in_threadpool(_webhook_change, request, user, webhook_id, await posted_form(request), change)


@router.get("/webhooks/{webhook_id}/delete", response_class=HTMLResponse)
def confirm_delete_webhook(request: Request, user: Admin, webhook_id: str):
    try:
        hook = webhook_out(webhooks.get_webhook(db_of(request), user.workspace_id, webhook_id))
    except NotFound:
        return not_found(request, user, "No such webhook here.")
    return render(request, "admin/webhook_delete.html", user, hook=hook, form_key=new_form_key())


@router.post("/webhooks/{webhook_id}/delete", response_class=HTMLResponse)
async def delete_webhook(request: Request, user: Admin, webhook_id: str) -> Response:
    form = await posted_form(request)

    def work() -> str:
        url = webhooks.get_webhook(db_of(request), user.workspace_id, webhook_id)["url"]
        webhooks.delete_webhook(db_of(request), user, webhook_id)
        return f"/webhooks?done={quote(f'Deleted the webhook to {url}: no more events are sent to it.')}"

    return await run_in_threadpool(change_once, request, user, form, work, "webhook")
