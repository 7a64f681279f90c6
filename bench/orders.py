"""`make bench-orders`: placeOrder with `wait: true` through the whole fulfilment saga.

Each order crosses GraphQL, the PlaceOrder function, and the saga's steps (reserve, mark reserved and
pay, start shipping, ship, commit and complete), every one a Pub/Sub hop to its own function and an
append to a stream, plus the fake payment and shipping gateways. Printed beside createProduct with
`wait: true` measured in the same run, the one-command round trip every step repeats, so the ratio says
what the saga costs in round trips. Runs: 1 and 8 clients on distinct products, and 8 clients on one hot
product, whose reservations queue on the product's ordering key.

Also printed, from the same run: the order's critical path in hops (the messages in sequence from the
PlaceOrder command to the OrderCompleted event the waiting request sees, traced by causation ids through
the audit record and the saga's stream), the emulator's own hop p50 (publish → StreamingPull, paced),
the floor the two give (hops times the hop p50), and the machine's CPU-seconds per order; where one
order's CPU goes at one client, by process (bench/cpu.py: the emulator, the runner, each function,
PostgreSQL); and each of the issue's targets beside its figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import requests
from rich.console import Console
from rich.table import Table

from bench.bus import Figures, emulator_hop, timed
from bench.cpu import cpu_by_group, spent
from bench.e2e import create_products, sign_in, stack_options, storage_from_environment
from emulators.stack import LocalCloud, Storage
from shared.application.aggregates import SAGA
from shared.bus.audit import conversation
from shared.bus.publisher import Publisher
from shared.messages.envelope import Envelope

SCALE = float(os.environ.get("KIROKU_BENCH_SCALE", "1"))
PLACE = """mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { commandId aggregateId status order { status } }
}"""
# The targets on this machine: p50 at 1 client within this much of the floor per hop, this many
# orders a second from 8 clients, and p99 within this multiple of p50.
SLACK_PER_HOP_MS = 15.0
ORDERS_PER_SECOND = 8.0
P99_OVER_P50 = 2.0
console = Console(width=120)


def post(url: str, token: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """One GraphQL request as `token`'s user; the answer's body."""
    response = requests.post(
        url,
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    body: dict[str, Any] = response.json()
    return body


def _products(url: str, token: str, count: int) -> list[str]:
    ids = [f"bench-o-{uuid.uuid4().hex[:10]}" for _ in range(count)]
    for product_id in ids:
        body = post(
            url,
            token,
            f'mutation {{ createProduct(input: {{id: "{product_id}", name: "{product_id}", '
            'categoryId: "bench", price: {amount: "4.20", currency: "EUR"}, initialStock: 100000}) '
            "{ status } }",
        )
        assert "errors" not in body, body
    return ids


def _orders(
    url: str,
    token: str,
    products: list[str],
    clients: int,
    count: int,
    placed: list[tuple[str, str]] | None = None,
) -> Figures:
    """`count` orders from `clients` clients; each order's (correlation id, order id) added to `placed`."""
    lock = threading.Lock()

    def one(index: int) -> None:
        variables = {
            "input": {
                "lines": [{"productId": products[index % len(products)], "quantity": 1}],
                "paymentToken": "tok_ok",
                "shippingAddress": "1 Bench Street",
            }
        }
        body = post(url, token, PLACE, variables)
        answer = body["data"]["placeOrder"]
        if (answer["status"], answer["order"]) != ("ACCEPTED", {"status": "COMPLETED"}):
            raise RuntimeError(f"order did not complete: {body}")
        if placed is not None:
            with lock:
                # An order's messages carry its placeOrder command's id as their correlation id.
                placed.append((answer["commandId"], answer["aggregateId"]))

    return timed(clients, count, one)


@dataclass(frozen=True)
class OrdersOptions:
    """How much to send. The defaults are `make bench-orders`; the smoke test places a few orders."""

    storage: Storage = "postgres"
    products: int = 200  # the distinct products orders spread over
    warm_up: tuple[int, int] = (4, 8)  # (clients, orders) first, to warm every function and stream
    baseline: int = int(30 * SCALE)  # createProduct mutations from 1 client
    single: int = int(30 * SCALE)  # orders from 1 client
    clients: int = 8  # the concurrent runs' clients
    concurrent: int = int(120 * SCALE)  # orders from `clients` clients, on distinct products, then on one
    hop: int = 300  # raw Pub/Sub messages for the emulator's own hop, paced
    hop_rate: float = 100.0  # messages per second


@dataclass(frozen=True)
class OrdersReport:
    options: OrdersOptions
    baseline: Figures  # createProduct (wait: true) from 1 client, in the same run
    runs: list[tuple[str, Figures]]  # the run's name, its orders
    hop: Figures  # one raw Pub/Sub hop on the same emulator, paced
    critical_path: int  # hops in sequence from PlaceOrder to the OrderCompleted the request waits for
    cpu_groups: dict[str, float]  # CPU seconds each group of processes spent on the 1-client run

    def p50_ratio(self, figures: Figures) -> float:
        return figures.percentile(0.5) / self.baseline.percentile(0.5)

    @property
    def floor_ms(self) -> float:
        """What the critical path takes if each hop costs what the emulator's own hop does."""
        return self.critical_path * self.hop.percentile(0.5)


def critical_path(messages: Iterable[Envelope], saga_stream: Iterable[Envelope]) -> int:
    """The messages in sequence from the PlaceOrder command to the order's OrderCompleted event: each
    was one delivery to a function that the next waited for. A command the saga issued is caused by its
    CommandsIssued event, which stays in the saga's stream; that event is caused by the message the saga
    decided on, so the walk goes through the stream without counting it as a hop."""
    on_bus = {envelope.id: envelope for envelope in messages}
    known = {**{envelope.id: envelope for envelope in saga_stream}, **on_bus}
    at = next(envelope for envelope in on_bus.values() if envelope.type == "OrderCompleted")
    hops = 1
    while at.causation_id != at.id and at.causation_id in known:
        at = known[at.causation_id]
        hops += at.id in on_bus
    return hops


def run(options: OrdersOptions) -> OrdersReport:
    """Start the local cloud, measure createProduct from one client, then place each run's orders."""
    stack = stack_options(options.storage, "orders", {"KIROKU_RATE_LIMIT": "100000/minute"})
    console.print(f"bench-orders: placeOrder with wait: true on {stack.storage}, {os.cpu_count()} cores")
    with LocalCloud(stack) as cloud:
        assert cloud.runner is not None
        url = cloud.runner.url("graphql")
        admin, writer = sign_in(cloud, "admin"), sign_in(cloud, "writer")
        assert "errors" not in post(
            url, admin, 'mutation { createCategory(input: {id: "bench", name: "B"}) { status } }'
        )
        products = _products(url, admin, options.products)
        _orders(url, writer, products, *options.warm_up)
        baseline = create_products(url, admin, "bench", 1, options.baseline)
        hop = emulator_hop(cloud, Publisher(stack.project_id), options.hop, options.hop_rate)
        clients = options.clients
        alone: list[tuple[str, str]] = []
        before = cpu_by_group(cloud)
        single = _orders(url, writer, products, 1, options.single, alone)
        cpu_groups = spent(before, cpu_by_group(cloud))
        runs = [
            ("1 client", single),
            (f"{clients} clients", _orders(url, writer, products, clients, options.concurrent)),
            (
                f"{clients} clients, one product",
                _orders(url, writer, products[:1], clients, options.concurrent),
            ),
        ]
        rows = cloud.runner.audit.rows()
        with cloud.open_storage() as storage:
            paths = [
                critical_path(
                    (envelope for _, envelope in conversation(rows, correlation_id)),
                    storage.events.read_stream(SAGA.stream_id(order_id)),
                )
                for correlation_id, order_id in alone
            ]
    return OrdersReport(options, baseline, runs, hop, statistics.mode(paths), cpu_groups)


def print_report(report: OrdersReport) -> None:
    table = Table(title="placeOrder (wait: true, to COMPLETED) vs createProduct (wait: true, same run)")
    columns = ("run", "requests", "per s", "p50 ms", "p99 ms", "CPU s each", "p50 ÷ createProduct p50")
    for column in columns:
        table.add_column(column, justify="right")
    rows = [("createProduct, 1 client", report.baseline), *report.runs]
    for name, figures in rows:
        table.add_row(
            name,
            str(figures.messages),
            f"{figures.throughput:,.1f}",
            f"{figures.percentile(0.5):.1f}",
            f"{figures.percentile(0.99):.1f}",
            f"{figures.cpu_seconds / figures.messages:.2f}",
            f"{report.p50_ratio(figures):.1f}",
        )
    console.print(table)
    for name, figures in rows:
        print(
            f"{name}: {figures.throughput:,.1f}/s, p50 {figures.percentile(0.5):.1f} ms, "
            f"p99 {figures.percentile(0.99):.1f} ms, {figures.cpu_seconds / figures.messages:.2f} CPU-s each"
        )
    alone = dict(report.runs)["1 client"]
    shares = Table(title="Where one order's CPU goes (1 client), by process")
    for column in ("process", "CPU ms per order", "share"):
        shares.add_column(column, justify="right")
    total = sum(report.cpu_groups.values())
    for group, seconds in report.cpu_groups.items():
        if seconds > 0:
            shares.add_row(group, f"{seconds / alone.messages * 1000:,.1f}", f"{seconds / total:.0%}")
    console.print(shares)
    hop_p50 = report.hop.percentile(0.5)
    print(
        f"critical path: {report.critical_path} hops x the emulator's own hop p50 {hop_p50:.1f} ms "
        f"= floor {report.floor_ms:.1f} ms"
    )
    within = report.floor_ms + SLACK_PER_HOP_MS * report.critical_path
    concurrent = report.runs[1][1]
    targets = [
        (
            f"p50 at 1 client ≤ floor + {SLACK_PER_HOP_MS:.0f} ms a hop ({within:.1f} ms)",
            f"{alone.percentile(0.5):.1f} ms",
            alone.percentile(0.5) <= within,
        ),
        (
            f"≥ {ORDERS_PER_SECOND:.0f} orders/s from {report.options.clients} clients",
            f"{concurrent.throughput:.1f}/s",
            concurrent.throughput >= ORDERS_PER_SECOND,
        ),
        *(
            (
                f"p99 ≤ {P99_OVER_P50:.0f} x p50, {name}",
                f"{figures.percentile(0.99) / figures.percentile(0.5):.1f} x",
                figures.percentile(0.99) <= P99_OVER_P50 * figures.percentile(0.5),
            )
            for name, figures in report.runs
        ),
    ]
    for target, figure, met in targets:
        print(f"target {target}: {figure}, {'met' if met else 'not met'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--storage", choices=("postgres", "firestore"), default=storage_from_environment())
    args = parser.parse_args(argv)
    print_report(run(OrdersOptions(storage=args.storage)))


if __name__ == "__main__":
    main()
