"""What every dashboard page shares: templates, formats, errors in words, forms sent once."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Undefined, pass_context
from jinja2.filters import do_urlencode
from jinja2.runtime import Context

from storekeeper.api.paths import url_segment
from storekeeper.domain import wording
from storekeeper.domain.clock import to_utc
from storekeeper.domain.errors import StorekeeperError, ValidationFailed
from storekeeper.domain.quantities import (
    InvalidQuantity,
    format_money,
    format_quantity,
    local_text,
    parse_local_decimal,
    round_money,
)
from storekeeper.persistence.database import Database
from storekeeper.services import dashboard, idempotency
from storekeeper.services.idempotency import Claim
from storekeeper.services.sessions import SignedIn

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def _marks(context: Context) -> str:
    """The page's decimal mark (render() puts the workspace's in every page's context)."""
    return context.get("decimal_mark") or "."


@pass_context
def _quantity(context: Context, value: Any) -> str:
    if value is None or value == "" or isinstance(value, Undefined):
        return ""
    return local_text(format_quantity(value if isinstance(value, Decimal) else Decimal(str(value))), _marks(context))


@pass_context
def _money(context: Context, value: Any) -> str:
    if value is None or value == "" or isinstance(value, Undefined):
        return "—"
    return local_text(format_money(value if isinstance(value, Decimal) else Decimal(str(value))), _marks(context))


@pass_context
def _total(context: Context, value: Any) -> str:
    """A sum of money, to the cent, its thousands grouped (unit costs keep their places: `money`)."""
    if value is None or value == "" or isinstance(value, Undefined):
        return "—"
    return local_text(f"{round_money(value if isinstance(value, Decimal) else Decimal(str(value))):,}",
                      _marks(context))


def _when(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("T", " ")[:16]
    return to_utc(value).strftime("%Y-%m-%d %H:%M")


def _urlencode(value: Any) -> str:
    """Jinja's `urlencode`, except that text keeps no `/` unescaped: the templates use it for a
    path segment (`/items/{{ sku | urlencode }}`), where the SKU `A/B` must stay one segment
    (api/paths.py). In a query, `%2F` is read as `/` all the same."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        return url_segment(str(value))
    return do_urlencode(value)


TEMPLATES.env.filters.update(quantity=_quantity, money=_money, total=_total, when=_when, urlencode=_urlencode,
                             reason=wording.reason, kind=lambda code: wording.KINDS.get(code, code))
TEMPLATES.env.globals.update(STATUS_LABELS={"normal": "In stock", "low": "Low", "critical": "Critical",
                                            "out_of_stock": "Out of stock"})

# Field names as a person reads them, for the messages of refused forms.
LABELS = {"delta": "Change", "set": "New count", "set_to": "New count", "quantity": "Quantity", "item": "Item",
          "location": "Location", "reason": "Reason", "unit_cost": "Unit cost", "note": "Note", "to": "To",
          "from": "From", "password": "Password", "email": "Email", "name": "Name", "scopes": "Scopes",
          "url": "URL", "events": "Events", "sku": "SKU"}


def humanize(exc: StorekeeperError, mark: str = ".") -> list[str]:
    """A refusal as sentences a person understands: the field's name and what is wrong."""
    if isinstance(exc, ValidationFailed) and exc.fields:
        return [f"{LABELS.get(name.split('.')[0], name.replace('_', ' ').capitalize())}: {' '.join(messages)}"
                for name, messages in exc.fields.items()]
    shortages = (exc.details or {}).get("shortages") or []
    # The ledger's message is the list of shortages itself: a heading in its place, or each
    # shortage would be told twice. A message that says something else (a bundle's component in
    # the trash) stays above the list.
    listed = shortages and all(f"{s.get('sku')}: " in exc.message for s in shortages)
    lines = ["Not enough stock at this location:" if listed else exc.message]
    for s in shortages:
        lines.append(f"{s.get('sku') or s.get('item')}: {local_quantity(s['needed'], mark)} needed, "
                     f"{local_quantity(s['available'], mark)} available")
    return lines


def db_of(request: Request) -> Database:
    return request.app.state.db


async def posted_form(request: Request) -> dict[str, str]:
    """A posted form as one string a field; boxes ticked several times joined by commas."""
    raw = await request.form()
    return {key: ",".join(v for v in raw.getlist(key) if isinstance(v, str)) for key in raw}


def not_found(request: Request, user: SignedIn | None, what: str) -> HTMLResponse:
    return render(request, "not_found.html", user, code=404, what=what)


def fields_in_words(errors: dict[str, list[str]]) -> list[str]:
    """A form's own field errors (before any service ran) as sentences."""
    return [f"{LABELS.get(k, k.replace('_', ' ').capitalize())}: {' '.join(v)}" for k, v in errors.items()]


def decimal_mark(request: Request, user: SignedIn | None) -> str:
    """The signed-in workspace's decimal mark (its setting, or its currency's custom), read once
    a request: pages write numbers with it and forms read them with it."""
    if user is None:
        return "."
    mark = getattr(request.state, "decimal_mark", None)
    if mark is None:
        mark = dashboard.workspace_decimal_mark(db_of(request), user.workspace_id)
        request.state.decimal_mark = mark
    return mark


def render(request: Request, template: str, user: SignedIn | None, code: int = 200, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, {"user": user, "decimal_mark": decimal_mark(
        request, user), **context}, status_code=code)


def quantity_field(form: dict[str, Any], name: str, errors: dict[str, list[str]], *, separator: str,
                   required: bool = True) -> Decimal | None:
    """A decimal from a form field, written with the workspace's decimal mark (`separator`); a
    message in `errors` if it is not one."""
    raw = (form.get(name) or "").strip()
    if not raw:
        if required:
            errors.setdefault(name, []).append("Enter a number.")
        return None
    try:
        return parse_local_decimal(raw, separator)
    except InvalidQuantity as exc:
        errors.setdefault(name, []).append(str(exc))
        return None


def local_quantity(value: Decimal, separator: str) -> str:
    """A quantity for a sentence of a page (what was recorded), in the workspace's marks."""
    return local_text(format_quantity(value), separator)


def new_form_key() -> str:
    """A form's one-time key: sending the form twice (a double click, a reload) acts once."""
    return secrets.token_urlsafe(16)


# A page with several small forms (a line's Remove, an order's Order) gives each its own key.
TEMPLATES.env.globals["new_form_key"] = new_form_key


def submit_once(db: Database, user: SignedIn, request: Request, form: dict[str, Any],
                work: Callable[[], str]) -> RedirectResponse:
    """Run a form's change once per form key (the API's Idempotency-Key records, per user), then
    redirect to where `work` says (303). A repeat of a finished form redirects there again; a
    refused one frees its key, so the corrected form can be sent."""
    key = str(form.get("form_key") or "") or new_form_key()
    fields = sorted((k, str(v)) for k, v in form.items() if k not in ("csrf_token", "form_key"))
    fingerprint = hashlib.sha256(repr((request.url.path, fields)).encode()).hexdigest()
    claim = Claim(user.workspace_id, f"user:{user.user_id}", key[:255])
    done = idempotency.once(db, claim, fingerprint, work, lambda location: (303, {"location": location}, ""))
    location = done.replayed.headers.get("location", "/") if done.replayed is not None else done.value
    return RedirectResponse(location, status_code=303)
