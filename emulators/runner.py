"""The manifest-driven runner: Pub/Sub push subscriptions, as the cloud wires them, on a laptop.

In the cloud each topic-triggered function sits behind a push subscription with the manifest's filter,
ordering, retry and dead-letter policy. The official emulator's push subscriptions never dead-letter,
send no `deliveryAttempt` and ignore filters, so the runner instead:

1. creates the topics, each function's subscription (with its dead-letter and retry policy and ordering)
   and dead-letter topic, and a subscription that keeps each dead-letter topic's messages;
2. starts every function as its own functions-framework server process (one function, one server);
3. applies the filters as Pub/Sub does, on the server side, once per message: a router pulls each
   topic once and republishes every message (data, attributes, ordering key) to the inbox topic of each
   function whose filter matches, where that function's subscription sits, so the emulator copies a
   message only to the subscriptions that take it, not to all thirty-odd (it, not the functions, is the
   local cloud's bottleneck);
4. pulls each subscription with unary Pull calls, which the emulator answers as soon as a message is
   there (a long poll), and POSTs the push envelope the cloud would send; 2xx acks, anything else asks
   for a redelivery after the retry policy's backoff for that attempt (the ack deadline is set to it), and
   after the maximum attempts the message is dead-lettered. With ordering on, the emulator hands out a
   key's next message only after the previous one is acked, and messages of one key that arrive together
   are pushed one after another: one in flight per key (the router keeps each key's order too; in an
   inbox, aggregates share `INBOX_ORDERING_KEYS` keys, see there). The client library's StreamingPull
   is not used: under load the emulator ends streams, and after the client reopens one the emulator
   holds that subscription's new messages back for a full ack deadline;
5. calls each scheduled HTTP function on its local timer, as Cloud Scheduler would on its cron;
6. keeps every message of the manifest's `audited` topics in the audit record (shared/bus/audit.py), as
   the cloud's BigQuery subscriptions do: the router that pulls the topic writes it before routing it.

Dead letters: the emulator forwards a message to the subscription's dead-letter topic after its maximum
delivery attempts, but never from a subscription with message ordering (it counts the attempts and keeps
the message: a poison message would come back forever). So for an ordered subscription the runner does
what Pub/Sub does: after the last attempt fails it publishes the message to the dead-letter topic with
its data, attributes and ordering key and the attributes Pub/Sub adds (`DEAD_LETTER_*`, as the
emulator writes them for unordered subscriptions), then acks it.

A `FaultInjection` makes it misbehave the ways Pub/Sub may: deliver some messages twice (at-least-once;
the twin after the first was acknowledged, or at the same moment to another instance), late by a random
delay (so messages of different ordering keys overtake each other) or by a fixed one for one kind, or
never (a lost delivery, chosen by a subscription filter), so that handlers' idempotency,
order-independence and deadlines can be proved through the real path.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import os
import random
import shutil
import socket
import sys
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import urllib3
from google.api_core.exceptions import AlreadyExists, DeadlineExceeded
from google.cloud.pubsub_v1 import PublisherClient, SubscriberClient
from google.cloud.pubsub_v1.types import BatchSettings, PublisherOptions, PubsubMessage, ReceivedMessage
from google.protobuf import duration_pb2

from emulators.processes import ManagedProcess, free_port
from shared.application.registry import GATEWAY_ENTRY_POINTS
from shared.bus.audit import AuditFile
from shared.bus.manifest import FunctionSpec, Manifest, TopicTrigger
from shared.bus.subscription_filter import Predicate, parse_filter
from shared.observability.tracing import span_file

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A ceiling, not a wait: seconds on a quiet laptop, far more beside other local clouds (the test suite's
# two workers each run one) on two cores.
FUNCTION_START_SECONDS = 180.0
# How long one Pull waits for a message (the emulator answers at once when one comes), and how many
# messages of one subscription are pushed at a time.
PULL_SECONDS = 5.0
PULL_WORKERS = 16
# A message the router could not fan out is offered again after this long.
ROUTE_RETRY_SECONDS = 1.0
ROUTER_ACK_DEADLINE_SECONDS = 60
# Attributes the router adds and the delivery removes: the message's original id, publish time and
# ordering key.
ROUTED_ID = "kiroku-routed-message-id"
ROUTED_TIME = "kiroku-routed-publish-time"
ROUTED_KEY = "kiroku-routed-ordering-key"
# How many ordering keys an inbox uses: the emulator keeps a backlog and a thread ticking every second
# for each ordering key an ordered subscription has ever seen, and never lets them go, so one key per
# aggregate grows it by a dozen threads per order (thousands after a few hundred orders, most of its
# CPU in the kernel). The router maps each aggregate's key to one of these: its messages keep their
# order, and a few aggregates share a turn.
INBOX_ORDERING_KEYS = 64
# What Pub/Sub adds to a message it dead-letters (the emulator's format: the subscription's and project's
# ids, the delivery count, the original publish time in RFC 3339 with milliseconds).
DEAD_LETTER_SUBSCRIPTION = "CloudPubSubDeadLetterSourceSubscription"
DEAD_LETTER_PROJECT = "CloudPubSubDeadLetterSourceSubscriptionProject"
DEAD_LETTER_DELIVERY_COUNT = "CloudPubSubDeadLetterSourceDeliveryCount"
DEAD_LETTER_PUBLISH_TIME = "CloudPubSubDeadLetterSourceTopicPublishTime"


@dataclass(frozen=True)
class FaultInjection:
    """Deliberate misbehaviour of the delivery path, for proving handlers idempotent."""

    duplicate_probability: float = 0.0
    # Of the duplicates, the share pushed at the same moment as the first delivery rather than after it
    # was acknowledged: two instances then decide one message at once, as Pub/Sub may have them do.
    concurrent_duplicates: float = 0.0
    seed: int = 0
    functions: frozenset[str] = frozenset()  # the functions whose deliveries are duplicated; empty: all
    max_delay_seconds: float = 0.0  # each delivery waits a random time up to this
    lose: str | None = None  # a subscription filter: matching messages are acked, never delivered
    # Lose only the first matching message of each aggregate, with every copy of it sent again under the
    # same id: that command never gets through (a step that went unanswered); later ones do.
    lose_first_only: bool = False
    # A subscription filter: matching messages are pushed `hold_seconds` late (a slow hop of one kind).
    hold: str | None = None
    hold_seconds: float = 0.0
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
                # Each function keeps its spans in the stack's log directory, which `kiroku trace` reads;
                # the stack's environment may choose otherwise (KIROKU_TRACE_EXPORT=none).
                "KIROKU_TRACE_EXPORT": "file",
                **env,
                **spec.environment,
                "KIROKU_TRACE_FILE": str(span_file(log_dir, spec.name)),
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
        dead_letter: Callable[[ReceivedMessage], None] | None = None,
    ) -> None:
        """`dead_letter`: forwards a message to the dead-letter topic, for a subscription whose messages
        the emulator does not dead-letter itself (an ordered one)."""
        self.spec = spec
        self.subscription_path = subscription_path
        self.url = url
        self._http = http
        self._faults = faults
        self._dead_letter = dead_letter
        self._lost: Predicate | None = parse_filter(faults.lose) if faults.lose else None
        self._held: Predicate | None = parse_filter(faults.hold) if faults.hold else None
        self._lost_aggregates: dict[str, str] = {}  # aggregate -> the id of its lost message
        self._random = random.Random(faults.seed)  # noqa: S311 - chaos, not cryptography
        self._random_lock = threading.Lock()

    def __call__(self, received: ReceivedMessage, acknowledge: Callable[[], None]) -> bool:
        """Push one message; whether it was handled (acknowledged through `acknowledge`)."""
        attributes = dict(received.message.attributes)
        if self._loses(attributes):
            logger.warning("fault injection: %s never receives %s", self.spec.name, attributes.get("type"))
            acknowledge()
            return True
        if self._held is not None and self._held(attributes):
            time.sleep(self._faults.hold_seconds)
        if self._faults.max_delay_seconds > 0:
            with self._random_lock:
                delay = self._random.uniform(0, self._faults.max_delay_seconds)
            time.sleep(delay)
        body = json.dumps(self._push_body(received)).encode()
        duplicate = self._duplicate()
        what = f"{attributes.get('type')} {attributes.get('id')} (attempt {received.delivery_attempt})"
        twin = None
        if duplicate == "concurrent":
            twin = threading.Thread(target=self._post, args=(body, what), name=f"{self.spec.name}-twin")
            twin.start()
        handled = self._post(body, what)
        if twin is not None:
            twin.join()
        if not handled:
            return self._gave_up(received, acknowledge)
        acknowledge()
        if duplicate == "after":
            self._post(body, what)
        return True

    def _gave_up(self, received: ReceivedMessage, acknowledge: Callable[[], None]) -> bool:
        """After a failed delivery: on the last attempt, dead-letter the message (when the runner does it
        for this subscription) and count it handled; otherwise it is redelivered."""
        attempt = received.delivery_attempt or 0
        if self._dead_letter is None or attempt < self.spec.dead_letter.max_delivery_attempts:
            return False
        self._dead_letter(received)
        acknowledge()
        logger.warning(
            "%s gave up on %s %s after %d attempts: dead-lettered to %s",
            self.spec.name,
            received.message.attributes.get("type"),
            received.message.attributes.get("id"),
            attempt,
            self.spec.dead_letter_topic,
        )
        return True

    def _loses(self, attributes: dict[str, str]) -> bool:
        if self._lost is None or not self._lost(attributes):
            return False
        if not self._faults.lose_first_only:
            return True
        aggregate = attributes.get("aggregate_id", "")
        with self._random_lock:
            lost = self._lost_aggregates.setdefault(aggregate, attributes.get("id", ""))
        return lost == attributes.get("id", "")

    def _duplicate(self) -> Literal["concurrent", "after"] | None:
        """Whether this delivery is pushed twice, and if so whether the twin goes at the same moment."""
        if not self._faults.affects(self.spec.name):
            return None
        with self._random_lock:
            if self._random.random() >= self._faults.duplicate_probability:
                return None
            return "concurrent" if self._random.random() < self._faults.concurrent_duplicates else "after"

    def _push_body(self, received: ReceivedMessage) -> dict[str, object]:
        # The id and time the message was first published with, as Pub/Sub would push them.
        message = received.message
        attributes, routed_id, routed_time, ordering_key = _unrouted(message)
        message_id = routed_id or message.message_id
        publish_time = routed_time or _rfc3339(message)
        body: dict[str, object] = {
            "message": {
                "data": base64.b64encode(message.data).decode(),
                "attributes": attributes,
                "messageId": message_id,
                "message_id": message_id,
                "publishTime": publish_time,
                "publish_time": publish_time,
                "orderingKey": ordering_key,
            },
            "subscription": self.subscription_path,
        }
        if received.delivery_attempt:
            body["deliveryAttempt"] = received.delivery_attempt
        return body

    def _post(self, body: bytes, what: str) -> bool:
        """POST one push request; whether the function answered that it handled `what`."""
        started = time.monotonic()
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
            logger.warning(
                "push of %s to %s failed after %.1f s: %s",
                what,
                self.spec.name,
                time.monotonic() - started,
                error,
            )
            return False
        return 200 <= response.status < 300 or response.status == 102


@dataclass(frozen=True)
class InboxRoute:
    """One function's inbox, and which of the topic's messages go there."""

    matches: Predicate | None
    inbox: str
    # Whether the inbox takes one of INBOX_ORDERING_KEYS keys rather than the aggregate's own. Not for a
    # gateway's function: its message may wait a minute for a partner, and would hold the others so long.
    shares_keys: bool

    def ordering_key(self, key: str) -> str:
        if not key or not self.shares_keys:
            return key
        return f"inbox-{zlib.crc32(key.encode()) % INBOX_ORDERING_KEYS}"


class _Router:
    """Fans one topic's messages out to the inbox topics of the functions whose filter matches, after
    keeping each in the audit record when the topic is audited."""

    def __init__(
        self,
        topic: str,
        routes: list[InboxRoute],
        publisher: PublisherClient,
        audit: AuditFile | None,
    ) -> None:
        self._topic = topic
        self._routes = routes
        self._publisher = publisher
        self._audit = audit

    def __call__(self, received: ReceivedMessage, acknowledge: Callable[[], None]) -> bool:
        """Route one message; whether every inbox has it (acknowledged through `acknowledge`)."""
        message = received.message
        attributes = dict(message.attributes)
        if self._audit is not None:  # before routing, as a BigQuery subscription writes it
            self._audit.keep(self._topic, message.message_id, message.publish_time, message.data, attributes)
        routes = [route for route in self._routes if route.matches is None or route.matches(attributes)]
        original = {ROUTED_ID: message.message_id, ROUTED_TIME: _rfc3339(message)}
        if message.ordering_key:
            original[ROUTED_KEY] = message.ordering_key
        futures = []
        for route in routes:
            key = route.ordering_key(message.ordering_key)
            published = self._publisher.publish(
                route.inbox, message.data, ordering_key=key, **attributes, **original
            )
            futures.append((route.inbox, key, published))
        try:
            for _, _, future in futures:
                future.result(timeout=30)
        except Exception as error:  # redelivered to every inbox; each function's handler is idempotent
            logger.warning("routing %s failed: %s", attributes.get("type"), error)
            for inbox, key, _ in futures:
                if key:
                    self._publisher.resume_publish(inbox, key)
            return False
        acknowledge()
        return True


Handler = Callable[[ReceivedMessage, Callable[[], None]], bool]


class _Puller:
    """Pulls one subscription and hands its messages to a handler, as the Pub/Sub service pushes them.

    A thread long-polls with unary Pull for as many messages as there is room for; the messages of one
    ordering key that come in one answer are handled in order by one worker, the others in parallel. A
    handled message is acknowledged; one that is not is redelivered after `backoff(delivery attempt)`
    seconds (its ack deadline is set to that), as a subscription's retry policy would.
    """

    def __init__(
        self,
        subscriber: SubscriberClient,
        path: str,
        handler: Handler,
        backoff: Callable[[int], float],
        ack_deadline_seconds: int,
        stopping: threading.Event,
    ) -> None:
        self.path = path
        self._subscriber = subscriber
        self._handler = handler
        self._backoff = backoff
        self._ack_deadline_seconds = ack_deadline_seconds
        self._stopping = stopping
        name = path.rsplit("/", 1)[-1]
        self._workers = ThreadPoolExecutor(max_workers=PULL_WORKERS, thread_name_prefix=f"push-{name}")
        self._room = threading.Condition()
        self._in_flight = 0
        self._thread = threading.Thread(target=self._pull, name=f"pull-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self) -> None:
        """Wait for the pulling to end (the runner's `stopping` is set); pushes under way are let go."""
        self._thread.join(timeout=PULL_SECONDS + 5)
        self._workers.shutdown(wait=False, cancel_futures=True)

    def _pull(self) -> None:
        while not self._stopping.is_set():
            with self._room:
                self._room.wait_for(lambda: self._in_flight < PULL_WORKERS, timeout=1)
                room = PULL_WORKERS - self._in_flight
            if room <= 0:
                continue
            try:
                response = self._subscriber.pull(
                    request={"subscription": self.path, "max_messages": room},
                    timeout=PULL_SECONDS,
                    retry=None,
                )
            except DeadlineExceeded:
                continue
            except Exception as error:  # the emulator restarting, or the runner stopping
                if not self._stopping.is_set():
                    logger.warning("pulling %s failed: %s", self.path, error)
                    self._stopping.wait(1)
                continue
            received = list(response.received_messages)
            if self._stopping.is_set():  # unacknowledged, they wait for the next run
                return
            with self._room:
                self._in_flight += len(received)
            for group in _by_ordering_key(received):
                self._workers.submit(self._handle, group)

    def _handle(self, group: list[ReceivedMessage]) -> None:
        try:
            for position, received in enumerate(group):
                if position:  # it waited for the ones before it: its ack deadline runs from now
                    self._modify_ack_deadline(received, self._ack_deadline_seconds)
                self._handle_one(received)
        finally:
            with self._room:
                self._in_flight -= len(group)
                self._room.notify()

    def _handle_one(self, received: ReceivedMessage) -> None:
        def acknowledge() -> None:
            self._subscriber.acknowledge(request={"subscription": self.path, "ack_ids": [received.ack_id]})

        try:
            handled = self._handler(received, acknowledge)
        except Exception:  # never lost: unacknowledged, it is redelivered when its ack deadline ends
            if not self._stopping.is_set():
                logger.exception("handling a message of %s failed", self.path)
            return
        if not handled:
            self._modify_ack_deadline(received, self._backoff(received.delivery_attempt or 1))

    def _modify_ack_deadline(self, received: ReceivedMessage, seconds: float) -> None:
        try:
            self._subscriber.modify_ack_deadline(
                request={
                    "subscription": self.path,
                    "ack_ids": [received.ack_id],
                    "ack_deadline_seconds": round(seconds),
                }
            )
        except Exception as error:  # the deadline it had runs out instead: redelivered all the same
            if not self._stopping.is_set():
                logger.warning("modifying an ack deadline on %s failed: %s", self.path, error)


def _by_ordering_key(received: list[ReceivedMessage]) -> list[list[ReceivedMessage]]:
    """Messages with one ordering key together, in the order they came; each unkeyed one alone."""
    groups: dict[str, list[ReceivedMessage]] = {}
    alone: list[list[ReceivedMessage]] = []
    for item in received:
        key = item.message.ordering_key
        if key:
            groups.setdefault(key, []).append(item)
        else:
            alone.append([item])
    return [*groups.values(), *alone]


def _unrouted(message: PubsubMessage) -> tuple[dict[str, str], str | None, str | None, str]:
    """A message as it was published before the router copied it to an inbox: its attributes without the
    router's, its original id and publish time (None when it was not routed) and its ordering key."""
    attributes = dict(message.attributes)
    routed_id = attributes.pop(ROUTED_ID, None)
    routed_time = attributes.pop(ROUTED_TIME, None)
    ordering_key = attributes.pop(ROUTED_KEY, message.ordering_key)
    return attributes, routed_id, routed_time, ordering_key


def _rfc3339(message: PubsubMessage) -> str:
    return str(message.publish_time.isoformat()).replace("+00:00", "Z")


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
        # The functions read their retry policies from the manifest their subscriptions were made from.
        manifest_file = log_dir / "manifest.json"
        manifest_file.write_text(manifest.model_dump_json(indent=2))
        self.env = {
            **os.environ,
            **env,
            "GOOGLE_CLOUD_PROJECT": project_id,
            "KIROKU_MANIFEST_FILE": str(manifest_file),
        }
        # prometheus-client's multiprocess mode: every function keeps its figures here, and the GraphQL
        # function's /metrics sums them (shared/observability/metrics.py). Emptied: they start at zero.
        metrics_dir = log_dir / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        self.env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        self.log_dir = log_dir
        self.audit = AuditFile(log_dir)
        self.faults = faults or FaultInjection()
        for fault in (self.faults.lose, self.faults.hold, self.faults.crash_after_commit):
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
        self._pullers: list[_Puller] = []
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
        for puller in self._pullers:
            puller.join()
        self._pullers.clear()
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
                    "ack_deadline_seconds": ROUTER_ACK_DEADLINE_SECONDS,
                    "enable_message_ordering": True,
                }
            )

    def _open_router(self, topic: str) -> None:
        assert self._subscriber is not None
        routes = [
            InboxRoute(
                parse_filter(spec.trigger.filter) if spec.trigger.filter else None,
                self.topic_path(_inbox(spec)),
                shares_keys=spec.entry_point not in GATEWAY_ENTRY_POINTS,
            )
            for spec in self.manifest.functions
            if isinstance(spec.trigger, TopicTrigger) and spec.trigger.topic == topic
        ]
        audit = self.audit if topic in self.manifest.audited else None
        self._start_puller(
            self.subscription_path(_router_subscription(topic)),
            _Router(topic, routes, self._router_publisher(), audit),
            lambda _attempt: ROUTE_RETRY_SECONDS,
            ROUTER_ACK_DEADLINE_SECONDS,
        )

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
        # The emulator dead-letters from unordered subscriptions itself, never from ordered ones.
        dead_letter = functools.partial(self._dead_letter, spec) if spec.ordering else None
        deliver = _Delivery(spec, path, self.servers[spec.name].url, self._http, self.faults, dead_letter)
        self._start_puller(path, deliver, spec.retry.backoff_seconds, spec.ack_deadline_seconds)

    def _dead_letter(self, spec: FunctionSpec, received: ReceivedMessage) -> None:
        """Forward a message to the function's dead-letter topic as Pub/Sub would: its data, its original
        attributes and ordering key, and what Pub/Sub adds. Raises if the publish fails (the message is
        then redelivered, and dead-lettered on that attempt's failure)."""
        message = received.message
        attributes, _, published, ordering_key = _unrouted(message)
        published_at = datetime.fromisoformat(published) if published else message.publish_time
        attributes |= {
            DEAD_LETTER_SUBSCRIPTION: spec.subscription,
            DEAD_LETTER_PROJECT: self.project_id,
            DEAD_LETTER_DELIVERY_COUNT: str(received.delivery_attempt),
            DEAD_LETTER_PUBLISH_TIME: published_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
            + "Z",
        }
        topic = self.topic_path(spec.dead_letter_topic)
        publisher = self._router_publisher()
        future = publisher.publish(topic, message.data, ordering_key=ordering_key, **attributes)
        try:
            future.result(timeout=30)
        except Exception:
            if ordering_key:
                publisher.resume_publish(topic, ordering_key)
            raise

    def _start_puller(
        self, path: str, handler: Handler, backoff: Callable[[int], float], ack_deadline_seconds: int
    ) -> None:
        assert self._subscriber is not None
        puller = _Puller(self._subscriber, path, handler, backoff, ack_deadline_seconds, self._stopping)
        puller.start()
        self._pullers.append(puller)

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
