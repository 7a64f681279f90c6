"""The event store in this process's memory: for fast service-layer tests of the real handler classes.

Why it exists: the command handler, the saga runner, the fact finder and the projectors are tested here
given events, when a command (or an event), then events or an outcome, in milliseconds, against the
store's full contract: optimistic concurrency, command-id idempotency, global positions, snapshots,
the outbox, the integrity hooks. It passes the same contract suite as PostgreSQL and Firestore
(tests/contract), so a handler test on it holds on them too, as far as the contract reaches.

What it never proves: anything an integration test is for. It has no transactions that can die half
way, no network, no second process, no server clock, no cold start; a test on it says nothing about
how the real backends commit, race across instances or fail. Never select it in a deployment (the
settings do not offer it).

One `threading.Lock` guards all of it, so threads racing on it see appends commit one at a time, as
PostgreSQL's primary keys and Firestore's preconditions make them look. Positions are given in commit
order under that lock, gap-free, as PostgreSQL's sequencer gives them. The state lives in a `MemoryLog`
that several stores may share (as several stores share one database), each with its own upcasters and
snapshot policy.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from shared.eventstore.errors import ConcurrencyConflict, EventStoreError
from shared.eventstore.model import AppendResult, PreparedAppend, Snapshot, StoredEvent
from shared.eventstore.store import EventStore, IntegrityProblem, LogSummary, SnapshotPolicy
from shared.eventstore.upcasting import Upcasters
from shared.messages.envelope import Envelope


def outbox_id(stream_id: str, version: int) -> str:
    """An outbox entry's id: unique, as the suffix always has the same length (Firestore's form)."""
    return f"{stream_id}@{version:020d}"


@dataclass(frozen=True, slots=True)
class StoredSnapshot:
    """A snapshot as stored: its state kept as JSON text, so no caller shares (or mutates) the stored one."""

    stream_id: str
    aggregate_type: str
    version: int
    schema_version: int
    state_json: str


@dataclass
class MemoryLog:
    """Everything one in-memory event store holds; touch it only holding `lock`.

    `events` maps global positions to events in commit order; `streams` maps each stream's versions to
    those positions, in version order. The outbox maps entry ids to the (stream, version) they publish,
    oldest first; `commands` keeps each command id's first append.
    """

    lock: threading.Lock = field(default_factory=threading.Lock)
    events: dict[int, StoredEvent] = field(default_factory=dict)
    streams: dict[str, dict[int, int]] = field(default_factory=dict)
    last_position: int = 0
    outbox: dict[str, tuple[str, int]] = field(default_factory=dict)
    commands: dict[str, AppendResult] = field(default_factory=dict)
    snapshots: dict[str, StoredSnapshot] = field(default_factory=dict)

    def stream_version(self, stream_id: str) -> int:
        versions = self.streams.get(stream_id)
        # Versions are only ever added in increasing order, so the last one added is the highest.
        return next(reversed(versions)) if versions else 0

    def item_count(self) -> int:
        """Every item held, of every kind (for tests asserting that a refused input wrote nothing)."""
        return len(self.events) + len(self.outbox) + len(self.commands) + len(self.snapshots)


class MemoryEventStore(EventStore):
    """The event store in memory; pass a `MemoryLog` to share one log between several stores."""

    def __init__(
        self,
        log: MemoryLog | None = None,
        *,
        upcasters: Upcasters | None = None,
        snapshot_policy: SnapshotPolicy | None = None,
    ) -> None:
        super().__init__(upcasters=upcasters, snapshot_policy=snapshot_policy)
        self.log = log if log is not None else MemoryLog()

    def append_prepared(self, prepared: PreparedAppend, *, outbox: bool) -> AppendResult:
        with self.log.lock:
            return self._append_locked(prepared, outbox)

    def _append_locked(self, prepared: PreparedAppend, outbox: bool) -> AppendResult:
        log = self.log
        if prepared.command_id is not None:
            first = log.commands.get(prepared.command_id)
            if first is not None:
                return dataclasses.replace(first, replayed=True)
        stream_id = prepared.stream_id
        current = log.stream_version(stream_id)
        if prepared.expected is not None and prepared.expected != current:
            raise ConcurrencyConflict(stream_id, prepared.expected, current)
        base = log.last_position
        stored = [
            event._replace(version=current + event.version, position=base + event.version)
            for event in prepared.stored_events()
        ]
        versions = log.streams.get(stream_id, {})
        entries = [outbox_id(stream_id, event.version) for event in stored] if outbox else []
        # Every write is a create that must find its place empty, as on both other backends: something
        # already there (written around the store) fails the whole append before any of it is written.
        taken = [e.version for e in stored if e.version in versions] + [i for i in entries if i in log.outbox]
        if taken:
            raise EventStoreError(
                f"append to {stream_id!r} failed, nothing written: {taken[0]!r} is already stored"
            )
        versions = log.streams.setdefault(stream_id, versions)
        for event in stored:
            assert event.position is not None
            log.events[event.position] = event
            versions[event.version] = event.position
        for entry, event in zip(entries, stored, strict=False):
            log.outbox[entry] = (stream_id, event.version)
        log.last_position = base + len(stored)
        result = AppendResult(stream_id, current + 1, current + len(stored), base + 1, log.last_position)
        if prepared.command_id is not None:
            log.commands[prepared.command_id] = result
        return result

    def _store_import(self, appends: Iterable[PreparedAppend]) -> int:
        """Under the lock throughout, undone on any failure: no reader ever sees part of an import."""
        log = self.log
        with log.lock:
            before = log.last_position
            events = 0
            try:
                for prepared in appends:
                    self._append_locked(prepared, outbox=False)
                    events += len(prepared.envelopes)
            except BaseException:
                for position in range(before + 1, log.last_position + 1):
                    undone = log.events.pop(position, None)
                    if undone is not None:
                        versions = log.streams[undone.stream_id]
                        del versions[undone.version]
                        if not versions:
                            del log.streams[undone.stream_id]
                log.last_position = before
                raise
        return events

    def _committed(self, command_id: str) -> AppendResult | None:
        with self.log.lock:
            first = self.log.commands.get(command_id)
        return dataclasses.replace(first, replayed=True) if first is not None else None

    def _read_stream(self, stream_id: str, from_version: int, limit: int | None) -> list[Envelope]:
        log = self.log
        with log.lock:
            versions = log.streams.get(stream_id, {})
            last = log.stream_version(stream_id)
            found: list[StoredEvent] = []
            for version in range(from_version, last + 1):
                if limit is not None and len(found) == limit:
                    break
                position = versions.get(version)
                if position is not None:
                    found.append(log.events[position])
        # Envelopes built outside the lock: parsing is the slow part, and the stored events never change.
        return [event.to_envelope() for event in found]

    def stream_version(self, stream_id: str) -> int:
        with self.log.lock:
            return self.log.stream_version(stream_id)

    def _write_snapshot(self, snapshot: Snapshot, state_json: str) -> None:
        stored = StoredSnapshot(
            snapshot.stream_id, snapshot.aggregate_type, snapshot.version, snapshot.schema_version, state_json
        )
        with self.log.lock:
            kept = self.log.snapshots.get(snapshot.stream_id)
            if kept is None or kept.version <= snapshot.version:
                self.log.snapshots[snapshot.stream_id] = stored

    def _read_snapshot(self, stream_id: str) -> Snapshot | None:
        with self.log.lock:
            kept = self.log.snapshots.get(stream_id)
        if kept is None:
            return None
        state = json.loads(kept.state_json)
        return Snapshot(kept.stream_id, kept.aggregate_type, kept.version, state, kept.schema_version)

    def _pending_outbox(self, limit: int) -> list[tuple[str, StoredEvent]]:
        log = self.log
        pending: list[tuple[str, StoredEvent]] = []
        with log.lock:
            for entry, (stream_id, version) in log.outbox.items():
                if len(pending) == limit:
                    break
                position = log.streams.get(stream_id, {}).get(version)
                # An entry whose event is missing is an integrity problem (the check reports it), not a
                # message to publish.
                if position is not None:
                    pending.append((entry, log.events[position]))
        return pending

    def _mark_published(self, ids: Sequence[str]) -> None:
        with self.log.lock:
            for entry in ids:
                self.log.outbox.pop(entry, None)

    def _mark_append_published(self, result: AppendResult) -> None:
        with self.log.lock:
            for version in range(result.first_version, result.last_version + 1):
                self.log.outbox.pop(outbox_id(result.stream_id, version), None)

    def iter_log(self) -> Iterator[StoredEvent]:
        """Every event in position order, as the log stood when the iteration began."""
        with self.log.lock:
            events = list(self.log.events.values())
        # Yielded outside the lock: a caller may use the store between two events.
        yield from events

    def is_empty(self) -> bool:
        with self.log.lock:
            return not self.log.events

    def store_problems(self, summary: LogSummary) -> list[IntegrityProblem]:
        log = self.log
        with log.lock:
            return [
                IntegrityProblem("outbox_orphan", stream_id, f"outbox entry {entry} has no event")
                for entry, (stream_id, version) in log.outbox.items()
                if version not in log.streams.get(stream_id, {})
            ]
