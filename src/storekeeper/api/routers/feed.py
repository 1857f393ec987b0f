"""The change feed (read scopes of what it reports), the audit log (audit:read) and webhooks (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from storekeeper.api.deps import DB, Admin, AnyKey, AuditRead, IfMatch, Paging
from storekeeper.api.responses import JSONResponse, no_content, page, resource
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.api.schemas.common import Page, TimestampIn
from storekeeper.api.schemas.feed import (
    AuditEntryRead,
    DeliveryRead,
    EventPage,
    WebhookCreate,
    WebhookRead,
    WebhookTestRead,
    WebhookUpdate,
    audit_out,
    delivery_out,
    event_out,
    webhook_out,
)
from storekeeper.services import delivery, feed, webhooks
from storekeeper.services.feed import AuditFilters

router = APIRouter(route_class=StorekeeperRoute)


@router.get("/events", response_model=EventPage, tags=["events"],
            summary="The change feed: events after a sequence, oldest first")
def list_events(
    principal: AnyKey,
    db: DB,
    after: Annotated[int, Query(ge=0, le=2**62, description="The last sequence you have seen (0: from the start)")] = 0,
    types: Annotated[str | None, Query(max_length=2000, description="Comma-separated types, or stock.*")] = None,
    limit: Annotated[int, Query(ge=1, le=feed.MAX_LIMIT)] = 100,
) -> JSONResponse:
    wanted = [t.strip() for t in types.split(",") if t.strip()] if types else None
    result = feed.list_events(db, principal, after, wanted, limit)
    return JSONResponse({"data": [event_out(r) for r in result["rows"]],
                         "meta": {"limit": limit, "has_more": result["has_more"], "next_after": result["next_after"],
                                  "oldest_sequence": result["oldest_sequence"]}})


@router.get("/audit-log", response_model=Page[AuditEntryRead], tags=["audit"],
            summary="Every write: who changed what, when and from where; newest first")
def list_audit_log(
    principal: AuditRead,
    db: DB,
    paging: Paging,
    action: Annotated[str | None, Query(
        max_length=500, examples=["item.updated", "*.deleted,*.purged", "-movement.*"],
        description="Comma-separated actions; `*` stands for any text, a leading `-` leaves entries out; `|` "
                    "joins such lists as alternatives")] = None,
    resource_type: Annotated[str | None, Query(max_length=40)] = None,
    resource_id: Annotated[str | None, Query(max_length=40)] = None,
    item: Annotated[str | None, Query(max_length=40, description="An item's id: its own entries and its "
                                                                   "movements'")] = None,
    actor: Annotated[str | None, Query(max_length=320, description="Actor id or name (key name, email)")] = None,
    since: Annotated[TimestampIn | None, Query()] = None,
    until: Annotated[TimestampIn | None, Query()] = None,
) -> JSONResponse:
    filters = AuditFilters(action=action, resource_type=resource_type, resource_id=resource_id, item=item,
                           actor=actor, since=since, until=until)
    return page(feed.list_audit(db, principal.workspace_id, filters, paging), audit_out)


def _allow_private(request: Request) -> bool:
    """STOREKEEPER_WEBHOOK_ALLOW_PRIVATE of the app's settings."""
    return request.app.state.settings.webhook_allow_private


@router.post("/webhooks", status_code=201, response_model=WebhookRead, tags=["webhooks"],
             summary="Register an endpoint; the answer shows its signing secret, once")
def create_webhook(body: WebhookCreate, principal: Admin, db: DB, request: Request) -> JSONResponse:
    row = webhooks.create_webhook(db, principal, body.model_dump(exclude_unset=True),
                                  allow_private=_allow_private(request))
    return resource(webhook_out(row, with_secret=True), status=201, version=row["version"])


@router.get("/webhooks", response_model=Page[WebhookRead], tags=["webhooks"], summary="List endpoints")
def list_webhooks(principal: Admin, db: DB, paging: Paging) -> JSONResponse:
    return page(webhooks.list_webhooks(db, principal.workspace_id, paging), webhook_out)


@router.get("/webhooks/{webhook_id}", response_model=WebhookRead, tags=["webhooks"], summary="One endpoint")
def get_webhook(webhook_id: str, principal: Admin, db: DB) -> JSONResponse:
    row = webhooks.get_webhook(db, principal.workspace_id, webhook_id)
    return resource(webhook_out(row), version=row["version"])


@router.patch("/webhooks/{webhook_id}", response_model=WebhookRead, tags=["webhooks"],
              summary="Change an endpoint; is_active true turns a disabled one back on")
def update_webhook(webhook_id: str, body: WebhookUpdate, principal: Admin, db: DB, version: IfMatch,
                   request: Request) -> JSONResponse:
    row = webhooks.update_webhook(db, principal, webhook_id, body.model_dump(exclude_unset=True), if_match=version,
                                  allow_private=_allow_private(request))
    return resource(webhook_out(row), version=row["version"])


@router.delete("/webhooks/{webhook_id}", status_code=204, tags=["webhooks"], summary="Remove an endpoint")
def delete_webhook(webhook_id: str, principal: Admin, db: DB, version: IfMatch):
    webhooks.delete_webhook(db, principal, webhook_id, if_match=version)
    return no_content()


@router.get("/webhooks/{webhook_id}/deliveries", response_model=Page[DeliveryRead], tags=["webhooks"],
            summary="Delivery attempts, newest first")
def list_deliveries(webhook_id: str, principal: Admin, db: DB, paging: Paging) -> JSONResponse:
    return page(webhooks.list_deliveries(db, principal.workspace_id, webhook_id, paging), delivery_out)


@router.post("/webhooks/{webhook_id}/test", status_code=202, response_model=WebhookTestRead, tags=["webhooks"],
             summary="Send a webhook.test event now (in the background); see its delivery")
def test_webhook(webhook_id: str, principal: Admin, db: DB, request: Request) -> JSONResponse:
    hook = webhooks.get_webhook(db, principal.workspace_id, webhook_id)
    return JSONResponse({"event_id": delivery.send_test(db, hook, allow_private=_allow_private(request))},
                        status_code=202)
