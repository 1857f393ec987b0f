"""Tax rates made, changed and deleted from the dashboard (issue 22). The form is read into /v1's
TaxRateCreate / TaxRateUpdate and sent to services/tax_rates.py, as POST and PATCH /v1/tax-rates
are; an edit or a delete carries the version the form was opened at, as an If-Match would.

People write a rate as a percentage in the workspace's marks (`7,5` in euros); /v1 takes the
fraction (0.075), so the form divides by 100 before the schema sees it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from storekeeper.api.schemas.catalog import TaxRateCreate, TaxRateUpdate, tax_rate_out
from storekeeper.domain.errors import NotFound
from storekeeper.domain.quantities import format_quantity, local_text
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import tax_rates
from storekeeper.services.sessions import SignedIn
from storekeeper.web.admin import Text
from storekeeper.web.auth import ItemsMember, Viewer
from storekeeper.web.common import db_of, decimal_mark, new_form_key, not_found, posted_form, quantity_field, render
from storekeeper.web.forms import FieldErrors, deleted_once, opened_version, refuse_nul, save_once, ticked, validated

router = APIRouter(include_in_schema=False)

SHOWN = 500  # rates listed: a fixed number of rows, whatever there are
HUNDRED = Decimal(100)


def percent(rate: Any, mark: str) -> str:
    """A stored fraction (0.19) as the percentage people write (19), in the workspace's marks."""
    return local_text(format_quantity(Decimal(str(rate)) * HUNDRED), mark)


def _page(request: Request, user: SignedIn, form: dict[str, str], errors: FieldErrors,
          rate: dict[str, Any] | None = None, code: int = 200) -> HTMLResponse:
    return render(request, "catalogue/tax_rate_form.html", user, code=code, form=form, errors=errors, rate=rate,
                  form_key=new_form_key())


@router.get("/tax-rates", response_class=HTMLResponse)
def tax_rates_page(request: Request, user: Viewer, done: Text = None):
    page = tax_rates.list_tax_rates(db_of(request), user.workspace_id, PageRequest(limit=SHOWN, include_total=False))
    mark = decimal_mark(request, user)
    rows = [{**tax_rate_out(r), "percent": percent(r["rate"], mark)} for r in page.rows]
    return render(request, "catalogue/tax_rates.html", user, rates=rows, more=page.has_more, limit=SHOWN, done=done)


@router.get("/tax-rates/new", response_class=HTMLResponse)
def new_tax_rate(request: Request, user: ItemsMember):
    return _page(request, user, {}, {})


def _data(form: dict[str, str], errors: FieldErrors, mark: str) -> dict[str, Any]:
    """The form as /v1's body: the percentage as a fraction; an unticked default box is false."""
    refuse_nul(form, errors)
    if not (form.get("name") or "").strip() and "name" not in errors:
        errors["name"] = ["Give the tax rate a name."]
    share = quantity_field(form, "rate", errors, separator=mark)
    if share is not None and not Decimal(0) <= share <= HUNDRED:
        errors.setdefault("rate", []).append("A rate is a percentage from 0 to 100 (19 for 19 %).")
    return {"name": (form.get("name") or "").strip(), "rate": None if share is None else share / HUNDRED,
            "is_default": ticked(form, "is_default")}


@router.post("/tax-rates", response_class=HTMLResponse)
async def create_tax_rate(request: Request, user: ItemsMember) -> Response:
    return await run_in_threadpool(_create, request, user, await posted_form(request))


def _create(request: Request, user: SignedIn, form: dict[str, str]) -> Response:
    errors: FieldErrors = {}
    body = validated(TaxRateCreate, _data(form, errors, decimal_mark(request, user)), errors)
    if errors or body is None:
        return _page(request, user, form, errors, code=422)

    def work() -> str:
        row = tax_rates.create_tax_rate(db_of(request), user.workspace_id, body.model_dump(exclude_unset=True))
        return f"/tax-rates?done={quote('Created the tax rate ' + row['name'] + '.')}"

    return save_once(request, user, form, work, "tax rate", lambda errs, code: _page(request, user, form, errs,
                                                                                      code=code))


def _rate(request: Request, user: SignedIn, tax_rate_id: str) -> dict[str, Any] | None:
    try:
        return tax_rate_out(tax_rates.get_tax_rate(db_of(request), user.workspace_id, tax_rate_id))
    except NotFound:
        return None


def _form_of(rate: dict[str, Any], mark: str) -> dict[str, str]:
    return {"name": rate["name"], "rate": percent(rate["rate"], mark), "version": str(rate["version"]),
            **({"is_default": "on"} if rate["is_default"] else {})}


@router.get("/tax-rates/{tax_rate_id}/edit", response_class=HTMLResponse)
def edit_tax_rate(request: Request, user: ItemsMember, tax_rate_id: str):
    rate = _rate(request, user, tax_rate_id)
    if rate is None:
        return not_found(request, user, "No such tax rate here.")
    return _page(request, user, _form_of(rate, decimal_mark(request, user)), {}, rate)


@router.post("/tax-rates/{tax_rate_id}/edit", response_class=HTMLResponse)
async def update_tax_rate(request: Request, user: ItemsMember, tax_rate_id: str) -> Response:
    return await run_in_threadpool(_update, request, user, tax_rate_id, await posted_form(request))


def _update(request: Request, user: SignedIn, tax_rate_id: str, form: dict[str, str]) -> Response:
    rate = _rate(request, user, tax_rate_id)
    if rate is None:
        return not_found(request, user, "No such tax rate here.")
    errors: FieldErrors = {}
    version = opened_version(form, errors)
    body = validated(TaxRateUpdate, _data(form, errors, decimal_mark(request, user)), errors)
    if errors or body is None:
        return _page(request, user, form, errors, rate, code=422)

    def work() -> str:
        row = tax_rates.update_tax_rate(db_of(request), user.workspace_id, rate["id"],
                                        body.model_dump(exclude_unset=True), if_match=version)
        return f"/tax-rates?done={quote('Saved the tax rate ' + row['name'] + '.')}"

    return save_once(request, user, form, work, "tax rate",
                     lambda errs, code: _page(request, user, form, errs, rate, code=code))


@router.post("/tax-rates/{tax_rate_id}/delete", response_class=HTMLResponse)
async def delete_tax_rate(request: Request, user: ItemsMember, tax_rate_id: str) -> Response:
    return await run_in_threadpool(_delete, request, user, tax_rate_id, await posted_form(request))


def _delete(request: Request, user: SignedIn, tax_rate_id: str, form: dict[str, str]) -> Response:
    rate = _rate(request, user, tax_rate_id)
    if rate is None:
        return deleted_once(request, user, form, "tax rate")
    errors: FieldErrors = {}
    version = opened_version(form, errors)
    mark = decimal_mark(request, user)
    if errors:
        return _page(request, user, _form_of(rate, mark), errors, rate, code=422)

    def work() -> str:
        tax_rates.delete_tax_rate(db_of(request), user.workspace_id, rate["id"], if_match=version)
        return f"/tax-rates?done={quote('Deleted the tax rate ' + rate['name'] + '.')}"

    # Items still using it: refused by the service, in its words, on the rate's form.
    return save_once(request, user, form, work, "tax rate",
                     lambda errs, code: _page(request, user, _form_of(rate, mark), errs, rate, code=code))
