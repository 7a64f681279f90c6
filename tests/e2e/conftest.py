"""The whole local cloud, as `make run` starts it, once per storage backend: every function its own
server behind the runner, the official emulators, real PostgreSQL, the Auth emulator with a demo admin."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from emulators.auth_users import AuthEmulatorUsers
from emulators.demo import ADMIN_EMAIL, DEMO_USERS
from emulators.runner import FaultInjection
from emulators.stack import LocalCloud, StackOptions
from shared.bus.manifest import Manifest
from shared.config import Settings
from shared.storage import Storage, open_storage

ALLOWED_ORIGIN = "https://kiroku-shop.vercel.app"
RATE_LIMIT = 600
# Orders whose id starts with this never get their first ShipOrder delivered: a step with no answer.
LOST_PREFIX = "lost-"
# Orders whose id starts with this are placed by a handler that dies between commit and publish.
CRASH_PREFIX = "crash-"
SHIPPING_DEADLINE_SECONDS = 30  # shorter, and a shipping hop of the 50-order burst may miss it
PAYING_DEADLINE_SECONDS = 45  # shorter, so that a gateway outage can outlast it
BREAKER_FAIL_MAX = 3
BREAKER_RESET_SECONDS = 10
# The whole suite runs on a misbehaving bus: a quarter of the deliveries twice, every delivery late by
# up to 50 ms (so messages of different ordering keys overtake each other), and one kind never; and on
# functions that die right after committing some commands.
FAULTS = FaultInjection(
    duplicate_probability=0.25,
    seed=7,
    max_delay_seconds=0.05,
    lose=f'attributes.type = "ShipOrder" AND hasPrefix(attributes.aggregate_id, "{LOST_PREFIX}")',
    lose_first_only=True,
    crash_after_commit=(
        f'attributes.type = "AdjustStock" OR hasPrefix(attributes.aggregate_id, "{CRASH_PREFIX}")'
    ),
)


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
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.post(query, variables)
        assert "errors" not in body, body
        result: dict[str, Any] = body["data"]
        return result


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

    @property
    def gateway_url(self) -> str:
        return self.cloud.environment()["KIROKU_PAYMENT_GATEWAY_URL"]

    @property
    def log_dir(self) -> Path:
        return self.cloud.log_dir


@pytest.fixture(scope="package", params=["postgres", "firestore"])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    options = StackOptions(
        project_id="kiroku-e2e",
        storage=request.param,
        auth=True,
        state_dir=tmp_path_factory.mktemp(f"e2e-{request.param}"),
        manifest=Manifest.load(),
        faults=FAULTS,
        extra_env={
            "KIROKU_SAGA_DEADLINE_SECONDS": json.dumps(
                {"SHIPPING": SHIPPING_DEADLINE_SECONDS, "PAYING": PAYING_DEADLINE_SECONDS}
            ),
            "KIROKU_GATEWAY_TIMEOUT_SECONDS": "3",
            "KIROKU_GATEWAY_BREAKER_FAIL_MAX": str(BREAKER_FAIL_MAX),
            "KIROKU_GATEWAY_BREAKER_RESET_SECONDS": str(BREAKER_RESET_SECONDS),
            "ADMIN_EMAIL": ADMIN_EMAIL,
            "KIROKU_CORS_ORIGINS": ALLOWED_ORIGIN,
            "KIROKU_RATE_LIMIT": f"{RATE_LIMIT}/minute",
        },
    )
    with LocalCloud(options) as cloud:
        environment = cloud.environment()
        assert cloud.runner is not None
        url = cloud.runner.url("graphql")
        email, password = DEMO_USERS["admin"]
        users = AuthEmulatorUsers(environment["FIREBASE_AUTH_EMULATOR_HOST"], options.project_id)
        admin_token = users.ensure_user(email, password, email_verified=True).id_token
        storage = open_storage(
            Settings(
                project_id=options.project_id,
                storage=request.param,
                database_url=environment.get("DATABASE_URL"),
            )
        )
        try:
            yield Stack(cloud, GraphQL(url, admin_token), GraphQL(url), storage, users)
        finally:
            storage.close()
