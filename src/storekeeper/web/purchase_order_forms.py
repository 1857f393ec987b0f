"""Purchase orders made and run from the dashboard: a draft is created, its details and lines
changed, then it is ordered or cancelled (receiving is orders.py's form). Each form is read
into the /v1 schema it stands for (PurchaseOrderCreate, PurchaseOrderUpdate, a line as
PurchaseOrderLineIn) and sent to services/purchasing.py as /v1 sends it; every change carries
the version the page was opened at, as an If-Match would, so an order changed meanwhile is
refused rather than overwritten."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from storekeeper.api.paths import url_segment
from storekeeper.api.schemas.purchasing import PurchaseOrderCreate, PurchaseOrderLineIn, PurchaseOrderUpdate
from storekeeper.domain.errors import NotFound
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import locations, purchasing
from storekeeper.services.locations import LocationFilters
from storekeeper.services.sessions import SignedIn
from storekeeper.web.auth import OrdersMember
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
from storekeeper.web.orders import purchase_order_context

router = APIRouter(include_in_schema=False)

HEADER = ("supplier", "location", "expected_at", "notes")
LINE = ("item", "quantity", "unit_cost")
PLACES = 200  # locations offered to deliver to: a fixed number of rows, whatever there are


def _done(order_id: str, message: str) -> str:
    return f"/purchase-orders/{url_segment(order_id)}?done={quote(message)}"


def _order(request: Request, user: SignedIn, ref: str) -> dict[str, Any] | None:
    """The order's row with its lines (by id or number), or None: another workspace's is none."""
    try:
        return purchasing.get_purchase_order(db_of(request), user.workspace_id, ref)
    except NotFound:
        return None


# --- The order's details: new and edit ------------------------------------------------------


def _places(request: Request, user: SignedIn, current: str | None) -> list[tuple[str, str]]:
    rows = locations.list_locations(db_of(request), user.workspace_id, LocationFilters(is_active=True),
                                    PageRequest(limit=PLACES, include_total=False)).rows
    offered = [("", "Each item's home location")] + [(r["id"], r["name"]) for r in rows]
    if current and current not in {value for value, _ in offered}:  # an inactive one the order names
        offered.append((current, locations.names_of(db_of(request), user.workspace_id, {current}).get(current)
                        or current))
    return offered


def _details_page(request: Request, user: SignedIn, form: dict[str, str], errors: FieldErrors,
                  order: dict[str, Any] | None = None, code: int = 200) -> HTMLResponse:
    return render(request, "forms/purchase_order.html", user, code=code, form=form, errors=errors, order=order,
                  places=_places(request, user, form.get("location")), form_key=new_form_key())


def _details(form: dict[str, str], errors: FieldErrors, fields: tuple[str, ...] = HEADER) -> dict[str, Any]:
    """The form as /v1's body: empty text is no value (an empty location: each item's home)."""
    refuse_nul(form, errors)
    return {name: text(form, name) for name in fields}


def _on_details(errors: FieldErrors) -> FieldErrors:
    """A service's refusal on the details form: an unknown location is the location field's."""
    if "home_location" in errors:  # forms.refusal_fields names LOCATION_NOT_FOUND after the item form's field
        errors = {**errors, "location": errors["home_location"]}
        del errors["home_location"]
    return onto(errors, set(HEADER))


def _form_of(order: dict[str, Any]) -> dict[str, str]:
    expected = order["expected_at"]
    return {"supplier": order["supplier"] or "", "location": order["location_id"] or "",
            "expected_at": expected.strftime("%Y-%m-%d") if expected else "", "notes": order["notes"] or "",
            "version": str(order["version"])}


@router.get("/purchase-orders/new", response_class=HTMLResponse)
def new_purchase_order(request: Request, user: OrdersMember):
    return _details_page(request, user, {}, {})


@router.post("/purchase-orders", response_class=HTMLResponse)
async def create_purchase_order(request: Request, user: OrdersMember) -> Response:
    return await run_in_threadpool(_create, request, user, await posted_form(request))


def _create(request: Request, user: SignedIn, form: dict[str, str]) -> Response:
    errors: FieldErrors = {}
    body = validated(PurchaseOrderCreate, _details(form, errors), errors)
    if errors or body is None:
        return _details_page(request, user, form, errors, code=422)

    def work() -> str:
        row = purchasing.create_purchase_order(db_of(request), user, body.model_dump(exclude_unset=True))
        return _done(row["id"], f"Created the draft {row['number']}: add what to order.")

    return save_once(request, user, form, work, "purchase order",
                     lambda errs, code: _details_page(request, user, form, _on_details(errs), code=code))


@router.get("/purchase-orders/{ref}/edit", response_class=HTMLResponse)
def edit_purchase_order(request: Request, user: OrdersMember, ref: str):
    order = _order(request, user, ref)
    if order is None:
        return not_found(request, user, f"No purchase order {ref!r}.")
    return _details_page(request, user, _form_of(order), {}, order)


@router.post("/purchase-orders/{ref}/edit", response_class=HTMLResponse)
async def update_purchase_order(request: Request, user: OrdersMember, ref: str) -> Response:
    return await run_in_threadpool(_update, request, user, ref, await posted_form(request))


def _update(request: Request, user: SignedIn, ref: str, form: dict[str, str]) -> Response:
    order = _order(request, user, ref)
    if order is None:
        return not_found(request, user, f"No purchase order {ref!r}.")
    errors: FieldErrors = {}
    version = opened_version(form, errors)
    # Once placed, only the notes and the expected date change (the form shows no other field).
    fields = HEADER if order["status"] == "draft" else tuple(sorted(purchasing.EDITABLE_WHEN_PLACED))
    body = validated(PurchaseOrderUpdate, _details(form, errors, fields), errors)
    if errors or body is None:
        return _details_page(request, user, form, errors, order, code=422)

    def work() -> str:
        row = purchasing.update_purchase_order(db_of(request), user, order["id"],
                                               body.model_dump(exclude_unset=True), if_match=version)
        return _done(row["id"], f"Saved {row['number']}.")

    return save_once(request, user, form, work, "purchase order",
                     lambda errs, code: _details_page(request, user, form, _on_details(errs), order, code=code))


# --- Lines of a draft -----------------------------------------------------------------------


def _line(request: Request, user: SignedIn, form: dict[str, str], errors: FieldErrors) -> dict[str, Any] | None:
    """The line's form as /v1's PurchaseOrderLineIn (an empty unit cost: the item's standard cost)."""
    refuse_nul(form, errors)
    mark = decimal_mark(request, user)
    typed = text(form, "item")
    if typed is None:
        errors.setdefault("item", []).append("Enter the item's SKU, or scan its barcode.")
    data: dict[str, Any] = {"item": item_refs(request, user, {typed})[typed] if typed else typed,
                            "quantity": quantity_field(form, "quantity", errors, separator=mark)}
    cost = quantity_field(form, "unit_cost", errors, separator=mark, required=False)
    if cost is not None:
        data["unit_cost"] = cost
    line = validated(PurchaseOrderLineIn, data, errors)
    return None if errors or line is None else line.model_dump(exclude_unset=True)


def _kept(line: dict[str, Any]) -> dict[str, Any]:
    """A line left as it is, sent back by its id (its unit cost too: none stays none)."""
    return {"id": line["id"], "item": line["item_id"], "quantity": line["quantity"], "unit_cost": line["unit_cost"]}


def _save_lines(request: Request, user: SignedIn, order: dict[str, Any], form: dict[str, str],
                lines: list[dict[str, Any]], message: str, again) -> Response:
    """Replace the draft's lines (PATCH /v1's `lines`) if the order is still at the form's version."""
    errors: FieldErrors = {}
    version = opened_version(form, errors)
    if errors:
        return again(errors, 422)
    body = validated(PurchaseOrderUpdate, {"lines": lines}, errors)
    if errors or body is None:
        return again(onto(errors, set(LINE)), 422)

    def work() -> str:
        purchasing.update_purchase_order(db_of(request), user, order["id"], body.model_dump(exclude_unset=True),
                                         if_match=version)
        return _done(order["id"], message)

    return save_once(request, user, form, work, "purchase order", lambda errs, code: again(onto(errs, set(LINE)), code))


def _order_page(request: Request, user: SignedIn, order: dict[str, Any], code: int, **forms: Any) -> HTMLResponse:
    """The order's page again, with a refused form of its own (`line_form`, `action_errors`, …)."""
    context = purchase_order_context(request, user, order["id"])
    return render(request, "orders/purchase_order.html", user, code=code, done=None, form={},
                  form_key=new_form_key(), errors=[], **{**context, **forms})


@router.post("/purchase-orders/{ref}/lines", response_class=HTMLResponse)
async def add_line(request: Request, user: OrdersMember, ref: str) -> Response:
    return await run_in_threadpool(_add_line, request, user, ref, await posted_form(request))


def _add_line(request: Request, user: SignedIn, ref: str, form: dict[str, str]) -> Response:
    order = _order(request, user, ref)
    if order is None:
        return not_found(request, user, f"No purchase order {ref!r}.")

    def again(errs: FieldErrors, code: int) -> HTMLResponse:
        return _order_page(request, user, order, code, line_form=form, line_errors=errs)

    errors: FieldErrors = {}
    line = _line(request, user, form, errors)
    if line is None:
        return again(errors, 422)
    return _save_lines(request, user, order, form, [*map(_kept, order["lines"]), line],
                       f"Added {line['item']} to {order['number']}.", again)


def _line_page(request: Request, user: SignedIn, order: dict[str, Any], line: dict[str, Any],
               form: dict[str, str], errors: FieldErrors, code: int = 200) -> HTMLResponse:
    return render(request, "forms/purchase_order_line.html", user, code=code, order=order, line=line, form=form,
                  errors=errors, form_key=new_form_key())


def _line_of(order: dict[str, Any], line_id: str) -> dict[str, Any] | None:
    return next((line for line in order["lines"] if line["id"] == line_id), None)


@router.get("/purchase-orders/{ref}/lines/{line_id}", response_class=HTMLResponse)
def edit_line(request: Request, user: OrdersMember, ref: str, line_id: str):
    order = _order(request, user, ref)
    line = _line_of(order, line_id) if order else None
    if line is None:
        return not_found(request, user, "No such line of a purchase order here.")
    mark = decimal_mark(request, user)
    form = {"item": line["sku"], "quantity": local_quantity(line["quantity"], mark), "version": str(order["version"]),
            "unit_cost": local_quantity(line["unit_cost"], mark) if line["unit_cost"] is not None else ""}
    return _line_page(request, user, order, line, form, {})


@router.post("/purchase-orders/{ref}/lines/{line_id}", response_class=HTMLResponse)
async def update_line(request: Request, user: OrdersMember, ref: str, line_id: str) -> Response:
    return await run_in_threadpool(_update_line, request, user, ref, line_id, await posted_form(request))


def _update_line(request: Request, user: SignedIn, ref: str, line_id: str, form: dict[str, str]) -> Response:
    order = _order(request, user, ref)
    line = _line_of(order, line_id) if order else None
    if line is None:
        return not_found(request, user, "No such line of a purchase order here.")

    def again(errs: FieldErrors, code: int) -> HTMLResponse:
        return _line_page(request, user, order, line, form, errs, code)

    errors: FieldErrors = {}
    changed = _line(request, user, form, errors)
    if changed is None:
        return again(errors, 422)
    lines = [{**changed, "id": line_id} if kept["id"] == line_id else _kept(kept) for kept in order["lines"]]
    return _save_lines(request, user, order, form, lines, f"Changed the line of {changed['item']}.", again)


@router.post("/purchase-orders/{ref}/lines/{line_id}/remove", response_class=HTMLResponse)
async def remove_line(request: Request, user: OrdersMember, ref: str, line_id: str) -> Response:
    return await run_in_threadpool(_remove_line, request, user, ref, line_id, await posted_form(request))


def _remove_line(request: Request, user: SignedIn, ref: str, line_id: str, form: dict[str, str]) -> Response:
    order = _order(request, user, ref)
    line = _line_of(order, line_id) if order else None
    if line is None:
        return not_found(request, user, "No such line of a purchase order here.")

    def again(errs: FieldErrors, code: int) -> HTMLResponse:
        return _order_page(request, user, order, code, action_errors=[m for ms in errs.values() for m in ms])

    lines = [_kept(kept) for kept in order["lines"] if kept["id"] != line_id]
    return _save_lines(request, user, order, form, lines, f"Removed {line['sku']} from {order['number']}.", again)


# --- Order and cancel -----------------------------------------------------------------------


def _transition(request: Request, user: SignedIn, ref: str, form: dict[str, str], change, message: str) -> Response:
    order = _order(request, user, ref)
    if order is None:
        return not_found(request, user, f"No purchase order {ref!r}.")

    def again(errs: FieldErrors, code: int) -> HTMLResponse:
        return _order_page(request, user, order, code, action_errors=[m for ms in errs.values() for m in ms])

    errors: FieldErrors = {}
    version = opened_version(form, errors)
    if errors:
        return again(errors, 422)

    def work() -> str:
        row = change(db_of(request), user, order["id"], if_match=version)
        return _done(row["id"], message.format(number=row["number"]))

    return save_once(request, user, form, work, "purchase order", again)


@router.post("/purchase-orders/{ref}/order", response_class=HTMLResponse)
async def place_purchase_order(request: Request, user: OrdersMember, ref: str) -> Response:
    return await run_in_threadpool(_transition, request, user, ref, await posted_form(request),
                                   purchasing.place_purchase_order,
                                   "Ordered {number}: its lines count as incoming until they arrive.")


@router.post("/purchase-orders/{ref}/cancel", response_class=HTMLResponse)
async def cancel_purchase_order(request: Request, user: OrdersMember, ref: str) -> Response:
    return await run_in_threadpool(_transition, request, user, ref, await posted_form(request),
                                   purchasing.cancel_purchase_order, "Cancelled {number}.")
