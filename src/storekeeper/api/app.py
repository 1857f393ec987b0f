"""The FastAPI application."""

from __future__ import annotations

from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI

from storekeeper import __version__, compat
from storekeeper.api import docs, examples
from storekeeper.api.errors import install_error_handlers
from storekeeper.api.metrics import Metrics
from storekeeper.api.middleware import ApiMiddleware
from storekeeper.api.ratelimit import RateLimited, build_backend, build_limiter, rate_limited_handler
from storekeeper.api.responses import COMMON_ERRORS, JSONResponse
from storekeeper.api.routers import (
    account,
    alerts,
    api_keys,
    categories,
    feed,
    items,
    labels,
    locations,
    meta,
    production,
    purchase_orders,
    reasons,
    reports,
    reservations,
    snapshots,
    stock,
    tax_rates,
    units,
    users,
)
from storekeeper.api.routing import StorekeeperRoute, add_routes
from storekeeper.config import Settings, get_settings
from storekeeper.persistence.database import Database
from storekeeper.services.passwords import PasswordWork
from storekeeper.services.worker import start_thread
from storekeeper.web import routes as web_routes
from storekeeper.web.throttle import SignInThrottle

DESCRIPTION = """
Exact stock of products and materials across locations, with an append-only history of every
change. Authenticate with `Authorization: Bearer sk_…` (or `X-Api-Key`, or `?api_key=`).
Quantities are exact decimals: JSON numbers out; numbers or numeric strings in.
Errors: `{"error": {"code", "message", "fields"?, "request_id"}}`.
"""

V1_ROUTERS = (account, api_keys, users, units, locations, categories, tax_rates, items, stock, reasons,
              reservations, purchase_orders, production, reports, feed, snapshots, labels, alerts)


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    db = db or Database(settings.database_url, settings)
    metrics = Metrics(db)
    limiter = build_limiter(settings, db, on_backend_error=metrics.rate_limit_backend_errors.inc)
    throttle = SignInThrottle.from_settings(settings, build_backend(settings, metrics.rate_limit_backend_errors.inc))
    passwords = PasswordWork(settings.password_threads, settings.password_queue)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        worker = (start_thread(db, settings.worker_interval_seconds, allow_private=settings.webhook_allow_private,
                               smtp_allow_loopback=settings.smtp_allow_loopback)
                  if settings.worker else None)
        yield
        if worker is not None:
            worker[1].set()
            worker[0].join(timeout=10)
        if limiter is not None:
            limiter.close()
        throttle.close()

    app = FastAPI(
        lifespan=lifespan,
        title="Storekeeper",
        version=__version__,
        description=DESCRIPTION,
        default_response_class=JSONResponse,
        openapi_url="/openapi.json",
        docs_url=None,  # api/docs.py serves /docs from the package, not from a CDN
        redoc_url=None,
    )
    app.state.db = db
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.limiter = limiter
    app.state.sign_in_throttle = throttle
    app.state.passwords = passwords
    app.router.route_class = StorekeeperRoute
    install_error_handlers(app)
    app.add_exception_handler(RateLimited, rate_limited_handler)
    add_routes(app.router, meta.router)
    for module in V1_ROUTERS:
        add_routes(app.router, module.router, prefix="/v1", responses=COMMON_ERRORS)
    examples.install(app)
    dialects = compat.install(app, settings.dialects)
    docs.install(app, facades=dialects)
    web_routes.install(app)
    app.add_middleware(ApiMiddleware, max_body_bytes=settings.max_body_bytes, metrics=metrics, limiter=limiter,
                       facades=dialects, max_upload_bytes=settings.max_upload_bytes)
    return app
