"""The fulfilment saga: from a placed order to a completed one, or back to nothing when a step fails.

The saga is a process manager: it reacts to the events of the order, its products' reservations, the
payment and the shipment, and decides the next commands. The happy path is

    OrderPlaced → ReserveStock (each line) → all StockReserved → MarkOrderReserved + ProcessPayment
    → PaymentCaptured → StartOrderShipping → OrderShippingStarted → ShipOrder → OrderShipped
    → CommitReservation (each line) + CompleteOrder → SagaEnded(COMPLETED)

Each arrow is a message between functions, so the path holds only the steps a guarantee needs: the
order's own stream must say SHIPPING before the carrier is called (that is where a cancel and the
shipment meet), and nothing waits for MarkOrderReserved, which only shows the customer where the order
is. The saga's subscriptions deliver just the events in REACTS_TO.

and every failure (no stock, a declined or failed payment, a refused shipment, a customer's cancel, a
missed deadline) starts one compensation, which first cancels the order (it shows CANCELLING at once,
and no payment or shipment starts for it any more), then undoes in reverse: refund what was captured,
release what was reserved, then close the order as cancelled with the first failure's reason.

A carrier call may still be in flight when a shipping deadline passes. Compensation then waits for the
shipment's answer before it refunds anything (AWAITING_SHIPMENT): once the order is cancelling it sends
ShipOrder again, which either finds the shipment the carrier made or records that none will leave. A
shipment the carrier confirms withdraws the compensation and completes the order (the goods are gone;
nothing was refunded), so an order is never both shipped and refunded.

Events arrive duplicated and in any order, so every reaction first records the fact it learnt and does
nothing if the fact was known; decisions depend on the set of facts, not on arrival order. A payment
still out when compensation starts is waited for (a capture must be refunded), up to a deadline; a
capture that arrives after the saga ended is refunded all the same. Each step has a deadline: when it
passes, a forward step is failed and compensated, a compensating step re-sends what is unanswered.

A failure's detail is whatever its participant said (a gateway's error text may hold a URL or an
exception), so it stays in the saga's own stream for admins and logs. The order's cancellation carries a
stable message for its customer instead, and no detail, however long or odd, can make a compensating
command invalid: each is clipped to what the command holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from pydantic import BaseModel

from shared.kernel.money import Money
from shared.messages.fields import clipped
from shared.messages.fulfilment import (
    CommandsIssued,
    CompensationStarted,
    CompensationWithdrawn,
    DeadlineMissed,
    Fact,
    FactRecorded,
    SagaCommand,
    SagaEnded,
    SagaEvent,
    SagaStarted,
    Step,
)
from shared.messages.orders import (
    COMMANDS,
    ORDER_EVENTS,
    CancellationReason,
    CancelOrder,
    CommitReservation,
    CompleteOrder,
    ConfirmOrderCancellation,
    MarkOrderReserved,
    OrderCancellationRequested,
    OrderCancelled,
    OrderCompleted,
    OrderLine,
    OrderPlaced,
    OrderShipped,
    OrderShippingStarted,
    PaymentCaptured,
    PaymentDeclined,
    PaymentFailed,
    PaymentRefunded,
    ProcessPayment,
    RefundPayment,
    ReleaseReservation,
    ReservationCommitted,
    ReservationReleased,
    ReserveStock,
    ShipmentLine,
    ShipOrder,
    ShippingFailed,
    StartOrderShipping,
    StockReservationFailed,
    StockReserved,
)

SAGA_UID = "fulfilment-saga"  # the actor the saga sends its commands as
ENDED: frozenset[Step] = frozenset({"COMPLETED", "CANCELLED"})
FORWARD: frozenset[Step] = frozenset({"RESERVING", "PAYING", "SHIPPING"})
# The steps whose missed deadline ends them (a forward step fails, a payment awaited while cancelling is
# given up for compensation); any other step's commands are sent again, for as long as it takes.
GIVES_UP_AT_DEADLINE: frozenset[Step] = FORWARD | {"AWAITING_PAYMENT"}
DEFAULT_DEADLINES: dict[Step, timedelta] = {
    "RESERVING": timedelta(seconds=120),
    # A partner's outage of a few minutes delays these steps; only a longer one cancels the order (its
    # stock is held meanwhile: README, "A partner's outage").
    "PAYING": timedelta(minutes=15),
    "SHIPPING": timedelta(minutes=30),
    "COMPLETING": timedelta(seconds=60),
    "AWAITING_PAYMENT": timedelta(seconds=60),
    "AWAITING_SHIPMENT": timedelta(seconds=60),
    "REFUNDING": timedelta(seconds=60),
    "RELEASING": timedelta(seconds=60),
    "CANCELLING": timedelta(seconds=60),
}
# What the customer is told of a failure whose detail came from outside (a gateway, a deadline); the
# other reasons' details are the customer's or admin's own words, or the saga's about stock.
CUSTOMER_MESSAGES: dict[CancellationReason, str] = {
    "PAYMENT_DECLINED": "The payment was declined.",
    "PAYMENT_FAILED": "The payment could not be taken; nothing was charged that is not refunded.",
    "SHIPPING_FAILED": "The carrier could not take the shipment.",
    "DEADLINE_EXCEEDED": "The order could not be completed in time.",
}
_PAYMENT_ANSWERS: frozenset[Fact] = frozenset({"PAYMENT_CAPTURED", "PAYMENT_DECLINED", "PAYMENT_FAILED"})
# Facts about one of the order's products; every other fact is about the order as a whole.
_PER_PRODUCT: frozenset[Fact] = frozenset(
    {"STOCK_RESERVED", "RESERVATION_FAILED", "RESERVATION_RELEASED", "RESERVATION_COMMITTED"}
)
# The events the saga decides on, by type. Its step functions' subscriptions deliver these and no others
# (tests/unit/shared/test_manifest.py holds manifest.yaml's filters to this set): each delivery is an
# invocation paid for, so the order's progress the saga ordered itself and waits for nowhere
# (OrderReserved) is not delivered, and is ignored if it comes.
REACTS_TO: frozenset[str] = frozenset(
    event.__name__
    for event in (
        OrderPlaced,
        OrderShippingStarted,
        OrderCompleted,
        OrderCancellationRequested,
        OrderCancelled,
        StockReserved,
        StockReservationFailed,
        ReservationReleased,
        ReservationCommitted,
        PaymentCaptured,
        PaymentDeclined,
        PaymentFailed,
        PaymentRefunded,
        OrderShipped,
        ShippingFailed,
    )
)


class SagaNotStarted(Exception):
    """An event overtook the OrderPlaced that starts its saga: it must be delivered again later."""


@dataclass(frozen=True, slots=True)
class Trigger:
    """A participant's event; `aggregate_id` is the product for reservations, else the order."""

    event: BaseModel
    aggregate_id: str


@dataclass(frozen=True, slots=True)
class DeadlinePassed:
    step: Step
    deadline: datetime


@dataclass(frozen=True, slots=True)
class SagaState:
    version: int = 0
    order_id: str = ""
    customer_id: str = ""
    lines: tuple[OrderLine, ...] = ()
    total: Money | None = None
    payment_token: str = ""
    shipping_address: str = ""
    step: Step | None = None
    deadline: datetime | None = None
    # The last commands issued: re-sent when a compensating step's deadline passes.
    pending: tuple[SagaCommand, ...] = ()
    issued: frozenset[str] = frozenset()  # command types issued so far
    facts: frozenset[tuple[Fact, str]] = frozenset()  # (fact, subject)
    failure: CancellationReason | None = None
    failure_detail: str = ""
    payment_abandoned: bool = False

    @property
    def status(self) -> str:
        if self.step in ENDED:
            return str(self.step)
        return "COMPENSATING" if self.failure is not None else "RUNNING"

    def has(self, fact: Fact, subject: str | None = None) -> bool:
        return any(known == fact and (subject is None or about == subject) for known, about in self.facts)

    @property
    def products(self) -> list[str]:
        return [line.product_id for line in self.lines]

    def settled(self, product_id: str) -> bool:
        return self.has("RESERVATION_FAILED", product_id) or self.has("RESERVATION_RELEASED", product_id)

    @property
    def payment_answered(self) -> bool:
        return any(fact in _PAYMENT_ANSWERS for fact, _ in self.facts)


def decide_saga(
    state: SagaState,
    trigger: Trigger | DeadlinePassed,
    now: datetime,
    deadlines: Mapping[Step, timedelta] = DEFAULT_DEADLINES,
) -> list[SagaEvent]:
    plan = _Plan(state, now, deadlines)
    if isinstance(trigger, DeadlinePassed):
        plan.deadline_passed(trigger)
    else:
        plan.react(trigger)
    return plan.events


class _Plan:
    """Accumulates the events of one decision, folding each into the state as it goes."""

    def __init__(self, state: SagaState, now: datetime, deadlines: Mapping[Step, timedelta]) -> None:
        self.state = state
        self.now = now
        self.deadlines = deadlines
        self.events: list[SagaEvent] = []

    def emit(self, event: SagaEvent) -> None:
        self.events.append(event)
        self.state = evolve_saga(self.state, event)

    def learn(self, fact: Fact, subject: str = "", detail: str = "") -> bool:
        """Record a fact; False when it was known already (a duplicate delivery)."""
        if self.state.has(fact, subject if fact in _PER_PRODUCT else None):
            return False
        self.emit(FactRecorded(fact=fact, subject=subject, detail=detail))
        return True

    def issue(self, step: Step, *commands: BaseModel) -> None:
        deadline = self.now + self.deadlines.get(step, DEFAULT_DEADLINES[step]) if step not in ENDED else None
        self.emit(
            CommandsIssued(
                step=step,
                deadline=deadline,
                commands=[
                    SagaCommand(type=type(command).__name__, payload=command.model_dump(mode="json"))
                    for command in commands
                ],
            )
        )

    # Reactions ---------------------------------------------------------------------------------------

    def react(self, trigger: Trigger) -> None:
        event = trigger.event
        if type(event).__name__ not in REACTS_TO:
            if type(event).__name__ in ORDER_EVENTS:
                return  # the order's progress the saga ordered itself: nothing waits for it
            raise TypeError(f"the fulfilment saga does not react to {type(event).__name__}")
        if isinstance(event, OrderPlaced):
            self.start(trigger.aggregate_id, event)
            return
        if self.state.step is None:
            raise SagaNotStarted(f"{type(event).__name__} arrived before the order's saga started")
        if isinstance(
            event, StockReserved | StockReservationFailed | ReservationReleased | ReservationCommitted
        ):
            self.reservation(trigger.aggregate_id, event)
        elif isinstance(event, PaymentCaptured | PaymentDeclined | PaymentFailed | PaymentRefunded):
            self.payment(event)
        elif isinstance(event, OrderShipped | ShippingFailed):
            self.shipment(event)
        else:
            self.order(event)

    def start(self, order_id: str, placed: OrderPlaced) -> None:
        if self.state.step is not None:
            return
        self.emit(
            SagaStarted(
                order_id=order_id,
                customer_id=placed.customer_id,
                lines=placed.lines,
                total=placed.total,
                payment_token=placed.payment_token,
                shipping_address=placed.shipping_address,
            )
        )
        self.issue(
            "RESERVING",
            *(
                ReserveStock(product_id=line.product_id, order_id=order_id, quantity=line.quantity)
                for line in placed.lines
            ),
        )

    def reservation(
        self,
        product_id: str,
        event: StockReserved | StockReservationFailed | ReservationReleased | ReservationCommitted,
    ) -> None:
        state = self.state
        if isinstance(event, StockReserved):
            if state.settled(product_id) or not self.learn("STOCK_RESERVED", product_id):
                return
            if self.state.step == "RESERVING" and all(
                self.state.has("STOCK_RESERVED", product) for product in self.state.products
            ):
                order_id, total = self.state.order_id, self.state.total
                assert total is not None
                self.issue(
                    "PAYING",
                    MarkOrderReserved(order_id=order_id),
                    ProcessPayment(order_id=order_id, amount=total, payment_token=self.state.payment_token),
                )
        elif isinstance(event, StockReservationFailed):
            if state.settled(product_id):
                return
            self.learn("RESERVATION_FAILED", product_id, event.reason)
            detail = f"product {product_id}: {event.quantity} wanted, {event.available} available"
            self.fail(event.reason, detail)
        elif isinstance(event, ReservationReleased):
            if self.learn("RESERVATION_RELEASED", product_id):
                self.compensate()
        elif self.learn("RESERVATION_COMMITTED", product_id):
            self.complete_if_done()

    def payment(self, event: PaymentCaptured | PaymentDeclined | PaymentFailed | PaymentRefunded) -> None:
        if isinstance(event, PaymentRefunded):
            if self.learn("PAYMENT_REFUNDED", event.refund_id):
                self.compensate()
            return
        if self.state.payment_answered:
            return
        if isinstance(event, PaymentCaptured):
            self.learn("PAYMENT_CAPTURED", event.charge_id)
            if self.state.failure is None and self.state.step not in ENDED:
                self.issue(
                    "SHIPPING", StartOrderShipping(order_id=self.state.order_id, charge_id=event.charge_id)
                )
            else:
                self.compensate()
        elif isinstance(event, PaymentDeclined):
            self.learn("PAYMENT_DECLINED", detail=event.reason)
            self.fail("PAYMENT_DECLINED", event.reason)
        else:
            self.learn("PAYMENT_FAILED", detail=event.reason)
            self.fail("PAYMENT_FAILED", event.reason)

    def shipment(self, event: OrderShipped | ShippingFailed) -> None:
        if isinstance(event, OrderShipped):
            if not self.learn("ORDER_SHIPPED", event.shipment_id):
                return
            if self.state.failure is not None:
                if self.state.step in ENDED or "RefundPayment" in self.state.issued:
                    return  # cannot happen: compensation waits for the shipment's answer before refunding
                self.emit(CompensationWithdrawn(detail="the carrier confirmed the shipment"))
            order_id = self.state.order_id
            self.issue(
                "COMPLETING",
                *(
                    CommitReservation(product_id=product, order_id=order_id)
                    for product in self.state.products
                ),
                CompleteOrder(order_id=order_id, shipment_id=event.shipment_id),
            )
        elif self.learn("SHIPPING_FAILED", detail=event.reason):
            self.fail("SHIPPING_FAILED", event.reason)

    def order(self, event: BaseModel) -> None:
        state = self.state
        if isinstance(event, OrderShippingStarted):
            if self.learn("ORDER_SHIPPING_STARTED") and state.failure is None and state.step == "SHIPPING":
                self.issue("SHIPPING", self.ship_order())
        elif isinstance(event, OrderCompleted):
            if self.learn("ORDER_COMPLETED", event.shipment_id):
                self.complete_if_done()
        elif isinstance(event, OrderCancellationRequested):
            if not self.learn("CANCEL_REQUESTED", event.requested_by, event.reason):
                return
            if event.requested_by == SAGA_UID:
                # Its own cancel, the door of a compensation: it may land after the compensation was
                # withdrawn (the carrier confirmed the shipment), and must not start another one.
                self.compensate()
            else:
                self.fail("CANCELLED_BY_ADMIN" if event.by_admin else "CANCELLED_BY_CUSTOMER", event.reason)
        elif (
            isinstance(event, OrderCancelled)
            and self.learn("ORDER_CANCELLED", event.reason, event.detail)
            and state.step not in ENDED
        ):
            self.emit(SagaEnded(step="CANCELLED"))

    def complete_if_done(self) -> None:
        state = self.state
        if (
            state.step == "COMPLETING"
            and state.has("ORDER_COMPLETED")
            and all(state.has("RESERVATION_COMMITTED", product) for product in state.products)
        ):
            self.emit(SagaEnded(step="COMPLETED"))

    # Compensation ------------------------------------------------------------------------------------

    def fail(self, reason: CancellationReason, detail: str) -> None:
        """The first failure starts the compensation and names the order's cancellation reason."""
        if self.state.failure is None and self.state.step not in ENDED:
            self.emit(CompensationStarted(reason=reason, detail=detail))
        self.compensate()

    def compensate(self) -> None:
        """Take the next compensating step, in reverse order of the forward ones: refund, release, close;
        each step's commands also cancel the order until it is known to be cancelling. A completed order
        shipped: nothing of it is ever undone (only a saga that ended cancelled refunds a late capture)."""
        state = self.state
        if state.step == "COMPLETED" or (state.failure is None and state.step not in ENDED):
            return
        order_id = state.order_id
        if state.step not in ENDED and self.shipment_in_flight():
            self.await_shipment()
            return
        if state.has("PAYMENT_CAPTURED") and not state.has("PAYMENT_REFUNDED"):
            if "RefundPayment" not in state.issued:
                step = state.step if state.step in ENDED else "REFUNDING"
                assert step is not None
                reason = clipped(state.failure_detail or "cancelled")
                self.issue(step, *self.door(), RefundPayment(order_id=order_id, reason=reason))
            return
        if state.step in ENDED:
            return
        if "ProcessPayment" in state.issued and not state.payment_answered and not state.payment_abandoned:
            if state.step != "AWAITING_PAYMENT":
                self.issue("AWAITING_PAYMENT", *self.door())
            return
        unsettled = [product for product in state.products if not state.settled(product)]
        if unsettled:
            # Issued again if a late refund took the saga off this step: its deadline re-sends them.
            if "ReleaseReservation" not in state.issued or state.step != "RELEASING":
                self.issue(
                    "RELEASING",
                    *self.door(),
                    *(ReleaseReservation(product_id=product, order_id=order_id) for product in unsettled),
                )
            return
        if "ConfirmOrderCancellation" not in state.issued or state.step != "CANCELLING":
            assert state.failure is not None
            self.issue(
                "CANCELLING",
                ConfirmOrderCancellation(
                    order_id=order_id, reason=state.failure, detail=self.customer_detail()
                ),
            )

    def door(self) -> list[BaseModel]:
        """The command that cancels the order (it then takes no payment and ships nothing), with the first
        compensating step that is not already known to cancel it; a step's deadline re-sends it."""
        state = self.state
        if state.has("CANCEL_REQUESTED") or "CancelOrder" in state.issued or state.step in ENDED:
            return []
        return [CancelOrder(order_id=self.state.order_id, reason=self.customer_detail())]

    def customer_detail(self) -> str:
        failure = self.state.failure
        assert failure is not None
        return CUSTOMER_MESSAGES.get(failure) or clipped(self.state.failure_detail)

    def shipment_in_flight(self) -> bool:
        state = self.state
        return "ShipOrder" in state.issued and not (
            state.has("ORDER_SHIPPED") or state.has("SHIPPING_FAILED")
        )

    def await_shipment(self) -> None:
        """Wait for the shipment's answer: first cancel the order, then ask again (a ShipOrder the order
        now refuses, unless the carrier already shipped)."""
        state = self.state
        if not state.has("CANCEL_REQUESTED"):
            if state.step != "AWAITING_SHIPMENT":
                self.issue("AWAITING_SHIPMENT", *self.door())
            return
        if state.step == "AWAITING_SHIPMENT" and any(
            command.type == "ShipOrder" for command in state.pending
        ):
            return
        self.issue("AWAITING_SHIPMENT", self.ship_order())

    def ship_order(self) -> ShipOrder:
        state = self.state
        return ShipOrder(
            order_id=state.order_id,
            shipping_address=state.shipping_address,
            lines=[ShipmentLine(product_id=line.product_id, quantity=line.quantity) for line in state.lines],
        )

    def deadline_passed(self, passed: DeadlinePassed) -> None:
        state = self.state
        if state.step != passed.step or state.deadline != passed.deadline or self.now < passed.deadline:
            return  # the step moved on, or this sweep's clock is early: nothing is overdue
        self.emit(DeadlineMissed(step=passed.step, deadline=passed.deadline))
        if passed.step in FORWARD:
            self.fail("DEADLINE_EXCEEDED", f"no answer while {passed.step.lower()} before {passed.deadline}")
        elif passed.step in GIVES_UP_AT_DEADLINE:  # AWAITING_PAYMENT
            self.compensate()
        else:
            self.issue(passed.step, *(_command_of(command) for command in state.pending))


def _command_of(command: SagaCommand) -> BaseModel:
    """A recorded command back as its model, so that re-sending it goes through `issue` like any other."""
    return COMMANDS[command.type].model_validate(command.payload)


def evolve_saga(state: SagaState, event: SagaEvent) -> SagaState:
    state = replace(state, version=state.version + 1)
    if isinstance(event, SagaStarted):
        return replace(
            state,
            order_id=event.order_id,
            customer_id=event.customer_id,
            lines=tuple(event.lines),
            total=event.total,
            payment_token=event.payment_token,
            shipping_address=event.shipping_address,
        )
    if isinstance(event, FactRecorded):
        return replace(state, facts=state.facts | {(event.fact, event.subject)})
    if isinstance(event, CommandsIssued):
        return replace(
            state,
            step=event.step,
            deadline=event.deadline,
            pending=tuple(event.commands),
            issued=state.issued | {command.type for command in event.commands},
        )
    if isinstance(event, CompensationStarted):
        return replace(state, failure=event.reason, failure_detail=event.detail)
    if isinstance(event, CompensationWithdrawn):
        return replace(state, failure=None, failure_detail="")
    if isinstance(event, DeadlineMissed):
        abandoned = state.payment_abandoned or event.step in ("PAYING", "AWAITING_PAYMENT")
        return replace(state, deadline=None, payment_abandoned=abandoned)
    return replace(state, step=event.step, deadline=None, pending=())
