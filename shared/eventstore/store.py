"""The event store interface: what command handlers, projectors, the outbox relay and the CLI rely on.

Both backends implement the few abstract methods below; validation, upcasting, snapshot policy and the
load (snapshot + tail) logic are written once here, so the backends differ only in how they store.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from shared.eventstore.errors import CommandIdReused, ImportRefused, InvalidAppend
from shared.eventstore.model import (
    ANY,
    AppendResult,
    ExpectedVersion,
    LoadedStream,
    OutboxEntry,
    PreparedAppend,
    Snapshot,
    StoredEvent,
    prepare_append,
)
from shared.eventstore.upcasting import Upcasters
from shared.kernel.storable import check_id
from shared.messages.envelope import Envelope
from shared.observability.log_metrics import EVENTS_APPENDED
from shared.observability.metrics import count_store_operation


class SnapshotPolicy:
    """Snapshot every N events, N per aggregate type (types not listed: never)."""

    def __init__(self, every: Mapping[str, int] | None = None) -> None:
        self.every = dict(every or {})
        if any(n < 1 for n in self.every.values()):
            raise ValueError("a snapshot interval must be at least 1 event")

    def due(self, aggregate_type: str, result: AppendResult) -> bool:
        """Whether the append crossed a multiple of N: then the handler writes a snapshot."""
        n = self.every.get(aggregate_type)
        return n is not None and result.last_version // n > (result.first_version - 1) // n


@dataclass(frozen=True, slots=True)
class IntegrityProblem:
    kind: str
    stream_id: str | None
    detail: str


@dataclass
class LogSummary:
    """What one pass over the whole log saw, for the backend's own checks (Firestore's stream heads)."""

    events: int = 0
    last_versions: dict[str, int] = field(default_factory=dict)
    last_position: int | None = None


class EventStore(ABC):
    """Streams of events with optimistic concurrency, idempotent appends, snapshots and an outbox."""

    def __init__(
        self, *, upcasters: Upcasters | None = None, snapshot_policy: SnapshotPolicy | None = None
    ) -> None:
        self.upcasters = upcasters or Upcasters()
        self.snapshot_policy = snapshot_policy or SnapshotPolicy()

    def append(
        self,
        stream_id: str,
        events: Sequence[Envelope],
        expected_version: ExpectedVersion = ANY,
        command_id: str | None = None,
        *,
        publish: bool = True,
    ) -> AppendResult:
        """Append events (one aggregate) atomically with their outbox entries and the command record.

        `publish=False` is for events no other function consumes (the saga's bookkeeping): they get no
        outbox entry, so they stay in their stream and the relay never puts them on the bus.

        Raises `ConcurrencyConflict` when the stream is not at `expected_version`, `InvalidAppend` (or
        `EventTooLarge`) for input that can never be stored. A command id already applied to this
        stream appends nothing and returns the first result with `replayed=True`, whatever the expected
        version; one applied to another stream raises `CommandIdReused`: an id is bound to its first use.
        """
        prepared = prepare_append(stream_id, events, expected_version, command_id)
        count_store_operation("event_store", "write")
        started = time.perf_counter()
        result = self.append_prepared(prepared, outbox=publish)
        if result.replayed and result.stream_id != stream_id:
            assert command_id is not None
            raise CommandIdReused(command_id, stream_id)
        if not result.replayed:
            EVENTS_APPENDED.record(
                "appended %d events to %s",
                len(events),
                stream_id,
                aggregate_type=events[0].aggregate_type,
                events=len(events),
                seconds=time.perf_counter() - started,
            )
        return result

    def committed(self, command_id: str) -> AppendResult | None:
        """The append this command id made, if it made one (`replayed=True`): a redelivered command's first
        effect, which a handler answers with instead of deciding again against the state it changed."""
        checked = check_id(command_id, "command id", InvalidAppend)
        count_store_operation("event_store", "read")
        return self._committed(checked)

    def read_stream(self, stream_id: str, from_version: int = 1, limit: int | None = None) -> list[Envelope]:
        """The stream's events from `from_version` on, upcast to their current schema versions."""
        check_id(stream_id, "stream id", InvalidAppend)
        _check_positive(from_version, "from_version")
        if limit is not None:
            _check_positive(limit, "limit")
        count_store_operation("event_store", "read")
        return [self.upcasters.upcast(event) for event in self._read_stream(stream_id, from_version, limit)]

    def load(self, stream_id: str, snapshot_schema_version: int = 1) -> LoadedStream:
        """The last snapshot of the current state shape (if any) and the events after it."""
        snapshot = self.read_snapshot(stream_id)
        if snapshot is None or snapshot.schema_version != snapshot_schema_version:
            return LoadedStream(stream_id, None, self.read_stream(stream_id))
        return LoadedStream(stream_id, snapshot, self.read_stream(stream_id, snapshot.version + 1))

    def snapshot_due(self, aggregate_type: str, result: AppendResult) -> bool:
        return self.snapshot_policy.due(aggregate_type, result)

    def write_snapshot(self, snapshot: Snapshot) -> None:
        """Keep this snapshot unless one at a later version is stored already."""
        count_store_operation("event_store", "write")
        self._write_snapshot(snapshot, snapshot.state_json())

    def read_snapshot(self, stream_id: str) -> Snapshot | None:
        checked = check_id(stream_id, "stream id", InvalidAppend)
        count_store_operation("event_store", "read")
        return self._read_snapshot(checked)

    def pending_outbox(self, limit: int = 100) -> list[OutboxEntry]:
        """Events not yet published, oldest first (per stream in version order)."""
        _check_positive(limit, "limit")
        count_store_operation("event_store", "read")
        return [
            OutboxEntry(entry_id, event.stream_id, self.envelope(event))
            for entry_id, event in self._pending_outbox(limit)
        ]

    def envelope(self, event: StoredEvent) -> Envelope:
        return self.upcasters.upcast(event.to_envelope())

    @abstractmethod
    def append_prepared(self, prepared: PreparedAppend, *, outbox: bool) -> AppendResult:
        """Store a validated append; `outbox=False` is for imports, whose events were published before."""

    def import_appends(self, appends: Iterable[PreparedAppend]) -> int:
        """Store an import's appends, without outbox entries, into this store if it is empty, all or none:
        an import that fails partway (a refused line, a conflict) leaves it empty. Returns the events."""
        if not self.is_empty():
            raise ImportRefused("the store already holds events: import only into an empty store")
        return self._store_import(appends)

    @abstractmethod
    def _store_import(self, appends: Iterable[PreparedAppend]) -> int:
        """`import_appends` once the store is known to be empty (which undoing a failed import relies on)."""

    @abstractmethod
    def _committed(self, command_id: str) -> AppendResult | None: ...

    @abstractmethod
    def _read_stream(self, stream_id: str, from_version: int, limit: int | None) -> list[Envelope]:
        """The stream's events as stored, before upcasting."""

    @abstractmethod
    def stream_version(self, stream_id: str) -> int:
        """The stream's last version; 0 when it has no events."""

    @abstractmethod
    def _write_snapshot(self, snapshot: Snapshot, state_json: str) -> None: ...

    @abstractmethod
    def _read_snapshot(self, stream_id: str) -> Snapshot | None: ...

    @abstractmethod
    def _pending_outbox(self, limit: int) -> list[tuple[str, StoredEvent]]: ...

    def mark_published(self, ids: Sequence[str]) -> None:
        """Remove these entries from the outbox (ids from `pending_outbox`; unknown ids are ignored)."""
        count_store_operation("event_store", "write")
        self._mark_published(ids)

    def mark_append_published(self, result: AppendResult) -> None:
        """Remove the outbox entries of one append, once its handler has published its events itself."""
        count_store_operation("event_store", "write")
        self._mark_append_published(result)

    @abstractmethod
    def _mark_published(self, ids: Sequence[str]) -> None: ...

    @abstractmethod
    def _mark_append_published(self, result: AppendResult) -> None: ...

    @abstractmethod
    def iter_log(self) -> Iterator[StoredEvent]:
        """Every stored event, not upcast: by position on PostgreSQL, by stream then version on Firestore."""

    @abstractmethod
    def is_empty(self) -> bool: ...

    def ordering_problems(self) -> list[IntegrityProblem]:
        """Damage that stops the log being read in order, found without reading it (none without an order)."""
        return []

    @abstractmethod
    def store_problems(self, summary: LogSummary) -> list[IntegrityProblem]:
        """The backend's own checks after a pass over the log: outbox orphans, stream heads, counters."""


def _check_positive(value: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidAppend(f"{what} must be an integer >= 1, got {value!r}")
