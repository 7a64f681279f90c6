"""The catalogue in GraphQL: categories and products over the read models, and a mutation per catalogue
command.

The seed system's queries keep working unchanged: `{ categories { id name } }` and
`{ products { id name price category { id name } } }` (so `products` stays a plain list, with optional
filter and paging arguments); Relay-style paging is `productsConnection`. `Product.category` goes through
a per-request DataLoader: one read-model query for all the categories of a page, whatever its size.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

import strawberry

from functions.graphql.context import RequestContext
from functions.graphql.errors import api_error
from functions.graphql.results import (
    PLAIN_LIST_LIMIT,
    CommandResult,
    Connection,
    Edge,
    RequestInfo,
    command_input,
    looked_up_id,
    new_id,
    page_size,
    send,
)
from shared.application.projections import CATEGORIES, PRODUCTS
from shared.messages.catalogue import (
    AdjustStock,
    ChangePrice,
    CreateCategory,
    CreateProduct,
    DeleteCategory,
    DeleteProduct,
    RestockProduct,
    UpdateCategory,
    UpdateProduct,
)
from shared.readmodels.store import MAX_PAGE_SIZE as STORE_PAGE_LIMIT
from shared.readmodels.store import ReadRecord, Scalar, cursor_after


@strawberry.type
class Category:
    id: strawberry.ID
    name: str
    description: str
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, record: ReadRecord) -> Category:
        data = record.data
        return cls(
            id=strawberry.ID(record.key),
            name=str(data["name"]),
            description=str(data.get("description", "")),
            version=record.version,
            created_at=datetime.fromisoformat(str(data["created_at"])),
            updated_at=datetime.fromisoformat(str(data["updated_at"])),
        )


@strawberry.type
class Product:
    id: strawberry.ID
    name: str
    description: str
    price: str = strawberry.field(description="the exact amount, as a decimal string, in `currency`")
    currency: str
    stock: int
    in_stock: bool
    category_id: strawberry.ID
    version: int
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    async def category(self, info: RequestInfo) -> Category | None:
        record = await info.context.categories.load(str(self.category_id))
        return Category.of(record) if record is not None else None

    @classmethod
    def of(cls, record: ReadRecord) -> Product:
        data = record.data
        return cls(
            id=strawberry.ID(record.key),
            name=str(data["name"]),
            description=str(data.get("description", "")),
            price=str(data["price"]),
            currency=str(data["currency"]),
            stock=int(str(data["stock"])),
            in_stock=bool(data["in_stock"]),
            category_id=strawberry.ID(str(data["category_id"])),
            version=record.version,
            created_at=datetime.fromisoformat(str(data["created_at"])),
            updated_at=datetime.fromisoformat(str(data["updated_at"])),
        )


@strawberry.input
class ProductFilter:
    category_id: strawberry.ID | None = None
    name_contains: str | None = None
    min_price: str | None = None
    max_price: str | None = None
    in_stock: bool | None = None


@strawberry.input
class MoneyInput:
    amount: str = strawberry.field(description='an exact decimal amount, e.g. "12.50"')
    currency: str = strawberry.field(description="an ISO 4217 code, e.g. EUR")


@strawberry.input
class CreateCategoryInput:
    id: strawberry.ID | None = strawberry.field(default=None, description="chosen by the server when absent")
    name: str
    description: str = ""


@strawberry.input
class UpdateCategoryInput:
    id: strawberry.ID
    name: str | None = None
    description: str | None = None
    expected_version: int | None = None


@strawberry.input
class CreateProductInput:
    id: strawberry.ID | None = strawberry.field(default=None, description="chosen by the server when absent")
    name: str
    description: str = ""
    price: MoneyInput
    category_id: strawberry.ID
    initial_stock: int = 0


@strawberry.input
class UpdateProductInput:
    id: strawberry.ID
    name: str | None = None
    description: str | None = None
    category_id: strawberry.ID | None = None
    expected_version: int | None = None


@strawberry.input
class ChangePriceInput:
    product_id: strawberry.ID
    price: MoneyInput
    expected_version: int | None = None


@strawberry.input
class RestockProductInput:
    product_id: strawberry.ID
    quantity: int
    reason: str = "restock"


@strawberry.input
class AdjustStockInput:
    product_id: strawberry.ID
    delta: int
    reason: str


def _decimal(value: str | None, field: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise api_error("BAD_USER_INPUT", f"{field} must be a decimal amount", field=field) from None


def _find_products(
    context: RequestContext, product_filter: ProductFilter | None, wanted: int, after: str | None
) -> Connection[Product]:
    """A page of `wanted` products by name. Equality filters run in the store; the rest (substring, price
    range) are applied to the store's pages here, reading on until the page is full or the list ends."""
    chosen = product_filter or ProductFilter()
    where: dict[str, Scalar] = {}
    if chosen.category_id is not None:
        where["category_id"] = str(chosen.category_id)
    if chosen.in_stock is not None:
        where["in_stock"] = chosen.in_stock
    low, high = _decimal(chosen.min_price, "minPrice"), _decimal(chosen.max_price, "maxPrice")
    needle = chosen.name_contains.casefold() if chosen.name_contains else None

    def matches(record: ReadRecord) -> bool:
        price = Decimal(str(record.data["price"]))
        return (
            (needle is None or needle in str(record.data["name"]).casefold())
            and (low is None or price >= low)
            and (high is None or price <= high)
        )

    found: list[ReadRecord] = []
    cursor = after
    more = True
    while more and len(found) <= wanted:
        fetch = min(wanted + 1, STORE_PAGE_LIMIT) if needle is None and low is None and high is None else 200
        page = context.reads.find(PRODUCTS.model, where, "name", fetch, cursor)
        found += [record for record in page.records if matches(record)]
        cursor, more = page.next_cursor, page.next_cursor is not None
    shown = found[:wanted]
    edges = [Edge(cursor=cursor_after(record, "name"), node=Product.of(record)) for record in shown]
    return Connection.page(edges, has_next_page=len(found) > wanted, after=after)


def _money(money: MoneyInput) -> dict[str, str]:
    return {"amount": money.amount, "currency": money.currency}


@strawberry.type
class CatalogueQuery:
    @strawberry.field
    def categories(self, info: RequestInfo) -> list[Category]:
        records: list[ReadRecord] = []
        cursor: str | None = None
        while True:
            page = info.context.reads.find(CATEGORIES.model, {}, "name", 500, cursor)
            records += page.records
            if page.next_cursor is None:
                return [Category.of(record) for record in records]
            cursor = page.next_cursor

    @strawberry.field
    def category(self, info: RequestInfo, id: strawberry.ID) -> Category | None:
        record = info.context.reads.get(CATEGORIES.model, looked_up_id(id))
        return Category.of(record) if record is not None else None

    @strawberry.field  # a plain list, the seed's shape; pages: productsConnection
    def products(
        self,
        info: RequestInfo,
        filter: ProductFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> list[Product]:
        if first is not None or after is not None:
            return [edge.node for edge in _find_products(info.context, filter, page_size(first), after).edges]
        everything = _find_products(info.context, filter, PLAIN_LIST_LIMIT, None)
        if everything.page_info.has_next_page:
            raise api_error(
                "BAD_USER_INPUT",
                f"more than {PLAIN_LIST_LIMIT} products match, the most a plain list answers: "
                "page them with productsConnection(first, after), or pass first and after here",
                field="products",
                limit=PLAIN_LIST_LIMIT,
            )
        return [edge.node for edge in everything.edges]

    @strawberry.field
    def products_connection(
        self,
        info: RequestInfo,
        filter: ProductFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Product]:
        return _find_products(info.context, filter, page_size(first), after)

    @strawberry.field
    def product(self, info: RequestInfo, id: strawberry.ID) -> Product | None:
        record = info.context.reads.get(PRODUCTS.model, looked_up_id(id))
        return Product.of(record) if record is not None else None


@strawberry.type
class CatalogueMutation:
    @strawberry.mutation
    async def create_category(
        self,
        info: RequestInfo,
        input: CreateCategoryInput,
        wait: bool = True,
        command_id: strawberry.ID | None = None,
    ) -> CommandResult:
        with command_input():
            command = CreateCategory(
                category_id=new_id(info, input.id, command_id), name=input.name, description=input.description
            )
        return await send(info, command, wait, command_id)

    @strawberry.mutation
    async def update_category(
        self,
        info: RequestInfo,
        input: UpdateCategoryInput,
        wait: bool = True,
        command_id: strawberry.ID | None = None,
    ) -> CommandResult:
        with command_input():
            command = UpdateCategory(
                category_id=str(input.id),
                name=input.name,
                description=input.description,
                expected_version=input.expected_version,
            )
        return await send(info, command, wait, command_id)

    @strawberry.mutation
    async def delete_category(
        self,
        info: RequestInfo,
        id: strawberry.ID,
        expected_version: int | None = None,
        wait: bool = True,
        command_id: strawberry.ID | None = None,
    ) -> CommandResult:
        with command_input():
            command = DeleteCategory(category_id=str(id), expected_version=expected_version)
        return await send(info, command, wait, command_id, deleting=True)

    @strawberry.mutation
    async def create_product(
        self,
        info: RequestInfo,
        input: CreateProductInput,
        wait: bool = True,
        command_id: strawberry.ID | None = None,
    ) -> CommandResult:
        with command_input():
            command = CreateProduct(
                product_id=new_id(info, input.id, command_id),
                name=input.name,
                description=input.description,
                price=_money(input.price),
                category_id=str(input.category_id),
                initial_stock=input.initial_stock,
            )
        return await send(info, command, wait, command_id)

    @strawberry.mutation
    async def update_product(
        self,
        info: RequestInfo,
        input: UpdateProductInput,
        wait: bool = True,
        command_id: strawberry.ID | None = None,
    ) -> CommandResult:
        with command_input():
            command = UpdateProduct(
                product_id=str(input.id),
                name=input.name,
                description=input.description,
                category_id=str(input.category_id) if input.category_id is not None else None,
                expected_version=input.expected_version,
            )
        return await send(info, command, wait, command_id)

    @strawberry.mutation
    async def change_price(
        self,
        info: RequestInfo,
        input: ChangePriceInput,
        wait: bool = True,
        command_id: strawberry.ID | None = None,
    ) -> CommandResult:
        with command_input():
            command = ChangePrice(
                product_id=str(input.product_id),
                price=_money(input.price),
                expected_version=input.expected_version,
            )
        return await send(info, command, wait, command_id)

    @strawberry.mutation
    async def restock_product(
        self,
        info: RequestInfo,
        input: RestockProductInput,
        wait: bool = True,
        command_id: strawberry.ID | None = None,
    ) -> CommandResult:
        with command_input():
            command = RestockProduct(
                product_id=str(input.product_id), quantity=input.quantity, reason=input.reason
            )
        return await send(info, command, wait, command_id)

    @strawberry.mutation
    async def adjust_stock(
        self,
        info: RequestInfo,
        input: AdjustStockInput,
        wait: bool = True,
        command_id: strawberry.ID | None = None,
    ) -> CommandResult:
        with command_input():
            command = AdjustStock(product_id=str(input.product_id), delta=input.delta, reason=input.reason)
        return await send(info, command, wait, command_id)

    @strawberry.mutation
    async def delete_product(
        self,
        info: RequestInfo,
        id: strawberry.ID,
        expected_version: int | None = None,
        wait: bool = True,
        command_id: strawberry.ID | None = None,
    ) -> CommandResult:
        with command_input():
            command = DeleteProduct(product_id=str(id), expected_version=expected_version)
        return await send(info, command, wait, command_id, deleting=True)
