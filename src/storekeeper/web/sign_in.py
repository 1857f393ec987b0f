"""Signing in to the dashboard and out of it.

A sign-in is refused before any password is checked when it comes from another site's page
(403, web/auth.py `same_origin`) or when its email or address has failed too often (429 with
`Retry-After`, web/throttle.py): a refused attempt costs microseconds and never waits in line.
The password is checked on the server's password threads (services/passwords.py), never on the
threads that serve the API: the endpoint is async and waits for them without holding a thread,
and when too many sign-ins wait already it answers 503. Only the reads and the write around the
check (the users with the email, the new session) take a request thread, for milliseconds.
Signing out deletes the session on the server.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from storekeeper.services import sessions
from storekeeper.services.passwords import PasswordsBusy
from storekeeper.web.auth import COOKIE, CrossSiteSignIn, Viewer, current_user, same_origin
from storekeeper.web.common import db_of, render
from storekeeper.web.throttle import Refused, SignInThrottle

router = APIRouter(include_in_schema=False)

NO_MATCH = "That email and password do not match a user who may sign in."


def safe_next(value: str | None) -> str:
    """Only a path of this site: never another host (an open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def in_words(seconds: int) -> str:
    """A wait as a person reads it: "45 seconds", "3 minutes", "2 hours"."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    if seconds < 3600:
        minutes = math.ceil(seconds / 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = math.ceil(seconds / 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"


async def _ask(throttle: SignInThrottle, call, *args):
    """Ask the throttle where it costs the API nothing: on the event loop when it counts in this
    process's memory (microseconds under a lock); on a request thread when it asks Redis, whose
    answer is a network round trip (a second at most when Redis is down)."""
    return await run_in_threadpool(call, *args) if throttle.shared else call(*args)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None):
    if current_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", None, next=safe_next(next))


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, email: Annotated[str, Form(max_length=320)] = "",
                password: Annotated[str, Form(max_length=1000)] = "", next: Annotated[str, Form()] = "/"):
    if not same_origin(request):
        raise CrossSiteSignIn()
    page = {"next": safe_next(next), "email": email}
    if not email.strip() or not password:
        return render(request, "login.html", None, code=401, error=NO_MATCH, **page)
    throttle: SignInThrottle = request.app.state.sign_in_throttle
    attempt = await _ask(throttle, throttle.begin, request.client.host if request.client else None, email)
    if isinstance(attempt, Refused):
        whose = "with this email" if attempt.limit == "email" else "from your network address"
        return _retry_later(request, 429, attempt.retry_after, page, f"Too many failed sign-ins {whose}.")
    db = db_of(request)
    found = await run_in_threadpool(sessions.candidates, db, email)
    try:
        user = await request.app.state.passwords.run(sessions.matching, found, password)
    except PasswordsBusy as busy:
        await _ask(throttle, throttle.give_back, attempt)  # nothing was tried
        return _retry_later(request, 503, busy.retry_after, page, "Too many sign-ins are being checked right now.")
    if user is None:
        return render(request, "login.html", None, code=401, error=NO_MATCH, **page)
    await _ask(throttle, throttle.give_back, attempt)  # only failures count
    cookie = await run_in_threadpool(sessions.start_session, db, user, request.app.state.settings.secret_key)
    response = RedirectResponse(page["next"], status_code=303)
    response.set_cookie(COOKIE, cookie, max_age=sessions.SESSION_SECONDS, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")
    return response


def _retry_later(request: Request, code: int, seconds: int, page: dict, why: str) -> Response:
    response = render(request, "login.html", None, code=code, error=f"{why} Try again in {in_words(seconds)}.",
                      **page)
    response.headers["Retry-After"] = str(seconds)
    return response


@router.post("/logout")
def logout(request: Request, user: Viewer):
    sessions.sign_out(db_of(request), user)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
