"""Prometheus metrics every function may record; the GraphQL function serves them at `/metrics`.

Counters are process-wide (prometheus-client's default registry); in the cloud they are scraped or
exported per instance. Locally the runner gives every function one `PROMETHEUS_MULTIPROC_DIR`, so
prometheus-client's multiprocess mode keeps each process's figures in a file there and the GraphQL
function's `/metrics` sums the whole stack (`registry()`): what every function served, published and
asked of the stores, which `make bench-cost` reads. The series that every function records carry a
`function` label, since the sum would otherwise mix them.
"""

from __future__ import annotations

import os
import time
from functools import cache
from typing import Literal

import flask
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.multiprocess import MultiProcessCollector

from shared.config import settings

FUNCTION_INVOCATIONS = Counter(
    "kiroku_function_invocations",
    "HTTP requests a function served: push deliveries, scheduled calls and API requests",
    ["function"],
)
FUNCTION_SECONDS = Histogram(
    "kiroku_function_seconds",
    "How long a function took to answer a request (what Cloud Run bills an instance for)",
    ["function"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
MESSAGES_PUBLISHED = Counter(
    "kiroku_messages_published", "Messages a function published, by topic", ["function", "topic"]
)
MESSAGE_BYTES_PUBLISHED = Counter(
    "kiroku_message_bytes_published",
    "Bytes of data and attributes a function published, by topic (what Pub/Sub bills as throughput)",
    ["function", "topic"],
)
STORE_OPERATIONS = Counter(
    "kiroku_store_operations",
    "Operations a function asked of the event store and the read models, by kind (read or write): "
    "one call, however many records it moves",
    ["function", "store", "operation"],
)
FIRESTORE_DOCUMENTS = Counter(
    "kiroku_firestore_documents",
    "Firestore documents a function read and wrote, as Firestore bills them: each document a lookup asks "
    "for, each a query returns (one when it returns none), each write of a committed batch",
    ["function", "operation"],
)

READ_MODEL_QUERIES = Counter(
    "kiroku_read_model_queries", "Read-model store queries made to answer requests", ["model", "operation"]
)
COMMANDS_SENT = Counter("kiroku_commands_sent", "Commands published by the API", ["type"])
COMMAND_WAIT_SECONDS = Histogram(
    "kiroku_command_wait_seconds",
    "Time from publishing a command to its outcome being visible in the read models",
    ["type", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
SAGA_DEADLINES_MISSED = Counter("kiroku_saga_deadlines_missed", "Saga steps whose deadline passed", ["step"])
EVENTS_NOT_IN_STORE = Counter(
    "kiroku_events_not_in_store",
    "Events delivered to a consumer that the event store does not hold (forged or corrupt): ignored",
    ["consumer"],
)
SAGA_SWEEP_FAILURES = Counter(
    "kiroku_saga_sweep_failures",
    "Overdue sagas the deadline sweep could not handle (logged with the saga; the sweep went on)",
)
UNSETTLED_CHARGES = Gauge(
    "kiroku_unsettled_charges",
    "Charges the payment gateway held, at the last reconciliation, for orders neither shipped nor refunded",
    multiprocess_mode="mostrecent",
)


def instrument_requests() -> None:
    """Count every request this process's Flask app serves, and time it: each is a paid invocation."""

    def started(_app: flask.Flask, **_extra: object) -> None:
        flask.g.kiroku_request_started = time.perf_counter()
        FUNCTION_INVOCATIONS.labels(settings().function_name).inc()

    def finished(_app: flask.Flask, **_extra: object) -> None:
        began = flask.g.get("kiroku_request_started")
        if began is not None:
            FUNCTION_SECONDS.labels(settings().function_name).observe(time.perf_counter() - began)

    flask.request_started.connect(started, weak=False)
    flask.request_finished.connect(finished, weak=False)


def count_published(topic: str, messages: int, size: int) -> None:
    function = settings().function_name
    _series(MESSAGES_PUBLISHED, function, topic).inc(messages)
    _series(MESSAGE_BYTES_PUBLISHED, function, topic).inc(size)


def count_store_operation(
    store: Literal["event_store", "read_models"], operation: Literal["read", "write"]
) -> None:
    _series(STORE_OPERATIONS, settings().function_name, store, operation).inc()


def count_documents(operation: Literal["read", "write"], documents: int) -> None:
    _series(FIRESTORE_DOCUMENTS, settings().function_name, operation).inc(documents)


@cache
def _series(metric: Counter, *labels: str) -> Counter:
    """A labelled series, looked up once: `labels` takes the metric's lock on every call, and these are
    counted on every store call and publish of every handler."""
    return metric.labels(*labels)


def registry() -> CollectorRegistry:
    """What `/metrics` serves: this process's metrics, or every process's where they share a directory."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return REGISTRY
    combined = CollectorRegistry()
    MultiProcessCollector(combined, path=directory)  # type: ignore[no-untyped-call]
    return combined
