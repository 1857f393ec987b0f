"""Categories made, renamed, moved and deleted from the dashboard (issue 22). The forms are read
into /v1's CategoryCreate / CategoryUpdate and sent to services/categories.py, as POST and PATCH
/v1/categories are; an edit or a delete carries the version the form was opened at, as an
If-Match would. A category with items or subcategories is refused by the service, in its words.

The page shows the tree: every category under its parent, read in one statement (at most TREE
of them), so the page makes the same statements however many there are."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from storekeeper.api.schemas.catalog import CategoryCreate, CategoryUpdate, category_out
from storekeeper.domain.errors import NotFound, ValidationFailed
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import categories
from storekeeper.services.sessions import SignedIn
from storekeeper.web.admin import Text
from storekeeper.web.auth import ItemsMember, Viewer
from storekeeper.web.common import db_of, new_form_key, not_found, posted_form, render
from storekeeper.web.forms import FieldErrors, deleted_once, opened_version, refuse_nul, save_once, text, validated

router = APIRouter(include_in_schema=False)

TREE = 1000  # categories shown (and offered as parents): a fixed number of rows, whatever there are


def _all(request: Request, user: SignedIn) -> tuple[list[dict[str, Any]], bool]:
    page = categories.list_categories(db_of(request), user.workspace_id, PageRequest(limit=TREE,
                                                                                       include_total=False))
    return page.rows, page.has_more


def tree(rows: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int, str]]:
    """Each category with its depth and its path ("Home / Candles" with a chevron between), parents before their
    children, siblings by name. A category whose parent is not among `rows` (past TREE) starts
    a tree of its own."""
    known = {r["id"] for r in rows}
    children: dict[str | None, list[dict[str, Any]]] = {}
    for row in rows:  # already by name
        parent = row["parent_id"] if row["parent_id"] in known else None
        children.setdefault(parent, []).append(row)
    out: list[tuple[dict[str, Any], int, str]] = []
    stack = [(row, 0, row["name"]) for row in reversed(children.get(None, []))]
    while stack:
        row, depth, path = stack.pop()
        out.append((row, depth, path))
        stack.extend((c, depth + 1, f"{path} \u203a {c['name']}") for c in reversed(children.get(row["id"], [])))
    return out


def _below(shown: list[tuple[dict[str, Any], int, str]], category_id: str) -> set[str]:
    """The category and its descendants: no place to move it to."""
    inside = {category_id}
    for row, _, _ in shown:  # parents come before their children
        if row["parent_id"] in inside:
            inside.add(row["id"])
    return inside


def _page(request: Request, user: SignedIn, form: dict[str, str], errors: FieldErrors,
          category: dict[str, Any] | None = None, code: int = 200) -> HTMLResponse:
    rows, _ = _all(request, user)
    shown = tree(rows)
    excluded = _below(shown, category["id"]) if category else set()
    parents = [("", "None (a top-level category)")] + [(r["id"], path) for r, _, path in shown
                                                          if r["id"] not in excluded]
    return render(request, "catalogue/category_form.html", user, code=code, form=form, errors=errors,
                  category=category, parents=parents, form_key=new_form_key())


@router.get("/categories", response_class=HTMLResponse)
def categories_page(request: Request, user: Viewer, done: Text = None):
    rows, more = _all(request, user)
    return render(request, "catalogue/categories.html", user, shown=tree(rows), more=more, limit=TREE, done=done)


@router.get("/categories/new", response_class=HTMLResponse)
def new_category(request: Request, user: ItemsMember, parent: Text = None):
    return _page(request, user, {"parent": parent or ""}, {})


def _data(form: dict[str, str], errors: FieldErrors) -> dict[str, Any]:
    refuse_nul(form, errors)
    if not (form.get("name") or "").strip() and "name" not in errors:
        errors["name"] = ["Give the category a name."]
    return {"name": (form.get("name") or "").strip(), "parent": text(form, "parent")}


@router.post("/categories", response_class=HTMLResponse)
async def create_category(request: Request, user: ItemsMember) -> Response:
    return await run_in_threadpool(_create, request, user, await posted_form(request))


def _create(request: Request, user: SignedIn, form: dict[str, str]) -> Response:
    errors: FieldErrors = {}
    body = validated(CategoryCreate, _data(form, errors), errors)
    if errors or body is None:
        return _page(request, user, form, errors, code=422)

    def work() -> str:
        try:
            row = categories.create_category(db_of(request), user.workspace_id, body.name, body.parent)
        except NotFound:  # the new category is no row yet: what is missing is its parent
            raise ValidationFailed({"parent": ["That category is not here any more: choose another."]}) from None
        return f"/categories?done={quote('Created the category ' + row['name'] + '.')}"

    return save_once(request, user, form, work, "category", lambda errs, code: _page(request, user, form, errs,
                                                                                      code=code))


def _category(request: Request, user: SignedIn, category_id: str) -> dict[str, Any] | None:
    try:
        return category_out(categories.get_category(db_of(request), user.workspace_id, category_id))
    except NotFound:
        return None


def _form_of(category: dict[str, Any]) -> dict[str, str]:
    return {"name": category["name"], "parent": category["parent"] or "", "version": str(category["version"])}


@router.get("/categories/{category_id}/edit", response_class=HTMLResponse)
def edit_category(request: Request, user: ItemsMember, category_id: str):
    category = _category(request, user, category_id)
    if category is None:
        return not_found(request, user, "No such category here.")
    return _page(request, user, _form_of(category), {}, category)


@router.post("/categories/{category_id}/edit", response_class=HTMLResponse)
async def update_category(request: Request, user: ItemsMember, category_id: str) -> Response:
    return await run_in_threadpool(_update, request, user, category_id, await posted_form(request))


def _update(request: Request, user: SignedIn, category_id: str, form: dict[str, str]) -> Response:
    category = _category(request, user, category_id)
    if category is None:
        return not_found(request, user, "No such category here.")
    errors: FieldErrors = {}
    version = opened_version(form, errors)
    body = validated(CategoryUpdate, _data(form, errors), errors)
    if errors or body is None:
        return _page(request, user, form, errors, category, code=422)

    def work() -> str:
        changes = body.model_dump(exclude_unset=True)
        changes["parent_id"] = changes.pop("parent", None)
        row = categories.update_category(db_of(request), user.workspace_id, category["id"], changes,
                                         if_match=version)
        return f"/categories?done={quote('Saved the category ' + row['name'] + '.')}"

    return save_once(request, user, form, work, "category",
                     lambda errs, code: _page(request, user, form, errs, category, code=code))


@router.post("/categories/{category_id}/delete", response_class=HTMLResponse)
async def delete_category(request: Request, user: ItemsMember, category_id: str) -> Response:
    return await run_in_threadpool(_delete, request, user, category_id, await posted_form(request))


def _delete(request: Request, user: SignedIn, category_id: str, form: dict[str, str]) -> Response:
    category = _category(request, user, category_id)
    if category is None:
        return deleted_once(request, user, form, "category")
    errors: FieldErrors = {}
    version = opened_version(form, errors)
    if errors:
        return _page(request, user, _form_of(category), errors, category, code=422)

    def work() -> str:
        categories.delete_category(db_of(request), user.workspace_id, category["id"], if_match=version)
        return f"/categories?done={quote('Deleted the category ' + category['name'] + '.')}"

    # A refusal (items in it, subcategories) is said on the category's form, as /v1 says it.
    return save_once(request, user, form, work, "category",
                     lambda errs, code: _page(request, user, _form_of(category), errs, category, code=code))
