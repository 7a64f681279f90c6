"""The metrics of a scripted mix of orders, on a stack of its own (nothing else moves it): one completed,
one declined, one whose payment outlived its deadline. The GraphQL function's `/metrics` (every function's
figures, summed) counts exactly those outcomes, commands and requests, and each projector's lag; and the
functions' measurement lines, counted as the log-based metrics of terraform/ count them (a line per
measurement, its fields as labels), give every series the same figure: what Cloud Monitoring would show."""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bench.cost import MetricsReader, Sample, delta, quiet
from bench.e2e import sign_in, stack_options
from bench.orders import post
from emulators.fake_gateway import FakeGatewayClient
from emulators.stack import LocalCloud, gateway_circuits_reset_after
from shared.bus.manifest import Manifest
from shared.observability.log_metrics import MEASUREMENTS
from tests.e2e.conftest import until

PAYING_DEADLINE_SECONDS = 6
PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input, wait: false) { aggregateId } }"""
ORDER = "query($id: ID!) { order(id: $id) { status cancelReason } }"


@dataclass
class Metered:
    """A stack of the test's own, with an admin's and a writer's token, and every GraphQL call counted."""

    cloud: LocalCloud
    url: str
    admin: str
    writer: str
    calls: int = 0

    def data(self, token: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        self.calls += 1
        body = post(self.url, token, query, variables)
        assert not body.get("errors"), body
        data: dict[str, Any] = body["data"]
        return data

    def settled(self, order_id: str, within: float = 120) -> dict[str, Any]:
        def ended() -> dict[str, Any] | None:
            order = self.data(self.writer, ORDER, {"id": order_id})["order"]
            return (
                dict(order) if order is not None and order["status"] in ("COMPLETED", "CANCELLED") else None
            )

        return until(ended, timeout=within)


@pytest.fixture(scope="module")
def metered() -> Iterator[Metered]:
    options = stack_options(
        "postgres",
        "metrics",
        {"KIROKU_SAGA_DEADLINE_SECONDS": json.dumps({"PAYING": PAYING_DEADLINE_SECONDS})},
    )
    # The payment command that met the outage is tried again seconds after, not half a minute.
    manifest, breaker = gateway_circuits_reset_after(Manifest.load(), 2)
    options = dataclasses.replace(options, manifest=manifest, extra_env={**options.extra_env, **breaker})
    with LocalCloud(options) as cloud:
        assert cloud.runner is not None
        yield Metered(cloud, cloud.runner.url("graphql"), sign_in(cloud, "admin"), sign_in(cloud, "writer"))


def _measured_lines(cloud: LocalCloud) -> list[dict[str, Any]]:
    """Every measurement line the functions logged, as Cloud Logging would ingest it."""
    lines = []
    for log in cloud.log_dir.glob("function-*.log"):
        for text in log.read_text().splitlines():
            if text.startswith("{") and '"measurement"' in text:
                lines.append(json.loads(text))
    return lines


def _as_logged(lines: list[dict[str, Any]]) -> dict[Sample, float]:
    """Each log-based metric's counts, as Cloud Monitoring makes them: a counter counts its measurement's
    lines, a distribution's count does too (both by the lines' label fields)."""
    counted: Counter[Sample] = Counter()
    for measurement in MEASUREMENTS:
        for line in lines:
            if line["measurement"] != measurement.name:
                continue
            labels = tuple(sorted((label, str(line[label])) for label in measurement.labels))
            for metric in measurement.metrics:
                suffix = "_total" if metric.value is None else "_count"
                counted[(metric.name + suffix, labels)] += 1
    return dict(counted)


def test_a_mix_of_orders_is_counted_exactly_in_metrics_and_in_the_lines_log_based_metrics_count(
    metered: Metered,
) -> None:
    url, admin, writer = metered.url, metered.admin, metered.writer
    metrics = MetricsReader(url)
    category, product = f"metered-{uuid.uuid4().hex[:6]}", f"metered-{uuid.uuid4().hex[:6]}"
    metered.data(admin, f'mutation {{ createCategory(input: {{id: "{category}", name: "M"}}) {{ status }} }}')
    metered.data(
        admin,
        f'mutation {{ createProduct(input: {{id: "{product}", name: "M", categoryId: "{category}", '
        'price: {amount: "4.20", currency: "EUR"}, initialStock: 10}) { status } }',
    )
    until(lambda: metered.data(admin, f'{{ product(id: "{product}") {{ id }} }}')["product"], timeout=60)
    assert metered.cloud.runner is not None
    scheduled = {spec.name for spec in metered.cloud.runner.manifest.functions if spec.schedule is not None}
    before = quiet(metrics, scheduled)
    calls = metered.calls

    def place(token: str) -> str:
        variables = {
            "input": {
                "lines": [{"productId": product, "quantity": 1}],
                "paymentToken": token,
                "shippingAddress": "1 Metered Street",
            }
        }
        order_id: str = metered.data(writer, PLACE, variables)["placeOrder"]["aggregateId"]
        return order_id

    completed = metered.settled(place("tok_ok"))
    declined = metered.settled(place("tok_decline"))
    gateway = FakeGatewayClient(metered.cloud.environment()["KIROKU_PAYMENT_GATEWAY_URL"])
    gateway.set_available(False)
    try:
        late = place("tok_ok")
        time.sleep(PAYING_DEADLINE_SECONDS + 3)
    finally:
        gateway.set_available(True)
    late_order = metered.settled(late)
    assert (completed["status"], declined["cancelReason"], late_order["cancelReason"]) == (
        "COMPLETED",
        "PAYMENT_DECLINED",
        "DEADLINE_EXCEEDED",
    )
    sent = metered.calls - calls
    after = quiet(metrics, scheduled)

    outcomes = delta(before, after, "kiroku_saga_outcomes_total", "outcome", "reason")
    assert {key: count for key, count in outcomes.items() if count} == {
        ("COMPLETED", ""): 1,
        ("CANCELLED", "PAYMENT_DECLINED"): 1,
        ("CANCELLED", "DEADLINE_EXCEEDED"): 1,
    }
    assert delta(before, after, "kiroku_saga_seconds_count", "outcome")[("CANCELLED",)] == 2
    placed = delta(before, after, "kiroku_commands_handled_total", "type", "outcome")
    # A command delivered twice (at least once) is handled, and counted, twice; a saga ends once.
    assert placed[("PlaceOrder", "ACCEPTED")] >= 3
    assert placed[("ProcessPayment", "ACCEPTED")] >= 2
    assert delta(before, after, "kiroku_graphql_requests_total", "outcome") == {("ok",): sent}
    calls_by_outcome = delta(before, after, "kiroku_gateway_calls_total", "gateway", "outcome")
    assert calls_by_outcome[("payment", "declined")] >= 1
    assert calls_by_outcome[("payment", "unavailable")] >= 1
    lag = delta(before, after, "kiroku_projection_lag_seconds_count", "projection")
    assert lag[("orders",)] > 0
    projected = {
        dict(labels)["projection"] for name, labels in after if name == "kiroku_projection_lag_seconds_count"
    }
    assert projected == {"categories", "products", "orders"}
    appended = delta(before, after, "kiroku_events_appended_sum", "aggregate_type")
    assert appended[("Order",)] > 0

    # What Cloud Monitoring would count from the lines equals what /metrics counts, series by series.
    logged = _as_logged(_measured_lines(metered.cloud))
    scraped = {
        key: value for key, value in after.items() if key[0] in {*(name for name, _ in logged)} and value
    }
    assert logged == scraped
