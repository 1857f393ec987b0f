"""Imports started from the dashboard (web/files.py): the uploaded file and the job's state kept
on disk beside it, so that any server process of the machine can show the job's progress, and a
job run on a thread of the process that took the upload.

A job is checked first (the same line-by-line check as `storekeeper import --dry-run`), then,
when the person applies it, imported all or nothing by the same service. Its state is a small
JSON document (`state`: checking, checked, refused, applying, applied, failed), rewritten whole
(write then rename) so that a reader never sees half of it. Files older than a day are removed
when the next upload comes.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from storekeeper.api import import_files as files
from storekeeper.config import Settings
from storekeeper.persistence.database import Database
from storekeeper.services import imports

log = logging.getLogger("storekeeper.imports")

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
KEPT_SECONDS = 24 * 3600


def root_of(settings: Settings) -> Path:
    """Where a server keeps its uploads (`STOREKEEPER_IMPORT_DIR`, else the temporary folder's)."""
    return Path(settings.import_dir or Path(tempfile.gettempdir()) / "storekeeper-imports")


def _folder(root: Path, workspace_id: str) -> Path:
    return root / re.sub(r"[^A-Za-z0-9_]", "", workspace_id)


def _state_path(root: Path, workspace_id: str, token: str) -> Path:
    return _folder(root, workspace_id) / f"{token}.json"


def _write(root: Path, workspace_id: str, token: str, state: dict[str, Any]) -> None:
    path = _state_path(root, workspace_id, token)
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(state), encoding="utf-8")
    partial.replace(path)


def _forget_old(folder: Path) -> None:
    cutoff = time.time() - KEPT_SECONDS
    for path in folder.glob("*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass


def start(root: Path, workspace_id: str, user_id: str, kind: str, filename: str, data: bytes,
          create_locations: bool) -> str:
    """Keep an upload and describe its job; returns the job's token (check it with `check`)."""
    folder = _folder(root, workspace_id)
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old(folder)
    token = secrets.token_urlsafe(24)
    fmt = files.file_format(Path(filename or "upload.csv"), None)
    (folder / f"{token}.{fmt}").write_bytes(data)
    total = max(sum(1 for line in data.splitlines() if line.strip()) - (1 if fmt == "csv" else 0), 0)
    _write(root, workspace_id, token, {"user": user_id, "kind": kind, "filename": filename[:200], "format": fmt,
                                 "create_locations": create_locations, "state": "checking", "done": 0,
                                 "total": total, "errors": [], "error_count": 0})
    return token


def read(root: Path, workspace_id: str, user_id: str, token: str) -> dict[str, Any] | None:
    """The job, if it is this user's in this workspace."""
    if not _TOKEN.match(token):
        return None
    try:
        state = json.loads(_state_path(root, workspace_id, token).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return state if state.get("user") == user_id else None


def run(db: Database, root: Path, workspace_id: str, token: str, *, apply: bool, actor: str) -> None:
    """Check (or, `apply`, import) the job's file on a thread of this process, in the caller's
    context, so that the audit log names the person who asked."""
    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(_work, db, root, workspace_id, token, apply, actor),
                              name=f"import-{token[:8]}", daemon=True)
    thread.start()


def _work(db: Database, root: Path, workspace_id: str, token: str, apply: bool, actor: str) -> None:
    state = json.loads(_state_path(root, workspace_id, token).read_text(encoding="utf-8"))
    state.update(state="applying" if apply else "checking", done=0)
    _write(root, workspace_id, token, state)
    path = _folder(root, workspace_id) / f"{token}.{state['format']}"
    read_rows = files.item_rows if state["kind"] == "items" else files.stock_rows
    last = [0.0]

    def progress(phase: str, done: int) -> None:
        # A few writes a second at most: a large file reports thousands of batches.
        if (phase == "applying") == apply and time.monotonic() - last[0] > 0.2:
            last[0] = time.monotonic()
            _write(root, workspace_id, token, {**state, "done": done})

    options: dict[str, Any] = {"create_locations": state["create_locations"]}
    if state["kind"] == "stock":
        options["actor"] = actor
    runner: Callable[..., imports.ImportResult] = (imports.import_items if state["kind"] == "items"
                                                   else imports.import_stock)
    try:
        result = runner(db, workspace_id, lambda: read_rows(path, state["format"]), progress,
                        dry_run=not apply, **options)
    except files.BadFile as exc:
        _write(root, workspace_id, token, {**state, "state": "refused", "errors": [{"line": 0, "message": str(exc)}],
                                     "error_count": 1})
        return
    except Exception:  # the service rolled everything back; the details go to the log, not the page
        log.exception("import %s of workspace %s failed", token[:8], workspace_id)
        _write(root, workspace_id, token, {**state, "state": "failed", "errors": [], "error_count": 1})
        return
    done = "applied" if apply else "checked"
    _write(root, workspace_id, token, {
        **state, "state": done if result.ok else "refused", "done": result.rows, "rows": result.rows,
        "applied": result.applied, "errors": [asdict(e) for e in result.errors], "error_count": result.error_count,
        "created_categories": result.created_categories, "created_locations": result.created_locations})
    if apply and result.ok:
        path.unlink(missing_ok=True)


def take(root: Path, workspace_id: str, token: str) -> bool:
    """Claim a checked job for applying, once across every process of the machine (a file made
    with O_EXCL): a second press, or another tab, gets False and the job's page."""
    try:
        os.close(os.open(_folder(root, workspace_id) / f"{token}.taken", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    state = json.loads(_state_path(root, workspace_id, token).read_text(encoding="utf-8"))
    _write(root, workspace_id, token, {**state, "state": "applying", "done": 0})
    return True
