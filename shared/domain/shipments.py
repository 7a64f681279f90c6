"""The Shipment aggregate: what the shipping gateway answered, recorded once per order.

The command handler asks the carrier at the edge and hands its answer to the pure `decide`; a repeated
`ShipOrder` (a redelivery, a saga re-issuing after a deadline) records nothing new and the edge does not
ask the carrier again, so an order is never shipped twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from shared.domain.gateway_answers import Abandoned, Dispatched, GatewayAnswer, Refused
from shared.messages.orders import (
    OrderShipped,
    ShipmentEvent,
    ShipOrder,
    ShippingFailed,
)


@dataclass(frozen=True, slots=True)
class ShipmentState:
    version: int = 0
    shipment_id: str | None = None
    failed: bool = False

    def needs_gateway(self, command: ShipOrder) -> bool:
        return self.shipment_id is None and not self.failed


def decide_shipment(
    state: ShipmentState, command: ShipOrder, answer: GatewayAnswer | None
) -> list[ShipmentEvent]:
    if not state.needs_gateway(command):
        return []
    if isinstance(answer, Dispatched):
        return [OrderShipped(shipment_id=answer.shipment_id)]
    if isinstance(answer, Refused | Abandoned):
        return [ShippingFailed(reason=answer.reason)]
    raise TypeError(f"a shipment needs the gateway's answer, not {answer!r}")


def evolve_shipment(state: ShipmentState, event: ShipmentEvent) -> ShipmentState:
    state = replace(state, version=state.version + 1)
    if isinstance(event, OrderShipped):
        return replace(state, shipment_id=event.shipment_id)
    return replace(state, failed=True)
