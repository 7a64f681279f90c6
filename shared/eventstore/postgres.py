"""The PostgreSQL event store: appends commit in parallel; a global position in commit order all the same.

Global order. A reader polling `read_all(after)` must never see position m+1 while m may still appear.
The simple way to promise that serialises every append through its commit (Commanded's counter-row lock,
the `eventsourcing` library's `LOCK TABLE`): a commit waits for the disk flush, so appends queue one flush
each and concurrent writers cannot share one (group commit). That held 8 writers to a fifth of a plain
INSERT's rate here. A sequence with a "safe high-water mark" lets writers run in parallel, but its
positions are allocated before commit and leave gaps, and guessing when a gap is safe to pass is how a
reader skips an event.

So positions are given to events that are already committed, by a sequencer. `kiroku_append`
(migration 0003) takes the sequencer lock only if it is free; then, holding it to commit, it positions the
committed events still waiting and its own, after the highest position. If another append holds the lock,
it commits its events with no position instead, and `kiroku_sequence` then waits for the lock and positions
everything committed and waiting in one go. Whoever gives positions holds the lock until its commit, so
positions become visible strictly in order and without gaps (a rolled-back sequencer gives its numbers
back): nothing is skipped, and the order is the order events were committed and positioned in. One
writer alone always finds the lock free: one round trip, as before. Under contention, appends share disk
flushes and one sequencer pass positions the events of many. The cost: a committed event is invisible to
`read_all` until it is positioned - the appender does that before `append` returns, and a caught-up
`read_all` positions what an appender that died in between left waiting.

Per stream, a transaction-scoped advisory lock on the stream's hash serialises appends, so the version
and command-id checks see every earlier append of the stream.

Appends send the events as one JSON array that `json_populate_recordset` turns into rows server-side:
one statement, no per-event round trips, however large the batch.
"""

from __future__ import annotations

import dataclasses
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
# Position what committed events wait for a position, unless the sequencer lock is taken: for readers,
# which must not wait for writers (whoever holds the lock is positioning anyway).
# The advisory lock key of the sequencer, as migration 0003 takes it.
SEQUENCER_LOCK = (1802465135, 0)
_POSITION_WAITING_IF_FREE = (
    "SELECT kiroku_position_waiting() WHERE EXISTS (SELECT FROM kiroku_events WHERE position IS NULL)"
    " AND pg_try_advisory_xact_lock(%s, %s)"
)


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
        """Append on `conn`, inside whatever transaction the caller holds open (or its own, in autocommit).

        The result has no positions when another append held the sequencer lock (see the module
        docstring); once the transaction has committed, `positioned` waits for them.
        """
        events = prepared.json_array()
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

    def positioned(self, result: AppendResult) -> AppendResult:
        """A committed append's result with its global positions, positioning its events if they wait."""
        if result.first_position is not None:
            return result
        with self._pool.connection() as conn:
            row = conn.execute(
                "SELECT kiroku_sequence(%s, %s)", (result.stream_id, result.first_version)
            ).fetchone()
        first = row[0] if row else None
        if first is None:
            return result
        last = first + result.last_version - result.first_version
        return dataclasses.replace(result, first_position=first, last_position=last)

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
            rows = _select_after(conn, after_position, limit)
            # Caught up: events an appender committed but died before positioning would otherwise wait
            # for the next append.
            if len(rows) < limit and conn.execute(_POSITION_WAITING_IF_FREE, SEQUENCER_LOCK).fetchone():
                rows = _select_after(conn, after_position, limit)
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
        columns = ", ".join(f"e.{column.strip()}" for column in EVENT_COLUMNS.split(","))
        with self._pool.connection() as conn:
            rows = conn.execute(
                f"SELECT {columns}, o.append_order FROM kiroku_outbox o JOIN kiroku_events e"  # noqa: S608
                " ON e.stream_id = o.stream_id AND e.version BETWEEN o.first_version AND o.last_version"
                " ORDER BY o.append_order, e.version LIMIT %s",
                (limit,),
            ).fetchall()
        return [(f"{row[-1]}:{row[1]}", _stored(row[:-1])) for row in rows]

    def mark_published(self, ids: Sequence[str]) -> None:
        published: dict[int, set[int]] = {}
        for entry_id in ids:
            append_order, _, version = entry_id.partition(":")
            if not (append_order.isdigit() and version.isdigit()):
                raise InvalidAppend(f"not an outbox id of this store: {entry_id!r}")
            published.setdefault(int(append_order), set()).add(int(version))
        with self._pool.connection() as conn, conn.transaction():
            entries = conn.execute(
                "DELETE FROM kiroku_outbox WHERE append_order = ANY(%s)"
                " RETURNING append_order, first_version, last_version, stream_id",
                (list(published),),
            ).fetchall()
            kept = [
                (append_order, first, last, stream_id)
                for append_order, first_version, last_version, stream_id in entries
                for first, last in unpublished_runs(first_version, last_version, published[append_order])
            ]
            if kept:
                conn.cursor().executemany(
                    "INSERT INTO kiroku_outbox (append_order, first_version, last_version, stream_id)"
                    " VALUES (%s, %s, %s, %s)",
                    kept,
                )

    def mark_append_published(self, result: AppendResult) -> None:
        with self._pool.connection() as conn:
            conn.execute(
                "DELETE FROM kiroku_outbox o USING kiroku_events e"
                " WHERE e.stream_id = %s AND e.version = %s AND o.append_order = e.append_order",
                (result.stream_id, result.first_version),
            )

    def iter_log(self) -> Iterator[StoredEvent]:
        """Every committed event, positioning those that wait first (this waits for the sequencer lock)."""
        with self._pool.connection() as conn:
            conn.execute("SELECT kiroku_sequence(NULL, NULL)")
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
            orphans = conn.execute(
                "SELECT o.stream_id, o.first_version, o.last_version FROM kiroku_outbox o"
                " WHERE o.last_version - o.first_version + 1 <> (SELECT count(*) FROM kiroku_events e"
                " WHERE e.stream_id = o.stream_id AND e.version BETWEEN o.first_version AND o.last_version)"
                " ORDER BY o.append_order, o.first_version"
            ).fetchall()
        return [
            IntegrityProblem(
                "outbox_orphan", stream_id, f"outbox entry for versions {first}-{last} misses events"
            )
            for stream_id, first, last in orphans
        ]


def _select_after(conn: psycopg.Connection[Any], after_position: int, limit: int) -> list[Any]:
    return conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM kiroku_events WHERE position > %s"  # noqa: S608
        " ORDER BY position LIMIT %s",
        (after_position, limit),
    ).fetchall()


def unpublished_runs(first: int, last: int, published: set[int]) -> list[tuple[int, int]]:
    """The runs of consecutive versions in first..last that are not in `published`."""
    runs: list[tuple[int, int]] = []
    for version in range(first, last + 1):
        if version in published:
            continue
        if runs and runs[-1][1] == version - 1:
            runs[-1] = (runs[-1][0], version)
        else:
            runs.append((version, version))
    return runs
