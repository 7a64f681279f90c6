"""Operating Kiroku: what the `kiroku` command (kiroku_cli/) and the admins' GraphQL fields both run.

Pure of the command line and of HTTP: each operation takes the stores (or, for reads of read models,
anything with the read-model store's `find`) and answers data; printing, paging arguments and access
rules are its callers'. Dead letters, which live on Pub/Sub, are `shared.application.dead_letters`'.

- Projections: `shadow_rebuild` folds the whole event store into a copy of a read model
  (`<model>_shadow`) and diffs the copy against the live model (records added, removed, changed);
  `swap` writes the same fold over the live model (what `rebuild` does), and only when asked.
  `projection_status` says, per read model, how far it lags behind the event store.
- The log: `export_events` / `import_events` are `export_log` / `import_log` with progress;
  `list_streams` and `read_events` browse it.
- Sagas: `list_sagas` (by status, or stuck: open and past their deadline by more than a grace the
  deadline sweep should have needed), `saga_stats` (counts by status and cancel reason) and
  `saga_timeline` (the saga's own stream: what it learnt, what it sent, what caused each step, deadlines).
- The outbox: `outbox_status` (pending entries, the oldest's age); `relay_outbox` drains it.

Everything here reads through the ports (EventStore, ReadModelStore), so it works on every backend and
in every environment the caller can reach; what it costs is one pass over the log or one listing of a
read model, which is what an operator's tool may spend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TextIO

import orjson
from pydantic import BaseModel, JsonValue

from shared.application.aggregates import KINDS, ORDER, PAYMENT, PRODUCT, SAGA, SHIPMENT
from shared.application.fulfilment import SAGAS
from shared.application.projections import PROJECTIONS, Projection, Record
from shared.eventstore.integrity import import_log
from shared.eventstore.model import StoredEvent
from shared.eventstore.store import EventStore
from shared.messages.envelope import Envelope
from shared.messages.fields import system_id
from shared.messages.fulfilment import (
    CommandsIssued,
    CompensationStarted,
    CompensationWithdrawn,
    DeadlineMissed,
    FactRecorded,
    SagaEnded,
    SagaStarted,
)
from shared.readmodels.store import MAX_PAGE_SIZE, Page, ReadModelStore, ReadRecord, Scalar, cursor_after
from shared.storage import Storage

Progress = Callable[[int], None]
SHADOW_SUFFIX = "_shadow"
SAGA_STATUSES = ("RUNNING", "COMPENSATING", "COMPLETED", "CANCELLED")
# An open saga whose deadline passed longer ago than this is stuck: the deadline sweep (every minute in the
# cloud, every second locally) should have moved it on by then.
STUCK_GRACE = timedelta(minutes=2)
# The outbox is drained every minute in the cloud: an entry older than this means the relay is not running.
OUTBOX_STALE = timedelta(minutes=2)
OUTBOX_COUNT_LIMIT = 10_000


class UnknownName(ValueError):
    """A projection, saga status or similar name that is not one of the known ones; the message lists them."""


class Finder(Protocol):
    """What listing read models needs: the read-model store's `find` (GraphQL's counted reads have it too)."""

    def find(
        self,
        model: str,
        where: dict[str, Scalar],
        order_by: str | None,
        *,
        limit: int,
        cursor: str | None,
        descending: bool = ...,
    ) -> Page: ...


def every_record(finder: Finder, model: str) -> Iterator[ReadRecord]:
    """Every live record of a read model, by key."""
    cursor: str | None = None
    while True:
        page = finder.find(model, {}, None, limit=MAX_PAGE_SIZE, cursor=cursor)
        yield from page.records
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


# Projections ----------------------------------------------------------------------------------------


def projection_named(name: str) -> Projection:
    projection = PROJECTIONS.get(name)
    if projection is None:
        raise UnknownName(f"no projection {name!r}: choose one of {', '.join(sorted(PROJECTIONS))}")
    return projection


def shadow_model(model: str) -> str:
    """The read model a shadow rebuild of `model` is written to."""
    return f"{model}{SHADOW_SUFFIX}"


@dataclass(frozen=True)
class RecordChange:
    """A record both models hold, differently: the top-level fields that differ, and each side's version."""

    key: str
    live_version: int
    rebuilt_version: int
    fields: list[str]


@dataclass(frozen=True)
class ProjectionDiff:
    """The rebuilt model against the live one: keys only the rebuild has, keys only the live model has,
    and records both have that differ."""

    model: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[RecordChange] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_records(
    model: str, live: Mapping[str, ReadRecord], rebuilt: Mapping[str, ReadRecord]
) -> ProjectionDiff:
    changed = []
    for key in sorted(live.keys() & rebuilt.keys()):
        before, after = live[key], rebuilt[key]
        if before.version == after.version and before.data == after.data:
            continue
        names = sorted(
            name
            for name in before.data.keys() | after.data.keys()
            if before.data.get(name, _ABSENT) != after.data.get(name, _ABSENT)
        )
        changed.append(RecordChange(key, before.version, after.version, names))
    return ProjectionDiff(
        model,
        added=sorted(rebuilt.keys() - live.keys()),
        removed=sorted(live.keys() - rebuilt.keys()),
        changed=changed,
    )


_ABSENT = object()
Folded = dict[str, tuple[int, Record | None]]


@dataclass(frozen=True)
class RebuildResult:
    """A rebuild's fold: how many events it read, the records it wrote (live ones), and where."""

    model: str
    written_to: str
    events: int
    records: int
    diff: ProjectionDiff | None = None  # a shadow rebuild's, against the live model
    swapped: bool = False


def fold(projection: Projection, storage: Storage, progress: Progress | None = None) -> tuple[Folded, int]:
    """Every record of the model as the whole event store folds it (key -> version, record or None when
    the aggregate is gone), and the events folded. The same log always folds to the same records.

    `projections.fold_log`'s fold (a unit test holds them equal), cheaper per event, which is what a
    rebuild spends its time on: the envelope is validated from one JSON text, in pydantic's core, rather
    than built field by field, and an event already at its current schema version is parsed by its model
    straight from its payload's text. Upcasting is unchanged.
    """
    events = storage.events
    kind = projection.aggregate
    folded: Folded = {}
    seen = 0
    for stored in events.iter_log():
        if stored.aggregate_type != kind.aggregate_type:
            continue
        envelope = events.upcasters.upcast(_envelope(stored))
        if envelope.schema_version == stored.schema_version:
            event: BaseModel = kind.events[stored.event_type].model_validate_json(stored.payload)
        else:
            event = kind.parse_event(envelope)
        _, record = folded.get(stored.aggregate_id, (0, None))
        folded[stored.aggregate_id] = (stored.version, projection.apply(record, event, envelope))
        seen += 1
        if progress is not None:
            progress(seen)
    return folded, seen


def _envelope(stored: StoredEvent) -> Envelope:
    """`stored.to_envelope()`, validated by pydantic in one pass over one JSON text (about half the cost)."""
    return Envelope.model_validate_json(
        orjson.dumps(
            {
                "id": stored.event_id,
                "kind": "event",
                "type": stored.event_type,
                "schema_version": stored.schema_version,
                "aggregate_type": stored.aggregate_type,
                "aggregate_id": stored.aggregate_id,
                "aggregate_version": stored.version,
                "occurred_at": stored.occurred_at,
                "correlation_id": stored.correlation_id,
                "causation_id": stored.causation_id,
                "actor": {"uid": stored.actor_uid, "role": stored.actor_role},
                "trace": {"traceparent": stored.traceparent, "tracestate": stored.tracestate},
                "payload": orjson.Fragment(stored.payload),
            },
            default=_subclassed_datetime,
        )
    )


def _subclassed_datetime(value: object) -> str:
    """Firestore's times are a subclass of datetime, which orjson does not take as one."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


WRITERS = 8


def write_fold(read_models: ReadModelStore, model: str, folded: Folded) -> int:
    """Replace `model` with the fold: drop it, then write each record (and each tombstone, so that an old
    event arriving later cannot bring a deleted aggregate back), `WRITERS` at a time. Returns the live
    records written.

    Not atomic: while it runs, readers may miss records. Projectors may go on writing: the store's version
    guard keeps whichever of their write and this one is newer."""
    read_models.drop(model)

    def write(item: tuple[str, tuple[int, Record | None]]) -> bool:
        key, (version, record) = item
        if record is None:
            read_models.delete(model, key, version)
            return False
        read_models.upsert(model, key, record, version)
        return True

    with ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix=f"write-{model}") as pool:
        return sum(pool.map(write, folded.items()))


def rebuild(projection: Projection, storage: Storage, progress: Progress | None = None) -> RebuildResult:
    """Drop the read model and fold it again from the event store."""
    folded, events = fold(projection, storage, progress)
    records = write_fold(storage.read_models, projection.model, folded)
    return RebuildResult(projection.model, projection.model, events, records)


def shadow_rebuild(
    projection: Projection, storage: Storage, progress: Progress | None = None, *, swap: bool = False
) -> RebuildResult:
    """Fold the model into its shadow copy, diff the copy against the live model, and with `swap` write
    the same fold over the live model (after the diff was taken)."""
    folded, events = fold(projection, storage, progress)
    shadow = shadow_model(projection.model)
    records = write_fold(storage.read_models, shadow, folded)
    copy = {record.key: record for record in every_record(storage.read_models, shadow)}
    live = {record.key: record for record in every_record(storage.read_models, projection.model)}
    diff = diff_records(projection.model, live, copy)
    if swap:
        write_fold(storage.read_models, projection.model, folded)
    return RebuildResult(projection.model, shadow, events, records, diff, swapped=swap)


@dataclass
class ProjectionStatus:
    """How far one read model is behind the event store.

    `behind` counts the aggregates whose record is older than their stream (or missing, for one that
    exists), `lag` the events those records have not applied yet. Positions are PostgreSQL's global ones
    (None on Firestore, which has none): the log's last, and the last one applied to a live record.
    """

    model: str
    aggregate_type: str
    events: int = 0
    streams: int = 0
    records: int = 0
    behind: int = 0
    lag: int = 0
    last_event_at: datetime | None = None
    last_applied_position: int | None = None
    head_position: int | None = None


def projection_status(
    events: EventStore, finder: Finder, projections: Iterable[Projection] = PROJECTIONS.values()
) -> list[ProjectionStatus]:
    """One pass over the log and one listing of each read model."""
    chosen = list(projections)
    live = {p.model: {r.key: r.version for r in every_record(finder, p.model)} for p in chosen}
    by_type = {p.aggregate.aggregate_type: p for p in chosen}
    statuses = {p.model: ProjectionStatus(p.model, p.aggregate.aggregate_type) for p in chosen}
    last_versions: dict[str, dict[str, int]] = {p.model: {} for p in chosen}
    head: int | None = None
    for stored in events.iter_log():
        if stored.position is not None:
            head = stored.position if head is None else max(head, stored.position)
        projection = by_type.get(stored.aggregate_type)
        if projection is None:
            continue
        status = statuses[projection.model]
        status.events += 1
        last_versions[projection.model][stored.aggregate_id] = stored.version
        if status.last_event_at is None or stored.occurred_at > status.last_event_at:
            status.last_event_at = stored.occurred_at
        applied = live[projection.model].get(stored.aggregate_id)
        if stored.position is not None and applied is not None and stored.version <= applied:
            known = status.last_applied_position
            status.last_applied_position = stored.position if known is None else max(known, stored.position)
    for projection in chosen:
        status = statuses[projection.model]
        status.head_position = head
        status.records = len(live[projection.model])
        status.streams = len(last_versions[projection.model])
        for aggregate_id, last in last_versions[projection.model].items():
            applied = live[projection.model].get(aggregate_id)
            if applied is None and _gone(projection, events, aggregate_id):
                continue  # deleted: its tombstone is all the model holds
            if applied is None or applied < last:
                status.behind += 1
                status.lag += last - (applied or 0)
    return [statuses[p.model] for p in chosen]


def _gone(projection: Projection, events: EventStore, aggregate_id: str) -> bool:
    """Whether the aggregate's whole stream folds to no record (it was deleted)."""
    record: Record | None = None
    for envelope in events.read_stream(projection.aggregate.stream_id(aggregate_id)):
        record = projection.apply(record, projection.aggregate.parse_event(envelope), envelope)
    return record is None


# The log ----------------------------------------------------------------------------------------------


def export_events(events: EventStore, out: TextIO, progress: Progress | None = None) -> int:
    """`export_log` with progress: every event as one JSON line, in the same fixed format."""
    count = 0
    for event in events.iter_log():
        out.write(event.to_json_line())
        out.write("\n")
        count += 1
        if progress is not None:
            progress(count)
    return count


def import_events(events: EventStore, lines: Iterable[str], progress: Progress | None = None) -> int:
    """`import_log` (into an empty store, all or nothing) with progress: lines read so far."""

    def counted() -> Iterator[str]:
        for read, line in enumerate(lines, start=1):
            yield line
            if progress is not None:
                progress(read)

    return import_log(events, counted())


@dataclass
class StreamSummary:
    stream_id: str
    aggregate_type: str
    aggregate_id: str
    version: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None


def list_streams(events: EventStore, aggregate_type: str | None = None) -> list[StreamSummary]:
    """Every stream (of one aggregate type, if given), by stream id: one pass over the log."""
    if aggregate_type is not None and aggregate_type not in KINDS:
        raise UnknownName(f"no aggregate type {aggregate_type!r}: choose one of {', '.join(sorted(KINDS))}")
    streams: dict[str, StreamSummary] = {}
    for stored in events.iter_log():
        if aggregate_type is not None and stored.aggregate_type != aggregate_type:
            continue
        summary = streams.get(stored.stream_id)
        if summary is None:
            summary = streams[stored.stream_id] = StreamSummary(
                stored.stream_id, stored.aggregate_type, stored.aggregate_id, first_at=stored.occurred_at
            )
        summary.version = max(summary.version, stored.version)
        summary.last_at = stored.occurred_at
    return [streams[stream_id] for stream_id in sorted(streams)]


def read_events(
    events: EventStore, stream_id: str, from_version: int = 1, limit: int | None = None
) -> list[Envelope]:
    """A stream's events, upcast, from `from_version` on."""
    return events.read_stream(stream_id, from_version, limit)


# Sagas ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SagaSummary:
    """A saga as its read model holds it, in a line."""

    order_id: str
    status: str
    step: str | None
    deadline: datetime | None
    failure: str | None
    version: int
    started_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, record: ReadRecord) -> SagaSummary:
        data = record.data
        history = [entry for entry in _list(data.get("history")) if isinstance(entry, dict)]
        return cls(
            order_id=record.key,
            status=str(data.get("status")),
            step=_text(data.get("step")),
            deadline=_moment(data.get("deadline")),
            failure=_text(data.get("failure")),
            version=record.version,
            started_at=_moment(history[0].get("at")) if history else None,
            updated_at=_moment(history[-1].get("at")) if history else None,
        )

    def overdue(self, now: datetime) -> timedelta | None:
        """How long ago its deadline passed; None while it has time left, or once it has ended."""
        if self.deadline is None or self.deadline > now:
            return None
        return now - self.deadline


@dataclass(frozen=True)
class SagaPage:
    records: list[ReadRecord]
    next_cursor: str | None


def check_saga_status(status: str | None) -> str | None:
    if status is not None and status not in SAGA_STATUSES:
        raise UnknownName(f"no saga status {status!r}: choose one of {', '.join(SAGA_STATUSES)}")
    return status


def list_sagas(
    finder: Finder,
    *,
    status: str | None = None,
    stuck: bool = False,
    limit: int = 20,
    cursor: str | None = None,
    now: datetime | None = None,
    grace: timedelta = STUCK_GRACE,
) -> SagaPage:
    """A page of sagas by order id, of one status if given; or, `stuck`, the open sagas whose deadline
    passed more than `grace` ago, longest overdue first. `cursor`: the page before's `next_cursor`."""
    check_saga_status(status)
    if not stuck:
        where: dict[str, Scalar] = {"status": status} if status is not None else {}
        page = finder.find(SAGAS, where, None, limit=limit, cursor=cursor)
        return SagaPage(page.records, page.next_cursor)
    overdue_before = (now or datetime.now(UTC)) - grace
    found: list[ReadRecord] = []
    while True:
        page = finder.find(SAGAS, {"open": True}, "deadline", limit=MAX_PAGE_SIZE, cursor=cursor)
        for record in page.records:
            deadline = _moment(record.data.get("deadline"))
            if deadline is None or deadline > overdue_before:
                return SagaPage(found, None)  # ordered by deadline: none after it is overdue enough
            if status is None or record.data.get("status") == status:
                found.append(record)
                if len(found) == limit:
                    return SagaPage(found, cursor_after(record, "deadline"))
        if page.next_cursor is None:
            return SagaPage(found, None)
        cursor = page.next_cursor


@dataclass
class SagaStats:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_cancel_reason: dict[str, int] = field(default_factory=dict)
    stuck: int = 0


def saga_stats(finder: Finder, now: datetime | None = None, grace: timedelta = STUCK_GRACE) -> SagaStats:
    """Every saga counted by status, the cancelled ones by cancel reason, and the stuck ones."""
    overdue_before = (now or datetime.now(UTC)) - grace
    stats = SagaStats(by_status=dict.fromkeys(SAGA_STATUSES, 0))
    for record in every_record(finder, SAGAS):
        summary = SagaSummary.of(record)
        stats.total += 1
        stats.by_status[summary.status] = stats.by_status.get(summary.status, 0) + 1
        if summary.status == "CANCELLED":
            reason = summary.failure or "UNKNOWN"
            stats.by_cancel_reason[reason] = stats.by_cancel_reason.get(reason, 0) + 1
        if record.data.get("open") and summary.deadline is not None and summary.deadline <= overdue_before:
            stats.stuck += 1
    stats.by_cancel_reason = dict(
        sorted(stats.by_cancel_reason.items(), key=lambda item: (-item[1], item[0]))
    )
    return stats


@dataclass(frozen=True)
class TimelineEntry:
    """One event of a saga's stream, told: what it learnt, what it sent (with the ids the commands were
    sent under), the step and deadline it set, and what caused it."""

    version: int
    at: datetime
    event: str
    step: str | None
    deadline: datetime | None
    learnt: str | None
    sent: list[str]  # "Type id" of each command issued
    causation_id: str
    caused_by: str | None  # "Type (aggregate type vN)" when the cause is an event of the order's own streams


def saga_timeline(events: EventStore, order_id: str) -> list[TimelineEntry]:
    """The saga's stream from the event store (the record, not its read model); empty when it has none."""
    saga = events.read_stream(SAGA.stream_id(order_id))
    if not saga:
        return []
    known: dict[str, str] = {}
    for kind in (ORDER, PAYMENT, SHIPMENT, SAGA):
        stream = saga if kind is SAGA else events.read_stream(kind.stream_id(order_id))
        for event in stream:
            known[event.id] = f"{event.type} ({kind.aggregate_type} v{event.aggregate_version})"
    # The reservations are events of the products' streams (read whole: what a timeline may cost).
    started = next((SAGA.parse_event(event) for event in saga if event.type == SagaStarted.__name__), None)
    products = sorted({line.product_id for line in started.lines}) if isinstance(started, SagaStarted) else []
    for product_id in products:
        for event in events.read_stream(PRODUCT.stream_id(product_id)):
            if event.payload.get("order_id") == order_id:
                known[event.id] = f"{event.type} (Product {product_id} v{event.aggregate_version})"
    # A passed deadline is a trigger the sweep makes up and never stores: what it caused records it.
    for event in saga:
        if event.type == DeadlineMissed.__name__:
            known[event.causation_id] = "the deadline sweep (DeadlinePassed)"
    return [_timeline_entry(event, known) for event in saga]


def _timeline_entry(event: Envelope, known: Mapping[str, str]) -> TimelineEntry:
    model: BaseModel = SAGA.parse_event(event)
    step: str | None = None
    deadline: datetime | None = None
    learnt: str | None = None
    sent: list[str] = []
    if isinstance(model, SagaStarted):
        learnt = f"order of {len(model.lines)} line(s), {model.total.amount} {model.total.currency}"
    elif isinstance(model, FactRecorded):
        learnt = " ".join(filter(None, [model.fact, model.subject, model.detail]))
    elif isinstance(model, CommandsIssued):
        step, deadline = model.step, model.deadline
        # The ids the saga runner sends them under (shared/application/fulfilment.py).
        sent = [
            f"{command.type} {system_id(f'{event.id}:{index}')}"
            for index, command in enumerate(model.commands)
        ]
    elif isinstance(model, CompensationStarted):
        learnt = f"compensating: {model.reason}" + (f" ({model.detail})" if model.detail else "")
    elif isinstance(model, CompensationWithdrawn):
        learnt = f"compensation withdrawn: {model.detail}"
    elif isinstance(model, DeadlineMissed):
        step, deadline = model.step, model.deadline
        learnt = f"missed the {model.step} deadline"
    elif isinstance(model, SagaEnded):
        step = model.step
    return TimelineEntry(
        version=event.aggregate_version or 0,
        at=event.occurred_at,
        event=event.type,
        step=step,
        deadline=deadline,
        learnt=learnt,
        sent=sent,
        causation_id=event.causation_id,
        caused_by=known.get(event.causation_id),
    )


# The outbox -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    more: bool  # more than `pending` wait: the count stopped at its limit
    oldest_at: datetime | None
    oldest_age: timedelta | None

    def stale(self, threshold: timedelta = OUTBOX_STALE) -> bool:
        """Whether the oldest entry has waited longer than a relay that runs would let it."""
        return self.oldest_age is not None and self.oldest_age > threshold


def outbox_status(
    events: EventStore, now: datetime | None = None, limit: int = OUTBOX_COUNT_LIMIT
) -> OutboxStatus:
    """Pending outbox entries (counted up to `limit`) and the age of the oldest (by its event's time)."""
    entries = events.pending_outbox(limit)
    if not entries:
        return OutboxStatus(0, False, None, None)
    oldest = min(entry.envelope.occurred_at for entry in entries)
    return OutboxStatus(len(entries), len(entries) == limit, oldest, (now or datetime.now(UTC)) - oldest)


# Helpers ----------------------------------------------------------------------------------------------


def _text(value: JsonValue) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: JsonValue) -> list[Any]:
    return value if isinstance(value, list) else []


def _moment(value: JsonValue) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def as_json(value: Any) -> Any:
    """A result of this module as JSON-ready data: dataclasses as objects, times as RFC 3339, durations
    in seconds (for `--json`)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, timedelta):
        return round(value.total_seconds(), 3)
    if hasattr(value, "__dataclass_fields__"):
        return {name: as_json(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, Mapping):
        return {str(key): as_json(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [as_json(item) for item in value]
    return value
