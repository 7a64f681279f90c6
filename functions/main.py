"""The entry points of the source bundle: each name here is an `entry_point` in manifest.yaml.

Importing this module is a function's cold start: logging, tracing and the garbage collector are
configured once, here. Every function deploys from this one file, so the entry points are imported
lazily (PEP 562): functions-framework asks for its one target and only that target's module is
imported. A command function never pays for strawberry and firebase-admin, nor the GraphQL function for
every command handler; on a laptop, where all the functions start at once, this roughly halves the CPU
the local cloud needs to start.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from shared.config import settings
from shared.interpreter import tune_garbage_collector
from shared.observability.logging import configure_logging
from shared.observability.tracing import configure_tracing

configure_logging(settings().project_id, settings().log_level)
configure_tracing()
tune_garbage_collector()

_COMMANDS = "functions.commands.handlers"
_SAGAS = "functions.sagas.fulfilment"
_PROJECTORS = "functions.projectors.read_models"

# entry point -> the module that defines it (a literal: deploy/bundle.py reads it without importing)
ENTRY_POINTS: dict[str, str] = {
    "graphql": "functions.graphql.app",
    "outbox_relay": "functions.operations.outbox_relay",
    "bus_audit": "functions.operations.bus_audit",
    "payment_reconciliation": "functions.operations.reconciliation",
    "saga_deadlines": _SAGAS,
    "create_category": _COMMANDS,
    "update_category": _COMMANDS,
    "delete_category": _COMMANDS,
    "create_product": _COMMANDS,
    "update_product": _COMMANDS,
    "change_price": _COMMANDS,
    "restock_product": _COMMANDS,
    "adjust_stock": _COMMANDS,
    "delete_product": _COMMANDS,
    "place_order": _COMMANDS,
    "cancel_order": _COMMANDS,
    "mark_order_reserved": _COMMANDS,
    "mark_order_paid": _COMMANDS,
    "start_order_shipping": _COMMANDS,
    "complete_order": _COMMANDS,
    "confirm_order_cancellation": _COMMANDS,
    "reserve_stock": _COMMANDS,
    "release_reservation": _COMMANDS,
    "commit_reservation": _COMMANDS,
    "process_payment": _COMMANDS,
    "refund_payment": _COMMANDS,
    "ship_order": _COMMANDS,
    "saga_on_reservation": _SAGAS,
    "saga_on_payment": _SAGAS,
    "saga_on_shipment": _SAGAS,
    "saga_on_order": _SAGAS,
    "project_categories": _PROJECTORS,
    "project_products": _PROJECTORS,
    "project_orders": _PROJECTORS,
}

__all__ = sorted(ENTRY_POINTS)


def __getattr__(name: str) -> Any:
    module = ENTRY_POINTS.get(name)
    if module is None:
        raise AttributeError(f"functions.main has no entry point {name!r}")
    return getattr(import_module(module), name)
