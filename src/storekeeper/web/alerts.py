"""The admin's stock alerts page: the workspace's SMTP server and who is told of what, when
(services/alerts.py), a test email sent at once, and the latest alerts with how sending went.
The stored password is never put in the page: its field starts empty and, left empty, keeps it.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from storekeeper.domain.alerts import ALERTING
from storekeeper.domain.errors import Code, NotFound, PreconditionFailed, StorekeeperError, ValidationFailed
from storekeeper.persistence.pagination import PageRequest
from storekeeper.services import alert_mail, alerts, users
from storekeeper.services.sessions import SignedIn
from storekeeper.web.admin import in_words
from storekeeper.web.auth import Admin
from storekeeper.web.common import db_of, new_form_key, posted_form, render, submit_once

router = APIRouter(include_in_schema=False)

Text = Annotated[str | None, Query(max_length=2000)]
LABELS = {"smtp_host": "SMTP server", "smtp_port": "Port", "smtp_security": "Security", "smtp_username": "User name",
          "smtp_password": "Password", "from_address": "From", "recipient_users": "Tell these users",
          "recipient_addresses": "Tell these addresses", "statuses": "Alert when an item is",
          "mode": "When", "digest_hour": "Digest at", "time_zone": "Time zone", "dashboard_url": "Dashboard address"}
SECURITY = {"starttls": "STARTTLS (port 587)", "tls": "TLS from the start (port 465)", "none": "None (port 25)"}
USERS_SHOWN = 200


def _allow_loopback(request: Request) -> bool:
    return request.app.state.settings.smtp_allow_loopback


def _errors(exc: StorekeeperError) -> list[str]:
    if isinstance(exc, ValidationFailed) and exc.fields:
        return [f"{LABELS.get(k, k)}: {' '.join(v)}" for k, v in exc.fields.items()]
    if isinstance(exc, PreconditionFailed):
        return ["Someone changed the alert settings since you opened this page: reload it and make your changes "
                "again."]
    return in_words(exc)


def _page(request: Request, user: SignedIn, form: dict[str, Any] | None = None, errors: list[str] | None = None,
          code: int = 200, done: str | None = None, failed: str | None = None) -> HTMLResponse:
    db = db_of(request)
    stored = alerts.settings_or_defaults(db, user.workspace_id)
    shown = form if form is not None else _as_form(stored)
    people = users.list_users(db, user.workspace_id, PageRequest(limit=USERS_SHOWN, include_total=False)).rows
    return render(request, "admin/alerts.html", user, code=code, form=shown, errors=errors or [], done=done,
                  failed=failed, stored=alerts.settings_out(stored), people=people, security=SECURITY,
                  statuses=[s.value for s in ALERTING], latest=alerts.latest_alerts(db, user.workspace_id),
                  form_key=new_form_key())


def _as_form(row: dict[str, Any]) -> dict[str, Any]:
    new = row["version"] == 0  # a first form offers alerts on, at the security's usual port
    return {**{k: v for k, v in row.items() if k != alerts.SECRET},
            "enabled": row["enabled"] or new, "smtp_port": "" if new else row["smtp_port"],
            "recipient_addresses": "\n".join(row["recipient_addresses"])}


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, user: Admin, done: Text = None, failed: Text = None):
    return _page(request, user, done=done, failed=failed)


def _settings_from(form: dict[str, str]) -> dict[str, Any]:
    """The form as the service's settings (its rules check them; numbers that are not are refused there)."""
    def number(name: str) -> Any:
        raw = (form.get(name) or "").strip()
        return int(raw) if raw.isdigit() and len(raw) < 7 else (raw or None)

    data: dict[str, Any] = {
        "enabled": form.get("enabled") == "on", "smtp_host": form.get("smtp_host"), "smtp_port": number("smtp_port"),
        "smtp_security": form.get("smtp_security"), "smtp_username": form.get("smtp_username"),
        "from_address": form.get("from_address"),
        "recipient_users": [u for u in (form.get("recipient_users") or "").split(",") if u],
        "recipient_addresses": [a for a in (form.get("recipient_addresses") or "").replace(",", "\n").split() if a],
        "statuses": [s for s in (form.get("statuses") or "").split(",") if s], "mode": form.get("mode"),
        "digest_hour": number("digest_hour"), "time_zone": form.get("time_zone"),
        "dashboard_url": form.get("dashboard_url"),
    }
    if form.get("remove_password") == "on":
        data[alerts.SECRET] = None
    elif form.get("smtp_password"):
        data[alerts.SECRET] = form["smtp_password"]
    return data


@router.post("/alerts", response_class=HTMLResponse)
async def save_alerts(request: Request, user: Admin) -> Response:
    return await run_in_threadpool(_save, request, user, await posted_form(request))


def _save(request: Request, user: SignedIn, form: dict[str, str]) -> Response:
    data = _settings_from(form)
    version = (form.get("version") or "").strip()

    def work() -> str:
        alerts.save_settings(db_of(request), user, data, if_match=int(version) if version.isdigit() and version != "0"
                             else None, allow_loopback=_allow_loopback(request), base_url=str(request.base_url))
        return f"/alerts?done={quote('Saved. Send a test email to see that it arrives.')}"

    try:
        return submit_once(db_of(request), user, request, form, work)
    except StorekeeperError as exc:
        kept = {**form, "recipient_users": data["recipient_users"], "statuses": data["statuses"]}
        kept.pop("smtp_password", None)  # never written back into a page
        code = 409 if isinstance(exc, PreconditionFailed) or exc.code == Code.IDEMPOTENCY_KEY_IN_USE else 422
        return _page(request, user, kept, _errors(exc), code)


@router.post("/alerts/test", response_class=HTMLResponse)
async def send_test_email(request: Request, user: Admin) -> Response:
    await posted_form(request)  # the CSRF token was checked by Admin
    return await run_in_threadpool(_test, request, user)


def _test(request: Request, user: SignedIn) -> Response:
    try:
        result = alert_mail.send_test(db_of(request), user.workspace_id, allow_loopback=_allow_loopback(request))
    except NotFound:
        return _page(request, user, errors=["Save the settings first: there is nothing to test yet."], code=409)
    # A redirect, so that reloading the page that says so sends no second email.
    if result["sent"]:
        return RedirectResponse(f"/alerts?done={quote('Sent a test email to ' + ', '.join(result['recipients']))}",
                                status_code=303)
    return RedirectResponse(f"/alerts?failed={quote('The test email was not sent: ' + result['error'])}",
                            status_code=303)
