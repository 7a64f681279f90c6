"""Catalogue commands and events: the payloads of their envelopes, one pydantic model each.

Commands say what a user asks for; events say what happened. The `type` of an envelope is the model's
class name; the command registry (shared/application/registry.py) maps a command's type back to its model,
and `CATEGORY_EVENTS` / `PRODUCT_EVENTS` map each aggregate's event types to theirs.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.kernel.money import Money
from shared.messages.fields import Description, EntityId, Name, Reason


class Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CatalogueCommand(Message):
    """A command may name the version it was decided against: a mismatch is a stale update."""

    expected_version: int | None = Field(default=None, ge=0)


# Category commands -----------------------------------------------------------------------------------


class CreateCategory(CatalogueCommand):
    category_id: EntityId
    name: Name
    description: Description = ""


class UpdateCategory(CatalogueCommand):
    category_id: EntityId
    name: Name | None = None
    description: Description | None = None


class DeleteCategory(CatalogueCommand):
    category_id: EntityId


# Product commands ------------------------------------------------------------------------------------


class CreateProduct(CatalogueCommand):
    product_id: EntityId
    name: Name
    description: Description = ""
    price: Money
    category_id: EntityId
    initial_stock: int = Field(default=0, ge=0, le=1_000_000_000)


class UpdateProduct(CatalogueCommand):
    product_id: EntityId
    name: Name | None = None
    description: Description | None = None
    category_id: EntityId | None = None


class ChangePrice(CatalogueCommand):
    product_id: EntityId
    price: Money


class RestockProduct(CatalogueCommand):
    product_id: EntityId
    quantity: int = Field(gt=0, le=1_000_000_000)
    reason: Reason = "restock"


class AdjustStock(CatalogueCommand):
    product_id: EntityId
    delta: int = Field(ge=-1_000_000_000, le=1_000_000_000)
    reason: Reason


class DeleteProduct(CatalogueCommand):
    product_id: EntityId


# Events ----------------------------------------------------------------------------------------------


class CategoryCreated(Message):
    name: str
    description: str


class CategoryUpdated(Message):
    name: str
    description: str


class CategoryDeleted(Message):
    pass


class ProductCreated(Message):
    name: str
    description: str
    price: Money
    category_id: str
    stock: int


class ProductUpdated(Message):
    name: str
    description: str
    category_id: str


class ProductPriceChanged(Message):
    price: Money
    previous_price: Money


class StockAdjusted(Message):
    """Stock went up or down (restock, correction, shrinkage); `stock` is the level after it."""

    delta: int
    stock: int
    reason: str


class ProductDeleted(Message):
    category_id: str


CategoryCommand = CreateCategory | UpdateCategory | DeleteCategory
ProductCommand = CreateProduct | UpdateProduct | ChangePrice | RestockProduct | AdjustStock | DeleteProduct
CategoryEvent = CategoryCreated | CategoryUpdated | CategoryDeleted
ProductEvent = ProductCreated | ProductUpdated | ProductPriceChanged | StockAdjusted | ProductDeleted


def by_name(*models: type[Message]) -> dict[str, type[Message]]:
    """Models keyed by their class name: an envelope's `type`."""
    return {model.__name__: model for model in models}


CATEGORY_EVENTS = by_name(CategoryCreated, CategoryUpdated, CategoryDeleted)
PRODUCT_EVENTS = by_name(ProductCreated, ProductUpdated, ProductPriceChanged, StockAdjusted, ProductDeleted)
