"""Stock alert settings (services/alerts.py): the SMTP server, who is told, which statuses, when."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from storekeeper.api.schemas.common import ReadModel, ReadOnly, Timestamp, WriteModel

AlertStatus = Literal["low", "critical", "out_of_stock"]


class AlertSettingsWrite(WriteModel):
    version: ReadOnly = None
    created_at: ReadOnly = None
    updated_at: ReadOnly = None
    password_set: ReadOnly = None
    enabled: bool = Field(True, strict=True)
    smtp_host: str = Field(min_length=1, max_length=253, examples=["smtp.example.com"],
                           description="A public host name or address (this machine too when the server allows "
                                       "it: STOREKEEPER_SMTP_ALLOW_LOOPBACK)")
    smtp_port: int | None = Field(None, ge=1, le=65535, strict=True,
                                  description="Default: 587 with starttls, 465 with tls, 25 with none")
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_username: str | None = Field(None, max_length=320)
    smtp_password: str | None = Field(None, max_length=500, description="Write-only: never shown again. Left out: "
                                                                       "the stored one is kept; null removes it")
    from_address: str = Field(max_length=320, examples=["stock@shop.example"])
    recipient_users: list[str] = Field([], max_length=50, description="Users of the workspace, by id or email")
    recipient_addresses: list[str] = Field([], max_length=50, description="Other email addresses")
    statuses: list[AlertStatus] = Field(["low", "critical", "out_of_stock"], min_length=1, max_length=3,
                                        description="An item alerts when its status worsens into one of these")
    mode: Literal["immediate", "digest"] = Field("immediate", description="An email each worker round, or one a day")
    digest_hour: int = Field(8, ge=0, le=23, strict=True, description="The digest's hour, in `time_zone`")
    time_zone: str = Field("UTC", max_length=64, examples=["Europe/Berlin"])
    dashboard_url: str | None = Field(None, max_length=2000, description="Where the emails' links go (default: "
                                                                         "the URL these settings were sent to)")


class AlertSettingsRead(ReadModel):
    """A workspace that never set them shows alerts off, `version` 0 and no host."""

    enabled: bool
    smtp_host: str | None
    smtp_port: int
    smtp_security: Literal["none", "starttls", "tls"]
    smtp_username: str | None
    password_set: bool = Field(description="Whether a password is stored (it is never shown)")
    from_address: str | None
    recipient_users: list[str] = Field(description="User ids")
    recipient_addresses: list[str]
    statuses: list[AlertStatus]
    mode: Literal["immediate", "digest"]
    digest_hour: int
    time_zone: str
    dashboard_url: str | None
    version: int
    created_at: Timestamp | None
    updated_at: Timestamp | None


class AlertTestRead(ReadModel):
    sent: bool = Field(description="Whether the SMTP server accepted the test email")
    recipients: list[str]
    error: str | None

