"""The projector on each real backend: duplicates change nothing, and an event that arrives ahead of
the record makes it read the missing events from the event store first."""

from __future__ import annotations

from shared.application.projections import PRODUCTS, Projector
from shared.kernel.money import Money
from shared.messages.catalogue import ProductCreated, ProductPriceChanged, StockAdjusted
from shared.messages.envelope import Envelope
from shared.storage import Storage
from tests.contract.harness import Harness


def _history(product_id: str) -> list[Envelope]:
    price = Money(amount="4.50", currency="EUR")
    payloads = [
        ProductCreated(name="Tea", description="", price=price, category_id="c-1", stock=5),
        StockAdjusted(delta=3, stock=8, reason="restock"),
        StockAdjusted(delta=-8, stock=0, reason="sold out"),
        ProductPriceChanged(price=Money(amount="5.00", currency="EUR"), previous_price=price),
    ]
    start = Envelope.originate(kind="command", type="Seed", aggregate_type="Product", aggregate_id=product_id)
    return [
        start.caused(
            kind="event",
            type=type(payload).__name__,
            aggregate_type="Product",
            aggregate_id=product_id,
            aggregate_version=version,
            payload=payload.model_dump(mode="json"),
        )
        for version, payload in enumerate(payloads, start=1)
    ]


def test_out_of_order_and_duplicate_events_end_in_the_in_order_record(backend: Harness) -> None:
    events, read_models = backend.event_store(), backend.read_models()
    storage = Storage(events, read_models, lambda: None)
    history = _history("p-gap")
    events.append("Product-p-gap", history)
    projector = Projector(PRODUCTS, storage)

    assert projector.handle(history[2]) is True  # v3 first: v1 and v2 are read from the store
    caught_up = read_models.get("products", "p-gap")
    assert caught_up is not None
    assert (caught_up.version, caught_up.data["stock"], caught_up.data["in_stock"]) == (3, 0, False)

    for duplicate in (history[0], history[1], history[2]):
        assert projector.handle(duplicate) is False
    assert read_models.get("products", "p-gap") == caught_up

    assert projector.handle(history[3]) is True
    final = read_models.get("products", "p-gap")
    assert final is not None
    assert (final.version, final.data["price"], final.data["stock"]) == (4, "5.00", 0)

    in_order = Storage(events, backend.read_models(), lambda: None)
    in_order.read_models.drop("products")
    for event in history:
        Projector(PRODUCTS, in_order).handle(event)
    assert in_order.read_models.get("products", "p-gap") == final
