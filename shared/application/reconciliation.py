"""Payment reconciliation: charges the gateway holds for orders that were neither shipped nor refunded.

The payment step looks a capture up when its answer is lost, and compensation refunds whatever the
gateway says was charged; what can still slip through is a charge the gateway completes after we looked
(a capture in flight inside the gateway when the lookup said "none"). So the gateway's own list of
charges is compared with the event store, on a schedule and on demand: a charge not refunded whose
order was cancelled (or never placed) is unsettled, and a RefundPayment is sent for it, whose handler
refunds whatever the gateway holds for the order. Orders still in progress are the saga's to settle,
and completed (shipped) orders keep their charge.

The refund command's id is derived from the charge, so running reconciliation twice, or on several
instances, refunds once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from shared.adapters.gateways import ChargeRecord, PaymentGateway
from shared.application.aggregates import ORDER, PAYMENT
from shared.bus.publisher import Publisher
from shared.bus.topics import COMMANDS_TOPIC
from shared.kernel.money import Money
from shared.messages.envelope import SYSTEM_ACTOR, Envelope
from shared.messages.fields import clipped, system_id
from shared.messages.orders import RefundPayment
from shared.observability.metrics import UNSETTLED_CHARGES
from shared.storage import Storage

logger = logging.getLogger(__name__)

# An order in one of these has ended without shipping: a charge still held for it is owed back.
_ENDED_UNSHIPPED = frozenset({None, "CANCELLED"})


@dataclass(frozen=True, slots=True)
class UnsettledCharge:
    order_id: str
    charge_id: str
    amount: Money
    order_status: str | None  # None: no such order in the event store


class Reconciler:
    """Compares the payment gateway's charges with the event store and refunds the unsettled ones."""

    def __init__(self, storage: Storage, publisher: Publisher, payment: Callable[[], PaymentGateway]) -> None:
        self._events = storage.events
        self._publisher = publisher
        self._payment = payment

    def unsettled(self) -> list[UnsettledCharge]:
        """Charges not refunded whose order ended without shipping, or does not exist."""
        found = [charge for record in self._payment().charges() if (charge := self._unsettled(record))]
        UNSETTLED_CHARGES.set(len(found))
        return found

    def settle(self) -> list[UnsettledCharge]:
        """Send a refund for every unsettled charge; returns them."""
        found = self.unsettled()
        for charge in found:
            logger.warning(
                "reconciliation: order %s (%s) holds charge %s of %s %s; refunding",
                charge.order_id,
                charge.order_status or "unknown",
                charge.charge_id,
                charge.amount.amount,
                charge.amount.currency,
            )
        if found:
            self._publisher.publish_many(COMMANDS_TOPIC, [_refund(charge) for charge in found])
        return found

    def _unsettled(self, record: ChargeRecord) -> UnsettledCharge | None:
        if record.refunded:
            return None
        order = ORDER.fold(self._events.load(ORDER.stream_id(record.order_id)))
        if order.status not in _ENDED_UNSHIPPED:
            return None
        payment = PAYMENT.fold(self._events.load(PAYMENT.stream_id(record.order_id)))
        if payment.outcome == "REFUNDED":
            return None
        charge = record.charge
        return UnsettledCharge(record.order_id, charge.charge_id, charge.amount, order.status)


def _refund(charge: UnsettledCharge) -> Envelope:
    command = RefundPayment(
        order_id=charge.order_id,
        reason=clipped(f"reconciliation: charge {charge.charge_id} held for an order that was not shipped"),
    )
    return Envelope.originate(
        id=system_id(f"reconcile:{charge.order_id}:{charge.charge_id}"),
        kind="command",
        type=RefundPayment.__name__,
        aggregate_type=PAYMENT.aggregate_type,
        aggregate_id=charge.order_id,
        actor=SYSTEM_ACTOR,
        payload=command.model_dump(mode="json"),
    )
