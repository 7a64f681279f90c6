"""The payment and shipping commands on each real backend against the real fake gateway, over HTTP: a
gateway that does not answer has not said no (the command waits, and says what for), a gateway that
refuses the request itself ends the step, and nothing is charged or shipped for an order being
cancelled."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from emulators.fake_gateway import FakeGatewayClient
from emulators.services import FakeGateway
from shared.adapters.gateways import GatewayUnavailable, HttpPaymentGateway, HttpShippingGateway
from shared.application.commands import CommandHandler
from shared.application.facts import FactFinder
from shared.application.outcomes import OutcomeLog
from shared.application.reconciliation import Reconciler
from shared.application.waits import WaitLog
from shared.kernel.money import Money
from shared.messages.envelope import Actor, Envelope
from shared.storage import Storage
from tests.contract.factories import command
from tests.contract.test_command_handling import CUSTOMER, RecordingPublisher, create_catalogue
from tests.contract.test_concurrent_handling import at_once

SAGA = Actor(uid="fulfilment-saga", role="system")
AMOUNT = {"amount": "9.00", "currency": "EUR"}


def _handler(storage: Storage, fake_gateway: FakeGateway, timeout_seconds: float = 1.0) -> CommandHandler:
    payments = HttpPaymentGateway(fake_gateway.url, timeout_seconds=timeout_seconds, attempts=1)
    shipping = HttpShippingGateway(fake_gateway.url, timeout_seconds=timeout_seconds, attempts=1)
    facts = FactFinder(storage, lambda: payments, lambda: shipping)
    handler = CommandHandler(
        storage, RecordingPublisher(), facts, redelivery_backoff=lambda attempt: 2.0**attempt
    )
    create_catalogue(handler)
    return handler


def _order(handler: CommandHandler) -> str:
    """A placed order of one product, as its customer placed it."""
    order_id = f"o-{uuid.uuid4().hex[:12]}"
    place = command(
        "PlaceOrder",
        CUSTOMER,
        order_id=order_id,
        customer_id=CUSTOMER.uid,
        lines=[{"product_id": "p-1", "quantity": 1}],
        payment_token="tok_ok",
        shipping_address="1 Market Street",
    )
    placed = handler.handle(place, 1)
    assert placed.status == "ACCEPTED", placed.error
    return order_id


def _pay(order_id: str, token: str) -> Envelope:
    return command("ProcessPayment", SAGA, order_id=order_id, amount=AMOUNT, payment_token=token)


def _types(storage: Storage, stream_id: str) -> list[str]:
    return [event.type for event in storage.events.read_stream(stream_id)]


def _payment(fake_gateway: FakeGateway, order_id: str) -> dict[str, Any]:
    return FakeGatewayClient(fake_gateway.url).payment(order_id)


def test_a_capture_whose_answer_is_lost_is_the_charge_the_gateway_holds(
    storage: Storage, fake_gateway: FakeGateway
) -> None:
    handler = _handler(storage, fake_gateway)
    order_id = _order(handler)
    # tok_slow charges at once and answers after 2 s: with a 1 s timeout and one attempt the answer is lost.
    outcome = handler.handle(_pay(order_id, "tok_slow"), 1)
    assert outcome.status == "ACCEPTED"
    assert _types(storage, f"Payment-{order_id}") == ["PaymentCaptured"]
    charged = _payment(fake_gateway, order_id)
    assert charged["charges"] == 1
    [captured] = storage.events.read_stream(f"Payment-{order_id}")
    assert captured.payload["charge_id"] == charged["charge_id"]


def test_a_payment_the_gateway_cannot_answer_for_is_not_decided(
    storage: Storage, fake_gateway: FakeGateway
) -> None:
    handler = _handler(storage, fake_gateway)
    order_id = _order(handler)
    command = _pay(order_id, "tok_ok")
    waits = WaitLog(storage.read_models, OutcomeLog(storage.read_models))
    with FakeGatewayClient(fake_gateway.url).outage():
        for attempt in (1, 2):  # an error: the push endpoint answers 500 and Pub/Sub delivers again
            with pytest.raises(GatewayUnavailable):
                handler.handle(command, attempt)
    assert _types(storage, f"Payment-{order_id}") == []
    wait = waits.current(order_id)
    assert wait is not None
    assert (wait.partner, wait.command_id, wait.attempts) == ("payment gateway", command.id, 2)
    assert "unavailable" in wait.reason
    assert wait.next_attempt_at is not None
    assert (wait.next_attempt_at - wait.last_attempt_at).total_seconds() == pytest.approx(4.0)
    assert wait.since < wait.last_attempt_at
    assert handler.handle(command, 3).status == "ACCEPTED"  # delivered again once the gateway is back
    assert _types(storage, f"Payment-{order_id}") == ["PaymentCaptured"]
    assert _payment(fake_gateway, order_id)["charges"] == 1
    assert waits.current(order_id) is None  # the command has its outcome: nothing is waited for


def test_a_capture_that_times_out_without_a_charge_waits_rather_than_fails(
    storage: Storage, fake_gateway: FakeGateway
) -> None:
    handler = _handler(storage, fake_gateway)
    order_id = _order(handler)
    # tok_timeout makes the gateway hang (504 after 10 s): our 1 s timeout gives up, nothing is charged.
    with pytest.raises(GatewayUnavailable):
        handler.handle(_pay(order_id, "tok_timeout"), 1)
    assert _types(storage, f"Payment-{order_id}") == []
    assert _payment(fake_gateway, order_id)["charges"] == 0


def test_a_refund_that_meets_an_outage_waits_and_is_applied_once_the_gateway_is_back(
    storage: Storage, fake_gateway: FakeGateway
) -> None:
    handler = _handler(storage, fake_gateway)
    order_id = _order(handler)
    assert handler.handle(_pay(order_id, "tok_ok"), 1).status == "ACCEPTED"
    refund = command("RefundPayment", SAGA, order_id=order_id, reason="the customer cancelled")
    waits = WaitLog(storage.read_models, OutcomeLog(storage.read_models))
    with FakeGatewayClient(fake_gateway.url).outage(), pytest.raises(GatewayUnavailable):
        handler.handle(refund, 1)
    wait = waits.current(order_id)
    assert wait is not None
    assert (wait.partner, wait.command_type) == ("payment gateway", "RefundPayment")
    assert handler.handle(refund, 2).status == "ACCEPTED"
    assert handler.handle(refund, 3).status == "ACCEPTED"  # a duplicate delivery: one refund
    assert _types(storage, f"Payment-{order_id}") == ["PaymentCaptured", "PaymentRefunded"]
    assert _payment(fake_gateway, order_id)["refunded"] is True
    assert waits.current(order_id) is None


def test_a_refund_undoes_a_charge_the_log_recorded_as_failed(
    storage: Storage, fake_gateway: FakeGateway
) -> None:
    handler = _handler(storage, fake_gateway)
    order_id = _order(handler)
    # tok_invalid: the gateway refuses the request itself (HTTP 400), which ends the payment step. Then a
    # charge appears anyway, as one our log recorded as failed would if it completed after we looked.
    assert handler.handle(_pay(order_id, "tok_invalid"), 1).status == "ACCEPTED"
    assert _types(storage, f"Payment-{order_id}") == ["PaymentFailed"]
    FakeGatewayClient(fake_gateway.url).charge(order_id, Money.model_validate(AMOUNT))
    refund = command("RefundPayment", SAGA, order_id=order_id, reason="reconciliation")
    assert handler.handle(refund, 1).status == "ACCEPTED"
    assert _types(storage, f"Payment-{order_id}") == ["PaymentFailed", "PaymentRefunded"]
    assert _payment(fake_gateway, order_id)["refunded"] is True


def test_nothing_is_charged_or_shipped_for_an_order_being_cancelled(
    storage: Storage, fake_gateway: FakeGateway
) -> None:
    handler = _handler(storage, fake_gateway)
    order_id = _order(handler)
    cancel = command("CancelOrder", SAGA, order_id=order_id, reason="too late")
    cancelled = handler.handle(cancel, 1)
    assert cancelled.status == "ACCEPTED", cancelled.error
    assert handler.handle(_pay(order_id, "tok_ok"), 1).status == "ACCEPTED"
    ship = command(
        "ShipOrder",
        SAGA,
        order_id=order_id,
        shipping_address="1 Market Street",
        lines=[{"product_id": "p-1", "quantity": 1}],
    )
    assert handler.handle(ship, 1).status == "ACCEPTED"
    assert _types(storage, f"Payment-{order_id}") == ["PaymentFailed"]
    assert _types(storage, f"Shipment-{order_id}") == ["ShippingFailed"]
    assert _payment(fake_gateway, order_id)["capture_requests"] == 0
    shipped = requests.get(f"{fake_gateway.url}/shipments/{order_id}", timeout=5).json()
    assert shipped["ship_requests"] == 0


def test_reconciliation_refunds_a_charge_held_for_an_order_that_was_not_shipped(
    storage: Storage, fake_gateway: FakeGateway
) -> None:
    handler = _handler(storage, fake_gateway)
    cancelled, running = _order(handler), _order(handler)
    assert handler.handle(_pay(cancelled, "tok_invalid"), 1).status == "ACCEPTED"  # recorded as failed
    close = command(
        "ConfirmOrderCancellation",
        SAGA,
        order_id=cancelled,
        reason="PAYMENT_FAILED",
        detail="The payment could not be taken.",
    )
    assert handler.handle(close, 1).status == "ACCEPTED"
    for order_id in (cancelled, running):  # charges the gateway completed after the payment step looked
        FakeGatewayClient(fake_gateway.url).charge(order_id, Money.model_validate(AMOUNT))
    publisher = RecordingPublisher()
    payments = HttpPaymentGateway(fake_gateway.url, timeout_seconds=2, attempts=1)
    reconciler = Reconciler(storage, publisher, lambda: payments)

    found = [charge for charge in reconciler.settle() if charge.order_id in (cancelled, running)]

    assert [(charge.order_id, charge.order_status) for charge in found] == [(cancelled, "CANCELLED")]
    [refund] = [envelope for _, envelope in publisher.published if envelope.aggregate_id == cancelled]
    assert refund.type == "RefundPayment"
    assert handler.handle(refund, 1).status == "ACCEPTED"
    assert _payment(fake_gateway, cancelled)["refunded"] is True
    assert cancelled not in [charge.order_id for charge in reconciler.unsettled()]
    assert (
        _payment(fake_gateway, running)["refunded"] is False
    )  # an order in progress is the saga's to settle


def test_one_payment_processed_twice_at_once_captures_once(
    storage: Storage, fake_gateway: FakeGateway
) -> None:
    """Two deliveries of one ProcessPayment decided by two function instances at the same moment."""
    handlers = [_handler(storage, fake_gateway), _handler(storage, fake_gateway)]
    order_id = _order(handlers[0])
    pay = _pay(order_id, "tok_ok")

    outcomes = at_once(2, lambda index: handlers[index].handle(pay, 1))

    assert {(outcome.status, outcome.version) for outcome in outcomes} == {("ACCEPTED", 1)}
    assert _types(storage, f"Payment-{order_id}") == ["PaymentCaptured"]
    assert _payment(fake_gateway, order_id)["charges"] == 1
