"""Products' images in the inventorum API's shapes (seed 004): pure functions over an item's
`images` ({id, url, alt}, docs/catalog.md). The vendor keeps a resized copy of each image per
size (`ipad`, `thumb`, … `original`); Storekeeper keeps one URL per image, so every size is it.

Versions (the document: "V8 and V10 use different images … serializers than V7"): V8 and V10
show an image as `{"id", "urls": {size: url}, "type": 0, "new": true}`, as the document's
examples do; V7 (and V6, which builds on it) as the flat shape the document shows for
`thumbnail` (the sizes as keys, with `new` and `id`), with the image's own id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

SIZES = ("ipad", "thumb", "image", "ipad_retina", "ebay", "thumb_retina", "original")
NESTED_FROM = 8  # the first version that shows `urls` nested


def urls(url: str) -> dict[str, str]:
    """Each of the vendor's sizes: the one URL Storekeeper has."""
    return dict.fromkeys(SIZES, url)


def image(kept: dict[str, Any], version: int) -> dict[str, Any]:
    if version >= NESTED_FROM:
        return {"id": kept["id"], "urls": urls(kept["url"]), "type": 0, "new": True}
    return {**urls(kept["url"]), "new": True, "id": kept["id"]}


def images(row: dict[str, Any], version: int) -> list[dict[str, Any]]:
    """A product's or a variation's `images`, in its order."""
    return [image(kept, version) for kept in row.get("images") or []]


def thumbnail(row: dict[str, Any], variant_rows: Iterable[dict[str, Any]] = ()) -> dict[str, Any] | None:
    """`thumbnail`: the product's first image, else (where its variations are at hand) the
    first image of its first variation with one, as the document's product with variations
    shows its variation's image; the document writes its id negated (`-217514` for image
    217514). `null` without images."""
    for candidate in (row, *variant_rows):
        if candidate.get("images"):
            first = candidate["images"][0]
            return {**urls(first["url"]), "new": True, "id": -first["id"]}
    return None


def item_images(sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A body's `images` (`[{"id": 751315, "new": true}]`, existing images of the workspace) as
    the item's images for /v1's services: the product's whole list afterwards."""
    return [{"id": entry["id"]} for entry in sent]
