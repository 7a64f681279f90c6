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

import argparse
import gc
import itertools
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass(frozen=True)
class StoreOptions:
    """How much to run. The defaults are `make bench-store`; the smoke test appends a few events per
    workload, in two rounds."""

    scale: float = SCALE  # multiplies the number of appends (at least one per writer and round)
    rounds: int = ROUNDS


@dataclass(frozen=True)
class Rates:
    """One workload's events per second: Kiroku's, then each baseline's (none for reads), the median round.

    `events` is what Kiroku appended in all rounds of an append workload, or what one round of a read
    read. `kiroku` is None for a read the backend has no way to do (`unsupported` says why)."""

    workload: str
    kiroku: float | None
    baselines: tuple[float, ...] = ()
    events: int = 0
    reference: str = ""
    unsupported: str = ""

    def ratios(self) -> tuple[float, ...]:
        """Kiroku's rate divided by each baseline's, measured in the same rounds."""
        if self.kiroku is None:
            return ()
        return tuple(self.kiroku / baseline for baseline in self.baselines)


@dataclass(frozen=True)
class Backend:
    """One backend's table: its title, the names of its baselines, its append and read workloads."""

    title: str
    baselines: tuple[str, ...]
    appends: list[Rates]
    reads: list[Rates]


@dataclass(frozen=True)
class StoreReport:
    options: StoreOptions
    backends: dict[str, Backend]  # "postgres", "firestore"
    seconds: float


def _read_rate(read: Callable[[], int], rounds: int) -> tuple[float, int]:
    """Events per second of `read`, the median of as many rounds as the appends run; and the events it
    read (in the last round)."""
    rates, count = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        count = read()
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates), count


def _read(workload: str, read: Callable[[], int], rounds: int, reference: str = "") -> Rates:
    rate, events = _read_rate(read, rounds)
    return Rates(workload, rate, events=events, reference=reference)


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


def _table(title: str, baselines: Sequence[str]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("workload")
    table.add_column("kiroku ev/s", justify="right")
    for baseline in baselines:
        table.add_column(f"{baseline} ev/s", justify="right")
        table.add_column("kiroku ÷", justify="right")
    table.add_column("reference", justify="right")
    return table


def _row(table: Table, rates: Rates) -> None:
    """A workload's rates: Kiroku's, then each baseline's (none for reads) beside Kiroku's ratio to it."""
    cells = [rates.workload, rates.unsupported if rates.kiroku is None else f"{rates.kiroku:,.0f}"]
    for other, ratio in zip(rates.baselines, rates.ratios(), strict=True):
        cells += [f"{other:,.0f}", f"{ratio:.0%}"]
    cells += [""] * (len(table.columns) - 1 - len(cells))
    table.add_row(*cells, rates.reference)


def print_backend(backend: Backend) -> None:
    table = _table(backend.title, backend.baselines)
    for rates in backend.appends:
        _row(table, rates)
    table.add_section()
    for rates in backend.reads:
        _row(table, rates)
    console.print(table)


Baseline = Callable[[str, int, int], Callable[[int], Append]]


def _append_rates(
    options: StoreOptions,
    store: EventStore,
    totals: tuple[int, int],
    baselines: Sequence[Baseline],
    batch_reference: str,
) -> list[Rates]:
    """Single-event then batch appends, 1 and 8 writers: Kiroku and each baseline.

    Each workload runs in rounds, every contender once per round, and the median round counts: this
    machine's disk flush time drifts by tens of percent within a minute, and contenders run one after the
    other would hand that drift to whoever ran in the slow minute. Each round starts with the next
    contender, so that what the first of a round meets (the autovacuum of what the last one wrote, say)
    is met by each in turn.
    """
    contenders: list[Baseline] = [partial(_kiroku, store), *baselines]
    workloads: list[Rates] = []
    for batch, total in zip((1, BATCH), totals, strict=True):
        for writers in WRITERS:
            appends = max(1, round(total // writers // ROUNDS * options.scale))
            rates: list[list[float]] = [[] for _ in contenders]
            for round_number in range(options.rounds):
                label = f"{batch}-{writers}-{round_number}"
                for offset in range(len(contenders)):
                    index = (round_number + offset) % len(contenders)
                    writer = contenders[index](label, appends, batch)
                    rates[index].append(_rate(writers, appends, batch, writer))
            medians = [statistics.median(contender_rates) for contender_rates in rates]
            workloads.append(
                Rates(
                    f"{batch}-event appends, {writers} writer{'s' * (writers > 1)}",
                    medians[0],
                    tuple(medians[1:]),
                    events=writers * appends * batch * options.rounds,
                    reference=batch_reference if batch == BATCH else "",
                )
            )
    return workloads


def _stream_read(options: StoreOptions, store: EventStore, reference: str) -> Rates:
    """The single writer's batch streams (one per round), each read whole."""
    streams = [f"{BATCH}-1-{round_number}-0" for round_number in range(options.rounds)]
    events = sum(store.stream_version(stream) for stream in streams)
    return _read(
        f"stream read ({len(streams)} streams, {events:,} events)",
        lambda: sum(len(store.read_stream(stream)) for stream in streams),
        options.rounds,
        reference,
    )


def bench_postgres(options: StoreOptions, work_dir: Path) -> Backend:
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
        commanded = f"Commanded {COMMANDED['batch 1']:,.0f} (1 w), {COMMANDED['batch 50']:,.0f} (50 w)"
        appends = _append_rates(
            options,
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
        read_reference = f"Commanded {COMMANDED['read']:,.0f}"
        reads = [
            _read("read_all (pages of 1,000)", lambda: _read_all(store), options.rounds, read_reference),
            _read("raw SELECT, same pages, not decoded", lambda: _select_all(pool), options.rounds),
            _stream_read(options, store, read_reference),
        ]
        datastore.close()
        return Backend(
            f"PostgreSQL {version[0] if version else '?'} (embedded, {os.cpu_count()} cores)",
            ("raw INSERT", "all-rows INSERT", "pre-encoded INSERT", "eventsourcing"),
            appends,
            reads,
        )
    finally:
        pool.close()
        server.stop()


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """`values` set in this process's environment (where the Google clients look), then as they were."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def bench_firestore(options: StoreOptions, work_dir: Path) -> Backend:
    emulator = FirestoreEmulator(work_dir / "logs")
    emulator.start()
    try:
        with _environment(emulator.environment()):
            client = firestore.Client(project="kiroku-bench")
            try:
                store = FirestoreEventStore(client)
                appends = _append_rates(options, store, (200, 40), [partial(_firestore_raw, client)], "")
                reads = [
                    Rates("read_all", None, unsupported="n/a (no global order)"),
                    _stream_read(options, store, ""),
                ]
            finally:
                client.close()  # type: ignore[no-untyped-call]
    finally:
        emulator.stop()
    return Backend(
        "Firestore (official emulator: figures track changes, not the real service)",
        ("plain batch",),
        appends,
        reads,
    )


def run(options: StoreOptions) -> StoreReport:
    """Measure PostgreSQL, then Firestore, printing each backend's table as soon as it is measured (what
    `make bench-store` prints); the figures of both."""
    work_dir = Path(tempfile.mkdtemp(prefix="kiroku-bench-store-"))
    threshold = gc.get_threshold()
    tune_garbage_collector()
    started = time.perf_counter()
    try:
        backends: dict[str, Backend] = {}
        for name, bench in (("postgres", bench_postgres), ("firestore", bench_firestore)):
            backends[name] = bench(options, work_dir)
            print_backend(backends[name])
    finally:
        gc.set_threshold(*threshold)  # as this process had it: a test session goes on after the benchmark
    seconds = time.perf_counter() - started
    console.print(f"total {seconds:.0f} s (KIROKU_BENCH_SCALE={options.scale:g})")
    return StoreReport(options, backends, seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=StoreOptions.scale, help="multiplies the appends")
    parser.add_argument("--rounds", type=int, default=StoreOptions.rounds, help="rounds of every workload")
    args = parser.parse_args(argv)
    run(StoreOptions(scale=args.scale, rounds=args.rounds))


if __name__ == "__main__":
    main()
