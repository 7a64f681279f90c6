"""One empty store per test, on each backend, plus the backend-specific things the contract tests need.

PostgreSQL: a database copied from a migrated template (cheap, and each test starts empty).
Firestore: a project id of its own on the one emulator (the emulator keeps projects apart).
Memory: a fresh in-memory log and read-model store, shared by every store the harness hands out.
`stored_items` counts everything the store holds, so a test can assert that a refused input wrote
nothing at all; `remove_event` and `sabotage_next_append` reach behind the store to break it on purpose.
"""

from __future__ import annotations

import itertools
import uuid
from abc import ABC, abstractmethod
from typing import Any

import psycopg
from google.cloud import firestore
from psycopg.conninfo import make_conninfo
from psycopg_pool import ConnectionPool

from shared.eventstore.firestore import FirestoreEventStore, version_id
from shared.eventstore.memory import MemoryEventStore, MemoryLog, outbox_id
from shared.eventstore.postgres import PostgresEventStore, open_pool
from shared.eventstore.store import EventStore, SnapshotPolicy
from shared.eventstore.upcasting import Upcasters
from shared.readmodels.firestore import FirestoreReadModelStore
from shared.readmodels.memory import MemoryReadModelStore
from shared.readmodels.postgres import PostgresReadModelStore
from shared.readmodels.store import ReadModelStore

TEMPLATE_DATABASE = "kiroku_template"
_databases = itertools.count()


class Harness(ABC):
    name: str

    @abstractmethod
    def event_store(
        self, upcasters: Upcasters | None = None, snapshot_policy: SnapshotPolicy | None = None
    ) -> EventStore: ...

    @abstractmethod
    def read_models(self) -> ReadModelStore: ...

    @abstractmethod
    def stored_items(self) -> int:
        """Rows or documents of every kind in this store (the position counter counts when moved)."""

    @abstractmethod
    def remove_event(self, stream_id: str, version: int) -> None: ...

    @abstractmethod
    def sabotage_next_append(self, stream_id: str) -> None:
        """Plant something that makes the next append to `stream_id` fail after it began writing."""

    @abstractmethod
    def close(self) -> None: ...


class PostgresHarness(Harness):
    name = "postgres"

    def __init__(self, server_uri: str) -> None:
        self.database = f"kiroku_test_{next(_databases)}"
        with psycopg.connect(server_uri, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.database}" TEMPLATE "{TEMPLATE_DATABASE}"')
        self.uri = make_conninfo(server_uri, dbname=self.database)
        self.pool: ConnectionPool[psycopg.Connection[Any]] = open_pool(self.uri, max_size=17)

    def event_store(
        self, upcasters: Upcasters | None = None, snapshot_policy: SnapshotPolicy | None = None
    ) -> PostgresEventStore:
        return PostgresEventStore(self.pool, upcasters=upcasters, snapshot_policy=snapshot_policy)

    def read_models(self) -> ReadModelStore:
        return PostgresReadModelStore(self.pool)

    def stored_items(self) -> int:
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT (SELECT count(*) FROM kiroku_events) + (SELECT count(*) FROM kiroku_outbox)"
                " + (SELECT count(*) FROM kiroku_commands) + (SELECT count(*) FROM kiroku_snapshots)"
                " + (SELECT count(*) FROM kiroku_read_models) + (SELECT count(*) FROM kiroku_appends)"
                " + (SELECT count(*) FROM kiroku_waiting)"
            ).fetchone()
        return int(row[0]) if row else 0

    def remove_event(self, stream_id: str, version: int) -> None:
        with self.pool.connection() as conn:
            conn.execute(
                "DELETE FROM kiroku_events WHERE stream_id = %s AND version = %s", (stream_id, version)
            )

    def sabotage_next_append(self, stream_id: str) -> None:
        # The outbox entry the next append will need, already taken: its events are written, then it fails.
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO kiroku_outbox (append_order, first_version, last_version, stream_id)"
                " SELECT last_value + is_called::int, v.next, v.next, %s FROM kiroku_append_order,"
                " (SELECT coalesce(max(version), 0) + 1 AS next FROM kiroku_events WHERE stream_id = %s) v",
                (stream_id, stream_id),
            )

    def close(self) -> None:
        self.pool.close()


class FirestoreHarness(Harness):
    name = "firestore"

    def __init__(self) -> None:
        self.client = firestore.Client(project=f"kiroku-test-{uuid.uuid4().hex[:12]}")

    def event_store(
        self, upcasters: Upcasters | None = None, snapshot_policy: SnapshotPolicy | None = None
    ) -> FirestoreEventStore:
        return FirestoreEventStore(self.client, upcasters=upcasters, snapshot_policy=snapshot_policy)

    def read_models(self) -> ReadModelStore:
        return FirestoreReadModelStore(self.client)

    def stored_items(self) -> int:
        return sum(_count_documents(collection) for collection in self.client.collections())

    def remove_event(self, stream_id: str, version: int) -> None:
        self.client.collection("streams").document(stream_id).collection("events").document(
            version_id(version)
        ).delete()

    def sabotage_next_append(self, stream_id: str) -> None:
        # The document the append's second event will create, already there (written around the head).
        head = self.client.collection("streams").document(stream_id).get()
        version = (head.get("version") if head.exists else 0) + 2
        head.reference.collection("events").document(version_id(version)).set({"planted": True})

    def close(self) -> None:
        self.client.close()  # type: ignore[no-untyped-call]


class MemoryHarness(Harness):
    name = "memory"

    def __init__(self) -> None:
        self.log = MemoryLog()
        self.models = MemoryReadModelStore()

    def event_store(
        self, upcasters: Upcasters | None = None, snapshot_policy: SnapshotPolicy | None = None
    ) -> MemoryEventStore:
        return MemoryEventStore(self.log, upcasters=upcasters, snapshot_policy=snapshot_policy)

    def read_models(self) -> ReadModelStore:
        return self.models

    def stored_items(self) -> int:
        with self.log.lock:
            events = self.log.item_count()
        return events + self.models.item_count()

    def remove_event(self, stream_id: str, version: int) -> None:
        with self.log.lock:
            position = self.log.streams[stream_id].pop(version)
            del self.log.events[position]

    def sabotage_next_append(self, stream_id: str) -> None:
        # The outbox entry the append's second event will need, already taken (written around the store).
        with self.log.lock:
            version = self.log.stream_version(stream_id) + 2
            self.log.outbox[outbox_id(stream_id, version)] = (stream_id, version)

    def close(self) -> None:
        pass


def _count_documents(collection: Any) -> int:
    count = 0
    for document in collection.list_documents():
        count += 1 if document.get().exists else 0
        count += sum(_count_documents(child) for child in document.collections())
    return count
