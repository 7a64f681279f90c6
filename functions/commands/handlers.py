"""The command functions: one Cloud Function per command type, all thin.

Each is wired in the manifest to the `commands` topic with a filter on its `type`; the entry point checks
the type again (a wiring mistake must not run the wrong command) and hands the envelope to the shared
command handler. A rejection is a normal outcome: acked, recorded, not retried.
"""

from __future__ import annotations

import logging

from functions.runtime import command_handler
from shared.bus.push import Delivery, PushEntryPoint, push_entry_point
from shared.messages.envelope import Envelope, EnvelopeError

logger = logging.getLogger(__name__)


def command_function(command_type: str) -> PushEntryPoint:
    """The entry point of the function that handles `command_type` commands."""

    def handle(envelope: Envelope, delivery: Delivery) -> None:
        if envelope.kind != "command" or envelope.type != command_type:
            raise EnvelopeError(f"{command_type} function received a {envelope.kind} {envelope.type}")
        outcome = command_handler().handle(envelope, delivery.delivery_attempt)
        logger.info("%s %s: %s v%s", command_type, outcome.aggregate_id, outcome.status, outcome.version)

    handle.__name__ = f"handle_{command_type}"
    return push_entry_point(handle)


create_category = command_function("CreateCategory")
update_category = command_function("UpdateCategory")
delete_category = command_function("DeleteCategory")
create_product = command_function("CreateProduct")
update_product = command_function("UpdateProduct")
change_price = command_function("ChangePrice")
restock_product = command_function("RestockProduct")
adjust_stock = command_function("AdjustStock")
delete_product = command_function("DeleteProduct")

# Orders: placed and cancelled by customers, moved forward and closed by the fulfilment saga.
place_order = command_function("PlaceOrder")
cancel_order = command_function("CancelOrder")
mark_order_reserved = command_function("MarkOrderReserved")
mark_order_paid = command_function("MarkOrderPaid")
start_order_shipping = command_function("StartOrderShipping")
complete_order = command_function("CompleteOrder")
confirm_order_cancellation = command_function("ConfirmOrderCancellation")

# Stock reservations, on the product's stream.
reserve_stock = command_function("ReserveStock")
release_reservation = command_function("ReleaseReservation")
commit_reservation = command_function("CommitReservation")

# The gateways' commands: the function asks the payment or shipping gateway, the log keeps the answer.
process_payment = command_function("ProcessPayment")
refund_payment = command_function("RefundPayment")
ship_order = command_function("ShipOrder")
