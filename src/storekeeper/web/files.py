"""Import and export from the dashboard (issue 22): upload a CSV or JSON Lines file of items or
stock, see the same line-by-line check `storekeeper import` makes, then apply it all or nothing;
download items, stock, movements and a snapshot as CSV. The work is the CLI's: the file is read
by api/import_files.py and imported by services/imports.py; web/import_jobs.py keeps the upload and runs
the job on a thread, and the job's page polls its progress.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from storekeeper.api.responses import csv_export
from storekeeper.domain.errors import NotFound
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import exports, snapshots
from storekeeper.web import import_jobs
from storekeeper.web.auth import ItemsMember, NotAllowed, StockMember, StockViewer, Viewer
from storekeeper.web.common import db_of, new_form_key, not_found, render, submit_once

router = APIRouter(include_in_schema=False)

# What importing each kind of file changes, and so the scope it needs (each its own routes, so
# that every form's route names its write scope: tests/web/test_web_security.py).
NEEDS = {"items": "items:write", "stock": "stock:write"}
EXPORTS = {"items": ("items:read", exports.export_items), "stock": ("stock:read", exports.export_stock),
           "movements": ("stock:read", exports.export_movements)}


def _root(request: Request) -> Path:
    return import_jobs.root_of(request.app.state.settings)


def _page(request: Request, user, code: int = 200, **context: Any) -> HTMLResponse:
    shots = (snapshots.list_snapshots(db_of(request), user.workspace_id, PageRequest(limit=20, include_total=False))
             .rows if user.allows("stock:read") else [])
    kinds = [kind for kind, scope in NEEDS.items() if user.allows(scope)]
    return render(request, "files/import_export.html", user, code=code, kinds=kinds, snapshots=shots,
                  can_export={kind: user.allows(scope) for kind, (scope, _) in EXPORTS.items()}, **context)


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, user: Viewer):
    return _page(request, user)


async def _upload(request: Request, user, kind: str) -> Response:
    """Keep the file and start its check; the job's page shows how it goes."""
    form = await request.form()
    upload_file = form.get("file")
    if not isinstance(upload_file, UploadFile) or not upload_file.filename:
        return _page(request, user, 422, error="Choose a file to import.", chosen=kind)
    data = await upload_file.read()
    if not data.strip():
        return _page(request, user, 422, error=f"{upload_file.filename} is empty.", chosen=kind)
    token = import_jobs.start(_root(request), user.workspace_id, user.user_id, kind, upload_file.filename, data,
                              create_locations=form.get("create_locations") == "on")
    import_jobs.run(db_of(request), _root(request), user.workspace_id, token, apply=False, actor=user.email)
    return RedirectResponse(f"/imports/{quote(token)}", status_code=303)


@router.post("/import/items")
async def upload_items(request: Request, user: ItemsMember) -> Response:
    return await _upload(request, user, "items")


@router.post("/import/stock")
async def upload_stock(request: Request, user: StockMember) -> Response:
    return await _upload(request, user, "stock")


@router.get("/imports/{token}", response_class=HTMLResponse)
def job_page(request: Request, user: Viewer, token: str):
    """The job: its progress while it runs (the page polls this part), then what the check
    found, with the button that applies it, then what was imported."""
    job = import_jobs.read(_root(request), user.workspace_id, user.user_id, token)
    if job is None:
        return not_found(request, user, "import")
    template = "files/job_part.html" if request.headers.get("hx-request") else "files/job.html"
    needs_locations = any("No location" in e["message"] for e in job["errors"])
    return render(request, template, user, job=job, token=token, form_key=new_form_key(),
                  needs_locations=needs_locations)


async def _apply(request: Request, user, token: str, kind: str) -> Response:
    """Import the checked file, once: a second press (or another tab) finds the job taken."""
    job = import_jobs.read(_root(request), user.workspace_id, user.user_id, token)
    if job is None or job["kind"] != kind:
        return not_found(request, user, "import")
    form = dict(await request.form())
    taken: list[bool] = []

    def work() -> str:
        taken.append(job["state"] == "checked" and import_jobs.take(_root(request), user.workspace_id, token))
        return f"/imports/{quote(token)}"

    answer = submit_once(db_of(request), user, request, {k: str(v) for k, v in form.items()}, work)
    if any(taken):
        # Started once the form's own transaction has ended: the job's thread must not join it.
        import_jobs.run(db_of(request), _root(request), user.workspace_id, token, apply=True, actor=user.email)
    return answer


@router.post("/imports/{token}/apply-items")
async def apply_items(request: Request, user: ItemsMember, token: str) -> Response:
    return await _apply(request, user, token, "items")


@router.post("/imports/{token}/apply-stock")
async def apply_stock(request: Request, user: StockMember, token: str) -> Response:
    return await _apply(request, user, token, "stock")


@router.get("/export/{kind}.csv")
def export(request: Request, user: Viewer, kind: str) -> Response:
    if kind not in EXPORTS:
        return not_found(request, user, "export")
    scope, make = EXPORTS[kind]
    if not user.allows(scope):
        raise NotAllowed(user, scope)
    return csv_export(make(db_of(request), user.workspace_id), f"{kind}.csv")


@router.get("/export/snapshots/{snapshot_id}.csv")
def export_snapshot(request: Request, user: StockViewer, snapshot_id: str) -> Response:
    try:
        shot = snapshots.get_snapshot(db_of(request), user.workspace_id, snapshot_id)
    except NotFound:
        return not_found(request, user, "snapshot")
    return csv_export(exports.export_snapshot_levels(shot["levels"]), f"snapshot-{shot['id']}.csv")
