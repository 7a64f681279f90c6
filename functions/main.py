"""The entry points of the source bundle: each name here is an `entry_point` in manifest.yaml.

Importing this module is a function's cold start: logging and tracing are configured once, here. Every
function deploys from this one file, so the entry points are imported lazily (PEP 562): functions-
framework asks for its one target and only that target's module is imported. A command function never
pays for strawberry and firebase-admin, nor the GraphQL function for every command handler; on a laptop,
where all the functions start at once, this roughly halves the CPU the local cloud needs to start.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from shared.config import settings
from shared.observability.logging import configure_logging
from shared.observability.tracing import configure_tracing

configure_logging(settings().project_id, settings().log_level)
configure_tracing()

_COMMANDS = "functions.commands.handlers"
_SAGAS = "functions.sagas.fulfilment"
_PROJECTORS = "functions.projectors.read_models"

# entry point -> the module that defines it
ENTRY_POINTS: dict[str, str] = {
    "graphql": "functions.graphql.app",
    "outbox_relay": "functions.operations.outbox_relay",
    "bus_audit": "functions.operations.bus_audit",
    "saga_deadlines": _SAGAS,
    **{
        name: _COMMANDS
        for name in (
            "create_category",
            "update_category",
            "delete_category",
            "create_product",
            "update_product",
            "change_price",
            "restock_product",
            "adjust_stock",
            "delete_product",
            "place_order",
            "cancel_order",
            "mark_order_reserved",
            "mark_order_paid",
            "start_order_shipping",
            "complete_order",
            "confirm_order_cancellation",
            "reserve_stock",
            "release_reservation",
            "commit_reservation",
            "process_payment",
            "refund_payment",
            "ship_order",
        )
    },
    **{
        name: _SAGAS
        for name in ("saga_on_reservation", "saga_on_payment", "saga_on_shipment", "saga_on_order")
    },
    **{name: _PROJECTORS for name in ("project_categories", "project_products", "project_orders")},
}

__all__ = sorted(ENTRY_POINTS)


def __getattr__(name: str) -> Any:
    module = ENTRY_POINTS.get(name)
    if module is None:
        raise AttributeError(f"functions.main has no entry point {name!r}")
    return getattr(import_module(module), name)
