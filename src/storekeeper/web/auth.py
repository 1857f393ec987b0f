"""Who is using the dashboard: the session cookie, the role's scopes, CSRF on every form.

Every page declares what it needs with the `Annotated` aliases below (`Viewer`, `Member`,
`Admin`), as the API's routes do with scopes; tests/web/test_web_security.py walks the pages to
prove none escapes. Signed out, a page redirects to /login; without the scope it is a 403 page.
A form (any POST) must carry the session's CSRF token, as the field `csrf_token` or the header
`X-CSRF-Token` (htmx sends it: base.html sets `hx-headers`). Signing in has no session yet: it
must come from a page of this site (`same_origin`), or another site could sign a visitor in to
the other site's own workspace (login CSRF).
"""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from storekeeper.api.paths import request_url_path
from storekeeper.persistence.database import Database
from storekeeper.services.context import current_request
from storekeeper.services.sessions import SignedIn, session_user

COOKIE = "storekeeper_session"


class NeedsSignIn(Exception):
    """Signed out (or the session ended): go to /login, then back to `next`."""

    def __init__(self, next_url: str):
        self.next_url = next_url


class NotAllowed(Exception):
    """Signed in, but the role lacks what the page needs."""

    def __init__(self, user: SignedIn, scope: str):
        self.user = user
        self.scope = scope


class BadCsrf(Exception):
    """A form without the session's CSRF token (another site's form, or an old page)."""


class CrossSiteSignIn(Exception):
    """A sign-in form posted from a page of another site."""


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _host_and_port(url: str) -> tuple[str, int | None] | None:
    """(host, port if the URL names one) of an origin or a referring page; None if it is no web
    address (`null`: a sandboxed frame, a page with `Referrer-Policy: no-referrer`)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.hostname.lower(), None if port == _DEFAULT_PORTS[parts.scheme] else port


def same_origin(request: Request) -> bool:
    """Whether a form was posted by a page of this site, by the browser's own word: `Origin`,
    else `Referer`, compared with the `Host` the request was sent to. The scheme is not
    compared: behind a proxy that ends TLS and passes `Host` on, the browser's https page posts
    to a server that sees http. A client that sends neither header is no browser another site
    could drive (browsers send `Origin` with every POST) and may sign in, as scripts do; but a
    browser's `Sec-Fetch-Site` saying the request came from elsewhere is refused."""
    sent = request.headers.get("origin") or request.headers.get("referer")
    if sent is None:
        return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")
    theirs = _host_and_port(sent)
    ours = _host_and_port(f"http://{request.headers.get('host', '')}")
    return theirs is not None and ours is not None and theirs == ours


def _db(request: Request) -> Database:
    return request.app.state.db


def current_user(request: Request) -> SignedIn | None:
    cached = getattr(request.state, "user", False)
    if cached is not False:
        return cached
    settings = request.app.state.settings
    user = session_user(_db(request), request.cookies.get(COOKIE), settings.secret_key)
    request.state.user = user
    return user


async def _csrf_ok(request: Request, user: SignedIn) -> bool:
    if request.method in ("GET", "HEAD"):
        return True
    token = request.headers.get("x-csrf-token")
    if token is None:
        form = await request.form()
        value = form.get("csrf_token")
        token = value if isinstance(value, str) else None
    return token is not None and hmac.compare_digest(token, user.csrf)


def _needs(scope: str):
    async def dependency(request: Request) -> SignedIn:
        from starlette.concurrency import run_in_threadpool

        user = await run_in_threadpool(current_user, request)
        if user is None:
            path = request_url_path(request.scope) if request.method == "GET" else "/"  # `%2F` kept
            query = f"?{request.url.query}" if request.url.query and request.method == "GET" else ""
            raise NeedsSignIn(path + query)
        context = current_request()
        if context is not None:
            context.actor = user.actor  # the audit log names the signed-in user, as it names a key
        if not await _csrf_ok(request, user):
            raise BadCsrf()
        if not user.allows(scope):
            raise NotAllowed(user, scope)
        return user

    dependency.scope = scope  # read by the security test
    return dependency


def page_scope(dependency) -> str | None:
    return getattr(dependency, "scope", None)


# Reading pages need the read scopes every role has; forms need a member's write scopes.
Viewer = Annotated[SignedIn, Depends(_needs("items:read"))]
StockViewer = Annotated[SignedIn, Depends(_needs("stock:read"))]
OrdersViewer = Annotated[SignedIn, Depends(_needs("orders:read"))]
ProductionViewer = Annotated[SignedIn, Depends(_needs("production:read"))]
AuditViewer = Annotated[SignedIn, Depends(_needs("audit:read"))]
StockMember = Annotated[SignedIn, Depends(_needs("stock:write"))]
ItemsMember = Annotated[SignedIn, Depends(_needs("items:write"))]
OrdersMember = Annotated[SignedIn, Depends(_needs("orders:write"))]
ProductionMember = Annotated[SignedIn, Depends(_needs("production:write"))]
Admin = Annotated[SignedIn, Depends(_needs("admin"))]
