"""The stock adjustment form: what happened (stock came in, went out, was counted) decides the
reasons offered, so that the ledger never refuses a reason's sign.

The server renders the reasons of the chosen kind and checks the pair when the form is sent, so
the form works without JavaScript (its "Show the reasons for what happened" button re-renders the
form for another kind); app.js swaps the reasons at once when the kind changes, from `data-reasons`."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from storekeeper.api.paths import url_segment
from storekeeper.api.schemas.items import item_out
from storekeeper.domain.errors import NotFound, StorekeeperError
from storekeeper.domain.stock import DEFAULT_REASON, UNUSUAL_FACTOR, ChangeKind, is_unusual, reason_suits
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import items, locations, reasons, stock
from storekeeper.services.locations import LocationFilters
from storekeeper.services.stock import Adjustment
from storekeeper.web.auth import StockMember
from storekeeper.web.common import (
    db_of,
    decimal_mark,
    fields_in_words,
    humanize,
    local_quantity,
    new_form_key,
    not_found,
    posted_form,
    quantity_field,
    render,
    submit_once,
)

router = APIRouter(include_in_schema=False)

# Each kind as the form's choice reads, and as a refusal names the stock it is about.
KINDS = {ChangeKind.IN: ("Stock came in", "came in"), ChangeKind.OUT: ("Stock went out", "went out"),
         ChangeKind.COUNT: ("I counted it", "was counted")}


def _kind(value: str | None) -> ChangeKind | None:
    try:
        return ChangeKind(value or "in")
    except ValueError:
        return None


def _reasons_by_kind(codes: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    """The reasons each kind offers, the kind's default first, in the order of the list."""
    by_kind = {}
    for kind in ChangeKind:
        fitting = [{"code": r["code"], "label": f"{r['name']} ({r['code']})", "name": r["name"]}
                   for r in codes if reason_suits(r["code"], r["direction"], kind)]
        fitting.sort(key=lambda r: r["code"] != DEFAULT_REASON[kind])
        by_kind[kind.value] = fitting
    return by_kind


def _page(request: Request, user, item: dict[str, Any], form: dict[str, str], errors: list[str],
          code: int = 200, confirm: str | None = None) -> HTMLResponse:
    db = db_of(request)
    places = locations.list_locations(db, user.workspace_id, LocationFilters(is_active=True),
                                      PageRequest(limit=200, include_total=False)).rows
    by_kind = _reasons_by_kind(reasons.client_reasons(db, user.workspace_id))
    kind = _kind(form.get("mode")) or ChangeKind.IN
    offered = by_kind[kind.value]
    if form.get("reason") not in {r["code"] for r in offered}:
        form = {**form, "reason": DEFAULT_REASON[kind]}
    return render(request, "adjust.html", user, code=code, item=item, form={**form, "mode": kind.value},
                  form_key=new_form_key(), errors=errors, locations=places, reasons=offered, by_kind=by_kind,
                  kinds={k.value: label for k, (label, _) in KINDS.items()},
                  defaults={k.value: code for k, code in DEFAULT_REASON.items()}, confirm=confirm)


def _item(request: Request, user, ref: str) -> dict[str, Any] | None:
    try:
        return item_out(items.get_item(db_of(request), user.workspace_id, ref))
    except NotFound:
        return None


@router.get("/items/{ref}/adjust", response_class=HTMLResponse)
def adjust_form(request: Request, user: StockMember, ref: str, mode: str | None = None,
                reason: Annotated[str | None, Query(max_length=64)] = None):
    """`reason` chooses one of the kind's reasons (an item's first stock links here with `initial`)."""
    item = _item(request, user, ref)
    if item is None:
        return not_found(request, user, f"No item {ref!r}.")
    return _page(request, user, item, {"mode": mode or "in", **({"reason": reason} if reason else {})}, [])


@router.post("/items/{ref}/adjust", response_class=HTMLResponse)
async def adjust(request: Request, user: StockMember, ref: str) -> Response:
    return await run_in_threadpool(_adjust, request, user, ref, await posted_form(request))


def _mismatch(code: str, kind: ChangeKind, by_kind: dict[str, list[dict[str, str]]]) -> str | None:
    """Why the reason does not fit the kind, in words (None when it fits, or is unknown: the
    service names an unknown reason)."""
    if any(r["code"] == code for r in by_kind[kind.value]):
        return None
    name = next((r["name"] for rs in by_kind.values() for r in rs if r["code"] == code), None)
    if name is None:
        return None
    fitting = [r["name"] for r in by_kind[kind.value]]
    choices = ", ".join(fitting[:-1]) + f" or {fitting[-1]}" if len(fitting) > 1 else fitting[0]
    return (f"Reason: {name} does not fit stock that {KINDS[kind][1]}. "
            f"For stock that {KINDS[kind][1]}, choose {choices}.")


def _adjust(request: Request, user, ref: str, form: dict[str, str]) -> Response:
    db = db_of(request)
    item = _item(request, user, ref)
    if item is None:
        return not_found(request, user, f"No item {ref!r}.")
    kind = _kind(form.get("mode"))
    if form.get("show"):  # without JavaScript: the reasons of another kind, nothing recorded
        return _page(request, user, item, form, [])
    field_errors: dict[str, list[str]] = {}
    if kind is None:
        field_errors["mode"] = ["Choose whether stock came in, went out or was counted."]
    separator = decimal_mark(request, user)
    amount = quantity_field(form, "quantity", field_errors, separator=separator)
    unit_cost = quantity_field(form, "unit_cost", field_errors, required=False, separator=separator)
    if kind in (ChangeKind.IN, ChangeKind.OUT) and amount is not None and amount <= 0:
        field_errors.setdefault("quantity", []).append("Must be more than 0.")
    errors = [e.replace("Mode:", "What happened:") for e in fields_in_words(field_errors)]
    reason = form.get("reason") or (DEFAULT_REASON[kind] if kind else "")
    if kind is not None:
        wrong = _mismatch(reason, kind, _reasons_by_kind(reasons.client_reasons(db, user.workspace_id)))
        errors += [wrong] if wrong else []
    # Stock coming in or counted is asked about (stock going out past the level is refused or
    # explained by the ledger). Confirmed is the quantity and place asked about: another number
    # typed since is asked again.
    if (not errors and kind in (ChangeKind.IN, ChangeKind.COUNT)
            and form.get("confirmed") != f"{form.get('quantity')}@{form.get('location')}"):
        question = _unusual(item, form.get("location"), amount, separator)
        if question:
            return _page(request, user, item, form, [], confirm=question)
    if not errors:
        adjustment = Adjustment(
            item=ref, location=form.get("location") or None, reason=reason,
            delta=-amount if kind == ChangeKind.OUT else amount if kind == ChangeKind.IN else None,
            set_to=amount if kind == ChangeKind.COUNT else None,
            note=(form.get("note") or "").strip() or None, unit_cost=unit_cost)

        def work() -> str:
            movements, _level = stock.adjust_one(db, user, adjustment)
            sku = movements[0]["sku"] if movements else ref
            return f"/items/{url_segment(ref)}?done={quote(f'Recorded: {sku} {_signed(movements, separator)}')}"

        try:
            return submit_once(db, user, request, form, work)
        except StorekeeperError as exc:
            errors = humanize(exc, separator)
    return _page(request, user, item, form, errors, code=422)


def _unusual(item: dict[str, Any], location: str | None, amount: Decimal, separator: str) -> str | None:
    """The question to ask before recording `amount` at the named location (else the item's
    total), when it is unusually large for the stock there (domain/stock.is_unusual)."""
    level = next((level["on_hand"] for level in item.get("locations") or [] if level["name"] == location),
                 item["on_hand"])
    if not is_unusual(amount, level):
        return None
    unit = item["unit"]
    return (f"{local_quantity(amount, separator)} {unit} is more than {UNUSUAL_FACTOR} times the "
            f"{local_quantity(level, separator)} {unit} there now. Check the number; if it is right, record it.")


def _signed(movements: list[dict], separator: str) -> str:
    return ", ".join(("+" if m["delta"] > 0 else "") + local_quantity(m["delta"], separator) for m in movements)
