"""What admins operate with: an aggregate's event history from the store, and peeking at dead letters."""

from __future__ import annotations

import time
import uuid

from google.cloud.pubsub_v1 import PublisherClient

from bench.cost import MetricsReader
from emulators.demo import DEMO_USERS
from shared.application.aggregates import KINDS
from shared.bus.audit import AuditFile
from tests.e2e.conftest import Stack


def test_every_aggregates_event_history_is_its_stream_page_by_page_with_ids_and_actors(stack: Stack) -> None:
    writer = stack.signed_in(*DEMO_USERS["writer"])
    product_id = f"hist-{uuid.uuid4().hex[:8]}"
    stack.admin.created("createCategory", f'input: {{id: "{product_id}-c", name: "History"}}')
    stack.admin.data(
        f'mutation {{ createProduct(input: {{id: "{product_id}", name: "Kept", categoryId: "{product_id}-c", '
        'price: {amount: "3.00", currency: "EUR"}, initialStock: 5}) { status } }'
    )
    placed = writer.data(
        f'mutation {{ placeOrder(input: {{lines: [{{productId: "{product_id}", quantity: 1}}], '
        'paymentToken: "tok_ok", shippingAddress: "1 Ledger Lane"}) '
        "{ commandId aggregateId order { status customerId } } }"
    )["placeOrder"]
    assert placed["order"]["status"] == "COMPLETED"
    history = stack.admin.data(
        f'{{ eventHistory(aggregateType: "Order", aggregateId: "{placed["aggregateId"]}") '
        "{ type version correlationId causationId actorUid actorRole payload } }"
    )["eventHistory"]
    assert history[0]["type"] == "OrderPlaced"
    assert history[-1]["type"] == "OrderCompleted"
    assert [event["version"] for event in history] == list(range(1, len(history) + 1))
    assert {event["correlationId"] for event in history} == {placed["commandId"]}
    assert history[0]["causationId"] == placed["commandId"]
    assert (history[0]["actorUid"], history[0]["actorRole"]) == (placed["order"]["customerId"], "writer")
    assert {event["actorRole"] for event in history[1:]} == {"system"}  # the saga moved it on
    unknown = stack.admin.post('{ eventHistory(aggregateType: "Nope", aggregateId: "x") { type } }')
    assert [error["extensions"]["code"] for error in unknown["errors"]] == ["BAD_USER_INPUT"]
    order_id = placed["aggregateId"]
    streams = {
        "Category": f"{product_id}-c",
        "Product": product_id,
        "Order": order_id,
        "Payment": order_id,
        "Shipment": order_id,
        "FulfilmentSaga": order_id,
    }
    assert set(streams) == set(KINDS)  # every aggregate type there is
    for aggregate_type, aggregate_id in streams.items():
        assert _paged_history(stack, aggregate_type, aggregate_id) == _stored_history(
            stack, aggregate_type, aggregate_id
        ), aggregate_type


def _paged_history(stack: Stack, aggregate_type: str, aggregate_id: str) -> list[tuple[int, str]]:
    """A stream's history read two events at a time, each page starting where the last one ended."""
    query = (
        "query($type: String!, $id: ID!, $from: Int!) { eventHistory(aggregateType: $type, "
        "aggregateId: $id, fromVersion: $from, first: 2) { type version } }"
    )
    read: list[tuple[int, str]] = []
    while page := stack.admin.data(
        query, {"type": aggregate_type, "id": aggregate_id, "from": len(read) + 1}
    )["eventHistory"]:
        assert len(page) <= 2
        read += [(event["version"], event["type"]) for event in page]
    return read


def _stored_history(stack: Stack, aggregate_type: str, aggregate_id: str) -> list[tuple[int, str]]:
    stream = stack.storage.events.read_stream(KINDS[aggregate_type].stream_id(aggregate_id))
    assert stream, f"{aggregate_type} {aggregate_id} has no events"
    return [(event.aggregate_version or 0, event.type) for event in stream]


def test_a_poison_message_is_kept_as_a_dead_letter_that_admins_can_peek_at(stack: Stack) -> None:
    marker = f"poison-{uuid.uuid4().hex}"
    publisher = PublisherClient()
    # A payment's event to an unordered saga step: the emulator dead-letters only from subscriptions
    # without message ordering (measured), while Pub/Sub itself does from both.
    topic = publisher.topic_path(stack.cloud.options.project_id, "events")
    publisher.publish(
        topic, marker.encode(), type="Poison", aggregate_type="Payment", aggregate_id=marker
    ).result(timeout=30)
    query = '{ deadLetters(function: "saga-on-payment", first: 100) { messageId type aggregateId data } }'
    deadline = time.monotonic() + 120
    while True:
        letters = [letter for letter in stack.admin.data(query)["deadLetters"] if letter["data"] == marker]
        if letters or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert len(letters) == 1, "the function refused it 5 times: Pub/Sub dead-letters it"
    assert letters[0]["type"] == "Poison"
    assert letters[0]["aggregateId"] == marker
    again = [letter for letter in stack.admin.data(query)["deadLetters"] if letter["data"] == marker]
    assert again == letters  # peeking leaves it there
    # Measured where it was given up on: the whole stack's /metrics counts it for its function.
    samples = MetricsReader(stack.admin.url).read()
    labels = (("function", "saga-on-payment"), ("type", "Poison"))
    assert samples[("kiroku_dead_lettered_total", labels)] >= 1
    # The audit record kept it as it was published, though it is no envelope.
    [kept] = [row for row in AuditFile(stack.log_dir).rows() if row.data == marker]
    assert (kept.topic, kept.attributes["type"]) == ("events", "Poison")
