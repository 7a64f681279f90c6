"""`make bench-store`: event store appends and reads per backend, beside baselines from the same run.

PostgreSQL (embedded, started here): Kiroku's store against, on the same server and the same rows,
- a raw INSERT: the same rows into a table shaped like `kiroku_events` (same columns and indexes), one
  statement per append, with no validation, concurrency check, outbox, idempotency or global position.
  Its rows are encoded from the same envelopes as it goes, by the encoder Kiroku uses, as any insert of
  these events must: the ratio to it is what Kiroku's own work costs;
- an all-rows INSERT: the same rows, and with them the rows Kiroku stores beside an append's events
  (its record, which carries the global positions, and its outbox entry) into tables shaped like
  Kiroku's, in one statement, still with no checks and positions from a counter. The ratio to it is
  what Kiroku's logic costs once the rows the outbox and the global order need are paid for;
- the same INSERT with its rows encoded before the clock starts: the database's share alone, the floor
  of what any append costs here;
- the `eventsourcing` library's PostgreSQL application recorder (table lock for its global order)
  storing the same events (our JSON as its state).
Commanded's published EventStore figures are printed as a reference (a different machine).
Firestore (the official emulator, started here): Kiroku's store against a plain batch create of the
same event documents. Emulator figures say nothing about the real service's speed: they are there
so a change that makes the Firestore path slower shows up.

Each writer appends to its own stream with the exact expected version, as a command handler does; the
writers are threads of one process, whose garbage collector is tuned as a function instance's is
(`shared.interpreter`). Every append workload runs in five rounds of all contenders, every read in five
rounds, and the median round is printed.
`KIROKU_BENCH_SCALE` (default 1) multiplies the number of appends.
"""

from __future__ import annotations

import itertools
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import orjson
import psycopg
from eventsourcing.persistence import StoredEvent as EsStoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from google.cloud import firestore
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool
from rich.console import Console
from rich.table import Table

from emulators.services import EmbeddedPostgres, FirestoreEmulator
from shared.eventstore.firestore import FirestoreEventStore, version_id
from shared.eventstore.model import StoredEvent, stored_fields
from shared.eventstore.postgres import LOG_PAGE_OF_ENVELOPES, PostgresEventStore, open_pool
from shared.eventstore.store import EventStore
from shared.interpreter import tune_garbage_collector
from shared.messages.envelope import Envelope

SCALE = float(os.environ.get("KIROKU_BENCH_SCALE", "1"))
WRITERS = (1, 8)
BATCH = 100
ROUNDS = 5
# Commanded EventStore's published figures (events/s): 100-event batches from 1 and 50 writers, reads.
COMMANDED = {"batch 1": 4929.0, "batch 50": 8586.0, "read": 27211.0}
console = Console(width=260)
# The raw INSERTs' tables, shaped like Kiroku's: the events of the INSERT that encodes as it goes, of the
# one whose rows were encoded ahead, and the events, append records and outbox entries of the all-rows one.
RAW_TABLES = {
    "bench_raw": "kiroku_events",
    "bench_raw_ahead": "kiroku_events",
    "bench_all_events": "kiroku_events",
    "bench_all_appends": "kiroku_appends",
    "bench_all_outbox": "kiroku_outbox",
}
RAW_INSERT, RAW_AHEAD_INSERT = (
    f"INSERT INTO {table} SELECT * FROM json_populate_recordset(NULL::{table}, %(rows)s::json)"  # noqa: S608
    for table in ("bench_raw", "bench_raw_ahead")
)
ALL_ROWS_INSERT = (
    "WITH events AS (INSERT INTO bench_all_events"
    " SELECT * FROM json_populate_recordset(NULL::bench_all_events, %(rows)s::json)),"
    " listed AS (INSERT INTO bench_all_appends VALUES"
    " (%(order)s, %(stream)s, %(first)s, %(last)s, %(first_position)s, %(last_position)s))"
    " INSERT INTO bench_all_outbox VALUES (%(order)s, %(first)s, %(last)s, %(stream)s)"
)

Append = Callable[[int], None]


def _events(stream: str, count: int, start: int) -> list[Envelope]:
    return [
        Envelope.originate(
            kind="event",
            type="ProductRestocked",
            aggregate_type="Product",
            aggregate_id=stream,
            payload={
                "product_id": stream,
                "name": "Sencha, first flush, 100 g",
                "price": {"amount": "1480", "currency": "JPY"},
                "quantity": start + i,
                "warehouse": "tokyo-1",
            },
        )
        for i in range(count)
    ]


def _rate(writers: int, appends: int, batch: int, writer: Callable[[int], Append]) -> float:
    """Events per second of `writers` threads each making `appends` appends of `batch` events."""
    prepared = [writer(number) for number in range(writers)]
    barrier = threading.Barrier(writers + 1)

    failures: list[BaseException] = []

    def run(append: Append) -> None:
        barrier.wait()
        try:
            for index in range(appends):
                append(index)
        except BaseException as failure:  # a writer that failed makes the rate meaningless: stop the run
            failures.append(failure)
            raise

    threads = [threading.Thread(target=run, args=(append,)) for append in prepared]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} of {writers} writers failed") from failures[0]
    return writers * appends * batch / elapsed


def _kiroku(store: EventStore, label: str, appends: int, batch: int) -> Callable[[int], Append]:
    def writer(number: int) -> Append:
        stream = f"{label}-{number}"
        work = [_events(stream, batch, i * batch) for i in range(appends)]
        return lambda i: (store.append(stream, work[i], i * batch), None)[1]

    return writer


def _raw_rows(stream: str, first_version: int, envelopes: list[Envelope], append_order: int) -> str:
    """The rows of one append as `json_populate_recordset` reads them, encoded as Kiroku encodes its own."""
    return orjson.dumps(
        [
            {**stored_fields(envelope), "stream_id": stream, "version": version, "append_order": append_order}
            for version, envelope in enumerate(envelopes, start=first_version)
        ]
    ).decode()


def _raw_insert(
    pool: ConnectionPool[psycopg.Connection[Any]],
    append_orders: itertools.count[int],
    insert: str,
    encoded_ahead: bool,
    label: str,
    appends: int,
    batch: int,
) -> Callable[[int], Append]:
    """A plain `insert` of each append's rows (the events alone, or every row Kiroku stores): encoded
    from the envelopes as it goes, as any insert of these events must, or (`encoded_ahead`) before the
    clock starts, which leaves the database's share."""

    def writer(number: int) -> Append:
        stream = f"{label}-{number}"
        work = [_events(stream, batch, i * batch) for i in range(appends)]

        def encode(i: int) -> dict[str, Any]:
            order = next(append_orders)
            # Each append order owns BATCH positions: unique ones, with no sequencer.
            last_position = order * BATCH
            return {
                "rows": _raw_rows(stream, i * batch + 1, work[i], order),
                "order": order,
                "stream": stream,
                "first": i * batch + 1,
                "last": (i + 1) * batch,
                "first_position": last_position - batch + 1,
                "last_position": last_position,
            }

        ahead = [encode(i) for i in range(appends)] if encoded_ahead else None

        def append(i: int) -> None:
            params = ahead[i] if ahead is not None else encode(i)
            with pool.connection() as conn:
                conn.execute(insert, params)

        return append

    return writer


def _eventsourcing(
    recorder: PostgresApplicationRecorder, label: str, appends: int, batch: int
) -> Callable[[int], Append]:
    def writer(number: int) -> Append:
        originator = uuid.uuid5(uuid.NAMESPACE_URL, f"{label}-{number}")
        work = [
            [
                EsStoredEvent(originator, i * batch + offset, envelope.type, envelope.to_data())
                for offset, envelope in enumerate(_events(str(originator), batch, i * batch), start=1)
            ]
            for i in range(appends)
        ]
        return lambda i: (recorder.insert_events(work[i]), None)[1]

    return writer


def _firestore_raw(client: firestore.Client, label: str, appends: int, batch: int) -> Callable[[int], Append]:
    def writer(number: int) -> Append:
        stream = f"{label}-{number}"
        events = client.collection("bench_raw").document(stream).collection("events")
        work = [
            [
                StoredEvent.from_envelope(stream, i * batch + offset, envelope)
                for offset, envelope in enumerate(_events(stream, batch, i * batch), start=1)
            ]
            for i in range(appends)
        ]

        def append(i: int) -> None:
            commit = client.batch()
            for stored in work[i]:
                document = {name: getattr(stored, name) for name in StoredEvent._fields}
                commit.create(events.document(version_id(stored.version)), document)
            commit.commit()

        return append

    return writer


def _read_rate(read: Callable[[], int]) -> float:
    """Events per second of `read`, the median of as many rounds as the appends run."""
    rates = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        count = read()
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates)


def _read_all(store: PostgresEventStore) -> int:
    count, after = 0, 0
    while page := store.read_all(after, 1000):
        count += len(page)
        after = page[-1].position
    return count


def _select_all(pool: ConnectionPool[psycopg.Connection[Any]]) -> int:
    count, after = 0, 0
    while True:
        with pool.connection() as conn:
            rows = conn.execute(LOG_PAGE_OF_ENVELOPES, {"after": after, "limit": 1000}).fetchall()
        if not rows:
            return count
        count += len(rows)
        after = rows[-1][-1]


def _n(value: int) -> int:
    return max(1, round(value * SCALE))


def _table(title: str, baselines: Sequence[str]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("workload")
    table.add_column("kiroku ev/s", justify="right")
    for baseline in baselines:
        table.add_column(f"{baseline} ev/s", justify="right")
        table.add_column("kiroku ÷", justify="right")
    table.add_column("reference", justify="right")
    return table


def _row(table: Table, name: str, ours: float, others: Sequence[float], reference: str = "") -> None:
    """A workload's rates: Kiroku's, then each baseline's (none for reads) beside Kiroku's ratio to it."""
    cells = [name, f"{ours:,.0f}"]
    for other in others:
        cells += [f"{other:,.0f}", f"{ours / other:.0%}"]
    cells += [""] * (len(table.columns) - 1 - len(cells))
    table.add_row(*cells, reference)


Baseline = Callable[[str, int, int], Callable[[int], Append]]


def _append_rows(
    table: Table,
    store: EventStore,
    totals: tuple[int, int],
    baselines: Sequence[Baseline],
    batch_reference: str,
) -> None:
    """Single-event then batch appends, 1 and 8 writers: Kiroku and each baseline.

    Each workload runs in rounds, every contender once per round, and the median round counts: this
    machine's disk flush time drifts by tens of percent within a minute, and contenders run one after the
    other would hand that drift to whoever ran in the slow minute. Each round starts with the next
    contender, so that what the first of a round meets (the autovacuum of what the last one wrote, say)
    is met by each in turn.
    """
    contenders: list[Baseline] = [partial(_kiroku, store), *baselines]
    for batch, total in zip((1, BATCH), totals, strict=True):
        for writers in WRITERS:
            appends = _n(total // writers // ROUNDS)
            rates: list[list[float]] = [[] for _ in contenders]
            for round_number in range(ROUNDS):
                label = f"{batch}-{writers}-{round_number}"
                for offset in range(len(contenders)):
                    index = (round_number + offset) % len(contenders)
                    writer = contenders[index](label, appends, batch)
                    rates[index].append(_rate(writers, appends, batch, writer))
            medians = [statistics.median(contender_rates) for contender_rates in rates]
            _row(
                table,
                f"{batch}-event appends, {writers} writer{'s' * (writers > 1)}",
                medians[0],
                medians[1:],
                batch_reference if batch == BATCH else "",
            )


def _stream_read_row(table: Table, store: EventStore, reference: str) -> None:
    """The single writer's batch streams (one per round), each read whole."""
    streams = [f"{BATCH}-1-{round_number}-0" for round_number in range(ROUNDS)]
    events = sum(store.stream_version(stream) for stream in streams)
    _row(
        table,
        f"stream read ({len(streams)} streams, {events:,} events)",
        _read_rate(lambda: sum(len(store.read_stream(stream)) for stream in streams)),
        [],
        reference,
    )


def bench_postgres(work_dir: Path) -> None:
    server = EmbeddedPostgres(work_dir / "postgres", ephemeral=True)
    server.start()
    pool = open_pool(server.uri, max_size=10)
    try:
        with pool.connection() as conn:
            for raw_table, shape in RAW_TABLES.items():
                conn.execute(f"CREATE TABLE {raw_table} (LIKE {shape} INCLUDING ALL)")
            version = conn.execute("SHOW server_version").fetchone()
        params = conninfo_to_dict(server.uri)
        datastore = PostgresDatastore(
            dbname=str(params["dbname"]),
            host=str(params["host"]),
            port=str(params.get("port", 5432)),
            user=str(params["user"]),
            password=str(params.get("password", "")),
            pool_size=max(WRITERS),
        )
        recorder = PostgresApplicationRecorder(datastore, events_table_name="es_events")
        recorder.create_table()
        store = PostgresEventStore(pool)
        append_orders = itertools.count(1)
        table = _table(
            f"PostgreSQL {version[0] if version else '?'} (embedded, {os.cpu_count()} cores)",
            ("raw INSERT", "all-rows INSERT", "pre-encoded INSERT", "eventsourcing"),
        )
        commanded = f"Commanded {COMMANDED['batch 1']:,.0f} (1 w), {COMMANDED['batch 50']:,.0f} (50 w)"
        _append_rows(
            table,
            store,
            (4800, 800),
            [
                partial(_raw_insert, pool, append_orders, RAW_INSERT, False),
                partial(_raw_insert, pool, append_orders, ALL_ROWS_INSERT, False),
                partial(_raw_insert, pool, append_orders, RAW_AHEAD_INSERT, True),
                partial(_eventsourcing, recorder),
            ],
            commanded,
        )
        table.add_section()
        read_reference = f"Commanded {COMMANDED['read']:,.0f}"
        _row(
            table,
            "read_all (pages of 1,000)",
            _read_rate(lambda: _read_all(store)),
            [],
            read_reference,
        )
        _row(
            table,
            "raw SELECT, same pages, not decoded",
            _read_rate(lambda: _select_all(pool)),
            [],
        )
        _stream_read_row(table, store, read_reference)
        console.print(table)
        datastore.close()
    finally:
        pool.close()
        server.stop()


def bench_firestore(work_dir: Path) -> None:
    emulator = FirestoreEmulator(work_dir / "logs")
    emulator.start()
    os.environ.update(emulator.environment())
    client = firestore.Client(project="kiroku-bench")
    try:
        store = FirestoreEventStore(client)
        table = _table(
            "Firestore (official emulator: figures track changes, not the real service)", ["plain batch"]
        )
        _append_rows(table, store, (200, 40), [partial(_firestore_raw, client)], "")
        table.add_section()
        table.add_row("read_all", "n/a (no global order)", "", "", "")
        _stream_read_row(table, store, "")
        console.print(table)
    finally:
        client.close()  # type: ignore[no-untyped-call]
        emulator.stop()


def main() -> None:
    tune_garbage_collector()
    work_dir = Path(tempfile.mkdtemp(prefix="kiroku-bench-store-"))
    started = time.perf_counter()
    bench_postgres(work_dir)
    bench_firestore(work_dir)
    console.print(f"total {time.perf_counter() - started:.0f} s (KIROKU_BENCH_SCALE={SCALE:g})")


if __name__ == "__main__":
    main()
