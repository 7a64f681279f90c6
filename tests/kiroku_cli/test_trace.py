"""`kiroku trace`: an order run through the local cloud is found again from its correlation id alone, as
one trace with a span for every hop, each after the span of the hop that caused it, and inside the hops
a span for each event-store append and gateway call.

Which hops there must be is not written down here but worked out as the cloud routes messages: every
event the order's conversation stored, each function the manifest subscribes to it (projectors, saga
steps), and the handler of each event's cause (its command, or the event a saga step handled).

`kiroku audit`: the same conversation as the bus carried it, from the local audit record the runner keeps
as the cloud's BigQuery subscriptions do: every command and every participant's event, each Pub/Sub
message once (an envelope sent again, as a saga step re-sends its commands, is a message of its own), and
none of the saga's bookkeeping, which stays in its stream. (Both follow an order, so they run after the
tests that need an empty cloud.)
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

from shared.application.aggregates import SAGA
from shared.bus.manifest import Manifest, TopicTrigger
from shared.bus.subscription_filter import parse_filter
from shared.bus.topics import COMMANDS_TOPIC, EVENTS_TOPIC
from shared.messages.envelope import Envelope
from tests.e2e.conftest import until
from tests.kiroku_cli.conftest import Cloud

SPANS_ARRIVE_SECONDS = 60.0


def _subscribers(topic: str, attributes: Mapping[str, str]) -> set[str]:
    """The functions the manifest hands a message with `attributes` to when it is published on `topic`."""
    return {
        spec.name
        for spec in Manifest.load().functions
        if isinstance(spec.trigger, TopicTrigger)
        and spec.trigger.topic == topic
        and (spec.trigger.filter is None or parse_filter(spec.trigger.filter)(attributes))
    }


def _conversation(cloud: Cloud, correlation_id: str) -> list[Envelope]:
    events = cloud.storage.events
    stored = [event for event in events.iter_log() if event.correlation_id == correlation_id]
    return [events.envelope(event) for event in stored]


def _trace_with_every_hop(cloud: Cloud, correlation_id: str, hops: set[tuple[str, str]]) -> list[Any]:
    """`kiroku trace --json`, asked until it has a span for each (function, message id) of `hops`: a
    function's spans reach its file a moment after its answer."""
    deadline = time.monotonic() + SPANS_ARRIVE_SECONDS
    while True:
        spans: list[Any] = cloud.kiroku_json("trace", correlation_id)
        missing = hops - {(span["function"], span["message_id"]) for span in spans}
        if not missing or time.monotonic() > deadline:
            assert not missing, f"no span for these hops (function, message id): {sorted(missing)}"
            return spans
        time.sleep(0.5)


def test_an_orders_trace_has_a_span_for_every_hop_in_causal_order(cloud: Cloud) -> None:
    correlation_id, _ = cloud.completed_order()
    events = _conversation(cloud, correlation_id)
    event_hops = {
        (name, event.id) for event in events for name in _subscribers(EVENTS_TOPIC, event.attributes())
    }
    assert {"project-orders", "project-products", "saga-on-order", "saga-on-reservation"} <= {
        function for function, _ in event_hops
    }

    spans = _trace_with_every_hop(cloud, correlation_id, event_hops)

    assert len({span["trace_id"] for span in spans}) == 1
    root = spans[0]
    assert (root["function"], root["kind"], root["depth"]) == ("graphql", "SERVER", 0)
    # Each message's spans: an event has one for each function subscribed to it.
    handled: dict[str, list[str]] = {}
    for span in spans:
        if span["message_id"] is not None:
            handled.setdefault(span["message_id"], []).append(span["span_id"])
    # The steps inside a hop that wait on something else, as (the hop's span, what): appends, gateway calls.
    steps = {
        (span["parent_id"], span["name"].removeprefix(f"{span['function']} "))
        for span in spans
        if span["message_id"] is None and span is not spans[0]
    }
    # Each event's cause was handled (its command, or the event a saga step handled), and appended it.
    for event in events:
        assert event.causation_id in handled, f"{event.type} {event.id}: no span for its cause"
        assert any((hop, "eventstore append") in steps for hop in handled[event.causation_id]), event.type
    # A message may be delivered twice (at least once): one of its deliveries called the gateway.
    for command, gateway_call in (("ProcessPayment", "payment capture"), ("ShipOrder", "shipping ship")):
        callers = [span["span_id"] for span in spans if span["message_type"] == command]
        assert any((caller, gateway_call) in steps for caller in callers), command
    # Each command by the function subscribed to its type, and the saga's commands among them.
    commands = [span for span in spans if span["message_kind"] == "command"]
    for span in commands:
        attributes = {"kind": "command", "type": span["message_type"]}
        assert _subscribers(COMMANDS_TOPIC, attributes) == {span["function"]}, span
    assert {"PlaceOrder", "ReserveStock", "ProcessPayment", "ShipOrder"} <= {
        span["message_type"] for span in commands
    }
    # Causal order: every span after its parent, and the parent is the hop that caused it: the GraphQL
    # request for the order's own command, else the handler of its message's cause (or of the cause's
    # cause, for the commands a saga step sends: their cause is the saga's own event, recorded there).
    causes = {event.id: event.causation_id for event in events}
    position = {span["span_id"]: index for index, span in enumerate(spans)}
    for index, span in enumerate(spans[1:], start=1):
        parent = spans[position[span["parent_id"]]]
        assert position[span["parent_id"]] < index
        assert span["depth"] == parent["depth"] + 1
        if span["message_id"] is None:  # a step inside its hop
            assert parent["message_id"] is not None
        elif span["message_id"] == correlation_id:
            assert parent is root
        else:
            assert parent["message_id"] in {span["causation_id"], causes.get(span["causation_id"])}, span


def test_an_orders_audit_is_every_message_the_bus_carried_for_it(cloud: Cloud) -> None:
    correlation_id, _ = cloud.completed_order()
    events = cloud.storage.events
    stored = [events.envelope(event) for event in events.iter_log() if event.correlation_id == correlation_id]
    saga_events = {event.id for event in stored if event.aggregate_type == SAGA.aggregate_type}
    published = [event for event in stored if event.id not in saga_events]
    assert saga_events
    assert published

    def audited() -> list[dict[str, object]] | None:
        messages: list[dict[str, object]] = cloud.kiroku_json("audit", correlation_id)
        carried = {message["id"] for message in messages}
        return messages if {event.id for event in published} <= carried else None

    messages = until(audited, timeout=30)

    ids = [message["id"] for message in messages]
    pubsub_ids = [message["message_id"] for message in messages]
    assert len(pubsub_ids) == len(set(pubsub_ids)), "each Pub/Sub message once, though delivered twice"
    assert (messages[0]["id"], messages[0]["type"], messages[0]["topic"]) == (
        correlation_id,
        "PlaceOrder",
        "commands",
    )
    assert not saga_events & set(ids), "the saga's bookkeeping is not put on the bus"
    by_id = {message["id"]: message for message in messages}
    for event in published:
        assert by_id[event.id]["topic"] == "events"
        command = by_id[event.causation_id]  # every participant's event was caused by a carried command
        assert command["topic"] == "commands"
        assert command["after_ms"] <= by_id[event.id]["after_ms"]  # type: ignore[operator]
    commands = {message["type"] for message in messages if message["topic"] == "commands"}
    assert {"PlaceOrder", "ReserveStock", "ProcessPayment", "ShipOrder", "CompleteOrder"} <= commands

    shown = cloud.kiroku("audit", correlation_id).stdout
    assert f"audit of {correlation_id}: {len(messages)} messages" in shown
    assert "ProcessPayment" in shown
    unknown = str(uuid.uuid4())
    assert cloud.kiroku_json("audit", unknown, code=1) == []
