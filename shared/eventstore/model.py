"""What the event store takes and gives back, and the one stored form both backends write.

Validation lives here, before any backend is called, so PostgreSQL and Firestore refuse exactly the same
input with the same typed error and nothing is ever half-written. The size limits are Firestore's (1 MiB
per document, 500 writes and 10 MiB per commit) with headroom, applied to PostgreSQL too so an event
stored on one backend can always be moved to the other.

What any store can hold (ids, JSON, sizes) is shared/kernel/storable.py's to say.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any, NamedTuple

import orjson
from pydantic import JsonValue, ValidationError

from shared.eventstore.errors import EventTooLarge, ImportRefused, InvalidAppend
from shared.kernel.storable import (
    MAX_PAYLOAD_BYTES,
    ORJSON_REFUSES,
    check_id,
    check_no_nul_character,
    check_size,
    dump_json,
    encode_json,
)
from shared.messages.envelope import Actor, Envelope, TraceContext

# Two writes per event (event + outbox) plus the stream head and the command record stay under 500.
MAX_EVENTS_PER_APPEND = 200
MAX_APPEND_BYTES = 8 * 1024 * 1024


class StreamState(Enum):
    """Expected versions that are not a number: any version at all, or a stream that has no events yet."""

    ANY = "any"
    NO_STREAM = "no_stream"


ANY = StreamState.ANY
NO_STREAM = StreamState.NO_STREAM
ExpectedVersion = int | StreamState


def expected_as_int(expected: ExpectedVersion) -> int | None:
    """None for ANY, 0 for NO_STREAM (a stream with no events is at version 0), else the exact version."""
    if expected is StreamState.ANY:
        return None
    if expected is StreamState.NO_STREAM:
        return 0
    if isinstance(expected, bool) or not isinstance(expected, int) or expected < 0:
        raise InvalidAppend(f"expected version must be ANY, NO_STREAM or an integer >= 0, got {expected!r}")
    return expected


def _occurred_at_in_utc(envelope: Envelope) -> datetime:
    """When the event occurred, in UTC, as both backends store it; an instant UTC cannot hold is refused."""
    try:
        return envelope.occurred_at.astimezone(UTC)
    except OverflowError as error:
        raise InvalidAppend(
            f"event {envelope.id} occurred at {envelope.occurred_at}, outside the years UTC can hold"
        ) from error


class StoredEvent(NamedTuple):
    """An event as both backends store and export it; `payload` is its JSON text, kept byte for byte.

    Inside an append that is not stored yet, `version` counts from 1 within the append; the backend adds
    the stream's current version. `position` is the global position (PostgreSQL only) and is not exported:
    an import numbers the log again in file order. A named tuple rather than a frozen dataclass: one is
    built per event appended or read, and a frozen dataclass sets each of its sixteen fields through
    `object.__setattr__`, which costs several times a tuple's construction (bench/README.md).
    """

    stream_id: str
    version: int
    event_id: str
    event_type: str
    schema_version: int
    aggregate_type: str
    aggregate_id: str
    occurred_at: datetime
    correlation_id: str
    causation_id: str
    actor_uid: str
    actor_role: str
    traceparent: str | None
    tracestate: str | None
    payload: str
    position: int | None = None

    @classmethod
    def from_envelope(cls, stream_id: str, version: int, envelope: Envelope) -> StoredEvent:
        what = f"payload of event {envelope.type} ({envelope.id})"
        payload = encode_json(envelope.payload, what, InvalidAppend)
        check_size(payload, what, EventTooLarge)
        actor, trace = envelope.actor, envelope.trace
        return cls(  # positional: one per event appended, and keywords cost more
            stream_id,
            version,
            envelope.id,
            envelope.type,
            envelope.schema_version,
            envelope.aggregate_type,
            envelope.aggregate_id,
            _occurred_at_in_utc(envelope),
            envelope.correlation_id,
            envelope.causation_id,
            actor.uid,
            actor.role,
            trace.traceparent,
            trace.tracestate,
            payload.decode(),
        )

    def to_envelope(self) -> Envelope:
        return Envelope(
            id=self.event_id,
            kind="event",
            type=self.event_type,
            schema_version=self.schema_version,
            aggregate_type=self.aggregate_type,
            aggregate_id=self.aggregate_id,
            aggregate_version=self.version,
            occurred_at=self.occurred_at,
            correlation_id=self.correlation_id,
            causation_id=self.causation_id,
            actor=Actor.model_validate({"uid": self.actor_uid, "role": self.actor_role}),
            trace=TraceContext(traceparent=self.traceparent, tracestate=self.tracestate),
            payload=json.loads(self.payload),
        )

    def to_json_line(self) -> str:
        """One export line: fixed field order and format, so the same log always exports the same bytes."""
        occurred_at = self.occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
        return orjson.dumps(self.fields(occurred_at)).decode()

    def fields(self, occurred_at: datetime | str) -> dict[str, Any]:
        """The stored fields by name, in export order, the payload as embedded JSON."""
        return {
            "stream_id": self.stream_id,
            "version": self.version,
            "event_id": self.event_id,
            "event_type": self.event_type,
            "schema_version": self.schema_version,
            "aggregate_type": self.aggregate_type,
            "aggregate_id": self.aggregate_id,
            "occurred_at": occurred_at,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "actor_uid": self.actor_uid,
            "actor_role": self.actor_role,
            "traceparent": self.traceparent,
            "tracestate": self.tracestate,
            "payload": orjson.Fragment(self.payload),
        }

    @classmethod
    def from_json_line(cls, line: str) -> StoredEvent:
        """Parse and fully validate one export line (it goes through the envelope model)."""
        try:
            fields = json.loads(line)
            fields["occurred_at"] = datetime.fromisoformat(fields["occurred_at"])
            fields["payload"] = dump_json(fields["payload"], "payload", InvalidAppend)
            event = cls(**fields)
            check_id(event.stream_id, "stream id", InvalidAppend)
            check_size(event.payload, f"payload of event {event.event_id}", EventTooLarge)
            event.to_envelope()
        except (ValueError, TypeError, KeyError, ValidationError) as error:
            raise ImportRefused(f"not an exported event: {error}: {line[:200]}") from error
        return event


@dataclass(frozen=True, slots=True)
class PreparedAppend:
    """A validated append: its envelopes, the expected version as int, and the events as PostgreSQL takes
    them (one JSON array of their stored fields, which `json_populate_recordset` turns into rows)."""

    stream_id: str
    envelopes: tuple[Envelope, ...]
    expected: int | None
    command_id: str | None
    events_json: str

    def stored_events(self) -> list[StoredEvent]:
        """The stored forms, numbered 1..n within the append (Firestore writes each as a document)."""
        return _numbered(self.stream_id, self.envelopes)


def prepare_append(
    stream_id: str, events: Sequence[Envelope], expected_version: ExpectedVersion, command_id: str | None
) -> PreparedAppend:
    """Every check an append needs that does not depend on what is stored; raises `InvalidAppend`."""
    check_id(stream_id, "stream id", InvalidAppend)
    expected = expected_as_int(expected_version)
    if command_id is not None:
        check_id(command_id, "command id", InvalidAppend)
    if not events:
        raise InvalidAppend(f"an append to {stream_id!r} needs at least one event")
    if len(events) > MAX_EVENTS_PER_APPEND:
        raise InvalidAppend(f"an append holds at most {MAX_EVENTS_PER_APPEND} events, got {len(events)}")
    envelopes = tuple(events)
    first = envelopes[0]
    for index, event in enumerate(envelopes, start=1):
        if not isinstance(event, Envelope) or event.kind != "event":
            raise InvalidAppend(f"item {index} of the append to {stream_id!r} is not an event envelope")
        if (event.aggregate_type, event.aggregate_id) != (first.aggregate_type, first.aggregate_id):
            raise InvalidAppend(f"the events of one append must concern one aggregate ({stream_id!r})")
    expected = _expected_from_given_versions(stream_id, envelopes, expected)
    events_json = _events_json(stream_id, envelopes)
    check_no_nul_character(events_json, f"an event appended to {stream_id!r}", InvalidAppend)
    return PreparedAppend(stream_id, envelopes, expected, command_id, events_json)


def _events_json(stream_id: str, envelopes: tuple[Envelope, ...]) -> str:
    """The events' stored fields as one JSON array, payloads nested, in one orjson call.

    That call also checks every payload at once when its output is plain: no TypeError (a type orjson
    does not write, or hands back), no `null` anywhere (orjson writes NaN as null; missing trace fields
    are left out, so only a payload or a string holding "null" takes the slow way), and the whole array
    no bigger than one payload may be. Other appends take the event by event path, which tells which
    payload is wrong. Events arrive as envelopes whose payloads pydantic validated as JSON values, so the
    fast path is the usual one.
    """
    rows = [stored_fields(envelope) for envelope in envelopes]
    try:
        encoded = orjson.dumps(rows, option=ORJSON_REFUSES)
    except TypeError:
        return _events_json_checked(stream_id, envelopes)
    if b"null" in encoded or len(encoded) > MAX_PAYLOAD_BYTES:
        return _events_json_checked(stream_id, envelopes)
    return encoded.decode()


def stored_fields(envelope: Envelope) -> dict[str, Any]:
    """The columns `kiroku_append` reads (it numbers versions and names the stream itself), for orjson."""
    fields = {
        "event_id": envelope.id,
        "event_type": envelope.type,
        "schema_version": envelope.schema_version,
        "aggregate_type": envelope.aggregate_type,
        "aggregate_id": envelope.aggregate_id,
        # RFC 3339 as isoformat writes it, but by orjson, which costs less on this per-event path.
        "occurred_at": orjson.dumps(_occurred_at_in_utc(envelope))[1:-1].decode(),
        "correlation_id": envelope.correlation_id,
        "causation_id": envelope.causation_id,
        "actor_uid": envelope.actor.uid,
        "actor_role": envelope.actor.role,
        "payload": envelope.payload,
    }
    trace = envelope.trace
    if trace.traceparent is not None:
        fields["traceparent"] = trace.traceparent
    if trace.tracestate is not None:
        fields["tracestate"] = trace.tracestate
    return fields


def _events_json_checked(stream_id: str, envelopes: tuple[Envelope, ...]) -> str:
    """The event by event path: each payload encoded and checked alone, then the append's total."""
    stored = _numbered(stream_id, envelopes)
    total = sum(len(event.payload.encode()) for event in stored)
    if total > MAX_APPEND_BYTES:
        raise EventTooLarge(f"an append carries at most {MAX_APPEND_BYTES:,} payload bytes, got {total:,}")
    # orjson writes the timestamps itself (RFC 3339, which PostgreSQL reads back exactly).
    return orjson.dumps([event.fields(event.occurred_at) for event in stored]).decode()


def _numbered(stream_id: str, envelopes: Sequence[Envelope]) -> list[StoredEvent]:
    return [StoredEvent.from_envelope(stream_id, i, e) for i, e in enumerate(envelopes, start=1)]


def _expected_from_given_versions(
    stream_id: str, events: Sequence[Envelope], expected: int | None
) -> int | None:
    """Envelopes may carry their versions already: they must follow each other and the expected version."""
    given = [event.aggregate_version for event in events]
    if all(version is None for version in given):
        return expected
    first = given[0]
    if first is None or given != list(range(first, first + len(events))):
        raise InvalidAppend(
            f"events for {stream_id!r} carry versions {given}: not consecutive from the first"
        )
    if expected is not None and first != expected + 1:
        raise InvalidAppend(f"events for {stream_id!r} start at version {first}, expected {expected + 1}")
    return first - 1


@dataclass(frozen=True, slots=True)
class AppendResult:
    """What an append did; a replay of an applied command id returns the first append's result."""

    stream_id: str
    first_version: int
    last_version: int
    first_position: int | None = None
    last_position: int | None = None
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event with its global position, as `read_all` returns it (PostgreSQL)."""

    position: int
    stream_id: str
    envelope: Envelope


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """An event not yet published: publish it, then `mark_published` its id."""

    id: str
    stream_id: str
    envelope: Envelope


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An aggregate's state as of `version`; `schema_version` is the state's shape, bumped when it changes."""

    stream_id: str
    aggregate_type: str
    version: int
    state: dict[str, JsonValue]
    schema_version: int = 1

    def state_json(self) -> str:
        """The state as JSON, checked against the same size limit as an event payload."""
        check_id(self.stream_id, "stream id", InvalidAppend)
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 1:
            raise InvalidAppend(f"a snapshot version must be an integer >= 1, got {self.version!r}")
        text = dump_json(self.state, f"snapshot state of {self.stream_id!r}", InvalidAppend)
        check_size(text, f"snapshot state of {self.stream_id!r}", EventTooLarge)
        return text


@dataclass(frozen=True, slots=True)
class LoadedStream:
    """What a command handler rebuilds an aggregate from: the last usable snapshot and the events after it."""

    stream_id: str
    snapshot: Snapshot | None
    events: list[Envelope] = field(default_factory=list)

    @property
    def version(self) -> int:
        if self.events:
            return self.events[-1].aggregate_version or 0
        return self.snapshot.version if self.snapshot is not None else 0
