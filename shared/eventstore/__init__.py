"""The event store: append with optimistic concurrency and command-id idempotency, read, snapshot, outbox.

Import the interface and types from here; the backends live in `postgres` and `firestore`, and
`shared.storage` picks one from the settings.
"""

from shared.eventstore.errors import (
    CommandIdReused,
    ConcurrencyConflict,
    EventStoreError,
    EventTooLarge,
    ImportRefused,
    InvalidAppend,
    MigrationError,
)
from shared.eventstore.model import (
    ANY,
    MAX_EVENTS_PER_APPEND,
    NO_STREAM,
    AppendResult,
    ExpectedVersion,
    LoadedStream,
    OutboxEntry,
    RecordedEvent,
    Snapshot,
    StoredEvent,
)
from shared.eventstore.store import EventStore, SnapshotPolicy
from shared.eventstore.upcasting import Upcasters
from shared.kernel.storable import MAX_PAYLOAD_BYTES

__all__ = [
    "ANY",
    "MAX_EVENTS_PER_APPEND",
    "MAX_PAYLOAD_BYTES",
    "NO_STREAM",
    "AppendResult",
    "CommandIdReused",
    "ConcurrencyConflict",
    "EventStore",
    "EventStoreError",
    "EventTooLarge",
    "ExpectedVersion",
    "ImportRefused",
    "InvalidAppend",
    "LoadedStream",
    "MigrationError",
    "OutboxEntry",
    "RecordedEvent",
    "Snapshot",
    "SnapshotPolicy",
    "StoredEvent",
    "Upcasters",
]
