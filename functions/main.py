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

from shared.application.registry import ENTRY_POINTS as COMMAND_ENTRY_POINTS
from shared.config import settings
from shared.interpreter import tune_garbage_collector
from shared.observability.logging import configure_logging
from shared.observability.metrics import instrument_requests
from shared.observability.tracing import configure_tracing

configure_logging(settings().project_id, settings().log_level)
configure_tracing()
tune_garbage_collector()
instrument_requests()

_COMMANDS = "functions.commands.handlers"
_SAGAS = "functions.sagas.fulfilment"
_PROJECTORS = "functions.projectors.read_models"

# entry point -> the module that defines it (a literal: deploy/bundle.py reads it without importing); the
# command functions' entry points are the command registry's, served by _COMMANDS.
ENTRY_POINTS: dict[str, str] = {
    "graphql": "functions.graphql.app",
    "outbox_relay": "functions.operations.outbox_relay",
    "payment_reconciliation": "functions.operations.reconciliation",
    "saga_deadlines": _SAGAS,
    "saga_on_reservation": _SAGAS,
    "saga_on_payment": _SAGAS,
    "saga_on_shipment": _SAGAS,
    "saga_on_order": _SAGAS,
    "project_categories": _PROJECTORS,
    "project_products": _PROJECTORS,
    "project_orders": _PROJECTORS,
}

__all__ = sorted([*ENTRY_POINTS, *COMMAND_ENTRY_POINTS])


def __getattr__(name: str) -> Any:
    module = ENTRY_POINTS.get(name) or (_COMMANDS if name in COMMAND_ENTRY_POINTS else None)
    if module is None:
        raise AttributeError(f"functions.main has no entry point {name!r}")
    return getattr(import_module(module), name)
