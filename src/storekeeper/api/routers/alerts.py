"""Stock alerts by email (admin): the workspace's settings and a test email."""

from __future__ import annotations

from fastapi import APIRouter, Request

from storekeeper.api.deps import DB, Admin, IfMatch
from storekeeper.api.responses import JSONResponse, resource
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.alerts import AlertSettingsRead, AlertSettingsWrite, AlertTestRead
from storekeeper.services import alert_mail, alerts

router = APIRouter(tags=["alerts"], route_class=StorekeeperRoute)


def _allow_loopback(request: Request) -> bool:
    """STOREKEEPER_SMTP_ALLOW_LOOPBACK of the app's settings."""
    return request.app.state.settings.smtp_allow_loopback


@router.get("/alerts/settings", response_model=AlertSettingsRead,
            summary="The workspace's stock alert settings (off until they are set; the password never shows)")
def get_alert_settings(principal: Admin, db: DB) -> JSONResponse:
    row = alerts.settings_or_defaults(db, principal.workspace_id)
    return resource(alerts.settings_out(row), version=row["version"])


@router.put("/alerts/settings", response_model=AlertSettingsRead,
            summary="Set the stock alert settings as a whole (the password, left out, is kept)")
def put_alert_settings(body: AlertSettingsWrite, principal: Admin, db: DB, version: IfMatch,
                       request: Request) -> JSONResponse:
    data = body.model_dump(exclude_unset=True, exclude={"version", "created_at", "updated_at", "password_set"})
    row = alerts.save_settings(db, principal, data, if_match=version, allow_loopback=_allow_loopback(request),
                               base_url=str(request.base_url))
    return resource(alerts.settings_out(row), version=row["version"])


@router.post("/alerts/settings/test", response_model=AlertTestRead,
             summary="Send a test email now with the stored settings; says whether the server accepted it")
def test_alert_settings(principal: Admin, db: DB, request: Request) -> JSONResponse:
    return JSONResponse(alert_mail.send_test(db, principal.workspace_id, allow_loopback=_allow_loopback(request)))
