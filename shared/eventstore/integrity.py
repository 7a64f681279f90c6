"""Integrity checks and JSON-lines export/import of the whole event log, for the operations CLI.

The check makes one pass over the log (per-stream version continuity, and on PostgreSQL global-position
continuity), then asks the backend for what only it can see (outbox entries without events, stream heads,
the position counter). Damage that stops the log being read in order (PostgreSQL's waiting queue holding
an append twice) is looked for first, and reported alone.

Export writes the stored form, not upcast, one event per line in a fixed format, so exporting, importing
into an empty store and exporting again gives the same bytes. An import writes no outbox entries: the
events were published where they came from, and republishing them would replay every saga. It is all or
nothing: a refused line leaves the store empty, ready for the corrected file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from shared.eventstore.errors import ImportRefused, InvalidAppend
from shared.eventstore.model import (
    MAX_APPEND_BYTES,
    MAX_EVENTS_PER_APPEND,
    PreparedAppend,
    StoredEvent,
    prepare_append,
)
from shared.eventstore.store import EventStore, IntegrityProblem, LogSummary


@dataclass
class IntegrityReport:
    events: int = 0
    streams: int = 0
    problems: list[IntegrityProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_integrity(store: EventStore) -> IntegrityReport:
    """One pass over the log, then the backend's own checks; or, when the log cannot be read in order,
    only what stops it (the report then counts no events: fix those problems and check again)."""
    blocking = store.ordering_problems()
    if blocking:
        return IntegrityReport(problems=blocking)
    summary = LogSummary()
    problems: list[IntegrityProblem] = []
    for event in store.iter_log():
        summary.events += 1
        last = summary.last_versions.get(event.stream_id, 0)
        if event.version != last + 1:
            problems.append(
                IntegrityProblem(
                    "version_gap", event.stream_id, f"version {event.version} follows version {last}"
                )
            )
        summary.last_versions[event.stream_id] = event.version
        if event.position is not None:
            previous = summary.last_position or 0
            if event.position != previous + 1:
                problems.append(
                    IntegrityProblem(
                        "position_gap", event.stream_id, f"position {event.position} follows {previous}"
                    )
                )
            summary.last_position = event.position
    problems.extend(store.store_problems(summary))
    return IntegrityReport(summary.events, len(summary.last_versions), problems)


def export_log(store: EventStore, out: TextIO) -> int:
    """Write every event as one JSON line; returns how many."""
    count = 0
    for event in store.iter_log():
        out.write(event.to_json_line())
        out.write("\n")
        count += 1
    return count


def import_log(store: EventStore, lines: Iterable[str]) -> int:
    """Load an export into an empty store, all or nothing, checking every stream's continuity; returns
    how many events."""
    return store.import_appends(_appends(lines))


def _appends(lines: Iterable[str]) -> Iterator[PreparedAppend]:
    read = 0
    for run in _runs(StoredEvent.from_json_line(line) for line in lines if line.strip()):
        envelopes = [event.to_envelope() for event in run]
        try:
            yield prepare_append(run[0].stream_id, envelopes, run[0].version - 1, None)
        except InvalidAppend as error:
            raise ImportRefused(f"after {read} events, nothing imported: {error}") from error
        read += len(run)


def _aggregate(event: StoredEvent) -> tuple[str, str]:
    return event.aggregate_type, event.aggregate_id


def _runs(events: Iterator[StoredEvent]) -> Iterator[list[StoredEvent]]:
    """Consecutive events of one stream, at most one append's worth, continuity checked."""
    last_versions: dict[str, int] = {}
    run: list[StoredEvent] = []
    run_bytes = 0
    for event in events:
        size = len(event.payload.encode())
        expected = last_versions.get(event.stream_id, 0) + 1
        if event.version != expected:
            raise ImportRefused(
                f"stream {event.stream_id!r}: version {event.version} where {expected} was due"
            )
        last_versions[event.stream_id] = event.version
        full = len(run) == MAX_EVENTS_PER_APPEND or run_bytes + size > MAX_APPEND_BYTES
        # One append concerns one aggregate; a stream may hold several (appends are checked one by one).
        if run and (run[0].stream_id != event.stream_id or full or _aggregate(run[0]) != _aggregate(event)):
            yield run
            run, run_bytes = [], 0
        run.append(event)
        run_bytes += size
    if run:
        yield run
