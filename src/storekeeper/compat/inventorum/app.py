"""The products of the inventorum API (seeds 000 + 004), at /compat/inventorum, over the same
services as /v1: list, create, read, change and delete products (app.py), and their stock, sync
and shop publishing (inventory.py). docs/dialects/inventorum.md maps every field.

A product is an item: a plain item, or a variant parent whose variations are its variants. Its
`quantity` is the item's stock over all locations; setting it records a `count` movement of the
difference at the default location, in the same transaction as the other changes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from storekeeper.api.deps import DB
from storekeeper.api.routing import StorekeeperRoute
from storekeeper.compat.facade import Dialect, bearer_key, caller, json_response
from storekeeper.compat.inventorum import errors, ids, inventory, mapping, reads, schemas
from storekeeper.compat.inventorum.reads import Version
from storekeeper.domain.errors import ValidationFailed
from storekeeper.domain.ids import new_id
from storekeeper.services import item_changes, items, trash, variants
from storekeeper.services.items import ItemFilters

# The vendor's `products` scope, as the Storekeeper scopes it maps to: a product's quantity is
# its stock, so writing products also writes stock.
ProductsRead = caller("items:read")
ProductsWrite = caller("items:read", "items:write", "stock:write")

router = APIRouter(route_class=StorekeeperRoute, tags=["products"])
ProductId = Annotated[str, "the product's id"]
ListPage = reads.paging(reads.PAGE_SIZE)
# V6's `filter`: below the reorder level, below the safety stock (Storekeeper's statuses).
FILTERS = {"reorder": ("low", "critical", "out_of_stock"), "safety": ("critical", "out_of_stock")}
SORTS = {"name": "name", "id": "created_at", "created_at": "created_at", "updated_at": "updated_at", "price": "price"}


def new_sku() -> str:
    """The SKU of a product made through this facade: the document's `product_code` is not
    unique (variations share their product's), so it is kept beside the item, not as its SKU."""
    return "INV-" + new_id("item").split("_", 1)[1]


@router.get("/api/products/", summary="Returns list of all products")
def list_products(
    principal: ProductsRead, db: DB, version: Version, paging: ListPage,
    in_shop: Annotated[bool, Query(description="Only products published in the e-shop")] = False,
    search: Annotated[str | None, Query(max_length=200, description="Part of the name, SKU or EAN")] = None,
    sort: Annotated[str | None, Query(max_length=40, description="V6: price, name, id, created_at, updated_at; "
                                                                  "- for descending")] = None,
    filter: Annotated[str | None, Query(description="V6: reorder or safety")] = None,
):
    """Products and variant parents (not their variations, nor custom sales), oldest first."""
    filters = ItemFilters(top_level=True, ad_hoc=False, q=search or None, channel=mapping.SHOP if in_shop else None)
    if version == 6:
        if filter is not None and filter not in FILTERS:
            raise ValidationFailed({"filter": ["Options: reorder, safety."]})
        chosen = reads.order_by(sort, SORTS, "sort")
        filters = replace(filters, status=FILTERS.get(filter or ""), sort=chosen or "created_at")
    page = items.list_items(db, principal.workspace_id, filters, paging.request())
    taxes, _ = reads.references(db, principal.workspace_id, page.rows)
    variations = reads.page_variations(db, principal.workspace_id, page.rows)
    return json_response(200, reads.page_body(page.total, [mapping.summary(r, taxes, variations.get(r["id"]))
                                                           for r in page.rows]))


@router.post("/api/products/", summary="Creates a product")
def create_product(body: schemas.ProductCreate, principal: ProductsWrite, db: DB, version: Version):
    """A product; with `variations` (V8), a product whose variations are its variants."""
    data = body.model_dump(exclude_unset=True)
    resolve = reads.resolver(db, principal.workspace_id)
    if version < 8 and (body.images or any(v.images for v in body.variations or [])):
        raise ValidationFailed({"images": ["Images on create need X-Api-Version 8."]})
    values = mapping.item_fields(data, resolve)
    values["sku"] = new_sku()
    if body.variations:
        if version < 8:
            raise ValidationFailed({"variations": ["Products with variations need X-Api-Version 8."]})
        values["variants"] = [_variation(body.name, v, values, resolve) for v in data["variations"]]
        first = data["variations"][0]
        for theirs, ours in (("reorder_level", "reorder_point"), ("safety_stock", "safety_stock")):
            if theirs in first:  # the document: a parent's levels are its first variation's
                values[ours] = first[theirs]
    elif not mapping.is_zero(body.quantity):
        values["initial_stock"] = [_initial(body.quantity, body.purchase_price)]
    row = items.create_item(db, principal.workspace_id, values, principal=principal)
    return json_response(201, reads.product(db, principal.workspace_id, row, version))


def _initial(quantity, unit_cost) -> dict[str, Any]:
    return {"location": None, "quantity": quantity, "unit_cost": unit_cost}


def _variation(parent_name: str, data: dict[str, Any], parent: dict[str, Any], resolve) -> dict[str, Any]:
    if data.get("id") is not None:
        raise ValidationFailed({"variations": ["A new product's variations have no id."]})
    if data.get("tax_type") is not None and resolve("tax_rate", data["tax_type"]) != parent.get("tax_rate"):
        raise ValidationFailed({"tax_type": ["A variation's tax_type is its product's."]})
    values = mapping.item_fields({k: v for k, v in data.items() if k not in ("id", "tax_type")}, resolve)
    values["sku"] = new_sku()
    values["name"] = mapping.variant_name(parent_name, data.get("attributes") or {})
    if not mapping.is_zero(data.get("quantity")):
        values["initial_stock"] = [_initial(data["quantity"], data.get("purchase_price"))]
    return values


@router.get("/api/products/{product_id}/", summary="Returns details of a specified product")
def get_product(product_id: ProductId, principal: ProductsRead, db: DB, version: Version):
    row = reads.find(db, principal.workspace_id, product_id)
    return json_response(200, reads.product(db, principal.workspace_id, row, version))


@router.put("/api/products/{product_id}/", summary="Update a product")
def update_product(product_id: ProductId, body: schemas.ProductUpdate, principal: ProductsWrite, db: DB,
                   version: Version):
    """Only the fields sent change; `quantity` brings the stock to that figure (a count). With
    `variations`, a product's whole list of them: those with an id are kept (and changed), those
    without are added, the others deleted."""
    row = reads.find(db, principal.workspace_id, product_id)
    resolve = reads.resolver(db, principal.workspace_id)
    data = body.model_dump(exclude_unset=True, exclude={"variations"})
    changes = mapping.item_fields(data, resolve, row["metadata"], row["channels"])
    if body.variations:
        given = body.model_dump(exclude_unset=True)["variations"]
        if not row["has_variants"]:
            return _first_variations(db, principal, row, changes, given, version)
        return _replace_variations(db, principal, row, changes, given, version)
    updated = item_changes.update_item(db, principal.workspace_id, row["id"], changes,
                                       on_hand=data.get("quantity"), principal=principal)
    return json_response(200, reads.product(db, principal.workspace_id, updated, version))


def _first_variations(db, principal, row: dict[str, Any], changes: dict[str, Any], given: list[dict[str, Any]],
                      version: int):
    """The document's "product doesn't have variations": the product itself must be in the list
    (with its id); it becomes a variation of a new product, the clone answered."""
    workspace_id = principal.workspace_id
    resolve = reads.resolver(db, workspace_id)
    itself = [v for v in given if v.get("id") is not None]
    if len(itself) != 1 or ids.storekeeper_id(db, workspace_id, "item", itself[0]["id"]) != row["id"]:
        raise ValidationFailed({"variations": [
            "To give a product variations, list the product itself (with its id) and the new ones (without)."]})
    parent = {**changes, "sku": new_sku()}
    name, tax_rate = parent.get("name", row["name"]), changes.get("tax_rate", row["tax_rate_id"])
    for data in given:
        if data.get("tax_type") is not None and resolve("tax_rate", data["tax_type"]) != tax_rate:
            raise ValidationFailed({"tax_type": ["A variation's tax_type is its product's."]})
    entry = itself[0]
    fields = mapping.item_fields({k: v for k, v in entry.items() if k not in ("id", "tax_type", "quantity")},
                                 resolve, row["metadata"], row["channels"])
    fields["name"] = mapping.variant_name(name, entry.get("attributes", row["attributes"]))
    kept = variants.KeptVariant(row["id"], item_changes.prepare_changes(fields), entry.get("quantity"))
    new = [_variation(name, {k: v for k, v in d.items() if k != "tax_type"}, parent, resolve)
           for d in given if d.get("id") is None]
    top = variants.split_into_variants(db, principal, row["id"], parent, kept, new)
    return json_response(200, reads.product(db, workspace_id, top, version))


def _replace_variations(db, principal, row: dict[str, Any], changes: dict[str, Any], given: list[dict[str, Any]],
                        version: int):
    workspace_id = principal.workspace_id
    resolve = reads.resolver(db, workspace_id)
    parent = {**row, **changes}
    name, tax_rate = parent["name"], changes.get("tax_rate", row["tax_rate_id"])
    current = {v["id"]: v for v in reads.variation_rows(db, workspace_id, row)}
    kept, new = [], []
    for data in given:
        if data.get("tax_type") is not None and resolve("tax_rate", data["tax_type"]) != tax_rate:
            raise ValidationFailed({"tax_type": ["A variation's tax_type is its product's."]})
        if data.get("id") is None:
            new.append(_variation(name, {k: v for k, v in data.items() if k != "tax_type"}, parent, resolve))
            continue
        variant_id = ids.storekeeper_id(db, workspace_id, "item", data["id"])
        own = current.get(variant_id, {})
        fields = mapping.item_fields({k: v for k, v in data.items() if k not in ("id", "tax_type", "quantity")},
                                     resolve, own.get("metadata"), own.get("channels"))
        if len(given) == 1:  # standing alone, it takes the product's name
            fields["name"] = name
        elif "attributes" in data or "name" in changes:
            fields["name"] = mapping.variant_name(name, data.get("attributes", own.get("attributes") or {}))
        kept.append(variants.KeptVariant(variant_id, item_changes.prepare_changes(fields), data.get("quantity")))
    # The document: a product left with one variation becomes that variation, standing alone.
    alone = len(given) == 1 and bool(kept)
    updated = variants.replace_variants(db, principal, row["id"], item_changes.prepare_changes(changes), kept, new,
                                        dissolve=alone)
    return json_response(200, reads.product(db, workspace_id, updated, version))


@router.delete("/api/products/{product_id}/", summary="Deletes a specified product")
def delete_product(product_id: ProductId, principal: ProductsWrite, db: DB, version: Version):
    """To the trash (a product takes its variations along); `delta/deleted` lists it."""
    trash.delete_item(db, principal.workspace_id, ids.storekeeper_id(db, principal.workspace_id, "item", product_id))
    return Response(status_code=200)


DIALECT = Dialect(
    name="inventorum",
    title="INVENTORUM API (products)",
    version="10",
    description="Products with variations, their stock, sync deltas and shop publishing, as the INVENTORUM "
                "API's documents describe them (Storekeeper seeds 000 and 004). Authenticate with "
                "`Authorization: Bearer <Storekeeper API key>`; `X-Api-Version` 6, 7, 8 or 10 (default 10). "
                "The vendor's `products` scope is Storekeeper's `items:read` to read, and `items:write` + "
                "`stock:write` to write; `inventories` is `stock:write`; `shop.products.publishing` is "
                "`items:write`.",
    routers=[router, inventory.router],
    key_from=bearer_key,
    render=errors.render,
)
