"""`make chaos`: many orders through the whole local cloud under every fault at once, then the guarantees.

N orders (default 1,000; `make test` runs a few dozen) from several customers on a few hot products,
offered at a steady rate (`--rate`, orders per second), while the local cloud misbehaves in every way it
can: deliveries duplicated and reordered; a handler that dies right after its commit for every command
of some orders (ids `crash-…`), including the stock commands of the one product only those orders buy;
the first ShipOrder of some orders lost (ids `lost-…`, so the shipping
deadline passes); payment tokens that decline, hang, fail twice, are unreadable, or are charged with an
answer that arrives after the client gave up (a 1 s gateway timeout); undeliverable addresses; the
payment and shipping gateway going away for a few seconds every so often; customers cancelling right
after they placed; short step deadlines. Stock is short, so late orders run out.

When every order has settled (and the payment reconciliation has run, as the scheduler would), it
checks the guarantees the README lists and prints them as a table, with the run's wall time and orders
per second; it exits 1 on any violation. Everything runs on loopback and stops by itself.

    python -m bench.chaos --orders 1000 --storage postgres
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import requests
from google.api_core.exceptions import DeadlineExceeded
from google.cloud.pubsub_v1 import SubscriberClient
from rich.console import Console
from rich.table import Table

from emulators.auth_users import AuthEmulatorUsers
from emulators.demo import ADMIN_EMAIL, DEMO_USERS
from emulators.fake_gateway import FakeGatewayClient
from emulators.runner import FaultInjection
from emulators.stack import LocalCloud, StackOptions, gateway_circuits_reset_after
from shared.application.aggregates import ORDER, PAYMENT, PRODUCT
from shared.application.projections import PROJECTIONS, fold_log
from shared.bus.manifest import Manifest, TopicTrigger
from shared.storage import Storage

console = Console(width=120)

CRASH_PREFIX, LOST_PREFIX = "crash-", "lost-"
HOT_PRODUCTS = ("hot-1", "hot-2", "hot-3")
# Bought, one unit, by every `crash-` order and by no other: each of its stock commands dies after its
# commit too. (Crashing every command of a hot product instead killed its function under a third of all
# orders: locally one process serves a function, so each crash failed every delivery in flight there.)
CRASH_PRODUCT = f"{CRASH_PREFIX}stock"
TOKENS = (
    ("tok_ok", 60),
    ("tok_decline", 8),
    ("tok_slow", 10),
    ("tok_timeout", 5),
    ("tok_flaky", 7),
    ("tok_invalid", 5),
)
PAYING_TOKENS = frozenset({"tok_ok", "tok_slow", "tok_flaky"})  # cards that are charged in the end
PARTNER_STEPS = frozenset({"PAYING", "SHIPPING"})  # the steps whose deadline a gateway's outage could pass
BREAKER_RESET_SECONDS = 3
DEADLINES = {
    "RESERVING": 40,
    "PAYING": 60,  # longer than an outage and its redelivery backoff
    "SHIPPING": 40,
    "COMPLETING": 40,
    "AWAITING_PAYMENT": 20,
    "AWAITING_SHIPMENT": 20,
    "REFUNDING": 20,
    "RELEASING": 20,
    "CANCELLING": 20,
}
PLACE = """mutation($input: PlaceOrderInput!, $wait: Boolean!) {
  placeOrder(input: $input, wait: $wait) {
    status aggregateId error { code } order { status cancelReason }
  }
}"""
CANCEL = (
    """mutation($id: ID!) { cancelOrder(id: $id, reason: "changed my mind") { status error { code } } }"""
)
SETTLED = frozenset({"COMPLETED", "CANCELLED"})
# How long the orders still open may all stand still before the run calls them stuck: past the longest
# step deadline, the gateway functions' longest redelivery backoff and a sweep's re-send.
STALL_SECONDS = 180
# placeOrder answers whose command was sent: the order will exist (every order here is valid).
SENT = frozenset({"ACCEPTED", "PENDING", "TIMED_OUT"})


@dataclass(frozen=True)
class ChaosOptions:
    orders: int = 1000
    storage: Literal["postgres", "firestore"] = "postgres"
    customers: int = 6
    clients: int = 8
    seed: int = 15
    # Orders offered per second: about what two cores settle under these faults. Faster, the hot
    # products' queues outgrow the reservation deadline and the run measures an overload, not the faults.
    rate: float = 1.0
    outage_every_seconds: float = 20.0
    outage_seconds: float = 2.0
    reconcile: bool = True  # run the payment reconciliation once the orders settled, as the scheduler would


@dataclass
class Reply:
    """What a client was told about one order."""

    placed: str  # ACCEPTED, REJECTED, TIMED_OUT, PENDING, or ERROR when no answer came
    placed_order_status: str | None = None  # when it waited
    cancelled: str | None = None  # the cancel's status, when one was sent
    cancel_error: str | None = None


@dataclass
class Report:
    orders: int
    seconds: float
    outcomes: Counter[str] = field(default_factory=Counter)
    violations: dict[str, list[str]] = field(default_factory=dict)
    # Charges the saga left held for an unshipped order, which reconciliation found and refunded: a safety
    # net for a capture that completed after it was looked up, so this should stay near zero.
    reconciled: list[str] = field(default_factory=list)

    CHECKS = (
        "events lost",
        "deliveries dead-lettered",
        "orders not settled",
        "double charges",
        "charges neither shipped nor refunded",
        "shipped and refunded",
        "oversell",
        "final stock ≠ initial - shipped",
        "read model ≠ its rebuild",
        "replies inconsistent with the final state",
        "orders a partner's outage cancelled",
    )

    def add(self, check: str, detail: str) -> None:
        self.violations.setdefault(check, []).append(detail)

    @property
    def ok(self) -> bool:
        return not any(self.violations.values())


def run(options: ChaosOptions) -> Report:
    """Start a local cloud with every fault on, place the orders, let them settle, check the guarantees."""
    state_dir = Path(tempfile.mkdtemp(prefix="kiroku-chaos-"))
    faults = FaultInjection(
        duplicate_probability=0.2,
        concurrent_duplicates=0.5,
        seed=options.seed,
        max_delay_seconds=0.05,
        lose=f'attributes.type = "ShipOrder" AND hasPrefix(attributes.aggregate_id, "{LOST_PREFIX}")',
        lose_first_only=True,
        crash_after_commit=f'hasPrefix(attributes.aggregate_id, "{CRASH_PREFIX}")',
    )
    manifest, breaker = gateway_circuits_reset_after(Manifest.load(), BREAKER_RESET_SECONDS)
    stack = StackOptions(
        project_id="kiroku-chaos",
        storage=options.storage,
        auth=True,
        state_dir=state_dir,
        manifest=manifest,
        faults=faults,
        extra_env={
            "ADMIN_EMAIL": ADMIN_EMAIL,
            "KIROKU_RATE_LIMIT": "1000000/minute",
            "KIROKU_SAGA_DEADLINE_SECONDS": json.dumps(DEADLINES),
            "KIROKU_GATEWAY_TIMEOUT_SECONDS": "1",
            "KIROKU_GATEWAY_ATTEMPTS": "2",
            "KIROKU_GATEWAY_BREAKER_FAIL_MAX": "5",
            **breaker,
        },
    )
    with LocalCloud(stack) as cloud:
        assert cloud.runner is not None
        with cloud.open_storage() as storage:
            return _Chaos(options, cloud, storage).run()


class _Chaos:
    def __init__(self, options: ChaosOptions, cloud: LocalCloud, storage: Storage) -> None:
        assert cloud.runner is not None
        self.options = options
        self.storage = storage
        self.url = cloud.runner.url("graphql")
        self.reconcile_url = cloud.runner.url("payment-reconciliation")
        self.manifest, self.project_id = cloud.runner.manifest, cloud.runner.project_id
        environment = cloud.environment()
        self.gateway = FakeGatewayClient(environment["KIROKU_PAYMENT_GATEWAY_URL"])
        self.users = AuthEmulatorUsers(environment["FIREBASE_AUTH_EMULATOR_HOST"], "kiroku-chaos")
        self.random = random.Random(options.seed)
        self.replies: dict[str, Reply] = {}
        self.replies_lock = threading.Lock()
        products = (*HOT_PRODUCTS, CRASH_PRODUCT)
        self.initial_stock = {product: max(10, options.orders // 2) for product in products}
        self.started = 0.0  # when the first order was placed (time.monotonic)

    def run(self) -> Report:
        admin = self.users.ensure_user(*DEMO_USERS["admin"], email_verified=True).id_token
        self._catalogue(admin)
        customers = [
            self.users.ensure_user(f"chaos-{n}@kiroku.local", "chaos-password", email_verified=True).id_token
            for n in range(self.options.customers)
        ]
        plans = [self._plan(index, customers) for index in range(self.options.orders)]
        self.plans = {plan["order_id"]: plan for plan in plans}
        console.print(f"chaos: {len(plans)} orders from {len(customers)} customers on {self.options.storage}")
        self.started = time.monotonic()
        with self._outages(), ThreadPoolExecutor(max_workers=self.options.clients) as pool:
            list(pool.map(self._place, plans))
        unsettled = self._settle([plan["order_id"] for plan in plans])
        reconciled = self._reconcile() if self.options.reconcile else []
        seconds = time.monotonic() - self.started
        report = Report(len(plans), seconds, reconciled=reconciled)
        self._check(report, unsettled)
        return report

    # Setting up and placing -----------------------------------------------------------------------

    def _post(self, token: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = requests.post(
            self.url,
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )
        body: dict[str, Any] = response.json()
        return body

    def _catalogue(self, admin: str) -> None:
        created = self._post(
            admin, 'mutation { createCategory(input: {id: "chaos", name: "Chaos"}) { status } }'
        )
        assert created.get("data", {}).get("createCategory", {}).get("status") == "ACCEPTED", created
        for product, stock in self.initial_stock.items():
            body = self._post(
                admin,
                f'mutation {{ createProduct(input: {{id: "{product}", name: "{product}", '
                'categoryId: "chaos", price: {amount: "3.30", currency: "EUR"}, '
                f"initialStock: {stock}}}) {{ status }} }}",
            )
            assert body.get("data", {}).get("createProduct", {}).get("status") == "ACCEPTED", body

    def _plan(self, index: int, customers: list[str]) -> dict[str, Any]:
        draw = self.random.random()
        prefix = CRASH_PREFIX if draw < 0.05 else LOST_PREFIX if draw < 0.1 else "o-"
        products = self.random.sample(HOT_PRODUCTS, self.random.choice((1, 1, 2)))
        tokens, weights = zip(*TOKENS, strict=True)
        lines = [{"productId": product, "quantity": self.random.randint(1, 3)} for product in products]
        if prefix == CRASH_PREFIX:
            lines.append({"productId": CRASH_PRODUCT, "quantity": 1})
        return {
            "order_id": f"{prefix}{uuid.UUID(int=self.random.getrandbits(128)).hex[:16]}",
            "token": customers[index % len(customers)],
            "lines": lines,
            "at": index / self.options.rate,  # seconds after the first order
            "paymentToken": self.random.choices(tokens, weights)[0],
            "address": "UNDELIVERABLE dock 9" if self.random.random() < 0.05 else "1 Chaos Street",
            "wait": self.random.random() < 0.2,
            "cancel_after": self.random.uniform(0, 2) if self.random.random() < 0.1 else None,
        }

    def _place(self, plan: dict[str, Any]) -> None:
        time.sleep(max(0.0, self.started + plan["at"] - time.monotonic()))
        variables = {
            "input": {
                "id": plan["order_id"],
                "lines": plan["lines"],
                "paymentToken": plan["paymentToken"],
                "shippingAddress": plan["address"],
            },
            "wait": plan["wait"],
        }
        try:
            body = self._post(plan["token"], PLACE, variables)
        except requests.RequestException as error:  # the client never learnt what happened
            body = {"errors": [{"message": str(error)}]}
        placed = (body.get("data") or {}).get("placeOrder") or {}
        order = placed.get("order") or {}
        reply = Reply(placed.get("status") or "ERROR", order.get("status") if plan["wait"] else None)
        if plan["cancel_after"] is not None and reply.placed in SENT:
            time.sleep(plan["cancel_after"])
            try:
                cancel = self._post(plan["token"], CANCEL, {"id": plan["order_id"]})
            except requests.RequestException as error:
                cancel = {"errors": [{"message": str(error)}]}
            result = (cancel.get("data") or {}).get("cancelOrder") or {}
            reply.cancelled = result.get("status") or "ERROR"
            reply.cancel_error = (result.get("error") or {}).get("code")
        with self.replies_lock:
            self.replies[plan["order_id"]] = reply

    @contextmanager
    def _outages(self) -> Iterator[None]:
        """The gateway goes away for a few seconds every so often, until the orders are placed."""
        stop = threading.Event()

        def toggle() -> None:
            while not stop.wait(self.options.outage_every_seconds):
                with self.gateway.outage():
                    stop.wait(self.options.outage_seconds)

        thread = threading.Thread(target=toggle, name="chaos-outages", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    # Settling --------------------------------------------------------------------------------------

    def _settle(self, order_ids: list[str]) -> list[str]:
        """Wait until every order and its saga have ended; the ids that had not when their sagas stopped
        moving for `STALL_SECONDS`.

        A stall, not a fixed budget, ends the wait: orders offered faster than two cores settle them leave
        a backlog, and one that is still being worked off is not a broken promise; a saga that no longer
        moves is."""
        waiting = [order_id for order_id in order_ids if self.replies[order_id].placed in SENT]
        progress, moved = self._progress(waiting), time.monotonic()
        while waiting and time.monotonic() - moved < STALL_SECONDS:
            time.sleep(1)
            now = self._progress(waiting)
            if now != progress:
                progress, moved = now, time.monotonic()
            waiting = [order_id for order_id in waiting if not self._ended(order_id, now)]
        return waiting

    def _progress(self, order_ids: list[str]) -> dict[str, tuple[int, int, str, str]]:
        """Per order still waiting: its and its saga's read-model versions and statuses."""
        reads = self.storage.read_models
        orders, sagas = reads.get_many("orders", order_ids), reads.get_many("sagas", order_ids)
        return {
            order_id: (order.version, saga.version, str(order.data["status"]), str(saga.data["status"]))
            for order_id in order_ids
            if (order := orders.get(order_id)) is not None and (saga := sagas.get(order_id)) is not None
        }

    @staticmethod
    def _ended(order_id: str, progress: dict[str, tuple[int, int, str, str]]) -> bool:
        shown = progress.get(order_id)
        return shown is not None and shown[2] in SETTLED and shown[2] == shown[3]

    def _reconcile(self) -> list[str]:
        """What the scheduler does every few minutes, once: refund charges held for unshipped orders; the
        orders it refunded."""
        response = requests.post(self.reconcile_url, timeout=120)
        response.raise_for_status()
        refunded = [charge["order_id"] for charge in response.json()["refunding"]]
        deadline = time.monotonic() + 60
        waiting = refunded
        while waiting and time.monotonic() < deadline:
            waiting = [order_id for order_id in waiting if not self.gateway.payment(order_id)["refunded"]]
            time.sleep(0.5)
        return refunded

    # Checking --------------------------------------------------------------------------------------

    def _check(self, report: Report, unsettled: list[str]) -> None:
        events = self.storage.events
        for order_id in unsettled:
            report.add("orders not settled", order_id)
        self._check_outbox(report)
        self._check_dead_letters(report)
        shipped: Counter[str] = Counter()
        for order_id, reply in sorted(self.replies.items()):
            order = ORDER.fold(events.load(ORDER.stream_id(order_id)))
            payment_events = events.read_stream(PAYMENT.stream_id(order_id))
            charge, parcel = self.gateway.payment(order_id), self.gateway.shipment(order_id)
            # The reason from the store too: the read model may not show the cancellation yet.
            reason = next(
                (
                    event.payload.get("reason")
                    for event in reversed(events.read_stream(ORDER.stream_id(order_id)))
                    if event.type == "OrderCancelled"
                ),
                None,
            )
            report.outcomes[f"{order.status} {reason}" if reason else str(order.status)] += 1
            if sum(event.type == "PaymentCaptured" for event in payment_events) > 1 or charge["charges"] > 1:
                report.add("double charges", order_id)
            if charge["charges"] and not charge["refunded"] and order.status != "COMPLETED":
                report.add("charges neither shipped nor refunded", f"{order_id} ({order.status})")
            if parcel["shipments"] and charge["refunded"]:
                report.add("shipped and refunded", order_id)
            if order.status == "COMPLETED":
                for line in order.lines:
                    shipped[line.product_id] += line.quantity
            self._check_reply(report, order_id, reply, order.status)
            self._check_partner_outage(report, order_id, reply, f"{order.status} {reason or ''}".strip())
        for product_id, initial in self.initial_stock.items():
            product = PRODUCT.fold(events.load(PRODUCT.stream_id(product_id)))
            if product.stock < 0 or shipped[product_id] > initial:
                report.add("oversell", f"{product_id}: stock {product.stock}, shipped {shipped[product_id]}")
            if product.stock != initial - shipped[product_id] or product.available != product.stock:
                report.add(
                    "final stock ≠ initial - shipped",
                    f"{product_id}: stock {product.stock}, available {product.available}, "
                    f"initial {initial}, shipped {shipped[product_id]}",
                )
        self._check_read_models(report)

    def _check_outbox(self, report: Report) -> None:
        """Whatever was committed gets published: the outbox drains (the relay runs every second)."""
        deadline = time.monotonic() + 30
        pending = self.storage.events.pending_outbox(limit=1000)
        while pending and time.monotonic() < deadline:
            time.sleep(1)
            pending = self.storage.events.pending_outbox(limit=1000)
        for entry in pending:
            report.add("events lost", f"{entry.stream_id} v{entry.envelope.aggregate_version} unpublished")

    def _check_partner_outage(self, report: Report, order_id: str, reply: Reply, ended: str) -> None:
        """An order with a card that pays in the end, an address the carrier takes, no cancel and no lost
        message is never ended by a partner: not failed by a gateway, not past a deadline of a step that
        waits for one. (A reservation that misses its deadline in a queue of a hot product is counted
        with the outcomes, not here: no partner is involved.)"""
        plan = self.plans[order_id]
        only_partners = (
            reply.placed in SENT
            and plan["paymentToken"] in PAYING_TOKENS
            and "UNDELIVERABLE" not in plan["address"]
            and plan["cancel_after"] is None
            and not order_id.startswith(LOST_PREFIX)
        )
        if not only_partners or ended in ("COMPLETED", "CANCELLED OUT_OF_STOCK"):
            return
        if not ended.startswith("CANCELLED"):  # not settled: counted as such, it may still complete
            return
        saga = self.storage.read_models.get("sagas", order_id)
        history = saga.data.get("history") if saga is not None else None
        missed = {
            str(entry.get("step"))
            for entry in (history if isinstance(history, list) else [])
            if isinstance(entry, dict) and entry.get("event") == "DeadlineMissed"
        } & PARTNER_STEPS
        if ended != "CANCELLED DEADLINE_EXCEEDED" or missed:
            report.add("orders a partner's outage cancelled", f"{order_id} ({ended} {sorted(missed)})")

    def _check_dead_letters(self, report: Report) -> None:
        """A delivery that ran out of attempts is work nobody will do: every fault here is transient."""
        subscriber = SubscriberClient()
        try:
            for spec in self.manifest.functions:
                if not isinstance(spec.trigger, TopicTrigger):
                    continue
                path = subscriber.subscription_path(self.project_id, spec.dead_letter_subscription)
                while True:
                    try:
                        response = subscriber.pull(
                            request={"subscription": path, "max_messages": 100}, timeout=2, retry=None
                        )
                    except DeadlineExceeded:
                        break
                    if not response.received_messages:
                        break
                    for item in response.received_messages:
                        attributes = item.message.attributes
                        report.add(
                            "deliveries dead-lettered",
                            f"{spec.name}: {attributes.get('type')} {attributes.get('aggregate_id')}",
                        )
                    subscriber.acknowledge(
                        request={
                            "subscription": path,
                            "ack_ids": [item.ack_id for item in response.received_messages],
                        }
                    )
        finally:
            subscriber.close()

    def _check_reply(self, report: Report, order_id: str, reply: Reply, final: str | None) -> None:
        problems: list[str] = []
        if reply.placed == "REJECTED" and final is not None:
            problems.append("placeOrder was rejected but the order exists")
        if reply.placed in SENT and final is None:
            problems.append(f"placeOrder answered {reply.placed} but no order exists")
        if reply.placed_order_status in SETTLED and reply.placed_order_status != final:
            problems.append(f"placeOrder answered {reply.placed_order_status}, the order ended {final}")
        if reply.cancelled == "ACCEPTED" and final != "CANCELLED":
            problems.append(f"cancelOrder was accepted, the order ended {final}")
        if problems:
            report.add("replies inconsistent with the final state", f"{order_id}: {'; '.join(problems)}")

    def _check_read_models(self, report: Report) -> None:
        """Each read model equals its rebuild from the event store, once the projectors have caught up
        with the last events (a settled order's products may still be projecting its release)."""
        deadline = time.monotonic() + 60
        while (differences := self._read_model_differences()) and time.monotonic() < deadline:
            time.sleep(2)
        for difference in differences:
            report.add("read model ≠ its rebuild", difference)

    def _read_model_differences(self) -> list[str]:
        reads = self.storage.read_models
        differences: list[str] = []
        for projection in PROJECTIONS.values():
            folded, _ = fold_log(projection, self.storage)
            live = reads.get_many(projection.model, list(folded)) if folded else {}
            for key, (version, record) in folded.items():
                shown = live.get(key)
                if record is None and shown is not None:
                    differences.append(f"{projection.model}/{key}: deleted but shown")
                elif record is not None and (
                    shown is None or (shown.version, shown.data) != (version, record)
                ):
                    shown_version = shown.version if shown is not None else None
                    differences.append(f"{projection.model}/{key}: v{shown_version} shown, v{version} stored")
        return differences


def print_report(report: Report) -> None:
    table = Table(title=f"make chaos: {report.orders} orders in {report.seconds:,.1f} s")
    table.add_column("guarantee")
    table.add_column("violations", justify="right")
    table.add_column("first of them")
    for check in Report.CHECKS:
        found = report.violations.get(check, [])
        table.add_row(check, str(len(found)), found[0] if found else "")
    console.print(table)
    outcomes = ", ".join(f"{status} {count}" for status, count in report.outcomes.most_common())
    console.print(f"orders: {outcomes}")
    console.print(
        f"charges the saga left to reconciliation: {len(report.reconciled)} {report.reconciled[:5]}"
    )
    console.print(
        f"wall time {report.seconds:,.1f} s, {report.orders / report.seconds:,.2f} orders/s; "
        + ("every guarantee held" if report.ok else "GUARANTEES VIOLATED")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--orders", type=int, default=ChaosOptions.orders)
    parser.add_argument("--storage", choices=("postgres", "firestore"), default="postgres")
    parser.add_argument("--clients", type=int, default=ChaosOptions.clients)
    parser.add_argument("--rate", type=float, default=ChaosOptions.rate, help="orders offered per second")
    parser.add_argument("--seed", type=int, default=ChaosOptions.seed)
    parser.add_argument("--no-reconciliation", action="store_true", help="check what the saga alone settles")
    args = parser.parse_args(argv)
    options = ChaosOptions(
        orders=args.orders,
        storage=args.storage,
        clients=args.clients,
        rate=args.rate,
        seed=args.seed,
        reconcile=not args.no_reconciliation,
    )
    report = run(options)
    print_report(report)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
