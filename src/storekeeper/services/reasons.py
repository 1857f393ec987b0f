"""Reasons for stock changes: the built-in ones of SPEC §3 and a workspace's custom ones."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, delete, func, select

from storekeeper.domain.clock import utcnow
from storekeeper.domain.errors import Code, Conflict, ValidationFailed
from storekeeper.domain.ids import new_id
from storekeeper.domain.stock import BUILTIN_REASONS, SYSTEM_REASONS
from storekeeper.persistence.counters import take_numbers
from storekeeper.persistence.database import Database
from storekeeper.persistence.pagination import Page, PageRequest, Sort, paginate
from storekeeper.persistence.rows import check_version, fetch, update_versioned
from storekeeper.persistence.tables import reasons
from storekeeper.services import journal
from storekeeper.services.common import translate_integrity

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_CUSTOM = 200  # per workspace: GET /v1/reasons lists them all on one page


def _duplicate():
    return Conflict("A reason with this code already exists.", code=Code.DUPLICATE_NAME)


def builtin_reasons() -> list[dict[str, Any]]:
    return [
        {"id": None, "code": code, "name": name, "direction": direction.value, "builtin": True,
         "system": code in SYSTEM_REASONS}
        for code, (name, direction) in {**BUILTIN_REASONS, **SYSTEM_REASONS}.items()
    ]


def direction_of(conn: Connection, workspace_id: str, codes: set[str]) -> dict[str, str | None]:
    """Each code's direction for a client's change; None for unknown or system-only codes."""
    result: dict[str, str | None] = {}
    custom_codes = [c for c in codes if c not in BUILTIN_REASONS and c not in SYSTEM_REASONS]
    custom = {}
    if custom_codes:
        custom = dict(conn.execute(
            select(reasons.c.code, reasons.c.direction)
            .where(reasons.c.workspace_id == workspace_id, reasons.c.code.in_(custom_codes))
        ).all())
    for code in codes:
        if code in BUILTIN_REASONS:
            result[code] = BUILTIN_REASONS[code][1].value
        else:
            result[code] = custom.get(code)
    return result


def reason_error(code: str) -> ValidationFailed:
    if code in SYSTEM_REASONS:
        return ValidationFailed({"reason": [f"{code!r} is written by the system only."]})
    return ValidationFailed({"reason": [f"Unknown reason {code!r}; GET /v1/reasons lists them."]})


def create_reason(db: Database, workspace_id: str, code: str, name: str, direction: str) -> dict[str, Any]:
    if not CODE_RE.match(code):
        raise ValidationFailed({"code": ["Lower-case letters, digits and _, starting with a letter, at most 40."]})
    if code in BUILTIN_REASONS or code in SYSTEM_REASONS:
        raise _duplicate()
    now = utcnow()
    row = {"workspace_id": workspace_id, "id": new_id("reason"), "code": code, "name": name,
           "direction": direction, "version": 1, "created_at": now, "updated_at": now}
    with db.write() as conn, translate_integrity({"uq_reasons_code": _duplicate, "reasons.code": _duplicate}):
        taken = conn.execute(
            select(reasons.c.id).where(reasons.c.workspace_id == workspace_id, reasons.c.code == code)
        ).first()
        if taken:
            raise _duplicate()
        count = conn.execute(select(func.count()).where(reasons.c.workspace_id == workspace_id)).scalar_one()
        if count >= MAX_CUSTOM:
            raise Conflict(f"A workspace has at most {MAX_CUSTOM} custom reasons.")
        take_numbers(conn, workspace_id, reasons, [row])
        conn.execute(reasons.insert().values(row))
        journal.created(conn, "reason", row)
    return row


def list_reasons(db: Database, workspace_id: str, page: PageRequest) -> Page:
    stmt = select(reasons).where(reasons.c.workspace_id == workspace_id)
    with db.read() as conn:
        return paginate(conn, stmt, Sort("code", reasons.c.code, reasons.c.id), page)


def client_reasons(db: Database, workspace_id: str) -> list[dict[str, Any]]:
    """The reasons a person may pick for an adjustment: the built-in ones a client may use, then
    the workspace's own (at most 200)."""
    custom = list_reasons(db, workspace_id, PageRequest(limit=200, include_total=False)).rows
    return [r for r in builtin_reasons() if not r["system"]] + [
        {"id": r["id"], "number": r["number"], "code": r["code"], "name": r["name"], "direction": r["direction"],
         "builtin": False, "system": False} for r in custom]


def get_reason(db: Database, workspace_id: str, reason_id: str) -> dict[str, Any]:
    with db.read() as conn:
        return fetch(conn, reasons, workspace_id, reason_id, "reason")


def update_reason(
    db: Database, workspace_id: str, reason_id: str, changes: dict[str, Any], if_match: int | None = None
) -> dict[str, Any]:
    """Name and direction may change; the code is what movements record, so it may not."""
    with db.write() as conn:
        row = fetch(conn, reasons, workspace_id, reason_id, "reason", for_update=True)
        check_version(row, if_match)
        updated = update_versioned(conn, reasons, row, changes)
        journal.updated(conn, "reason", row, updated)
        return updated


def delete_reason(db: Database, workspace_id: str, reason_id: str, if_match: int | None = None) -> None:
    """Movements keep the code they were written with; the code is free for a new reason."""
    with db.write() as conn:
        row = fetch(conn, reasons, workspace_id, reason_id, "reason", for_update=True)
        check_version(row, if_match)
        journal.deleted(conn, "reason", row)
        conn.execute(delete(reasons).where(reasons.c.workspace_id == workspace_id, reasons.c.id == reason_id))
