"""Locations made, changed, put in the trash and restored from the dashboard (the list is in
admin.py). The form is read into /v1's LocationCreate / LocationUpdate and sent to
services/locations.py, as POST and PATCH /v1/locations are; an edit carries the version the form
was opened at, as an If-Match would."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from storekeeper.api.schemas.catalog import AddressRead, LocationCreate, LocationUpdate, location_out
from storekeeper.domain.errors import NotFound
from storekeeper.services import locations
from storekeeper.services.sessions import SignedIn
from storekeeper.web.admin import change_once
from storekeeper.web.auth import StockMember
from storekeeper.web.common import db_of, new_form_key, not_found, posted_form, render
from storekeeper.web.forms import FieldErrors, opened_version, refuse_nul, save_once, text, ticked, validated

router = APIRouter(include_in_schema=False)

TYPES = (("warehouse", "Warehouse"), ("store", "Store"), ("production", "Production floor"),
         ("external", "External (a marketplace's or a fulfilment service's stock)"))
ADDRESS = tuple(AddressRead.model_fields)  # line1, line2, city, region, postal_code, country
FLAGS = ("read_only", "is_active", "hide_materials")


def _data(form: dict[str, str]) -> dict[str, Any]:
    """The form as /v1's body: empty text is no value; an unticked box is false."""
    address = {key: text(form, f"address.{key}") for key in ADDRESS}
    data: dict[str, Any] = {"name": (form.get("name") or "").strip(), "type": form.get("type") or "warehouse",
                            "marketplace": text(form, "marketplace"), "fulfilment": text(form, "fulfilment"),
                            "address": address if any(address.values()) else None,
                            **{flag: ticked(form, flag) for flag in FLAGS}}
    if ticked(form, "is_default"):  # only ever made the default here: another is made it to undo that
        data["is_default"] = True
    return data


def _form_of(place: dict[str, Any]) -> dict[str, str]:
    address = place["address"] or {}
    return {"name": place["name"], "type": place["type"], "marketplace": place["marketplace"] or "",
            "fulfilment": place["fulfilment"] or "", "version": str(place["version"]),
            **{f"address.{key}": address.get(key) or "" for key in ADDRESS},
            **{flag: "on" for flag in FLAGS if place[flag]}}


def _page(request: Request, user: SignedIn, form: dict[str, str], errors: FieldErrors,
          place: dict[str, Any] | None = None, code: int = 200) -> HTMLResponse:
    return render(request, "forms/location.html", user, code=code, form=form, errors=errors, place=place,
                  types=TYPES, form_key=new_form_key())


@router.get("/locations/new", response_class=HTMLResponse)
def new_location(request: Request, user: StockMember):
    return _page(request, user, {"type": "warehouse", "is_active": "on"}, {})


@router.post("/locations", response_class=HTMLResponse)
async def create_location(request: Request, user: StockMember) -> Response:
    return await run_in_threadpool(_create, request, user, await posted_form(request))


def _create(request: Request, user: SignedIn, form: dict[str, str]) -> Response:
    errors: FieldErrors = {}
    refuse_nul(form, errors)
    if not (form.get("name") or "").strip() and "name" not in errors:
        errors["name"] = ["Give the location a name."]
    body = validated(LocationCreate, _data(form), errors)
    if errors or body is None:
        return _page(request, user, form, errors, code=422)

    def work() -> str:
        row = locations.create_location(db_of(request), user.workspace_id,
                                        body.model_dump(exclude_unset=True, mode="json"))
        return f"/locations?done={quote('Created the location ' + row['name'] + '.')}"

    return save_once(request, user, form, work, "location",
                     lambda errs, code: _page(request, user, form, errs, code=code))


def _location(request: Request, user: SignedIn, location_id: str) -> dict[str, Any] | None:
    try:
        found = locations.get_location(db_of(request), user.workspace_id, location_id)
    except NotFound:
        return None
    return location_out(found)  # by id or name, as /v1/locations/{location}


@router.get("/locations/{location_id}/edit", response_class=HTMLResponse)
def edit_location(request: Request, user: StockMember, location_id: str):
    place = _location(request, user, location_id)
    if place is None:
        return not_found(request, user, "No such location here.")
    return _page(request, user, _form_of(place), {}, place)


@router.post("/locations/{location_id}/edit", response_class=HTMLResponse)
async def update_location(request: Request, user: StockMember, location_id: str) -> Response:
    return await run_in_threadpool(_update, request, user, location_id, await posted_form(request))



def _update(request: Request, user: SignedIn, location_id: str, form: dict[str, str]) -> Response:
    place = _location(request, user, location_id)
    if place is None:
        return not_found(request, user, "No such location here.")
    errors: FieldErrors = {}
    version = opened_version(form, errors)
    refuse_nul(form, errors)
    if not (form.get("name") or "").strip() and "name" not in errors:
        errors["name"] = ["Give the location a name."]
    body = validated(LocationUpdate, _data(form), errors)
    if errors or body is None:
        return _page(request, user, form, errors, place, code=422)

    def work() -> str:
        row = locations.update_location(db_of(request), user.workspace_id, place["id"],
                                        body.model_dump(exclude_unset=True, mode="json"), if_match=version)
        return f"/locations?done={quote('Saved the location ' + row['name'] + '.')}"

    return save_once(request, user, form, work, "location",
                     lambda errs, code: _page(request, user, form, errs, place, code=code))


@router.post("/locations/{location_id}/delete", response_class=HTMLResponse)
async def delete_location(request: Request, user: StockMember, location_id: str) -> Response:
    return await run_in_threadpool(_delete, request, user, location_id, await posted_form(request))


def _delete(request: Request, user: SignedIn, location_id: str, form: dict[str, str]) -> Response:
    place = _location(request, user, location_id)
    if place is None:
        return not_found(request, user, "No such location here.")
    errors: FieldErrors = {}
    version = opened_version(form, errors)
    if errors:
        return _page(request, user, _form_of(place), errors, place, code=422)

    def work() -> str:
        locations.delete_location(db_of(request), user.workspace_id, place["id"], if_match=version)
        return f"/trash?done={quote('Moved the location ' + place['name'] + ' to the trash.')}"

    # A refusal (stock still there, the default) is shown on the location's form, as it is now.
    return save_once(request, user, form, work, "location",
                     lambda errs, code: _page(request, user, _form_of(place), errs, place, code=code))


@router.post("/locations/{location_id}/restore", response_class=HTMLResponse)
async def restore_location(request: Request, user: StockMember, location_id: str) -> Response:
    def work() -> str:
        row = locations.restore_location(db_of(request), user.workspace_id, location_id)
        return f"/locations?done={quote('Restored the location ' + row['name'] + '.')}"

    return await run_in_threadpool(change_once, request, user, await posted_form(request), work, "location")
