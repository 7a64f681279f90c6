"""What a decision needs from outside its aggregate, gathered at the edge so that `decide` stays pure.

A category's deletion needs to know whether products use it; a product, whether its category exists; an
order, its products' current prices and who is asking; a payment or shipment, what the gateway answered.
Existence and prices are read from the other aggregates' own streams, not from read models, so they are
exact rather than eventually consistent. The gateways are asked only when the aggregate's state says
the answer is not in the log yet: a redelivered payment never reaches the gateway twice.

A gateway that does not answer has not said no. After a failed capture or shipment, or before deciding
on an order that is no longer going ahead, the gateway is asked what it holds for the order (by its
idempotency key): a charge or shipment it holds is the answer, whatever our call saw. When it holds none,
the step fails only if the gateway refused the request itself; a gateway that is away, slow or behind an
open circuit leaves the command waiting: the error propagates and the command is delivered again later,
until the gateway answers or the saga's deadline for the step passes. A partner's outage delays orders,
it never cancels them. No charge is taken and no shipment leaves for an order that is being cancelled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from shared.adapters.gateways import (
    Charge,
    GatewayDeclined,
    GatewayUnavailable,
    PaymentGateway,
    ShippingGateway,
)
from shared.application.aggregates import CATEGORY, ORDER, PRODUCT
from shared.application.projections import PRODUCTS
from shared.domain.categories import CategoryFacts
from shared.domain.gateway_answers import Abandoned, Captured, Dispatched, GatewayAnswer, Refunded, Refused
from shared.domain.orders import OrderFacts
from shared.domain.payments import PaymentState
from shared.domain.products import ProductFacts
from shared.domain.shipments import ShipmentState
from shared.kernel.money import Money
from shared.messages.catalogue import CreateProduct, DeleteCategory, UpdateProduct
from shared.messages.envelope import Envelope
from shared.messages.orders import (
    CancelOrder,
    OrderStatus,
    PlaceOrder,
    ProcessPayment,
    RefundPayment,
    ShipOrder,
)
from shared.storage import Storage


class FactFinder:
    """Gathers the facts for one decision; the gateways are opened only by functions that talk to them."""

    def __init__(
        self,
        storage: Storage,
        payment: Callable[[], PaymentGateway],
        shipping: Callable[[], ShippingGateway],
    ) -> None:
        """`payment` and `shipping` open the gateways (the composition root, functions/runtime.py, says
        which); they are called only for a command that asks a gateway."""
        self._events = storage.events
        self._read_models = storage.read_models
        self._payment = payment
        self._shipping = shipping

    def facts(self, envelope: Envelope, command: BaseModel, state: Any) -> Any:
        if isinstance(command, DeleteCategory):
            users = self._read_models.find(PRODUCTS.model, {"category_id": command.category_id}, limit=1)
            return CategoryFacts(in_use=bool(users.records))
        if isinstance(command, CreateProduct | UpdateProduct) and command.category_id is not None:
            category = CATEGORY.fold(self._events.load(CATEGORY.stream_id(command.category_id)))
            return ProductFacts(category_exists=category.live)
        if isinstance(command, PlaceOrder | CancelOrder):
            prices = self._prices(command) if isinstance(command, PlaceOrder) else {}
            return OrderFacts(
                prices=prices,
                actor_uid=envelope.actor.uid,
                actor_is_admin=envelope.actor.role in ("admin", "system"),
                actor_is_system=envelope.actor.role == "system",
            )
        if isinstance(command, ProcessPayment | RefundPayment):
            assert isinstance(state, PaymentState)
            return self._payment_answer(command, state) if state.needs_gateway(command) else None
        if isinstance(command, ShipOrder):
            assert isinstance(state, ShipmentState)
            return self._shipping_answer(command) if state.needs_gateway(command) else None
        return {CATEGORY.aggregate_type: CategoryFacts(), ORDER.aggregate_type: OrderFacts()}.get(
            envelope.aggregate_type, ProductFacts()
        )

    def _prices(self, command: PlaceOrder) -> dict[str, Money | None]:
        prices: dict[str, Money | None] = {}
        for line in command.lines:
            product = PRODUCT.fold(self._events.load(PRODUCT.stream_id(line.product_id)))
            prices[line.product_id] = product.price if product.live else None
        return prices

    def _payment_answer(
        self, command: ProcessPayment | RefundPayment, state: PaymentState
    ) -> GatewayAnswer | None:
        gateway = self._payment()
        if isinstance(command, RefundPayment):
            # No answer is no refund: the error propagates and the command is delivered again later.
            if state.charge_id is not None and state.amount is not None:
                charge: Charge | None = Charge(state.charge_id, state.amount)
            else:
                charge = gateway.charge_of(command.order_id)
            if charge is None:
                return None
            return Refunded(
                gateway.refund(command.order_id, charge.charge_id, charge.amount).refund_id, charge.amount
            )
        if self._order_status(command.order_id) in ("CANCELLING", "CANCELLED"):
            found = gateway.charge_of(command.order_id)
            return (
                _captured(found)
                if found is not None
                else Abandoned("the order was cancelled before it was charged")
            )
        try:
            return _captured(gateway.capture(command.order_id, command.amount, command.payment_token))
        except GatewayDeclined as declined:
            return Refused(declined.reason)
        except GatewayUnavailable as unavailable:
            found = gateway.charge_of(command.order_id)
            if found is not None:
                return _captured(found)
            return _abandoned_or_wait(unavailable)

    def _shipping_answer(self, command: ShipOrder) -> GatewayAnswer:
        gateway = self._shipping()
        if self._order_status(command.order_id) != "SHIPPING":
            # The saga gave up on this shipment (its deadline passed) and the order is being cancelled: the
            # goods must not leave for an order that is refunded, unless they already left.
            found = gateway.shipment_of(command.order_id)
            return (
                Dispatched(found.shipment_id)
                if found is not None
                else Refused(f"order {command.order_id} is being cancelled: not shipped")
            )
        lines = [(line.product_id, line.quantity) for line in command.lines]
        try:
            return Dispatched(gateway.ship(command.order_id, command.shipping_address, lines).shipment_id)
        except GatewayDeclined as refused:
            return Refused(refused.reason)
        except GatewayUnavailable as unavailable:
            found = gateway.shipment_of(command.order_id)
            if found is not None:
                return Dispatched(found.shipment_id)
            return _abandoned_or_wait(unavailable)

    def _order_status(self, order_id: str) -> OrderStatus | None:
        return ORDER.fold(self._events.load(ORDER.stream_id(order_id))).status


def _abandoned_or_wait(unavailable: GatewayUnavailable) -> Abandoned:
    """A gateway that refused the request itself ends the step; one that is away, slow or behind an open
    circuit leaves it waiting: the error propagates, the delivery fails and the command comes again after
    the subscription's backoff, until the gateway answers or the saga's deadline for the step passes."""
    if unavailable.final:
        return Abandoned(unavailable.reason)
    raise unavailable


def _captured(charge: Charge) -> Captured:
    return Captured(charge.charge_id, charge.amount)
