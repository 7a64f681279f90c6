"""The command handler (with its fact finder): a command decided, refused, delivered twice, or crashed
after its commit and delivered again."""

from __future__ import annotations

import pytest

from shared.application.commands import CommandHandler
from shared.application.outcomes import OutcomeLog
from shared.messages.envelope import Envelope
from shared.storage import Storage
from tests.contract.factories import command, create_product
from tests.contract.test_command_handling import (
    ADMIN,
    Crashed,
    RecordingPublisher,
    create_catalogue,
    place_order,
)


def published_events(publisher: RecordingPublisher, caused_by: str) -> list[Envelope]:
    return [
        envelope
        for topic, envelope in publisher.published
        if topic == "events" and envelope.causation_id == caused_by
    ]


def test_a_placed_order_is_decided_at_the_current_price_and_its_event_published(
    storage: Storage, publisher: RecordingPublisher
) -> None:
    handler = CommandHandler(storage, publisher)
    create_catalogue(handler)
    repriced = command("ChangePrice", ADMIN, product_id="p-1", price={"amount": "5.00", "currency": "EUR"})
    assert handler.handle(repriced, 1).status == "ACCEPTED"
    placed = place_order("o-1")

    outcome = handler.handle(placed, 1)

    assert (outcome.status, outcome.aggregate_id, outcome.version, outcome.error) == (
        "ACCEPTED",
        "o-1",
        1,
        None,
    )
    [stored] = storage.events.read_stream("Order-o-1")
    assert (stored.type, stored.causation_id, stored.correlation_id) == (
        "OrderPlaced",
        placed.id,
        placed.correlation_id,
    )
    # The fact finder read the price from the product's stream, as it stands after the change.
    assert stored.payload["total"] == {"amount": "10.00", "currency": "EUR"}
    assert published_events(publisher, placed.id) == [stored]
    assert storage.events.pending_outbox() == []
    assert OutcomeLog(storage.read_models).get(placed.id) == outcome


def test_a_rejection_is_recorded_and_a_redelivery_answers_it_even_once_the_world_changed(
    storage: Storage, publisher: RecordingPublisher
) -> None:
    handler = CommandHandler(storage, publisher)
    created = create_product(ADMIN)

    rejected = handler.handle(created, 1)

    assert rejected.status == "REJECTED"
    assert rejected.error is not None
    assert (rejected.error.code, rejected.error.category) == ("UNKNOWN_CATEGORY", "BAD_USER_INPUT")
    assert OutcomeLog(storage.read_models).get(created.id) == rejected
    assert storage.events.stream_version("Product-p-1") == 0
    assert publisher.published == []

    handler.handle(command("CreateCategory", ADMIN, category_id="c-1", name="Tea"), 1)
    assert handler.handle(created, 2) == rejected
    assert storage.events.stream_version("Product-p-1") == 0


def test_a_duplicate_delivery_is_answered_with_its_first_outcome_and_has_one_effect(
    storage: Storage, publisher: RecordingPublisher
) -> None:
    handler = CommandHandler(storage, publisher)
    create_catalogue(handler)
    placed = place_order("o-1")
    first = handler.handle(placed, 1)

    again = CommandHandler(storage, publisher).handle(placed, 2)

    assert again == first
    assert storage.events.stream_version("Order-o-1") == 1
    assert len(published_events(publisher, placed.id)) == 1


def test_a_crash_after_the_commit_is_finished_by_the_redelivery(
    storage: Storage, publisher: RecordingPublisher
) -> None:
    create_catalogue(CommandHandler(storage, publisher))
    placed = place_order("o-1")

    def crash(envelope: Envelope, delivery_attempt: int | None) -> None:
        raise Crashed(envelope.id)

    lost = RecordingPublisher()
    with pytest.raises(Crashed):
        CommandHandler(storage, lost, after_commit=crash).handle(placed, 1)

    # Committed, but neither answered nor published: the outbox holds the event, the id its claim.
    assert lost.published == []
    assert [entry.envelope.type for entry in storage.events.pending_outbox()] == ["OrderPlaced"]
    claim = OutcomeLog(storage.read_models).get(placed.id)
    assert claim is not None
    assert claim.status == "PENDING"

    outcome = CommandHandler(storage, publisher).handle(placed, 2)

    assert (outcome.status, outcome.version) == ("ACCEPTED", 1)
    # Finished, not decided again: against its own effect it would be ALREADY_EXISTS.
    assert storage.events.stream_version("Order-o-1") == 1
    assert published_events(publisher, placed.id) == storage.events.read_stream("Order-o-1")
    assert storage.events.pending_outbox() == []
    assert OutcomeLog(storage.read_models).get(placed.id) == outcome
