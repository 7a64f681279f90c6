"""What telemetry costs one hop, measured in a process of its own: no stack, so nothing but telemetry differs.

A push delivery to a handler that does what a command handler's telemetry does (its message span, an
event-store append's step span, the `events_appended` and `command_handled` measurement lines), with
spans written to a file and logs to a file as the local cloud's functions write them: the process's CPU
time (the span processor's exporting thread included) with telemetry on and off (KIROKU_TELEMETRY). The
tracer provider can be set once per process, so each setting runs in a subprocess, in ABAB order, and
each setting's cheapest run counts (the least disturbed by the rest of the machine). `make bench-e2e`
prints it beside the whole stack's figures, where fresh stacks differ from one another by more than this.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import flask
from opentelemetry import trace

from shared.bus.push import Delivery, push_entry_point
from shared.config import settings
from shared.messages.envelope import Actor, Envelope
from shared.observability.log_metrics import COMMAND_HANDLED, EVENTS_APPENDED
from shared.observability.logging import configure_logging
from shared.observability.tracing import configure_tracing, step_span

DELIVERIES = 3000
WARM_UP = 300
PASSES = 2  # of each setting, ABAB


def _handler(envelope: Envelope, delivery: Delivery) -> None:
    with step_span("eventstore append", stream_id=envelope.aggregate_id, events=1):
        pass
    EVENTS_APPENDED.record(
        "appended %d events to %s", 1, envelope.aggregate_id, aggregate_type="Bench", events=1, seconds=0.001
    )
    COMMAND_HANDLED.record(
        "%s %s", envelope.type, "ACCEPTED", type=envelope.type, outcome="ACCEPTED", seconds=0.002
    )


def _push_body() -> bytes:
    envelope = Envelope.originate(
        kind="command",
        type="CreateProduct",
        aggregate_type="Product",
        aggregate_id="p-1",
        actor=Actor(uid="bench", role="admin"),
        payload={},
    )
    message = {
        "data": base64.b64encode(envelope.to_data()).decode(),
        "attributes": envelope.attributes(),
        "messageId": "m-1",
        "publishTime": "2026-12-01T00:00:00Z",
    }
    return json.dumps({"message": message, "subscription": "s", "deliveryAttempt": 1}).encode()


def delivery_microseconds(deliveries: int, warm_up: int) -> float:
    """Mean CPU µs a push delivery costs this process, every thread's (the span processor's export too),
    with its settings' telemetry."""
    config = settings()
    log = open(os.devnull if config.trace_file is None else config.trace_file.with_suffix(".log"), "a")  # noqa: SIM115
    configure_logging(config.project_id, stream=log)
    configure_tracing()
    entry_point = push_entry_point(_handler)
    app = flask.Flask(__name__)
    body = _push_body()

    def deliver() -> None:
        with app.test_request_context("/", method="POST", data=body, content_type="application/json"):
            assert entry_point(flask.request).status_code == 204

    for _ in range(warm_up):
        deliver()
    provider = trace.get_tracer_provider()
    flush = getattr(provider, "force_flush", lambda: True)  # the SDK's provider; the no-op one has none
    flush()
    started = time.process_time()
    for _ in range(deliveries):
        deliver()
    flush()
    return (time.process_time() - started) / deliveries * 1e6


def _one_run(telemetry: bool, directory: Path, deliveries: int) -> float:
    environment = {
        **os.environ,
        "KIROKU_FUNCTION_NAME": "create-product",
        "KIROKU_TELEMETRY": str(telemetry).lower(),
        "KIROKU_TRACE_EXPORT": "file",
        "KIROKU_TRACE_FILE": str(directory / f"spans-{telemetry}.jsonl"),
    }
    answer = subprocess.run(
        [sys.executable, "-m", "bench.telemetry", str(deliveries)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return float(answer.stdout.strip().splitlines()[-1])


def hop_cost(deliveries: int = DELIVERIES) -> tuple[float, float]:
    """µs per delivery with telemetry and without: each setting's fastest of PASSES runs, ABAB."""
    best = {True: float("inf"), False: float("inf")}
    with tempfile.TemporaryDirectory(prefix="kiroku-telemetry-") as directory:
        for _ in range(PASSES):
            for telemetry in (True, False):
                best[telemetry] = min(best[telemetry], _one_run(telemetry, Path(directory), deliveries))
    return best[True], best[False]


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else DELIVERIES
    print(f"{delivery_microseconds(count, min(WARM_UP, count)):.2f}")
