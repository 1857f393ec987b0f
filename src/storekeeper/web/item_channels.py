"""The item form's sales channels (issue 22): a row per channel the item is on, and an empty one
for a new channel's name, each with published yes/no and the overrides /v1 knows (name, price,
description). The rows become /v1's `channels` body, validated with the item by ItemCreate /
ItemUpdate; an edit then sends only the channels whose row changed, as PUT (or, unticked with its
overrides as they were, DELETE) /v1/items/{ref}/channels/{channel} would. A channel's images
have no place on the form: they are kept as they are.

A row of a channel the item is on can be ticked *Remove* (`channel.<i>.remove`): the channel
leaves the item with its overrides and images, as PATCH /v1/items/{ref} with `channels` holding
all the others removes it (/v1's DELETE of a channel only unpublishes it)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from storekeeper.domain.quantities import format_quantity, local_text
from storekeeper.services.items import channel_doc
from storekeeper.web.common import quantity_field
from storekeeper.web.forms import GENERAL, FieldErrors, text

# /v1's ChannelName, said in words before the schema would quote its pattern.
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_ROW = re.compile(r"^channel\.(\d+)\.code$")
OVERRIDES = ("name", "price", "description")


def form_of(channels: dict[str, Any], mark: str) -> dict[str, str]:
    """An item's channels as the form's rows, by name."""
    fields: dict[str, str] = {}
    for i, (code, doc) in enumerate(sorted(channels.items())):
        price = doc.get("price")
        shown = "" if price is None else local_text(format_quantity(Decimal(price)), mark)
        fields.update({f"channel.{i}.code": code, f"channel.{i}.name": doc.get("name") or "",
                       f"channel.{i}.description": doc.get("description") or "", f"channel.{i}.price": shown})
        if doc.get("published"):
            fields[f"channel.{i}.published"] = "on"
    return fields


def rows(form: dict[str, str], kept: dict[str, Any]) -> list[tuple[int, bool]]:
    """The rows to show: (index, whether its channel is the item's already, so its name is
    fixed), and one empty row more for a new channel."""
    found = sorted(int(m.group(1)) for key in form if (m := _ROW.match(key)))
    shown = [(i, (form.get(f"channel.{i}.code") or "") in kept) for i in found]
    if all((form.get(f"channel.{i}.code") or "").strip() for i in found):
        shown.append((found[-1] + 1 if found else 0, False))
    return shown


def read(form: dict[str, str], errors: FieldErrors, mark: str) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
    """The rows as /v1's `channels` (rows without a name are left out), and each channel's row."""
    channels: dict[str, dict[str, Any]] = {}
    index: dict[str, int] = {}
    for i, _ in rows(form, {}):
        code = (form.get(f"channel.{i}.code") or "").strip()
        if form.get(f"channel.{i}.remove"):
            continue  # removed(): not a channel the item keeps
        if not code:
            if any(text(form, f"channel.{i}.{field}") for field in OVERRIDES):
                errors.setdefault(f"channel.{i}.code", []).append("Name the channel these are for.")
            continue
        if not _NAME.match(code):
            errors.setdefault(f"channel.{i}.code", []).append(
                "A channel's name is lower-case letters, digits, - and _, at most 40 (shop, pos, amazon-de).")
        elif code in channels:
            errors.setdefault(f"channel.{i}.code", []).append(f"The channel {code} is on the form twice.")
        entry: dict[str, Any] = {"published": bool(form.get(f"channel.{i}.published")),
                                 "name": text(form, f"channel.{i}.name"),
                                 "description": text(form, f"channel.{i}.description"),
                                 "price": quantity_field(form, f"channel.{i}.price", errors, separator=mark,
                                                         required=False)}
        channels[code], index[code] = {k: v for k, v in entry.items() if v is not None}, i
    return channels, index


def onto_rows(errors: FieldErrors, index: dict[str, int]) -> FieldErrors:
    """The schema's or a service's word on `channels.shop.price` under the row of shop's price."""
    shown: FieldErrors = {}
    for name, messages in errors.items():
        parts = name.split(".")
        if parts[0] == "channels" and len(parts) >= 2:
            row = index.get(parts[1])
            field = parts[2] if len(parts) > 2 and parts[2] in OVERRIDES else "code"
            name = f"channel.{row}.{field}" if row is not None else GENERAL
        shown.setdefault(name, []).extend(messages)
    return shown


def changed(sent: dict[str, dict[str, Any]], kept: dict[str, Any]) -> dict[str, dict[str, Any] | None]:
    """Of the channels the form sent, those whose row differs from the item's: each as set_channel
    takes it (an entry, or None to unpublish a channel whose overrides stay as they were). The
    channel's images are sent back as they are."""
    out: dict[str, dict[str, Any] | None] = {}
    for code, entry in sent.items():
        before = kept.get(code)
        images = (before or {}).get("images")
        wanted = {**entry, **({"images": images} if images is not None else {})}
        if before is not None and channel_doc(wanted) == before:
            continue
        if before is not None and not entry.get("published") and channel_doc({**wanted, "published": True}) == {
                **before, "published": True}:
            out[code] = None
        else:
            out[code] = wanted
    return out


def removed(form: dict[str, str], kept: dict[str, Any]) -> set[str]:
    """The item's channels whose row is ticked Remove (a name it is not on removes nothing)."""
    return {code for i, _ in rows(form, kept) if form.get(f"channel.{i}.remove")
            and (code := (form.get(f"channel.{i}.code") or "").strip()) in kept}


def without(kept: dict[str, Any], gone: set[str]) -> dict[str, dict[str, Any]]:
    """The item's channels but `gone`, as PATCH /v1/items/{ref} takes `channels` (it replaces them
    all): each as stored, its price a number again and its images with their ids, so they stay."""
    return {code: {**doc, **({"price": Decimal(doc["price"])} if doc.get("price") is not None else {})}
            for code, doc in kept.items() if code not in gone}
