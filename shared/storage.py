"""Storage from settings: one switch (`KIROKU_STORAGE`) picks the backend of both stores.

`postgres` needs `DATABASE_URL` (the embedded server locally, Cloud SQL in the cloud) and migrates the
schema on open, unless `KIROKU_MIGRATE_ON_OPEN=false` (the cloud, which migrates in a deploy step);
`firestore` uses the project's default database, or the emulator when `FIRESTORE_EMULATOR_HOST` is set.
Open it once per process and reuse it: the pool or client is the expensive part of a cold start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shared.config import Settings, settings
from shared.eventstore.store import EventStore, SnapshotPolicy
from shared.eventstore.upcasting import Upcasters
from shared.readmodels.store import ReadModelStore


@dataclass(frozen=True)
class Storage:
    events: EventStore
    read_models: ReadModelStore
    close: Callable[[], None]


def open_storage(
    config: Settings | None = None,
    *,
    upcasters: Upcasters | None = None,
    snapshot_policy: SnapshotPolicy | None = None,
) -> Storage:
    config = config or settings()
    # Backends import lazily: a function loads the client library of the backend it uses, not both.
    if config.storage == "firestore":
        from google.cloud import firestore

        from shared.eventstore.firestore import FirestoreEventStore
        from shared.readmodels.firestore import FirestoreReadModelStore

        client = firestore.Client(project=config.project_id)
        return Storage(
            FirestoreEventStore(client, upcasters=upcasters, snapshot_policy=snapshot_policy),
            FirestoreReadModelStore(client),
            client.close,
        )

    from shared.eventstore.postgres import PostgresEventStore, open_pool
    from shared.readmodels.postgres import PostgresReadModelStore

    if not config.database_url:
        raise RuntimeError(
            "KIROKU_STORAGE=postgres needs DATABASE_URL (`make run` sets it for the local server)"
        )
    pool = open_pool(config.database_url, migrate_schema=config.migrate_on_open)
    return Storage(
        PostgresEventStore(pool, upcasters=upcasters, snapshot_policy=snapshot_policy),
        PostgresReadModelStore(pool),
        pool.close,
    )
