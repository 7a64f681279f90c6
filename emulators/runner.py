"""The manifest-driven runner: Pub/Sub push subscriptions, as the cloud wires them, on a laptop.

In the cloud each topic-triggered function sits behind a push subscription with the manifest's filter,
ordering, retry and dead-letter policy. The official emulator's push subscriptions never dead-letter,
send no `deliveryAttempt` and ignore filters (measured), so the runner instead:

1. creates the topics, each function's subscription (with its dead-letter and retry policy and ordering)
   and dead-letter topic, and a subscription that keeps each dead-letter topic's messages;
2. starts every function as its own functions-framework server process (one function, one server);
3. applies the filters as Pub/Sub does, on the server side, once per message: a router pulls each
   topic once and republishes every message (data, attributes, ordering key) to the inbox topic of each
   function whose filter matches, where that function's subscription sits. Letting every function's
   subscription receive every message and drop the non-matching ones made the emulator copy each
   message to thirty-odd subscriptions, and it, not the functions, became the local cloud's bottleneck;
4. keeps one long-lived StreamingPull per subscription (the emulator leaks a thread per stream ever
   opened) and POSTs the push envelope the cloud would send; 2xx acks, anything else nacks, and the
   emulator redelivers with the retry policy's backoff and dead-letters after the maximum attempts. With
   ordering on, the client releases a key's next message only after the previous one is acked: one in
   flight per key (the router keeps each key's order too);
5. calls each scheduled HTTP function on its local timer, as Cloud Scheduler would on its cron.

A `FaultInjection` makes it misbehave the ways Pub/Sub may: deliver some messages twice (at-least-once),
late by a random delay (so messages of different ordering keys overtake each other), or never (a lost
delivery, chosen by a subscription filter), so that handlers' idempotency, order-independence and
deadlines can be proved through the real path.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import random
import socket
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import urllib3
from google.api_core.exceptions import AlreadyExists
from google.cloud.pubsub_v1 import PublisherClient, SubscriberClient
from google.cloud.pubsub_v1.subscriber.message import Message
from google.cloud.pubsub_v1.subscriber.scheduler import ThreadScheduler
from google.cloud.pubsub_v1.types import BatchSettings, FlowControl, PublisherOptions
from google.protobuf import duration_pb2

from emulators.processes import ManagedProcess, free_port
from shared.bus.manifest import FunctionSpec, Manifest, TopicTrigger
from shared.bus.subscription_filter import Predicate, parse_filter

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FUNCTION_START_SECONDS = 60.0
# Attributes the router adds and the delivery removes: the message's original id and publish time.
ROUTED_ID = "kiroku-routed-message-id"
ROUTED_TIME = "kiroku-routed-publish-time"


@dataclass(frozen=True)
class FaultInjection:
    """Deliberate misbehaviour of the delivery path, for proving handlers idempotent."""

    duplicate_probability: float = 0.0
    seed: int = 0
    functions: frozenset[str] = frozenset()  # the functions whose deliveries are duplicated; empty: all
    max_delay_seconds: float = 0.0  # each delivery waits a random time up to this
    lose: str | None = None  # a subscription filter: matching messages are acked, never delivered
    # Lose only the first matching message of each aggregate (a step that went unanswered once).
    lose_first_only: bool = False
    # A subscription filter: the handler of a matching command dies between commit and publish on the
    # message's first delivery (emulators/faults.py).
    crash_after_commit: str | None = None

    def affects(self, function: str) -> bool:
        return self.duplicate_probability > 0 and (not self.functions or function in self.functions)


class FunctionServer:
    """One function served by its own functions-framework process (forked by the function host)."""

    def __init__(
        self,
        spec: FunctionSpec,
        manifest: Manifest,
        env: Mapping[str, str],
        log_dir: Path,
        crash_after_commit: str | None = None,
    ) -> None:
        self.spec = spec
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.host_entry = {
            "name": spec.name,
            "source": str(PROJECT_ROOT / manifest.source),
            "target": spec.entry_point,
            "port": self.port,
            "log": str(log_dir / f"function-{spec.name}.log"),
            "pythonpath": str(PROJECT_ROOT),
            "crash_after_commit": crash_after_commit,
            "environment": {
                **env,
                **spec.environment,
                "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH", "")])),
                "K_SERVICE": spec.name,
                "FUNCTION_TARGET": spec.entry_point,
                "PORT": str(self.port),
                "CLOUD_RUN_TIMEOUT_SECONDS": str(spec.timeout_seconds),
            },
        }

    def listening(self) -> bool:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            return probe.connect_ex(("127.0.0.1", self.port)) == 0


class _Delivery:
    """Delivers one subscription's messages to one function, as a push subscription would."""

    def __init__(
        self,
        spec: FunctionSpec,
        subscription_path: str,
        url: str,
        http: urllib3.PoolManager,
        faults: FaultInjection,
    ) -> None:
        self.spec = spec
        self.subscription_path = subscription_path
        self.url = url
        self._http = http
        self._faults = faults
        self._lost: Predicate | None = parse_filter(faults.lose) if faults.lose else None
        self._lost_aggregates: set[str] = set()
        self._random = random.Random(faults.seed)  # noqa: S311 - chaos, not cryptography
        self._random_lock = threading.Lock()

    def __call__(self, message: Message) -> None:
        attributes = dict(message.attributes)
        if self._loses(attributes):
            logger.warning("fault injection: %s never receives %s", self.spec.name, attributes.get("type"))
            message.ack()
            return
        if self._faults.max_delay_seconds > 0:
            with self._random_lock:
                delay = self._random.uniform(0, self._faults.max_delay_seconds)
            time.sleep(delay)
        body = json.dumps(self._push_body(message)).encode()
        if self._post(body):
            message.ack()
            if self._duplicate():
                self._post(body)
        else:
            message.nack()

    def _loses(self, attributes: dict[str, str]) -> bool:
        if self._lost is None or not self._lost(attributes):
            return False
        if not self._faults.lose_first_only:
            return True
        aggregate = attributes.get("aggregate_id", "")
        with self._random_lock:
            first = aggregate not in self._lost_aggregates
            self._lost_aggregates.add(aggregate)
        return first

    def _duplicate(self) -> bool:
        if not self._faults.affects(self.spec.name):
            return False
        with self._random_lock:
            return self._random.random() < self._faults.duplicate_probability

    def _push_body(self, message: Message) -> dict[str, object]:
        # The id and time the message was first published with, as Pub/Sub would push them.
        attributes = dict(message.attributes)
        message_id = attributes.pop(ROUTED_ID, message.message_id)
        publish_time = attributes.pop(ROUTED_TIME, message.publish_time.isoformat().replace("+00:00", "Z"))
        body: dict[str, object] = {
            "message": {
                "data": base64.b64encode(message.data).decode(),
                "attributes": attributes,
                "messageId": message_id,
                "message_id": message_id,
                "publishTime": publish_time,
                "publish_time": publish_time,
                "orderingKey": message.ordering_key,
            },
            "subscription": self.subscription_path,
        }
        if message.delivery_attempt is not None:
            body["deliveryAttempt"] = message.delivery_attempt
        return body

    def _post(self, body: bytes) -> bool:
        try:
            response = self._http.request(
                "POST",
                self.url,
                body=body,
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": "APIs-Google; (kiroku local runner)",
                    # gunicorn drops idle keep-alive connections after 2 s; a push sent on one that it
                    # has just closed would be reset and wait for a redelivery. Loopback connects are cheap.
                    "Connection": "close",
                },
                timeout=urllib3.Timeout(connect=2.0, read=float(self.spec.ack_deadline_seconds)),
                retries=False,
            )
        except urllib3.exceptions.HTTPError as error:
            logger.warning("push to %s failed: %s", self.spec.name, error)
            return False
        return 200 <= response.status < 300 or response.status == 102


class _Router:
    """Fans one topic's messages out to the inbox topics of the functions whose filter matches."""

    def __init__(self, routes: list[tuple[Predicate | None, str]], publisher: PublisherClient) -> None:
        self._routes = routes
        self._publisher = publisher

    def __call__(self, message: Message) -> None:
        attributes = dict(message.attributes)
        inboxes = [inbox for matches, inbox in self._routes if matches is None or matches(attributes)]
        original = {
            ROUTED_ID: message.message_id,
            ROUTED_TIME: message.publish_time.isoformat().replace("+00:00", "Z"),
        }
        futures = [
            (
                inbox,
                self._publisher.publish(
                    inbox, message.data, ordering_key=message.ordering_key, **attributes, **original
                ),
            )
            for inbox in inboxes
        ]
        try:
            for _, future in futures:
                future.result(timeout=30)
        except Exception as error:  # redelivered to every inbox; each function's handler is idempotent
            logger.warning("routing %s failed: %s", attributes.get("type"), error)
            if message.ordering_key:
                for inbox, _ in futures:
                    self._publisher.resume_publish(inbox, message.ordering_key)
            message.nack()
            return
        message.ack()


class Runner:
    """Wires a manifest onto the Pub/Sub emulator and serves each function as its own process."""

    def __init__(
        self,
        manifest: Manifest,
        project_id: str,
        env: Mapping[str, str],
        log_dir: Path,
        faults: FaultInjection | None = None,
    ) -> None:
        if "PUBSUB_EMULATOR_HOST" not in env:
            raise ValueError("the runner needs PUBSUB_EMULATOR_HOST: it only wires the local emulator")
        self.manifest = manifest
        self.project_id = project_id
        self.env = {**os.environ, **env, "GOOGLE_CLOUD_PROJECT": project_id}
        self.log_dir = log_dir
        self.faults = faults or FaultInjection()
        for fault in (self.faults.lose, self.faults.crash_after_commit):
            if fault is not None:
                parse_filter(fault)  # a filter that cannot parse fails here, not in every function
        self.servers = {
            spec.name: FunctionServer(spec, manifest, self.env, log_dir, self.faults.crash_after_commit)
            for spec in manifest.functions
        }
        self._host_spec = log_dir / "functions.json"
        self.host = ManagedProcess(
            "function host",
            [sys.executable, "-m", "emulators.function_host", str(self._host_spec)],
            log_dir / "function-host.log",
            env=self.env,
            cwd=PROJECT_ROOT,
        )
        self._publisher: PublisherClient | None = None
        self._ordered_publisher: PublisherClient | None = None
        self._subscriber: SubscriberClient | None = None
        self._streams: list[Future[None]] = []
        self._http = urllib3.PoolManager(maxsize=32)
        self._stopping = threading.Event()
        self._timers: list[threading.Thread] = []

    def url(self, function: str) -> str:
        return self.servers[function].url

    def start(self) -> None:
        os.environ["PUBSUB_EMULATOR_HOST"] = self.env["PUBSUB_EMULATOR_HOST"]
        self._publisher = PublisherClient()
        self._subscriber = SubscriberClient()
        self._create_wiring()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._host_spec.write_text(json.dumps([server.host_entry for server in self.servers.values()]))
        self.host.start()
        for server in self.servers.values():
            self.host.wait_until(
                server.listening,
                FUNCTION_START_SECONDS,
                f"function {server.spec.name} listens on {server.port}",
            )
        for topic in self.manifest.topics:
            self._open_router(topic)
        for spec in self.manifest.functions:
            if isinstance(spec.trigger, TopicTrigger):
                self._open_stream(spec)
            elif spec.schedule is not None:
                timer = threading.Thread(
                    target=self._tick, args=(spec,), name=f"schedule-{spec.name}", daemon=True
                )
                timer.start()
                self._timers.append(timer)
        logger.info("runner serving %d functions", len(self.servers))

    def stop(self) -> None:
        self._stopping.set()
        for stream in self._streams:
            stream.cancel()
        for stream in self._streams:
            try:
                stream.result(timeout=10)
            except Exception as error:  # a cancelled stream reports how it ended; nothing to recover
                logger.debug("stream ended: %s", error)
        self._streams.clear()
        for timer in self._timers:
            timer.join(timeout=5)
        self.host.stop()
        if self._ordered_publisher is not None:
            self._ordered_publisher.stop()
        if self._subscriber is not None:
            self._subscriber.close()
        self._http.clear()

    def pids(self) -> list[int]:
        return [pid] if (pid := self.host.pid) is not None else []

    def topic_path(self, topic: str) -> str:
        return f"projects/{self.project_id}/topics/{topic}"

    def subscription_path(self, subscription: str) -> str:
        return f"projects/{self.project_id}/subscriptions/{subscription}"

    def _create_wiring(self) -> None:
        assert self._publisher is not None
        assert self._subscriber is not None
        topics = list(self.manifest.topics)
        topic_specs = [spec for spec in self.manifest.functions if isinstance(spec.trigger, TopicTrigger)]
        topics += [spec.dead_letter_topic for spec in topic_specs] + [_inbox(spec) for spec in topic_specs]
        for topic in topics:
            with suppress(AlreadyExists):
                self._publisher.create_topic(name=self.topic_path(topic))
        for spec in topic_specs:
            assert isinstance(spec.trigger, TopicTrigger)
            request = {
                "name": self.subscription_path(spec.subscription),
                "topic": self.topic_path(_inbox(spec)),
                "ack_deadline_seconds": spec.ack_deadline_seconds,
                "enable_message_ordering": spec.ordering,
                "retry_policy": {
                    "minimum_backoff": duration_pb2.Duration(seconds=spec.retry.minimum_backoff_seconds),
                    "maximum_backoff": duration_pb2.Duration(seconds=spec.retry.maximum_backoff_seconds),
                },
                "dead_letter_policy": {
                    "dead_letter_topic": self.topic_path(spec.dead_letter_topic),
                    "max_delivery_attempts": spec.dead_letter.max_delivery_attempts,
                },
            }
            self._create_subscription(request)
            self._create_subscription(
                {
                    "name": self.subscription_path(spec.dead_letter_subscription),
                    "topic": self.topic_path(spec.dead_letter_topic),
                    "ack_deadline_seconds": 60,
                }
            )
        for topic in self.manifest.topics:
            self._create_subscription(
                {
                    "name": self.subscription_path(_router_subscription(topic)),
                    "topic": self.topic_path(topic),
                    "ack_deadline_seconds": 60,
                    "enable_message_ordering": True,
                }
            )

    def _open_router(self, topic: str) -> None:
        assert self._subscriber is not None
        routes = [
            (
                parse_filter(spec.trigger.filter) if spec.trigger.filter else None,
                self.topic_path(_inbox(spec)),
            )
            for spec in self.manifest.functions
            if isinstance(spec.trigger, TopicTrigger) and spec.trigger.topic == topic
        ]
        router = _Router(routes, self._router_publisher())
        stream = self._subscriber.subscribe(
            self.subscription_path(_router_subscription(topic)),
            callback=router,
            flow_control=FlowControl(max_messages=500),
            scheduler=ThreadScheduler(
                ThreadPoolExecutor(max_workers=16, thread_name_prefix=f"route-{topic}")
            ),
        )
        self._streams.append(stream)

    def _router_publisher(self) -> PublisherClient:
        if self._ordered_publisher is None:
            self._ordered_publisher = PublisherClient(
                # Each routed message is one hop of someone's request: do not hold it for a batch.
                batch_settings=BatchSettings(max_latency=0.001),
                publisher_options=PublisherOptions(enable_message_ordering=True),
            )
        return self._ordered_publisher

    def _create_subscription(self, request: dict[str, object]) -> None:
        assert self._subscriber is not None
        with suppress(AlreadyExists):
            self._subscriber.create_subscription(request=request)

    def _open_stream(self, spec: FunctionSpec) -> None:
        assert self._subscriber is not None
        path = self.subscription_path(spec.subscription)
        deliver = _Delivery(spec, path, self.servers[spec.name].url, self._http, self.faults)
        stream = self._subscriber.subscribe(
            path,
            callback=deliver,
            flow_control=FlowControl(max_messages=200),
            scheduler=ThreadScheduler(
                ThreadPoolExecutor(max_workers=16, thread_name_prefix=f"deliver-{spec.name}")
            ),
        )
        self._streams.append(stream)

    def _tick(self, spec: FunctionSpec) -> None:
        assert spec.schedule is not None
        url = self.servers[spec.name].url
        while not self._stopping.wait(spec.schedule.local_interval_seconds):
            try:
                response = self._http.request(
                    "POST",
                    url,
                    body=b"{}",
                    headers={"Content-Type": "application/json"},
                    timeout=float(spec.timeout_seconds),
                    retries=False,
                )
                if response.status >= 300:
                    logger.warning("scheduled call of %s answered %s", spec.name, response.status)
            except urllib3.exceptions.HTTPError as error:
                logger.warning("scheduled call of %s failed: %s", spec.name, error)


def _inbox(spec: FunctionSpec) -> str:
    """The topic a function's subscription sits on locally: what the router found for it."""
    return f"{spec.name}-inbox"


def _router_subscription(topic: str) -> str:
    return f"kiroku-router-{topic}"
