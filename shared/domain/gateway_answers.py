"""What a gateway answered, as the facts the Payment and Shipment aggregates decide on.

Talking to a gateway is I/O, so the command handler asks it at the edge and hands the answer to the pure
`decide` as one of these values; a gateway that cannot answer for now gives none, and the command waits.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.kernel.money import Money


@dataclass(frozen=True, slots=True)
class Captured:
    charge_id: str
    amount: Money


@dataclass(frozen=True, slots=True)
class Refunded:
    refund_id: str
    amount: Money


@dataclass(frozen=True, slots=True)
class Dispatched:
    shipment_id: str


@dataclass(frozen=True, slots=True)
class Refused:
    """The gateway said no; retrying will not change it."""

    reason: str


@dataclass(frozen=True, slots=True)
class Abandoned:
    """The step ends without a charge or a shipment, though nobody said no to the customer: the gateway
    refused the request itself (asking again cannot help), or the order was cancelled before the gateway
    was asked. A gateway that cannot answer for now gives no answer at all: the command waits."""

    reason: str


GatewayAnswer = Captured | Refunded | Dispatched | Refused | Abandoned
