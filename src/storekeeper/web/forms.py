"""What the create and edit forms share: reading a form into the /v1 schema it stands for, and a
refusal (the schema's, a service's) as words next to the fields it is about.

A form is validated by the same Pydantic model as the /v1 body it stands for, and sent to the
same service, so a rule is never written twice. Its errors are a dict of field name → messages
(`FieldErrors`); a message that belongs to no field of the form goes under `""`, above the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from storekeeper.api.errors import NUL_MESSAGE, validation_fields
from storekeeper.domain.errors import Code, Conflict, NotFound, PreconditionFailed, StorekeeperError, ValidationFailed
from storekeeper.services import barcodes
from storekeeper.services.sessions import SignedIn
from storekeeper.web.common import db_of, not_found, submit_once

FieldErrors = dict[str, list[str]]
GENERAL = ""

# The fields a service names by a code of its own rather than a field path.
_FIELD_OF_CODE = {"DUPLICATE_NAME": "name", "DUPLICATE_SKU": "sku", "CATEGORY_NOT_FOUND": "category",
                  "TAX_RATE_NOT_FOUND": "tax_rate", "LOCATION_NOT_FOUND": "home_location",
                  "UNIT_COST_LOCKED": "unit_cost"}


def stale(what: str) -> str:
    return (f"This {what} was changed by someone else since you opened it, so your changes were not saved. "
            "Open it again to see theirs, then make yours.")


def validated(model: type[BaseModel], data: dict[str, Any], errors: FieldErrors) -> BaseModel | None:
    """`data` as the /v1 schema `model`, or None with its complaints added to `errors`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        said = set(errors)  # the form's own word on a field (an empty SKU) says it better than the schema's
        for name, messages in validation_fields(exc.errors(include_url=False)).items():
            if _form_field(name) not in said:
                errors.setdefault(_form_field(name), []).extend(messages)
        return None


def _form_field(path: str) -> str:
    """A schema's field path as the form's field: `images[2].url` is the images box."""
    return path.split("[")[0] if "[" in path else path


def refusal_fields(exc: StorekeeperError, what: str, *, paths: bool = False) -> FieldErrors:
    """A service's refusal as field errors (a field-less one under GENERAL); `paths`: a form
    whose fields are the schema's paths (`components[2].unit`) keeps them whole."""
    if isinstance(exc, PreconditionFailed):
        return {GENERAL: [stale(what)]}
    if exc.code == Code.IDEMPOTENCY_KEY_IN_USE:
        return {GENERAL: ["This form is being sent already: look in a moment before sending it again."]}
    if exc.code == Code.IDEMPOTENCY_KEY_REUSED:  # sent, then changed and sent again (the browser's Back)
        return {GENERAL: [f"This form was sent already with other values, so it was not sent again. Open the "
                          f"{what} again to make another change."]}
    if isinstance(exc, ValidationFailed) and exc.fields:
        found: FieldErrors = {}
        for name, messages in exc.fields.items():
            found.setdefault(name if paths else _form_field(name), []).extend(messages)
        return found
    field = _FIELD_OF_CODE.get(exc.code)
    return {field if field else GENERAL: [exc.message]}


def onto(found: FieldErrors, fields: set[str]) -> FieldErrors:
    """Refusals of fields the form does not have (a rule of the parent's) said above it."""
    shown: FieldErrors = {}
    for name, messages in found.items():
        shown.setdefault(name if name in fields else GENERAL, []).extend(messages)
    return shown


def refuse_nul(form: dict[str, str], errors: FieldErrors) -> None:
    """Text with a NUL character is refused, as /v1's codec refuses it in JSON: PostgreSQL keeps
    no NUL in text, so it would fail there (a 500) and be stored on SQLite."""
    for name, value in form.items():
        if "\x00" in value:
            errors.setdefault(name, []).append(NUL_MESSAGE)


def opened_version(form: dict[str, str], errors: FieldErrors) -> int | None:
    """The version of the resource the form was opened at: the If-Match of an edit or a delete."""
    try:
        return int(form.get("version") or "")
    except ValueError:
        errors.setdefault(GENERAL, []).append("This form lacks the version it was opened at: open it again.")
        return None


def text(form: dict[str, str], name: str) -> str | None:
    """A text field, trimmed; None when left empty."""
    return (form.get(name) or "").strip() or None


def ticked(form: dict[str, str], name: str) -> bool:
    return bool(form.get(name))


def ticked_all(form: dict[str, str], name: str) -> list[str]:
    """The values of boxes of one name ticked several times (posted_form joins them by commas)."""
    return [v.strip() for v in (form.get(name) or "").split(",") if v.strip()]


def save_once(request: Request, user: SignedIn, form: dict[str, str], work: Callable[[], str], what: str,
              again: Callable[[FieldErrors, int], Response], *, paths: bool = False) -> Response:
    """submit_once: the change runs once per form key and redirects where `work` says; a refusal
    renders the form `again` with the user's values and the refusal next to its fields (404 for
    a resource gone, 409 for one changed since the form was opened, else 422)."""
    try:
        return submit_once(db_of(request), user, request, form, work)
    except StorekeeperError as exc:
        if isinstance(exc, NotFound) and exc.code == f"{what.upper().replace(' ', '_')}_NOT_FOUND":
            return again({GENERAL: [f"This {what} is not here any more (deleted, or never here)."]}, 404)
        code = 409 if isinstance(exc, (PreconditionFailed, Conflict)) else 422
        return again(refusal_fields(exc, what, paths=paths), code)


def deleted_once(request: Request, user: SignedIn, form: dict[str, str], what: str) -> Response:
    """A delete whose row is gone: if this very form (its key) deleted it, the repeat (a double
    click, a reload) redirects where the first one did; else the row is not here (404)."""
    def work() -> str:
        raise NotFound(what.replace(" ", "_"))

    try:
        return submit_once(db_of(request), user, request, form, work)
    except NotFound:
        return not_found(request, user, f"No such {what} here.")


def item_refs(request: Request, user: SignedIn, typed: set[str]) -> dict[str, str]:
    """What was typed or scanned as the item /v1 takes (its SKU or id): a barcode that only one
    item carries stands for that item, as the scan field reads it; anything else is sent as typed.
    One query for all of a form's lines."""
    found = barcodes.skus_by_barcode(db_of(request), user.workspace_id, typed)
    return {text: found.get(text, text) for text in typed}
