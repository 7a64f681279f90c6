"""`make bench-bus`: publish → function received, through the emulator, the runner and one function.

Two paths are measured in the same run, on the same emulator:
- baseline: the emulator's own publish → StreamingPull receipt, with the Python client acking at once;
- Kiroku: publish → runner (StreamingPull, filter, push envelope) → functions-framework → handler.
Each path is run twice: a flood of N messages (throughput, and latency under that load) and a paced
stream (latency of a message that arrives alone, as most do in a commerce system).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

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

    began = time.time()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = list(pool.map(one, range(count)))
    return Figures(count, time.time() - began, latencies)


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


def main() -> None:
    state = Path(tempfile.mkdtemp(prefix="kiroku-bench-bus-"))
    records = state / "arrivals.txt"
    os.environ["KIROKU_BENCH_RECORDS"] = str(records)
    manifest = Manifest.load(Path(__file__).with_name("bus_manifest.yaml"))
    options = StackOptions(project_id="kiroku-bench", state_dir=state, manifest=manifest)
    console.print(
        f"bench-bus: {FLOOD} messages flooded, {PACED} paced at {PACED_RATE:.0f}/s, on {os.cpu_count()} cores"
    )
    with LocalCloud(options) as cloud:
        publisher = Publisher(options.project_id)
        _through_runner(publisher, records, 200, None)  # warm up the function's server and the stream
        results = {
            "flood": (
                emulator_hop(cloud, publisher, FLOOD, None),
                _through_runner(publisher, records, FLOOD, None),
            ),
            "paced": (
                emulator_hop(cloud, publisher, PACED, PACED_RATE),
                _through_runner(publisher, records, PACED, PACED_RATE),
            ),
        }
    table = Table(title="publish → received (baseline: emulator publish → StreamingPull, same run)")
    for column in ("load", "path", "msg/s", "p50 ms", "p99 ms", "p50 ratio", "p99 ratio", "throughput ratio"):
        table.add_column(column, justify="right")
    for load, (baseline, kiroku) in results.items():
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
            f"{kiroku.percentile(0.5) / baseline.percentile(0.5):.2f}",
            f"{kiroku.percentile(0.99) / baseline.percentile(0.99):.2f}",
            f"{kiroku.throughput / baseline.throughput:.2f}",
        )
    console.print(table)
    for load, (baseline, kiroku) in results.items():
        print(
            f"{load}: runner+function {kiroku.throughput:,.0f} msg/s, p50 {kiroku.percentile(0.5):.1f} ms, "
            f"p99 {kiroku.percentile(0.99):.1f} ms | emulator alone {baseline.throughput:,.0f} msg/s, "
            f"p50 {baseline.percentile(0.5):.1f} ms, p99 {baseline.percentile(0.99):.1f} ms"
        )


if __name__ == "__main__":
    main()
