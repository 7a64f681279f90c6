"""The projector: events delivered out of order, and again, end in the record an in-order delivery makes."""

from __future__ import annotations

from shared.application.commands import CommandHandler
from shared.application.projections import PRODUCTS, Projector
from shared.messages.envelope import Envelope
from shared.readmodels.memory import MemoryReadModelStore
from shared.storage import Storage
from tests.contract.factories import command
from tests.contract.test_command_handling import ADMIN, RecordingPublisher, create_catalogue


def test_events_delivered_out_of_order_are_caught_up_from_the_store_and_duplicates_change_nothing(
    storage: Storage, publisher: RecordingPublisher
) -> None:
    handler = CommandHandler(storage, publisher)
    create_catalogue(handler)  # p-1: 4.50 EUR, stock 10
    for sent in (
        command("RestockProduct", ADMIN, product_id="p-1", quantity=5),
        command("ChangePrice", ADMIN, product_id="p-1", price={"amount": "5.00", "currency": "EUR"}),
    ):
        assert handler.handle(sent, 1).status == "ACCEPTED"
    history: list[Envelope] = [e for _, e in publisher.published if e.aggregate_type == "Product"]
    assert [e.aggregate_version for e in history] == [1, 2, 3]
    projector = Projector(PRODUCTS, storage)

    assert projector.handle(history[1])  # v2 before v1: v1 is read from the event store first
    caught_up = storage.read_models.get(PRODUCTS.model, "p-1")
    assert caught_up is not None
    assert (caught_up.version, caught_up.data["stock"], caught_up.data["price"]) == (2, 15, "4.50")

    assert not projector.handle(history[0])
    assert not projector.handle(history[1])
    assert storage.read_models.get(PRODUCTS.model, "p-1") == caught_up

    assert projector.handle(history[2])
    final = storage.read_models.get(PRODUCTS.model, "p-1")
    assert final is not None
    assert (final.version, final.data["stock"], final.data["price"]) == (3, 15, "5.00")

    in_order = Storage(storage.events, MemoryReadModelStore(), lambda: None)
    for event in history:
        assert Projector(PRODUCTS, in_order).handle(event)
    assert in_order.read_models.get(PRODUCTS.model, "p-1") == final
