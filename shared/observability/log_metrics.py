"""The metrics that reach Cloud Monitoring: one structured log line per measurement, which log-based
metrics that Terraform defines count (a counter of lines) or sum up (a distribution of a field).

Why log-based metrics and not OpenTelemetry's metrics exporter: a Cloud Run function's instance has a CPU
only while it serves a request, so an exporter's periodic push from each instance comes late or never
(an idle instance is throttled, then scaled in), and each instance must be a time series of its own to
stay unique, paid per series. The functions write structured logs already; a measurement is one more
line, written where the work was done, on no request's path to another service, and it carries the
trace and the message ids it was measured in. The price: Cloud Logging's ingestion, and about a
minute before a point shows.

Each metric is also a Prometheus series of the same name (locally the GraphQL function's `/metrics`
sums the whole stack, metrics.py). `python -m shared.observability.log_metrics` writes the catalogue
that Terraform defines the log-based metrics from (terraform/modules/kiroku/log_metrics.json), and a
test keeps that file current.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client import Counter, Histogram

from shared.config import settings

logger = logging.getLogger("kiroku.metrics")

CATALOGUE_FILE = Path(__file__).resolve().parents[2] / "terraform" / "modules" / "kiroku" / "log_metrics.json"

SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
LONG_SECONDS = (1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
COUNTS = (0, 1, 2, 3, 5, 10, 20, 50, 100, 500, 1000)


@dataclass(frozen=True)
class LogMetric:
    """A log-based metric: a count of its measurement's lines, or a distribution of one of their fields."""

    name: str
    description: str
    value: str | None = None  # the field whose distribution it is; None: it counts the lines
    unit: str = "1"
    buckets: tuple[float, ...] = SECONDS


@dataclass
class Measurement:
    """One kind of measurement: its log line (`measurement` names it), its labels and its metrics."""

    name: str
    labels: tuple[str, ...]
    metrics: tuple[LogMetric, ...]
    _series: list[tuple[LogMetric, Counter | Histogram]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._series = [
            (
                metric,
                Counter(metric.name, metric.description, self.labels)
                if metric.value is None
                else Histogram(metric.name, metric.description, self.labels, buckets=metric.buckets),
            )
            for metric in self.metrics
        ]

    def record(
        self, message: str, *args: object, level: int = logging.INFO, **fields: str | int | float
    ) -> None:
        """Log the measurement's line (`message` % `args`, with every field) and count it in Prometheus.
        While telemetry is off, only a warning is logged, as a plain line."""
        if not settings().telemetry:
            if level >= logging.WARNING:
                logger.log(level, message, *args)
            return
        labels = [str(fields[label]) for label in self.labels]
        for metric, series in self._series:
            labelled = series.labels(*labels) if labels else series
            if isinstance(labelled, Histogram):
                assert metric.value is not None
                labelled.observe(float(fields[metric.value]))
            else:
                labelled.inc()
        logger.log(level, message, *args, extra={"json_fields": {"measurement": self.name, **fields}})


COMMAND_HANDLED = Measurement(
    "command_handled",
    ("type", "outcome"),
    (
        LogMetric("kiroku_commands_handled", "Commands handled, by type and outcome (ACCEPTED or REJECTED)"),
        LogMetric(
            "kiroku_command_seconds",
            "How long a command function took to decide and store a command, by type and outcome",
            value="seconds",
            unit="s",
        ),
    ),
)
EVENTS_APPENDED = Measurement(
    "events_appended",
    ("aggregate_type",),
    (
        LogMetric(
            "kiroku_append_seconds",
            "How long an append to the event store took (events, outbox and command record in one "
            "transaction), by aggregate type",
            value="seconds",
            unit="s",
        ),
        LogMetric(
            "kiroku_events_appended",
            "Events stored by each append, by aggregate type; its sum is the events appended",
            value="events",
            buckets=COUNTS,
        ),
    ),
)
EVENT_PROJECTED = Measurement(
    "event_projected",
    ("projection",),
    (
        LogMetric(
            "kiroku_projection_lag_seconds",
            "From an event's commit to its read model showing it, by projection",
            value="lag_seconds",
            unit="s",
        ),
    ),
)
SAGA_ENDED = Measurement(
    "saga_ended",
    ("outcome", "reason"),
    (
        LogMetric(
            "kiroku_saga_outcomes",
            "Fulfilment sagas ended, by outcome (COMPLETED or CANCELLED) and cancel reason (empty when "
            "completed)",
        ),
        LogMetric(
            "kiroku_saga_seconds",
            "How long a fulfilment saga ran, from its start (the order placed) to its end, by outcome and "
            "cancel reason",
            value="seconds",
            unit="s",
            buckets=LONG_SECONDS,
        ),
    ),
)
GATEWAY_CALLED = Measurement(
    "gateway_called",
    ("gateway", "operation", "outcome"),
    (
        LogMetric(
            "kiroku_gateway_calls",
            "Calls to the payment and shipping gateways, retries included, by final outcome "
            "(ok, declined, unavailable, circuit_open)",
        ),
        LogMetric(
            "kiroku_gateway_retries",
            "Requests a gateway call sent again after a failure; its sum is the retries",
            value="retries",
            buckets=COUNTS,
        ),
    ),
)
CIRCUIT_CHANGED = Measurement(
    "circuit_changed",
    ("gateway", "state"),
    (
        LogMetric(
            "kiroku_gateway_circuit_changes",
            "A gateway's circuit breaker changing state, by the state it entered (open, half_open, closed)",
        ),
    ),
)
GRAPHQL_REQUEST = Measurement(
    "graphql_request",
    ("outcome",),
    (
        LogMetric(
            "kiroku_graphql_requests",
            "GraphQL requests by outcome (ok, error, rate_limited, unauthenticated, subscription)",
        ),
    ),
)
OUTBOX_RELAYED = Measurement(
    "outbox_relayed",
    (),
    (
        LogMetric(
            "kiroku_outbox_backlog",
            "Events the outbox relay found committed but not published, at each run that found any",
            value="pending",
            buckets=COUNTS,
        ),
        LogMetric(
            "kiroku_outbox_age_seconds",
            "How long the oldest of them had waited, at each run that found any",
            value="oldest_seconds",
            unit="s",
            buckets=LONG_SECONDS,
        ),
    ),
)

DEAD_LETTERED = Measurement(
    "dead_lettered",
    ("function", "type"),
    (
        LogMetric(
            "kiroku_dead_lettered",
            "Messages a function failed on its last delivery attempt: Pub/Sub moves each to the function's "
            "dead-letter topic",
        ),
    ),
)

MEASUREMENTS = (
    COMMAND_HANDLED,
    EVENTS_APPENDED,
    EVENT_PROJECTED,
    SAGA_ENDED,
    GATEWAY_CALLED,
    CIRCUIT_CHANGED,
    GRAPHQL_REQUEST,
    OUTBOX_RELAYED,
    DEAD_LETTERED,
)


def catalogue() -> list[dict[str, object]]:
    """Every log-based metric as Terraform defines it: its line, its labels and what it counts."""
    return [
        {
            "name": metric.name,
            "description": metric.description,
            "measurement": measurement.name,
            "labels": list(measurement.labels),
            "value": metric.value,
            "unit": metric.unit,
            "buckets": list(metric.buckets) if metric.value is not None else [],
        }
        for measurement in MEASUREMENTS
        for metric in measurement.metrics
    ]


def catalogue_json() -> str:
    return json.dumps(catalogue(), indent=2) + "\n"


if __name__ == "__main__":
    CATALOGUE_FILE.write_text(catalogue_json())
    print(f"wrote {CATALOGUE_FILE}")
