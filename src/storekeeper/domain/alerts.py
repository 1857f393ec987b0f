"""Stock alerts by email: which status changes alert, where a workspace's SMTP server may be, and
when a daily digest is due. No framework here; services/alerts.py keeps the settings and the
outbox, services/alert_mail.py sends.

A workspace's admin names the SMTP host and the server connects to it from inside its own
network, as it does for webhooks: without a rule, `10.0.0.5:25` or `169.254.169.254:80` would make
the server talk to services that trust it for being local (and report their answers as errors).
The rule is domain/webhook_targets.py's, with one exception the operator may allow: this machine
itself (a local relay such as Postfix on 127.0.0.1, the common set-up of a self-hosted server),
with STOREKEEPER_SMTP_ALLOW_LOOPBACK. Private networks, link-local and the other special
addresses stay refused whatever the setting.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storekeeper.domain.errors import ValidationFailed
from storekeeper.domain.stock import StockStatus, Tracking
from storekeeper.domain.webhook_targets import IPAddress, host_address, is_local_name, why_not_public


class Security(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


class Mode(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"


ALERTING = (StockStatus.LOW, StockStatus.CRITICAL, StockStatus.OUT_OF_STOCK)
# Worse is higher: an item alerts when it moves to a worse status it is chosen for.
_SEVERITY = {StockStatus.NORMAL: 0, StockStatus.LOW: 1, StockStatus.CRITICAL: 2, StockStatus.OUT_OF_STOCK: 3}
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
_HOST = re.compile(r"^[A-Za-z0-9._:\[\]-]{1,253}$")
LOOPBACK_SETTING = "STOREKEEPER_SMTP_ALLOW_LOOPBACK"


def alerts_for(before: str, after: str, chosen: set[str] | frozenset[str]) -> bool:
    """Whether a change of an item's status from `before` to `after` alerts: into a chosen status
    that is worse than the one before (normal → low, low → out of stock). Getting better (out of
    stock → low, after a receipt) tells nobody anything they need to act on."""
    try:
        return after in chosen and _SEVERITY[StockStatus(after)] > _SEVERITY[StockStatus(before)]
    except ValueError:
        return False


def alerts_about(item: Mapping[str, Any]) -> bool:
    """Whether an item's status changes alert: only an item that holds stock. A parent's status
    sums its variants' and a bundle's is what its components make up, so an alert of theirs would
    tell again what the variant's or the component's own alert tells (one low variant, two emails)."""
    return not item.get("has_variants") and item.get("tracking") != Tracking.BUNDLE


def is_email(value: str) -> bool:
    return len(value) <= 320 and bool(_EMAIL.match(value))


def why_refused(address: IPAddress, *, allow_loopback: bool) -> str | None:
    """None when the SMTP server may be at `address`; else why not, in words."""
    if allow_loopback and (address.is_loopback or (isinstance(address, ipaddress.IPv6Address)
                                                   and address.ipv4_mapped is not None
                                                   and address.ipv4_mapped.is_loopback)):
        return None
    return why_not_public(address)


def refusal(host: str, reason: str) -> str:
    return (f"Not a public address: {reason}. Alert emails go only to an SMTP server at a public address "
            f"(this machine too when the server allows it: {LOOPBACK_SETTING}); {host} is refused.")


def check_host(host: str, *, allow_loopback: bool) -> None:
    """Refuse (ValidationFailed on `smtp_host`) a host that is not a host name or an address, or one
    that is an address (in any spelling) or a `localhost` name the rule refuses. Other names pass:
    what they resolve to is checked before every connection (services/alert_mail.py)."""
    if not _HOST.match(host):
        raise ValidationFailed({"smtp_host": ["A host name or an IP address, such as smtp.example.com."]})
    bare = host.strip("[]").rstrip(".")
    if is_local_name(bare):
        if allow_loopback:
            return
        reason = f"{host} names this machine"
    elif (address := host_address(bare)) is None or (reason := why_refused(address, allow_loopback=allow_loopback)
                                                      ) is None:
        return
    raise ValidationFailed({"smtp_host": [refusal(host, reason)]})


def time_zone(name: str) -> ZoneInfo:
    """The IANA time zone `name` (Europe/Berlin), or ValidationFailed on `time_zone`."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed({"time_zone": [f"{name!r} is not a time zone; use a name such as UTC or "
                                              "Europe/Berlin."]}) from None


def last_digest_at(now: datetime, hour: int, zone: str) -> datetime:
    """The latest moment at or before `now` when a daily digest at `hour` o'clock in `zone` was
    due (UTC). Alerts recorded before it go into that digest; later ones wait for the next."""
    local = now.astimezone(time_zone(zone))
    due = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if due > local:
        due -= timedelta(days=1)
        # Across a change of clocks, "the same hour yesterday" is still that hour of the wall clock.
        due = due.replace(hour=hour)
    return due.astimezone(UTC)
