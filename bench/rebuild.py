"""`kiroku rebuild` throughput on PostgreSQL, beside reading the same events with `read_all` in the same run.

Embedded PostgreSQL (started here) holds 100,000 product events (`KIROKU_BENCH_EVENTS`): 1,000 products
of 100 events each (created, then price changes and stock adjustments), appended 100 at a time. Then, in
`ROUNDS` rounds, the median printed:

- `read_all`: the baseline: the whole log read page by page in global order, each event parsed into its
  envelope and upcast, as a catching-up reader reads it, and nothing else;
- `kiroku rebuild products`: the real command (`.venv/bin/kiroku`, a process of its own, pointed at this
  server through a `stack.json` as the local cloud writes it): the log read, every product event folded
  by the products projection, the model dropped and its 1,000 records written. Its throughput is the one
  the command prints itself (the rebuild, without the process's start); the process's wall time is shown
  too;
- `kiroku rebuild products --shadow`: the same fold into the shadow copy, then both models read back and
  diffed.

The ratio to `read_all` is what folding and writing the model add to reading the log. The issue's target
for the rebuild is 20,000 events/s on this machine.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from emulators.services import EmbeddedPostgres
from shared.application.aggregates import PRODUCT
from shared.eventstore.postgres import PostgresEventStore, open_pool
from shared.interpreter import tune_garbage_collector
from shared.messages.envelope import Actor, Envelope

EVENTS = int(os.environ.get("KIROKU_BENCH_EVENTS", "100000"))
PER_PRODUCT = 100
APPEND = 100
ROUNDS = 3
TARGET = 20_000
KIROKU = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "kiroku"
ADMIN = Actor(uid="bench", role="admin")
console = Console(width=160)


def _product_events(product: int) -> Iterator[Envelope]:
    """One product's history: created, then price changes and stock adjustments, one after another."""
    product_id = f"bench-{product:05d}"
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=product)
    price = 1000
    stock = 100
    for version in range(1, PER_PRODUCT + 1):
        if version == 1:
            event_type, payload = (
                "ProductCreated",
                {
                    "name": f"Tea {product}",
                    "description": "A benchmark tea, steeped for throughput.",
                    "price": {"amount": f"{price / 100:.2f}", "currency": "EUR"},
                    "category_id": "bench",
                    "stock": stock,
                },
            )
        elif version % 2:
            previous, price = price, price + 5
            event_type, payload = (
                "ProductPriceChanged",
                {
                    "price": {"amount": f"{price / 100:.2f}", "currency": "EUR"},
                    "previous_price": {"amount": f"{previous / 100:.2f}", "currency": "EUR"},
                },
            )
        else:
            stock += 3
            event_type, payload = ("StockAdjusted", {"delta": 3, "stock": stock, "reason": "restock"})
        yield Envelope.originate(
            kind="event",
            type=event_type,
            aggregate_type=PRODUCT.aggregate_type,
            aggregate_id=product_id,
            aggregate_version=version,
            occurred_at=at + timedelta(seconds=version),
            actor=ADMIN,
            payload=payload,
        )


def _fill(store: PostgresEventStore, events: int) -> int:
    appended = 0
    for product in range(events // PER_PRODUCT):
        history = list(_product_events(product))
        stream_id = PRODUCT.stream_id(history[0].aggregate_id)
        for start in range(0, len(history), APPEND):
            store.append(stream_id, history[start : start + APPEND], start)
            appended += len(history[start : start + APPEND])
    return appended


def _read_all(store: PostgresEventStore) -> tuple[int, float]:
    started = time.perf_counter()
    after, count = 0, 0
    while page := store.read_all(after, 1000):
        count += len(page)
        after = page[-1].position
    return count, time.perf_counter() - started


def _kiroku(state_dir: Path, *args: str) -> tuple[dict[str, object], float]:
    started = time.perf_counter()
    answer = subprocess.run(
        [str(KIROKU), "--state-dir", str(state_dir), *args, "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    wall = time.perf_counter() - started
    if answer.returncode != 0:
        raise RuntimeError(f"kiroku {' '.join(args)} failed ({answer.returncode}):\n{answer.stderr}")
    result: dict[str, object] = json.loads(answer.stdout)
    return result, wall


@dataclass(frozen=True)
class Row:
    """One workload's median round: events handled, seconds, and the process's wall time (the command)."""

    workload: str
    events: int
    seconds: float
    wall_seconds: float | None = None

    @property
    def rate(self) -> float:
        return self.events / self.seconds


def run(events: int = EVENTS, rounds: int = ROUNDS) -> list[Row]:
    """Fill a fresh embedded PostgreSQL with `events` product events, measure, print; the rows measured
    (the baseline first). The collector is tuned here as in the command and in function instances."""
    tune_garbage_collector()
    with tempfile.TemporaryDirectory(prefix="kiroku-bench-rebuild-") as directory:
        root = Path(directory)
        server = EmbeddedPostgres(root / "postgres", ephemeral=True)
        server.start()
        try:
            pool = open_pool(server.uri)
            try:
                store = PostgresEventStore(pool)
                started = time.perf_counter()
                appended = _fill(store, events)
                console.print(
                    f"appended {appended:,} events in {time.perf_counter() - started:.1f} s", highlight=False
                )
                state_dir = root / "state"
                state_dir.mkdir()
                environment = {
                    "DATABASE_URL": server.uri,
                    "KIROKU_STORAGE": "postgres",
                    "KIROKU_PROJECT_ID": "bench",
                }
                (state_dir / "stack.json").write_text(
                    json.dumps({"environment": environment, "functions": {}})
                )
                rows = _measure(store, state_dir, rounds)
            finally:
                pool.close()
        finally:
            server.stop()
    _print(rows, appended, rounds)
    return rows


def _measure(store: PostgresEventStore, state_dir: Path, rounds: int) -> list[Row]:
    reads = [_read_all(store) for _ in range(rounds)]
    rows = [Row("read_all (baseline)", reads[0][0], statistics.median(seconds for _, seconds in reads))]
    for name, args in (
        ("kiroku rebuild products", ("rebuild", "products")),
        ("kiroku rebuild products --shadow", ("rebuild", "products", "--shadow")),
    ):
        runs = [_kiroku(state_dir, *args) for _ in range(rounds)]
        seconds = statistics.median(float(str(result["seconds"])) for result, _ in runs)
        wall = statistics.median(wall for _, wall in runs)
        rows.append(Row(name, int(str(runs[0][0]["events"])), seconds, wall))
    return rows


def _print(rows: list[Row], appended: int, rounds: int) -> None:
    table = Table(title=f"rebuild of the products read model: {appended:,} events, median of {rounds} rounds")
    for column in ("workload", "events", "seconds", "events/s", "vs read_all", "process wall s"):
        table.add_column(column, justify="right" if column != "workload" else "left")
    baseline = rows[0].rate
    for row in rows:
        table.add_row(
            row.workload,
            f"{row.events:,}",
            f"{row.seconds:.2f}",
            f"{row.rate:,.0f}",
            f"{row.rate / baseline:.2f}x",
            f"{row.wall_seconds:.2f}" if row.wall_seconds is not None else "",
        )
    console.print(table)
    verdict = "meets" if rows[1].rate >= TARGET else "misses"
    console.print(f"kiroku rebuild: {rows[1].rate:,.0f} events/s {verdict} the target of {TARGET:,} events/s")


def main() -> int:
    if not KIROKU.exists():
        print(f"{KIROKU} is missing: set up the project first (make run or make test)", file=sys.stderr)
        return 2
    run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
