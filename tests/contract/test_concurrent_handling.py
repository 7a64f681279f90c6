"""Handlers racing each other on each real backend: two deliveries of one message at the same moment, and
many commands deciding one product's stock at once, have exactly the effects one at a time would."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, TypeVar, cast

import pytest

from shared.application.commands import CommandHandler
from shared.application.sagas import SagaRunner
from shared.eventstore.model import AppendResult
from shared.eventstore.store import EventStore
from shared.messages.envelope import Actor
from shared.storage import Storage
from tests.contract.factories import command
from tests.contract.test_command_handling import RecordingPublisher, create_catalogue, place_order

T = TypeVar("T")
SAGA = Actor(uid="fulfilment-saga", role="system")


def at_once(count: int, work: Callable[[int], T]) -> list[T]:
    """Run `work(0..count-1)` on as many threads, released together by a barrier."""
    barrier = threading.Barrier(count)

    def released(index: int) -> T:
        barrier.wait()
        return work(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(released, range(count)))


def test_two_deliveries_of_one_command_at_once_have_one_effect(storage: Storage) -> None:
    create_catalogue(CommandHandler(storage, RecordingPublisher()))
    placed = place_order("o-1")
    publishers = [RecordingPublisher(), RecordingPublisher()]

    outcomes = at_once(2, lambda index: CommandHandler(storage, publishers[index]).handle(placed, 1))

    assert {(outcome.status, outcome.version) for outcome in outcomes} == {("ACCEPTED", 1)}
    assert storage.events.stream_version("Order-o-1") == 1
    published = [envelope.id for publisher in publishers for _, envelope in publisher.published]
    assert len(published) == len(set(published)) == 1, (
        "the event is published by the delivery that appended it"
    )


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
    events = [
        envelope.id
        for publisher in publishers
        for topic, envelope in publisher.published
        if topic == "events"
    ]
    assert len(events) == len(set(events)) == 2, "the saga's two events are published by the winner alone"


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
