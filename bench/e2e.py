"""`make bench-e2e`: createProduct mutations with `wait: true`, through the whole local cloud.

Each mutation crosses GraphQL → Pub/Sub → command function → event store → Pub/Sub → projector → read
model, and returns once the caller can read its write. Printed beside the raw Pub/Sub hop measured on the
same emulator in the same run (publish → StreamingPull, paced), since two of those hops are in every
mutation's path.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import requests
from rich.console import Console
from rich.table import Table

from bench.bus import Figures, emulator_hop, timed
from emulators.auth_users import AuthEmulatorUsers
from emulators.demo import ADMIN_EMAIL, DEMO_USERS
from emulators.stack import LocalCloud, StackOptions
from shared.bus.manifest import Manifest
from shared.bus.publisher import Publisher

SCALE = float(os.environ.get("KIROKU_BENCH_SCALE", "1"))
RUNS = [(1, int(100 * SCALE)), (8, int(400 * SCALE))]
CREATE_PRODUCT = """mutation($input: CreateProductInput!) {
  createProduct(input: $input) { status version }
}"""
console = Console(width=120)


def create_products(url: str, token: str, category_id: str, clients: int, count: int) -> Figures:
    session_headers = {"Authorization": f"Bearer {token}"}

    def one(index: int) -> None:
        product = {
            "id": f"bench-{uuid.uuid4().hex[:12]}",
            "name": f"Bench {index:05d}",
            "price": {"amount": "9.99", "currency": "EUR"},
            "categoryId": category_id,
            "initialStock": 10,
        }
        response = requests.post(
            url,
            json={"query": CREATE_PRODUCT, "variables": {"input": product}},
            headers=session_headers,
            timeout=60,
        )
        result = response.json()["data"]["createProduct"]
        if result != {"status": "ACCEPTED", "version": 1}:
            raise RuntimeError(f"mutation did not complete: {result}")

    return timed(clients, count, one)


def main() -> None:
    storage = os.environ.get("KIROKU_STORAGE", "postgres")
    options = StackOptions(
        project_id="kiroku-bench",
        storage="firestore" if storage == "firestore" else "postgres",
        auth=True,
        state_dir=Path(tempfile.mkdtemp(prefix="kiroku-bench-e2e-")),
        manifest=Manifest.load(),
        extra_env={"ADMIN_EMAIL": ADMIN_EMAIL},
    )
    console.print(f"bench-e2e: createProduct with wait: true on {options.storage}, {os.cpu_count()} cores")
    with LocalCloud(options) as cloud:
        assert cloud.runner is not None
        url = cloud.runner.url("graphql")
        environment = cloud.environment()
        email, password = DEMO_USERS["admin"]
        users = AuthEmulatorUsers(environment["FIREBASE_AUTH_EMULATOR_HOST"], options.project_id)
        token = users.ensure_user(email, password, email_verified=True).id_token
        category = requests.post(
            url,
            json={"query": 'mutation { createCategory(input: {id: "bench", name: "Bench"}) { status } }'},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        ).json()
        assert category["data"]["createCategory"]["status"] == "ACCEPTED", category
        create_products(url, token, "bench", 4, 20)  # warm every function's server and stream
        hop = emulator_hop(cloud, Publisher(options.project_id), 300, 100.0)
        results = [(clients, create_products(url, token, "bench", clients, count)) for clients, count in RUNS]
    table = Table(
        title="createProduct (wait: true) vs one raw Pub/Sub hop (publish → StreamingPull, same run)"
    )
    for column in ("clients", "mutations", "per s", "p50 ms", "p99 ms", "p50 ÷ hop p50"):
        table.add_column(column, justify="right")
    table.add_row(
        "hop",
        str(hop.messages),
        f"{hop.throughput:,.0f}",
        f"{hop.percentile(0.5):.1f}",
        f"{hop.percentile(0.99):.1f}",
        "1.0",
    )
    for clients, figures in results:
        table.add_row(
            str(clients),
            str(figures.messages),
            f"{figures.throughput:,.1f}",
            f"{figures.percentile(0.5):.1f}",
            f"{figures.percentile(0.99):.1f}",
            f"{figures.percentile(0.5) / hop.percentile(0.5):.1f}",
        )
    console.print(table)
    for clients, figures in results:
        print(
            f"{clients} client(s): {figures.throughput:,.1f} mutations/s, "
            f"p50 {figures.percentile(0.5):.1f} ms, "
            f"p99 {figures.percentile(0.99):.1f} ms; raw hop p50 {hop.percentile(0.5):.1f} ms"
        )


if __name__ == "__main__":
    main()
