"""The inventorum API's request bodies (seed 004), with its field names and types: they validate
requests (refusals are `400 common.serializer_error` naming each field) and make the facade's
OpenAPI document. Numbers are taken as JSON numbers or numeric strings, exactly, as the
document's examples send both (`"quantity": 200`, `"package_size_value": "1"`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from storekeeper.api.schemas.common import (
    Bool,
    NonNegativeMoneyIn,
    NonNegativePriceIn,
    NonNegativeQuantityIn,
    QuantityIn,
    WriteModel,
)
from storekeeper.compat.inventorum.ids import Id

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
ShortText = Annotated[str, StringConstraints(max_length=200)]
AttributeValue = Annotated[str, StringConstraints(max_length=200)]
# One value or a list of them: the document sends both ("size": "22", "size": ["S"]).
Attribute = AttributeValue | Annotated[list[AttributeValue], Field(max_length=50)]
PackageUnit = Literal["ml", "l", "g", "kg", "m", "m2", "m3", "pc"]


class CategoryRef(WriteModel):
    id: Id


class ImageRef(WriteModel):
    """An image the workspace has (`images[].id` of any product, or of /v1's items)."""

    id: int = Field(ge=1, le=2**62, description="ID of an existing image")
    new: Bool = Field(True, description="Always true")


ChannelName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]


class ChannelMeta(BaseModel):
    """A channel's overrides; what else the document sends in it (its ids, tax_type) is not kept."""

    model_config = ConfigDict(extra="ignore")

    name: Annotated[str, StringConstraints(max_length=500)] | None = None
    description: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    price: NonNegativeMoneyIn | None = None
    images: list[ImageRef] | None = Field(None, max_length=20, description=(
        "The images the channel shows instead of the product's: existing images of the workspace, by id"))


class _ProductFields(WriteModel):
    quantity: NonNegativeQuantityIn = Field(None, description="Stock (on create: the initial stock)")
    reorder_level: NonNegativeQuantityIn = Field(None, description="Default: 0")
    safety_stock: NonNegativeQuantityIn = Field(None, description="Default: 0")
    price: NonNegativePriceIn = Field(None, description="Net price, up to 10 decimal places")
    purchase_price: NonNegativeMoneyIn = Field(None, description="Wholesale price")
    custom_price: Bool = Field(None, description="The price may be overridden in the POS. Default: false")
    is_giftcard: Bool = None
    custom_sale: Bool = None
    is_favourite: Bool = None
    product_code: ShortText | None = None
    ean: Annotated[str, StringConstraints(max_length=128)] | None = None
    brand: ShortText | None = None
    supplier: ShortText | None = None
    description: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    attributes: dict[ShortText, Attribute] = Field(None, max_length=50)
    categories: list[CategoryRef] = Field(None, max_length=50)
    images: list[ImageRef] = Field(None, max_length=20, description=(
        "The product's images afterwards: existing images of the workspace, by id (V8 on create)"))
    package_size_value: Annotated[QuantityIn, Field(gt=0)] | None = None
    package_size_unit: PackageUnit | None = None
    meta: dict[ChannelName, ChannelMeta | None] = Field(None, max_length=20, description=(
        "Per channel (shop, ebay, atalanda, click_and_collect …): the name, description and net price it "
        "shows instead of the product's"))


class VariationIn(_ProductFields):
    id: Id | None = Field(None, description="An existing variation (kept); without id, a new one")
    tax_type: Id | None = None


class ProductCreate(_ProductFields):
    """`POST /products/`: a product, or with `variations` (V8) a product with variants."""

    name: Name
    tax_type: Id = Field(description="ID of an existing tax rate")
    variations: list[VariationIn] = Field(None, max_length=100)


class ProductUpdate(_ProductFields):
    """`PUT /products/{id}/`: only the fields to change."""

    name: Name = None
    tax_type: Id = None
    variations: list[VariationIn] = Field(None, max_length=100)


class StockAdjustment(WriteModel):
    quantity: QuantityIn = Field(description="Positive (increase) or negative (decrease)", examples=["200.5"])
    note: Annotated[str, StringConstraints(max_length=2000)] = Field(description='For no reason, ""')
    price: NonNegativeMoneyIn = Field(description="Purchase price of the added stock", examples=["10.50"])
    date: Annotated[str, StringConstraints(pattern=r"^\d{2}\.\d{2}\.\d{4}$")] = Field(
        description="DD.MM.YYYY", examples=["20.01.2018"])


class AdjustInventory(WriteModel):
    """`PUT /products/{id}/adjust_inventory/`."""

    stock: StockAdjustment
