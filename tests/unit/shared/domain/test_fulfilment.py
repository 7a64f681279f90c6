"""The fulfilment saga, run against purely simulated participants: the happy path issues its commands in the
documented order, every failure (no stock, a declined or failed payment, a refused shipment, a customer's
cancel, a missed deadline) compensates in reverse (refund, release, close) with the first failure's reason,
and duplicated, reordered deliveries and deadlines firing at any moment never change the outcome nor
leave money taken or stock held for a cancelled order.

The simulator answers each command the saga issues with the participant's events, using the real pure
deciders (products' reservations, the order, the payment and the shipment) with scripted gateway answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import reduce

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from pydantic import BaseModel

from shared.domain.fulfilment import (
    CUSTOMER_MESSAGES,
    DEFAULT_DEADLINES,
    SAGA_UID,
    DeadlinePassed,
    SagaNotStarted,
    SagaState,
    Trigger,
    decide_saga,
    evolve_saga,
)
from shared.domain.gateway_answers import Abandoned, Captured, Dispatched, GatewayAnswer, Refunded, Refused
from shared.domain.orders import OrderFacts, OrderState, decide_order, evolve_order
from shared.domain.payments import PaymentState, decide_payment, evolve_payment
from shared.domain.products import ProductFacts, ProductState, decide_product, evolve_product
from shared.domain.rejection import Rejected
from shared.domain.shipments import ShipmentState, decide_shipment, evolve_shipment
from shared.kernel.money import Money
from shared.messages.catalogue import CreateProduct, DeleteProduct, ProductCreated
from shared.messages.fields import MAX_REASON_LENGTH
from shared.messages.fulfilment import (
    CommandsIssued,
    CompensationStarted,
    CompensationWithdrawn,
    DeadlineMissed,
    FactRecorded,
    SagaEnded,
    SagaEvent,
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
    OrderPaid,
    OrderPlaced,
    OrderReserved,
    OrderShipped,
    PaymentCaptured,
    PaymentRefunded,
    PlaceOrder,
    ProcessPayment,
    RefundPayment,
    ReleaseReservation,
    RequestedLine,
    ReserveStock,
    ShipmentLine,
    ShipOrder,
    StartOrderShipping,
    StockReserved,
)

ORDER = "o-1"
CUSTOMER = "u-1"
T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
# (product, quantity, unit price): the order's lines; the total is 2 x 4.50 + 1 x 10.00 = 19.00 EUR.
LINES = (("p-1", 2, "4.50"), ("p-2", 1, "10.00"))
TOTAL = Money(amount="19.00", currency="EUR")
COMMAND_TYPES = tuple(COMMANDS.values())
SYSTEM = OrderFacts(actor_uid=SAGA_UID, actor_is_admin=True, actor_is_system=True)


@dataclass(frozen=True, slots=True)
class Mail:
    """One delivery on the bus: a command to a participant, or a participant's event to the saga."""

    message: BaseModel
    aggregate_id: str = ""  # the aggregate that recorded an event: the product for reservations
    redeliveries: int = 0  # how many more times it may be delivered again (at-least-once delivery)

    @property
    def is_command(self) -> bool:
        return isinstance(self.message, COMMAND_TYPES)


@dataclass
class World:
    """The saga's participants: products and the order decided for real, the gateways scripted."""

    products: dict[str, ProductState]
    order: OrderState
    payment_answer: GatewayAnswer = field(default_factory=lambda: Captured(charge_id="ch-1", amount=TOTAL))
    shipment_answer: GatewayAnswer = field(default_factory=lambda: Dispatched(shipment_id="sh-1"))
    payment: PaymentState = field(default_factory=PaymentState)
    shipment: ShipmentState = field(default_factory=ShipmentState)
    initial_stock: dict[str, int] = field(default_factory=dict)
    recorded: list[BaseModel] = field(default_factory=list)  # every participant event, in order
    rejected: list[str] = field(default_factory=list)
    gateway_calls: Counter[str] = field(default_factory=Counter)
    charged: Money | None = None  # what the payment gateway holds

    def handle(self, command: BaseModel) -> list[Mail]:
        """The command functions: decide against the participant's state, record, and publish."""
        try:
            return self._decide(command)
        except Rejected as rejection:  # recorded and acked: a rejection is never retried
            self.rejected.append(f"{type(command).__name__}: {rejection.code}")
            return []

    def _decide(self, command: BaseModel) -> list[Mail]:
        if isinstance(command, ReserveStock | ReleaseReservation | CommitReservation):
            product = self.products[command.product_id]
            product_events = decide_product(product, command)
            self.products[command.product_id] = reduce(evolve_product, product_events, product)
            return self._publish(product_events, command.product_id)
        if isinstance(command, ProcessPayment | RefundPayment):
            answer: GatewayAnswer | None = None
            if self.payment.needs_gateway(command):
                self.gateway_calls[type(command).__name__] += 1
                answer = self._payment_answer(command)
            payment_events = decide_payment(self.payment, command, answer)
            self.payment = reduce(evolve_payment, payment_events, self.payment)
            return self._publish(payment_events, command.order_id)
        if isinstance(command, ShipOrder):
            answer = None
            if self.shipment.needs_gateway(command):
                # As the shipping function: nothing leaves for an order that is not being shipped.
                shipping = self.order.status == "SHIPPING"
                self.gateway_calls["ShipOrder"] += shipping
                answer = self.shipment_answer if shipping else Refused(reason="order being cancelled")
            shipment_events = decide_shipment(self.shipment, command, answer)
            self.shipment = reduce(evolve_shipment, shipment_events, self.shipment)
            return self._publish(shipment_events, command.order_id)
        return self._order(command, SYSTEM)

    def _payment_answer(self, command: ProcessPayment | RefundPayment) -> GatewayAnswer | None:
        """As the payment function: the scripted answer to a capture, unless the order is being
        cancelled; a refund of whatever the gateway holds."""
        if isinstance(command, RefundPayment):
            refund_id = f"rf-{self.gateway_calls['RefundPayment']}"
            return Refunded(refund_id=refund_id, amount=self.charged) if self.charged is not None else None
        if self.order.status in ("CANCELLING", "CANCELLED"):
            return Abandoned(reason="the order was cancelled before it was charged")
        if isinstance(self.payment_answer, Captured):
            self.charged = self.payment_answer.amount
        return self.payment_answer

    def _order(self, command: BaseModel, facts: OrderFacts) -> list[Mail]:
        assert not isinstance(command, PlaceOrder)
        assert isinstance(
            command,
            CancelOrder | MarkOrderReserved | StartOrderShipping | CompleteOrder | ConfirmOrderCancellation,
        )
        order_events = decide_order(self.order, command, facts)
        self.order = reduce(evolve_order, order_events, self.order)
        return self._publish(order_events, ORDER)

    def cancel(self, *, by_admin: bool = False) -> list[Mail]:
        """The customer (or an admin) asks to cancel, through the order's own command function."""
        facts = OrderFacts(actor_uid="admin-1" if by_admin else CUSTOMER, actor_is_admin=by_admin)
        try:
            return self._order(CancelOrder(order_id=ORDER, reason="changed my mind"), facts)
        except Rejected as rejection:
            self.rejected.append(f"CancelOrder: {rejection.code}")
            return []

    def _publish(self, events: Sequence[BaseModel], aggregate_id: str) -> list[Mail]:
        self.recorded.extend(events)
        return [Mail(event, aggregate_id) for event in events]

    @property
    def cancellation(self) -> OrderCancelled | None:
        return next((event for event in self.recorded if isinstance(event, OrderCancelled)), None)


def _world(
    stock: dict[str, int] | None = None,
    *,
    payment: GatewayAnswer | None = None,
    shipment: GatewayAnswer | None = None,
    deleted: frozenset[str] = frozenset(),
    lines: tuple[tuple[str, int, str], ...] = LINES,
) -> tuple[World, OrderPlaced]:
    """Products in the catalogue, and an order for them placed by the customer."""
    stock = stock if stock is not None else {product: 10 for product, _, _ in lines}
    products: dict[str, ProductState] = {}
    prices: dict[str, Money | None] = {}
    for product, _, price in lines:
        create = CreateProduct(
            product_id=product,
            name=f"Product {product}",
            price=Money(amount=price, currency="EUR"),
            category_id="c-1",
            initial_stock=stock[product],
        )
        created = decide_product(ProductState(), create, ProductFacts(category_exists=True))
        assert isinstance(created[0], ProductCreated)
        state = reduce(evolve_product, created, ProductState())
        if product in deleted:
            state = reduce(evolve_product, decide_product(state, DeleteProduct(product_id=product)), state)
        products[product] = state
        prices[product] = Money(amount=price, currency="EUR")
    place = PlaceOrder(
        order_id=ORDER,
        customer_id=CUSTOMER,
        lines=[RequestedLine(product_id=product, quantity=quantity) for product, quantity, _ in lines],
        payment_token="tok-visa",
        shipping_address="1 Tea Street",
    )
    [placed] = decide_order(OrderState(), place, OrderFacts(prices=prices, actor_uid=CUSTOMER))
    assert isinstance(placed, OrderPlaced)
    world = World(
        products=products,
        order=evolve_order(OrderState(), placed),
        initial_stock=dict(stock),
        recorded=[placed],
    )
    if payment is not None:
        world.payment_answer = payment
    if shipment is not None:
        world.shipment_answer = shipment
    return world, placed


@dataclass
class Simulation:
    """The saga's stream and its handler: decide on each trigger, fold, and send what was issued."""

    world: World
    inbox: list[Mail]
    saga: SagaState = field(default_factory=SagaState)
    now: datetime = T0
    redeliveries: int = 0  # how often each new message may be delivered again
    history: list[SagaEvent] = field(default_factory=list)
    issued: list[BaseModel] = field(default_factory=list)  # every command the saga issued, in order

    def decide(self, trigger: Trigger | DeadlinePassed) -> list[SagaEvent]:
        events = decide_saga(self.saga, trigger, self.now)
        for event in events:
            self.saga = evolve_saga(self.saga, event)
            if isinstance(event, CommandsIssued):
                commands = [
                    COMMANDS[command.type].model_validate(command.payload) for command in event.commands
                ]
                self.issued.extend(commands)
                self.post(Mail(command) for command in commands)
        self.history.extend(events)
        return events

    def post(self, mails: Iterable[Mail]) -> None:
        self.inbox.extend(replace(mail, redeliveries=self.redeliveries) for mail in mails)

    def deliver(self, mail: Mail) -> None:
        if mail.is_command:
            self.post(self.world.handle(mail.message))
            return
        try:
            self.decide(Trigger(event=mail.message, aggregate_id=mail.aggregate_id))
        except SagaNotStarted:
            self.inbox.append(mail)  # nacked: delivered again later, once OrderPlaced has started the saga

    def run(self, *held: type[BaseModel]) -> None:
        """Deliver everything in order of arrival, except the commands held back (unanswered)."""
        while True:
            ready = [index for index, mail in enumerate(self.inbox) if not isinstance(mail.message, held)]
            if not ready:
                return
            self.deliver(self.inbox.pop(ready[0]))

    def fire_deadline(self) -> list[SagaEvent]:
        """The deadline sweep finds the current step overdue."""
        step, deadline = self.saga.step, self.saga.deadline
        assert step is not None
        assert deadline is not None
        self.now = max(self.now, deadline)
        return self.decide(DeadlinePassed(step=step, deadline=deadline))

    def cancel(self, *, by_admin: bool = False) -> None:
        self.post(self.world.cancel(by_admin=by_admin))

    @property
    def names(self) -> list[str]:
        return [type(command).__name__ for command in self.issued]

    @property
    def outcome(self) -> tuple[Step | None, CancellationReason | None]:
        return self.saga.step, self.saga.failure

    def issued_as(self, kind: type[BaseModel]) -> list[BaseModel]:
        return [command for command in self.issued if isinstance(command, kind)]


def _simulation(
    world_and_placed: tuple[World, OrderPlaced] | None = None, redeliveries: int = 0
) -> Simulation:
    world, placed = world_and_placed or _world()
    return Simulation(world=world, inbox=[Mail(placed, ORDER, redeliveries)], redeliveries=redeliveries)


def _assert_consistent(sim: Simulation) -> None:
    """Once everything is delivered, the saga and the participants agree: what the saga believes happened is
    what the world (built apart from the saga's code) recorded."""
    world = sim.world
    assert sum(isinstance(event, PaymentRefunded) for event in world.recorded) <= 1
    shipped = any(isinstance(event, OrderShipped) for event in world.recorded)
    assert sim.saga.has("PAYMENT_CAPTURED") == (world.charged is not None)
    assert sim.saga.has("PAYMENT_REFUNDED") == (world.payment.outcome == "REFUNDED")
    assert sim.saga.has("ORDER_SHIPPED") == shipped
    assert not (shipped and world.payment.outcome == "REFUNDED"), "an order is never shipped and refunded"
    assert (world.charged is not None) == (world.payment.outcome in ("CAPTURED", "REFUNDED"))
    assert world.gateway_calls["ProcessPayment"] <= 1, "the customer is charged at most once"
    lines = {line.product_id: line.quantity for line in world.order.lines}
    if sim.saga.step == "COMPLETED":
        assert world.order.status == "COMPLETED"
        assert world.payment.outcome == "CAPTURED"
        assert "RefundPayment" not in sim.names
        for product, quantity in lines.items():
            state = world.products[product]
            assert state.reservation(ORDER) is None
            assert state.stock == world.initial_stock[product] - quantity
    else:
        assert sim.saga.step == "CANCELLED"
        assert world.order.status == "CANCELLED"
        assert world.cancellation is not None
        assert world.cancellation.reason == sim.saga.failure
        assert world.payment.outcome != "CAPTURED", "money taken for a cancelled order is refunded"
        assert "CompleteOrder" not in sim.names
        for product in lines:
            state = world.products[product]
            assert state.reservation(ORDER) is None, "stock held for a cancelled order is released"
            assert state.stock == world.initial_stock[product]


def _deliver_first(sim: Simulation, kind: type[BaseModel]) -> None:
    """Deliver the first waiting message of this kind now, ahead of the others."""
    index = next(index for index, mail in enumerate(sim.inbox) if isinstance(mail.message, kind))
    sim.deliver(sim.inbox.pop(index))


def _order_statuses(sim: Simulation) -> list[str | None]:
    """The order's statuses, as its events moved it."""
    statuses: list[str | None] = []
    state = OrderState()
    for event in sim.world.recorded:
        if type(event).__name__ in ORDER_EVENTS:
            state = evolve_order(state, event)  # type: ignore[arg-type]
            statuses.append(state.status)
    return statuses


def _issued(history: list[SagaEvent]) -> list[tuple[Step, list[str]]]:
    return [
        (event.step, [c.type for c in event.commands])
        for event in history
        if isinstance(event, CommandsIssued)
    ]


# The happy path --------------------------------------------------------------------------------------


def test_the_happy_path_issues_its_commands_in_order_and_completes() -> None:
    sim = _simulation()
    sim.run()
    assert sim.history[-1] == SagaEnded(step="COMPLETED")
    assert sim.outcome == ("COMPLETED", None)
    assert sim.saga.status == "COMPLETED"
    assert _issued(sim.history) == [
        ("RESERVING", ["ReserveStock", "ReserveStock"]),
        ("PAYING", ["MarkOrderReserved", "ProcessPayment"]),
        ("SHIPPING", ["StartOrderShipping"]),
        ("SHIPPING", ["ShipOrder"]),
        ("COMPLETING", ["CommitReservation", "CommitReservation", "CompleteOrder"]),
    ]
    assert sim.issued == [
        ReserveStock(product_id="p-1", order_id=ORDER, quantity=2),
        ReserveStock(product_id="p-2", order_id=ORDER, quantity=1),
        MarkOrderReserved(order_id=ORDER),
        ProcessPayment(order_id=ORDER, amount=TOTAL, payment_token="tok-visa"),
        StartOrderShipping(order_id=ORDER, charge_id="ch-1"),
        ShipOrder(
            order_id=ORDER,
            shipping_address="1 Tea Street",
            lines=[ShipmentLine(product_id="p-1", quantity=2), ShipmentLine(product_id="p-2", quantity=1)],
        ),
        CommitReservation(product_id="p-1", order_id=ORDER),
        CommitReservation(product_id="p-2", order_id=ORDER),
        CompleteOrder(order_id=ORDER, shipment_id="sh-1"),
    ]
    _assert_consistent(sim)
    assert sim.world.rejected == []
    assert (sim.world.products["p-1"].stock, sim.world.products["p-2"].stock) == (8, 9)


def test_each_step_is_given_its_deadline_and_the_saga_reports_its_status() -> None:
    sim = _simulation()
    sim.run(ProcessPayment)
    paying = ("PAYING", T0 + DEFAULT_DEADLINES["PAYING"], "RUNNING")
    assert (sim.saga.step, sim.saga.deadline, sim.saga.status) == paying
    sim.run()
    for event in sim.history:
        if isinstance(event, CommandsIssued):
            assert event.deadline == T0 + DEFAULT_DEADLINES[event.step]
    assert (sim.saga.deadline, sim.saga.pending, sim.saga.status) == (None, (), "COMPLETED")


def test_duplicate_events_are_learnt_once() -> None:
    sim = _simulation()
    sim.run(ReserveStock)
    [reserved] = sim.world.handle(sim.inbox.pop(0).message)
    version = sim.saga.version
    assert sim.decide(Trigger(event=reserved.message, aggregate_id="p-1")) == [
        FactRecorded(fact="STOCK_RESERVED", subject="p-1")
    ]
    assert sim.decide(Trigger(event=reserved.message, aggregate_id="p-1")) == []
    assert sim.saga.version == version + 1
    placed = sim.world.recorded[0]
    assert sim.decide(Trigger(event=placed, aggregate_id=ORDER)) == [], "a second OrderPlaced starts nothing"


def test_a_trigger_before_the_order_placed_is_refused_for_later() -> None:
    early = StockReserved(order_id=ORDER, quantity=2, available=8)
    with pytest.raises(SagaNotStarted):
        decide_saga(SagaState(), Trigger(event=early, aggregate_id="p-1"), T0)
    assert decide_saga(SagaState(), DeadlinePassed(step="RESERVING", deadline=T0), T0) == []


@pytest.mark.parametrize("progress", [OrderReserved(), OrderPaid(charge_id="ch-1")])
def test_the_orders_progress_the_saga_ordered_itself_changes_nothing(progress: BaseModel) -> None:
    sim = _simulation()
    sim.run(ProcessPayment)
    assert sim.decide(Trigger(event=progress, aggregate_id=ORDER)) == []


def test_an_event_the_saga_does_not_know_is_a_programming_error() -> None:
    sim = _simulation()
    sim.run(ReserveStock)
    with pytest.raises(TypeError):
        sim.decide(Trigger(event=ShipmentLine(product_id="p-1", quantity=1), aggregate_id=ORDER))


# Failures compensate in reverse --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p2_stock", "deleted", "reason", "detail"),
    [
        (0, frozenset(), "OUT_OF_STOCK", "product p-2: 1 wanted, 0 available"),
        (10, frozenset({"p-2"}), "PRODUCT_UNAVAILABLE", "product p-2: 1 wanted, 10 available"),
    ],
)
def test_a_line_that_cannot_be_reserved_releases_the_others_and_cancels(
    p2_stock: int, deleted: frozenset[str], reason: CancellationReason, detail: str
) -> None:
    stock = {"p-1": 10, "p-2": p2_stock, "p-3": 10}
    lines = (*LINES, ("p-3", 3, "1.00"))
    sim = _simulation(_world(stock, deleted=deleted, lines=lines))
    sim.run()
    assert sim.outcome == ("CANCELLED", reason)
    assert sim.history[-1] == SagaEnded(step="CANCELLED")
    assert _issued(sim.history) == [
        ("RESERVING", ["ReserveStock", "ReserveStock", "ReserveStock"]),
        ("RELEASING", ["CancelOrder", "ReleaseReservation", "ReleaseReservation"]),
        ("CANCELLING", ["ConfirmOrderCancellation"]),
    ]
    assert sim.world.order.status == "CANCELLED"
    assert _order_statuses(sim)[1:] == ["CANCELLING", "CANCELLED"]
    assert sim.issued_as(ReleaseReservation) == [
        ReleaseReservation(product_id="p-1", order_id=ORDER),
        ReleaseReservation(product_id="p-3", order_id=ORDER),
    ]
    assert sim.issued_as(ConfirmOrderCancellation) == [
        ConfirmOrderCancellation(order_id=ORDER, reason=reason, detail=detail)
    ]
    assert "ProcessPayment" not in sim.names
    _assert_consistent(sim)
    for product in ("p-1", "p-3"):
        assert sim.world.products[product].available == 10


def test_a_single_line_that_cannot_be_reserved_cancels_at_once() -> None:
    sim = _simulation(_world({"p-1": 1}, lines=(LINES[0],)))
    sim.run()
    assert sim.outcome == ("CANCELLED", "OUT_OF_STOCK")
    assert _issued(sim.history) == [
        ("RESERVING", ["ReserveStock"]),
        ("CANCELLING", ["ConfirmOrderCancellation"]),
    ]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (Refused(reason="card declined"), "PAYMENT_DECLINED"),
        (Abandoned(reason="gateway timed out"), "PAYMENT_FAILED"),
    ],
)
def test_a_payment_not_captured_releases_then_cancels_without_a_refund(
    answer: Refused | Abandoned, reason: CancellationReason
) -> None:
    sim = _simulation(_world(payment=answer))
    sim.run()
    assert sim.outcome == ("CANCELLED", reason)
    assert sim.names == [
        "ReserveStock",
        "ReserveStock",
        "MarkOrderReserved",
        "ProcessPayment",
        "CancelOrder",
        "ReleaseReservation",
        "ReleaseReservation",
        "ConfirmOrderCancellation",
    ]
    [confirm] = sim.issued_as(ConfirmOrderCancellation)
    assert confirm == ConfirmOrderCancellation(
        order_id=ORDER, reason=reason, detail=CUSTOMER_MESSAGES[reason]
    )
    assert sim.saga.failure_detail == answer.reason  # the raw detail stays in the saga, for admins
    assert sim.world.payment.outcome == ("DECLINED" if reason == "PAYMENT_DECLINED" else "FAILED")
    _assert_consistent(sim)


@pytest.mark.parametrize("failed", ["payment", "shipment"])
def test_no_gateway_text_can_make_a_compensating_command_invalid(failed: str) -> None:
    # A gateway's error text as long and odd as it comes: a URL, control characters, past a reason's size.
    detail = "https://gateway.example/v1?x=" + "\x00\x1bé" * 400
    sim = _simulation(_world(**{failed: Abandoned(reason=detail)}))  # type: ignore[arg-type]
    sim.run()
    assert sim.saga.step == "CANCELLED"
    assert sim.saga.failure_detail == detail
    texts = [command.reason for command in sim.issued if isinstance(command, RefundPayment)]
    texts += [command.detail for command in sim.issued if isinstance(command, ConfirmOrderCancellation)]
    assert len(texts) == (2 if failed == "shipment" else 1)
    assert all(0 < len(text) <= MAX_REASON_LENGTH and "\x00" not in text for text in texts), texts


def test_a_refused_shipment_refunds_then_releases_then_cancels() -> None:
    sim = _simulation(_world(shipment=Refused(reason="address unknown")))
    sim.run()
    assert sim.outcome == ("CANCELLED", "SHIPPING_FAILED")
    assert sim.names[sim.names.index("ShipOrder") + 1 :] == [
        "CancelOrder",
        "RefundPayment",
        "ReleaseReservation",
        "ReleaseReservation",
        "ConfirmOrderCancellation",
    ]
    assert _issued(sim.history)[-3:] == [
        ("REFUNDING", ["CancelOrder", "RefundPayment"]),
        ("RELEASING", ["ReleaseReservation", "ReleaseReservation"]),
        ("CANCELLING", ["ConfirmOrderCancellation"]),
    ]
    assert sim.issued_as(RefundPayment) == [RefundPayment(order_id=ORDER, reason="address unknown")]
    assert sim.world.payment.outcome == "REFUNDED"
    _assert_consistent(sim)


@pytest.mark.parametrize(
    ("by_admin", "reason"), [(False, "CANCELLED_BY_CUSTOMER"), (True, "CANCELLED_BY_ADMIN")]
)
def test_a_cancel_while_paying_waits_for_the_payment_and_refunds_its_capture(
    by_admin: bool, reason: CancellationReason
) -> None:
    sim = _simulation()
    sim.run(ProcessPayment)
    assert sim.saga.step == "PAYING"
    _deliver_first(sim, ProcessPayment)  # the capture is made; its answer is still on its way
    sim.cancel(by_admin=by_admin)
    sim.run(PaymentCaptured)
    assert (sim.saga.step, sim.saga.failure, sim.saga.pending) == ("AWAITING_PAYMENT", reason, ())
    assert sim.saga.status == "COMPENSATING"
    before = len(sim.issued)
    assert "ReleaseReservation" not in sim.names, "nothing is released while the payment may still capture"
    sim.run()
    assert sim.outcome == ("CANCELLED", reason)
    assert sim.names[before:] == [
        "RefundPayment",
        "ReleaseReservation",
        "ReleaseReservation",
        "ConfirmOrderCancellation",
    ]
    assert "StartOrderShipping" not in sim.names
    assert sim.world.payment.outcome == "REFUNDED"
    _assert_consistent(sim)


def test_no_payment_is_taken_for_an_order_being_cancelled() -> None:
    sim = _simulation()
    sim.run(ProcessPayment)
    sim.cancel()
    sim.run(ProcessPayment)
    assert sim.world.order.status == "CANCELLING"
    sim.run()
    assert sim.outcome == ("CANCELLED", "CANCELLED_BY_CUSTOMER")
    assert sim.world.charged is None
    assert sim.world.payment.outcome == "FAILED"
    assert "RefundPayment" not in sim.names
    _assert_consistent(sim)


def test_a_cancel_while_paying_then_a_decline_releases_without_a_refund() -> None:
    sim = _simulation(_world(payment=Refused(reason="card declined")))
    sim.run(ProcessPayment)
    sim.cancel()
    sim.run()
    assert sim.outcome == ("CANCELLED", "CANCELLED_BY_CUSTOMER"), "the first failure names the cancellation"
    assert "RefundPayment" not in sim.names
    _assert_consistent(sim)


def test_a_cancel_once_shipping_started_is_refused_and_the_order_completes() -> None:
    sim = _simulation()
    sim.run(ShipOrder)
    sim.cancel()
    sim.run()
    assert sim.world.rejected == ["CancelOrder: ORDER_NOT_CANCELLABLE"]
    assert sim.outcome == ("COMPLETED", None)
    _assert_consistent(sim)


def test_a_cancel_before_shipping_starts_wins_over_the_start_of_shipping() -> None:
    sim = _simulation()
    sim.run(StartOrderShipping)
    assert sim.world.order.status == "RESERVED"
    sim.cancel()
    sim.run()
    assert sim.world.rejected == ["StartOrderShipping: ILLEGAL_TRANSITION"]
    assert sim.outcome == ("CANCELLED", "CANCELLED_BY_CUSTOMER")
    assert "ShipOrder" not in sim.names
    _assert_consistent(sim)


# Deadlines -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "step"), [(ReserveStock, "RESERVING"), (ProcessPayment, "PAYING"), (ShipOrder, "SHIPPING")]
)
def test_a_forward_step_past_its_deadline_is_failed_and_compensated(
    held: type[BaseModel], step: Step
) -> None:
    sim = _simulation()
    sim.run(held)
    deadline = sim.saga.deadline
    assert (sim.saga.step, deadline) == (step, T0 + DEFAULT_DEADLINES[step])
    assert deadline is not None
    events = sim.fire_deadline()
    assert events[:2] == [
        DeadlineMissed(step=step, deadline=deadline),
        CompensationStarted(
            reason="DEADLINE_EXCEEDED", detail=f"no answer while {step.lower()} before {deadline}"
        ),
    ]
    sim.run(held)
    compensation = ["ReleaseReservation", "ReleaseReservation", "ConfirmOrderCancellation"]
    if step == "SHIPPING":
        # The carrier call may be in flight: nothing is refunded until the shipment has answered. The
        # order is cancelling, so the late ShipOrder (and the one sent again to ask) ships nothing.
        assert (sim.saga.step, sim.world.order.status) == ("AWAITING_SHIPMENT", "CANCELLING")
        assert "RefundPayment" not in sim.names
        sim.run()
        compensation.insert(0, "RefundPayment")
        assert sim.world.gateway_calls["ShipOrder"] == 0
    assert sim.outcome == ("CANCELLED", "DEADLINE_EXCEEDED")
    assert sim.names[-len(compensation) :] == compensation
    sim.run()  # late answers still arrive: a late reserve holds nothing, a late shipment ships nothing
    _assert_consistent(sim)


def test_a_shipment_confirmed_after_its_deadline_withdraws_the_compensation_and_completes() -> None:
    sim = _simulation()
    sim.run(ShipOrder)
    _deliver_first(sim, ShipOrder)  # the carrier takes the parcel; its answer is still on its way
    sim.fire_deadline()
    sim.run(OrderShipped)
    assert (sim.saga.step, sim.saga.failure) == ("AWAITING_SHIPMENT", "DEADLINE_EXCEEDED")
    assert sim.world.order.status == "CANCELLING"
    assert "RefundPayment" not in sim.names
    sim.run()
    assert sim.outcome == ("COMPLETED", None)
    assert any(isinstance(event, CompensationWithdrawn) for event in sim.history)
    assert _order_statuses(sim)[-2:] == ["CANCELLING", "COMPLETED"]
    assert sim.world.payment.outcome == "CAPTURED"
    _assert_consistent(sim)


def test_the_sagas_own_cancel_landing_after_the_compensation_was_withdrawn_starts_no_other() -> None:
    sim = _simulation()
    sim.run(ShipOrder)
    _deliver_first(sim, ShipOrder)  # the carrier takes the parcel; its answer is still on its way
    sim.fire_deadline()
    sim.run(OrderShipped, CancelOrder)
    _deliver_first(sim, OrderShipped)  # the compensation is withdrawn before the order is cancelling
    _deliver_first(sim, CancelOrder)  # then the door lands: the order is cancelling, shipped all the same
    sim.run()
    assert sim.outcome == ("COMPLETED", None)
    assert "RefundPayment" not in sim.names
    assert _order_statuses(sim)[-2:] == ["CANCELLING", "COMPLETED"]
    _assert_consistent(sim)


def test_the_sagas_own_cancel_learnt_after_the_order_completed_refunds_nothing() -> None:
    sim = _simulation()
    sim.run(ShipOrder)
    _deliver_first(sim, ShipOrder)
    sim.fire_deadline()
    sim.run(OrderShipped, CancelOrder)
    _deliver_first(sim, OrderShipped)  # the compensation is withdrawn
    _deliver_first(sim, CancelOrder)  # the order is cancelling; the saga hears of it only at the end
    sim.run(OrderCancellationRequested)
    assert sim.outcome == ("COMPLETED", None)
    sim.run()
    assert "RefundPayment" not in sim.names
    assert sim.world.payment.outcome == "CAPTURED"
    _assert_consistent(sim)


def test_a_capture_after_the_saga_ended_cancelled_is_refunded() -> None:
    sim = _simulation()
    sim.run(ProcessPayment)
    _deliver_first(sim, ProcessPayment)  # the capture is made; its answer is late
    sim.fire_deadline()
    sim.run(PaymentCaptured)
    assert sim.outcome == ("CANCELLED", "DEADLINE_EXCEEDED")
    captured = sim.inbox.pop()
    events = sim.decide(Trigger(event=captured.message, aggregate_id=ORDER))
    assert [type(event).__name__ for event in events] == ["FactRecorded", "CommandsIssued"]
    refund = events[1]
    assert isinstance(refund, CommandsIssued)
    assert (refund.step, refund.deadline, [command.type for command in refund.commands]) == (
        "CANCELLED",
        None,
        ["RefundPayment"],
    )
    assert sim.issued[-1] == RefundPayment(order_id=ORDER, reason=sim.saga.failure_detail)
    sim.run()
    assert sim.outcome == ("CANCELLED", "DEADLINE_EXCEEDED")
    assert sim.world.payment.outcome == "REFUNDED"
    assert "StartOrderShipping" not in sim.names
    _assert_consistent(sim)


def test_awaiting_a_payment_past_its_deadline_gives_up_waiting_but_refunds_a_late_capture() -> None:
    sim = _simulation()
    sim.run(ProcessPayment)
    _deliver_first(sim, ProcessPayment)  # the capture is made; its answer is late
    sim.cancel()
    sim.run(PaymentCaptured)
    assert sim.saga.step == "AWAITING_PAYMENT"
    events = sim.fire_deadline()
    assert isinstance(events[0], DeadlineMissed)
    assert _issued(events) == [("RELEASING", ["ReleaseReservation", "ReleaseReservation"])]
    sim.run(PaymentCaptured)
    assert sim.outcome == ("CANCELLED", "CANCELLED_BY_CUSTOMER")
    # The saga has ended with the capture's answer still on its way: the capture is late.
    assert [type(mail.message) for mail in sim.inbox] == [PaymentCaptured]
    assert "RefundPayment" not in sim.names
    sim.run()
    assert sim.names[-1] == "RefundPayment"
    assert sim.world.payment.outcome == "REFUNDED"
    _assert_consistent(sim)


@pytest.mark.parametrize(
    ("payment", "shipment", "held", "step"),
    [
        (None, Refused(reason="address unknown"), RefundPayment, "REFUNDING"),
        (Refused(reason="card declined"), None, ReleaseReservation, "RELEASING"),
        (Refused(reason="card declined"), None, ConfirmOrderCancellation, "CANCELLING"),
        (None, None, CommitReservation, "COMPLETING"),
    ],
    ids=["refunding", "releasing", "cancelling", "completing"],
)
def test_a_step_that_cannot_fail_forward_resends_its_commands_past_its_deadline(
    payment: GatewayAnswer | None, shipment: GatewayAnswer | None, held: type[BaseModel], step: Step
) -> None:
    sim = _simulation(_world(payment=payment, shipment=shipment))
    sim.run(held)
    assert sim.saga.step == step
    pending, deadline = sim.saga.pending, sim.saga.deadline
    assert deadline is not None
    assert pending
    sim.inbox = [mail for mail in sim.inbox if not isinstance(mail.message, held)]  # lost on the way
    failure = sim.saga.failure
    events = sim.fire_deadline()
    assert events == [
        DeadlineMissed(step=step, deadline=deadline),
        CommandsIssued(step=step, deadline=deadline + DEFAULT_DEADLINES[step], commands=list(pending)),
    ]
    assert sim.saga.failure == failure, "re-sending is not a new failure"
    sim.run()
    assert sim.saga.step in ("COMPLETED", "CANCELLED")
    _assert_consistent(sim)


def test_a_stale_deadline_changes_nothing() -> None:
    sim = _simulation()
    sim.run(ProcessPayment)
    step, deadline = sim.saga.step, sim.saga.deadline
    assert (step, deadline) == ("PAYING", T0 + DEFAULT_DEADLINES["PAYING"])
    assert deadline is not None
    stale = [
        (DeadlinePassed(step="RESERVING", deadline=deadline), deadline),  # another step
        (
            DeadlinePassed(step="PAYING", deadline=T0 + DEFAULT_DEADLINES["RESERVING"]),
            deadline,
        ),  # an old deadline
        (
            DeadlinePassed(step="PAYING", deadline=deadline),
            deadline - timedelta(microseconds=1),
        ),  # a clock too early
    ]
    for passed, now in stale:
        assert decide_saga(sim.saga, passed, now) == []
    sim.now = deadline + timedelta(hours=1)
    assert sim.fire_deadline()[0] == DeadlineMissed(step="PAYING", deadline=deadline)
    assert decide_saga(sim.saga, DeadlinePassed(step="PAYING", deadline=deadline), sim.now) == [], (
        "missed once"
    )


def test_a_deadline_after_the_saga_ended_changes_nothing() -> None:
    sim = _simulation()
    sim.run(ShipOrder)
    step, deadline = sim.saga.step, sim.saga.deadline
    assert step == "SHIPPING"
    assert deadline is not None
    sim.run()
    assert sim.outcome == ("COMPLETED", None)
    assert decide_saga(sim.saga, DeadlinePassed(step=step, deadline=deadline), deadline) == []


# Whatever the delivery order -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scenario:
    stock: dict[str, int]
    payment: GatewayAnswer
    shipment: GatewayAnswer
    outcome: tuple[Step, CancellationReason | None]
    commands: dict[str, int]


FORWARD_TO_PAYMENT = {"ReserveStock": 2, "MarkOrderReserved": 1, "ProcessPayment": 1}
RELEASE_AND_CLOSE = {"CancelOrder": 1, "ReleaseReservation": 2, "ConfirmOrderCancellation": 1}
PAID_AND_SHIPPED = {"StartOrderShipping": 1, "ShipOrder": 1}
CAPTURED = Captured(charge_id="ch-1", amount=TOTAL)
DISPATCHED = Dispatched(shipment_id="sh-1")
ENOUGH = {"p-1": 10, "p-2": 10}
SCENARIOS = {
    "happy": Scenario(
        ENOUGH,
        CAPTURED,
        DISPATCHED,
        ("COMPLETED", None),
        {**FORWARD_TO_PAYMENT, **PAID_AND_SHIPPED, "CommitReservation": 2, "CompleteOrder": 1},
    ),
    "declined": Scenario(
        ENOUGH,
        Refused(reason="card declined"),
        DISPATCHED,
        ("CANCELLED", "PAYMENT_DECLINED"),
        {**FORWARD_TO_PAYMENT, **RELEASE_AND_CLOSE},
    ),
    "payment-failed": Scenario(
        ENOUGH,
        Abandoned(reason="gateway timed out"),
        DISPATCHED,
        ("CANCELLED", "PAYMENT_FAILED"),
        {**FORWARD_TO_PAYMENT, **RELEASE_AND_CLOSE},
    ),
    "shipping-failed": Scenario(
        ENOUGH,
        CAPTURED,
        Refused(reason="address unknown"),
        ("CANCELLED", "SHIPPING_FAILED"),
        {**FORWARD_TO_PAYMENT, **PAID_AND_SHIPPED, "RefundPayment": 1, **RELEASE_AND_CLOSE},
    ),
    "out-of-stock": Scenario(
        {"p-1": 10, "p-2": 0},
        CAPTURED,
        DISPATCHED,
        ("CANCELLED", "OUT_OF_STOCK"),
        {"ReserveStock": 2, "CancelOrder": 1, "ReleaseReservation": 1, "ConfirmOrderCancellation": 1},
    ),
}


def _deliver_in_any_order(sim: Simulation, data: st.DataObject) -> None:
    """Deliver the pending messages in a random interleaving; any delivery may be repeated later."""
    while sim.inbox:
        mail = sim.inbox.pop(data.draw(st.integers(0, len(sim.inbox) - 1), label="next"))
        if mail.redeliveries and data.draw(st.booleans(), label="again"):
            sim.inbox.append(replace(mail, redeliveries=mail.redeliveries - 1))
        sim.deliver(mail)


@pytest.mark.parametrize("name", list(SCENARIOS))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_duplicates_and_reordering_do_not_change_the_outcome(name: str, data: st.DataObject) -> None:
    scenario = SCENARIOS[name]
    sim = _simulation(
        _world(dict(scenario.stock), payment=scenario.payment, shipment=scenario.shipment), redeliveries=2
    )
    _deliver_in_any_order(sim, data)
    assert sim.outcome == scenario.outcome
    assert Counter(sim.names) == Counter(scenario.commands)
    assert not ("RefundPayment" in sim.names and sim.saga.step == "COMPLETED")
    if scenario.outcome[1] == "OUT_OF_STOCK":
        assert sim.issued_as(ReleaseReservation) == [ReleaseReservation(product_id="p-1", order_id=ORDER)]
    _assert_consistent(sim)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    payment=st.sampled_from(
        [CAPTURED, CAPTURED, Refused(reason="card declined"), Abandoned(reason="timed out")]
    ),
    shipment=st.sampled_from([DISPATCHED, Refused(reason="address unknown")]),
    p2_stock=st.sampled_from([0, 1, 10, 10]),
    cancels=st.booleans(),
    deadline_odds=st.sampled_from([0, 8, 30]),
)
def test_deadlines_and_cancels_at_any_moment_always_end_consistently(
    data: st.DataObject,
    payment: GatewayAnswer,
    shipment: GatewayAnswer,
    p2_stock: int,
    cancels: bool,
    deadline_odds: int,
) -> None:
    """Deadline sweeps and a cancel land between any two deliveries; once every message is delivered,
    the saga has ended by itself (no step waits for an answer that already came) and consistently."""
    world, placed = _world({"p-1": 10, "p-2": p2_stock}, payment=payment, shipment=shipment)
    sim = _simulation((world, placed), redeliveries=1)
    missed, cancel_pending = 0, cancels
    while sim.inbox:
        if cancel_pending and data.draw(st.integers(0, 40), label="cancel now") == 0:
            cancel_pending = False
            sim.cancel()
        if (
            deadline_odds
            and sim.saga.deadline is not None
            and data.draw(st.integers(0, deadline_odds), label="deadline now") == 0
        ):
            missed += 1
            sim.fire_deadline()
        mail = sim.inbox.pop(data.draw(st.integers(0, len(sim.inbox) - 1), label="next"))
        if mail.redeliveries and data.draw(st.booleans(), label="again"):
            sim.inbox.append(replace(mail, redeliveries=mail.redeliveries - 1))
        sim.deliver(mail)
    hypothesis_event(f"ended {sim.saga.step} ({sim.saga.failure}); deadlines missed: {min(missed, 3)}")
    assert sim.saga.step in ("COMPLETED", "CANCELLED"), f"stuck in {sim.saga.step}"
    assert sim.names.count("ProcessPayment") <= 1
    _assert_consistent(sim)
