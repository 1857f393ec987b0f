"""The admin's page of the workspace's users: who may sign in, with which role; a new user and a
new password, each shown once (generated, never stored in clear: argon2 keeps only a hash)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from storekeeper.api.schemas.account import user_out
from storekeeper.domain.errors import NotFound, StorekeeperError
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import sessions, users
from storekeeper.services.sessions import SignedIn
from storekeeper.web.admin import PAGE, Cursor, Text, change_once, create_once, in_words, next_page_url
from storekeeper.web.auth import Admin
from storekeeper.web.common import new_form_key, posted_form, render

router = APIRouter(include_in_schema=False)

ROLES = {"admin": "Everything, users, keys and webhooks too",
         "member": "Change items, stock, orders and production",
         "viewer": "Look, change nothing"}


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, user: Admin, cursor: Cursor = None, done: Text = None):
    page = users.list_users(request.app.state.db, user.workspace_id,
                            PageRequest(limit=PAGE, cursor=cursor or None, include_total=False))
    people = [{**user_out(r), "can_sign_in": r["password_hash"] is not None} for r in page.rows]
    template = "admin/user_rows.html" if request.headers.get("hx-request") else "admin/users.html"
    return render(request, template, user, people=people, roles=ROLES, form_key=new_form_key(), done=done,
                  next_url=next_page_url("/users", {}, page.next_cursor))


def _user_form(request: Request, user: SignedIn, form: dict[str, str], errors: list[str], code: int = 200):
    return render(request, "admin/user_form.html", user, code=code, form=form, errors=errors, roles=ROLES,
                  form_key=new_form_key())


@router.get("/users/new", response_class=HTMLResponse)
def new_user(request: Request, user: Admin):
    return _user_form(request, user, {"role": "member"}, [])


@router.post("/users", response_class=HTMLResponse)
async def create_user(request: Request, user: Admin) -> Response:
    return await run_in_threadpool(_create_user, request, user, await posted_form(request))


def _create_user(request: Request, user: SignedIn, form: dict[str, str]) -> Response:
    role = form.get("role") or ""
    if role not in ROLES:
        return _user_form(request, user, form, ["Role: admin, member or viewer."], 422)
    password = sessions.new_password()

    def create() -> tuple[str, Response]:
        row = users.create_user(request.app.state.db, user.workspace_id, form.get("email") or "",
                                (form.get("name") or "").strip() or None, role, password=password,
                                hasher=request.app.state.passwords.hash)
        return row["id"], render(request, "admin/user_password.html", user, code=201, person=user_out(row),
                                 password=password, created=True)

    try:
        return create_once(request, user, form, create,
                           lambda _id: f"/users?done={quote('That form was sent already: the user was created then.')}")
    except StorekeeperError as exc:
        return _user_form(request, user, form, in_words(exc), 409 if exc.code.endswith("IN_USE") else 422)


@router.post("/users/{user_id}/password", response_class=HTMLResponse)
async def new_password(request: Request, user: Admin, user_id: str) -> Response:
    return await run_in_threadpool(_new_password, request, user, user_id, await posted_form(request))


def _new_password(request: Request, user: SignedIn, user_id: str, form: dict[str, str]) -> Response:
    password = sessions.new_password()

    def create() -> tuple[str, Response]:
        row = sessions.set_password(request.app.state.db, user.workspace_id, user_id, password,
                                    hasher=request.app.state.passwords.hash)
        return row["id"], render(request, "admin/user_password.html", user, person=user_out(row), password=password,
                                 created=False)

    try:
        return create_once(request, user, form, create,
                           lambda _id: f"/users?done={quote('That form was sent already: the password was set then.')}")
    except NotFound:
        return render(request, "not_found.html", user, code=404, what="No such user here.")
    except StorekeeperError as exc:
        return render(request, "admin/not_done.html", user, code=409, errors=in_words(exc))


@router.post("/users/{user_id}/role", response_class=HTMLResponse)
async def change_role(request: Request, user: Admin, user_id: str) -> Response:
    form = await posted_form(request)
    role = form.get("role") or ""
    if role not in ROLES:
        return render(request, "admin/not_done.html", user, code=422, errors=["Role: admin, member or viewer."])

    def work() -> str:
        row = users.update_user(request.app.state.db, user.workspace_id, user_id, {"role": role})
        done = f"{row['email']} is now a {role}."
        return f"/users?done={quote(done)}"

    return await run_in_threadpool(change_once, request, user, form, work, "user")
