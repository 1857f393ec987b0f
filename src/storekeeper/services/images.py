"""Giving items' images their ids (domain/images.py) in the caller's transaction: a write of any
number of items looks up the ids it names in one statement and registers its new images in two
(the counter `images`, one insert), so a bulk import makes as many statements as one item."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from storekeeper.domain import images as rules
from storekeeper.domain.clock import utcnow
from storekeeper.persistence import counters
from storekeeper.persistence.tables import images


def known(conn: Connection, workspace_id: str, numbers: set[int]) -> dict[int, str]:
    """{id: url} of the workspace's images among `numbers`, in one statement (none if empty)."""
    if not numbers:
        return {}
    return dict(conn.execute(select(images.c.number, images.c.url).where(
        images.c.workspace_id == workspace_id, images.c.number.in_(sorted(numbers)))).all())


def assign_all(conn: Connection, workspace_id: str, writes: list[tuple[dict[str, Any] | None, dict[str, Any]]]) -> None:
    """Give ids to the images a write of items sends, in place: for each (row before the write,
    or None for a new item; the values written), the values' `images` and each of their
    channels' `images` (what that channel shows instead of the item's). One lookup and one
    registration for all of them (assign)."""
    slots: list[tuple[dict[str, Any], list[dict[str, Any]], str]] = []
    for before, values in writes:
        if values.get("images"):
            slots.append((values, (before or {}).get("images") or [], "images"))
        for name, doc in (values.get("channels") or {}).items():
            if doc.get("images"):
                previous = ((before or {}).get("channels") or {}).get(name, {}).get("images") or []
                slots.append((doc, previous, f"channels.{name}.images"))
    if slots:
        kept = assign(conn, workspace_id, [(previous, target["images"]) for target, previous, _ in slots],
                      fields=[field for _, _, field in slots])
        for (target, _, _), images_after in zip(slots, kept, strict=True):
            target["images"] = images_after


def assign(conn: Connection, workspace_id: str, writes: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]],
           now: datetime | None = None, fields: list[str] | None = None) -> list[list[dict[str, Any]]]:
    """For each (previous images, sent images) of a write, the item's images after it, every
    one with its id; new ones are numbered and registered. ValidationFailed as rules.plan, under
    each write's field of `fields` (default `images`)."""
    wanted = set().union(*(rules.wanted_ids(sent) for _, sent in writes)) if writes else set()
    found = known(conn, workspace_id, wanted - {i["id"] for previous, _ in writes for i in previous if i.get("id")})
    fields = fields or ["images"] * len(writes)
    planned = [rules.plan(previous, sent, found, field) for (previous, sent), field in zip(writes, fields, strict=True)]
    n = rules.count_new(planned)
    if n:
        new = rules.number_new(planned, counters.bump(conn, workspace_id, images.name, n))
        stamp = now or utcnow()
        conn.execute(images.insert(), [{"workspace_id": workspace_id, "number": image["id"], "url": image["url"],
                                        "created_at": stamp} for image in new])
    return planned


def shown(item_images: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An item's images without their ids: what a file export carries, which another workspace
    can import (ids are numbers of one workspace)."""
    return [{k: v for k, v in image.items() if k != "id"} for image in item_images]


def shown_channels(channels: dict[str, Any]) -> dict[str, Any]:
    """An item's channels as a file export carries them: their images without ids, as `shown`."""
    return {name: {**doc, "images": shown(doc["images"])} if doc.get("images") else doc
            for name, doc in channels.items()}
