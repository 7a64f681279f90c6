"""The Payment aggregate: what the payment gateway answered, recorded once per order.

Talking to a gateway is I/O, so the command function asks it at the edge and hands the answer to the
pure `decide` as a fact. Each aggregate is keyed by the order id and takes one answer: a repeated
`ProcessPayment` (a redelivery, a saga re-issuing after a deadline) records nothing new
and the edge does not even ask the gateway again, so a customer is never charged twice.

A refund undoes whatever the gateway says was charged: the capture the log recorded, or, for a payment
recorded as failed or never answered, a charge the gateway holds all the same (an answer that was lost);
with neither there is nothing to refund.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from shared.domain.gateway_answers import Abandoned, Captured, GatewayAnswer, Refunded, Refused
from shared.domain.rejection import Rejected
from shared.kernel.money import Money
from shared.messages.orders import (
    PaymentCaptured,
    PaymentCommand,
    PaymentDeclined,
    PaymentEvent,
    PaymentFailed,
    PaymentRefunded,
    ProcessPayment,
    RefundPayment,
)

PaymentOutcome = Literal["CAPTURED", "DECLINED", "FAILED", "REFUNDED"]


@dataclass(frozen=True, slots=True)
class PaymentState:
    version: int = 0
    outcome: PaymentOutcome | None = None
    charge_id: str | None = None
    amount: Money | None = None

    def needs_gateway(self, command: PaymentCommand) -> bool:
        """Whether deciding `command` needs the gateway's answer, or the log already has it (a refund
        asks the gateway unless the payment was refunded, or declined: a decline charged nothing)."""
        if isinstance(command, ProcessPayment):
            return self.outcome is None
        return self.outcome not in ("REFUNDED", "DECLINED")


def decide_payment(
    state: PaymentState, command: PaymentCommand, answer: GatewayAnswer | None
) -> list[PaymentEvent]:
    if isinstance(command, ProcessPayment):
        if state.outcome is not None:
            return []
        if isinstance(answer, Captured):
            return [PaymentCaptured(charge_id=answer.charge_id, amount=answer.amount)]
        if isinstance(answer, Refused):
            return [PaymentDeclined(reason=answer.reason)]
        if isinstance(answer, Abandoned):
            return [PaymentFailed(reason=answer.reason)]
        raise TypeError(f"a payment needs the gateway's answer, not {answer!r}")
    if not isinstance(command, RefundPayment):
        raise TypeError(f"not a payment command: {command!r}")
    if state.outcome == "REFUNDED":
        return []
    if isinstance(answer, Refunded):
        return [PaymentRefunded(refund_id=answer.refund_id, amount=answer.amount)]
    if state.outcome == "CAPTURED":
        raise TypeError(f"a refund of a capture needs the gateway's refund, not {answer!r}")
    raise Rejected("NOTHING_TO_REFUND", f"order {command.order_id} was not charged", "orderId")


def evolve_payment(state: PaymentState, event: PaymentEvent) -> PaymentState:
    state = replace(state, version=state.version + 1)
    if isinstance(event, PaymentCaptured):
        return replace(state, outcome="CAPTURED", charge_id=event.charge_id, amount=event.amount)
    if isinstance(event, PaymentDeclined):
        return replace(state, outcome="DECLINED")
    if isinstance(event, PaymentFailed):
        return replace(state, outcome="FAILED")
    return replace(state, outcome="REFUNDED")
