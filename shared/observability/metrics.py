"""Prometheus metrics every function may record; the GraphQL function serves them at `/metrics`.

Counters are process-wide (prometheus-client's default registry); in the cloud they are scraped or
exported per instance, locally they are read by the tests (a product page costs one categories query).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

READ_MODEL_QUERIES = Counter(
    "kiroku_read_model_queries", "Read-model store queries made to answer requests", ["model", "operation"]
)
GRAPHQL_REQUESTS = Counter("kiroku_graphql_requests", "GraphQL requests by outcome", ["outcome"])
COMMANDS_SENT = Counter("kiroku_commands_sent", "Commands published by the API", ["type"])
COMMAND_WAIT_SECONDS = Histogram(
    "kiroku_command_wait_seconds",
    "Time from publishing a command to its outcome being visible in the read models",
    ["type", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
GATEWAY_CALLS = Counter(
    "kiroku_gateway_calls",
    "Calls to the payment and shipping gateways, retries included, by final outcome "
    "(ok, declined, unavailable, circuit_open)",
    ["gateway", "operation", "outcome"],
)
GATEWAY_RETRIES = Counter(
    "kiroku_gateway_retries", "Gateway requests retried after a failure", ["gateway", "operation"]
)
SAGA_OUTCOMES = Counter(
    "kiroku_saga_outcomes",
    "Fulfilment sagas ended, by outcome and cancellation reason",
    ["outcome", "reason"],
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
)
