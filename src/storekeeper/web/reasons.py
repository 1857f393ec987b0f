"""The workspace's own stock reasons made, changed and deleted from the dashboard (issue 22), the
built-in ones listed beside them, read-only. The form is read into /v1's ReasonCreate /
ReasonUpdate and sent to services/reasons.py, as POST and PATCH /v1/reasons are, with /v1's
scopes (stock:write); an edit or a delete carries the version the form was opened at, as an
If-Match would. A reason's code is what movements record, so only a new reason's form has it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from storekeeper.api.schemas.stock import ReasonCreate, ReasonUpdate, reason_out
from storekeeper.domain.errors import NotFound
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import reasons
from storekeeper.services.sessions import SignedIn
from storekeeper.web.admin import Text
from storekeeper.web.auth import StockMember, StockViewer
from storekeeper.web.common import db_of, new_form_key, not_found, posted_form, render
from storekeeper.web.forms import FieldErrors, deleted_once, opened_version, refuse_nul, save_once, validated

router = APIRouter(include_in_schema=False)

DIRECTIONS = (("in", "Stock comes in"), ("out", "Stock goes out"), ("any", "Either way (a correction)"))


def _page(request: Request, user: SignedIn, form: dict[str, str], errors: FieldErrors,
          reason: dict[str, Any] | None = None, code: int = 200) -> HTMLResponse:
    return render(request, "catalogue/reason_form.html", user, code=code, form=form, errors=errors, reason=reason,
                  directions=DIRECTIONS, form_key=new_form_key())


@router.get("/reasons", response_class=HTMLResponse)
def reasons_page(request: Request, user: StockViewer, done: Text = None):
    custom = reasons.list_reasons(db_of(request), user.workspace_id,
                                  PageRequest(limit=reasons.MAX_CUSTOM, include_total=False)).rows
    return render(request, "catalogue/reasons.html", user, custom=[reason_out(r) for r in custom],
                  builtin=reasons.builtin_reasons(), directions=dict(DIRECTIONS), done=done)


@router.get("/reasons/new", response_class=HTMLResponse)
def new_reason(request: Request, user: StockMember):
    return _page(request, user, {"direction": "any"}, {})


def _data(form: dict[str, str], errors: FieldErrors, *, with_code: bool) -> dict[str, Any]:
    refuse_nul(form, errors)
    if not (form.get("name") or "").strip() and "name" not in errors:
        errors["name"] = ["Give the reason a name: it is what people pick on the stock forms."]
    data: dict[str, Any] = {"name": (form.get("name") or "").strip(), "direction": form.get("direction") or ""}
    if with_code:
        if not (form.get("code") or "").strip() and "code" not in errors:
            errors["code"] = ["Give the reason a code: what movements record (sample, damaged_in_transit)."]
        data["code"] = (form.get("code") or "").strip()
        if data["code"] and not reasons.CODE_RE.match(data["code"]) and "code" not in errors:
            # said before the schema's pattern, which would quote a regular expression
            errors["code"] = ["Use lower-case letters, digits and _, starting with a letter, at most 40 "
                              "(damaged_in_transit)."]
    return data


@router.post("/reasons", response_class=HTMLResponse)
async def create_reason(request: Request, user: StockMember) -> Response:
    return await run_in_threadpool(_create, request, user, await posted_form(request))


def _create(request: Request, user: SignedIn, form: dict[str, str]) -> Response:
    errors: FieldErrors = {}
    body = validated(ReasonCreate, _data(form, errors, with_code=True), errors)
    if errors or body is None:
        return _page(request, user, form, errors, code=422)

    def work() -> str:
        row = reasons.create_reason(db_of(request), user.workspace_id, body.code, body.name, body.direction)
        return f"/reasons?done={quote('Created the reason ' + row['name'] + '.')}"

    # A code taken (by a built-in reason too) is said under the code: the service names it a duplicate name.
    return save_once(request, user, form, work, "reason",
                     lambda errs, code: _page(request, user, form, _code_field(errs), code=code))


def _code_field(errors: FieldErrors) -> FieldErrors:
    taken = errors.pop("name", None)
    if taken:
        errors.setdefault("code", []).extend(taken)
    return errors


def _reason(request: Request, user: SignedIn, reason_id: str) -> dict[str, Any] | None:
    try:
        return reason_out(reasons.get_reason(db_of(request), user.workspace_id, reason_id))
    except NotFound:
        return None


def _form_of(reason: dict[str, Any]) -> dict[str, str]:
    return {"name": reason["name"], "direction": reason["direction"], "version": str(reason["version"])}


@router.get("/reasons/{reason_id}/edit", response_class=HTMLResponse)
def edit_reason(request: Request, user: StockMember, reason_id: str):
    reason = _reason(request, user, reason_id)
    if reason is None:
        return not_found(request, user, "No such reason here (the built-in ones cannot be changed).")
    return _page(request, user, _form_of(reason), {}, reason)


@router.post("/reasons/{reason_id}/edit", response_class=HTMLResponse)
async def update_reason(request: Request, user: StockMember, reason_id: str) -> Response:
    return await run_in_threadpool(_update, request, user, reason_id, await posted_form(request))


def _update(request: Request, user: SignedIn, reason_id: str, form: dict[str, str]) -> Response:
    reason = _reason(request, user, reason_id)
    if reason is None:
        return not_found(request, user, "No such reason here (the built-in ones cannot be changed).")
    errors: FieldErrors = {}
    version = opened_version(form, errors)
    body = validated(ReasonUpdate, _data(form, errors, with_code=False), errors)
    if errors or body is None:
        return _page(request, user, form, errors, reason, code=422)

    def work() -> str:
        row = reasons.update_reason(db_of(request), user.workspace_id, reason["id"],
                                    body.model_dump(exclude_unset=True), if_match=version)
        return f"/reasons?done={quote('Saved the reason ' + row['name'] + '.')}"

    return save_once(request, user, form, work, "reason",
                     lambda errs, code: _page(request, user, form, errs, reason, code=code))


@router.post("/reasons/{reason_id}/delete", response_class=HTMLResponse)
async def delete_reason(request: Request, user: StockMember, reason_id: str) -> Response:
    return await run_in_threadpool(_delete, request, user, reason_id, await posted_form(request))


def _delete(request: Request, user: SignedIn, reason_id: str, form: dict[str, str]) -> Response:
    reason = _reason(request, user, reason_id)
    if reason is None:
        return deleted_once(request, user, form, "reason")
    errors: FieldErrors = {}
    version = opened_version(form, errors)
    if errors:
        return _page(request, user, _form_of(reason), errors, reason, code=422)

    def work() -> str:
        reasons.delete_reason(db_of(request), user.workspace_id, reason["id"], if_match=version)
        return f"/reasons?done={quote('Deleted the reason ' + reason['name'] + '.')}"

    return save_once(request, user, form, work, "reason",
                     lambda errs, code: _page(request, user, _form_of(reason), errs, reason, code=code))
