"""The Payment and Shipment aggregates, decided without any I/O: each records exactly one gateway answer
per order (a repeated command records nothing and does not ask the gateway again, so nobody is charged
or shipped twice), and a refund needs a capture to undo and happens once."""

from __future__ import annotations

from functools import reduce

import pytest

from shared.domain.gateway_answers import Abandoned, Captured, Dispatched, GatewayAnswer, Refunded, Refused
from shared.domain.payments import PaymentState, decide_payment, evolve_payment
from shared.domain.rejection import Rejected
from shared.domain.shipments import ShipmentState, decide_shipment, evolve_shipment
from shared.kernel.money import Money
from shared.messages.orders import (
    OrderShipped,
    PaymentCaptured,
    PaymentDeclined,
    PaymentEvent,
    PaymentFailed,
    PaymentRefunded,
    ProcessPayment,
    RefundPayment,
    ShipmentLine,
    ShipOrder,
    ShippingFailed,
)

ORDER = "o-1"
TOTAL = Money(amount="14.20", currency="EUR")
PAY = ProcessPayment(order_id=ORDER, amount=TOTAL, payment_token="tok-visa")
REFUND = RefundPayment(order_id=ORDER, reason="shipping failed")
SHIP = ShipOrder(
    order_id=ORDER, shipping_address="1 Tea Street", lines=[ShipmentLine(product_id="p-1", quantity=2)]
)
PAYMENT_ANSWERS: list[GatewayAnswer] = [
    Captured(charge_id="ch-1", amount=TOTAL),
    Refused(reason="card declined"),
    Abandoned(reason="gateway timed out"),
]
ANY_ANSWER: list[GatewayAnswer | None] = [
    *PAYMENT_ANSWERS,
    Captured(charge_id="ch-2", amount=TOTAL),
    Refunded(refund_id="rf-1", amount=TOTAL),
    Dispatched(shipment_id="sh-1"),
    None,
]


def _payment(*events: PaymentEvent) -> PaymentState:
    return reduce(evolve_payment, events, PaymentState())


def _captured() -> PaymentState:
    return _payment(PaymentCaptured(charge_id="ch-1", amount=TOTAL))


@pytest.mark.parametrize(
    ("answer", "event"),
    [
        (Captured(charge_id="ch-1", amount=TOTAL), PaymentCaptured(charge_id="ch-1", amount=TOTAL)),
        (Refused(reason="card declined"), PaymentDeclined(reason="card declined")),
        (Abandoned(reason="gateway timed out"), PaymentFailed(reason="gateway timed out")),
    ],
)
def test_a_payment_records_the_gateways_answer(answer: GatewayAnswer, event: PaymentEvent) -> None:
    state = PaymentState()
    assert state.needs_gateway(PAY)
    assert decide_payment(state, PAY, answer) == [event]


@pytest.mark.parametrize("first", PAYMENT_ANSWERS)
@pytest.mark.parametrize("second", ANY_ANSWER)
def test_a_payment_takes_exactly_one_answer(first: GatewayAnswer, second: GatewayAnswer | None) -> None:
    state = reduce(evolve_payment, decide_payment(PaymentState(), PAY, first), PaymentState())
    assert state.version == 1
    assert not state.needs_gateway(PAY), "once answered, the gateway is not asked again"
    assert decide_payment(state, PAY, second) == []


def test_a_payment_cannot_be_decided_without_the_gateways_answer() -> None:
    with pytest.raises(TypeError):
        decide_payment(PaymentState(), PAY, None)
    with pytest.raises(TypeError):
        decide_payment(PaymentState(), PAY, Refunded(refund_id="rf-1", amount=TOTAL))


def test_a_capture_remembers_the_charge_and_amount() -> None:
    state = _captured()
    assert (state.outcome, state.charge_id, state.amount) == ("CAPTURED", "ch-1", TOTAL)


@pytest.mark.parametrize(
    "state",
    [
        PaymentState(),
        _payment(PaymentDeclined(reason="card declined")),
        _payment(PaymentFailed(reason="gateway timed out")),
    ],
)
def test_a_refund_of_no_charge_is_nothing_to_refund(state: PaymentState) -> None:
    with pytest.raises(Rejected) as raised:
        decide_payment(state, REFUND, None)
    assert (raised.value.code, raised.value.category) == ("NOTHING_TO_REFUND", "CONFLICT")


@pytest.mark.parametrize(
    ("state", "asks"),
    [
        (PaymentState(), True),
        (_payment(PaymentFailed(reason="gateway timed out")), True),
        (_payment(PaymentDeclined(reason="card declined")), False),
    ],
)
def test_a_refund_without_a_recorded_capture_refunds_what_the_gateway_holds(
    state: PaymentState, asks: bool
) -> None:
    # A capture whose answer was lost: the log says failed (or nothing), the gateway holds the charge.
    assert state.needs_gateway(REFUND) == asks
    if asks:
        [refunded] = decide_payment(state, REFUND, Refunded(refund_id="rf-1", amount=TOTAL))
        assert refunded == PaymentRefunded(refund_id="rf-1", amount=TOTAL)
        assert evolve_payment(state, refunded).outcome == "REFUNDED"


def test_a_refund_returns_the_captured_amount_once() -> None:
    state = _captured()
    assert state.needs_gateway(REFUND)
    [refunded] = decide_payment(state, REFUND, Refunded(refund_id="rf-1", amount=TOTAL))
    assert refunded == PaymentRefunded(refund_id="rf-1", amount=TOTAL)
    state = evolve_payment(state, refunded)
    assert state.outcome == "REFUNDED"
    assert not state.needs_gateway(REFUND)
    assert not state.needs_gateway(PAY)
    assert decide_payment(state, REFUND, None) == []
    assert decide_payment(state, REFUND, Refunded(refund_id="rf-2", amount=TOTAL)) == []
    assert decide_payment(state, PAY, Captured(charge_id="ch-2", amount=TOTAL)) == []


def test_a_refund_needs_the_gateways_refund() -> None:
    with pytest.raises(TypeError):
        decide_payment(_captured(), REFUND, None)


@pytest.mark.parametrize(
    ("answer", "event"),
    [
        (Dispatched(shipment_id="sh-1"), OrderShipped(shipment_id="sh-1")),
        (Refused(reason="address unknown"), ShippingFailed(reason="address unknown")),
        (Abandoned(reason="carrier timed out"), ShippingFailed(reason="carrier timed out")),
    ],
)
def test_a_shipment_takes_exactly_one_answer(
    answer: GatewayAnswer, event: OrderShipped | ShippingFailed
) -> None:
    state = ShipmentState()
    assert state.needs_gateway(SHIP)
    assert decide_shipment(state, SHIP, answer) == [event]
    state = evolve_shipment(state, event)
    assert state.version == 1
    assert not state.needs_gateway(SHIP)
    for second in ANY_ANSWER:
        assert decide_shipment(state, SHIP, second) == []


def test_a_shipment_cannot_be_decided_without_the_carriers_answer() -> None:
    for answer in (None, Captured(charge_id="ch-1", amount=TOTAL), Refunded(refund_id="rf-1", amount=TOTAL)):
        with pytest.raises(TypeError):
            decide_shipment(ShipmentState(), SHIP, answer)
