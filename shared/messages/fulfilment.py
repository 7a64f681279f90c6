"""The fulfilment saga's own events: what it learnt, which commands it issued, and when it gave up waiting.

The saga is event-sourced like any aggregate (stream `FulfilmentSaga-<order id>`), so its state, step,
deadline and history are a fold of these events, and the commands it sends are recorded before they are
sent: a step that crashes after its commit re-sends exactly the recorded commands, with the same ids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import JsonValue

from shared.kernel.money import Money
from shared.messages.catalogue import Message
from shared.messages.orders import CancellationReason, OrderLine

Step = Literal[
    "RESERVING",  # waiting for every line's reservation
    "PAYING",  # waiting for the payment's answer
    "SHIPPING",  # recording the payment, starting the shipment, waiting for the carrier
    "COMPLETING",  # committing the reservations and completing the order
    "AWAITING_PAYMENT",  # compensating, but the payment's answer is still out: a capture must be refunded
    "AWAITING_SHIPMENT",  # compensating, but a carrier call may be in flight: refund only once it answered
    "REFUNDING",
    "RELEASING",
    "CANCELLING",  # every compensation done: closing the order as cancelled
    "COMPLETED",
    "CANCELLED",
]
# Facts the saga records from the other aggregates' events; `subject` names the product or reference.
Fact = Literal[
    "STOCK_RESERVED",
    "RESERVATION_FAILED",
    "RESERVATION_RELEASED",
    "RESERVATION_COMMITTED",
    "ORDER_RESERVED",
    "PAYMENT_CAPTURED",
    "PAYMENT_DECLINED",
    "PAYMENT_FAILED",
    "PAYMENT_REFUNDED",
    "ORDER_PAID",
    "ORDER_SHIPPING_STARTED",
    "ORDER_SHIPPED",
    "SHIPPING_FAILED",
    "ORDER_COMPLETED",
    "CANCEL_REQUESTED",
    "ORDER_CANCELLED",
]


class SagaCommand(Message):
    """A command the saga sends: its type and payload (its aggregate follows from the type)."""

    type: str
    payload: dict[str, JsonValue]


class SagaStarted(Message):
    order_id: str
    customer_id: str
    lines: list[OrderLine]
    total: Money
    payment_token: str
    shipping_address: str


class FactRecorded(Message):
    fact: Fact
    subject: str = ""
    detail: str = ""


class CommandsIssued(Message):
    step: Step
    deadline: datetime | None
    commands: list[SagaCommand]


class CompensationStarted(Message):
    reason: CancellationReason
    detail: str


class CompensationWithdrawn(Message):
    """The carrier confirmed a shipment the saga was waiting on while compensating: the order completes."""

    detail: str


class DeadlineMissed(Message):
    step: Step
    deadline: datetime


class SagaEnded(Message):
    step: Literal["COMPLETED", "CANCELLED"]


SagaEvent = (
    SagaStarted
    | FactRecorded
    | CommandsIssued
    | CompensationStarted
    | CompensationWithdrawn
    | DeadlineMissed
    | SagaEnded
)

SAGA_EVENTS: dict[str, type[Message]] = {
    model.__name__: model
    for model in (
        SagaStarted,
        FactRecorded,
        CommandsIssued,
        CompensationStarted,
        CompensationWithdrawn,
        DeadlineMissed,
        SagaEnded,
    )
}
