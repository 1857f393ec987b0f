"""A variant added to an item from the dashboard, which makes the item a parent (or adds to its
variants), through the service of POST /v1/items/{ref}/variants: a SKU of its own, its
attributes (one `name: value` a line), and a price, barcode or name of its own if it has one;
the rest it takes from its parent."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from storekeeper.api.paths import url_segment
from storekeeper.api.schemas.items import VariantCreate, item_out
from storekeeper.domain.errors import NotFound
from storekeeper.services import items, variants
from storekeeper.services.sessions import SignedIn
from storekeeper.web.auth import ItemsMember
from storekeeper.web.common import db_of, decimal_mark, new_form_key, not_found, posted_form, quantity_field, render
from storekeeper.web.forms import FieldErrors, onto, refuse_nul, save_once, text, validated

router = APIRouter(include_in_schema=False)

FIELDS = {"sku", "attributes", "name", "price", "barcode"}


def _page(request: Request, user: SignedIn, item: dict[str, Any], form: dict[str, str], errors: FieldErrors,
          code: int = 200) -> HTMLResponse:
    return render(request, "forms/variant.html", user, code=code, item=item, form=form, errors=errors,
                  form_key=new_form_key())


def _item(request: Request, user: SignedIn, ref: str) -> dict[str, Any] | None:
    try:
        return item_out(items.get_item(db_of(request), user.workspace_id, ref))
    except NotFound:
        return None


@router.get("/items/{ref}/variants/new", response_class=HTMLResponse)
def new_variant(request: Request, user: ItemsMember, ref: str):
    item = _item(request, user, ref)
    if item is None:
        return not_found(request, user, f"No item {ref!r}.")
    return _page(request, user, item, {}, {})


def _attributes(form: dict[str, str], errors: FieldErrors) -> dict[str, str]:
    """`size: M` a line, as the variant's attributes; a line without a name is said so."""
    found: dict[str, str] = {}
    for line in (form.get("attributes") or "").splitlines():
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip() or not value.strip():
            errors.setdefault("attributes", []).append(
                f"“{line.strip()}” is not a name and a value: write it as size: M.")
        else:
            found[name.strip()] = value.strip()
    if not found and "attributes" not in errors:
        errors["attributes"] = ["Give the variant at least one attribute (size: M), which tells it from the others."]
    return found


@router.post("/items/{ref}/variants", response_class=HTMLResponse)
async def add_variant(request: Request, user: ItemsMember, ref: str) -> Response:
    return await run_in_threadpool(_add, request, user, ref, await posted_form(request))


def _add(request: Request, user: SignedIn, ref: str, form: dict[str, str]) -> Response:
    item = _item(request, user, ref)
    if item is None:
        return not_found(request, user, f"No item {ref!r}.")
    errors: FieldErrors = {}
    refuse_nul(form, errors)
    if not (form.get("sku") or "").strip():
        errors.setdefault("sku", ["Give the variant a SKU of its own."])
    data: dict[str, Any] = {"sku": (form.get("sku") or "").strip(), "attributes": _attributes(form, errors)}
    for name in ("name", "barcode"):
        if text(form, name):
            data[name] = text(form, name)
    price = quantity_field(form, "price", errors, separator=decimal_mark(request, user), required=False)
    if price is not None:
        data["price"] = price
    body = validated(VariantCreate, data, errors)
    if errors or body is None:
        return _page(request, user, item, form, errors, code=422)

    def work() -> str:
        made = variants.add_variant(db_of(request), user, item["id"], body.model_dump(exclude_unset=True,
                                                                                     mode="python"))
        return f"/items/{url_segment(item['sku'])}?done={quote('Added the variant ' + made['sku'] + '.')}"

    def again(found: FieldErrors, code: int) -> HTMLResponse:
        return _page(request, user, item, form, onto(found, FIELDS), code=code)

    return save_once(request, user, form, work, "item", again)
