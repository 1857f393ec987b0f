"""Items."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BeforeValidator,
    Field,
    PlainSerializer,
    StringConstraints,
    model_validator,
)

from storekeeper.api.schemas.common import (
    Bool,
    Money,
    NonNegativeMoneyIn,
    NonNegativePriceIn,
    NonNegativeQuantityIn,
    NumberInWorkspace,
    Price,
    Quantity,
    QuantityIn,
    ReadModel,
    ReadOnly,
    Timestamp,
    WriteModel,
)
from storekeeper.domain.pricing import gross_price, join_price, unit_price
from storekeeper.domain.quantities import format_money
from storekeeper.domain.skus import check_sku
from storekeeper.domain.stock import stock_status
from storekeeper.domain.units import convert

Kind = Literal["product", "material"]
Tracking = Literal["quantity", "none", "bundle"]


def _sku_rule(value: Any) -> Any:
    """The domain's SKU rule on the trimmed text. Before pydantic's own checks, so that a lone
    surrogate is refused with the rule's message too (pydantic's says "unable to parse")."""
    if isinstance(value, str):
        check_sku(value.strip())
    return value


Sku = Annotated[str, BeforeValidator(_sku_rule), StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
ItemName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ShortText = Annotated[str, StringConstraints(max_length=200)]
AttributeValue = Annotated[str, StringConstraints(max_length=200)] | int | bool
# An attribute has one value ("red") or several (["red", "blue"]), as shop catalogues keep them.
Attribute = AttributeValue | Annotated[list[AttributeValue], Field(max_length=50)]
MetadataKey = Annotated[str, StringConstraints(min_length=1, max_length=40)]
MetadataValue = Annotated[str, StringConstraints(max_length=500)]
# Validated as a URL, kept as text; the serializer says so, or pydantic warns on every dump.
HttpUrlText = Annotated[AnyHttpUrl, AfterValidator(str), PlainSerializer(str, return_type=str)]


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("Must be greater than 0.")
    return value


class PackageSize(WriteModel):
    value: Annotated[QuantityIn, AfterValidator(_positive)]
    unit: str = Field(min_length=1, max_length=32, description="A unit code or alias (GET /v1/units)")


class Image(WriteModel):
    """An image the item keeps: an existing one by `id` (this item's or any of the workspace's),
    or by `url` (this item's image with that URL keeps its id; another URL is a new image)."""

    id: int | None = Field(None, ge=1, le=2**62, description="An existing image's id")
    url: HttpUrlText | None = Field(None, description="Required for a new image")
    alt: str | None = Field(None, max_length=500)

    @model_validator(mode="after")
    def _named(self) -> Image:
        if self.id is None and self.url is None:
            raise ValueError("Give the image's id or its url.")
        return self


ChannelName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]


class ChannelIn(WriteModel):
    """A publication on a sales channel, with what the channel shows instead of the item's own."""

    published: Bool = True
    name: ItemName | None = None
    price: NonNegativeMoneyIn | None = Field(None, description="Net price on this channel")
    description: str | None = Field(None, max_length=10_000)
    images: list[Image] | None = Field(None, max_length=20, description=(
        "The images this channel shows instead of the item's (as the item's `images`); null: the item's own"))


class ImageRead(ReadModel):
    id: int = Field(description="The image's number in the workspace; send it back to keep the image")
    url: str
    alt: str | None = None


class ChannelRead(ReadModel):
    published: bool
    name: str | None = None
    price: Money | None = None
    description: str | None = None
    images: list[ImageRead] | None = None


class InitialStock(WriteModel):
    location: str | None = Field(None, max_length=200, description="Location id or name; default location")
    quantity: Annotated[QuantityIn, AfterValidator(_positive)]
    unit_cost: NonNegativeMoneyIn | None = Field(None, description="Default: the item's unit_cost")


class _ItemReadOnly(WriteModel):
    """Fields that the API computes; sending any of them is 422 READONLY_FIELD."""

    id: ReadOnly = None
    number: ReadOnly = None
    on_hand: ReadOnly = None
    reserved: ReadOnly = None
    available: ReadOnly = None
    incoming: ReadOnly = None
    status: ReadOnly = None
    average_cost: ReadOnly = None
    gross_price: ReadOnly = None
    base_price: ReadOnly = None
    base_price_unit: ReadOnly = None
    variant_count: ReadOnly = None
    has_variants: ReadOnly = None
    parent: ReadOnly = None
    components: ReadOnly = None
    locations: ReadOnly = None
    version: ReadOnly = None
    created_at: ReadOnly = None
    updated_at: ReadOnly = None
    deleted_at: ReadOnly = None


class _ItemFields(_ItemReadOnly):
    description: str | None = Field(None, max_length=10_000)
    kind: Kind = None
    tracking: Tracking = None
    unit: str = Field(None, min_length=1, max_length=32, description="A unit code or alias; default pcs")
    barcode: str | None = Field(None, max_length=128)
    brand: ShortText | None = None
    supplier: ShortText | None = None
    category: str | None = Field(None, max_length=40, description=(
        "Category id: the first of `categories`. Sent alone, it replaces the first category and keeps the others; "
        "null takes the item out of every category"))
    categories: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        None, max_length=50, description="Ids of every category the item is in, in order; the first is `category`")
    home_location: str | None = Field(
        None, min_length=1, max_length=200,
        description="Location id or name (an active one): where stock of the item goes when a change names no "
                    "location; null: the default location. A variant takes its parent's unless it names its own")
    tags: list[Tag] = Field(None, max_length=50)
    attributes: dict[ShortText, Attribute] = Field(None, max_length=50)
    reorder_point: NonNegativeQuantityIn = None
    safety_stock: NonNegativeQuantityIn = None
    reorder_quantity: NonNegativeQuantityIn = None
    reorder_urls: list[HttpUrlText] = Field(None, max_length=10)
    unit_cost: NonNegativeMoneyIn | None = None
    price: NonNegativePriceIn | None = Field(None, description="Net sale price, up to 10 decimal places")
    tax_rate: str | None = Field(None, max_length=40, description="Tax rate id; default: the workspace's default rate")
    retail_price: NonNegativeMoneyIn | None = None
    wholesale_price: NonNegativeMoneyIn | None = None
    package_size: PackageSize | None = None
    images: list[Image] = Field(None, max_length=20)
    channels: dict[ChannelName, ChannelIn] = Field(None, max_length=20, description="Sales channels by name")
    metadata: dict[MetadataKey, MetadataValue] = Field(None, max_length=50)
    gift_card: Bool = Field(None, description="A gift card")
    favourite: Bool = Field(None, description="Among the till's favourites")
    open_price: Bool = Field(None, description="The clerk may change the price at the till")
    ad_hoc: Bool = Field(None, description="Made up at checkout (a list filters by it: `ad_hoc`)")


class VariantCreate(_ItemFields):
    sku: Sku
    name: ItemName = Field(None, description="Default: the parent's name and the attribute values")
    initial_stock: list[InitialStock] = Field(None, max_length=100, description="Recorded as `initial` movements")


class ItemCreate(_ItemFields):
    sku: Sku
    name: ItemName
    variants: list[VariantCreate] = Field(
        None, min_length=1, max_length=250,
        description="Makes this item a parent (no stock of its own) of these variants")
    initial_stock: list[InitialStock] = Field(
        None, max_length=100, description="Recorded as `initial` movements (needs stock:write)")


class ItemUpdate(_ItemFields):
    sku: Sku = None
    name: ItemName = None


class PackageSizeRead(ReadModel):
    value: Quantity
    unit: str


class ItemLocationRead(ReadModel):
    location: str
    name: str
    type: str
    on_hand: Quantity
    reserved: Quantity
    available: Quantity
    status: Literal["normal", "low", "critical", "out_of_stock"]


Status = Literal["normal", "low", "critical", "out_of_stock"]


class VariantSummary(ReadModel):
    id: str
    number: NumberInWorkspace
    sku: str
    name: str
    attributes: dict[str, Any]
    on_hand: Quantity
    reserved: Quantity
    available: Quantity
    status: Status
    price: Price | None


class ComponentIn(WriteModel):
    item: str = Field(min_length=1, max_length=200, description="Component id or SKU")
    quantity: Annotated[QuantityIn, AfterValidator(_positive)] = Field(description="Per one unit of the item")
    unit: str | None = Field(None, min_length=1, max_length=32,
                             description="Default: the component's unit; another unit of the same dimension is "
                                         "converted")


class ComponentRead(ReadModel):
    item: str
    sku: str
    name: str
    quantity: Quantity
    unit: str
    component_unit: str
    quantity_in_component_unit: Quantity = Field(description="quantity converted to the component's unit")
    deleted: bool = Field(description="The component is in the trash: a bundle of it makes up nothing")


class DeletedItemRead(ReadModel):
    id: str
    number: NumberInWorkspace
    sku: str
    deleted_at: Timestamp
    purged: bool


class ItemRead(ReadModel):
    id: str
    number: NumberInWorkspace
    sku: str
    name: str
    description: str | None
    kind: Kind
    tracking: Tracking
    unit: str
    barcode: str | None
    brand: str | None
    supplier: str | None
    category: str | None = Field(description="Category id: the first of `categories` (the one reports sum under)")
    categories: list[str] = Field(description="Ids of every category the item is in, in order")
    home_location: str | None = Field(description="Location id: where a stock change that names no location goes "
                                                  "(null: the default location)")
    tags: list[str]
    attributes: dict[str, Any]
    parent: str | None
    has_variants: bool = Field(description="A variant parent: no stock of its own, the sums of its variants")
    variant_count: int
    gift_card: bool
    favourite: bool
    open_price: bool
    ad_hoc: bool
    reorder_point: Quantity
    safety_stock: Quantity
    reorder_quantity: Quantity
    reorder_urls: list[str]
    unit_cost: Money | None
    average_cost: Money | None
    price: Price | None
    tax_rate: str | None
    gross_price: Money | None
    retail_price: Money | None
    wholesale_price: Money | None
    package_size: PackageSizeRead | None
    base_price: Money | None = Field(description="Gross price per base_price_unit (EU unit pricing)")
    base_price_unit: str | None
    images: list[ImageRead]
    channels: dict[str, ChannelRead]
    on_hand: Quantity
    reserved: Quantity
    available: Quantity
    incoming: Quantity = Field(description="Ordered on open purchase orders, not yet received")
    status: Status
    metadata: dict[str, str]
    version: int
    created_at: Timestamp
    updated_at: Timestamp
    deleted_at: Timestamp | None
    locations: list[ItemLocationRead] | None = Field(None, description="Per-location levels (single item only)")
    variants: list[VariantSummary] | None = Field(None, description="A parent's live variants (single item only)")
    components: list[ComponentRead] | None = Field(None, description="Its bill of materials (single item only)")


def _money(value: Decimal | None) -> str | None:
    return format_money(value) if value is not None else None


def item_out(row: dict[str, Any]) -> dict[str, Any]:
    price = join_price(row["price"], row["price_rest"])
    gross = gross_price(price, row["tax_rate_value"])
    # Reservations past expires_at stop counting at once, before the worker marks them.
    due = row.get("due_reserved") or Decimal(0)
    reserved = row["reserved"] - due
    status = row["status"]
    if due:
        available = row["on_hand"] - reserved
        status = stock_status(available, row["safety_stock"], row["reorder_point"], row["tracking"]).value
    per_unit = unit_price(gross, row["package_size_value"], row["package_size_unit"])
    out = {
        "id": row["id"],
        "number": row["number"],
        "sku": row["sku"],
        "name": row["name"],
        "description": row["description"],
        "kind": row["kind"],
        "tracking": row["tracking"],
        "unit": row["unit"],
        "barcode": row["barcode"],
        "brand": row["brand"],
        "supplier": row["supplier"],
        "category": row["category_id"],
        "categories": row["categories"],
        "home_location": row["home_location_id"],
        "tags": row["tags"],
        "attributes": row["attributes"],
        "parent": row["parent_id"],
        "has_variants": row["has_variants"],
        "variant_count": row["variant_count"],
        "gift_card": row["gift_card"],
        "favourite": row["favourite"],
        "open_price": row["open_price"],
        "ad_hoc": row["ad_hoc"],
        "reorder_point": row["reorder_point"],
        "safety_stock": row["safety_stock"],
        "reorder_quantity": row["reorder_quantity"],
        "reorder_urls": row["reorder_urls"],
        "unit_cost": _money(row["unit_cost"]),
        "average_cost": _money(row["average_cost"]),
        "price": _money(price),
        "tax_rate": row["tax_rate_id"],
        "gross_price": _money(gross),
        "retail_price": _money(row["retail_price"]),
        "wholesale_price": _money(row["wholesale_price"]),
        "package_size": (
            {"value": row["package_size_value"], "unit": row["package_size_unit"]}
            if row["package_size_value"] is not None
            else None
        ),
        "base_price": _money(per_unit[0]) if per_unit else None,
        "base_price_unit": per_unit[1] if per_unit else None,
        "images": row["images"],
        "channels": row["channels"],
        "on_hand": row["on_hand"],
        "reserved": reserved,
        "available": row["on_hand"] - reserved,
        "incoming": row["incoming"],
        "status": status,
        "metadata": row["metadata"],
        "version": row["version"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "deleted_at": row["deleted_at"],
    }
    if "locations" in row:
        out["locations"] = [
            {
                "location": level["location_id"],
                "name": level["location_name"],
                "type": level["location_type"],
                "on_hand": level["on_hand"],
                "reserved": level["reserved"],
                "available": level["on_hand"] - level["reserved"],
                "status": stock_status(
                    level["on_hand"] - level["reserved"], row["safety_stock"], row["reorder_point"], row["tracking"]
                ).value,
            }
            for level in row["locations"]
        ]
    if "variants" in row:
        out["variants"] = [
            {"id": v["id"], "number": v["number"], "sku": v["sku"], "name": v["name"], "attributes": v["attributes"],
             "on_hand": v["on_hand"], "reserved": v["reserved"], "available": v["on_hand"] - v["reserved"],
             "status": v["status"], "price": _money(join_price(v["price"], v["price_rest"]))}
            for v in row["variants"]
        ]
    if "components" in row:
        out["components"] = [component_out(c) for c in row["components"]]
    return out


def component_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "item": row["component_id"], "sku": row["sku"], "name": row["name"], "quantity": row["quantity"],
        "unit": row["unit"], "component_unit": row["component_unit"],
        "quantity_in_component_unit": convert(row["quantity"], row["unit"], row["component_unit"]),
        "deleted": row["component_deleted_at"] is not None,
    }


def deleted_out(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "number": row["number"], "sku": row["sku"], "deleted_at": row["deleted_at"],
            "purged": row["purged_at"] is not None}
