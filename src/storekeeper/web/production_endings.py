"""A production order cancelled or deleted from the dashboard, each after a page that asks first.

Both go to services/production.py as /v1 sends them: cancelling is PATCH {"status": "cancelled"}
(from any other status, as /v1 allows), deleting is DELETE (a soft delete, in any status). Each
carries the version the question was opened at, as an If-Match would: a change meanwhile is
refused. What the order's batches made or consumed stays where it is either way."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from storekeeper.api.paths import url_segment
from storekeeper.domain.errors import Conflict, NotFound
from storekeeper.services import production
from storekeeper.services.sessions import SignedIn
from storekeeper.web.auth import ProductionMember
from storekeeper.web.common import db_of, new_form_key, not_found, posted_form, render
from storekeeper.web.forms import FieldErrors, deleted_once, opened_version, save_once

router = APIRouter(include_in_schema=False)

_ALREADY = "{name} is cancelled already: there is nothing to cancel."


def _order(request: Request, user: SignedIn, order_id: str) -> dict[str, Any] | None:
    try:
        return production.get_production_order(db_of(request), user.workspace_id, order_id)
    except NotFound:
        return None


def _question(request: Request, user: SignedIn, order: dict[str, Any], doing: str, errors: list[str],
              code: int = 200) -> HTMLResponse:
    return render(request, "orders/production_order_end.html", user, code=code, order=order, doing=doing,
                  errors=errors, form_key=new_form_key())


def _again(request: Request, user: SignedIn, order: dict[str, Any], doing: str):
    """A refusal shown on the question again, with the order as it is now (a fresh version)."""
    def again(errs: FieldErrors, code: int) -> HTMLResponse:
        current = _order(request, user, order["id"]) or order
        return _question(request, user, current, doing, [m for ms in errs.values() for m in ms], code)
    return again


@router.get("/production/{order_id}/cancel", response_class=HTMLResponse)
def confirm_cancel(request: Request, user: ProductionMember, order_id: str):
    order = _order(request, user, order_id)
    if order is None:
        return not_found(request, user, f"No production order {order_id!r}.")
    if order["status"] == "cancelled":
        return _question(request, user, order, "cancel", [_ALREADY.format(name=order["name"])], 409)
    return _question(request, user, order, "cancel", [])


@router.post("/production/{order_id}/cancel", response_class=HTMLResponse)
async def cancel_production_order(request: Request, user: ProductionMember, order_id: str) -> Response:
    return await run_in_threadpool(_cancel, request, user, order_id, await posted_form(request))


def _cancel(request: Request, user: SignedIn, order_id: str, form: dict[str, str]) -> Response:
    order = _order(request, user, order_id)
    if order is None:
        return not_found(request, user, f"No production order {order_id!r}.")
    again = _again(request, user, order, "cancel")
    errors: FieldErrors = {}
    version = opened_version(form, errors)
    if errors:
        return again(errors, 422)

    def work() -> str:
        # Checked here, not before: a repeat of the form that cancelled it redirects as the first did.
        if order["status"] == "cancelled":
            raise Conflict(_ALREADY.format(name=order["name"]))
        row = production.update_production_order(db_of(request), user, order["id"], {"status": "cancelled"},
                                                 if_match=version)
        return f"/production/{url_segment(row['id'])}?done={quote('Cancelled ' + row['name'] + '.')}"

    return save_once(request, user, form, work, "production order", again)


@router.get("/production/{order_id}/delete", response_class=HTMLResponse)
def confirm_delete(request: Request, user: ProductionMember, order_id: str):
    order = _order(request, user, order_id)
    if order is None:
        return not_found(request, user, f"No production order {order_id!r}.")
    return _question(request, user, order, "delete", [])


@router.post("/production/{order_id}/delete", response_class=HTMLResponse)
async def delete_production_order(request: Request, user: ProductionMember, order_id: str) -> Response:
    return await run_in_threadpool(_delete, request, user, order_id, await posted_form(request))


def _delete(request: Request, user: SignedIn, order_id: str, form: dict[str, str]) -> Response:
    order = _order(request, user, order_id)
    if order is None:  # deleted: by this very form (a double click) redirects again, else 404
        return deleted_once(request, user, form, "production order")
    again = _again(request, user, order, "delete")
    errors: FieldErrors = {}
    version = opened_version(form, errors)
    if errors:
        return again(errors, 422)

    def work() -> str:
        production.delete_production_order(db_of(request), user, order["id"], if_match=version)
        return f"/production?done={quote('Deleted ' + order['name'] + '.')}"

    return save_once(request, user, form, work, "production order", again)
