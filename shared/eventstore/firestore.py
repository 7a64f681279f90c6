"""The Firestore event store: streams as documents, their events beneath them, appends as atomic commits.

Layout (collections):
- `streams/{stream_id}`: the stream head, `{version, aggregate_type}`. Every append rewrites it with an
  `update_time` precondition (or creates it), so of two appends that read the same head only one commits.
- `streams/{stream_id}/events/{version:020d}`: one document per event, written with a create (must not
  exist) precondition, so a version can never be written twice, even by a writer that bypasses the head.
- `outbox/{stream_id}@{version:020d}`: one per unpublished event, in the same commit, ordered by the
  server time stamped on it; the relay deletes it once published.
- `commands/{command_id}`: the first result of each applied command id, created in the same commit.
- `snapshots/{stream_id}`: the latest snapshot.

Why an atomic commit with preconditions rather than a read-write transaction: Firestore's server-side
transactions lock what they read, so writers racing on one stream head wait on each other's locks until
a deadline aborts them, and a contended stream spends its time waiting (bench/README.md). Reading without
locks and committing all the writes (at most 500, hence the 200-event limit) in one commit whose
preconditions fail if the head moved is optimistic concurrency proper: the loser re-reads and gets a
`ConcurrencyConflict` (exact expected version) or simply goes again (ANY).

No global sequence: a monotonically increasing indexed field caps a collection near 500 writes/s, so
there is no `read_all` here. Order is per stream only. Catching up therefore means per stream: a
projector that sees a gap in an aggregate's versions reads that stream from its last applied version
(`read_stream(stream_id, last + 1)`); a full rebuild walks `iter_log()` (stream by stream, through the
composite index on the `events` collection group declared in firestore.indexes.json). The outbox keeps
per-stream order because appends to one stream commit one after another.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from typing import Any, TypeVar

from google.cloud import firestore
from google.cloud.firestore_v1 import SERVER_TIMESTAMP, DocumentReference, WriteBatch
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.collection import CollectionReference

from shared.eventstore.errors import ConcurrencyConflict, WriteContended
from shared.eventstore.model import AppendResult, PreparedAppend, Snapshot, StoredEvent
from shared.eventstore.store import EventStore, IntegrityProblem, LogSummary, SnapshotPolicy
from shared.eventstore.upcasting import Upcasters
from shared.firestore_commits import commit_optimistically, write_if_unchanged
from shared.messages.envelope import Envelope
from shared.observability.metrics import count_documents

T = TypeVar("T")
_EVENT_FIELDS = tuple(name for name in StoredEvent._fields if name != "position")
# Firestore's limit on the writes of one batch.
_BATCH = 500


def version_id(version: int) -> str:
    """Zero-padded, so document-id order is version order."""
    return f"{version:020d}"


def outbox_id(stream_id: str, version: int) -> str:
    # Unique: the suffix always has the same length, so the stream id before it is determined.
    return f"{stream_id}@{version_id(version)}"


def _stored(data: dict[str, Any]) -> StoredEvent:
    return StoredEvent(**{name: data[name] for name in _EVENT_FIELDS})


class FirestoreEventStore(EventStore):
    """The event store on Firestore (the official emulator locally)."""

    def __init__(
        self,
        client: firestore.Client,
        *,
        upcasters: Upcasters | None = None,
        snapshot_policy: SnapshotPolicy | None = None,
    ) -> None:
        super().__init__(upcasters=upcasters, snapshot_policy=snapshot_policy)
        self._client = client
        self._streams = client.collection("streams")
        self._outbox = client.collection("outbox")
        self._commands = client.collection("commands")
        self._snapshots = client.collection("snapshots")

    def _events(self, stream_id: str) -> CollectionReference:
        events: CollectionReference = self._streams.document(stream_id).collection("events")
        return events

    def append_prepared(self, prepared: PreparedAppend, *, outbox: bool) -> AppendResult:
        head_ref = self._streams.document(prepared.stream_id)
        stored = prepared.stored_events()
        command_ref = self._commands.document(prepared.command_id) if prepared.command_id else None

        def step() -> tuple[WriteBatch | None, AppendResult]:
            refs = [head_ref] if command_ref is None else [head_ref, command_ref]
            found = {snapshot.reference.path: snapshot for snapshot in self._client.get_all(refs)}
            count_documents("read", len(refs))
            if command_ref is not None and found[command_ref.path].exists:
                return None, AppendResult(**{**(found[command_ref.path].to_dict() or {}), "replayed": True})
            head = found[head_ref.path]
            current = int(head.get("version")) if head.exists else 0
            if prepared.expected is not None and prepared.expected != current:
                raise ConcurrencyConflict(prepared.stream_id, prepared.expected, current)
            batch = self._client.batch()
            events = self._events(prepared.stream_id)
            for event in stored:
                version = current + event.version
                document = {**event._asdict(), "version": version}
                del document["position"]
                batch.create(events.document(version_id(version)), document)
                if outbox:
                    batch.create(
                        self._outbox.document(outbox_id(prepared.stream_id, version)),
                        {"stream_id": prepared.stream_id, "version": version, "created_at": SERVER_TIMESTAMP},
                    )
            result = AppendResult(prepared.stream_id, current + 1, current + len(stored))
            head_data = {"version": result.last_version, "aggregate_type": stored[0].aggregate_type}
            write_if_unchanged(self._client, batch, head, head_data)
            if command_ref is not None:
                batch.create(command_ref, {**asdict(result), "replayed": False})
            return batch, result

        return commit_optimistically(step, f"append to {prepared.stream_id!r}", WriteContended)

    def _store_import(self, appends: Iterable[PreparedAppend]) -> int:
        """Append by append (a commit holds at most 500 writes); an import that fails deletes the streams
        it wrote, all new since imports go into an empty store. One that dies with its process leaves them:
        delete the `streams` collection before importing again."""
        written: dict[str, int] = {}
        try:
            for prepared in appends:
                written[prepared.stream_id] = self.append_prepared(prepared, outbox=False).last_version
        except BaseException:
            self._delete_streams(written)
            raise
        return sum(written.values())

    def _delete_streams(self, last_versions: dict[str, int]) -> None:
        self._delete_all(
            [
                self._events(stream_id).document(version_id(version))
                for stream_id, last in last_versions.items()
                for version in range(1, last + 1)
            ]
            + [self._streams.document(stream_id) for stream_id in last_versions]
        )

    def _delete_all(self, refs: Sequence[DocumentReference]) -> None:
        """Delete these documents, a commit per 500."""
        for start in range(0, len(refs), _BATCH):
            batch = self._client.batch()
            for ref in refs[start : start + _BATCH]:
                batch.delete(ref)
            batch.commit()
            count_documents("write", len(batch))

    def _committed(self, command_id: str) -> AppendResult | None:
        record = self._commands.document(command_id).get()
        count_documents("read", 1)
        return AppendResult(**{**(record.to_dict() or {}), "replayed": True}) if record.exists else None

    def _read_stream(self, stream_id: str, from_version: int, limit: int | None) -> list[Envelope]:
        query = (
            self._events(stream_id)
            .where(filter=FieldFilter("version", ">=", from_version))
            .order_by("version")
        )
        if limit is not None:
            query = query.limit(limit)
        events = [_stored(snapshot.to_dict() or {}).to_envelope() for snapshot in query.stream()]
        count_documents("read", max(len(events), 1))
        return events

    def stream_version(self, stream_id: str) -> int:
        head = self._streams.document(stream_id).get()
        count_documents("read", 1)
        return int(head.get("version")) if head.exists else 0

    def _write_snapshot(self, snapshot: Snapshot, state_json: str) -> None:
        ref = self._snapshots.document(snapshot.stream_id)

        def step() -> tuple[WriteBatch | None, None]:
            stored = ref.get()
            count_documents("read", 1)
            if stored.exists and int(stored.get("version")) > snapshot.version:
                return None, None
            batch = self._client.batch()
            data = {
                "stream_id": snapshot.stream_id,
                "aggregate_type": snapshot.aggregate_type,
                "version": snapshot.version,
                "schema_version": snapshot.schema_version,
                # As JSON text: Firestore maps cannot hold nested arrays or 64-bit-overflowing ints.
                "state": state_json,
            }
            write_if_unchanged(self._client, batch, stored, data)
            return batch, None

        commit_optimistically(step, f"snapshot of {snapshot.stream_id!r}", WriteContended)

    def _read_snapshot(self, stream_id: str) -> Snapshot | None:
        stored = self._snapshots.document(stream_id).get()
        count_documents("read", 1)
        if not stored.exists:
            return None
        data = stored.to_dict() or {}
        return Snapshot(
            data["stream_id"],
            data["aggregate_type"],
            data["version"],
            json.loads(data["state"]),
            data["schema_version"],
        )

    def _pending_outbox(self, limit: int) -> list[tuple[str, StoredEvent]]:
        entries = list(self._outbox.order_by("created_at").limit(limit).stream())
        count_documents("read", max(len(entries), 1))
        refs = [
            self._events(entry.get("stream_id")).document(version_id(entry.get("version")))
            for entry in entries
        ]
        events = {
            snapshot.reference.path: _stored(snapshot.to_dict() or {})
            for snapshot in self._client.get_all(refs)
            if snapshot.exists
        }
        count_documents("read", len(refs))
        # An entry whose event is missing is an integrity problem (reported by the check), not a message.
        return [
            (entry.id, events[ref.path])
            for entry, ref in zip(entries, refs, strict=True)
            if ref.path in events
        ]

    def _mark_append_published(self, result: AppendResult) -> None:
        self.mark_published(
            [
                outbox_id(result.stream_id, version)
                for version in range(result.first_version, result.last_version + 1)
            ]
        )

    def _mark_published(self, ids: Sequence[str]) -> None:
        self._delete_all([self._outbox.document(entry_id) for entry_id in ids])

    def iter_log(self) -> Iterator[StoredEvent]:
        query = self._client.collection_group("events").order_by("stream_id").order_by("version")
        cursor: dict[str, Any] | None = None
        while True:
            page_query = query.start_after(cursor) if cursor else query
            page = [_stored(snapshot.to_dict() or {}) for snapshot in page_query.limit(_BATCH).stream()]
            yield from page
            if len(page) < _BATCH:
                return
            cursor = {"stream_id": page[-1].stream_id, "version": page[-1].version}

    def is_empty(self) -> bool:
        return not list(self._client.collection_group("events").limit(1).stream())

    def store_problems(self, summary: LogSummary) -> list[IntegrityProblem]:
        problems = []
        heads = {head.id: int(head.get("version")) for head in self._streams.stream()}
        for stream_id in sorted(heads.keys() | summary.last_versions.keys()):
            head, last = heads.get(stream_id, 0), summary.last_versions.get(stream_id, 0)
            if head != last:
                problems.append(
                    IntegrityProblem("stream_head", stream_id, f"head at version {head}, last event {last}")
                )
        entries = list(self._outbox.stream())
        for start in range(0, len(entries), _BATCH):
            chunk = entries[start : start + _BATCH]
            refs = [self._events(e.get("stream_id")).document(version_id(e.get("version"))) for e in chunk]
            existing = {snapshot.reference.path for snapshot in self._client.get_all(refs) if snapshot.exists}
            problems.extend(
                IntegrityProblem(
                    "outbox_orphan", entry.get("stream_id"), f"outbox entry {entry.id} has no event"
                )
                for entry, ref in zip(chunk, refs, strict=True)
                if ref.path not in existing
            )
        return problems
