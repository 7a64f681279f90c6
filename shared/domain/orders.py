"""The Order aggregate: placing with prices captured from the catalogue, cancelling, and its progress.

The fulfilment saga drives an order forward (reserved; then paid and shipping in one step, since nothing
happens between the two; completed) and closes it when it was cancelled; the order's own stream is the
one place where a cancel and the start of shipping meet, so exactly one of them wins: once shipping has
started a customer or admin can no longer cancel, and once a cancel was requested (CANCELLING) shipping
cannot start and no shipment leaves. The saga itself cancels the moment it decides to compensate, from
SHIPPING too: a ShipOrder delivered late is then refused. A shipment the carrier confirms anyway (its
call was already in flight) completes the order: the goods are gone, and the saga waited for that answer
before refunding anything. Progress commands the order has already gone past change nothing, because the
saga's commands may arrive twice or late.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from shared.domain.rejection import Rejected
from shared.kernel.money import MAX_AMOUNT, Money
from shared.messages.orders import (
    CancelOrder,
    CompleteOrder,
    ConfirmOrderCancellation,
    MarkOrderReserved,
    OrderCancellationRequested,
    OrderCancelled,
    OrderCommand,
    OrderCompleted,
    OrderEvent,
    OrderLine,
    OrderPaid,
    OrderPlaced,
    OrderReserved,
    OrderShippingStarted,
    OrderStatus,
    PlaceOrder,
    StartOrderShipping,
)

CANCELLABLE: frozenset[OrderStatus] = frozenset({"PLACED", "RESERVED", "PAID"})
CLOSED: frozenset[OrderStatus] = frozenset({"COMPLETED", "CANCELLED"})


@dataclass(frozen=True, slots=True)
class OrderState:
    version: int = 0
    status: OrderStatus | None = None
    customer_id: str = ""
    lines: tuple[OrderLine, ...] = ()
    total: Money | None = None
    # Cancelled (by the saga) once shipping had started: a shipment in flight may still complete it.
    cancelled_while_shipping: bool = False


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What deciding needs from outside the order: the catalogue's prices and who is asking.

    `prices` maps each product of a new order to its current price, or None when it is not for sale.
    """

    prices: Mapping[str, Money | None] = field(default_factory=dict)
    actor_uid: str = ""
    actor_is_admin: bool = False
    actor_is_system: bool = False  # the fulfilment saga


def decide_order(
    state: OrderState, command: OrderCommand, facts: OrderFacts = OrderFacts()
) -> list[OrderEvent]:
    if isinstance(command, PlaceOrder):
        if state.status is not None:
            raise Rejected("ALREADY_EXISTS", f"order {command.order_id} already exists", "orderId")
        return [_place(command, facts)]
    if state.status is None:
        raise Rejected("NOT_FOUND", f"order {command.order_id} does not exist", "orderId")
    if isinstance(command, CancelOrder):
        return _cancel(state, command, facts)
    if isinstance(command, MarkOrderReserved):
        return [OrderReserved()] if state.status == "PLACED" else []
    if isinstance(command, StartOrderShipping):
        if state.status in ("PLACED", "RESERVED", "PAID"):
            return [OrderShippingStarted(charge_id=command.charge_id)]
        return _already(state, ("SHIPPING", "COMPLETED"), command.order_id, "start shipping")
    if isinstance(command, CompleteOrder):
        if state.status in ("SHIPPING", "CANCELLING"):
            return [OrderCompleted(shipment_id=command.shipment_id)]
        return _already(state, ("COMPLETED",), command.order_id, "complete")
    if not isinstance(command, ConfirmOrderCancellation):
        raise TypeError(f"not an order command: {command!r}")
    if state.status == "COMPLETED":
        raise Rejected("ILLEGAL_TRANSITION", f"order {command.order_id} is completed: it cannot be cancelled")
    if state.status == "CANCELLED":
        return []
    return [OrderCancelled(reason=command.reason, detail=command.detail)]


def _place(command: PlaceOrder, facts: OrderFacts) -> OrderPlaced:
    if not facts.actor_is_admin and command.customer_id != facts.actor_uid:
        raise Rejected("FORBIDDEN", "an order is placed by its own customer", "customerId")
    lines: list[OrderLine] = []
    seen: set[str] = set()
    for index, requested in enumerate(command.lines):
        at = f"lines.{index}.productId"
        if requested.product_id in seen:
            raise Rejected("INVALID_INPUT", f"product {requested.product_id} is on two lines; use one", at)
        seen.add(requested.product_id)
        price = facts.prices.get(requested.product_id)
        if price is None:
            raise Rejected("UNKNOWN_PRODUCT", f"product {requested.product_id} is not for sale", at)
        if lines and price.currency != lines[0].unit_price.currency:
            raise Rejected(
                "CURRENCY_MISMATCH",
                f"product {requested.product_id} is priced in {price.currency}, the order in "
                f"{lines[0].unit_price.currency}: one order, one currency",
                at,
            )
        lines.append(
            OrderLine(product_id=requested.product_id, quantity=requested.quantity, unit_price=price)
        )
    currency = lines[0].unit_price.currency
    amount = sum((line.unit_price.amount * line.quantity for line in lines), Decimal(0))
    if amount >= MAX_AMOUNT:
        # A total Money cannot hold is the customer's input at fault, not a failure to retry.
        raise Rejected("INVALID_QUANTITY", f"the order's total {amount} {currency} is too large", "lines")
    total = Money(amount=amount, currency=currency)
    return OrderPlaced(
        customer_id=command.customer_id,
        lines=lines,
        total=total,
        payment_token=command.payment_token,
        shipping_address=command.shipping_address,
    )


def _cancel(state: OrderState, command: CancelOrder, facts: OrderFacts) -> list[OrderEvent]:
    if not facts.actor_is_admin and facts.actor_uid != state.customer_id:
        # Someone else's order is reported as missing: its existence is not theirs to learn.
        raise Rejected("NOT_FOUND", f"order {command.order_id} does not exist", "orderId")
    if state.status == "CANCELLED" or (state.status == "CANCELLING" and not state.cancelled_while_shipping):
        return []
    if state.status not in CANCELLABLE and not (facts.actor_is_system and state.status == "SHIPPING"):
        raise Rejected(
            "ORDER_NOT_CANCELLABLE",
            f"order {command.order_id} is {state.status}: it can no longer be cancelled",
            "orderId",
        )
    return [
        OrderCancellationRequested(
            reason=command.reason, requested_by=facts.actor_uid, by_admin=facts.actor_is_admin
        )
    ]


def _already(
    state: OrderState, past: tuple[OrderStatus, ...], order_id: str, action: str
) -> list[OrderEvent]:
    """A progress command the order is already past changes nothing; one it cannot take is refused."""
    if state.status in past:
        return []
    raise Rejected("ILLEGAL_TRANSITION", f"order {order_id} is {state.status}: cannot {action}", "orderId")


def evolve_order(state: OrderState, event: OrderEvent) -> OrderState:
    state = replace(state, version=state.version + 1)
    if isinstance(event, OrderPlaced):
        return replace(
            state, status="PLACED", customer_id=event.customer_id, lines=tuple(event.lines), total=event.total
        )
    status: OrderStatus
    if isinstance(event, OrderReserved):
        status = "RESERVED"
    elif isinstance(event, OrderPaid):  # an order paid before paying and shipping were one step
        status = "PAID"
    elif isinstance(event, OrderShippingStarted):
        status = "SHIPPING"
    elif isinstance(event, OrderCompleted):
        status = "COMPLETED"
    elif isinstance(event, OrderCancellationRequested):
        return replace(state, status="CANCELLING", cancelled_while_shipping=state.status == "SHIPPING")
    else:
        status = "CANCELLED"
    return replace(state, status=status)
