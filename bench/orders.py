"""`make bench-orders`: placeOrder with `wait: true` through the whole fulfilment saga.

Each order crosses GraphQL, the PlaceOrder function, and the saga's seven steps (reserve, mark reserved
and pay, mark paid, start shipping, ship, commit and complete), every one a Pub/Sub hop to its own
function and an append to a stream, plus the fake payment and shipping gateways. Printed beside
createProduct with `wait: true` measured in the same run, the one-command round trip every step repeats,
so the ratio says what the saga costs in round trips. Runs: 1 and 8 clients on distinct products, and
8 clients on one hot product, whose reservations queue on the product's ordering key.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

import requests
from rich.console import Console
from rich.table import Table

from bench.bus import Figures, timed
from bench.e2e import create_products
from emulators.auth_users import AuthEmulatorUsers
from emulators.demo import ADMIN_EMAIL, DEMO_USERS
from emulators.stack import LocalCloud, StackOptions
from shared.bus.manifest import Manifest

SCALE = float(os.environ.get("KIROKU_BENCH_SCALE", "1"))
RUNS = [("1 client", 1, int(30 * SCALE), False), ("8 clients", 8, int(120 * SCALE), False)]
HOT = ("8 clients, one product", 8, int(120 * SCALE), True)
PLACE = """mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { status order { status } }
}"""
console = Console(width=120)


def _post(url: str, token: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
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
        body = _post(
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
        body = _post(url, token, PLACE, variables)
        if body["data"]["placeOrder"] != {"status": "ACCEPTED", "order": {"status": "COMPLETED"}}:
            raise RuntimeError(f"order did not complete: {body}")

    return timed(clients, count, one)


def main() -> None:
    storage = os.environ.get("KIROKU_STORAGE", "postgres")
    options = StackOptions(
        project_id="kiroku-bench",
        storage="firestore" if storage == "firestore" else "postgres",
        auth=True,
        state_dir=Path(tempfile.mkdtemp(prefix="kiroku-bench-orders-")),
        manifest=Manifest.load(),
        extra_env={"ADMIN_EMAIL": ADMIN_EMAIL, "KIROKU_RATE_LIMIT": "100000/minute"},
    )
    console.print(f"bench-orders: placeOrder with wait: true on {options.storage}, {os.cpu_count()} cores")
    with LocalCloud(options) as cloud:
        assert cloud.runner is not None
        url = cloud.runner.url("graphql")
        environment = cloud.environment()
        users = AuthEmulatorUsers(environment["FIREBASE_AUTH_EMULATOR_HOST"], options.project_id)
        admin = users.ensure_user(*DEMO_USERS["admin"], email_verified=True).id_token
        writer = users.ensure_user(*DEMO_USERS["writer"], email_verified=True).id_token
        assert "errors" not in _post(
            url, admin, 'mutation { createCategory(input: {id: "bench", name: "B"}) { status } }'
        )
        products = _products(url, admin, 200)
        _orders(url, writer, products, 4, 8)  # warm every function's server and stream
        baseline = create_products(url, admin, "bench", 1, int(30 * SCALE))
        results = [
            (name, _orders(url, writer, products[:1] if hot else products, clients, count))
            for name, clients, count, hot in (*RUNS, HOT)
        ]
    table = Table(title="placeOrder (wait: true, to COMPLETED) vs createProduct (wait: true, same run)")
    for column in ("run", "requests", "per s", "p50 ms", "p99 ms", "p50 ÷ createProduct p50"):
        table.add_column(column, justify="right")
    rows = [("createProduct, 1 client", baseline), *results]
    for name, figures in rows:
        table.add_row(
            name,
            str(figures.messages),
            f"{figures.throughput:,.1f}",
            f"{figures.percentile(0.5):.1f}",
            f"{figures.percentile(0.99):.1f}",
            f"{figures.percentile(0.5) / baseline.percentile(0.5):.1f}",
        )
    console.print(table)
    for name, figures in rows:
        print(
            f"{name}: {figures.throughput:,.1f}/s, p50 {figures.percentile(0.5):.1f} ms, "
            f"p99 {figures.percentile(0.99):.1f} ms"
        )


if __name__ == "__main__":
    main()
