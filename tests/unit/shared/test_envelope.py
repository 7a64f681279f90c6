"""The envelope: causation chains, attributes for filters, and bodies that are not envelopes."""

from __future__ import annotations

import pytest

from shared.messages.envelope import Actor, Envelope, EnvelopeError, TraceContext


def _command() -> Envelope:
    return Envelope.originate(
        kind="command",
        type="CreateProduct",
        aggregate_type="Product",
        aggregate_id="p-1",
        actor=Actor(uid="u-1", role="admin"),
        trace=TraceContext(traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        payload={"name": "Tea", "price": "4.50"},
    )


def test_an_originating_message_is_its_own_correlation_and_causation() -> None:
    command = _command()
    assert command.correlation_id == command.id == command.causation_id


def test_a_caused_message_keeps_correlation_actor_and_trace_and_points_at_its_cause() -> None:
    command = _command()
    event = command.caused(
        kind="event", type="ProductCreated", aggregate_type="Product", aggregate_id="p-1", aggregate_version=1
    )
    assert event.correlation_id == command.id
    assert event.causation_id == command.id
    assert event.id != command.id
    assert event.actor == command.actor
    assert event.trace == command.trace


def test_attributes_carry_the_routing_fields_as_strings() -> None:
    event = _command().caused(
        kind="event", type="ProductCreated", aggregate_type="Product", aggregate_id="p-1", aggregate_version=3
    )
    attributes = event.attributes()
    assert attributes["type"] == "ProductCreated"
    assert attributes["kind"] == "event"
    assert attributes["aggregate_version"] == "3"
    assert attributes["actor_role"] == "admin"
    assert attributes["traceparent"].startswith("00-0af7651916cd43dd")
    assert all(isinstance(value, str) for value in attributes.values())


def test_the_body_round_trips() -> None:
    command = _command()
    assert Envelope.from_data(command.to_data()) == command


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"{}",
        b'{"kind": "command"}',
        _command().to_data().replace(b'"command"', b'"gossip"'),
    ],
)
def test_a_body_that_is_not_an_envelope_raises_envelope_error(body: bytes) -> None:
    with pytest.raises(EnvelopeError):
        Envelope.from_data(body)
