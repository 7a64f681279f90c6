"""Order, stock reservation, payment and shipping commands and events: the fulfilment saga's vocabulary.

Four aggregates speak here, each keyed by the id its commands carry:

- Order (`order_id`): placing and cancelling, and the progress the saga records on it as the other
  aggregates answer (reserved; paid and shipping, one step; completed, cancelled). The order's own
  stream is where a customer's cancel and the start of shipping race, so exactly one of them wins;
- Product (`product_id`): reservations hold stock for an order; they live on the product's stream so
  that "stock never goes negative" is decided against one consistent version;
- Payment and Shipment (`order_id`): what the payment and shipping gateways answered, recorded as
  events so the saga reacts to facts in the log rather than to a gateway's reply.

Failures the saga compensates for (no stock, a declined payment, a refused shipment) are events, not
rejections: a rejection is only a command's outcome, while an event is in the log for the saga and for
whoever replays it. `COMMANDS` maps the type of each command the saga issues to its model, and each
aggregate's `*_EVENTS` its event types to theirs.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from shared.kernel.money import Money
from shared.messages.catalogue import Message, by_name
from shared.messages.fields import Address, EntityId, Reason, Reference

Quantity = Annotated[int, Field(gt=0, le=1_000_000)]
OrderStatus = Literal["PLACED", "RESERVED", "PAID", "SHIPPING", "COMPLETED", "CANCELLING", "CANCELLED"]
ReservationFailure = Literal["OUT_OF_STOCK", "PRODUCT_UNAVAILABLE"]
# Why an order ended cancelled: stable codes a client can switch on; the event's `detail` says more.
CancellationReason = Literal[
    "OUT_OF_STOCK",
    "PRODUCT_UNAVAILABLE",
    "PAYMENT_DECLINED",
    "PAYMENT_FAILED",
    "SHIPPING_FAILED",
    "CANCELLED_BY_CUSTOMER",
    "CANCELLED_BY_ADMIN",
    "DEADLINE_EXCEEDED",
]
MAX_LINES = 100


class RequestedLine(Message):
    """A line as the customer asks for it; the price is the catalogue's, captured when the order is placed."""

    product_id: EntityId
    quantity: Quantity


class OrderLine(Message):
    product_id: str
    quantity: int
    unit_price: Money


# Order commands --------------------------------------------------------------------------------------


class PlaceOrder(Message):
    """The token and address travel with the order because the saga's later steps need them."""

    order_id: EntityId
    customer_id: EntityId
    lines: list[RequestedLine] = Field(min_length=1, max_length=MAX_LINES)
    payment_token: Reference
    shipping_address: Address


class CancelOrder(Message):
    """Asked by the customer who placed the order, or by an admin."""

    order_id: EntityId
    reason: Reason = "cancelled on request"


class MarkOrderReserved(Message):
    order_id: EntityId


class StartOrderShipping(Message):
    """The payment is captured (`charge_id`): the order is paid, and from here on it can no longer be
    cancelled, because its shipment is on its way to the carrier."""

    order_id: EntityId
    charge_id: Reference


class CompleteOrder(Message):
    order_id: EntityId
    shipment_id: Reference


class ConfirmOrderCancellation(Message):
    """Sent by the saga once every compensation (refund, release) is done."""

    order_id: EntityId
    reason: CancellationReason
    detail: Reason


# Reservation commands (Product aggregate) -------------------------------------------------------------


class ReserveStock(Message):
    product_id: EntityId
    order_id: EntityId
    quantity: Quantity


class ReleaseReservation(Message):
    product_id: EntityId
    order_id: EntityId


class CommitReservation(Message):
    """The reserved stock left with the order's shipment."""

    product_id: EntityId
    order_id: EntityId


# Payment and shipping commands (the gateways' functions) ----------------------------------------------


class ProcessPayment(Message):
    order_id: EntityId
    amount: Money
    payment_token: Reference


class RefundPayment(Message):
    order_id: EntityId
    reason: Reason


class ShipmentLine(Message):
    product_id: EntityId
    quantity: Quantity


class ShipOrder(Message):
    order_id: EntityId
    shipping_address: Address
    lines: list[ShipmentLine] = Field(min_length=1, max_length=MAX_LINES)


# Order events ----------------------------------------------------------------------------------------


class OrderPlaced(Message):
    customer_id: str
    lines: list[OrderLine]
    total: Money
    payment_token: str
    shipping_address: str


class OrderReserved(Message):
    pass


class OrderPaid(Message):
    """Recorded by orders paid before paying and starting to ship were one step: their streams keep it."""

    charge_id: str


class OrderShippingStarted(Message):
    """Paid and shipping; `charge_id` is the payment's capture (empty in events recorded before it was)."""

    charge_id: str = ""


class OrderCompleted(Message):
    shipment_id: str


class OrderCancellationRequested(Message):
    """The order stops moving forward; the saga compensates, then confirms the cancellation."""

    reason: str
    requested_by: str
    by_admin: bool


class OrderCancelled(Message):
    reason: CancellationReason
    detail: str


# Reservation events (Product aggregate) ---------------------------------------------------------------


class StockReserved(Message):
    """`available` is the product's unreserved stock after this reservation."""

    order_id: str
    quantity: int
    available: int


class StockReservationFailed(Message):
    order_id: str
    quantity: int
    available: int
    reason: ReservationFailure


class ReservationReleased(Message):
    """`quantity` 0: the release came before any reservation, which now never will be made."""

    order_id: str
    quantity: int


class ReservationCommitted(Message):
    """`stock` is the stock on hand after the committed quantity left it."""

    order_id: str
    quantity: int
    stock: int


# Payment and shipment events --------------------------------------------------------------------------


class PaymentCaptured(Message):
    charge_id: str
    amount: Money


class PaymentDeclined(Message):
    """The gateway answered no: retrying will not change it."""

    reason: str


class PaymentFailed(Message):
    """No answer could be had (timeouts, errors, an open circuit): nothing was charged."""

    reason: str


class PaymentRefunded(Message):
    refund_id: str
    amount: Money


class OrderShipped(Message):
    shipment_id: str


class ShippingFailed(Message):
    reason: str


OrderCommand = (
    PlaceOrder
    | CancelOrder
    | MarkOrderReserved
    | StartOrderShipping
    | CompleteOrder
    | ConfirmOrderCancellation
)
OrderEvent = (
    OrderPlaced
    | OrderReserved
    | OrderPaid
    | OrderShippingStarted
    | OrderCompleted
    | OrderCancellationRequested
    | OrderCancelled
)
ReservationCommand = ReserveStock | ReleaseReservation | CommitReservation
ReservationEvent = StockReserved | StockReservationFailed | ReservationReleased | ReservationCommitted
PaymentCommand = ProcessPayment | RefundPayment
PaymentEvent = PaymentCaptured | PaymentDeclined | PaymentFailed | PaymentRefunded
ShipmentEvent = OrderShipped | ShippingFailed


# The commands the fulfilment saga issues, by type: its decisions carry them as (type, payload) pairs.
COMMANDS = by_name(
    PlaceOrder,
    CancelOrder,
    MarkOrderReserved,
    StartOrderShipping,
    CompleteOrder,
    ConfirmOrderCancellation,
    ReserveStock,
    ReleaseReservation,
    CommitReservation,
    ProcessPayment,
    RefundPayment,
    ShipOrder,
)

ORDER_EVENTS = by_name(
    OrderPlaced,
    OrderReserved,
    OrderPaid,
    OrderShippingStarted,
    OrderCompleted,
    OrderCancellationRequested,
    OrderCancelled,
)
RESERVATION_EVENTS = by_name(StockReserved, StockReservationFailed, ReservationReleased, ReservationCommitted)
PAYMENT_EVENTS = by_name(PaymentCaptured, PaymentDeclined, PaymentFailed, PaymentRefunded)
SHIPMENT_EVENTS = by_name(OrderShipped, ShippingFailed)
