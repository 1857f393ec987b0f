"""Workspace, API keys and users."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints

from storekeeper.api.schemas.common import ReadModel, ReadOnly, Timestamp, TimestampIn, WriteModel
from storekeeper.domain.clock import to_utc
from storekeeper.domain.scopes import SCOPES
from storekeeper.services.api_keys import key_status

Scope = Literal[tuple(SCOPES)]  # type: ignore[valid-type]


class RateLimitPlan(ReadModel):
    per_second: float = Field(gt=0, le=100_000)
    burst: int = Field(ge=1, le=1_000_000)
    per_minute: int | None = Field(None, ge=1)
    per_day: int | None = Field(None, ge=1)


# strict: what the schema says only. Lax mode would read `false` as 0 days of trash retention
# (purge at once), 0 as `false`, and "5" as 5.
class RateLimitPlanUpdate(WriteModel):
    per_second: float = Field(None, gt=0, le=100_000, strict=True)
    burst: int = Field(None, ge=1, le=1_000_000, strict=True)
    per_minute: int | None = Field(None, ge=1, strict=True)
    per_day: int | None = Field(None, ge=1, strict=True)


class WorkspaceSettings(ReadModel):
    allow_negative_stock: bool
    trash_retention_days: int
    auto_snapshot: Literal["off", "daily"]
    event_retention_days: int
    decimal_mark: Literal["auto", ",", "."] = Field(
        description="How the dashboard writes and reads decimals: `auto` follows the currency (EUR: 2,5; USD: 2.5)")
    rate_limit: RateLimitPlan


class WorkspaceSettingsUpdate(WriteModel):
    allow_negative_stock: bool = Field(None, strict=True)
    trash_retention_days: int = Field(None, ge=0, le=3650, strict=True)
    auto_snapshot: Literal["off", "daily"] = None
    event_retention_days: int = Field(None, ge=1, le=3650, strict=True)
    decimal_mark: Literal["auto", ",", "."] = None
    rate_limit: RateLimitPlanUpdate = None


class WorkspaceRead(ReadModel):
    id: str
    name: str
    currency: str
    settings: WorkspaceSettings
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class WorkspaceUpdate(WriteModel):
    id: ReadOnly = None
    version: ReadOnly = None
    created_at: ReadOnly = None
    updated_at: ReadOnly = None
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = None
    currency: str = Field(None, pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR")
    settings: WorkspaceSettingsUpdate = None


class KeySummary(ReadModel):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    user: str | None


class MeRead(ReadModel):
    workspace: WorkspaceRead
    key: KeySummary
    actor: dict[str, str]
    rate_limit: RateLimitPlan


def _in_utc(value: datetime) -> datetime:
    # An offset can push a time written near year 1 or 9999 outside the range of datetime.
    try:
        return to_utc(value)
    except OverflowError:
        raise ValueError("The time is out of range.") from None


class ApiKeyCreate(WriteModel):
    id: ReadOnly = None
    key: ReadOnly = None
    prefix: ReadOnly = None
    created_at: ReadOnly = None
    revoked_at: ReadOnly = None
    status: ReadOnly = None
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    scopes: list[Scope] = Field(min_length=1, max_length=len(SCOPES))
    expires_at: Annotated[TimestampIn, AfterValidator(_in_utc)] | None = None
    user: str | None = Field(None, min_length=1, max_length=320, description="User id or email")


class ApiKeyRead(ReadModel):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    user: str | None
    status: Literal["active", "revoked", "expired"]
    expires_at: Timestamp | None
    revoked_at: Timestamp | None
    created_at: Timestamp


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The secret key. Shown only in this response: store it now.")


Role = Literal["admin", "member", "viewer"]


_PASSWORD = ("Lets the user sign in to the dashboard (at least 10 characters); stored as an argon2 hash, never "
             "shown. A new password ends the user's dashboard sessions.")


class UserCreate(WriteModel):
    id: ReadOnly = None
    version: ReadOnly = None
    created_at: ReadOnly = None
    updated_at: ReadOnly = None
    email: str = Field(min_length=3, max_length=320)
    name: str | None = Field(None, max_length=200)
    role: Role = "member"
    password: str | None = Field(None, min_length=10, max_length=1000, description=_PASSWORD)


class UserUpdate(WriteModel):
    id: ReadOnly = None
    version: ReadOnly = None
    created_at: ReadOnly = None
    updated_at: ReadOnly = None
    email: str = Field(None, min_length=3, max_length=320)
    name: str | None = Field(None, max_length=200)
    role: Role = None
    password: str = Field(None, min_length=10, max_length=1000, description=_PASSWORD)


class UserRead(ReadModel):
    id: str
    email: str
    name: str | None
    role: Role
    version: int
    created_at: Timestamp
    updated_at: Timestamp


def workspace_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["workspace_id"],
        "name": row["name"],
        "currency": row["currency"],
        "settings": row["settings"],
        "version": row["version"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def api_key_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "prefix": row["prefix"],
        "scopes": row["scopes"],
        "user": row["user_id"],
        "status": key_status(row),
        "expires_at": to_utc(row["expires_at"]) if row["expires_at"] else None,
        "revoked_at": row["revoked_at"],
        "created_at": row["created_at"],
    }


def user_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "email": row["email"],
        "name": row["name"],
        "role": row["role"],
        "version": row["version"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
