"""`make bench-cost`: what an order costs on Google Cloud, counted on the local stack, per backend.

A serverless system is paid per request, per message and per database operation, so each is counted, not
estimated. Locally every function keeps its figures in one prometheus-client multiprocess directory and
the GraphQL function's `/metrics` sums them (shared/observability/metrics.py). Each order is placed alone
(`wait: true`), and the figures are read before it and again once the stack has gone quiet: invocations
by function, messages published and their bytes, push deliveries, the rows the audit record kept (the
runner writes what the cloud's BigQuery subscriptions would, shared/bus/audit.py), event-store and
read-model operations, Firestore documents read and written, the read-model queries GraphQL made to
answer the waited mutation, and each function's handler time. The scheduled functions (the outbox relay,
the deadline sweep and the reconciliation) run on a clock, not per order: they are left out of the
order's figures and priced apart, per month.

The orders: two lines each, one that completes, one declined card and one product out of stock; the mix
is the three in equal shares. The bill of 1,000 orders uses PRICES below, Google Cloud's list prices, with
the page each comes from and the date they were taken; this machine cannot reach those pages, so check
them before quoting a figure.
"""

from __future__ import annotations

import argparse
import math
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import requests
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Console
from rich.table import Table

from bench.e2e import sign_in, stack_options
from bench.orders import post
from emulators.stack import LocalCloud, Storage
from shared.bus.audit import AuditFile
from shared.bus.manifest import Manifest, TopicTrigger

console = Console(width=140)

PLACE = """mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input, wait: true) { status aggregateId }
}"""
ORDER = "query($id: ID!) { order(id: $id) { status cancelReason } }"
# The stack is quiet when nothing but the clock's functions moved for this long.
QUIET_SECONDS = 2.0
QUIET_TIMEOUT_SECONDS = 60.0

PRICES_DATE = "2026-12-01"
# Google Cloud list prices in USD, us-central1 (Tier 1), without free tiers or committed-use discounts.
PRICES: dict[str, tuple[float, str]] = {
    # Cloud Run functions (gen2 run on Cloud Run, request-based billing).
    "request": (0.40 / 1e6, "https://cloud.google.com/run/pricing"),
    "vcpu_second": (0.000024, "https://cloud.google.com/run/pricing"),
    "gib_second": (0.0000025, "https://cloud.google.com/run/pricing"),
    # Pub/Sub throughput, billed on publish and again on each delivery, at least 1,000 bytes each.
    "pubsub_tib": (40.0, "https://cloud.google.com/pubsub/pricing"),
    # A BigQuery subscription's throughput (the audit record), counted here with the same minimum per
    # message, and the rows' storage in BigQuery (active logical storage, for the whole retention).
    "pubsub_bigquery_tib": (50.0, "https://cloud.google.com/pubsub/pricing"),
    "bigquery_storage_gib_month": (0.02, "https://cloud.google.com/bigquery/pricing"),
    # Firestore (native mode, regional us-central1), per document.
    "firestore_read": (0.03 / 1e5, "https://cloud.google.com/firestore/pricing"),
    "firestore_write": (0.09 / 1e5, "https://cloud.google.com/firestore/pricing"),
    # Cloud SQL for PostgreSQL, Enterprise edition: the prod tier db-custom-2-7680 (terraform/envs/prod).
    "cloud_sql_vcpu_hour": (0.0413, "https://cloud.google.com/sql/pricing"),
    "cloud_sql_gib_hour": (0.0070, "https://cloud.google.com/sql/pricing"),
}
PUBSUB_MINIMUM_BYTES = 1000
BILLING_GRANULARITY_SECONDS = 0.1  # Cloud Run rounds each request's billed time up to 100 ms
# Cloud Run functions' default vCPU for a memory size (where the manifest sets no `cpu`).
VCPU_BY_MEMORY_MB = {128: 0.083, 256: 0.167, 512: 0.333, 1024: 0.583, 2048: 1.0, 4096: 2.0, 8192: 2.0}
CLOUD_SQL_TIER = (2, 7.5)  # vCPUs, GiB of db-custom-2-7680
# Cloud SQL is paid by the hour, whatever the load: its share of an order is stated at this steady rate.
CLOUD_SQL_ORDERS_PER_SECOND = 1.0
MONTH_SECONDS = 30 * 24 * 3600
# How long the audit table keeps a row: terraform/modules/kiroku's audit_retention_days default.
AUDIT_RETENTION_MONTHS = 400 / 30

Sample = tuple[str, tuple[tuple[str, str], ...]]
Tally = defaultdict[str, float]


def _tally() -> Tally:
    return defaultdict(float)


@dataclass(frozen=True)
class Scenario:
    name: str
    payment_token: str
    out_of_stock: bool
    expected: tuple[str, str | None]  # the order's final status and cancel reason


SCENARIOS = (
    Scenario("completed", "tok_ok", False, ("COMPLETED", None)),
    Scenario("declined", "tok_decline", False, ("CANCELLED", "PAYMENT_DECLINED")),
    Scenario("out of stock", "tok_ok", True, ("CANCELLED", "OUT_OF_STOCK")),
)


@dataclass
class OrderCost:
    """What one order made the stack do (the scheduled functions left out)."""

    # Counts are floats: an average of several orders is one order's cost too.
    invocations: Tally = field(default_factory=_tally)  # by function
    handler_seconds: Tally = field(default_factory=_tally)  # by function
    published: float = 0
    published_bytes: float = 0
    deliveries: float = 0
    audited: float = 0  # rows the audit record kept
    audited_bytes: float = 0
    event_store: Tally = field(default_factory=_tally)  # read, write
    read_models: Tally = field(default_factory=_tally)  # read, write
    firestore_documents: Tally = field(default_factory=_tally)  # read, write
    waited_queries: float = 0  # read-model reads GraphQL made to answer placeOrder

    def dollars(self, manifest: Manifest, storage: Storage) -> dict[str, float]:
        """This order's bill, by service."""
        specs = {spec.name: spec for spec in manifest.functions}
        compute = 0.0
        for function, count in self.invocations.items():
            seconds = self.handler_seconds[function] / count if count else 0.0
            billed = math.ceil(seconds / BILLING_GRANULARITY_SECONDS) * BILLING_GRANULARITY_SECONDS
            spec = specs[function]
            vcpus = spec.cpu if spec.cpu is not None else VCPU_BY_MEMORY_MB[spec.memory_mb]
            per_second = vcpus * _price("vcpu_second") + spec.memory_mb / 1024 * _price("gib_second")
            compute += count * billed * per_second
        size = self.published_bytes / self.published if self.published else 0
        billed_bytes = (self.published + self.deliveries) * max(size, PUBSUB_MINIMUM_BYTES)
        audit_bytes = self.audited * max(size, PUBSUB_MINIMUM_BYTES)
        bill = {
            "requests": sum(self.invocations.values()) * _price("request"),
            "compute": compute,
            "pubsub": billed_bytes / 2**40 * _price("pubsub_tib"),
            "audit": audit_bytes / 2**40 * _price("pubsub_bigquery_tib")
            + self.audited_bytes / 2**30 * _price("bigquery_storage_gib_month") * AUDIT_RETENTION_MONTHS,
        }
        if storage == "firestore":
            bill["database"] = self.firestore_documents["read"] * _price(
                "firestore_read"
            ) + self.firestore_documents["write"] * _price("firestore_write")
        else:
            vcpus, gib = CLOUD_SQL_TIER
            hourly = vcpus * _price("cloud_sql_vcpu_hour") + gib * _price("cloud_sql_gib_hour")
            bill["database"] = hourly / 3600 / CLOUD_SQL_ORDERS_PER_SECOND
        return bill


@dataclass(frozen=True)
class CostReport:
    storage: Storage
    manifest: Manifest
    orders: dict[str, OrderCost]  # by scenario name
    scheduled: dict[str, float]  # scheduled function -> invocations a month in the cloud

    def mix(self) -> OrderCost:
        """The scenarios in equal shares, as one order."""
        return _mean(list(self.orders.values()))


def _price(name: str) -> float:
    return PRICES[name][0]


class MetricsReader:
    """The whole stack's counters, from the GraphQL function's `/metrics`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.scrapes = 0

    def read(self) -> dict[Sample, float]:
        self.scrapes += 1
        text = requests.get(self.url + "metrics", timeout=30).text
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }


def _moved(before: dict[Sample, float], after: dict[Sample, float], scheduled: set[str]) -> bool:
    """Whether anything but the clock's functions (and the scrapes themselves) changed."""
    for key in set(before) | set(after):
        name, labels = key
        if name == "kiroku_function_invocations_total" and dict(labels).get("function") == "graphql":
            continue
        if dict(labels).get("function") in scheduled or not name.startswith("kiroku_"):
            continue
        if name.endswith("_created") or name.startswith("kiroku_function_seconds"):
            continue
        if before.get(key, 0.0) != after.get(key, 0.0):
            return True
    return False


def quiet(metrics: MetricsReader, scheduled: set[str]) -> dict[Sample, float]:
    """Wait until the stack stops moving; its figures then."""
    deadline = time.monotonic() + QUIET_TIMEOUT_SECONDS
    last = metrics.read()
    still_since = time.monotonic()
    while time.monotonic() - still_since < QUIET_SECONDS:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the stack did not go quiet in {QUIET_TIMEOUT_SECONDS:.0f} s")
        time.sleep(0.5)
        current = metrics.read()
        if _moved(last, current, scheduled):
            still_since = time.monotonic()
        last = current
    return last


def delta(
    before: dict[Sample, float], after: dict[Sample, float], name: str, *labels: str
) -> defaultdict[tuple[str, ...], float]:
    """The change of every series of `name`, keyed by the values of `labels`."""
    changes: defaultdict[tuple[str, ...], float] = defaultdict(float)
    for key in set(before) | set(after):
        sample, pairs = key
        if sample != name:
            continue
        values = dict(pairs)
        changes[tuple(values.get(label, "") for label in labels)] += after.get(key, 0.0) - before.get(
            key, 0.0
        )
    return changes


def order_cost(
    before: dict[Sample, float],
    after: dict[Sample, float],
    scheduled: set[str],
    pushed: set[str],
    scrapes: int,
) -> OrderCost:
    """What changed between two readings, as one order's cost; `scrapes`: the /metrics reads in between
    (each an invocation of the GraphQL function that the order did not cause)."""

    def by_function(name: str, *labels: str) -> Iterable[tuple[tuple[str, ...], float]]:
        for values, change in delta(before, after, name, "function", *labels).items():
            if values[0] not in scheduled and change:
                yield values, change

    cost = OrderCost()
    for (function,), change in by_function("kiroku_function_invocations_total"):
        cost.invocations[function] += round(change) - (scrapes if function == "graphql" else 0)
    for (function,), change in by_function("kiroku_function_seconds_sum"):
        cost.handler_seconds[function] += change
    cost.deliveries = sum(count for function, count in cost.invocations.items() if function in pushed)
    cost.published = sum(change for _, change in by_function("kiroku_messages_published_total", "topic"))
    cost.published_bytes = sum(
        change for _, change in by_function("kiroku_message_bytes_published_total", "topic")
    )
    for (_, store, operation), change in by_function("kiroku_store_operations_total", "store", "operation"):
        target = cost.event_store if store == "event_store" else cost.read_models
        target[operation] += round(change)
    for (_, operation), change in by_function("kiroku_firestore_documents_total", "operation"):
        cost.firestore_documents[operation] += round(change)
    # The order's one GraphQL request was the waited placeOrder: every read-model read GraphQL made.
    cost.waited_queries = delta(
        before, after, "kiroku_store_operations_total", "function", "store", "operation"
    )[("graphql", "read_models", "read")]
    return cost


def _mean(costs: list[OrderCost]) -> OrderCost:
    """The average of several orders' costs (counts may be fractional)."""
    share = 1 / len(costs)

    def counter(name: str) -> Tally:
        total: Tally = _tally()
        for cost in costs:
            for key, value in getattr(cost, name).items():
                total[key] += value * share
        return total

    def number(name: str) -> float:
        return float(sum(getattr(cost, name) for cost in costs)) * share

    return OrderCost(
        invocations=counter("invocations"),
        handler_seconds=counter("handler_seconds"),
        published=number("published"),
        published_bytes=number("published_bytes"),
        deliveries=number("deliveries"),
        audited=number("audited"),
        audited_bytes=number("audited_bytes"),
        event_store=counter("event_store"),
        read_models=counter("read_models"),
        firestore_documents=counter("firestore_documents"),
        waited_queries=number("waited_queries"),
    )


def _post(url: str, token: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = post(url, token, query, variables)
    if body.get("errors"):
        raise RuntimeError(f"the API refused: {body['errors']}")
    return body


def _product(url: str, admin: str, stock: int) -> str:
    product_id = f"cost-{uuid.uuid4().hex[:10]}"
    _post(
        url,
        admin,
        f'mutation {{ createProduct(input: {{id: "{product_id}", name: "{product_id}", categoryId: "cost", '
        f'price: {{amount: "4.20", currency: "EUR"}}, initialStock: {stock}}}) {{ status }} }}',
    )
    return product_id


def measure(
    url: str, admin: str, writer: str, manifest: Manifest, audit: AuditFile, repeats: int
) -> dict[str, OrderCost]:
    """Place each scenario's orders one at a time on a running stack; each order's cost, averaged."""
    scheduled = {spec.name for spec in manifest.functions if spec.schedule is not None}
    pushed = {spec.name for spec in manifest.functions if isinstance(spec.trigger, TopicTrigger)}
    _post(url, admin, 'mutation { createCategory(input: {id: "cost", name: "Cost"}) { status } }')
    in_stock = [_product(url, admin, 1_000_000) for _ in range(2)]
    sold_out = _product(url, admin, 0)
    metrics = MetricsReader(url)
    costs: dict[str, OrderCost] = {}
    for scenario in SCENARIOS:
        lines = [in_stock[0], sold_out if scenario.out_of_stock else in_stock[1]]
        measured = []
        for _ in range(repeats):
            before = quiet(metrics, scheduled)
            scrapes = metrics.scrapes
            rows_before = audit.rows()
            placed = _post(
                url,
                writer,
                PLACE,
                {
                    "input": {
                        "lines": [{"productId": product, "quantity": 1} for product in lines],
                        "paymentToken": scenario.payment_token,
                        "shippingAddress": "1 Cost Street",
                    }
                },
            )["data"]["placeOrder"]
            after = quiet(metrics, scheduled)
            # Asked once the figures are read: the answer of a waited placeOrder may come as the saga
            # starts compensating, before the order ends.
            order = _post(url, writer, ORDER, {"id": placed["aggregateId"]})["data"]["order"]
            if (order["status"], order["cancelReason"]) != scenario.expected:
                raise RuntimeError(f"{scenario.name}: the order ended {order}, not {scenario.expected}")
            cost = order_cost(before, after, scheduled, pushed, metrics.scrapes - scrapes)
            kept = audit.rows()[len(rows_before) :]
            cost.audited = len(kept)
            cost.audited_bytes = sum(len(row.model_dump_json()) for row in kept)
            measured.append(cost)
        costs[scenario.name] = _mean(measured)
    return costs


def run(storage: Storage, repeats: int) -> CostReport:
    stack = stack_options(storage, "cost", {"KIROKU_RATE_LIMIT": "100000/minute"})
    console.print(f"bench-cost: {repeats} order(s) of each kind on {storage}")
    with LocalCloud(stack) as cloud:
        assert cloud.runner is not None
        manifest = cloud.runner.manifest
        url = cloud.runner.url("graphql")
        admin, writer = sign_in(cloud, "admin"), sign_in(cloud, "writer")
        costs = measure(url, admin, writer, manifest, cloud.runner.audit, repeats)
    scheduled = {
        spec.name: MONTH_SECONDS / _cron_period_seconds(spec.schedule.cron)
        for spec in manifest.functions
        if spec.schedule is not None
    }
    return CostReport(storage, manifest, costs, scheduled)


def _cron_period_seconds(cron: str) -> float:
    """The period of the simple crons the manifest uses: every minute, or every N minutes."""
    minute = cron.split()[0]
    if minute == "*":
        return 60.0
    if minute.startswith("*/"):
        return 60.0 * int(minute[2:])
    raise ValueError(f"bench-cost prices only '* ...' and '*/N ...' schedules, not {cron!r}")


def print_report(report: CostReport) -> None:
    rows = [*report.orders.items(), ("mix (equal shares)", report.mix())]
    table = Table(title=f"What one two-line order costs on {report.storage} (scheduled functions apart)")
    columns = (
        "order",
        "invocations",
        "published",
        "deliveries",
        "audit rows",
        "event store r/w",
        "read models r/w",
        "Firestore docs r/w",
        "waited-mutation queries",
        "USD per 1,000 orders",
    )
    for column in columns:
        table.add_column(column, justify="right")
    for name, cost in rows:
        bill = cost.dollars(report.manifest, report.storage)
        table.add_row(
            name,
            f"{sum(cost.invocations.values()):.1f}",
            f"{cost.published:.1f}",
            f"{cost.deliveries:.1f}",
            f"{cost.audited:.1f}",
            f"{cost.event_store['read']:.1f} / {cost.event_store['write']:.1f}",
            f"{cost.read_models['read']:.1f} / {cost.read_models['write']:.1f}",
            f"{cost.firestore_documents['read']:.1f} / {cost.firestore_documents['write']:.1f}",
            f"{cost.waited_queries:.1f}",
            f"{sum(bill.values()) * 1000:.4f}",
        )
    console.print(table)
    completed = report.orders["completed"]
    functions = Table(title="Invocations of one completed order, by function")
    functions.add_column("function")
    functions.add_column("invocations", justify="right")
    functions.add_column("mean handler ms", justify="right")
    for function, count in sorted(completed.invocations.items(), key=lambda item: (-item[1], item[0])):
        mean = completed.handler_seconds[function] / count * 1000 if count else 0.0
        functions.add_row(function, f"{count:.0f}", f"{mean:.1f}")
    console.print(functions)
    for name, cost in rows:
        bill = cost.dollars(report.manifest, report.storage)
        parts = ", ".join(f"{service} {dollars * 1000:.4f}" for service, dollars in bill.items())
        print(
            f"{report.storage} {name}: {sum(cost.invocations.values()):.1f} invocations, "
            f"{cost.published:.1f} messages published, {cost.waited_queries:.1f} waited-mutation queries; "
            f"USD per 1,000 orders {sum(bill.values()) * 1000:.4f} ({parts})"
        )
    scheduled = sum(report.scheduled.values())
    print(
        f"{report.storage} scheduled functions: {scheduled:,.0f} invocations a month "
        f"({', '.join(f'{name} {count:,.0f}' for name, count in report.scheduled.items())}), "
        f"USD {scheduled * _price('request'):.4f} a month in requests"
    )
    print(f"prices: Google Cloud list prices (USD, us-central1) taken {PRICES_DATE}:")
    for name, (price, source) in PRICES.items():
        print(f"  {name}: {price:.10g} ({source})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--storage", choices=("postgres", "firestore", "both"), default="both")
    parser.add_argument("--repeats", type=int, default=3, help="orders of each kind, averaged")
    args = parser.parse_args(argv)
    backends: list[Storage] = ["postgres", "firestore"] if args.storage == "both" else [args.storage]
    for storage in backends:
        print_report(run(storage, args.repeats))


if __name__ == "__main__":
    main()
