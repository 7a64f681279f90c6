"""The manifest-driven runner: Pub/Sub push subscriptions, as the cloud wires them, on a laptop.

In the cloud each topic-triggered function sits behind a push subscription with the manifest's filter,
ordering, retry and dead-letter policy. The official emulator's push subscriptions never dead-letter,
send no `deliveryAttempt` and ignore filters, so the runner instead:

1. creates the topics, each function's subscription (with its dead-letter and retry policy and ordering)
   and dead-letter topic, and a subscription that keeps each dead-letter topic's messages;
2. starts every function as its own functions-framework server process (one function, one server);
3. applies the filters as Pub/Sub does, on the server side, once per message: a router pulls each
   topic once and hands each message to a lane of every function whose filter matches, which pushes it
   straight to the function: one message of an ordering key at a time per function, the keys and the
   functions side by side, so a hop crosses the emulator once and a slow function holds up no other;
4. keeps, per function, an inbox topic where that function's subscription sits, with its retry and
   dead-letter policy: a message whose direct push failed goes there (its first delivery there stands
   for the failed push, attempt 1, and is only nacked, so attempts, backoff and dead-lettering count as
   Pub/Sub's would), and so do the later messages of that ordering key until the inbox has delivered
   them (the key's order holds). A gateway's function always takes its messages through its inbox: its
   calls may wait a minute on a partner, and would hold the router so long. The inbox's subscription is
   pulled with unary Pull calls, which the emulator answers as soon as a message is there (a long poll),
   and each message is POSTed as the push envelope the cloud would send; 2xx acks, anything else asks
   for a redelivery after the retry policy's backoff for that attempt (the ack deadline is set to it),
   and after the maximum attempts the message is dead-lettered. With ordering on, the emulator hands out
   a key's next message only after the previous one is acked, and messages of one key that arrive
   together are pushed one after another (in an inbox, aggregates share `INBOX_ORDERING_KEYS` keys, see
   there). The client library's StreamingPull is not used: under load the emulator ends streams, and
   after the client reopens one the emulator holds that subscription's new messages back for a full ack
   deadline;
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
from collections import Counter, deque
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
from shared.bus.publisher import BATCH_LATENCY_SECONDS
from shared.bus.subscription_filter import Predicate, parse_filter
from shared.observability.tracing import span_file

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A ceiling, not a wait: seconds on a quiet laptop, far more beside other local clouds (the test suite's
# two workers each run one) on two cores.
FUNCTION_START_SECONDS = 180.0
# How long one Pull waits for a message (the emulator answers at once when one comes; stopping cancels
# it), and how many messages of one subscription are pushed at a time. Each of the forty-odd
# subscriptions' idle polls costs the emulator and the runner a few milliseconds of CPU: short polls
# kept a resting stack busy.
PULL_SECONDS = 60.0
PULL_WORKERS = 16
PULL_BATCH = 4  # while busy, a Pull waits until this many workers are free
# How many pushes the routers' lanes make at once, over every function and ordering key.
LANE_THREADS = 128
# At most this many ids in one Acknowledge call (Pub/Sub takes up to 2,500, and 512 KB).
ACK_BATCH = 1000
# A message the router could not deliver or keep in an inbox is offered again after this long.
ROUTE_RETRY_SECONDS = 1.0
ROUTER_ACK_DEADLINE_SECONDS = 60
# Attributes the router adds to a message it keeps in an inbox and the delivery removes: the message's
# original id, publish time and ordering key, and whether its direct push failed (attempt 1).
ROUTED_ID = "kiroku-routed-message-id"
ROUTED_TIME = "kiroku-routed-publish-time"
ROUTED_KEY = "kiroku-routed-ordering-key"
DIVERTED = "kiroku-routed-after-failed-push"
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


class Diversions:
    """How many messages of each function's ordering keys wait in its inbox. While a key has any, the
    router sends that key's next messages to the inbox too, behind them: the function sees the key's
    messages in order, as an ordered subscription promises."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: Counter[tuple[str, str]] = Counter()

    def waiting(self, function: str, key: str) -> bool:
        with self._lock:
            return self._waiting[(function, key)] > 0

    def add(self, function: str, key: str) -> None:
        with self._lock:
            self._waiting[(function, key)] += 1

    def delivered(self, function: str, key: str) -> None:
        """One of the key's messages left the inbox (or never reached it). A message the runner did not
        count (one of an earlier run) changes nothing."""
        with self._lock:
            if self._waiting[(function, key)] > 0:
                self._waiting[(function, key)] -= 1
            if not self._waiting[(function, key)]:
                del self._waiting[(function, key)]


class _Delivery:
    """Delivers one function's messages to it, as a push subscription would: straight from the router,
    or from its inbox's subscription."""

    def __init__(
        self,
        spec: FunctionSpec,
        subscription_path: str,
        url: str,
        http: urllib3.PoolManager,
        faults: FaultInjection,
        diversions: Diversions,
        dead_letter: Callable[[PubsubMessage, int], None] | None = None,
    ) -> None:
        """`dead_letter`: forwards a message (and its last attempt) to the dead-letter topic, for a
        subscription whose messages the emulator does not dead-letter itself (an ordered one)."""
        self.spec = spec
        self.subscription_path = subscription_path
        self.url = url
        self._http = http
        self._faults = faults
        self._diversions = diversions
        self._dead_letter = dead_letter
        self._lost: Predicate | None = parse_filter(faults.lose) if faults.lose else None
        self._held: Predicate | None = parse_filter(faults.hold) if faults.hold else None
        self._lost_aggregates: dict[str, str] = {}  # aggregate -> the id of its lost message
        self._random = random.Random(faults.seed)  # noqa: S311 - chaos, not cryptography
        self._random_lock = threading.Lock()

    def __call__(self, received: ReceivedMessage, acknowledge: Callable[[], None]) -> bool:
        """Push one message of the inbox; whether it was handled (acknowledged through `acknowledge`)."""
        message, attempt = received.message, received.delivery_attempt or 1
        if DIVERTED in message.attributes and attempt == 1:
            return False  # it stands for the direct push that failed: redelivered after that one's backoff
        handled = self._push(message, attempt, acknowledge) or self._gave_up(message, attempt, acknowledge)
        if handled:
            self._diversions.delivered(
                self.spec.name, message.attributes.get(ROUTED_KEY, message.ordering_key)
            )
        return handled

    def push_direct(self, message: PubsubMessage) -> bool:
        """Push a message as the router pulled it, as its first delivery attempt; whether it was handled.
        The router acknowledges it once every function it goes to has it."""
        return self._push(message, 1, lambda: None)

    def _push(self, message: PubsubMessage, attempt: int, acknowledge: Callable[[], None]) -> bool:
        attributes = dict(message.attributes)
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
        body = json.dumps(self._push_body(message, attempt)).encode()
        duplicate = self._duplicate()
        what = f"{attributes.get('type')} {attributes.get('id')} (attempt {attempt})"
        twin = None
        if duplicate == "concurrent":
            twin = threading.Thread(target=self._post, args=(body, what), name=f"{self.spec.name}-twin")
            twin.start()
        handled = self._post(body, what)
        if twin is not None:
            twin.join()
        if not handled:
            return False
        acknowledge()
        if duplicate == "after":
            self._post(body, what)
        return True

    def _gave_up(self, message: PubsubMessage, attempt: int, acknowledge: Callable[[], None]) -> bool:
        """After a failed delivery: on the last attempt, dead-letter the message (when the runner does it
        for this subscription) and count it handled; otherwise it is redelivered."""
        if self._dead_letter is None or attempt < self.spec.dead_letter.max_delivery_attempts:
            return False
        self._dead_letter(message, attempt)
        acknowledge()
        logger.warning(
            "%s gave up on %s %s after %d attempts: dead-lettered to %s",
            self.spec.name,
            message.attributes.get("type"),
            message.attributes.get("id"),
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

    def _push_body(self, message: PubsubMessage, attempt: int) -> dict[str, object]:
        # The id and time the message was first published with, as Pub/Sub would push them.
        attributes, routed_id, routed_time, ordering_key = _unrouted(message)
        message_id = routed_id or message.message_id
        publish_time = routed_time or _rfc3339(message)
        return {
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
            # Every function's subscription has a dead-letter policy, with which Pub/Sub counts attempts.
            "deliveryAttempt": attempt,
        }

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
    """One function's inbox topic, and the ordering keys its messages take there."""

    topic: str
    # Whether the inbox takes one of INBOX_ORDERING_KEYS keys rather than the aggregate's own. Not for a
    # gateway's function: its message may wait a minute for a partner, and would hold the others so long.
    shares_keys: bool

    def ordering_key(self, key: str) -> str:
        if not key or not self.shares_keys:
            return key
        return f"inbox-{zlib.crc32(key.encode()) % INBOX_ORDERING_KEYS}"


@dataclass(frozen=True)
class Route:
    """Which of a topic's messages go to one function, and how: pushed straight to it by the router
    (`direct`), or always through its inbox (a gateway's function)."""

    matches: Predicate | None
    delivery: _Delivery
    inbox: InboxRoute
    direct: bool

    @property
    def function(self) -> str:
        return self.delivery.spec.name

    def keeps_order(self, key: str) -> bool:
        """Whether the key's later messages must follow its messages that wait in the inbox."""
        return self.direct and self.delivery.spec.ordering and bool(key)


class _Lanes:
    """The router's pushes to one function: each ordering key's messages one after another, in the
    order the router took them, and the keys side by side, as a push subscription with ordering delivers
    them. A message whose push fails goes to the function's inbox (`divert`), and while the inbox holds
    any of a key's messages the key's later ones follow them there (an ordered function's)."""

    def __init__(
        self,
        route: Route,
        threads: ThreadPoolExecutor,
        diversions: Diversions,
        divert: Callable[[PubsubMessage, bool], None],
    ) -> None:
        self._route = route
        self._threads = threads
        self._diversions = diversions
        self._divert = divert
        self._waiting: dict[str, deque[PubsubMessage]] = {}  # a key being pushed -> its next messages
        self._lock = threading.Lock()

    def add(self, message: PubsubMessage) -> None:
        key = message.ordering_key
        if key:
            with self._lock:
                waiting = self._waiting.get(key)
                if waiting is not None:
                    waiting.append(message)
                    return
                self._waiting[key] = deque()
        self._threads.submit(self._push_in_turn, key, message)

    def _push_in_turn(self, key: str, message: PubsubMessage) -> None:
        while True:
            self._push(message)
            if not key:
                return
            with self._lock:
                waiting = self._waiting[key]
                if not waiting:
                    del self._waiting[key]
                    return
                message = waiting.popleft()

    def _push(self, message: PubsubMessage) -> None:
        route, key = self._route, message.ordering_key
        if route.keeps_order(key) and self._diversions.waiting(route.function, key):
            self._divert(message, False)
            return
        try:
            handled = route.delivery.push_direct(message)
        except Exception:
            logger.exception("pushing %s to %s failed", message.attributes.get("type"), route.function)
            handled = False
        if not handled:
            self._divert(message, True)


class _Router:
    """Delivers one topic's messages to the functions whose filter matches, after keeping each in the
    audit record when the topic is audited: into each function's lanes (pushed straight to it), or for
    a gateway's function into its inbox. A message is acknowledged once every function's lane or inbox
    has it: the lanes live as long as the emulator's own memory of the message would, the local cloud's
    lifetime."""

    def __init__(
        self,
        topic: str,
        routes: list[Route],
        publisher: PublisherClient,
        threads: ThreadPoolExecutor,
        diversions: Diversions,
        audit: AuditFile | None,
        stopping: threading.Event,
    ) -> None:
        self._topic = topic
        self._routes = routes
        self._publisher = publisher
        self._diversions = diversions
        self._audit = audit
        self._stopping = stopping
        self._lanes = {
            route.function: _Lanes(route, threads, diversions, functools.partial(self._divert, route))
            for route in routes
            if route.direct
        }

    def __call__(self, received: ReceivedMessage, acknowledge: Callable[[], None]) -> bool:
        """Route one message; whether every function's lane or inbox has it (then acknowledged through
        `acknowledge`)."""
        message = received.message
        attributes = dict(message.attributes)
        if self._audit is not None:  # before routing, as a BigQuery subscription writes it
            self._audit.keep(self._topic, message.message_id, message.publish_time, message.data, attributes)
        routes = [route for route in self._routes if route.matches is None or route.matches(attributes)]
        inboxed = [(route, False) for route in routes if not route.direct]
        if inboxed and not self._keep_in_inboxes(message, attributes, inboxed):
            return False
        for route in routes:
            if route.direct:
                self._lanes[route.function].add(message)
        acknowledge()
        return True

    def _divert(self, route: Route, message: PubsubMessage, failed: bool) -> None:
        """Keep `message` in the route's inbox (marked if its push failed), trying until it is kept."""
        attributes = dict(message.attributes)
        while not self._keep_in_inboxes(message, attributes, [(route, failed)]):
            if self._stopping.wait(ROUTE_RETRY_SECONDS):
                return

    def _keep_in_inboxes(
        self, message: PubsubMessage, attributes: dict[str, str], routes: list[tuple[Route, bool]]
    ) -> bool:
        """Publish `message` to the inbox of each route (marked where its direct push failed); whether
        every inbox has it."""
        key = message.ordering_key
        original = {ROUTED_ID: message.message_id, ROUTED_TIME: _rfc3339(message)}
        if key:
            original[ROUTED_KEY] = key
        published = []
        for route, failed in routes:
            marks = {DIVERTED: "1"} if failed else {}
            if route.keeps_order(key):
                self._diversions.add(route.function, key)
            inbox_key = route.inbox.ordering_key(key)
            future = self._publisher.publish(
                route.inbox.topic, message.data, ordering_key=inbox_key, **attributes, **original, **marks
            )
            published.append((route, inbox_key, future))
        kept = True
        for route, inbox_key, future in published:
            try:
                future.result(timeout=30)
            except Exception as error:  # redelivered to the router; each function's handler is idempotent
                logger.warning(
                    "keeping %s in %s failed: %s", attributes.get("type"), route.inbox.topic, error
                )
                kept = False
                if inbox_key:
                    self._publisher.resume_publish(route.inbox.topic, inbox_key)
                if route.keeps_order(key):
                    self._diversions.delivered(route.function, key)
        return kept


Handler = Callable[[ReceivedMessage, Callable[[], None]], bool]


class _Acknowledger:
    """Acknowledges one subscription's messages in batches: the messages handled while one Acknowledge
    call is under way go together in the next, so a busy subscription makes one call for many messages
    (each call costs the emulator far more than the ids in it) and a quiet one waits for none."""

    def __init__(self, subscriber: SubscriberClient, path: str, stopping: threading.Event) -> None:
        self._subscriber = subscriber
        self._path = path
        self._stopping = stopping
        self._pending: list[str] = []
        self._ready = threading.Condition()
        name = path.rsplit("/", 1)[-1]
        self._thread = threading.Thread(target=self._run, name=f"ack-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self) -> None:
        with self._ready:
            self._ready.notify()
        self._thread.join(timeout=5)

    def __call__(self, ack_id: str) -> None:
        with self._ready:
            self._pending.append(ack_id)
            self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                self._ready.wait_for(lambda: bool(self._pending) or self._stopping.is_set(), timeout=1)
                batch, self._pending = self._pending[:ACK_BATCH], self._pending[ACK_BATCH:]
            if batch:
                try:
                    self._subscriber.acknowledge(request={"subscription": self._path, "ack_ids": batch})
                except Exception as error:  # unacknowledged, they are redelivered: at least once
                    if self._stopping.is_set():
                        return
                    logger.warning(
                        "acknowledging %d messages of %s failed: %s", len(batch), self._path, error
                    )
            elif self._stopping.is_set():
                return


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
        self._acknowledge = _Acknowledger(subscriber, path, stopping)

    def start(self) -> None:
        self._acknowledge.start()
        self._thread.start()

    def join(self) -> None:
        """Wait for the pulling to end (the runner's `stopping` is set); pushes under way are let go."""
        self._thread.join(timeout=5)
        self._workers.shutdown(wait=False, cancel_futures=True)
        self._acknowledge.join()

    def _pull(self) -> None:
        while not self._stopping.is_set():
            with self._room:
                # A Pull costs the emulator far more than the messages in it: while busy, wait until a
                # batch's worth of room is free rather than pulling one message at a time.
                self._room.wait_for(lambda: PULL_WORKERS - self._in_flight >= PULL_BATCH, timeout=1)
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
            pulled = time.monotonic()
            for group in _by_ordering_key(received):
                self._workers.submit(self._handle, group, pulled)

    def _handle(self, group: list[ReceivedMessage], pulled: float) -> None:
        try:
            for position, received in enumerate(group):
                if position and time.monotonic() - pulled > self._ack_deadline_seconds / 2:
                    # It waited long for the ones before it: its ack deadline runs from now.
                    self._modify_ack_deadline(received, self._ack_deadline_seconds)
                    pulled = time.monotonic()
                backoff = self._handle_one(received)
                if backoff is not None:
                    # A key's later messages must not overtake one that is to be redelivered: like
                    # Pub/Sub, redeliver them after it.
                    for later in group[position + 1 :]:
                        self._modify_ack_deadline(later, backoff)
                    return
        finally:
            with self._room:
                self._in_flight -= len(group)
                self._room.notify()

    def _handle_one(self, received: ReceivedMessage) -> float | None:
        """Hand one message to the handler; None when it was handled, else the seconds until its
        redelivery."""

        try:
            handled = self._handler(received, functools.partial(self._acknowledge, received.ack_id))
        except Exception:  # never lost: unacknowledged, it is redelivered when its ack deadline ends
            if not self._stopping.is_set():
                logger.exception("handling a message of %s failed", self.path)
            return float(self._ack_deadline_seconds)
        if handled:
            return None
        backoff = self._backoff(received.delivery_attempt or 1)
        self._modify_ack_deadline(received, backoff)
        return backoff

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
    attributes.pop(DIVERTED, None)
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
        # Kept open per function: as many as its lanes and its inbox push at once.
        self._http = urllib3.PoolManager(maxsize=LANE_THREADS + PULL_WORKERS)
        self._diversions = Diversions()
        self._deliveries: dict[str, _Delivery] = {}
        self._lane_threads = ThreadPoolExecutor(max_workers=LANE_THREADS, thread_name_prefix="lane")
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
        for spec in self.manifest.functions:
            if isinstance(spec.trigger, TopicTrigger):
                self._open_inbox(spec)
        for topic in self.manifest.topics:
            self._open_router(topic)
        for spec in self.manifest.functions:
            if spec.schedule is not None and not isinstance(spec.trigger, TopicTrigger):
                timer = threading.Thread(
                    target=self._tick, args=(spec,), name=f"schedule-{spec.name}", daemon=True
                )
                timer.start()
                self._timers.append(timer)
        logger.info("runner serving %d functions", len(self.servers))

    def stop(self) -> None:
        self._stopping.set()
        if self._subscriber is not None:
            self._subscriber.close()  # ends the long polls under way
        for puller in self._pullers:
            puller.join()
        self._pullers.clear()
        self._lane_threads.shutdown(wait=False, cancel_futures=True)
        for timer in self._timers:
            timer.join(timeout=5)
        self.host.stop()
        if self._ordered_publisher is not None:
            self._ordered_publisher.stop()
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
        routes = []
        for spec in self.manifest.functions:
            if isinstance(spec.trigger, TopicTrigger) and spec.trigger.topic == topic:
                direct = spec.entry_point not in GATEWAY_ENTRY_POINTS
                route = Route(
                    parse_filter(spec.trigger.filter) if spec.trigger.filter else None,
                    self._deliveries[spec.name],
                    InboxRoute(self.topic_path(_inbox(spec)), shares_keys=direct),
                    direct,
                )
                routes.append(route)
        audit = self.audit if topic in self.manifest.audited else None
        router = _Router(
            topic,
            routes,
            self._router_publisher(),
            self._lane_threads,
            self._diversions,
            audit,
            self._stopping,
        )
        self._start_puller(
            self.subscription_path(_router_subscription(topic)),
            router,
            lambda _attempt: ROUTE_RETRY_SECONDS,
            ROUTER_ACK_DEADLINE_SECONDS,
        )

    def _router_publisher(self) -> PublisherClient:
        if self._ordered_publisher is None:
            self._ordered_publisher = PublisherClient(
                batch_settings=BatchSettings(max_latency=BATCH_LATENCY_SECONDS),
                publisher_options=PublisherOptions(enable_message_ordering=True),
            )
        return self._ordered_publisher

    def _create_subscription(self, request: dict[str, object]) -> None:
        assert self._subscriber is not None
        with suppress(AlreadyExists):
            self._subscriber.create_subscription(request=request)

    def _open_inbox(self, spec: FunctionSpec) -> None:
        assert self._subscriber is not None
        path = self.subscription_path(spec.subscription)
        # The emulator dead-letters from unordered subscriptions itself, never from ordered ones.
        dead_letter = functools.partial(self._dead_letter, spec) if spec.ordering else None
        url = self.servers[spec.name].url
        deliver = _Delivery(spec, path, url, self._http, self.faults, self._diversions, dead_letter)
        self._deliveries[spec.name] = deliver
        self._start_puller(path, deliver, spec.retry.backoff_seconds, spec.ack_deadline_seconds)

    def _dead_letter(self, spec: FunctionSpec, message: PubsubMessage, attempt: int) -> None:
        """Forward a message to the function's dead-letter topic as Pub/Sub would: its data, its original
        attributes and ordering key, and what Pub/Sub adds. Raises if the publish fails (the message is
        then redelivered, and dead-lettered on that attempt's failure)."""
        attributes, _, published, ordering_key = _unrouted(message)
        published_at = datetime.fromisoformat(published) if published else message.publish_time
        attributes |= {
            DEAD_LETTER_SUBSCRIPTION: spec.subscription,
            DEAD_LETTER_PROJECT: self.project_id,
            DEAD_LETTER_DELIVERY_COUNT: str(attempt),
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
        self,
        path: str,
        handler: Handler,
        backoff: Callable[[int], float],
        ack_deadline_seconds: int,
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
    """The topic a function's subscription sits on locally: what the router could not push to it."""
    return f"{spec.name}-inbox"


def _router_subscription(topic: str) -> str:
    return f"kiroku-router-{topic}"
