"""The PostgreSQL event store: appends commit in parallel; a global position in commit order all the same.

Global order. A reader polling `read_all(after)` must never see position m+1 while m may still appear.
The simple way to promise that serialises every append through its commit (Commanded's counter-row lock,
the `eventsourcing` library's `LOCK TABLE`): a commit waits for the disk flush, so appends queue one flush
each, concurrent writers cannot share one (group commit), and more writers add no throughput. A sequence
with a "safe high-water mark" lets writers run in parallel, but its positions are allocated before commit
and leave gaps, and guessing when a gap is safe to pass is how a reader skips an event.

So positions are given to appends that are already committed, by a sequencer: the functions
`kiroku_append`, `kiroku_position_waiting` and `kiroku_sequence`, which shared/eventstore/schema.sql shows
as the migrations leave them. Every positioned append is a row of `kiroku_appends`; an event's position
is its append's first position plus its place in the append, so positioning costs one row per append,
however many events it holds. `kiroku_append` takes the sequencer lock only if it is free; then, holding
it to commit, it positions the committed appends still waiting and itself, after the highest position.
If another append holds the lock, it commits into the waiting queue (`kiroku_waiting`) instead and
returns at once; the next append or caught-up `read_all` that finds the lock free positions it, and
`positioned` (or `iter_log`) waits for the lock to do so. Whoever gives positions holds the lock until its
commit, so positions become visible strictly in order and without gaps (a rolled-back sequencer gives its
numbers back): nothing is skipped. The order is the order appends were positioned in: commit order,
except that an append committing while another holds the sequencer comes after it, and causal order
always (an append made after another committed is positioned after it). One writer alone always finds
the lock free: its appends are positioned as they commit, in one round trip. Under contention, appends
share disk flushes and one pass positions many.

Why the waiting appends have a table of their own: every append asks whether any append waits. Asked of
`kiroku_appends` through a partial index, a plan cached while the table was nearly empty (as it is when a
pooled connection first appends after a deploy) goes on scanning the whole table as it grows, until the
next ANALYZE; a queue that is nearly always empty is cheap to ask whatever the plan. `kiroku_appends` then
holds positioned appends only, and max(last_position) reads the end of a plain unique index (a partial
one `WHERE last_position IS NOT NULL` would not serve it: the planner drops that condition on a NOT NULL
column and then cannot prove the index's predicate).

No lock per stream: the version and command-id checks read what is committed, and two appends racing for
the same version or command id meet at the primary key, where the second waits for the first to commit and
then fails. `append` then checks again (and replays, conflicts or appends); inside a caller's transaction,
which the failure ends, it reports a conflict.

Appends send the events as one JSON array that `json_populate_recordset` turns into rows server-side;
`kiroku_append` writes each table with a plain statement and counts the events by the insert's
ROW_COUNT (one statement writing every table would have to count them through RETURNING, which costs
more than the statements it saves). Reads have the server build each envelope's JSON, which pydantic
parses and validates in one call.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from psycopg_pool import ConnectionPool

from shared.eventstore.errors import ConcurrencyConflict, EventStoreError, InvalidAppend, WriteContended
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
from shared.messages.envelope import Envelope

EVENT_COLUMNS = ", ".join(
    f"e.{column}"
    for column in (
        "stream_id",
        "version",
        "event_id",
        "event_type",
        "schema_version",
        "aggregate_type",
        "aggregate_id",
        "occurred_at",
        "correlation_id",
        "causation_id",
        "actor_uid",
        "actor_role",
        "traceparent",
        "tracestate",
        "payload::text",
    )
)
# The event as an envelope's JSON, built by the server: pydantic then parses and validates it in one
# call, which costs less than building the envelope from columns in Python (bench/README.md).
ENVELOPE_JSON = (
    "json_build_object('id', e.event_id, 'kind', 'event', 'type', e.event_type,"
    " 'schema_version', e.schema_version, 'aggregate_type', e.aggregate_type,"
    " 'aggregate_id', e.aggregate_id, 'aggregate_version', e.version, 'occurred_at', e.occurred_at,"
    " 'correlation_id', e.correlation_id, 'causation_id', e.causation_id,"
    " 'actor', json_build_object('uid', e.actor_uid, 'role', e.actor_role),"
    " 'trace', json_build_object('traceparent', e.traceparent, 'tracestate', e.tracestate),"
    " 'payload', e.payload)::text"
)


def _log_page(columns: str) -> str:
    """A page of the log in position order: the next appends by position (no more than the page can hold,
    each has an event at least), then each one's events by version off the primary key - a nested loop by
    construction, so a page costs the same however long the log is."""
    return (
        f"SELECT {columns}, a.first_position + e.version - a.first_version AS position"  # noqa: S608
        " FROM (SELECT * FROM kiroku_appends WHERE last_position > %(after)s"
        " ORDER BY last_position LIMIT %(limit)s) a"
        " CROSS JOIN LATERAL (SELECT * FROM kiroku_events e WHERE e.stream_id = a.stream_id"
        " AND e.version BETWEEN greatest(a.first_version, a.first_version + %(after)s - a.first_position + 1)"
        " AND a.last_version AND e.append_order = a.append_order ORDER BY e.version) e"
        " ORDER BY a.last_position, e.version LIMIT %(limit)s"
    )


LOG_PAGE_OF_EVENTS = _log_page(EVENT_COLUMNS)
LOG_PAGE_OF_ENVELOPES = _log_page(f"e.stream_id, {ENVELOPE_JSON}")
# Server settings the store is tuned for: Cloud SQL's flags (terraform/modules/storage/postgres.tf) and
# the embedded server set them. Every append that finds the sequencer busy leaves a dead row in
# kiroku_waiting, and every positioning pass scans that table: autovacuum must visit it every few seconds,
# not every minute, or under contention the table grows, stays grown (vacuum cannot truncate a table in
# constant use) and slows every append (bench/README.md).
SERVER_SETTINGS = {"autovacuum_naptime": "10"}
_PAGE = 1000
_RACE_RETRIES = 10
# An append that raced another for the same version or command id fails on one of these.
_RACED_KEYS = frozenset({"kiroku_events_pkey", "kiroku_commands_pkey"})
_STUCK_SEQUENCER = "the waiting appends cannot be positioned: run the integrity check"
# The advisory lock key of the sequencer, as kiroku_append and kiroku_sequence take it (schema.sql).
SEQUENCER_LOCK = (1802465135, 0)
# Position the committed appends that wait, unless the sequencer lock is taken: for readers, which must
# not wait for writers (the holder, or the next to find the lock free, positions them).
_POSITION_WAITING_IF_FREE = (
    "SELECT kiroku_position_waiting() WHERE EXISTS (SELECT FROM kiroku_waiting)"
    " AND pg_try_advisory_xact_lock(%s, %s)"
)


def open_pool(
    url: str, max_size: int = 10, *, migrate_schema: bool = True
) -> ConnectionPool[psycopg.Connection[Any]]:
    """A pool of autocommit connections in UTC, with the schema migrated (unless `migrate_schema` is false:
    in the cloud a deploy step migrates, shared/eventstore/deploy_schema.py); close it when done."""
    pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        kwargs={"autocommit": True, "options": "-c timezone=UTC"},
        open=True,
    )
    if not migrate_schema:
        return pool
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

    def _store_import(self, appends: Iterable[PreparedAppend]) -> int:
        """One transaction: holding the sequencer throughout, it positions the imported appends in order."""
        events = 0
        with self._pool.connection() as conn, conn.transaction():
            for prepared in appends:
                self.append_within(conn, prepared, outbox=False)
                events += len(prepared.envelopes)
        return events

    def append_within(
        self, conn: psycopg.Connection[Any], prepared: PreparedAppend, *, outbox: bool = True
    ) -> AppendResult:
        """Append on `conn`, inside whatever transaction the caller holds open (or its own, in autocommit).

        The result has no positions when another append held the sequencer lock (see the module
        docstring); once the transaction has committed, `positioned` waits for them. The transaction
        must be READ COMMITTED, and while it stays open it may hold the sequencer: other appends then
        commit into the waiting queue, and `positioned` or `iter_log` on another connection wait for it
        to end.
        """
        if conn.info.transaction_status != TransactionStatus.IDLE:
            return self._append_once(conn, prepared, outbox)
        for _ in range(_RACE_RETRIES):
            try:
                return self._append_once(conn, prepared, outbox)
            except _RacedAppend:
                # Nothing was written. Checked again, the append now replays, conflicts or fits.
                continue
        raise WriteContended(f"appends to {prepared.stream_id!r} kept racing {_RACE_RETRIES} times")

    def _append_once(
        self, conn: psycopg.Connection[Any], prepared: PreparedAppend, outbox: bool
    ) -> AppendResult:
        try:
            row = conn.execute(
                "SELECT * FROM kiroku_append(%s, %s, %s, %s::json, %s)",
                (prepared.stream_id, prepared.expected, prepared.command_id, prepared.events_json, outbox),
            ).fetchone()
        except psycopg.errors.UniqueViolation as error:
            if error.diag.constraint_name not in _RACED_KEYS:
                raise _changed_behind_our_back(prepared, error) from error
            if conn.info.transaction_status != TransactionStatus.INERROR:
                raise _RacedAppend from error
            # The caller's transaction is lost with the statement: it must decide again, as on a conflict.
            actual = self.stream_version(prepared.stream_id)
            raise ConcurrencyConflict(prepared.stream_id, prepared.expected, actual) from error
        except psycopg.IntegrityError as error:
            raise _changed_behind_our_back(prepared, error) from error
        except psycopg.errors.FeatureNotSupported as error:  # not READ COMMITTED: nothing was written
            raise EventStoreError(f"append to {prepared.stream_id!r} refused: {error}") from error
        if row is None:
            raise RuntimeError("kiroku_append returned no row")
        outcome, stream_id, actual, first_version, last_version, first_position, last_position = row
        if outcome == "conflict":
            raise ConcurrencyConflict(stream_id, prepared.expected, actual)
        return AppendResult(
            stream_id, first_version, last_version, first_position, last_position, outcome == "replayed"
        )

    def _committed(self, command_id: str) -> AppendResult | None:
        with self._pool.connection() as conn:
            row = conn.execute(
                "SELECT c.stream_id, c.first_version, c.last_version, a.first_position"
                " + c.first_version - a.first_version FROM kiroku_commands c"
                " JOIN kiroku_events e ON e.stream_id = c.stream_id AND e.version = c.first_version"
                " LEFT JOIN kiroku_appends a ON a.append_order = e.append_order WHERE c.command_id = %s",
                (command_id,),
            ).fetchone()
        if row is None:
            return None
        stream_id, first, last, first_position = row
        last_position = None if first_position is None else first_position + last - first
        return AppendResult(stream_id, first, last, first_position, last_position, replayed=True)

    def positioned(self, result: AppendResult) -> AppendResult:
        """A committed append's result with its global positions, positioning its events if they wait."""
        if result.first_position is not None:
            return result
        with self._pool.connection() as conn, _positioning():
            row = conn.execute(
                "SELECT kiroku_sequence(%s, %s)", (result.stream_id, result.first_version)
            ).fetchone()
        first = row[0] if row else None
        if first is None:
            return result
        last = first + result.last_version - result.first_version
        return dataclasses.replace(result, first_position=first, last_position=last)

    def _read_stream(self, stream_id: str, from_version: int, limit: int | None) -> list[Envelope]:
        with self._pool.connection() as conn:
            rows = conn.execute(
                f"SELECT {ENVELOPE_JSON} FROM kiroku_events e WHERE stream_id = %s AND version >= %s"  # noqa: S608
                " ORDER BY version LIMIT %s",
                (stream_id, from_version, limit),
            ).fetchall()
        return [Envelope.model_validate_json(envelope) for (envelope,) in rows]

    def read_all(self, after_position: int = 0, limit: int = _PAGE) -> list[RecordedEvent]:
        """Events after `after_position` in commit order; poll with the last position seen."""
        if isinstance(after_position, bool) or not isinstance(after_position, int) or after_position < 0:
            raise InvalidAppend(f"after_position must be an integer >= 0, got {after_position!r}")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidAppend(f"limit must be an integer >= 1, got {limit!r}")
        return [
            RecordedEvent(position, stream_id, self.upcasters.upcast(Envelope.model_validate_json(envelope)))
            for stream_id, envelope, position in self._log_page(LOG_PAGE_OF_ENVELOPES, after_position, limit)
        ]

    def _log_page(self, query: str, after_position: int, limit: int) -> list[Any]:
        with self._pool.connection() as conn:
            rows = conn.execute(query, {"after": after_position, "limit": limit}).fetchall()
            # Caught up: events an appender committed but died before positioning would otherwise wait
            # for the next append.
            if len(rows) < limit and _positioned_waiting(conn):
                rows = conn.execute(query, {"after": after_position, "limit": limit}).fetchall()
        return rows

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
                f"SELECT {EVENT_COLUMNS}, o.append_order FROM kiroku_outbox o JOIN kiroku_events e"  # noqa: S608
                " ON e.stream_id = o.stream_id AND e.version BETWEEN o.first_version AND o.last_version"
                " ORDER BY o.append_order, e.version LIMIT %s",
                (limit,),
            ).fetchall()
        return [(f"{row[-1]}:{row[1]}", _stored(row[:-1])) for row in rows]

    def _mark_published(self, ids: Sequence[str]) -> None:
        published: dict[int, set[int]] = {}
        for entry_id in ids:
            append_order, _, version = entry_id.partition(":")
            if not (append_order.isdigit() and version.isdigit()):
                raise InvalidAppend(f"not an outbox id of this store: {entry_id!r}")
            published.setdefault(int(append_order), set()).add(int(version))
        with self._pool.connection() as conn, conn.transaction():
            # Locked first, then read by a statement of its own: a relay marking the same append at the
            # same time has then committed its split runs, and this one sees them.
            conn.execute(
                "SELECT FROM kiroku_outbox WHERE append_order = ANY(%s) FOR UPDATE", (list(published),)
            )
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

    def _mark_append_published(self, result: AppendResult) -> None:
        with self._pool.connection() as conn:
            conn.execute(
                "DELETE FROM kiroku_outbox o USING kiroku_events e"
                " WHERE e.stream_id = %s AND e.version = %s AND o.append_order = e.append_order",
                (result.stream_id, result.first_version),
            )

    def iter_log(self) -> Iterator[StoredEvent]:
        """Every committed event, positioning those that wait first (this waits for the sequencer lock).

        A read-only role (the GraphQL door's) may not position: it reads the log as far as the writers
        have positioned it, which the next append or read by a writer completes."""
        with (
            self._pool.connection() as conn,
            _positioning(),
            contextlib.suppress(psycopg.errors.InsufficientPrivilege),
        ):
            conn.execute("SELECT kiroku_sequence(NULL, NULL)")
        after = 0
        while page := [_stored(row) for row in self._log_page(LOG_PAGE_OF_EVENTS, after, _PAGE)]:
            yield from page
            after = page[-1].position or 0

    def is_empty(self) -> bool:
        with self._pool.connection() as conn:
            row = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM kiroku_events)").fetchone()
        return bool(row and row[0])

    def ordering_problems(self) -> list[IntegrityProblem]:
        """Appends waiting for positions twice, or waiting though positioned: each positioning pass would
        insert them into kiroku_appends again and fail, and with it every append that finds the sequencer
        free, until the extra waiting rows are deleted. Only rows written by hand get there."""
        with self._pool.connection() as conn:
            stuck = conn.execute(
                "SELECT w.append_order, min(w.stream_id), count(*), bool_or(a.append_order IS NOT NULL)"
                " FROM kiroku_waiting w LEFT JOIN kiroku_appends a USING (append_order)"
                " GROUP BY w.append_order HAVING count(*) > 1 OR bool_or(a.append_order IS NOT NULL)"
                " ORDER BY w.append_order"
            ).fetchall()
        return [
            IntegrityProblem(
                "stuck_sequencer",
                stream_id,
                f"append {append_order} waits for positions "
                + ("it has already" if positioned else f"{count} times over")
                + ": positioning fails, and every append with it, until the extra kiroku_waiting rows go",
            )
            for append_order, stream_id, count, positioned in stuck
        ]

    def store_problems(self, summary: LogSummary) -> list[IntegrityProblem]:
        with self._pool.connection() as conn:
            orphans = conn.execute(
                "SELECT o.stream_id, o.first_version, o.last_version FROM kiroku_outbox o"
                " WHERE o.last_version - o.first_version + 1 <> (SELECT count(*) FROM kiroku_events e"
                " WHERE e.stream_id = o.stream_id AND e.version BETWEEN o.first_version AND o.last_version)"
                " ORDER BY o.append_order, o.first_version"
            ).fetchall()
            unlisted = conn.execute(
                "SELECT e.stream_id, e.version FROM kiroku_events e"
                " LEFT JOIN (SELECT append_order, first_version, last_version FROM kiroku_appends"
                " UNION ALL SELECT append_order, first_version, last_version FROM kiroku_waiting) a"
                " USING (append_order)"
                " WHERE a.append_order IS NULL OR e.version NOT BETWEEN a.first_version AND a.last_version"
                " ORDER BY e.stream_id, e.version"
            ).fetchall()
        return [
            IntegrityProblem(
                "outbox_orphan", stream_id, f"outbox entry for versions {first}-{last} misses events"
            )
            for stream_id, first, last in orphans
        ] + [
            IntegrityProblem(
                "unlisted_event", stream_id, f"version {version} is in no append: it has no position"
            )
            for stream_id, version in unlisted
        ]


def _positioned_waiting(conn: psycopg.Connection[Any]) -> bool:
    """Whether this reader positioned waiting appends; a read-only role cannot, and leaves it to writers."""
    try:
        with _positioning():
            return conn.execute(_POSITION_WAITING_IF_FREE, SEQUENCER_LOCK).fetchone() is not None
    except (psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.InsufficientPrivilege):
        return False


def _stuck_sequencer(error: psycopg.Error) -> bool:
    """Positioning moves the waiting appends into kiroku_appends: it fails on that table's key only in the
    state `ordering_problems` reports (an append waiting twice, or waiting though positioned already)."""
    return isinstance(error, psycopg.errors.UniqueViolation) and (
        error.diag.constraint_name == "kiroku_appends_pkey"
    )


@contextmanager
def _positioning() -> Iterator[None]:
    """Where waiting appends get their positions: a stuck sequencer fails with what to do about it."""
    try:
        yield
    except psycopg.errors.UniqueViolation as error:
        if not _stuck_sequencer(error):
            raise
        raise EventStoreError(f"{_STUCK_SEQUENCER}: {error}") from error


class _RacedAppend(Exception):
    """Another append of the same stream or command id committed first; nothing of this one was written."""


def _changed_behind_our_back(prepared: PreparedAppend, error: psycopg.Error) -> EventStoreError:
    # kiroku_append checks before it writes: only a store changed behind its back (rows written or deleted
    # by hand) gets here. The statement rolled back: nothing was written.
    hint = f" ({_STUCK_SEQUENCER})" if _stuck_sequencer(error) else ""
    return EventStoreError(f"append to {prepared.stream_id!r} failed, nothing written{hint}: {error}")


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
