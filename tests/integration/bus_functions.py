"""Functions for the runner's integration tests: each records what it received, some fail on purpose.

They are served by functions-framework exactly like Kiroku's own functions; each appends one JSON line
per delivery to `$KIROKU_TEST_RECORDS/<function>.jsonl`, which the tests read.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import flask

from shared.bus.push import Delivery, push_entry_point
from shared.messages.envelope import Envelope
from shared.observability.logging import configure_logging

configure_logging("kiroku-test")


def _record(function: str, envelope: Envelope | None, delivery: Delivery | None, **extra: object) -> None:
    line = {"at": time.time(), **extra}
    if envelope is not None and delivery is not None:
        line |= {
            "envelope_id": envelope.id,
            "type": envelope.type,
            "payload": envelope.payload,
            "message_id": delivery.message_id,
            "attempt": delivery.delivery_attempt,
            "ordering_key": delivery.ordering_key,
            "subscription": delivery.subscription,
        }
    path = Path(os.environ["KIROKU_TEST_RECORDS"]) / f"{function}.jsonl"
    with path.open("a") as records:
        records.write(json.dumps(line) + "\n")


def _echo(envelope: Envelope, delivery: Delivery) -> None:
    _record("echo", envelope, delivery)


def _ordered(envelope: Envelope, delivery: Delivery) -> None:
    time.sleep(0.005)  # widen the window in which out-of-order delivery would show
    _record("ordered", envelope, delivery)


def _failing(function: str) -> Callable[[Envelope, Delivery], None]:
    """A handler that fails the first `fail_times` (in the payload) attempts of each message."""

    def handle(envelope: Envelope, delivery: Delivery) -> None:
        _record(function, envelope, delivery)
        if (delivery.delivery_attempt or 1) <= int(str(envelope.payload.get("fail_times", 0))):
            raise RuntimeError("failing on purpose")

    return handle


def _poison(envelope: Envelope, delivery: Delivery) -> None:
    _record("poison", envelope, delivery)
    raise RuntimeError("this message can never be handled")


def _filtered(envelope: Envelope, delivery: Delivery) -> None:
    _record("filtered", envelope, delivery)


def _duplicated(envelope: Envelope, delivery: Delivery) -> None:
    started = time.time()
    time.sleep(0.2)  # long enough that a twin pushed at the same moment is seen running alongside
    _record("duplicated", envelope, delivery, started=started)


def ticker(request: flask.Request) -> flask.Response:
    _record("ticker", None, None, method=request.method)
    return flask.Response(status=204)


echo = push_entry_point(_echo)
ordered = push_entry_point(_ordered)
flaky = push_entry_point(_failing("flaky"))
ordered_flaky = push_entry_point(_failing("ordered_flaky"))
poison = push_entry_point(_poison)
filtered = push_entry_point(_filtered)
duplicated = push_entry_point(_duplicated)
