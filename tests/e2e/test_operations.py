"""What admins operate with: an aggregate's event history from the store, and peeking at dead letters."""

from __future__ import annotations

import time
import uuid

from google.cloud.pubsub_v1 import PublisherClient

from emulators.demo import DEMO_USERS
from tests.e2e.conftest import Stack


def test_an_orders_event_history_is_its_stream_with_ids_and_actors(stack: Stack) -> None:
    writer = stack.signed_in(*DEMO_USERS["writer"])
    product_id = f"hist-{uuid.uuid4().hex[:8]}"
    stack.admin.data(
        f'mutation {{ createCategory(input: {{id: "{product_id}-c", name: "History"}}) {{ status }} }}'
    )
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


def test_a_poison_message_is_kept_as_a_dead_letter_that_admins_can_peek_at(stack: Stack) -> None:
    marker = f"poison-{uuid.uuid4().hex}"
    publisher = PublisherClient()
    # The events topic's unfiltered, unordered audit function: the emulator dead-letters only from
    # subscriptions without message ordering (measured), while Pub/Sub itself does from both.
    topic = publisher.topic_path(stack.cloud.options.project_id, "events")
    publisher.publish(topic, marker.encode(), type="Poison", aggregate_id=marker).result(timeout=30)
    query = '{ deadLetters(function: "bus-audit", first: 100) { messageId type aggregateId data } }'
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
