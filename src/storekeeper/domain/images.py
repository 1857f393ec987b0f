"""An item's images and their ids (issue 21, "images by id").

Each image an item shows has an integer `id`, a number of its workspace that names that image for
good (one counter per workspace, as items' numbers). A write that sends an item's images lists
the images it keeps, as Shopify's product images: one sent with an `id` is that image (of this
item, or any image the workspace has; its URL stays the one the id names), one sent without an
`id` keeps the id of this item's image with the same URL, else it is a new image with a new id.
Images left out are no longer the item's; their ids still name them in the workspace.
"""

from __future__ import annotations

from typing import Any

from storekeeper.domain.errors import ValidationFailed


def wanted_ids(sent: list[dict[str, Any]]) -> set[int]:
    """The ids a write names (to look up in the workspace those its item does not have)."""
    return {image["id"] for image in sent if image.get("id") is not None}


def plan(previous: list[dict[str, Any]], sent: list[dict[str, Any]], known: dict[int, str],
         field: str = "images") -> list[dict[str, Any]]:
    """The item's images after a write sending `sent` (dicts with `id`, `url`, `alt`, each
    optional but one of id and url given), over its `previous` images; `known` maps ids the
    workspace has to their URL. New images come back with `id` None, for the caller to number.
    Refused (ValidationFailed naming `images[i].id` or `.url`): an id the workspace does not
    have, an id listed twice, a URL other than the id's."""
    own = {image["id"]: image for image in previous if image.get("id") is not None}
    unused = [image for image in previous if image.get("id") not in wanted_ids(sent)]
    out: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for index, image in enumerate(sent):
        number = image.get("id")
        url = image.get("url")
        if number is not None:
            existing = own[number]["url"] if number in own else known.get(number)
            if existing is None:
                errors[f"{field}[{index}].id"] = [f"No image {number} in this workspace."]
                continue
            if number in seen:
                errors[f"{field}[{index}].id"] = [f"Image {number} is listed twice."]
                continue
            if url is not None and url != existing:
                errors[f"{field}[{index}].url"] = [
                    f"Image {number} has the URL {existing}; send another URL without an id to add an image."]
                continue
            seen.add(number)
            out.append(_image(number, existing, image, own.get(number)))
            continue
        if url is None:
            errors[f"{field}[{index}]"] = ["Give the image's id or its url."]
            continue
        match = next((p for p in unused if p["url"] == url), None)
        if match is not None:
            unused.remove(match)
        out.append(_image(match["id"] if match else None, url, image, match))
    if errors:
        raise ValidationFailed(errors)
    return out


def _image(number: int | None, url: str, sent: dict[str, Any], own: dict[str, Any] | None) -> dict[str, Any]:
    # An image of this item sent without `alt` keeps its alt text; one sent with `alt` takes it.
    alt = sent["alt"] if "alt" in sent else (own or {}).get("alt")
    return {"id": number, "url": url, "alt": alt}


def number_new(images: list[list[dict[str, Any]]], last: int) -> list[dict[str, Any]]:
    """Give the new images (id None) of several items the numbers up to `last`, a counter's
    value after taking as many; returns them, in order."""
    new = [image for item in images for image in item if image["id"] is None]
    for offset, image in enumerate(new):
        image["id"] = last - len(new) + 1 + offset
    return new


def count_new(images: list[list[dict[str, Any]]]) -> int:
    return sum(1 for item in images for image in item if image["id"] is None)
