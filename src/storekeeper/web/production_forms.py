"""Production orders made, changed and started from the dashboard, and a batch reversed (the
board, an order's page and recording a batch are orders.py's). The form is read into /v1's
ProductionOrderCreate / ProductionOrderUpdate (each line as ProductionLineIn) and sent to
services/production.py as /v1 sends it; a change carries the version the form was opened at,
as an If-Match would.

A line of the form is `line<N>.item`, `line<N>.quantity`, `line<N>.unit` (empty: the item's own
unit; else another unit it converts to, as /v1's line `unit`) and, for a line the order has,
`line<N>.id`: a row left empty is no line (an existing one emptied is removed from the order)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from storekeeper.api.paths import url_segment
from storekeeper.api.schemas.production import ProductionLineIn, ProductionOrderCreate, ProductionOrderUpdate
from storekeeper.domain.errors import NotFound
from storekeeper.domain.units import BY_CODE, UNITS
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import batches, locations, production, users
from storekeeper.services.locations import LocationFilters
from storekeeper.services.sessions import SignedIn
from storekeeper.web.auth import ProductionMember
from storekeeper.web.common import (
    db_of,
    decimal_mark,
    local_quantity,
    new_form_key,
    not_found,
    posted_form,
    quantity_field,
    render,
)
from storekeeper.web.forms import FieldErrors, item_refs, onto, opened_version, refuse_nul, save_once, text, validated
from storekeeper.web.orders import production_context

router = APIRouter(include_in_schema=False)

FIELDS = ("name", "location", "assignee", "due", "notes")
CHOICES = 200  # locations and people offered: a fixed number of rows, whatever there are
BLANK_ROWS = 3  # empty rows under the lines, to add that many at once
_LINE_FIELD = re.compile(r"^line(\d{1,3})\.(id|item|quantity|unit)$")
# A service's word on a line: on a field of it (`lines[2].unit`) or a sentence ("lines[2]: cannot …").
_LINE_PATH = re.compile(r"^lines\[(\d+)\](?:\.(\w+)|: (.*))$", re.S)
# The units a quantity can be given in, by dimension: case and pack hold a number of pieces that
# differs per item, so they convert to nothing but themselves and are never offered.
_CONVERTIBLE = {dimension: [(u.code, f"{u.code} · {u.name}") for u in UNITS if u.dimension == dimension and u.factor]
                for dimension in dict.fromkeys(u.dimension for u in UNITS)}


def _done(order_id: str, message: str) -> str:
    return f"/production/{url_segment(order_id)}?done={quote(message)}"


def _order(request: Request, user: SignedIn, order_id: str) -> dict[str, Any] | None:
    try:
        return production.get_production_order(db_of(request), user.workspace_id, order_id)
    except NotFound:
        return None


def _choices(request: Request, user: SignedIn, form: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    db, ws = db_of(request), user.workspace_id
    few = PageRequest(limit=CHOICES, include_total=False)
    places = locations.list_locations(db, ws, LocationFilters(is_active=True), few).rows
    people = users.list_users(db, ws, few).rows
    offered = {"places": [("", "The default location")] + [(p["id"], p["name"]) for p in places],
               "people": [("", "Nobody yet")] + [(u["id"], u["email"]) for u in people]}
    current = form.get("location") or ""
    if current and current not in {value for value, _ in offered["places"]}:  # an inactive one the order names
        offered["places"].append((current, locations.names_of(db, ws, {current}).get(current) or current))
    return offered


def _rows(form: dict[str, str]) -> int:
    """How many line rows the form shows: every row it has, then BLANK_ROWS empty ones."""
    used = [int(m.group(1)) for m in map(_LINE_FIELD.match, form) if m and form[m.group(0)].strip()]
    return (max(used) + 1 if used else 0) + BLANK_ROWS


def _page(request: Request, user: SignedIn, form: dict[str, str], errors: FieldErrors,
          order: dict[str, Any] | None = None, code: int = 200) -> HTMLResponse:
    return render(request, "forms/production_order.html", user, code=code, form=form, errors=errors, order=order,
                  rows=_rows(form), choices=_choices(request, user, form), form_key=new_form_key(),
                  units=_units(order))


def _units(order: dict[str, Any] | None) -> dict[str, Any]:
    """The unit choices of the rows: a line of the order, whose item is known, offers the units
    its item's converts to; a new row every convertible unit by dimension (a wrong one is refused
    under the row)."""
    own = {line["id"]: line["unit"] for line in order["lines"]} if order else {}
    of_line = {}
    for line_id, unit in own.items():
        known = BY_CODE.get(unit)
        same = _CONVERTIBLE.get(known.dimension, []) if known and known.factor else []
        of_line[line_id] = {"own": unit, "choices": [c for c in same if c[0] != unit]}
    return {"of_line": of_line, "all": _CONVERTIBLE}


def _lines(request: Request, user: SignedIn, form: dict[str, str], errors: FieldErrors,
           rows: list[int]) -> list[dict[str, Any]]:
    """The form's lines as /v1's ProductionLineIn, each row's complaints next to its fields;
    `rows` gets the form row of each line sent (a service names a line by its place in the list)."""
    mark = decimal_mark(request, user)
    indices = sorted({int(m.group(1)) for m in map(_LINE_FIELD.match, form) if m})
    refs = item_refs(request, user, {text(form, f"line{n}.item") for n in indices} - {None})
    lines = []
    for n in indices:
        typed, amount = text(form, f"line{n}.item"), text(form, f"line{n}.quantity")
        if typed is None and amount is None:
            continue  # an empty row; an existing line emptied leaves the order
        row_errors: FieldErrors = {}
        if typed is None:
            row_errors["item"] = ["Enter the SKU of what to make, or scan its barcode."]
        data: dict[str, Any] = {"item": refs[typed] if typed else typed,
                                "quantity": quantity_field({"quantity": amount}, "quantity", row_errors,
                                                           separator=mark)}
        for field in ("id", "unit"):
            if text(form, f"line{n}.{field}"):
                data[field] = text(form, f"line{n}.{field}")
        line = validated(ProductionLineIn, data, row_errors)
        for name, messages in row_errors.items():
            errors.setdefault(f"line{n}.{name}", []).extend(messages)
        if line is not None and not row_errors:
            lines.append(line.model_dump(exclude_unset=True))
            rows.append(n)
    if not lines and not any(name.startswith("line") for name in errors):
        errors.setdefault("lines", []).append("Add at least one line: what to make and how many.")
    return lines


def _data(request: Request, user: SignedIn, form: dict[str, str], errors: FieldErrors,
          rows: list[int]) -> dict[str, Any]:
    """The form as /v1's body: empty text is no value (no location: the default location)."""
    refuse_nul(form, errors)
    data: dict[str, Any] = {name: text(form, name) for name in FIELDS}
    data["lines"] = _lines(request, user, form, errors, rows)
    return data


def _refused(errors: FieldErrors, rows: list[int]) -> FieldErrors:
    """A service's refusal on this form: an unknown location is the location field's; a line's
    (`lines[2].unit`, or UNIT_MISMATCH's "lines[2]: cannot convert …") is said under its row's
    field, the unit for a sentence; a rule of a line the form has no field for (`lines[2].id`)
    or any field the form lacks is said above it."""
    if "home_location" in errors:  # forms.refusal_fields names LOCATION_NOT_FOUND after the item form's field
        errors = {**errors, "location": errors.pop("home_location")}
    shown: FieldErrors = {}
    for name, messages in errors.items():
        for message in messages:
            found = _LINE_PATH.match(name) or _LINE_PATH.match(message)
            if found and int(found.group(1)) < len(rows):
                field = found.group(2) or "unit"
                words = message if found.group(2) else f"This unit does not convert to the item's: {found.group(3)}."
                on_row = field in ("item", "quantity", "unit")
                shown.setdefault(f"line{rows[int(found.group(1))]}.{field}" if on_row else "lines", []).append(words)
            else:
                shown.setdefault(name, []).append(message)
    return onto(shown, {*FIELDS, "lines", *(f"line{n}.{f}" for n in rows for f in ("item", "quantity", "unit"))})


def _form_of(order: dict[str, Any], mark: str) -> dict[str, str]:
    form = {"name": order["name"], "location": order["location_id"] or "", "assignee": order["assignee_id"] or "",
            "due": order["due"].strftime("%Y-%m-%d") if order["due"] else "", "notes": order["notes"] or "",
            "version": str(order["version"])}
    for n, line in enumerate(order["lines"]):
        form.update({f"line{n}.id": line["id"], f"line{n}.item": line["sku"],
                     f"line{n}.quantity": local_quantity(line["quantity"], mark)})
    return form


@router.get("/production/new", response_class=HTMLResponse)
def new_production_order(request: Request, user: ProductionMember):
    return _page(request, user, {}, {})


@router.post("/production", response_class=HTMLResponse)
async def create_production_order(request: Request, user: ProductionMember) -> Response:
    return await run_in_threadpool(_create, request, user, await posted_form(request))


def _create(request: Request, user: SignedIn, form: dict[str, str]) -> Response:
    errors: FieldErrors = {}
    rows: list[int] = []
    data = _data(request, user, form, errors, rows)
    body = validated(ProductionOrderCreate, data, errors) if not errors else None
    if errors or body is None:
        return _page(request, user, form, errors, code=422)

    def work() -> str:
        row = production.create_production_order(db_of(request), user, body.model_dump(exclude_unset=True))
        return _done(row["id"], f"Created {row['name']}.")

    return save_once(request, user, form, work, "production order",
                     lambda errs, code: _page(request, user, form, _refused(errs, rows), code=code), paths=True)


@router.get("/production/{order_id}/edit", response_class=HTMLResponse)
def edit_production_order(request: Request, user: ProductionMember, order_id: str):
    order = _order(request, user, order_id)
    if order is None:
        return not_found(request, user, f"No production order {order_id!r}.")
    return _page(request, user, _form_of(order, decimal_mark(request, user)), {}, order)


@router.post("/production/{order_id}/edit", response_class=HTMLResponse)
async def update_production_order(request: Request, user: ProductionMember, order_id: str) -> Response:
    return await run_in_threadpool(_update, request, user, order_id, await posted_form(request))


def _update(request: Request, user: SignedIn, order_id: str, form: dict[str, str]) -> Response:
    order = _order(request, user, order_id)
    if order is None:
        return not_found(request, user, f"No production order {order_id!r}.")
    errors: FieldErrors = {}
    version = opened_version(form, errors)
    rows: list[int] = []
    data = _data(request, user, form, errors, rows)
    if data["name"] is None:  # an order keeps its name: left empty, it stays as it is
        del data["name"]
    body = validated(ProductionOrderUpdate, data, errors) if not errors else None
    if errors or body is None:
        return _page(request, user, form, errors, order, code=422)

    def work() -> str:
        row = production.update_production_order(db_of(request), user, order["id"],
                                                 body.model_dump(exclude_unset=True), if_match=version)
        return _done(row["id"], f"Saved {row['name']}.")

    return save_once(request, user, form, work, "production order",
                     lambda errs, code: _page(request, user, form, _refused(errs, rows), order, code=code),
                     paths=True)


def _order_page(request: Request, user: SignedIn, order_id: str, errors: FieldErrors, code: int) -> HTMLResponse:
    return render(request, "orders/production_order.html", user, code=code, done=None, form={},
                  form_key=new_form_key(), errors=[], action_errors=[m for ms in errors.values() for m in ms],
                  **production_context(request, user, order_id))


@router.post("/production/{order_id}/start", response_class=HTMLResponse)
async def start_production_order(request: Request, user: ProductionMember, order_id: str) -> Response:
    return await run_in_threadpool(_start, request, user, order_id, await posted_form(request))


def _start(request: Request, user: SignedIn, order_id: str, form: dict[str, str]) -> Response:
    order = _order(request, user, order_id)
    if order is None:
        return not_found(request, user, f"No production order {order_id!r}.")
    errors: FieldErrors = {}
    version = opened_version(form, errors)
    if errors:
        return _order_page(request, user, order["id"], errors, 422)

    def work() -> str:
        row = production.update_production_order(db_of(request), user, order["id"], {"status": "in_progress"},
                                                 if_match=version)
        return _done(row["id"], f"Started {row['name']}.")

    return save_once(request, user, form, work, "production order",
                     lambda errs, code: _order_page(request, user, order["id"], errs, code))


@router.post("/production/{order_id}/batches/{batch_id}/reverse", response_class=HTMLResponse)
async def reverse_batch(request: Request, user: ProductionMember, order_id: str, batch_id: str) -> Response:
    return await run_in_threadpool(_reverse, request, user, order_id, batch_id, await posted_form(request))


def _reverse(request: Request, user: SignedIn, order_id: str, batch_id: str, form: dict[str, str]) -> Response:
    """Undo a batch of this order (DELETE /v1/batches/{id}): its components back, its output out."""
    order = _order(request, user, order_id)
    try:
        batch = batches.get_batch(db_of(request), user.workspace_id, batch_id) if order else None
    except NotFound:
        batch = None
    if order is None or batch is None or batch["order_id"] != order["id"]:
        return not_found(request, user, "No such batch of a production order here.")
    mark = decimal_mark(request, user)

    def work() -> str:
        batches.reverse_batch(db_of(request), user, batch_id)
        return _done(order["id"], f"Reversed a batch of {local_quantity(batch['quantity'], mark)}.")

    return save_once(request, user, form, work, "batch",
                     lambda errs, code: _order_page(request, user, order["id"], errs, code))
