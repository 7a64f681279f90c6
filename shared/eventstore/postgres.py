"""The PostgreSQL event store: one round trip per append, and a global position in commit order.

Global order. Every append first updates the single counter row `kiroku_position` (inside the
`kiroku_append` function, migration 0001) and takes its positions from it. The row lock is held until
commit, so appends are serialised: an append that got positions n+1..m commits before any append can get
m+1. Positions therefore become visible strictly in order, and a reader polling `read_all(after)` never
sees position m+1 while m is still uncommitted - it cannot skip. This is Commanded's counter-row approach
(the `eventsourcing` library gets the same effect with `LOCK TABLE ... IN EXCLUSIVE MODE`). A sequence
with a "safe high-water mark" would let writers run in parallel, but a skipped reader is a lost event,
and the lock costs little: held only for one function call plus the commit, with no client round trip
inside it. The counter is rolled back with the append that moved it, so positions have no gaps; a gap
found by the integrity check is a deleted row, never a rolled-back transaction.

Appends send the events as one JSON array that `json_populate_recordset` turns into rows server-side:
one statement, no per-event round trips, however large the batch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from shared.eventstore.errors import ConcurrencyConflict, EventStoreError, InvalidAppend
from shared.eventstore.migrations import migrate
from shared.eventstore.model import (
    AppendResult,
    PreparedAppend,
    RecordedEvent,
    Snapshot,
    StoredEvent,
)
from shared.eventstore.store import EventStore, IntegrityProblem, LogSummary, SnapshotPolicy
from shared.eventstore.upcasting import Upcasters

EVENT_COLUMNS = (
    "stream_id, version, event_id, event_type, schema_version, aggregate_type, aggregate_id, occurred_at,"
    " correlation_id, causation_id, actor_uid, actor_role, traceparent, tracestate, payload::text, position"
)
_PAGE = 1000


def open_pool(url: str, max_size: int = 10) -> ConnectionPool[psycopg.Connection[Any]]:
    """A pool of autocommit connections in UTC, with the schema migrated; close it when done."""
    pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        kwargs={"autocommit": True, "options": "-c timezone=UTC"},
        open=True,
    )
    try:
        with pool.connection() as conn:
            migrate(conn)
    except BaseException:
        pool.close()
        raise
    return pool


def _stored(row: Sequence[Any]) -> StoredEvent:
    return StoredEvent(*row)


class PostgresEventStore(EventStore):
    """The event store on PostgreSQL (embedded locally, Cloud SQL in the cloud)."""

    def __init__(
        self,
        pool: ConnectionPool[psycopg.Connection[Any]],
        *,
        upcasters: Upcasters | None = None,
        snapshot_policy: SnapshotPolicy | None = None,
    ) -> None:
        super().__init__(upcasters=upcasters, snapshot_policy=snapshot_policy)
        self._pool = pool

    def append_prepared(self, prepared: PreparedAppend, *, outbox: bool) -> AppendResult:
        with self._pool.connection() as conn:
            return self.append_within(conn, prepared, outbox=outbox)

    def append_within(
        self, conn: psycopg.Connection[Any], prepared: PreparedAppend, *, outbox: bool = True
    ) -> AppendResult:
        """Append on `conn`, inside whatever transaction the caller holds open (or its own, in autocommit)."""
        events = "[" + ",".join(event.to_json_line() for event in prepared.events) + "]"
        try:
            row = conn.execute(
                "SELECT * FROM kiroku_append(%s, %s, %s, %s::json, %s)",
                (prepared.stream_id, prepared.expected, prepared.command_id, events, outbox),
            ).fetchone()
        except psycopg.IntegrityError as error:
            # Appends go through kiroku_append, which checks first: only a store changed behind its back
            # (rows written or deleted by hand) gets here. The statement rolled back: nothing was written.
            raise EventStoreError(
                f"append to {prepared.stream_id!r} failed, nothing written: {error}"
            ) from error
        if row is None:
            raise RuntimeError("kiroku_append returned no row")
        outcome, stream_id, actual, first_version, last_version, first_position, last_position = row
        if outcome == "conflict":
            raise ConcurrencyConflict(stream_id, prepared.expected, actual)
        return AppendResult(
            stream_id, first_version, last_version, first_position, last_position, outcome == "replayed"
        )

    def _read_stream(self, stream_id: str, from_version: int, limit: int | None) -> list[StoredEvent]:
        with self._pool.connection() as conn:
            rows = conn.execute(
                f"SELECT {EVENT_COLUMNS} FROM kiroku_events WHERE stream_id = %s AND version >= %s"  # noqa: S608
                " ORDER BY version LIMIT %s",
                (stream_id, from_version, limit),
            ).fetchall()
        return [_stored(row) for row in rows]

    def read_all(self, after_position: int = 0, limit: int = _PAGE) -> list[RecordedEvent]:
        """Events after `after_position` in commit order; poll with the last position seen."""
        if isinstance(after_position, bool) or not isinstance(after_position, int) or after_position < 0:
            raise InvalidAppend(f"after_position must be an integer >= 0, got {after_position!r}")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidAppend(f"limit must be an integer >= 1, got {limit!r}")
        return [
            RecordedEvent(event.position or 0, event.stream_id, self.envelope(event))
            for event in self._events_after(after_position, limit)
        ]

    def _events_after(self, after_position: int, limit: int) -> list[StoredEvent]:
        with self._pool.connection() as conn:
            rows = conn.execute(
                f"SELECT {EVENT_COLUMNS} FROM kiroku_events WHERE position > %s"  # noqa: S608
                " ORDER BY position LIMIT %s",
                (after_position, limit),
            ).fetchall()
        return [_stored(row) for row in rows]

    def stream_version(self, stream_id: str) -> int:
        with self._pool.connection() as conn:
            row = conn.execute(
                "SELECT coalesce(max(version), 0) FROM kiroku_events WHERE stream_id = %s", (stream_id,)
            ).fetchone()
        return int(row[0]) if row else 0

    def _write_snapshot(self, snapshot: Snapshot, state_json: str) -> None:
        with self._pool.connection() as conn:
            conn.execute(
                "INSERT INTO kiroku_snapshots (stream_id, aggregate_type, version, schema_version, state)"
                " VALUES (%s, %s, %s, %s, %s::json)"
                " ON CONFLICT (stream_id) DO UPDATE SET aggregate_type = EXCLUDED.aggregate_type,"
                " version = EXCLUDED.version, schema_version = EXCLUDED.schema_version,"
                " state = EXCLUDED.state, taken_at = now()"
                " WHERE kiroku_snapshots.version <= EXCLUDED.version",
                (
                    snapshot.stream_id,
                    snapshot.aggregate_type,
                    snapshot.version,
                    snapshot.schema_version,
                    state_json,
                ),
            )

    def _read_snapshot(self, stream_id: str) -> Snapshot | None:
        with self._pool.connection() as conn:
            row = conn.execute(
                "SELECT stream_id, aggregate_type, version, state, schema_version"
                " FROM kiroku_snapshots WHERE stream_id = %s",
                (stream_id,),
            ).fetchone()
        return Snapshot(*row) if row else None

    def _pending_outbox(self, limit: int) -> list[tuple[str, StoredEvent]]:
        with self._pool.connection() as conn:
            rows = conn.execute(
                f"SELECT {EVENT_COLUMNS} FROM kiroku_outbox JOIN kiroku_events USING (position)"  # noqa: S608
                " ORDER BY position LIMIT %s",
                (limit,),
            ).fetchall()
        return [(str(event.position), event) for event in map(_stored, rows)]

    def mark_published(self, ids: Sequence[str]) -> None:
        try:
            positions = [int(entry_id) for entry_id in ids]
        except ValueError as error:
            raise InvalidAppend(f"not an outbox id of this store: {error}") from error
        with self._pool.connection() as conn:
            conn.execute("DELETE FROM kiroku_outbox WHERE position = ANY(%s)", (positions,))

    def mark_append_published(self, result: AppendResult) -> None:
        with self._pool.connection() as conn:
            conn.execute(
                "DELETE FROM kiroku_outbox WHERE position BETWEEN %s AND %s",
                (result.first_position, result.last_position),
            )

    def iter_log(self) -> Iterator[StoredEvent]:
        after = 0
        while page := self._events_after(after, _PAGE):
            yield from page
            after = page[-1].position or 0

    def is_empty(self) -> bool:
        with self._pool.connection() as conn:
            row = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM kiroku_events)").fetchone()
        return bool(row and row[0])

    def store_problems(self, summary: LogSummary) -> list[IntegrityProblem]:
        with self._pool.connection() as conn:
            counter_row = conn.execute("SELECT last_position FROM kiroku_position WHERE id = 1").fetchone()
            orphans = conn.execute(
                "SELECT o.position FROM kiroku_outbox o"
                " LEFT JOIN kiroku_events e USING (position) WHERE e.position IS NULL ORDER BY o.position"
            ).fetchall()
        problems = [
            IntegrityProblem("outbox_orphan", None, f"outbox entry {position} has no event")
            for (position,) in orphans
        ]
        counter = counter_row[0] if counter_row else None
        if counter != (summary.last_position or 0):
            problems.append(
                IntegrityProblem(
                    "position_counter",
                    None,
                    f"the position counter is at {counter}, the last event at {summary.last_position or 0}",
                )
            )
        return problems
