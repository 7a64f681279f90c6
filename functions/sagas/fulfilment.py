"""The fulfilment saga's step functions: one per participant whose events it reacts to, plus the sweep.

Each step is its own function, subscribed (through the manifest's filter) to one participant's events:
the products' reservations, the payment, the shipment, the order. They share one `SagaRunner`, which
decides from the saga's stream; the deadline sweep is an HTTP function Cloud Scheduler (or the local
runner's timer) calls.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import cache

import flask

from functions.runtime import publisher, storage
from shared.application.fulfilment import SagaRunner
from shared.bus.push import Delivery, PushEntryPoint, push_entry_point
from shared.config import settings
from shared.domain.fulfilment import DEFAULT_DEADLINES
from shared.messages.envelope import Envelope, EnvelopeError

logger = logging.getLogger(__name__)


@cache
def saga_runner() -> SagaRunner:
    overrides = {step: timedelta(seconds=seconds) for step, seconds in settings().saga_deadline_seconds}
    return SagaRunner(storage(), publisher(), {**DEFAULT_DEADLINES, **overrides})


def saga_step(name: str, aggregate_type: str) -> PushEntryPoint:
    """The entry point of the step that reacts to `aggregate_type`'s events."""

    def handle(envelope: Envelope, delivery: Delivery) -> None:
        if envelope.kind != "event" or envelope.aggregate_type != aggregate_type:
            raise EnvelopeError(f"saga step {name} received a {envelope.kind} of {envelope.aggregate_type}")
        saga_runner().handle(envelope)

    handle.__name__ = f"saga_{name}"
    return push_entry_point(handle)


saga_on_reservation = saga_step("on_reservation", "Product")
saga_on_payment = saga_step("on_payment", "Payment")
saga_on_shipment = saga_step("on_shipment", "Shipment")
saga_on_order = saga_step("on_order", "Order")


def saga_deadlines(request: flask.Request) -> flask.Response:
    overdue = saga_runner().sweep()
    if overdue:
        logger.info("saga deadline sweep: %d overdue", overdue)
    return flask.jsonify({"overdue": overdue})
