"""The whole local cloud, as `make run` starts it, once per storage backend: every function its own
server behind the runner, the official emulators, real PostgreSQL, the Auth emulator with a demo admin."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests
from google.api_core.exceptions import DeadlineExceeded
from google.cloud.pubsub_v1 import PublisherClient, SubscriberClient

from emulators.auth_users import AuthEmulatorUsers
from emulators.demo import ADMIN_EMAIL, DEMO_USERS
from emulators.query_shapes import RECORD_VARIABLE, index_for, needs_index, recorded_shapes
from emulators.runner import FaultInjection
from emulators.stack import LocalCloud, StackOptions, gateway_circuits_reset_after
from functions.graphql.errors import CODES
from shared.auth.tokens import READER
from shared.bus.manifest import Manifest
from shared.storage import Storage

INDEXES = Path(__file__).resolve().parents[2] / "firestore.indexes.json"
ALLOWED_ORIGIN = "https://kiroku-shop.vercel.app"
RATE_LIMIT = 600
# Orders whose id starts with this never get their first ShipOrder delivered: a step with no answer.
LOST_PREFIX = "lost-"
# Orders whose id starts with this never get their first RefundPayment: a compensation with no answer.
UNREFUNDED_PREFIX = "unrefunded-"
REFUNDING_DEADLINE_SECONDS = 10
# Reservations and restocks of products whose id starts with this are delivered this late: time to change
# the product before its reservation, and longer than a mutation waits for its command's outcome.
HELD_PREFIX = "held-"
HELD_SECONDS = 12.0
# Orders whose id starts with this are placed by a handler that dies between commit and publish.
CRASH_PREFIX = "crash-"
SHIPPING_DEADLINE_SECONDS = 30  # shorter, and a shipping hop of the 50-order burst may miss it
PAYING_DEADLINE_SECONDS = 45  # shorter, so that a gateway outage can outlast it
# Published after a block of `Stack.commands_published`: no function's filter takes it.
SENTINEL_TYPE = "TestBarrier"
BREAKER_FAIL_MAX = 3
BREAKER_RESET_SECONDS = 10
# The whole suite runs on a misbehaving bus: a quarter of the deliveries twice (half of those at the same
# moment as the first), every delivery late by
# up to 50 ms (so messages of different ordering keys overtake each other), and one kind never; and on
# functions that die right after committing some commands.
FAULTS = FaultInjection(
    duplicate_probability=0.25,
    concurrent_duplicates=0.5,
    seed=7,
    max_delay_seconds=0.05,
    lose=(
        f'(attributes.type = "ShipOrder" AND hasPrefix(attributes.aggregate_id, "{LOST_PREFIX}")) OR '
        f'(attributes.type = "RefundPayment" AND hasPrefix(attributes.aggregate_id, "{UNREFUNDED_PREFIX}"))'
    ),
    lose_first_only=True,
    hold=(
        f'(attributes.type = "ReserveStock" OR attributes.type = "RestockProduct") AND '
        f'hasPrefix(attributes.aggregate_id, "{HELD_PREFIX}")'
    ),
    hold_seconds=HELD_SECONDS,
    crash_after_commit=(
        f'attributes.type = "AdjustStock" OR hasPrefix(attributes.aggregate_id, "{CRASH_PREFIX}")'
    ),
)


# What a client may be answered: INTERNAL is the server failing, never a correct answer to any request.
CLIENT_ERROR_CODES = CODES - {"INTERNAL"}


def assert_no_internal_error(body: dict[str, Any]) -> None:
    """Every error of an answer carries a code a client can act on: an INTERNAL error fails the test."""
    codes = [(error.get("extensions") or {}).get("code") for error in body.get("errors") or []]
    assert set(codes) <= CLIENT_ERROR_CODES, body


@dataclass
class GraphQL:
    """A GraphQL client over real HTTP, as a browser would be."""

    url: str
    token: str | None = None

    def post(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token or self.token}"} if (token or self.token) else {}
        response = requests.post(
            self.url, json={"query": query, "variables": variables}, headers=headers, timeout=60
        )
        assert response.status_code in (200, 401), response.text
        body: dict[str, Any] = response.json()
        assert_no_internal_error(body)
        return body

    @property
    def uid(self) -> str:
        """The uid this client's ID token names (read, not verified: the API verifies it); an anonymous
        client acts as the reader."""
        if self.token is None:
            return READER.uid
        payload = self.token.split(".")[1]
        claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims["user_id"])

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.post(query, variables)
        assert "errors" not in body, body
        result: dict[str, Any] = body["data"]
        return result

    def created(self, field: str, arguments: str) -> dict[str, Any]:
        """The mutation `field(arguments)` creating a record, its command ACCEPTED: waited for past an
        answer that stopped waiting first (PENDING, TIMED_OUT on a busy machine), because a command of
        another aggregate that depends on it (a product in a new category) is not ordered after it on the
        bus."""
        selection = "{ status commandId error { code } }"
        # A rejection comes with an error beside its data: read the data either way.
        sent: dict[str, Any] = self.post(f"mutation {{ {field}({arguments}) {selection} }}")["data"][field]
        status = f"query($id: ID!) {{ commandStatus(id: $id) {selection} }}"

        def decided() -> dict[str, Any] | None:
            answer: dict[str, Any] = self.data(status, {"id": sent["commandId"]})["commandStatus"]
            return None if answer["status"] in ("PENDING", "TIMED_OUT") else answer

        answer = sent if sent["status"] not in ("PENDING", "TIMED_OUT") else until(decided, 60, 0.2)
        assert answer["status"] == "ACCEPTED", answer
        return answer


T = TypeVar("T")


def until(check: Callable[[], T | None], timeout: float = 90.0, every: float = 0.5) -> T:
    """The first truthy answer of `check`, asked until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer:
            return answer
        assert time.monotonic() < deadline, f"still nothing after {timeout} s"
        time.sleep(every)


@dataclass
class Stack:
    cloud: LocalCloud
    admin: GraphQL
    reader: GraphQL
    storage: Storage
    users: AuthEmulatorUsers

    def signed_in(self, email: str, password: str = "kiroku-e2e-password") -> GraphQL:  # noqa: S107
        """A client signed in as this (created if new) user of the Auth emulator."""
        return GraphQL(self.admin.url, self.users.ensure_user(email, password, email_verified=True).id_token)

    def product(self, stock: int, price: str = "12.50", prefix: str = "op-") -> str:
        """A new product, in a new category of its own, with this stock; its id (`prefix` and more)."""
        category_id, product_id = f"oc-{uuid.uuid4().hex[:8]}", f"{prefix}{uuid.uuid4().hex[:8]}"
        self.admin.created("createCategory", f'input: {{id: "{category_id}", name: "Orders"}}')
        created = self.admin.data(
            f'mutation {{ createProduct(input: {{id: "{product_id}", name: "Thing", categoryId: '
            f'"{category_id}", price: {{amount: "{price}", currency: "EUR"}}, initialStock: {stock}}}) '
            "{ status } }"
        )
        assert created["createProduct"]["status"] == "ACCEPTED", created
        return product_id

    @contextmanager
    def commands_published(self) -> Iterator[list[dict[str, str]]]:
        """The attributes of every command published on the bus while the block runs.

        A subscription of the test's own on the commands topic sees them. After the block a sentinel is
        published and the subscription drained until it holds nothing more: the API publishes a command
        before it answers, so by then every command of the block is in the subscription. This is the
        barrier that lets a test say "nothing was published" without sleeping.
        """
        project = self.cloud.options.project_id
        publisher, subscriber = PublisherClient(), SubscriberClient()
        topic = publisher.topic_path(project, "commands")
        subscription = subscriber.subscription_path(project, f"watch-{uuid.uuid4().hex[:12]}")
        subscriber.create_subscription(request={"name": subscription, "topic": topic})
        published: list[dict[str, str]] = []
        try:
            yield published
            sentinel = uuid.uuid4().hex
            publisher.publish(topic, b"", type=SENTINEL_TYPE, sentinel=sentinel).result(timeout=30)
            seen_sentinel = False
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    # Once the sentinel is in, an idle long poll of a second means the rest is drained.
                    received = subscriber.pull(
                        request={"subscription": subscription, "max_messages": 1000},
                        timeout=1 if seen_sentinel else 10,
                    ).received_messages
                except DeadlineExceeded:
                    received = []
                if not received and seen_sentinel:
                    return
                if received:
                    subscriber.acknowledge(
                        request={"subscription": subscription, "ack_ids": [m.ack_id for m in received]}
                    )
                for message in received:
                    attributes = dict(message.message.attributes)
                    if attributes.get("sentinel") == sentinel:
                        seen_sentinel = True
                    elif attributes.get("type") != SENTINEL_TYPE:
                        published.append(attributes)
            raise AssertionError("the sentinel published after the block never arrived")
        finally:
            subscriber.delete_subscription(request={"subscription": subscription})
            subscriber.close()

    def events_by(self, uids: set[str]) -> list[str]:
        """Every event in the log that one of these users' commands caused."""
        events = self.storage.events
        return [
            f"{stored.aggregate_type}/{stored.aggregate_id} {envelope.type}"
            for stored in events.iter_log()
            if (envelope := events.envelope(stored)).actor.uid in uids
        ]

    @property
    def gateway_url(self) -> str:
        return self.cloud.environment()["KIROKU_PAYMENT_GATEWAY_URL"]

    @property
    def log_dir(self) -> Path:
        return self.cloud.log_dir


@pytest.fixture(scope="package", params=["postgres", "firestore"])
def stack(request: pytest.FixtureRequest, server_dir: Callable[[str], Path]) -> Iterator[Stack]:
    state_dir = server_dir(f"e2e-{request.param}")
    shapes = state_dir / "query-shapes.jsonl"
    manifest, breaker = gateway_circuits_reset_after(Manifest.load(), BREAKER_RESET_SECONDS)
    options = StackOptions(
        project_id="kiroku-e2e",
        storage=request.param,
        auth=True,
        state_dir=state_dir,
        manifest=manifest,
        faults=FAULTS,
        extra_env={
            "KIROKU_SAGA_DEADLINE_SECONDS": json.dumps(
                {
                    "SHIPPING": SHIPPING_DEADLINE_SECONDS,
                    "PAYING": PAYING_DEADLINE_SECONDS,
                    "REFUNDING": REFUNDING_DEADLINE_SECONDS,
                }
            ),
            "KIROKU_GATEWAY_TIMEOUT_SECONDS": "3",
            "KIROKU_GATEWAY_BREAKER_FAIL_MAX": str(BREAKER_FAIL_MAX),
            **breaker,
            "ADMIN_EMAIL": ADMIN_EMAIL,
            "KIROKU_CORS_ORIGINS": ALLOWED_ORIGIN,
            "KIROKU_RATE_LIMIT": f"{RATE_LIMIT}/minute",
            **({RECORD_VARIABLE: str(shapes)} if request.param == "firestore" else {}),
        },
    )
    with LocalCloud(options) as cloud:
        environment = cloud.environment()
        assert cloud.runner is not None
        url = cloud.runner.url("graphql")
        email, password = DEMO_USERS["admin"]
        users = AuthEmulatorUsers(environment["FIREBASE_AUTH_EMULATOR_HOST"], options.project_id)
        admin_token = users.ensure_user(email, password, email_verified=True).id_token
        with cloud.open_storage() as storage:
            yield Stack(cloud, GraphQL(url, admin_token), GraphQL(url), storage, users)
    if request.param == "firestore":
        _every_query_the_run_made_has_its_index(shapes)


def _every_query_the_run_made_has_its_index(shapes: Path) -> None:
    """Firestore in the cloud refuses a query whose composite index is missing, the emulator does not:
    each list query the functions made during the run is checked against firestore.indexes.json."""
    indexes = json.loads(INDEXES.read_text())["indexes"]
    recorded = recorded_shapes(shapes)
    assert recorded, "no query shape was recorded: the recording is not installed"
    missing = [shape for shape in recorded if needs_index(shape) and index_for(shape, indexes) is None]
    assert missing == [], f"queries the run made with no index in {INDEXES.name}: {missing}"
