"""Handlers racing each other on each real backend: two deliveries of one message at the same moment, and
many commands deciding one product's stock at once, have exactly the effects one at a time would."""

from __future__ import annotations

import logging
import sys
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, TypeVar, cast

import pytest

from shared.application.commands import CommandHandler
from shared.application.fulfilment import SagaRunner
from shared.application.outcomes import CommandOutcome
from shared.eventstore.model import AppendResult, LoadedStream
from shared.eventstore.store import EventStore
from shared.messages.envelope import Actor
from shared.storage import Storage
from tests.contract.factories import command, create_product
from tests.contract.test_command_handling import ADMIN, RecordingPublisher, create_catalogue, place_order

T = TypeVar("T")
SAGA = Actor(uid="fulfilment-saga", role="system")


def at_once(count: int, work: Callable[[int], T]) -> list[T]:
    """Run `work(0..count-1)` on as many threads, released together by a barrier. The threads switch
    often meanwhile: the in-memory store does no I/O, so under the default switch interval one thread
    could load and append before another runs at all, and nothing would race."""
    barrier = threading.Barrier(count)

    def released(index: int) -> T:
        barrier.wait()
        return work(index)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(released, range(count)))
    finally:
        sys.setswitchinterval(interval)


def test_two_deliveries_of_one_command_at_once_have_one_effect(storage: Storage) -> None:
    create_catalogue(CommandHandler(storage, RecordingPublisher()))
    placed = place_order("o-1")
    publishers = [RecordingPublisher(), RecordingPublisher()]

    outcomes = at_once(2, lambda index: CommandHandler(storage, publishers[index]).handle(placed, 1))

    assert {(outcome.status, outcome.version) for outcome in outcomes} == {("ACCEPTED", 1)}
    assert storage.events.stream_version("Order-o-1") == 1
    # A delivery that finds the other's append already committed publishes it again (it cannot tell a live
    # racer from one lost before its publish): the same event, which consumers take once.
    published = {envelope.id for publisher in publishers for _, envelope in publisher.published}
    assert published == {storage.events.read_stream("Order-o-1")[0].id}


def test_a_delivery_that_sees_the_other_delivery_commit_answers_accepted(storage: Storage) -> None:
    """The race that once answered a command's own effect as its rejection (CONFLICT ALREADY_EXISTS): the
    second delivery asks whether the command was committed, the first commits it, the second reads the stream
    the command itself changed, and answers before the first records its outcome."""
    create_catalogue(CommandHandler(storage, RecordingPublisher()))
    # A command whose second decision, against the stream it changed, is a rejection.
    created = create_product(ADMIN, product_id="p-2", name="Gyokuro", price="9.00", initial_stock=3)
    first_claimed, second_asked = threading.Event(), threading.Event()
    first_committed, second_answered = threading.Event(), threading.Event()

    def first_appends() -> None:
        first_claimed.set()
        assert second_asked.wait(timeout=30), "the second delivery never asked the store"

    def first_committed_it() -> None:
        first_committed.set()
        assert second_answered.wait(timeout=30), "the second delivery never answered"

    def second_asked_it() -> None:
        second_asked.set()
        assert first_committed.wait(timeout=30), "the first delivery never committed"

    first = _Hooked(storage.events, before_append=first_appends, after_append=first_committed_it)
    second = _Hooked(storage.events, after_committed=second_asked_it)

    def second_delivery() -> CommandOutcome:
        try:
            return CommandHandler(
                replace(storage, events=cast(EventStore, second)), RecordingPublisher()
            ).handle(created, 2)
        finally:
            second_answered.set()

    with ThreadPoolExecutor(max_workers=2) as pool:
        handler = CommandHandler(replace(storage, events=cast(EventStore, first)), RecordingPublisher())
        winner = pool.submit(handler.handle, created, 1)
        assert first_claimed.wait(timeout=30), "the first delivery never reached its append"
        racer = pool.submit(second_delivery)
        outcomes = [winner.result(timeout=60), racer.result(timeout=60)]

    assert [(outcome.status, outcome.version) for outcome in outcomes] == [("ACCEPTED", 1)] * 2
    assert storage.events.stream_version("Product-p-2") == 1


def test_a_redelivery_that_commits_before_the_first_delivery_loads_leaves_it_accepted(
    storage: Storage,
) -> None:
    """The first delivery wrote the command's claim, so it once took itself for the only one and never asked
    the store: the redelivery commits between that claim and the first delivery's load, the first delivery
    decides against the stream the command itself changed (CONFLICT ALREADY_EXISTS) and records that
    rejection before the redelivery records its acceptance."""
    create_catalogue(CommandHandler(storage, RecordingPublisher()))
    created = create_product(ADMIN, product_id="p-2", name="Gyokuro", price="9.00", initial_stock=3)
    first_claimed, second_committed, first_answered = threading.Event(), threading.Event(), threading.Event()

    def first_loads() -> None:
        first_claimed.set()
        assert second_committed.wait(timeout=30), "the redelivery never committed"

    def second_committed_it() -> None:
        second_committed.set()
        assert first_answered.wait(timeout=30), "the first delivery never answered"

    first = _Hooked(storage.events, before_load=first_loads)
    second = _Hooked(storage.events, after_append=second_committed_it)

    def first_delivery() -> CommandOutcome:
        try:
            return CommandHandler(
                replace(storage, events=cast(EventStore, first)), RecordingPublisher()
            ).handle(created, 1)
        finally:
            first_answered.set()

    with ThreadPoolExecutor(max_workers=2) as pool:
        winner = pool.submit(first_delivery)
        assert first_claimed.wait(timeout=30), "the first delivery never reached its load"
        handler = CommandHandler(replace(storage, events=cast(EventStore, second)), RecordingPublisher())
        racer = pool.submit(handler.handle, created, 2)
        outcomes = [winner.result(timeout=60), racer.result(timeout=60)]

    assert [(outcome.status, outcome.version) for outcome in outcomes] == [("ACCEPTED", 1)] * 2
    assert storage.events.stream_version("Product-p-2") == 1


class _Hooked:
    """An event store that runs hooks before it loads, around its appends and after it answers
    `committed`."""

    def __init__(
        self,
        events: EventStore,
        before_load: Callable[[], None] = lambda: None,
        before_append: Callable[[], None] = lambda: None,
        after_append: Callable[[], None] = lambda: None,
        after_committed: Callable[[], None] = lambda: None,
    ) -> None:
        self._events = events
        self._before_load = before_load
        self._before_append, self._after_append = before_append, after_append
        self._after_committed = after_committed

    def load(self, *args: Any, **kwargs: Any) -> LoadedStream:
        self._before_load()
        return self._events.load(*args, **kwargs)

    def append(self, *args: Any, **kwargs: Any) -> AppendResult:
        self._before_append()
        result = self._events.append(*args, **kwargs)
        self._after_append()
        return result

    def committed(self, command_id: str) -> AppendResult | None:
        result = self._events.committed(command_id)
        self._after_committed()
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._events, name)


class _AppendsTogether:
    """An event store whose appends wait for each other: both racing deliveries have loaded the stream
    before either writes, so one of them must lose the race, every time."""

    def __init__(self, events: EventStore, racers: int) -> None:
        self._events = events
        self._barrier = threading.Barrier(racers)
        self.results: list[AppendResult] = []

    def append(self, *args: Any, **kwargs: Any) -> AppendResult:
        self._barrier.wait(timeout=30)
        result = self._events.append(*args, **kwargs)
        self.results.append(result)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._events, name)


def test_two_deliveries_of_one_event_to_the_saga_at_once_decide_once(storage: Storage) -> None:
    create_catalogue(CommandHandler(storage, RecordingPublisher()))
    CommandHandler(storage, RecordingPublisher()).handle(place_order("o-1"), 1)
    placed = storage.events.read_stream("Order-o-1")[0]
    publishers = [RecordingPublisher(), RecordingPublisher()]
    racing = _AppendsTogether(storage.events, 2)
    raced = replace(storage, events=cast(EventStore, racing))

    at_once(2, lambda index: SagaRunner(raced, publishers[index]).handle(placed))

    # One append wrote; the other found the trigger's decision already written ("a racing delivery won").
    assert sorted(result.replayed for result in racing.results) == [False, True]

    saga = storage.events.read_stream("FulfilmentSaga-o-1")
    assert [event.type for event in saga] == ["SagaStarted", "CommandsIssued"]
    sent = [
        envelope for publisher in publishers for topic, envelope in publisher.published if topic == "commands"
    ]
    # The delivery that lost the race sends the winner's commands again, with the same ids.
    assert {envelope.type for envelope in sent} == {"ReserveStock"}
    assert len({envelope.id for envelope in sent}) == 1
    # Its events are its bookkeeping: neither delivery publishes them, and the outbox holds none.
    assert [topic for publisher in publishers for topic, _ in publisher.published] == ["commands"] * len(sent)
    assert not [entry for entry in storage.events.pending_outbox() if entry.stream_id == "FulfilmentSaga-o-1"]


def test_many_reservations_of_one_product_at_once_never_oversell(
    storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    create_catalogue(CommandHandler(storage, RecordingPublisher()))  # p-1 holds 10
    orders = 16
    reservations = [
        command("ReserveStock", SAGA, product_id="p-1", order_id=f"o-{n}", quantity=1) for n in range(orders)
    ]
    redelivered = Counter[str]()

    def reserve(index: int) -> str:
        handler = CommandHandler(storage, RecordingPublisher())
        while True:
            try:
                return handler.handle(reservations[index], 1).status
            except RuntimeError:  # kept losing the race for the stream: delivered again, as Pub/Sub would
                redelivered[reservations[index].id] += 1

    with caplog.at_level(logging.INFO, logger="shared.application.commands"):
        statuses = at_once(8, lambda thread: [reserve(index) for index in range(thread, orders, 8)])

    conflicts = [record for record in caplog.records if "deciding again" in record.getMessage()]
    assert conflicts, "the handlers never raced for the product's stream: nothing here was concurrent"
    print(f"{len(conflicts)} conflicts decided again, {sum(redelivered.values())} deliveries given up")
    assert Counter(status for batch in statuses for status in batch) == {"ACCEPTED": orders}
    decided = Counter(event.type for event in storage.events.read_stream("Product-p-1")[1:])
    assert decided == {"StockReserved": 10, "StockReservationFailed": orders - 10}
    reserved = [event.payload["order_id"] for event in storage.events.read_stream("Product-p-1")[1:]]
    assert len(reserved) == len(set(reserved)) == orders, "each reservation decided exactly once"
