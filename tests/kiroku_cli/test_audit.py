"""`kiroku audit`: an order's conversation as the bus carried it, from the local audit record the runner
keeps as the cloud's BigQuery subscriptions do: every command and every participant's event, each Pub/Sub
message once (an envelope sent again, as a saga step re-sends its commands, is a message of its own),
and none of the saga's bookkeeping, which stays in its stream."""

from __future__ import annotations

import uuid

from shared.application.aggregates import SAGA
from tests.e2e.conftest import until
from tests.kiroku_cli.conftest import Cloud


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
