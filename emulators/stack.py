"""The whole local cloud as one context manager: services first, then the runner, stopped in reverse.

`make run` and the test suite both use it, so what the tests prove is what a developer runs.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Literal, Self

from emulators.runner import FaultInjection, Runner
from emulators.services import (
    EmbeddedPostgres,
    FakeGateway,
    FirebaseAuthEmulator,
    FirestoreEmulator,
    LocalService,
    PubSubEmulator,
)
from shared import storage as stores
from shared.application.registry import GATEWAY_ENTRY_POINTS
from shared.bus.manifest import Manifest, RetryPolicy
from shared.config import Settings

logger = logging.getLogger(__name__)

Storage = Literal["postgres", "firestore"]
# The GraphiQL page's files, installed by `make run` (emulators/graphiql/package.json): the GraphQL
# function serves them, so the local GraphiQL needs no internet (functions/graphql/graphiql.py).
GRAPHIQL_ASSETS = Path(__file__).resolve().parent / "graphiql" / "node_modules"


def gateway_circuits_reset_after(manifest: Manifest, seconds: int) -> tuple[Manifest, dict[str, str]]:
    """The manifest and settings of a stack whose gateways' circuits reset after `seconds` (sooner than
    the cloud's, for a test or a benchmark): their waiting commands come back as soon, as in the cloud."""
    retry = RetryPolicy(minimum_backoff_seconds=seconds, maximum_backoff_seconds=2 * seconds)
    settings = {"KIROKU_GATEWAY_BREAKER_RESET_SECONDS": str(seconds)}
    return manifest.with_retry(GATEWAY_ENTRY_POINTS, retry), settings


@dataclass
class StackOptions:
    """What to start. `state_dir` keeps PostgreSQL's data between runs unless `ephemeral`."""

    project_id: str = "kiroku-local"
    storage: Storage = "postgres"
    auth: bool = False
    ephemeral: bool = True
    state_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="kiroku-")))
    manifest: Manifest | None = None
    faults: FaultInjection | None = None
    extra_env: dict[str, str] = field(default_factory=dict)


class LocalCloud:
    """Starts the emulators the options ask for, then (given a manifest) the runner; stops them all."""

    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self.log_dir = options.state_dir / "logs"
        self.services: list[LocalService] = []
        self.runner: Runner | None = None
        self._exit = ExitStack()

    def environment(self) -> dict[str, str]:
        """Variables that point the unmodified Google clients and Kiroku's settings at this cloud."""
        env = {
            "GOOGLE_CLOUD_PROJECT": self.options.project_id,
            "KIROKU_PROJECT_ID": self.options.project_id,
            "KIROKU_STORAGE": self.options.storage,
            "KIROKU_ENVIRONMENT": "local",
            **({"KIROKU_GRAPHIQL_ASSETS": str(GRAPHIQL_ASSETS)} if GRAPHIQL_ASSETS.is_dir() else {}),
            **self.options.extra_env,
        }
        for service in self.services:
            env.update(service.environment())
        return env

    @contextmanager
    def open_storage(self) -> Iterator[stores.Storage]:
        """This cloud's event store and read models, opened as its functions open them; closed after."""
        storage = stores.open_storage(
            Settings(
                project_id=self.options.project_id,
                storage=self.options.storage,
                database_url=self.environment().get("DATABASE_URL"),
            )
        )
        try:
            yield storage
        finally:
            storage.close()

    def pids(self) -> list[int]:
        """Every process this cloud started directly (their own children are stopped with them)."""
        pids = [pid for service in self.services for pid in service.pids()]
        return pids + (self.runner.pids() if self.runner is not None else [])

    def _point_process_environment_here(self) -> None:
        """Let this process's own clients (tests, tools) reach this cloud; restored when it stops, so a
        later cloud or subprocess in the same process never inherits a stopped one's settings."""
        overrides = self.environment()
        previous = {name: os.environ.get(name) for name in overrides}

        def restore() -> None:
            for name, value in previous.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

        self._exit.callback(restore)
        os.environ.update(overrides)

    def _start(self, service: LocalService) -> None:
        self._exit.callback(service.stop)
        service.start()
        self.services.append(service)

    def __enter__(self) -> Self:
        options = self.options
        try:
            self._start(PubSubEmulator(self.log_dir))
            if options.storage == "firestore":
                self._start(FirestoreEmulator(self.log_dir))
            else:
                self._start(EmbeddedPostgres(options.state_dir / "postgres", ephemeral=options.ephemeral))
            if options.auth:
                self._start(FirebaseAuthEmulator(self.log_dir, options.project_id))
            # Always: it starts in a moment, and the payment and shipping saga steps cannot work without it.
            self._start(FakeGateway(self.log_dir))
            self._point_process_environment_here()
            if options.manifest is not None:
                runner = Runner(
                    options.manifest, options.project_id, self.environment(), self.log_dir, options.faults
                )
                self._exit.callback(runner.stop)
                self.runner = runner
                runner.start()
        except BaseException:
            self._exit.close()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._exit.close()
