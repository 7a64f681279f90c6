"""`make bench-orders`: placeOrder with `wait: true` through the whole fulfilment saga.

Each order crosses GraphQL, the PlaceOrder function, and the saga's seven steps (reserve, mark reserved
and pay, mark paid, start shipping, ship, commit and complete), every one a Pub/Sub hop to its own
function and an append to a stream, plus the fake payment and shipping gateways. Printed beside
createProduct with `wait: true` measured in the same run, the one-command round trip every step repeats,
so the ratio says what the saga costs in round trips. Runs: 1 and 8 clients on distinct products, and
8 clients on one hot product, whose reservations queue on the product's ordering key.
"""

from __future__ import annotations

import argparse
import os
import uuid
from dataclasses import dataclass
from typing import Any

import requests
from rich.console import Console
from rich.table import Table

from bench.bus import Figures, timed
from bench.e2e import create_products, sign_in, stack_options, storage_from_environment
from emulators.stack import LocalCloud, Storage

SCALE = float(os.environ.get("KIROKU_BENCH_SCALE", "1"))
PLACE = """mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { status order { status } }
}"""
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


def _orders(url: str, token: str, products: list[str], clients: int, count: int) -> Figures:
    def one(index: int) -> None:
        variables = {
            "input": {
                "lines": [{"productId": products[index % len(products)], "quantity": 1}],
                "paymentToken": "tok_ok",
                "shippingAddress": "1 Bench Street",
            }
        }
        body = post(url, token, PLACE, variables)
        if body["data"]["placeOrder"] != {"status": "ACCEPTED", "order": {"status": "COMPLETED"}}:
            raise RuntimeError(f"order did not complete: {body}")

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


@dataclass(frozen=True)
class OrdersReport:
    options: OrdersOptions
    baseline: Figures  # createProduct (wait: true) from 1 client, in the same run
    runs: list[tuple[str, Figures]]  # the run's name, its orders

    def p50_ratio(self, figures: Figures) -> float:
        return figures.percentile(0.5) / self.baseline.percentile(0.5)


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
        clients = options.clients
        runs = [
            ("1 client", _orders(url, writer, products, 1, options.single)),
            (f"{clients} clients", _orders(url, writer, products, clients, options.concurrent)),
            (
                f"{clients} clients, one product",
                _orders(url, writer, products[:1], clients, options.concurrent),
            ),
        ]
    return OrdersReport(options, baseline, runs)


def print_report(report: OrdersReport) -> None:
    table = Table(title="placeOrder (wait: true, to COMPLETED) vs createProduct (wait: true, same run)")
    for column in ("run", "requests", "per s", "p50 ms", "p99 ms", "p50 ÷ createProduct p50"):
        table.add_column(column, justify="right")
    rows = [("createProduct, 1 client", report.baseline), *report.runs]
    for name, figures in rows:
        table.add_row(
            name,
            str(figures.messages),
            f"{figures.throughput:,.1f}",
            f"{figures.percentile(0.5):.1f}",
            f"{figures.percentile(0.99):.1f}",
            f"{report.p50_ratio(figures):.1f}",
        )
    console.print(table)
    for name, figures in rows:
        print(
            f"{name}: {figures.throughput:,.1f}/s, p50 {figures.percentile(0.5):.1f} ms, "
            f"p99 {figures.percentile(0.99):.1f} ms"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--storage", choices=("postgres", "firestore"), default=storage_from_environment())
    args = parser.parse_args(argv)
    print_report(run(OrdersOptions(storage=args.storage)))


if __name__ == "__main__":
    main()
