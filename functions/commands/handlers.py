"""The command functions: one Cloud Function per command type of the command registry, all thin.

Each is wired in the manifest to the `commands` topic with a filter on its `type`; the entry point checks
the type again (a wiring mistake must not run the wrong command) and hands the envelope to the shared
command handler. A rejection is a normal outcome: acked, recorded, not retried.
"""

from __future__ import annotations

import time
from functools import cache

from functions.runtime import command_handler
from shared.application.registry import ENTRY_POINTS
from shared.bus.push import Delivery, PushEntryPoint, push_entry_point
from shared.messages.envelope import Envelope, EnvelopeError
from shared.observability.log_metrics import COMMAND_HANDLED


def command_function(command_type: str) -> PushEntryPoint:
    """The entry point of the function that handles `command_type` commands."""

    def handle(envelope: Envelope, delivery: Delivery) -> None:
        if envelope.kind != "command" or envelope.type != command_type:
            raise EnvelopeError(f"{command_type} function received a {envelope.kind} {envelope.type}")
        started = time.perf_counter()
        outcome = command_handler().handle(envelope, delivery.delivery_attempt)
        COMMAND_HANDLED.record(
            "%s %s: %s v%s",
            command_type,
            outcome.aggregate_id,
            outcome.status,
            outcome.version,
            type=command_type,
            outcome=outcome.status,
            seconds=time.perf_counter() - started,
        )

    handle.__name__ = f"handle_{command_type}"
    return push_entry_point(handle)


@cache
def _entry_point(command_type: str) -> PushEntryPoint:
    return command_function(command_type)


def __getattr__(name: str) -> PushEntryPoint:
    """Every command's entry point, named by the command registry (PlaceOrder -> place_order): a command
    added there has its function here, and the manifest test holds manifest.yaml to the same list."""
    route = ENTRY_POINTS.get(name)
    if route is None:
        raise AttributeError(f"{__name__} has no entry point {name!r}")
    return _entry_point(route.type)
