"""Items made, changed, put in the trash and restored from the dashboard (the list and an item's
page are items.py). The form is read into /v1's ItemCreate / ItemUpdate and sent to the services
POST and PATCH /v1/items call; an edit carries the version the form was opened at, as an
If-Match would. Numbers are written in the workspace's marks (a decimal comma in euros).

Sales channels are rows of the form (item_channels.py); an item's several categories are its
main category and the boxes ticked under "Also in". Variants (variants.py) and components
(components.py) have forms of their own: an edit keeps them as they are."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from storekeeper.api.paths import url_segment
from storekeeper.api.schemas.items import ItemCreate, ItemUpdate, item_out
from storekeeper.domain.errors import NotFound
from storekeeper.domain.quantities import format_quantity, local_text
from storekeeper.domain.units import UNITS
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import categories, item_changes, items, locations, tax_rates, trash
from storekeeper.services.locations import LocationFilters
from storekeeper.services.sessions import SignedIn
from storekeeper.web import item_channels
from storekeeper.web.admin import change_once
from storekeeper.web.auth import ItemsMember
from storekeeper.web.categories import tree as category_tree
from storekeeper.web.common import db_of, decimal_mark, new_form_key, not_found, posted_form, quantity_field, render
from storekeeper.web.forms import FieldErrors, opened_version, refuse_nul, save_once, text, ticked_all, validated

router = APIRouter(include_in_schema=False)

KINDS = (("product", "Product (sold)"), ("material", "Material (used to make things)"))
TRACKING = (("quantity", "Count its stock"), ("none", "No stock kept (a service, a fee)"),
            ("bundle", "A bundle of other items"))
MONEY = ("price", "unit_cost")
LEVELS = ("reorder_point", "safety_stock")
CHOICES = 500  # categories, tax rates and locations offered: a fixed number of rows, whatever there are


def _choices(request: Request, user: SignedIn) -> dict[str, list[tuple[str, str]]]:
    db, ws = db_of(request), user.workspace_id
    few = PageRequest(limit=CHOICES, include_total=False)
    rates = tax_rates.list_tax_rates(db, ws, few).rows
    kinds = categories.list_categories(db, ws, few).rows
    homes = locations.list_locations(db, ws, LocationFilters(is_active=True), few).rows
    mark = decimal_mark(request, user)
    return {"tax_rates": [("", "No tax rate")] + [(r["id"], f"{r['name']} ({_local(r['rate'] * 100, mark)} %)")
                                                  for r in rates],
            # by path (parent, then child): two categories of one name under different parents differ
            "categories": [("", "No category")] + [(c["id"], path) for c, _, path in category_tree(kinds)],
            "homes": [("", "The default location")] + [(h["id"], h["name"]) for h in homes],
            "default_rate": [r["id"] for r in rates if r["is_default"]]}


# Each select of the form: where its rows come from when the item's own is not among those offered.
_NAMES = {"categories": ("category", categories.rows_of), "tax_rates": ("tax_rate", tax_rates.rows_of),
          "homes": ("home_location", locations.rows_of)}


def _keep_current(request: Request, user: SignedIn, choices: dict[str, list], form: dict[str, str]) -> None:
    """Offer the item's own category, tax rate and home even past the first CHOICES of them, so
    that saving the form never drops one it did not show (one statement each, only then)."""
    for key, (field, rows_of) in _NAMES.items():
        value = form.get(field) or ""
        if value and value not in {v for v, _ in choices[key]}:
            row = rows_of(db_of(request), user.workspace_id, {value}).get(value)
            choices[key].append((value, row["name"] if row else value))
    offered = {v for v, _ in choices["categories"]}
    missing = {c for c in ticked_all(form, "categories") if c not in offered}
    if missing:  # ticked under "Also in" past the first CHOICES: kept on the form, not dropped
        found = categories.rows_of(db_of(request), user.workspace_id, missing)
        choices["categories"] += [(c, found[c]["name"] if c in found else c) for c in sorted(missing)]


def _page(request: Request, user: SignedIn, form: dict[str, str], errors: FieldErrors,
          item: dict[str, Any] | None = None, code: int = 200) -> HTMLResponse:
    choices = _choices(request, user)
    _keep_current(request, user, choices, form)
    kept = (item or {}).get("channels") or {}
    return render(request, "forms/item.html", user, code=code, form=form, errors=errors, item=item, kinds=KINDS,
                  tracking=TRACKING, units=[(u.code, f"{u.code} ({u.name})") for u in UNITS],
                  choices=choices, also_in=set(ticked_all(form, "categories")),
                  channel_rows=item_channels.rows(form, kept), form_key=new_form_key())


def _data(form: dict[str, str], errors: FieldErrors, mark: str,
          previous: Sequence[str] = ()) -> tuple[dict[str, Any], dict[str, int]]:
    """The form as /v1's body, and each sales channel's row. Empty text is no value; an empty
    reorder point or safety stock 0; images one URL a line."""
    refuse_nul(form, errors)
    for name, what in (("sku", "Give the item a SKU."), ("name", "Give the item a name.")):
        if not (form.get(name) or "").strip():
            errors.setdefault(name, [what])
    data: dict[str, Any] = {
        "sku": (form.get("sku") or "").strip(), "name": (form.get("name") or "").strip(),
        "unit": form.get("unit") or "pcs", "kind": form.get("kind") or "product",
        "tracking": form.get("tracking") or "quantity", "barcode": text(form, "barcode"),
        "description": text(form, "description"), **_categories(form, previous),
        "tax_rate": text(form, "tax_rate"), "home_location": text(form, "home_location"),
        "images": [{"url": line.strip()} for line in (form.get("images") or "").splitlines() if line.strip()]}
    for name in MONEY:
        data[name] = quantity_field(form, name, errors, separator=mark, required=False)
    for name in LEVELS:
        data[name] = quantity_field(form, name, errors, separator=mark, required=False) or Decimal(0)
    data["channels"], rows = item_channels.read(form, errors, mark)
    return data, rows


def _categories(form: dict[str, str], previous: Sequence[str]) -> dict[str, Any]:
    """`category` (the main one) and `categories`: it first, then those ticked under "Also in",
    in the order the item had them (new ones after, as the form lists them). No main category
    and some ticked: the first of them is the main one."""
    main = text(form, "category")
    order = {c: i for i, c in enumerate(previous)}
    others = sorted(ticked_all(form, "categories"), key=lambda c: order.get(c, len(order)))
    chosen = list(dict.fromkeys(([main] if main else []) + others))
    return {"category": chosen[0] if chosen else None, "categories": chosen}


def _local(value: Any, mark: str) -> str:
    return "" if value is None else local_text(format_quantity(Decimal(str(value))), mark)


def _form_of(item: dict[str, Any], mark: str) -> dict[str, str]:
    return {"sku": item["sku"], "name": item["name"], "unit": item["unit"], "kind": item["kind"],
            "tracking": item["tracking"], "barcode": item["barcode"] or "", "description": item["description"] or "",
            "category": item["category"] or "", "categories": ",".join(item["categories"][1:]),
            "tax_rate": item["tax_rate"] or "",
            "home_location": item["home_location"] or "", "version": str(item["version"]),
            "images": "\n".join(i["url"] for i in item["images"] or []),
            **{name: _local(item[name], mark) for name in (*MONEY, *LEVELS)},
            **item_channels.form_of(item["channels"] or {}, mark)}


@router.get("/items/new", response_class=HTMLResponse)
def new_item(request: Request, user: ItemsMember):
    rates = _choices(request, user)["default_rate"]
    return _page(request, user, {"unit": "pcs", "kind": "product", "tracking": "quantity",
                                 "tax_rate": rates[0] if rates else ""}, {})


@router.post("/items", response_class=HTMLResponse)
async def create_item(request: Request, user: ItemsMember) -> Response:
    return await run_in_threadpool(_create, request, user, await posted_form(request))


def _create(request: Request, user: SignedIn, form: dict[str, str]) -> Response:
    errors: FieldErrors = {}
    data, rows = _data(form, errors, decimal_mark(request, user))
    body = validated(ItemCreate, data, errors)
    if errors or body is None:
        return _page(request, user, form, item_channels.onto_rows(errors, rows), code=422)

    def work() -> str:
        row = items.create_item(db_of(request), user.workspace_id, body.model_dump(exclude_unset=True, mode="python"),
                                principal=user)
        return f"/items/{url_segment(row['sku'])}?done={quote('Created ' + row['sku'] + '.')}"

    return save_once(request, user, form, work, "item",
                     lambda errs, code: _page(request, user, form, item_channels.onto_rows(errs, rows), code=code))


def _item(request: Request, user: SignedIn, ref: str) -> dict[str, Any] | None:
    try:
        return item_out(items.get_item(db_of(request), user.workspace_id, ref))
    except NotFound:
        return None


@router.get("/items/{ref}/edit", response_class=HTMLResponse)
def edit_item(request: Request, user: ItemsMember, ref: str):
    item = _item(request, user, ref)
    if item is None:
        return not_found(request, user, f"No item {ref!r}.")
    return _page(request, user, _form_of(item, decimal_mark(request, user)), {}, item)



@router.post("/items/{ref}/edit", response_class=HTMLResponse)
async def update_item(request: Request, user: ItemsMember, ref: str) -> Response:
    return await run_in_threadpool(_update, request, user, ref, await posted_form(request))


def _update(request: Request, user: SignedIn, ref: str, form: dict[str, str]) -> Response:
    item = _item(request, user, ref)
    if item is None:
        return not_found(request, user, f"No item {ref!r}.")
    errors: FieldErrors = {}
    version = opened_version(form, errors)
    data, rows = _data(form, errors, decimal_mark(request, user), item["categories"])
    body = validated(ItemUpdate, data, errors)
    if errors or body is None:
        return _page(request, user, form, item_channels.onto_rows(errors, rows), item, code=422)

    def work() -> str:
        changes = body.model_dump(exclude_unset=True, mode="python")
        channels = item_channels.changed(changes.pop("channels", None) or {}, item["channels"] or {})
        gone = item_channels.removed(form, item["channels"] or {})
        if gone:  # PATCH's `channels`: every one but those, then the rows changed on top
            changes["channels"] = item_channels.without(item["channels"], gone)
        row = item_changes.update_item_and_channels(db_of(request), user.workspace_id, item["id"], changes,
                                                    channels, if_match=version)
        return f"/items/{url_segment(row['sku'])}?done={quote('Saved ' + row['sku'] + '.')}"

    return save_once(request, user, form, work, "item",
                     lambda errs, code: _page(request, user, form, item_channels.onto_rows(errs, rows), item,
                                              code=code))


@router.post("/items/{ref}/delete", response_class=HTMLResponse)
async def delete_item(request: Request, user: ItemsMember, ref: str) -> Response:
    return await run_in_threadpool(_delete, request, user, ref, await posted_form(request))


def _delete(request: Request, user: SignedIn, ref: str, form: dict[str, str]) -> Response:
    item = _item(request, user, ref)
    if item is None:
        return not_found(request, user, f"No item {ref!r}.")
    errors: FieldErrors = {}
    version = opened_version(form, errors)
    mark = decimal_mark(request, user)
    if errors:
        return _page(request, user, _form_of(item, mark), errors, item, code=422)

    def work() -> str:
        trash.delete_item(db_of(request), user.workspace_id, item["id"], if_match=version)
        return f"/trash?done={quote('Moved ' + item['sku'] + ' to the trash.')}"

    return save_once(request, user, form, work, "item",
                     lambda errs, code: _page(request, user, _form_of(item, mark), errs, item, code=code))


@router.post("/items/{item_id}/restore", response_class=HTMLResponse)
async def restore_item(request: Request, user: ItemsMember, item_id: str) -> Response:
    def work() -> str:
        restored = trash.restore_item(db_of(request), user.workspace_id, item_id)
        return f"/items/{url_segment(restored)}?done={quote('Restored from the trash.')}"

    return await run_in_threadpool(change_once, request, user, await posted_form(request), work, "item")
