"""Prefixed ULIDs (`itm_01JC…`): sortable by creation time, unguessable, typed by their prefix."""

from __future__ import annotations

import os
import re
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
_ULID_RE = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")

PREFIXES = {
    "workspace": "ws",
    "item": "itm",
    "location": "loc",
    "movement": "mov",
    "transfer": "trf",
    "reservation": "res",
    "purchase_order": "po",
    "purchase_order_line": "pol",
    "production_order": "prd",
    "production_line": "prl",
    "batch": "bat",
    "snapshot": "snap",
    "api_key": "key",
    "user": "usr",
    "tax_rate": "tax",
    "category": "cat",
    "webhook": "whk",
    "event": "evt",
    "reason": "rsn",
    "request": "req",
    "audit": "aud",
    "delivery": "dlv",
    "alert": "alr",
}


_last = [0, 0]  # the last (milliseconds, random part) this process issued
_lock = threading.Lock()


def ulid(timestamp_ms: int | None = None) -> str:
    """48 bits of milliseconds then 80 random bits, as 26 Crockford base32 characters. Within one
    millisecond a process's ids increase (ULID's monotonic mode), so ids made in one request (a
    parent's variants) sort in the order they were made."""
    ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    with _lock:
        same_ms = ms == _last[0] and _last[1] < (1 << 80) - 1
        random = _last[1] + 1 if same_ms else int.from_bytes(os.urandom(10), "big")
        _last[0], _last[1] = ms, random
    value = (ms << 80) | random
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_id(kind: str) -> str:
    return f"{PREFIXES[kind]}_{ulid()}"


def is_id(kind: str, value: str) -> bool:
    prefix = PREFIXES[kind] + "_"
    return value.startswith(prefix) and bool(_ULID_RE.match(value[len(prefix):]))


def is_ulid(value: str) -> bool:
    return bool(_ULID_RE.match(value))
