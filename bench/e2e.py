"""`make bench-e2e`: createProduct mutations with `wait: true`, through the whole local cloud.

Each mutation crosses GraphQL → Pub/Sub → command function → event store → Pub/Sub → projector → read
model, and returns once the caller can read its write. Printed beside the raw Pub/Sub hop measured on the
same emulator in the same run (publish → StreamingPull, paced), since two of those hops are in every
mutation's path; and again with telemetry off (KIROKU_TELEMETRY=false: no span recorded, no measurement
logged or counted), which prices tracing and metrics as their overhead on each run's p50 and on the
machine's CPU time per mutation. The runs go on four fresh stacks in ABBA order (with, without, without,
with) and each setting's two passes are pooled: on two cores whichever stack runs first or last (the
machine warming up, the emulators and the store growing) would otherwise move one setting's figures by
more than the overhead measured. One client's latencies fall in two groups about 50 ms apart (the
emulator's delivery, measured: two stacks of one setting put their p50 in either), so a p50 compared at
one client moves by a quarter with which group holds the middle, and fresh stacks' CPU per mutation
differs by a tenth. So telemetry's own cost is also measured where nothing else differs, in a process
of its own (bench/telemetry.py), and priced for the hops a mutation makes against the CPU it takes.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests
from rich.console import Console
from rich.table import Table

from bench.bus import Figures, emulator_hop, timed
from bench.telemetry import hop_cost
from emulators.auth_users import AuthEmulatorUsers
from emulators.demo import ADMIN_EMAIL, DEMO_USERS
from emulators.stack import LocalCloud, StackOptions, Storage
from shared.bus.manifest import Manifest
from shared.bus.publisher import Publisher

SCALE = float(os.environ.get("KIROKU_BENCH_SCALE", "1"))
RUNS = ((1, int(100 * SCALE)), (8, int(400 * SCALE)))
CREATE_PRODUCT = """mutation($input: CreateProductInput!) {
  createProduct(input: $input) { status version }
}"""
console = Console(width=120)
# The hops of one createProduct that carry telemetry: the GraphQL request, the command's delivery and the
# projector's, each priced as a command's delivery (bench/telemetry.py).
MUTATION_HOPS = 3


def stack_options(storage: Storage, name: str, extra_env: dict[str, str] | None = None) -> StackOptions:
    """The whole local cloud as `make run` starts it (every function, signed-in demo users), in a fresh
    directory named for the benchmark."""
    return StackOptions(
        project_id="kiroku-bench",
        storage=storage,
        auth=True,
        state_dir=Path(tempfile.mkdtemp(prefix=f"kiroku-bench-{name}-")),
        manifest=Manifest.load(),
        extra_env={"ADMIN_EMAIL": ADMIN_EMAIL, **(extra_env or {})},
    )


def sign_in(cloud: LocalCloud, user: str) -> str:
    """A fresh ID token of the demo user `user` (admin or writer), from the cloud's Auth emulator."""
    users = AuthEmulatorUsers(cloud.environment()["FIREBASE_AUTH_EMULATOR_HOST"], cloud.options.project_id)
    return users.ensure_user(*DEMO_USERS[user], email_verified=True).id_token


def storage_from_environment() -> Storage:
    return "firestore" if os.environ.get("KIROKU_STORAGE", "postgres") == "firestore" else "postgres"


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


@dataclass(frozen=True)
class E2EOptions:
    """How much to send. The defaults are `make bench-e2e`; the smoke test sends a few mutations."""

    storage: Storage = "postgres"
    runs: tuple[tuple[int, int], ...] = RUNS  # (clients, mutations), each measured
    warm_up: tuple[int, int] = (4, 20)  # (clients, mutations) first, to warm every function and stream
    hop: int = 300  # raw Pub/Sub messages, paced
    hop_rate: float = 100.0  # messages per second
    telemetry_deliveries: int = 3000  # per run of bench/telemetry.py


@dataclass(frozen=True)
class E2EReport:
    options: E2EOptions
    hop: Figures  # the baseline: one raw Pub/Sub hop, on the same emulator in the same run
    runs: list[tuple[int, Figures]]  # clients, their mutations
    untraced: list[tuple[int, Figures]]  # the same runs with telemetry off
    hop_us: tuple[float, float]  # one hop's µs in a process of its own, with telemetry and without

    def p50_ratio(self, figures: Figures) -> float:
        return figures.percentile(0.5) / self.hop.percentile(0.5)

    def telemetry_cpu_share(self, figures: Figures) -> float:
        """Telemetry's own cost per mutation (its hops, each priced in process) over the CPU it took."""
        with_us, without_us = self.hop_us
        return (with_us - without_us) * MUTATION_HOPS / 1000 / figures.cpu_ms_per_message

    def overheads(self) -> list[tuple[int, float, float]]:
        """What tracing and metrics cost each run: its p50 and its CPU time per mutation with telemetry,
        over the same without, less one."""
        return [
            (
                clients,
                traced.percentile(0.5) / untraced.percentile(0.5) - 1,
                traced.cpu_ms_per_message / untraced.cpu_ms_per_message - 1,
            )
            for (clients, traced), (_, untraced) in zip(self.runs, self.untraced, strict=True)
        ]


def run(options: E2EOptions) -> E2EReport:
    """Start the local cloud, create products through GraphQL from each run's clients, measure the hop;
    the same runs with telemetry off, twice, and with it once more (ABBA), each setting's passes pooled."""
    console.print(f"bench-e2e: createProduct with wait: true on {options.storage}, {os.cpu_count()} cores")
    hop, traced = _measure(options, stack_options(options.storage, "e2e"), with_hop=True)
    assert hop is not None
    untraced: list[tuple[int, Figures]] = []
    for name in ("e2e-untraced", "e2e-untraced-again"):
        stack = stack_options(options.storage, name, {"KIROKU_TELEMETRY": "false"})
        untraced = _pooled(untraced, _measure(options, stack, with_hop=False)[1])
    again = stack_options(options.storage, "e2e-again")
    traced = _pooled(traced, _measure(options, again, with_hop=False)[1])
    return E2EReport(options, hop, traced, untraced, hop_cost(options.telemetry_deliveries))


def _pooled(runs: list[tuple[int, Figures]], more: list[tuple[int, Figures]]) -> list[tuple[int, Figures]]:
    """Each run's figures with those of the same run on another stack, as one run of both."""
    if not runs:
        return more
    return [
        (
            clients,
            Figures(
                a.messages + b.messages,
                a.seconds + b.seconds,
                a.latencies_ms + b.latencies_ms,
                a.cpu_seconds + b.cpu_seconds,
            ),
        )
        for (clients, a), (_, b) in zip(runs, more, strict=True)
    ]


def _measure(
    options: E2EOptions, stack: StackOptions, *, with_hop: bool
) -> tuple[Figures | None, list[tuple[int, Figures]]]:
    with LocalCloud(stack) as cloud:
        assert cloud.runner is not None
        url = cloud.runner.url("graphql")
        token = sign_in(cloud, "admin")
        category = requests.post(
            url,
            json={"query": 'mutation { createCategory(input: {id: "bench", name: "Bench"}) { status } }'},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        ).json()
        assert category["data"]["createCategory"]["status"] == "ACCEPTED", category
        create_products(url, token, "bench", *options.warm_up)
        hop = (
            emulator_hop(cloud, Publisher(stack.project_id), options.hop, options.hop_rate)
            if with_hop
            else None
        )
        runs = [
            (clients, create_products(url, token, "bench", clients, count)) for clients, count in options.runs
        ]
    return hop, runs


def print_report(report: E2EReport) -> None:
    hop = report.hop
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
    for clients, figures in report.runs:
        table.add_row(
            str(clients),
            str(figures.messages),
            f"{figures.throughput:,.1f}",
            f"{figures.percentile(0.5):.1f}",
            f"{figures.percentile(0.99):.1f}",
            f"{report.p50_ratio(figures):.1f}",
        )
    console.print(table)
    for clients, figures in report.runs:
        print(
            f"{clients} client(s): {figures.throughput:,.1f} mutations/s, "
            f"p50 {figures.percentile(0.5):.1f} ms, "
            f"p99 {figures.percentile(0.99):.1f} ms; raw hop p50 {hop.percentile(0.5):.1f} ms"
        )
    overhead = Table(title="What tracing and metrics cost: the same runs with telemetry off (ABBA, pooled)")
    columns = (
        "clients",
        "p50 ms with",
        "p50 ms without",
        "overhead on p50 (target ≤ 5%)",
        "CPU ms per mutation with",
        "without",
        "overhead on CPU",
    )
    for column in columns:
        overhead.add_column(column, justify="right")
    for ((clients, traced), (_, untraced)), (_, cost, cpu_cost) in zip(
        zip(report.runs, report.untraced, strict=True), report.overheads(), strict=True
    ):
        overhead.add_row(
            str(clients),
            f"{traced.percentile(0.5):.1f}",
            f"{untraced.percentile(0.5):.1f}",
            f"{cost:+.1%}",
            f"{traced.cpu_ms_per_message:.1f}",
            f"{untraced.cpu_ms_per_message:.1f}",
            f"{cpu_cost:+.1%}",
        )
    console.print(overhead)
    for clients, cost, cpu_cost in report.overheads():
        print(
            f"{clients} client(s): telemetry overhead on p50 {cost:+.1%}, on CPU per mutation {cpu_cost:+.1%}"
        )
    with_us, without_us = report.hop_us
    print(
        f"telemetry in a process of its own: {with_us:.0f} µs a hop with, {without_us:.0f} without; "
        f"{MUTATION_HOPS} hops a mutation: {(with_us - without_us) * MUTATION_HOPS / 1000:.2f} ms of CPU, "
        + ", ".join(
            f"{report.telemetry_cpu_share(figures):.1%} of its CPU at {clients} client(s)"
            for clients, figures in report.runs
        )
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--storage", choices=("postgres", "firestore"), default=storage_from_environment())
    args = parser.parse_args(argv)
    print_report(run(E2EOptions(storage=args.storage)))


if __name__ == "__main__":
    main()
