"""The dashboard in the app: its pages in the flat route table, and what its refusals look like
(a redirect to sign in, a 403 page), as HTML rather than the API's JSON errors."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse

from storekeeper.api.routing import add_routes
from storekeeper.web import (
    adjust,
    admin,
    audit,
    categories,
    components,
    files,
    item_forms,
    items,
    labels,
    locations,
    orders,
    pages,
    production_endings,
    production_forms,
    purchase_order_forms,
    reasons,
    sign_in,
    tax_rates,
    trash,
    users,
    variants,
)
from storekeeper.web import alerts as alert_pages
from storekeeper.web.auth import BadCsrf, CrossSiteSignIn, NeedsSignIn, NotAllowed
from storekeeper.web.common import render

# What each scope lets a person do, for the page that refuses them.
_DOING = {"stock:write": "change stock", "items:write": "change items", "orders:write": "change orders",
          "production:write": "record production", "admin": "manage the workspace"}


def install(app: FastAPI) -> None:
    add_routes(app.router, sign_in.router)
    add_routes(app.router, pages.router)
    add_routes(app.router, item_forms.router)  # before items: /items/new is no item's page
    add_routes(app.router, items.router)
    add_routes(app.router, components.router)
    add_routes(app.router, variants.router)
    add_routes(app.router, labels.router)
    add_routes(app.router, adjust.router)
    add_routes(app.router, admin.router)
    add_routes(app.router, audit.router)
    add_routes(app.router, users.router)
    add_routes(app.router, purchase_order_forms.router)  # before orders: /purchase-orders/new is no order
    add_routes(app.router, production_forms.router)  # before orders: /production/new is no order
    add_routes(app.router, production_endings.router)
    add_routes(app.router, orders.router)
    add_routes(app.router, files.router)
    add_routes(app.router, locations.router)
    add_routes(app.router, trash.router)
    add_routes(app.router, alert_pages.router)
    add_routes(app.router, categories.router)
    add_routes(app.router, tax_rates.router)
    add_routes(app.router, reasons.router)

    @app.exception_handler(NeedsSignIn)
    async def _sign_in(_request: Request, exc: NeedsSignIn):
        target = "/login" if exc.next_url == "/" else f"/login?next={quote(exc.next_url, safe='')}"
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(NotAllowed)
    async def _not_allowed(request: Request, exc: NotAllowed):
        doing = _DOING.get(exc.scope, f"use this page ({exc.scope})")
        return render(request, "refused.html", exc.user, code=403,
                      message=f"As a {exc.user.role} you may not {doing}. Ask an admin of the workspace.")

    @app.exception_handler(BadCsrf)
    async def _bad_csrf(request: Request, _exc: BadCsrf):
        return render(request, "refused.html", None, code=403,
                      message="This form has expired or came from another site. Go back, reload the page and "
                              "send it again.")

    @app.exception_handler(CrossSiteSignIn)
    async def _cross_site(request: Request, _exc: CrossSiteSignIn):
        return render(request, "refused.html", None, code=403,
                      message="This sign-in form was sent from another site, so it was refused: a site may not "
                              "sign you in to an account it chose. Open this site's own sign-in page and sign in "
                              "there.")
