"""`make bench-store`, its scale run: the event store's appends and reads once it holds 10 M events,
beside the same workloads on the same server while it held next to nothing.

Commanded's EventStore users measured one event's append rising from 72 µs at 1 M events to 550 µs at
600 M: a store that slows as it fills fails a system that keeps every event for good. So this run
measures, on an empty PostgreSQL store, single-event and 100-event appends (each writer to streams of
its own, with the exact expected version, as a command handler appends) and `read_all` paging over the
newest events; fills the store to `fill` events, through Kiroku's own append (100-event appends from
`WRITERS` threads, with a progress bar, and no outbox entries, as if the relay had published them);
then, once it is vacuumed and checkpointed as autovacuum would soon after such a load, measures the same
workloads at the far end. It prints the rates, the ratio of each at the far end
to its rate on the empty store (target ≥ 0.9, TARGET_RATIO), and the disk the events took per million.

Firestore runs the same workloads on the official emulator with a smaller fill (`firestore_fill`): the
emulator keeps everything in memory, so its figures say nothing of the real service at scale and are
printed so that a change which slows a full Firestore store shows. It has no `read_all` (no global
order); its read is a whole stream.

Every workload runs in `rounds` rounds and the median round counts, as in bench/store.py.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from google.cloud import firestore
from psycopg_pool import ConnectionPool
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from bench.store import BATCH, _environment, _events, _kiroku, _rate
from emulators.services import EmbeddedPostgres, FirestoreEmulator
from shared.eventstore.firestore import FirestoreEventStore
from shared.eventstore.model import NO_STREAM
from shared.eventstore.postgres import PostgresEventStore, open_pool
from shared.eventstore.store import EventStore
from shared.messages.envelope import new_id

FILL = 10_000_000
FIRESTORE_FILL = 20_000
WRITERS = 8
READ_WINDOW = 100_000  # the newest events read with read_all
TARGET_RATIO = 0.9
console = Console(width=140)


@dataclass(frozen=True)
class ScaleOptions:
    """How much to run. The defaults are `make bench-store`'s; the smoke test fills a few thousand."""

    fill: int = FILL
    firestore_fill: int = FIRESTORE_FILL
    read_window: int = READ_WINDOW
    single_appends: int = 200  # per writer and round
    batch_appends: int = 10  # per writer and round, of BATCH events each
    rounds: int = 5


@dataclass(frozen=True)
class ScaleRates:
    """One workload's events per second on the nearly empty store and once it was filled."""

    workload: str
    empty: float
    full: float

    @property
    def ratio(self) -> float:
        return self.full / self.empty


@dataclass(frozen=True)
class ScaleBackend:
    title: str
    filled: int  # events in the store when the far end was measured
    rates: list[ScaleRates]
    bytes_per_million: float | None  # None where the backend cannot say (the emulator)
    fill_seconds: float


def _median_rate(rounds: int, measure: Callable[[int], float]) -> float:
    return statistics.median(measure(round_number) for round_number in range(rounds))


def _appends(options: ScaleOptions, store: EventStore, label: str) -> list[float]:
    """Events per second of single-event, then 100-event appends, WRITERS writers, to new streams."""
    rates = []
    for batch, appends in ((1, options.single_appends), (BATCH, options.batch_appends)):

        def measure(round_number: int, batch: int = batch, appends: int = appends) -> float:
            writer = _kiroku(store, f"{label}-{batch}-{round_number}", appends, batch)
            return _rate(WRITERS, appends, batch, writer)

        rates.append(_median_rate(options.rounds, measure))
    return rates


def _paired(workloads: list[str], empty: list[float], full: list[float]) -> list[ScaleRates]:
    return [ScaleRates(*rates) for rates in zip(workloads, empty, full, strict=True)]


APPEND_WORKLOADS = [f"1-event appends, {WRITERS} writers", f"{BATCH}-event appends, {WRITERS} writers"]


def _fill(store: EventStore, label: str, events: int) -> float:
    """Append `events` events in 100-event appends from WRITERS threads, each append to a stream of its
    own; the seconds it took. One batch of envelopes is built once and copied with fresh ids, so the fill
    measures the store, not the building of ten million models."""
    template = _events(label, BATCH, 0)
    appends = itertools.count()
    total = -(-events // BATCH)
    lock = threading.Lock()
    started = time.perf_counter()
    with Progress(
        TextColumn(f"filling {label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("fill", total=total * BATCH)

        def writer() -> None:
            while True:
                with lock:
                    index = next(appends)
                if index >= total:
                    return
                stream = f"{label}-{index}"
                batch = [
                    envelope.model_copy(update={"id": new_id(), "aggregate_id": stream})
                    for envelope in template
                ]
                store.append(stream, batch, NO_STREAM, publish=False)
                progress.advance(task, BATCH)

        threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return time.perf_counter() - started


def _head(pool: ConnectionPool[psycopg.Connection[Any]]) -> int:
    with pool.connection() as conn:
        row = conn.execute("SELECT coalesce(max(last_position), 0) FROM kiroku_appends").fetchone()
    return int(row[0]) if row else 0


def _events_stored(pool: ConnectionPool[psycopg.Connection[Any]]) -> int:
    """Every event stored; the head's position may not count the newest appends yet (they are positioned
    by the next append or read that finds them waiting)."""
    with pool.connection() as conn:
        row = conn.execute("SELECT count(*) FROM kiroku_events").fetchone()
    return int(row[0]) if row else 0


def _settle(pool: ConnectionPool[psycopg.Connection[Any]]) -> None:
    """Vacuum, analyse and checkpoint after the fill, as autovacuum would soon after any bulk load: the far
    end is measured in the store's steady state, not in the maintenance the load set off."""
    with pool.connection() as conn:
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")


def _database_bytes(pool: ConnectionPool[psycopg.Connection[Any]]) -> int:
    with pool.connection() as conn:
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    return int(row[0]) if row else 0


def _read_newest(
    store: PostgresEventStore, pool: ConnectionPool[psycopg.Connection[Any]], window: int
) -> float:
    """Events per second of `read_all` in pages of 1,000 over the newest `window` events."""
    after = max(0, _head(pool) - window)
    started = time.perf_counter()
    count = 0
    while count < window and (page := store.read_all(after, 1000)):
        count += len(page)
        after = page[-1].position
    return count / (time.perf_counter() - started)


def bench_postgres(options: ScaleOptions, work_dir: Path) -> ScaleBackend:
    server = EmbeddedPostgres(work_dir / "postgres", ephemeral=True)
    server.start()
    pool = open_pool(server.uri, max_size=WRITERS + 2)
    try:
        store = PostgresEventStore(pool)
        empty_appends = _appends(options, store, "empty")
        # The window read on the nearly empty store is the fill's first part.
        window = min(options.read_window, options.fill)
        bytes_before = _database_bytes(pool)
        fill_seconds = _fill(store, "fill-a", window)
        _settle(pool)
        empty_read = _median_rate(options.rounds, lambda _: _read_newest(store, pool, window))
        fill_seconds += _fill(store, "fill-b", options.fill - window)
        _settle(pool)
        filled = _events_stored(pool)
        bytes_per_million = (_database_bytes(pool) - bytes_before) / (options.fill / 1e6)
        full_appends = _appends(options, store, "full")
        full_read = _median_rate(options.rounds, lambda _: _read_newest(store, pool, window))
    finally:
        pool.close()
        server.stop()
    rates = _paired(APPEND_WORKLOADS, empty_appends, full_appends)
    rates.append(ScaleRates(f"read_all, newest {window:,} (pages of 1,000)", empty_read, full_read))
    return ScaleBackend("PostgreSQL (embedded)", filled, rates, bytes_per_million, fill_seconds)


def bench_firestore(options: ScaleOptions, work_dir: Path) -> ScaleBackend:
    emulator = FirestoreEmulator(work_dir / "logs")
    emulator.start()
    try:
        with _environment(emulator.environment()):
            client = firestore.Client(project="kiroku-bench-scale")
            try:
                store = FirestoreEventStore(client)
                empty_appends = _appends(options, store, "empty")
                empty_read = _median_rate(options.rounds, lambda _: _read_stream(store, "empty-100-0-0"))
                fill_seconds = _fill(store, "fill", options.firestore_fill)
                full_appends = _appends(options, store, "full")
                full_read = _median_rate(options.rounds, lambda _: _read_stream(store, "full-100-0-0"))
            finally:
                client.close()  # type: ignore[no-untyped-call]
    finally:
        emulator.stop()
    rates = _paired(APPEND_WORKLOADS, empty_appends, full_appends)
    rates.append(ScaleRates(f"stream read ({options.batch_appends * BATCH} events)", empty_read, full_read))
    return ScaleBackend(
        "Firestore (official emulator: figures track changes, not the real service)",
        options.firestore_fill,
        rates,
        None,
        fill_seconds,
    )


def _read_stream(store: EventStore, stream: str) -> float:
    started = time.perf_counter()
    count = len(store.read_stream(stream))
    return count / (time.perf_counter() - started)


def print_backend(backend: ScaleBackend) -> None:
    table = Table(
        title=f"{backend.title}: at {backend.filled:,} events beside nearly empty", title_justify="left"
    )
    for column in ("workload", "empty ev/s", "full ev/s", "full ÷ empty", f"target ≥ {TARGET_RATIO}"):
        table.add_column(column, justify="right")
    for rates in backend.rates:
        met = "met" if rates.ratio >= TARGET_RATIO else "not met"
        table.add_row(rates.workload, f"{rates.empty:,.0f}", f"{rates.full:,.0f}", f"{rates.ratio:.2f}", met)
    console.print(table)
    for rates in backend.rates:
        print(
            f"{backend.title.split(' ')[0]} at {backend.filled:,} events, {rates.workload}: "
            f"{rates.full:,.0f} ev/s, {rates.ratio:.2f} x the empty store's {rates.empty:,.0f}"
        )
    disk = (
        f", {backend.bytes_per_million / 2**20:,.0f} MiB of disk per million events"
        if backend.bytes_per_million
        else ""
    )
    print(f"{backend.title.split(' ')[0]} filled in {backend.fill_seconds:,.0f} s{disk}")


def run(options: ScaleOptions) -> dict[str, ScaleBackend]:
    work_dir = Path(tempfile.mkdtemp(prefix="kiroku-bench-scale-"))
    backends: dict[str, ScaleBackend] = {}
    for name, bench in (("postgres", bench_postgres), ("firestore", bench_firestore)):
        backends[name] = bench(options, work_dir)
        print_backend(backends[name])
    return backends


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--fill", type=int, default=FILL, help="events in the PostgreSQL store at the far end"
    )
    parser.add_argument("--firestore-fill", type=int, default=FIRESTORE_FILL, help="events in the emulator's")
    args = parser.parse_args(argv)
    run(ScaleOptions(fill=args.fill, firestore_fill=args.firestore_fill))


if __name__ == "__main__":
    main()
