"""`make bench-bus`: publish → function received, through the emulator, the runner and one function.

Two paths are measured in the same run, on the same emulator:
- baseline: the emulator's own publish → StreamingPull receipt, with the Python client acking at once;
- Kiroku: publish → runner (Pull, filter, push envelope) → functions-framework → handler.
Each path is run twice: a flood of N messages (throughput, and latency under that load) and a paced
stream (latency of a message that arrives alone, as most do in a commerce system).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil
from google.cloud.pubsub_v1 import PublisherClient, SubscriberClient
from google.cloud.pubsub_v1.subscriber.message import Message
from google.cloud.pubsub_v1.types import FlowControl
from rich.console import Console
from rich.table import Table

from emulators.stack import LocalCloud, StackOptions
from shared.bus.manifest import Manifest
from shared.bus.publisher import Publisher
from shared.messages.envelope import Envelope

FLOOD = int(os.environ.get("KIROKU_BENCH_MESSAGES", "5000"))
PACED = 500
PACED_RATE = 100.0  # messages per second
console = Console(width=120)


@dataclass
class Figures:
    messages: int
    seconds: float
    latencies_ms: list[float]
    # The machine's busy CPU time while they ran (every process: the stack's and the clients'), where
    # measured: what the work cost, steadier than its latencies on a machine this small.
    cpu_seconds: float = 0.0

    @property
    def cpu_ms_per_message(self) -> float:
        return self.cpu_seconds / self.messages * 1000

    @property
    def throughput(self) -> float:
        return self.messages / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def timed(clients: int, count: int, request: Callable[[int], None]) -> Figures:
    """Run `request(0..count-1)` from `clients` threads; the figures of their latencies and rate."""

    def one(index: int) -> float:
        started = time.time()
        request(index)
        return (time.time() - started) * 1000

    began, cpu_began = time.time(), busy_cpu_seconds()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = list(pool.map(one, range(count)))
    return Figures(count, time.time() - began, latencies, busy_cpu_seconds() - cpu_began)


def busy_cpu_seconds() -> float:
    """CPU seconds every core of the machine has spent on anything but waiting, since it started."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def _envelopes(count: int) -> list[Envelope]:
    return [
        Envelope.originate(kind="event", type="Benched", aggregate_type="Bench", aggregate_id=f"k-{n % 64}")
        for n in range(count)
    ]


def _publish(publisher: Publisher, topic: str, count: int, rate: float | None) -> float:
    """Publish `count` envelopes stamped with their send time; returns the first send time.

    A flood goes out in chunks of 100 that the client batches, as a busy publisher's would; a paced
    stream publishes one message at a time at `rate`.
    """
    envelopes = _envelopes(count)
    started = time.time()
    chunk = 1 if rate is not None else 100
    for index in range(0, count, chunk):
        if rate is not None:
            time.sleep(max(0.0, started + index / rate - time.time()))
        sent = time.time()
        stamped = [
            envelope.model_copy(update={"payload": {"sent": sent}})
            for envelope in envelopes[index : index + chunk]
        ]
        publisher.publish_many(topic, stamped)
    return started


def _measure(count: int, started: float, arrivals: Callable[[], list[tuple[float, float]]]) -> Figures:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        received = arrivals()
        if len(received) >= count:
            break
        time.sleep(0.1)
    received = arrivals()
    if len(received) < count:
        raise RuntimeError(f"only {len(received)} of {count} messages arrived")
    latencies = [(arrived - sent) * 1000 for sent, arrived in received]
    return Figures(count, max(arrived for _, arrived in received) - started, latencies)


def emulator_hop(cloud: LocalCloud, publisher: Publisher, count: int, rate: float | None) -> Figures:
    project = cloud.options.project_id
    topic = f"bench-raw-{count}-{int(rate or 0)}"
    PublisherClient().create_topic(name=f"projects/{project}/topics/{topic}")
    subscriber = SubscriberClient()
    subscription = f"projects/{project}/subscriptions/{topic}"
    subscriber.create_subscription(name=subscription, topic=f"projects/{project}/topics/{topic}")
    arrived: list[tuple[float, float]] = []
    lock = threading.Lock()

    def on_message(message: Message) -> None:
        now = time.time()
        sent = float(str(Envelope.from_data(message.data).payload["sent"]))
        message.ack()
        with lock:
            arrived.append((sent, now))

    stream = subscriber.subscribe(subscription, on_message, flow_control=FlowControl(max_messages=1000))
    try:
        started = _publish(publisher, topic, count, rate)
        return _measure(count, started, lambda: list(arrived))
    finally:
        stream.cancel()
        subscriber.close()


def _through_runner(publisher: Publisher, records: Path, count: int, rate: float | None) -> Figures:
    records.write_text("")
    started = _publish(publisher, "bench", count, rate)

    def arrivals() -> list[tuple[float, float]]:
        pairs = (line.split() for line in records.read_text().splitlines() if line)
        return [(float(sent), float(arrived)) for sent, arrived in pairs]

    return _measure(count, started, arrivals)


@dataclass(frozen=True)
class BusOptions:
    """How much to send. The defaults are `make bench-bus`; the smoke test sends a few dozen."""

    flood: int = FLOOD
    paced: int = PACED
    paced_rate: float = PACED_RATE  # messages per second
    warm_up: int = 200  # sent through the runner first, to warm the function's server and its subscription


@dataclass(frozen=True)
class Comparison:
    """One load's two paths, measured in the same run: the emulator alone (the baseline) and Kiroku's."""

    baseline: Figures
    kiroku: Figures

    def ratios(self) -> tuple[float, float, float]:
        """Kiroku's p50 and p99 latencies and its throughput, each divided by the baseline's."""
        baseline, kiroku = self.baseline, self.kiroku
        return (
            kiroku.percentile(0.5) / baseline.percentile(0.5),
            kiroku.percentile(0.99) / baseline.percentile(0.99),
            kiroku.throughput / baseline.throughput,
        )


@dataclass(frozen=True)
class BusReport:
    options: BusOptions
    loads: dict[str, Comparison]  # "flood", "paced"


def run(options: BusOptions) -> BusReport:
    """Start the emulator, the runner and the sink function; measure both paths under both loads."""
    state = Path(tempfile.mkdtemp(prefix="kiroku-bench-bus-"))
    records = state / "arrivals.txt"
    manifest = Manifest.load(Path(__file__).with_name("bus_manifest.yaml"))
    stack = StackOptions(
        project_id="kiroku-bench",
        state_dir=state,
        manifest=manifest,
        extra_env={"KIROKU_BENCH_RECORDS": str(records)},
    )
    console.print(
        f"bench-bus: {options.flood} messages flooded, {options.paced} paced at "
        f"{options.paced_rate:.0f}/s, on {os.cpu_count()} cores"
    )
    with LocalCloud(stack) as cloud:
        publisher = Publisher(stack.project_id)
        _through_runner(publisher, records, options.warm_up, None)
        loads = {
            "flood": Comparison(
                emulator_hop(cloud, publisher, options.flood, None),
                _through_runner(publisher, records, options.flood, None),
            ),
            "paced": Comparison(
                emulator_hop(cloud, publisher, options.paced, options.paced_rate),
                _through_runner(publisher, records, options.paced, options.paced_rate),
            ),
        }
    return BusReport(options, loads)


def print_report(report: BusReport) -> None:
    table = Table(title="publish → received (baseline: emulator publish → StreamingPull, same run)")
    for column in ("load", "path", "msg/s", "p50 ms", "p99 ms", "p50 ratio", "p99 ratio", "throughput ratio"):
        table.add_column(column, justify="right")
    for load, comparison in report.loads.items():
        baseline, kiroku = comparison.baseline, comparison.kiroku
        table.add_row(
            load,
            "emulator",
            f"{baseline.throughput:,.0f}",
            f"{baseline.percentile(0.5):.1f}",
            f"{baseline.percentile(0.99):.1f}",
            "1.00",
            "1.00",
            "1.00",
        )
        table.add_row(
            load,
            "runner+function",
            f"{kiroku.throughput:,.0f}",
            f"{kiroku.percentile(0.5):.1f}",
            f"{kiroku.percentile(0.99):.1f}",
            *(f"{ratio:.2f}" for ratio in comparison.ratios()),
        )
    console.print(table)
    for load, comparison in report.loads.items():
        baseline, kiroku = comparison.baseline, comparison.kiroku
        print(
            f"{load}: runner+function {kiroku.throughput:,.0f} msg/s, p50 {kiroku.percentile(0.5):.1f} ms, "
            f"p99 {kiroku.percentile(0.99):.1f} ms | emulator alone {baseline.throughput:,.0f} msg/s, "
            f"p50 {baseline.percentile(0.5):.1f} ms, p99 {baseline.percentile(0.99):.1f} ms"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=BusOptions.flood, help="messages flooded")
    parser.add_argument("--paced", type=int, default=BusOptions.paced, help="messages paced")
    parser.add_argument("--paced-rate", type=float, default=BusOptions.paced_rate, help="paced messages/s")
    args = parser.parse_args(argv)
    print_report(run(BusOptions(flood=args.messages, paced=args.paced, paced_rate=args.paced_rate)))


if __name__ == "__main__":
    main()
