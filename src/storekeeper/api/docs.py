"""/docs: Swagger UI over /openapi.json, its JavaScript, CSS and icon served by this server from
web/static/vendor/swagger-ui/ rather than FastAPI's default CDN (cdn.jsdelivr.net), which a
server without internet access cannot reach and /docs would be a blank page. It is FastAPI's
self-hosting recipe ("Custom Docs UI Static Assets"); the pages stay out of /openapi.json.

ReDoc is not served (`redoc_url=None` since the first version); serving it would mean vendoring
its standalone bundle the same way and setting `with_google_fonts=False`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from storekeeper.web import STATIC_DIR, STATIC_URL

DOCS_URL = "/docs"
SWAGGER_UI = f"{STATIC_URL}/vendor/swagger-ui"


def swagger_ui(title: str, static_root: str, openapi_url: str, **options: Any) -> HTMLResponse:
    """Swagger UI over `openapi_url`, from the files this server serves under `static_root`."""
    return get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{title} - Swagger UI",
        swagger_js_url=f"{static_root}{SWAGGER_UI}/swagger-ui-bundle.js",
        swagger_css_url=f"{static_root}{SWAGGER_UI}/swagger-ui.css",
        swagger_favicon_url=f"{static_root}{SWAGGER_UI}/favicon-32x32.png",
        **options,
    )


def install(app: FastAPI, facades: Sequence = ()) -> None:
    """Serve web/static/ at /static, and /docs from it. The app must be built with
    `docs_url=None` (FastAPI's own /docs loads from the CDN). Each /compat facade serves its own
    page (`install_facade`); /v1's document links to them in its description (Swagger UI's menu
    of several documents needs its standalone layout, a second bundle to vendor)."""
    if app.docs_url is not None or not app.openapi_url:
        raise ValueError("build the app with docs_url=None and an openapi_url")
    openapi_url = app.openapi_url
    redirect_url = app.swagger_ui_oauth2_redirect_url  # FastAPI's default: /docs/oauth2-redirect
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="static")
    if facades:
        # Relative links: they keep a proxy's prefix (from /docs, `compat/x/docs` is /compat/x/docs).
        app.description += "\n\n**Other vendors' APIs** served by this server (docs/dialects.md):\n\n" + "\n".join(
            f"- [{facade.title}]({facade.prefix.lstrip('/')}{DOCS_URL}) at `{facade.prefix}`" for facade in facades)

    async def page(request: Request) -> HTMLResponse:
        # As FastAPI's own /docs: behind a proxy that strips a prefix, every URL keeps it.
        root = request.scope.get("root_path", "").rstrip("/")
        return swagger_ui(app.title, root, root + openapi_url,
                          oauth2_redirect_url=root + redirect_url if redirect_url else None,
                          init_oauth=app.swagger_ui_init_oauth, swagger_ui_parameters=app.swagger_ui_parameters)

    async def swagger_ui_oauth2_redirect(_request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    app.add_route(DOCS_URL, page, include_in_schema=False)
    if redirect_url:
        app.add_route(redirect_url, swagger_ui_oauth2_redirect, include_in_schema=False)


def install_facade(app: FastAPI, prefix: str) -> None:
    """`<prefix>/docs` for a facade mounted at `prefix`: its own document, the parent's files."""

    async def page(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")  # the parent's root, then `prefix`
        return swagger_ui(app.title, root.removesuffix(prefix), root + (app.openapi_url or ""))

    app.add_route(DOCS_URL, page, include_in_schema=False)
