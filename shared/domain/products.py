"""The Product aggregate as pure decide/evolve functions: its details, price and stock, and the
reservations that hold its stock for orders.

Reservations live on the product's own stream so that one version decides both them and stock
adjustments: available stock (stock on hand minus what is reserved) never goes negative. The fulfilment
saga's messages arrive duplicated and out of order, so each order gets one answer per product, ever: once
reserved, refused, committed or released, later reserves for that order change nothing, and a release that
overtakes its reserve still settles the order. Facts (does the category exist, what is held for the order)
are gathered by the command handler, so this module stays free of I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from shared.domain.rejection import Rejected, check_expected_version
from shared.kernel.money import Money
from shared.messages.catalogue import (
    AdjustStock,
    ChangePrice,
    CreateProduct,
    DeleteProduct,
    ProductCommand,
    ProductCreated,
    ProductDeleted,
    ProductEvent,
    ProductPriceChanged,
    ProductUpdated,
    RestockProduct,
    StockAdjusted,
    UpdateProduct,
)
from shared.messages.orders import (
    CommitReservation,
    ReleaseReservation,
    ReservationCommand,
    ReservationCommitted,
    ReservationEvent,
    ReservationReleased,
    ReserveStock,
    StockReservationFailed,
    StockReserved,
)

AnyProductCommand = ProductCommand | ReservationCommand
AnyProductEvent = ProductEvent | ReservationEvent


@dataclass(frozen=True, slots=True)
class ProductState:
    version: int = 0
    created: bool = False
    deleted: bool = False
    name: str = ""
    description: str = ""
    price: Money | None = None
    category_id: str = ""
    stock: int = 0
    # (order id, quantity) pairs, sorted: a tuple keeps the state frozen and snapshots JSON-friendly.
    reserved: tuple[tuple[str, int], ...] = ()
    # Orders whose reservation is over (refused, released or committed): they never reserve here again.
    settled: frozenset[str] = frozenset()
    committed: frozenset[str] = frozenset()

    @property
    def live(self) -> bool:
        return self.created and not self.deleted

    @property
    def available(self) -> int:
        return self.stock - sum(quantity for _, quantity in self.reserved)

    def reservation(self, order_id: str) -> int | None:
        return dict(self.reserved).get(order_id)


@dataclass(frozen=True, slots=True)
class ProductFacts:
    """`category_exists` is about the category the command names (None when it names none)."""

    category_exists: bool | None = None


def _require_category(category_id: str, facts: ProductFacts) -> None:
    if facts.category_exists is None:
        raise ValueError("this decision needs to know whether the category exists")
    if not facts.category_exists:
        raise Rejected("UNKNOWN_CATEGORY", f"category {category_id} does not exist", "categoryId")


def _require_positive(price: Money) -> None:
    if price.amount <= 0:
        raise Rejected(
            "INVALID_PRICE", f"a price must be positive, got {price.amount} {price.currency}", "price"
        )


def decide_product(
    state: ProductState, command: AnyProductCommand, facts: ProductFacts = ProductFacts()
) -> list[AnyProductEvent]:
    if isinstance(command, ReserveStock | ReleaseReservation | CommitReservation):
        if not state.created:
            raise Rejected("NOT_FOUND", f"product {command.product_id} does not exist", "productId")
        return _decide_reservation(state, command)
    if isinstance(command, CreateProduct):
        if state.created:
            raise Rejected("ALREADY_EXISTS", f"product {command.product_id} already exists", "productId")
        _require_positive(command.price)
        _require_category(command.category_id, facts)
        return [
            ProductCreated(
                name=command.name,
                description=command.description,
                price=command.price,
                category_id=command.category_id,
                stock=command.initial_stock,
            )
        ]
    if not state.live:
        raise Rejected("NOT_FOUND", f"product {command.product_id} does not exist", "productId")
    check_expected_version(state.version, command.expected_version)
    if isinstance(command, UpdateProduct):
        return _update(state, command, facts)
    if isinstance(command, ChangePrice):
        _require_positive(command.price)
        if command.price == state.price:
            return []
        assert state.price is not None
        return [ProductPriceChanged(price=command.price, previous_price=state.price)]
    if isinstance(command, RestockProduct | AdjustStock):
        return _adjust(state, command)
    if not isinstance(command, DeleteProduct):
        raise TypeError(f"not a product command: {command!r}")
    if state.reserved:
        raise Rejected(
            "STOCK_RESERVED",
            f"product {command.product_id} has stock reserved for {len(state.reserved)} order(s)",
            "productId",
        )
    return [ProductDeleted(category_id=state.category_id)]


def _update(state: ProductState, command: UpdateProduct, facts: ProductFacts) -> list[AnyProductEvent]:
    category_id = command.category_id if command.category_id is not None else state.category_id
    if category_id != state.category_id:
        _require_category(category_id, facts)
    updated = ProductUpdated(
        name=command.name if command.name is not None else state.name,
        description=command.description if command.description is not None else state.description,
        category_id=category_id,
    )
    if (updated.name, updated.description, updated.category_id) == (
        state.name,
        state.description,
        state.category_id,
    ):
        return []
    return [updated]


def _adjust(state: ProductState, command: RestockProduct | AdjustStock) -> list[AnyProductEvent]:
    delta = command.quantity if isinstance(command, RestockProduct) else command.delta
    if delta == 0:
        raise Rejected("INVALID_QUANTITY", "a stock adjustment must change the stock", "delta")
    if state.available + delta < 0:
        raise Rejected(
            "INSUFFICIENT_STOCK",
            f"stock is {state.stock} with {state.stock - state.available} reserved; "
            f"removing {-delta} would leave less than is reserved",
            "delta",
        )
    return [StockAdjusted(delta=delta, stock=state.stock + delta, reason=command.reason)]


def _decide_reservation(state: ProductState, command: ReservationCommand) -> list[AnyProductEvent]:
    order_id = command.order_id
    held = state.reservation(order_id)
    if isinstance(command, ReserveStock):
        return _reserve(state, command, held)
    if isinstance(command, ReleaseReservation):
        if held is not None:
            return [ReservationReleased(order_id=order_id, quantity=held)]
        if order_id in state.settled:
            return []
        # Released before it was reserved: record it, so the reserve still on its way changes nothing.
        return [ReservationReleased(order_id=order_id, quantity=0)]
    if held is not None:
        return [ReservationCommitted(order_id=order_id, quantity=held, stock=state.stock - held)]
    if order_id in state.committed:
        return []
    raise Rejected(
        "NO_RESERVATION",
        f"product {command.product_id} holds no stock for order {order_id}: nothing to commit",
        "orderId",
    )


def _reserve(state: ProductState, command: ReserveStock, held: int | None) -> list[AnyProductEvent]:
    order_id, quantity = command.order_id, command.quantity
    if held is not None:
        if held == quantity:
            return []
        raise Rejected(
            "ALREADY_RESERVED",
            f"order {order_id} already holds {held} of product {command.product_id}, not {quantity}",
            "quantity",
        )
    if order_id in state.settled:
        return []
    available = state.available
    if state.deleted or quantity > available:
        reason = "PRODUCT_UNAVAILABLE" if state.deleted else "OUT_OF_STOCK"
        return [
            StockReservationFailed(order_id=order_id, quantity=quantity, available=available, reason=reason)
        ]
    return [StockReserved(order_id=order_id, quantity=quantity, available=available - quantity)]


def evolve_product(state: ProductState, event: AnyProductEvent) -> ProductState:
    state = replace(state, version=state.version + 1)
    if isinstance(event, ProductCreated):
        return replace(
            state,
            created=True,
            name=event.name,
            description=event.description,
            price=event.price,
            category_id=event.category_id,
            stock=event.stock,
        )
    if isinstance(event, ProductUpdated):
        return replace(state, name=event.name, description=event.description, category_id=event.category_id)
    if isinstance(event, ProductPriceChanged):
        return replace(state, price=event.price)
    if isinstance(event, StockAdjusted):
        return replace(state, stock=event.stock)
    if isinstance(event, StockReserved):
        return replace(state, reserved=tuple(sorted((*state.reserved, (event.order_id, event.quantity)))))
    if isinstance(event, StockReservationFailed | ReservationReleased):
        return _settle(state, event.order_id)
    if isinstance(event, ReservationCommitted):
        settled = _settle(state, event.order_id)
        return replace(settled, stock=event.stock, committed=state.committed | {event.order_id})
    return replace(state, deleted=True)


def _settle(state: ProductState, order_id: str) -> ProductState:
    return replace(
        state,
        reserved=tuple(pair for pair in state.reserved if pair[0] != order_id),
        settled=state.settled | {order_id},
    )
