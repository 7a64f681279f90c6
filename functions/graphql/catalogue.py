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
from typing import Annotated

import strawberry

from functions.graphql.context import RequestContext
from functions.graphql.errors import api_error
from functions.graphql.results import (
    DEFAULT_PAGE_SIZE,
    EXPECTED_VERSION,
    LOOKUP_ID,
    MAX_PAGE_SIZE,
    NEW_ID,
    PLAIN_LIST_LIMIT,
    VERSION,
    AfterArgument,
    CommandIdArgument,
    CommandResult,
    Connection,
    Edge,
    FirstArgument,
    RequestInfo,
    WaitArgument,
    command_input,
    described_field,
    described_mutation,
    looked_up_id,
    new_id,
    page_size,
    send,
)
from shared.application.product_search import NAME_GRAMS, PRICE_UNITS, price_bounds, search_gram
from shared.application.projections import CATEGORIES, PRODUCTS
from shared.kernel.money import MAX_AMOUNT
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
from shared.messages.fields import MAX_REASON_LENGTH
from shared.readmodels.store import MAX_PAGE_SIZE as STORE_PAGE_LIMIT
from shared.readmodels.store import ReadRecord, Scalar, cursor_after

NAME = "1 to 200 characters after trimming, no control characters but tab and line breaks"
DESCRIPTION = "up to 5,000 characters, no control characters but tab and line breaks"
REASON = f"Why, recorded with the change: 1 to {MAX_REASON_LENGTH} characters."


@strawberry.type(description="A category of the catalogue; every product belongs to one.")
class Category:
    id: strawberry.ID = strawberry.field(description="The category's id.")
    name: str = strawberry.field(description="The category's name (1 to 200 characters).")
    description: str = strawberry.field(
        description="What the category holds (up to 5,000 characters); empty when none was given."
    )
    version: int = strawberry.field(description=VERSION)
    created_at: datetime = strawberry.field(description="When the category was created (RFC 3339, UTC).")
    updated_at: datetime = strawberry.field(description="When the category last changed (RFC 3339, UTC).")

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


@strawberry.type(description="A product for sale: its price, its stock and its category.")
class Product:
    id: strawberry.ID = strawberry.field(description="The product's id.")
    name: str = strawberry.field(description="The product's name (1 to 200 characters).")
    description: str = strawberry.field(
        description="What the product is (up to 5,000 characters); empty when none was given."
    )
    price: str = strawberry.field(
        description="The price: an exact decimal string in `currency`, with its minor unit's decimals, "
        'e.g. "12.50" for EUR.'
    )
    currency: str = strawberry.field(description="The price's currency: an ISO 4217 code, e.g. EUR.")
    stock: int = strawberry.field(description="Units on hand, those reserved for orders included.")
    in_stock: bool = strawberry.field(
        description="Whether a unit can be ordered: some stock is not held by reservations."
    )
    category_id: strawberry.ID = strawberry.field(description="The id of the product's category.")
    version: int = strawberry.field(description=VERSION)
    created_at: datetime = strawberry.field(description="When the product was created (RFC 3339, UTC).")
    updated_at: datetime = strawberry.field(description="When the product last changed (RFC 3339, UTC).")

    @described_field("The product's category; null when the catalogue no longer holds it.")
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


@strawberry.input(description="Which products a list holds: each criterion given must match.")
class ProductFilter:
    category_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the products of this category."
    )
    name_contains: str | None = strawberry.field(
        default=None, description="Only the products whose name contains this text, ignoring case."
    )
    min_price: str | None = strawberry.field(
        default=None,
        description='Only the products priced at least this exact decimal amount, e.g. "10.00", whatever '
        "their currency (BAD_USER_INPUT when not a decimal).",
    )
    max_price: str | None = strawberry.field(
        default=None,
        description='Only the products priced at most this exact decimal amount, e.g. "99.99", whatever '
        "their currency (BAD_USER_INPUT when not a decimal).",
    )
    in_stock: bool | None = strawberry.field(
        default=None,
        description="With true, only the products a unit of which can be ordered (see "
        "`Product.inStock`); with false, only the others.",
    )


@strawberry.input(description="An amount of money: an exact decimal string and its currency.")
class MoneyInput:
    amount: str = strawberry.field(
        description='An exact decimal string, e.g. "12.50", never a float: at most as many decimals as '
        f"the currency's minor unit (2 for EUR, 0 for JPY), below {MAX_AMOUNT:,}."
    )
    currency: str = strawberry.field(description="An ISO 4217 currency code, e.g. EUR (any case).")


@strawberry.input(description="A new category.")
class CreateCategoryInput:
    id: strawberry.ID | None = strawberry.field(default=None, description=NEW_ID.format("category"))
    name: str = strawberry.field(description=f"Its name: {NAME}.")
    description: str = strawberry.field(default="", description=f"What it holds: {DESCRIPTION}.")


@strawberry.input(description="A change to a category: the fields left out keep their value.")
class UpdateCategoryInput:
    id: strawberry.ID = strawberry.field(description="The category's id.")
    name: str | None = strawberry.field(default=None, description=f"Its new name: {NAME}.")
    description: str | None = strawberry.field(
        default=None, description=f"Its new description: {DESCRIPTION}; empty clears it."
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="A new product.")
class CreateProductInput:
    id: strawberry.ID | None = strawberry.field(default=None, description=NEW_ID.format("product"))
    name: str = strawberry.field(description=f"Its name: {NAME}.")
    description: str = strawberry.field(default="", description=f"What it is: {DESCRIPTION}.")
    price: MoneyInput = strawberry.field(description="Its price: above zero (INVALID_PRICE otherwise).")
    category_id: strawberry.ID = strawberry.field(
        description="Its category: an existing category's id (UNKNOWN_CATEGORY otherwise)."
    )
    initial_stock: int = strawberry.field(
        default=0, description="The units on hand it starts with: 0 to 1,000,000,000."
    )


@strawberry.input(
    description="A change to a product's name, description or category (its price and stock have their "
    "own mutations): the fields left out keep their value."
)
class UpdateProductInput:
    id: strawberry.ID = strawberry.field(description="The product's id.")
    name: str | None = strawberry.field(default=None, description=f"Its new name: {NAME}.")
    description: str | None = strawberry.field(
        default=None, description=f"Its new description: {DESCRIPTION}; empty clears it."
    )
    category_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Its new category: an existing category's id (UNKNOWN_CATEGORY otherwise).",
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="A product's new price; orders already placed keep the price they captured.")
class ChangePriceInput:
    product_id: strawberry.ID = strawberry.field(description="The product's id.")
    price: MoneyInput = strawberry.field(description="The new price: above zero (INVALID_PRICE otherwise).")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="Units received into a product's stock.")
class RestockProductInput:
    product_id: strawberry.ID = strawberry.field(description="The product's id.")
    quantity: int = strawberry.field(description="The units received: 1 to 1,000,000,000.")
    reason: str = strawberry.field(default="restock", description=REASON)


@strawberry.input(description="A correction of a product's stock, up or down (a count, a loss).")
class AdjustStockInput:
    product_id: strawberry.ID = strawberry.field(description="The product's id.")
    delta: int = strawberry.field(
        description="The units to add (above 0) or remove (below 0), at most 1,000,000,000 either way; 0 "
        "is rejected with INVALID_QUANTITY, and removing units reserved for orders with INSUFFICIENT_STOCK."
    )
    reason: str = strawberry.field(description=REASON)


def _decimal(value: str | None, field: str) -> Decimal | None:
    if value is None:
        return None
    try:
        parsed = Decimal(value)
    except InvalidOperation:
        parsed = None
    if parsed is None or not parsed.is_finite():
        raise api_error("BAD_USER_INPUT", f"{field} must be a decimal amount", field=field)
    return parsed


def _folded_name(record: ReadRecord) -> str:
    return str(record.data["name"]).casefold()


def _find_products(
    context: RequestContext, product_filter: ProductFilter | None, wanted: int, after: str | None
) -> Connection[Product]:
    """A page of `wanted` products by name, every filter run in the store (shared/application/
    product_search.py): equality, the price range, and for a name search the records holding its first
    characters, of which those whose name holds the whole text are kept, reading on until the page is
    full or the list ends."""
    chosen = product_filter or ProductFilter()
    where: dict[str, Scalar] = {}
    if chosen.category_id is not None:
        where["category_id"] = str(chosen.category_id)
    if chosen.in_stock is not None:
        where["in_stock"] = chosen.in_stock
    low, high = _decimal(chosen.min_price, "minPrice"), _decimal(chosen.max_price, "maxPrice")
    ranges = {PRICE_UNITS: price_bounds(low, high)} if low is not None or high is not None else {}
    needle = chosen.name_contains.casefold() if chosen.name_contains else None
    contains = (NAME_GRAMS, search_gram(needle)) if needle is not None else None
    range_fields = list(ranges)

    found: list[ReadRecord] = []
    cursor = after
    more = True
    while more and len(found) <= wanted:
        # A name search may leave out some of what it reads (names holding only its first characters):
        # it then reads on, a page at a time.
        fetch = min(wanted + 1, STORE_PAGE_LIMIT)
        page = context.reads.find(
            PRODUCTS.model, where, "name", limit=fetch, cursor=cursor, contains=contains, ranges=ranges
        )
        found += [
            record
            for record in page.records
            if needle is None or needle in str(record.data["name"]).casefold()
        ]
        cursor, more = page.next_cursor, page.next_cursor is not None
    shown = found[:wanted]
    edges = [
        Edge(cursor=cursor_after(record, "name", range_fields=range_fields), node=Product.of(record))
        for record in shown
    ]
    return Connection.page(edges, has_next_page=len(found) > wanted, after=after)


def _money(money: MoneyInput) -> dict[str, str]:
    return {"amount": money.amount, "currency": money.currency}


@strawberry.type
class CatalogueQuery:
    @described_field("Every category, by name. Open to everyone.")
    def categories(self, info: RequestInfo) -> list[Category]:
        records: list[ReadRecord] = []
        cursor: str | None = None
        while True:
            page = info.context.reads.find(CATEGORIES.model, {}, "name", 500, cursor)
            records += page.records
            if page.next_cursor is None:
                return [Category.of(record) for record in records]
            cursor = page.next_cursor

    @described_field("A category by its id; null when there is none. Open to everyone.")
    def category(
        self,
        info: RequestInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description=LOOKUP_ID.format("category"))],
    ) -> Category | None:
        record = info.context.reads.get(CATEGORIES.model, looked_up_id(id))
        return Category.of(record) if record is not None else None

    @described_field(  # a plain list, the seed's shape; pages: productsConnection
        f"Products by name, as a plain list: every match up to {PLAIN_LIST_LIMIT} (more is "
        "BAD_USER_INPUT: page them), or one page when `first` or `after` is given. Open to everyone."
    )
    def products(
        self,
        info: RequestInfo,
        filter: Annotated[
            ProductFilter | None, strawberry.argument(description="Which products; absent: all of them.")
        ] = None,
        first: Annotated[
            int | None,
            strawberry.argument(
                description=f"Answer one page of this many: 1 to {MAX_PAGE_SIZE} (BAD_USER_INPUT "
                f"otherwise); {DEFAULT_PAGE_SIZE} when only `after` is given."
            ),
        ] = None,
        after: AfterArgument = None,
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

    @described_field("Products by name, a page at a time (a Relay connection). Open to everyone.")
    def products_connection(
        self,
        info: RequestInfo,
        filter: Annotated[
            ProductFilter | None, strawberry.argument(description="Which products; absent: all of them.")
        ] = None,
        first: FirstArgument = None,
        after: AfterArgument = None,
    ) -> Connection[Product]:
        return _find_products(info.context, filter, page_size(first), after)

    @described_field("A product by its id; null when there is none. Open to everyone.")
    def product(
        self,
        info: RequestInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description=LOOKUP_ID.format("product"))],
    ) -> Product | None:
        record = info.context.reads.get(PRODUCTS.model, looked_up_id(id))
        return Product.of(record) if record is not None else None


@strawberry.type
class CatalogueMutation:
    @described_mutation("Adds a category. Admins only; rejected with ALREADY_EXISTS when its id is taken.")
    async def create_category(
        self,
        info: RequestInfo,
        input: Annotated[CreateCategoryInput, strawberry.argument(description="The new category.")],
        wait: WaitArgument = True,
        command_id: CommandIdArgument = None,
    ) -> CommandResult:
        with command_input():
            command = CreateCategory(
                category_id=new_id(info, input.id, command_id), name=input.name, description=input.description
            )
        return await send(info, command, wait, command_id)

    @described_mutation(
        "Renames or redescribes a category. Admins only; rejected with NOT_FOUND or STALE_VERSION."
    )
    async def update_category(
        self,
        info: RequestInfo,
        input: Annotated[
            UpdateCategoryInput, strawberry.argument(description="The category and its changes.")
        ],
        wait: WaitArgument = True,
        command_id: CommandIdArgument = None,
    ) -> CommandResult:
        with command_input():
            command = UpdateCategory(
                category_id=str(input.id),
                name=input.name,
                description=input.description,
                expected_version=input.expected_version,
            )
        return await send(info, command, wait, command_id)

    @described_mutation(
        "Deletes a category no product uses. Admins only; rejected with NOT_FOUND, "
        "STALE_VERSION or CATEGORY_IN_USE."
    )
    async def delete_category(
        self,
        info: RequestInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The category's id.")],
        expected_version: Annotated[int | None, strawberry.argument(description=EXPECTED_VERSION)] = None,
        wait: WaitArgument = True,
        command_id: CommandIdArgument = None,
    ) -> CommandResult:
        with command_input():
            command = DeleteCategory(category_id=str(id), expected_version=expected_version)
        return await send(info, command, wait, command_id, deleting=True)

    @described_mutation(
        "Adds a product. Admins only; rejected with ALREADY_EXISTS, INVALID_PRICE or UNKNOWN_CATEGORY."
    )
    async def create_product(
        self,
        info: RequestInfo,
        input: Annotated[CreateProductInput, strawberry.argument(description="The new product.")],
        wait: WaitArgument = True,
        command_id: CommandIdArgument = None,
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

    @described_mutation(
        "Changes a product's name, description or category. Admins only; rejected with "
        "NOT_FOUND, STALE_VERSION or UNKNOWN_CATEGORY."
    )
    async def update_product(
        self,
        info: RequestInfo,
        input: Annotated[UpdateProductInput, strawberry.argument(description="The product and its changes.")],
        wait: WaitArgument = True,
        command_id: CommandIdArgument = None,
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

    @described_mutation(
        "Changes a product's price. Admins only; rejected with NOT_FOUND, STALE_VERSION or INVALID_PRICE."
    )
    async def change_price(
        self,
        info: RequestInfo,
        input: Annotated[ChangePriceInput, strawberry.argument(description="The product and its new price.")],
        wait: WaitArgument = True,
        command_id: CommandIdArgument = None,
    ) -> CommandResult:
        with command_input():
            command = ChangePrice(
                product_id=str(input.product_id),
                price=_money(input.price),
                expected_version=input.expected_version,
            )
        return await send(info, command, wait, command_id)

    @described_mutation("Adds received units to a product's stock. Admins only; rejected with NOT_FOUND.")
    async def restock_product(
        self,
        info: RequestInfo,
        input: Annotated[
            RestockProductInput, strawberry.argument(description="The product and the units received.")
        ],
        wait: WaitArgument = True,
        command_id: CommandIdArgument = None,
    ) -> CommandResult:
        with command_input():
            command = RestockProduct(
                product_id=str(input.product_id), quantity=input.quantity, reason=input.reason
            )
        return await send(info, command, wait, command_id)

    @described_mutation(
        "Corrects a product's stock, up or down. Admins only; rejected with NOT_FOUND, "
        "INVALID_QUANTITY or INSUFFICIENT_STOCK."
    )
    async def adjust_stock(
        self,
        info: RequestInfo,
        input: Annotated[
            AdjustStockInput, strawberry.argument(description="The product and the correction.")
        ],
        wait: WaitArgument = True,
        command_id: CommandIdArgument = None,
    ) -> CommandResult:
        with command_input():
            command = AdjustStock(product_id=str(input.product_id), delta=input.delta, reason=input.reason)
        return await send(info, command, wait, command_id)

    @described_mutation(
        "Deletes a product that holds no stock reserved for orders. Admins only; rejected with "
        "NOT_FOUND, STALE_VERSION or STOCK_RESERVED."
    )
    async def delete_product(
        self,
        info: RequestInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The product's id.")],
        expected_version: Annotated[int | None, strawberry.argument(description=EXPECTED_VERSION)] = None,
        wait: WaitArgument = True,
        command_id: CommandIdArgument = None,
    ) -> CommandResult:
        with command_input():
            command = DeleteProduct(product_id=str(id), expected_version=expected_version)
        return await send(info, command, wait, command_id, deleting=True)
