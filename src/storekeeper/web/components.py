"""An item's components from the dashboard: the bill of materials of an item made of others, or
what a bundle is sold as. The whole list is replaced at once, as PUT /v1/items/{ref}/components
does, through the same service, with the item's version the form was opened at as its If-Match.

Rows are numbered form fields (`components[0].item`, `…quantity`, `…unit`), so that a refusal
of one line (a SKU listed twice, a unit of another dimension) is said under that line."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from storekeeper.api.paths import url_segment
from storekeeper.api.schemas.items import ComponentIn, item_out
from storekeeper.domain.errors import NotFound
from storekeeper.services import components, items
from storekeeper.services.sessions import SignedIn
from storekeeper.web.auth import ItemsMember
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
from storekeeper.web.forms import FieldErrors, opened_version, refuse_nul, save_once, text, validated

router = APIRouter(include_in_schema=False)

BLANK = 3  # empty rows under the components, for new ones ("More rows" adds as many again)
MOST = 100  # the service's MAX_COMPONENTS


def _field(n: int, name: str) -> str:
    return f"components[{n}].{name}"


def _rows(form: dict[str, str], extra: int = 0) -> int:
    """How many rows the form shows: those sent (or filled in), and BLANK or `extra` more."""
    sent = int(form.get("rows") or 0) if (form.get("rows") or "").isdigit() else 0
    return min(max(sent, 0) + extra, MOST) or BLANK


def _form_of(item: dict[str, Any], lines: list[dict[str, Any]], mark: str) -> dict[str, str]:
    form = {"version": str(item["version"]), "rows": str(min(len(lines) + BLANK, MOST))}
    for n, line in enumerate(lines):
        form.update({_field(n, "item"): line["sku"], _field(n, "quantity"): local_quantity(line["quantity"], mark),
                     _field(n, "unit"): line["unit"]})
    return form


def _page(request: Request, user: SignedIn, item: dict[str, Any], form: dict[str, str], errors: FieldErrors,
          code: int = 200) -> HTMLResponse:
    return render(request, "forms/components.html", user, code=code, item=item, form=form, errors=errors,
                  rows=range(_rows(form)), field=_field, form_key=new_form_key())


def _item(request: Request, user: SignedIn, ref: str) -> dict[str, Any] | None:
    try:
        return item_out(items.get_item(db_of(request), user.workspace_id, ref))
    except NotFound:
        return None


@router.get("/items/{ref}/components", response_class=HTMLResponse)
def components_form(request: Request, user: ItemsMember, ref: str):
    item = _item(request, user, ref)
    if item is None:
        return not_found(request, user, f"No item {ref!r}.")
    _, lines = components.get_components(db_of(request), user.workspace_id, item["id"])
    return _page(request, user, item, _form_of(item, lines, decimal_mark(request, user)), {})


@router.post("/items/{ref}/components", response_class=HTMLResponse)
async def put_components(request: Request, user: ItemsMember, ref: str) -> Response:
    return await run_in_threadpool(_put, request, user, ref, await posted_form(request))


def _wanted(form: dict[str, str], errors: FieldErrors, mark: str) -> list[dict[str, Any]]:
    """The filled-in rows as /v1's body, in their order; a row left empty is no component."""
    wanted = []
    for n in range(_rows(form)):
        sku, amount = text(form, _field(n, "item")), (form.get(_field(n, "quantity")) or "").strip()
        if sku is None and not amount:
            continue
        if sku is None:
            errors[_field(n, "item")] = ["Give the SKU of the component."]
        quantity = quantity_field(form, _field(n, "quantity"), errors, separator=mark)
        said: FieldErrors = {}
        line = validated(ComponentIn, {"item": sku or "-", "quantity": quantity if quantity is not None else 1,
                                       "unit": text(form, _field(n, "unit"))}, said)
        for name, messages in said.items():
            errors.setdefault(_field(n, name), messages)
        if line is not None:
            wanted.append({**line.model_dump(mode="python"), "row": n})
    return wanted


def _put(request: Request, user: SignedIn, ref: str, form: dict[str, str]) -> Response:
    item = _item(request, user, ref)
    if item is None:
        return not_found(request, user, f"No item {ref!r}.")
    if form.get("more"):  # more empty rows, nothing saved
        return _page(request, user, item, {**form, "rows": str(_rows(form, BLANK))}, {})
    errors: FieldErrors = {}
    refuse_nul(form, errors)
    version = opened_version(form, errors)
    wanted = _wanted(form, errors, decimal_mark(request, user))
    if errors:
        return _page(request, user, item, form, errors, code=422)
    rows = [line.pop("row") for line in wanted]

    def work() -> str:
        components.put_components(db_of(request), user.workspace_id, item["id"], wanted, if_match=version)
        return f"/items/{url_segment(item['sku'])}?done={quote('Saved the components of ' + item['sku'] + '.')}"

    def again(found: FieldErrors, code: int) -> HTMLResponse:
        # The service numbers the lines it was sent; the form's rows may have gaps.
        shown = {_row_field(key, rows): messages for key, messages in found.items()}
        return _page(request, user, item, form, shown, code=code)

    return save_once(request, user, form, work, "list of components", again, paths=True)


def _row_field(key: str, rows: list[int]) -> str:
    """`components[1].unit` of the service (its second line) as the form row it came from."""
    if key.startswith("components[") and "]" in key:
        index, rest = key[len("components["):].split("]", 1)
        if index.isdigit() and int(index) < len(rows):
            return f"components[{rows[int(index)]}]{rest}"
    return key
