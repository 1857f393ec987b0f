"""The dashboard's audit log (audit:read), in words (issue 22): what happened ("Item changed"),
the row it is about by its name, each change as a person says it (domain/wording.py). One page
of a cursor: a fixed number of statements, a query per kind of row the page names."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from storekeeper.domain import wording
from storekeeper.domain.errors import StorekeeperError
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import feed, names
from storekeeper.services.feed import AuditFilters
from storekeeper.services.sessions import SignedIn
from storekeeper.web.admin import PAGE, Cursor, Text, next_page_url
from storekeeper.web.auth import AuditViewer
from storekeeper.web.common import db_of, decimal_mark, humanize, render

router = APIRouter(include_in_schema=False)


def _day(value: str | None, name: str, errors: list[str], *, end: bool = False) -> datetime | None:
    """A day of a date field as the moment it starts (UTC); `end`: the moment it ends."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        errors.append(f"{name}: {value!r} is not a date (YYYY-MM-DD).")
        return None
    return datetime.combine(day + timedelta(days=1 if end else 0), time.min, UTC)


def _shown(field: str, value: Any, names: dict[str, str], mark: str) -> str:
    if isinstance(value, dict) and not wording.in_words(field, value):
        text = json.dumps(value, default=str, ensure_ascii=False)
    else:
        text = wording.value(field, value, names, mark)
    return text if len(text) <= 120 else text[:119] + "…"


def _entries(request: Request, user: SignedIn, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A page of the audit log in words: the action, the row it is about and the rows its
    changes refer to by their names (one query per kind of row: services/names.py)."""
    changes = [json.loads(row["changes"] or "{}", parse_float=Decimal) for row in rows]
    referred = {row["resource_id"] for row in rows} | {
        one for c in changes for field, pair in c.items() if field in wording.REFERENCES
        for v in pair for one in (v if isinstance(v, list) else [v])}
    known = names.names_of(db_of(request), user.workspace_id, referred)
    mark = decimal_mark(request, user)
    return [_entry(row, c, known, mark) for row, c in zip(rows, changes, strict=True)]


def _entry(row: dict[str, Any], changes: dict[str, Any], known: dict[str, str], mark: str) -> dict[str, Any]:
    # A row created shows its values alone ("item Lavender candle"), not "none → …".
    created = row["action"].endswith(".created")
    return {**row, "what": wording.action(row["action"]), "subject": known.get(row["resource_id"] or ""),
            "changes": [(wording.field(f), None if old is None and created else _shown(f, old, known, mark),
                         _shown(f, new, known, mark)) for f, (old, new) in changes.items()]}


@router.get("/audit-log", response_class=HTMLResponse)
def audit_page(request: Request, user: AuditViewer, action: Text = None, resource_type: Text = None,
               actor: Text = None, since: Text = None, until: Text = None, cursor: Cursor = None):
    query = {"action": action, "resource_type": resource_type, "actor": actor, "since": since, "until": until}
    errors: list[str] = []
    filters = AuditFilters(action=action or None, resource_type=resource_type or None, actor=actor or None,
                           since=_day(since, "Since", errors), until=_day(until, "Until", errors, end=True))
    page = None
    if not errors:
        try:
            page = feed.list_audit(db_of(request), user.workspace_id, filters,
                                   PageRequest(limit=PAGE, cursor=cursor or None, include_total=False))
        except StorekeeperError as exc:
            errors = humanize(exc)
    entries = _entries(request, user, page.rows) if page else []
    next_url = next_page_url("/audit-log", query, page.next_cursor if page else None)
    template = "admin/audit_rows.html" if request.headers.get("hx-request") else "admin/audit_log.html"
    return render(request, template, user, entries=entries, next_url=next_url, error=" ".join(errors),
                  **{k: v or "" for k, v in query.items()})


