"""The command registry: every command Kiroku takes, named once with what it addresses and who may send it.

As Commanded's router names each command's aggregate and identity in one file, each `CommandRoute` here
says which aggregate a command decides on, which of its fields is that aggregate's id, the least role that
may send it, and how its handler gets what it decides with. Everything else derives from this table: the
command handler's dispatch and role check, the saga's addressing of the commands it issues, the GraphQL
mutations' envelopes, the command functions' entry points (functions/commands/handlers.py,
functions/main.py and the deployed bundle), and the test that holds the manifest to it
(tests/unit/shared/test_command_registry.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from shared.application.aggregates import CATEGORY, ORDER, PAYMENT, PRODUCT, SHIPMENT, AggregateKind
from shared.messages.catalogue import (
    AdjustStock,
    ChangePrice,
    CreateCategory,
    CreateProduct,
    DeleteCategory,
    DeleteProduct,
    RestockProduct,
    UpdateCategory,
    UpdateProduct,
)
from shared.messages.envelope import Envelope, Role
from shared.messages.orders import (
    CancelOrder,
    CommitReservation,
    CompleteOrder,
    ConfirmOrderCancellation,
    MarkOrderReserved,
    PlaceOrder,
    ProcessPayment,
    RefundPayment,
    ReleaseReservation,
    ReserveStock,
    ShipOrder,
    StartOrderShipping,
)

# decide: the aggregate decides from its state and facts read from the stores.
# gateway: the handler first asks a partner (payment or shipping), whose answer is the fact it decides on;
# a partner that cannot answer leaves the command waiting for its next delivery.
HandlerKind = Literal["decide", "gateway"]


@dataclass(frozen=True)
class CommandRoute:
    """One command type: its model, the aggregate it addresses and by which field, and who may send it."""

    model: type[BaseModel]
    aggregate: AggregateKind[Any]
    id_field: str
    role: Role  # the least role that may send it; "system": only the fulfilment saga
    handler: HandlerKind = "decide"

    def __post_init__(self) -> None:
        if self.id_field not in self.model.model_fields:
            raise ValueError(f"{self.type} has no field {self.id_field!r} to address its aggregate by")

    @property
    def type(self) -> str:
        """The envelope `type` of this command: its model's class name."""
        return self.model.__name__

    @property
    def entry_point(self) -> str:
        """The name of the function entry point that handles it (PlaceOrder -> place_order)."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.type).lower()

    def parse(self, envelope: Envelope) -> BaseModel:
        return self.model.model_validate(envelope.payload)

    def aggregate_id(self, command: BaseModel | dict[str, Any]) -> str:
        """The id of the aggregate a command (or a command's payload) addresses."""
        value = command[self.id_field] if isinstance(command, dict) else getattr(command, self.id_field)
        return str(value)


ROUTES: tuple[CommandRoute, ...] = (
    # The catalogue, kept by admins.
    CommandRoute(CreateCategory, CATEGORY, "category_id", "admin"),
    CommandRoute(UpdateCategory, CATEGORY, "category_id", "admin"),
    CommandRoute(DeleteCategory, CATEGORY, "category_id", "admin"),
    CommandRoute(CreateProduct, PRODUCT, "product_id", "admin"),
    CommandRoute(UpdateProduct, PRODUCT, "product_id", "admin"),
    CommandRoute(ChangePrice, PRODUCT, "product_id", "admin"),
    CommandRoute(RestockProduct, PRODUCT, "product_id", "admin"),
    CommandRoute(AdjustStock, PRODUCT, "product_id", "admin"),
    CommandRoute(DeleteProduct, PRODUCT, "product_id", "admin"),
    # Orders: placed and cancelled by customers, moved forward and closed by the fulfilment saga.
    CommandRoute(PlaceOrder, ORDER, "order_id", "writer"),
    CommandRoute(CancelOrder, ORDER, "order_id", "writer"),
    CommandRoute(MarkOrderReserved, ORDER, "order_id", "system"),
    CommandRoute(StartOrderShipping, ORDER, "order_id", "system"),
    CommandRoute(CompleteOrder, ORDER, "order_id", "system"),
    CommandRoute(ConfirmOrderCancellation, ORDER, "order_id", "system"),
    # Stock reservations live on the product's stream: one version decides them and stock adjustments.
    CommandRoute(ReserveStock, PRODUCT, "product_id", "system"),
    CommandRoute(ReleaseReservation, PRODUCT, "product_id", "system"),
    CommandRoute(CommitReservation, PRODUCT, "product_id", "system"),
    # The partners' commands: the handler asks the payment or shipping gateway, the log keeps the answer.
    CommandRoute(ProcessPayment, PAYMENT, "order_id", "system", "gateway"),
    CommandRoute(RefundPayment, PAYMENT, "order_id", "system", "gateway"),
    CommandRoute(ShipOrder, SHIPMENT, "order_id", "system", "gateway"),
)

COMMAND_ROUTES: dict[str, CommandRoute] = {route.type: route for route in ROUTES}
ENTRY_POINTS: dict[str, CommandRoute] = {route.entry_point: route for route in ROUTES}
# The functions whose commands wait for a partner: their redeliveries wait out the gateway's open circuit.
GATEWAY_ENTRY_POINTS = frozenset(route.entry_point for route in ROUTES if route.handler == "gateway")


def route_of(command: BaseModel) -> CommandRoute:
    """The route of a command model instance; KeyError for a model no route takes."""
    return COMMAND_ROUTES[type(command).__name__]
