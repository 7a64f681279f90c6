"""`kiroku trace`: an order run through the local cloud is found again from its correlation id alone, as
one trace with a span for every hop, each after the span of the hop that caused it, and inside the hops
a span for each event-store append and gateway call.

Which hops there must be is not written down here but worked out as the cloud routes messages: every
event the order's conversation stored, each function the manifest subscribes to it (projectors, saga
steps), and the handler of each event's cause (its command, or the event a saga step handled).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from shared.bus.manifest import Manifest, TopicTrigger
from shared.bus.subscription_filter import parse_filter
from shared.bus.topics import COMMANDS_TOPIC, EVENTS_TOPIC
from shared.messages.envelope import Envelope
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
