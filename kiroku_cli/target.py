"""Where a command acts: the running local cloud, or a deployed environment.

By default the local cloud `make run` started: its `.kiroku/stack.json` (written by `python -m emulators
run`: every endpoint and the environment that points Google's clients at the emulators) says where the
database, the Pub/Sub and Firestore emulators, the Auth emulator and each function are. `make token`
finds the stack the same way.

With `--project` the command acts on that Google Cloud project instead, with application default
credentials (`gcloud auth application-default login`) for Pub/Sub, Firestore and Cloud Logging; with
`--storage postgres` it reaches Cloud SQL through `DATABASE_URL` (or `--database-url`), e.g. a Cloud
SQL Auth Proxy on localhost. Nothing is migrated there unless `--migrate` is given: the cloud migrates in
its deploy step.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from google.cloud.pubsub_v1 import PublisherClient, SubscriberClient
from google.cloud.pubsub_v1.types import PublisherOptions

from shared.bus.manifest import Manifest
from shared.bus.publisher import Publisher
from shared.config import Settings
from shared.storage import Storage, open_storage

DEFAULT_STATE_DIR = Path(".kiroku")
STACK_FILE = "stack.json"
# Variables of the stack's environment that point this process's Google clients at the emulators.
EMULATOR_HOSTS = ("PUBSUB_EMULATOR_HOST", "FIRESTORE_EMULATOR_HOST", "FIREBASE_AUTH_EMULATOR_HOST")
StorageName = Literal["postgres", "firestore"]


class NoTarget(RuntimeError):
    """Nothing to act on: no running local cloud and no deployed environment named; the message says
    what to do."""


@dataclass
class Target:
    """An environment a command acts on, and the clients it opens there (each once, closed by `close`)."""

    settings: Settings
    local: bool
    functions: dict[str, str] = field(default_factory=dict)  # function name -> URL (local only)
    environment: dict[str, str] = field(default_factory=dict)
    log_dir: Path | None = None  # the local functions' logs

    @property
    def project_id(self) -> str:
        return self.settings.project_id

    @property
    def describe(self) -> str:
        where = "local cloud" if self.local else "project"
        return f"{where} {self.project_id} ({self.settings.storage})"

    @cached_property
    def storage(self) -> Storage:
        return open_storage(self.settings)

    @cached_property
    def subscriber(self) -> SubscriberClient:
        return SubscriberClient()

    @cached_property
    def publisher_client(self) -> PublisherClient:
        """Raw messages (dead-letter replays) keep their ordering keys: ordering enabled."""
        return PublisherClient(publisher_options=PublisherOptions(enable_message_ordering=True))

    @cached_property
    def publisher(self) -> Publisher:
        return Publisher(self.project_id)

    @cached_property
    def manifest(self) -> Manifest:
        return Manifest.load()

    def close(self) -> None:
        if "storage" in self.__dict__:
            self.storage.close()
        if "subscriber" in self.__dict__:
            self.subscriber.close()
        if "publisher_client" in self.__dict__:
            self.publisher_client.stop()


def resolve(
    state_dir: Path,
    project: str | None,
    storage: StorageName | None,
    database_url: str | None,
    migrate: bool | None,
) -> Target:
    """The local cloud of `state_dir`, unless `project` names a deployed environment."""
    if project is not None:
        settings = Settings(
            project_id=project,
            storage=storage or os.environ.get("KIROKU_STORAGE", "postgres"),
            database_url=database_url or os.environ.get("DATABASE_URL"),
            migrate_on_open=bool(migrate),
        )
        return Target(settings, local=False)
    stack_file = state_dir / STACK_FILE
    try:
        stack = json.loads(stack_file.read_text())
        environment: dict[str, str] = dict(stack["environment"])
        functions: dict[str, str] = dict(stack.get("functions", {}))
    except (OSError, ValueError, KeyError, TypeError):
        raise NoTarget(
            f"no running local cloud found ({stack_file} is missing or unreadable): start one with "
            "`make run`, or name a deployed environment with --project and --storage"
        ) from None
    for name in EMULATOR_HOSTS:
        if name in environment:
            os.environ[name] = environment[name]  # Google's clients read them from the process environment
    project_id = environment.get("KIROKU_PROJECT_ID") or environment.get(
        "GOOGLE_CLOUD_PROJECT", "kiroku-local"
    )
    settings = Settings(
        project_id=project_id,
        storage=storage or environment.get("KIROKU_STORAGE", "postgres"),
        database_url=database_url or environment.get("DATABASE_URL"),
        migrate_on_open=True if migrate is None else migrate,
    )
    return Target(
        settings, local=True, functions=functions, environment=environment, log_dir=state_dir / "logs"
    )


@dataclass(frozen=True)
class TargetOptions:
    """The options every command shares (given before the command: `kiroku --project p integrity`)."""

    state_dir: Path = DEFAULT_STATE_DIR
    project: str | None = None
    storage: StorageName | None = None
    database_url: str | None = None
    migrate: bool | None = None

    def resolve(self) -> Target:
        return resolve(self.state_dir, self.project, self.storage, self.database_url, self.migrate)
