"""The change feed, the audit log and webhooks."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import Field

from storekeeper.api.schemas.common import ActorRead, Bool, ReadModel, ReadOnly, Timestamp, WriteModel


class EventRead(ReadModel):
    id: str
    sequence: int = Field(description="Strictly increasing within the workspace, in commit order")
    type: str = Field(examples=["stock.changed"])
    resource_type: str
    resource_id: str | None
    data: dict[str, Any]
    request_id: str | None
    created_at: Timestamp


class EventMeta(ReadModel):
    limit: int
    has_more: bool
    next_after: int = Field(description="Pass as `after` for the next page (the last sequence of this one)")
    oldest_sequence: int | None = Field(
        description="The oldest event still kept; a client whose `after` is below it missed events (retention)")


class EventPage(ReadModel):
    data: list[EventRead]
    meta: EventMeta


def event_out(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "sequence": row["sequence"], "type": row["type"], "resource_type": row["resource_type"],
            "resource_id": row["resource_id"], "data": orjson.Fragment(row["data"]), "request_id": row["request_id"],
            "created_at": row["created_at"]}


class AuditEntryRead(ReadModel):
    id: str
    action: str = Field(examples=["item.updated"])
    resource_type: str
    resource_id: str | None
    actor: ActorRead
    changes: dict[str, list[Any]] = Field(description="{field: [old, new]}")
    request_id: str | None
    ip: str | None
    created_at: Timestamp


def audit_out(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "action": row["action"], "resource_type": row["resource_type"],
            "resource_id": row["resource_id"],
            "actor": {"type": row["actor_type"], "id": row["actor_id"], "name": row["actor_name"]},
            "changes": orjson.Fragment(row["changes"]), "request_id": row["request_id"], "ip": row["ip"],
            "created_at": row["created_at"]}


EventPatterns = list[str]


class _WebhookReadOnly(WriteModel):
    id: ReadOnly = None
    secret: ReadOnly = None
    version: ReadOnly = None
    created_at: ReadOnly = None
    updated_at: ReadOnly = None
    delivered_sequence: ReadOnly = None
    disabled_reason: ReadOnly = None


class WebhookCreate(_WebhookReadOnly):
    url: str = Field(min_length=1, max_length=2000, examples=["https://shop.example.com/hooks/storekeeper"])
    events: EventPatterns = Field(default_factory=list, max_length=50,
                                  description="Event types or families (`stock.*`); empty: every event")
    description: str | None = Field(None, max_length=500)
    is_active: Bool = True


class WebhookUpdate(_WebhookReadOnly):
    url: str = Field(None, min_length=1, max_length=2000)
    events: EventPatterns = Field(None, max_length=50)
    description: str | None = Field(None, max_length=500)
    is_active: Bool = None


class WebhookRead(ReadModel):
    id: str
    url: str
    events: list[str]
    description: str | None
    is_active: bool
    disabled_reason: str | None = Field(description="Why deliveries stopped (24 hours of failures)")
    delivered_sequence: int = Field(description="The last event sequence delivered (or stepped over)")
    failing_since: Timestamp | None
    next_attempt_at: Timestamp | None
    secret: str | None = Field(None, description="Shown only in the answer to the create request")
    version: int
    created_at: Timestamp
    updated_at: Timestamp


def webhook_out(row: dict[str, Any], *, with_secret: bool = False) -> dict[str, Any]:
    return {"id": row["id"], "url": row["url"], "events": row["events"], "description": row["description"],
            "is_active": row["is_active"], "disabled_reason": row["disabled_reason"],
            "delivered_sequence": row["delivered_sequence"], "failing_since": row["failing_since"],
            "next_attempt_at": row["next_attempt_at"], "secret": row["secret"] if with_secret else None,
            "version": row["version"], "created_at": row["created_at"], "updated_at": row["updated_at"]}


class DeliveryRead(ReadModel):
    id: str
    event_id: str
    event_type: str
    sequence: int | None = Field(description="null for a test delivery")
    attempt: int
    status: str = Field(examples=["succeeded", "failed"])
    response_status: int | None
    error: str | None
    duration_ms: int | None
    created_at: Timestamp


def delivery_out(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("id", "event_id", "event_type", "sequence", "attempt", "status", "response_status",
                                "error", "duration_ms", "created_at")}


class WebhookTestRead(ReadModel):
    event_id: str = Field(description="The test event's id; its delivery shows in the deliveries")
